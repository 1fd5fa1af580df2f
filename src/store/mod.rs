//! The vendor store: one SQLite file (`vendors.db`) holding every synced vendor's status-page
//! history, one row per (vendor, incident) with the newest version received verbatim, so that
//! reports cover years and not only the newest 50 incidents a page serves.
//!
//! **Versions.** The schema's version is SQLite's `user_version`; migrations are an
//! append-only list of SQL files, applied in one exclusive transaction when a store is opened.
//! A store written by a newer mttx (a higher version) is refused and left untouched, and so is
//! a file that is not an mttx store (another SQLite file, anything else, a folder).
//!
//! **Durability and locking.** WAL journal with `synchronous = FULL`: a commit is on disk
//! before it returns, so a killed sync (SIGKILL included) loses nothing committed. Every change
//! is one short `BEGIN IMMEDIATE` transaction, taken after the network work it records, never
//! held across a request; a second process waits for the lock (saying so once) for up to
//! [`BUSY_WAIT`]. WAL needs shared memory between processes, which network file systems may
//! not provide: keep the store on a local disk (docs/sync.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::error::{Error, Result};

/// The schema's migrations, in order; the store's version is how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
];

/// The schema version this mttx writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// SQLite's `application_id` of an mttx store ("mttx" in ASCII).
const APPLICATION_ID: i64 = 0x6d74_7478;

/// The layout of a stored incident's `raw` JSON: a Statuspage API v2 incident object. Every
/// source's tag is its module's (`sources::Platform::format`, `sources::Tool::format`); the
/// tags are fixed, since migration 3 wrote them into existing stores.
pub const FORMAT_STATUSPAGE: i64 = 1;

/// How long a writer waits for another process holding the store.
pub const BUSY_WAIT: Duration = Duration::from_secs(120);

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One incident to store.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub id: String,
    pub status: Option<String>,
    pub final_: bool,
    pub updated_at: Option<String>,
    pub started_at: Option<String>,
    /// The incident object as received.
    pub raw: String,
}

/// How a batch changed the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Saved {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl std::ops::AddAssign for Saved {
    fn add_assign(&mut self, o: Saved) {
        self.new += o.new;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// A vendor as the store knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorState {
    pub name: String,
    pub url: String,
    /// As configured at its last sync (`statuspage`, `google-cloud`, ...).
    pub platform: String,
    pub page_name: Option<String>,
    pub time_zone: Option<String>,
    pub has_history: Option<bool>,
    pub last_sync_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub incidents: u64,
    /// The earliest stored start.
    pub oldest: Option<String>,
    /// An incident tool's mapping settings, as JSON (`None` for status pages).
    pub settings: Option<String>,
    /// An incident tool's source (its `platform` is the tool), not a status page.
    pub source: bool,
}

/// Whether a store may be created and migrated, or must exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `sync`: create the file (and its folders) when missing, migrate an older schema.
    Write,
    /// Reports: the store must exist; nothing is created.
    Read,
}

fn err(path: &Path, message: impl Into<String>) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The message of an error whose cause is another process holding the store.
const LOCKED: &str = "the store is locked by another process";

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        if matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked)) {
            err(path, format!("{LOCKED} ({e})"))
        } else {
            err(path, format!("the store cannot be used: {e}"))
        }
    }
}

fn is_locked(e: &Error) -> bool {
    matches!(e, Error::Store { message, .. } if message.starts_with(LOCKED))
}

/// The current time as stored (RFC 3339 UTC, milliseconds).
fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Checks that an existing path can be a store before SQLite touches it: not a folder, and
/// either empty or an SQLite file.
fn check_existing(path: &Path) -> Result<bool> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    if meta.is_dir() {
        return Err(err(
            path,
            "is a folder, not an mttx store (give a file name, e.g. vendors.db)",
        ));
    }
    if meta.len() == 0 {
        return Ok(true);
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
    if read < 16 || &head != b"SQLite format 3\0" {
        return Err(err(
            path,
            "is not an mttx store (not an SQLite database); left untouched",
        ));
    }
    Ok(true)
}

impl Store {
    /// Opens (in [`Mode::Write`], creates or migrates) the store at `path`.
    pub fn open(path: &Path, mode: Mode) -> Result<Store> {
        let exists = check_existing(path)?;
        if !exists && mode == Mode::Read {
            return Err(err(
                path,
                "no such store (`mttx sync` creates it from the [[vendor]] tables of mttx.toml)",
            ));
        }
        if !exists && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                path: parent.to_path_buf(),
                source: e,
            })?;
        }
        // Two processes opening one new store at once can find it locked in ways SQLite's
        // busy handler does not cover (one switching the journal to WAL while the other reads
        // the header): the whole opening is tried again, within the same patience.
        let began = std::time::Instant::now();
        loop {
            match Store::try_open(path) {
                Err(e) if is_locked(&e) && began.elapsed() < BUSY_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    fn try_open(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql(path))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.prepare()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Connection settings, outside any transaction (the journal mode cannot change inside one).
    fn prepare(&mut self) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .busy_handler(Some(wait_for_lock))
            .map_err(sql(&path))?;
        // A file that SQLite cannot read as a database fails here, before anything is written.
        // The three figures come from one statement, so from one snapshot: read one by one,
        // another process's first migration could commit between them (a new store's id still
        // 0, its tables already there) and the store would look foreign.
        let (app, version, tables): (i64, i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id()), \
                        (SELECT user_version FROM pragma_user_version()), \
                        (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| err(&path, format!("is not an mttx store ({e}); left untouched")))?;
        if app != APPLICATION_ID && (app != 0 || version != 0 || tables != 0) {
            return Err(err(
                &path,
                "is an SQLite database but not an mttx store; left untouched",
            ));
        }
        if version > SCHEMA_VERSION {
            return Err(err(
                &path,
                format!(
                    "was written by a newer mttx (store schema version {version}; this mttx reads version {SCHEMA_VERSION} and older): upgrade mttx; the store is left untouched"
                ),
            ));
        }
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(sql(&path))?;
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(sql(&path))?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(sql(&path))?;
        Ok(())
    }

    /// Runs the migrations the store has not had, all in one exclusive transaction.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(&path))?;
        if version == SCHEMA_VERSION {
            // Nothing to do: no write lock taken (a report beside a running sync goes on).
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(sql(&path))?;
        // Read again under the lock: another process may have migrated meanwhile.
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(&path))?;
        if version > SCHEMA_VERSION {
            return Err(err(
                &path,
                format!(
                    "was written by a newer mttx (store schema version {version}); left untouched"
                ),
            ));
        }
        for step in &MIGRATIONS[version as usize..] {
            tx.execute_batch(step).map_err(sql(&path))?;
        }
        if version < SCHEMA_VERSION {
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sql(&path))?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql(&path))?;
        }
        tx.commit().map_err(sql(&path))
    }

    /// The ids of a vendor's stored incidents, each with whether it is final (resolved: never
    /// fetched again); what sync needs to decide what to fetch.
    pub fn held(&self, vendor: &str) -> Result<HashMap<String, bool>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare("SELECT id, final FROM incident WHERE vendor = ?1")
            .map_err(sql(path))?;
        let rows = stmt
            .query_map([vendor], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? != 0))
            })
            .map_err(sql(path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sql(path))
    }

    /// Records a vendor (its URL and platform as configured) before its sync.
    pub fn upsert_vendor(&mut self, name: &str, url: &str, platform: &str) -> Result<()> {
        self.upsert(name, url, platform, None, "vendor")
    }

    /// Records an incident tool's source (its tool as the platform, its mapping settings)
    /// before its sync.
    pub fn upsert_source(
        &mut self,
        name: &str,
        url: &str,
        tool: &str,
        settings: Option<&str>,
    ) -> Result<()> {
        self.upsert(name, url, tool, settings, "source")
    }

    fn upsert(
        &mut self,
        name: &str,
        url: &str,
        platform: &str,
        settings: Option<&str>,
        kind: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.begin()?;
        tx.execute(
            "INSERT INTO vendor (name, url, platform, settings, kind) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(name) DO UPDATE SET url = excluded.url, platform = excluded.platform,
               settings = excluded.settings, kind = excluded.kind",
            params![name, url, platform, settings, kind],
        )
        .map_err(sql(&path))?;
        tx.commit().map_err(sql(&path))
    }

    /// A vendor's stored incidents not yet final, with their payloads, by id.
    pub fn open_incidents(&self, vendor: &str) -> Result<Vec<(String, String)>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare("SELECT id, raw FROM incident WHERE vendor = ?1 AND final = 0 ORDER BY id")
            .map_err(sql(path))?;
        stmt.query_map([vendor], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql(path))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(path))
    }

    /// Stores a batch of incidents (and the page object, when given) in one transaction: a
    /// new incident is inserted, a changed one replaced by its newer version.
    pub fn save(
        &mut self,
        vendor: &str,
        format: i64,
        page: Option<&PageInfo>,
        incidents: &[NewIncident],
    ) -> Result<Saved> {
        let path = self.path.clone();
        let fetched = now();
        let tx = self.begin()?;
        if let Some(p) = page {
            tx.execute(
                "UPDATE vendor SET page_json = ?2, page_name = ?3, time_zone = ?4 WHERE name = ?1",
                params![vendor, p.json, p.name, p.time_zone],
            )
            .map_err(sql(&path))?;
        }
        let mut saved = Saved::default();
        {
            let mut find = tx
                .prepare_cached("SELECT raw FROM incident WHERE vendor = ?1 AND id = ?2")
                .map_err(sql(&path))?;
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO incident
                       (vendor, id, status, final, updated_at, started_at, raw, format, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT(vendor, id) DO UPDATE SET
                       status = excluded.status, final = excluded.final,
                       updated_at = excluded.updated_at, started_at = excluded.started_at,
                       raw = excluded.raw, format = excluded.format,
                       fetched_at = excluded.fetched_at",
                )
                .map_err(sql(&path))?;
            for inc in incidents {
                let old: Option<String> = find
                    .query_row(params![vendor, inc.id], |r| r.get(0))
                    .optional()
                    .map_err(sql(&path))?;
                match old {
                    Some(raw) if raw == inc.raw => {
                        saved.unchanged += 1;
                        continue;
                    }
                    Some(_) => saved.updated += 1,
                    None => saved.new += 1,
                }
                put.execute(params![
                    vendor,
                    inc.id,
                    inc.status,
                    inc.final_ as i64,
                    inc.updated_at,
                    inc.started_at,
                    inc.raw,
                    format,
                    fetched
                ])
                .map_err(sql(&path))?;
            }
        }
        tx.commit().map_err(sql(&path))?;
        Ok(saved)
    }

    /// Records how a vendor's sync ended: `error` is `None` on success.
    pub fn finish_vendor(
        &mut self,
        vendor: &str,
        has_history: Option<bool>,
        error: Option<&str>,
    ) -> Result<()> {
        let path = self.path.clone();
        let at = now();
        let tx = self.begin()?;
        tx.execute(
            "UPDATE vendor SET last_sync_at = ?2, last_error = ?3,
               last_success_at = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success_at END,
               has_history = coalesce(?4, has_history)
             WHERE name = ?1",
            params![vendor, at, error, has_history.map(i64::from)],
        )
        .map_err(sql(&path))?;
        tx.commit().map_err(sql(&path))
    }

    /// Every vendor in the store, by name.
    pub fn vendors(&self) -> Result<Vec<VendorState>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT v.name, v.url, v.page_name, v.time_zone, v.has_history, v.last_sync_at,
                        v.last_success_at, v.last_error,
                        (SELECT count(*) FROM incident i WHERE i.vendor = v.name),
                        (SELECT min(started_at) FROM incident i WHERE i.vendor = v.name),
                        coalesce(v.platform, 'statuspage'), v.settings, v.kind
                 FROM vendor v ORDER BY v.name",
            )
            .map_err(sql(path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(VendorState {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    page_name: r.get(2)?,
                    time_zone: r.get(3)?,
                    has_history: r.get::<_, Option<i64>>(4)?.map(|h| h != 0),
                    last_sync_at: r.get(5)?,
                    last_success_at: r.get(6)?,
                    last_error: r.get(7)?,
                    incidents: r.get::<_, i64>(8)? as u64,
                    oldest: r.get(9)?,
                    platform: r.get(10)?,
                    settings: r.get(11)?,
                    source: r.get::<_, String>(12)? == "source",
                })
            })
            .map_err(sql(path))?;
        rows.collect::<rusqlite::Result<_>>().map_err(sql(path))
    }

    /// Stores a status page's published uptime in one transaction: each component's start date
    /// and displayed figure as last seen, each day's outage seconds (a day seen again is
    /// replaced: the page revises today's figures as the day goes on).
    pub fn save_published(
        &mut self,
        vendor: &str,
        components: &[crate::model::PublishedComponent],
    ) -> Result<()> {
        let path = self.path.clone();
        let tx = self.begin()?;
        for c in components {
            tx.execute(
                "INSERT INTO published_component (vendor, component, start_date, displayed_pct)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(vendor, component) DO UPDATE SET
                   start_date = excluded.start_date, displayed_pct = excluded.displayed_pct",
                params![vendor, c.component, c.start_date, c.displayed_pct],
            )
            .map_err(sql(&path))?;
            for d in &c.days {
                tx.execute(
                    "INSERT INTO published_day (vendor, component, date, major_s, partial_s)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(vendor, component, date) DO UPDATE SET
                       major_s = excluded.major_s, partial_s = excluded.partial_s",
                    params![vendor, c.component, d.date, d.major_s, d.partial_s],
                )
                .map_err(sql(&path))?;
            }
        }
        tx.commit().map_err(sql(&path))
    }

    /// Every vendor's stored published uptime, days oldest first.
    pub fn published(&self) -> Result<Vec<crate::model::PublishedComponent>> {
        let path = &self.path;
        let mut comps = self
            .conn
            .prepare(
                "SELECT vendor, component, start_date, displayed_pct FROM published_component
                 ORDER BY vendor, component",
            )
            .map_err(sql(path))?;
        let mut days = self
            .conn
            .prepare(
                "SELECT date, major_s, partial_s FROM published_day
                 WHERE vendor = ?1 AND component = ?2 ORDER BY date",
            )
            .map_err(sql(path))?;
        let list = comps
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                ))
            })
            .map_err(sql(path))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(path))?;
        let mut out = Vec::new();
        for (vendor, component, start_date, displayed_pct) in list {
            let d = days
                .query_map(params![vendor, component], |r| {
                    Ok(crate::model::PublishedDay {
                        date: r.get(0)?,
                        major_s: r.get(1)?,
                        partial_s: r.get(2)?,
                    })
                })
                .map_err(sql(path))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(sql(path))?;
            out.push(crate::model::PublishedComponent {
                vendor,
                component,
                start_date,
                days: d,
                displayed_pct,
                rule: crate::model::PublishedRule::Statuspage,
            });
        }
        Ok(out)
    }

    /// A vendor's stored incidents as they were received, by start then id.
    pub fn raws(&self, vendor: &str) -> Result<Vec<String>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare("SELECT raw FROM incident WHERE vendor = ?1 ORDER BY started_at, id")
            .map_err(sql(path))?;
        stmt.query_map([vendor], |r| r.get::<_, String>(0))
            .map_err(sql(path))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(sql(path))
    }

    /// Takes the write lock now (`BEGIN IMMEDIATE`), waiting for another writer if need be.
    fn begin(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(&path))
    }
}

/// The page object of a sync's answer, as stored.
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    pub json: String,
    pub name: Option<String>,
    pub time_zone: Option<String>,
}

/// SQLite's busy handler: another process holds the store; say so once, then wait in short
/// sleeps up to [`BUSY_WAIT`].
fn wait_for_lock(attempt: i32) -> bool {
    const STEP: Duration = Duration::from_millis(25);
    if attempt == 0 {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            eprintln!("mttx: the store is in use by another mttx process; waiting for it");
        });
    }
    if (attempt as u128) * STEP.as_millis() > BUSY_WAIT.as_millis() {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

#[cfg(test)]
mod tests;
