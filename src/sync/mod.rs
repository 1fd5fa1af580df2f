//! Sync: brings each configured vendor's status-page history and each incident tool's source
//! into the [`crate::store`]. What is fetched, and how, is each source's own module's
//! ([`crate::sources`]); this module orchestrates.
//!
//! Vendors and sources are synced side by side, each on a thread of its own that only fetches;
//! one writer (the calling thread) stores what they send, a batch per transaction, so no write
//! waits on the network and a killed sync loses nothing already committed. One that fails is
//! recorded with its reason; the others are stored all the same.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::Result;
use crate::http::{Client, Limits};
pub use crate::sources::Vendor;
use crate::sources::{Api, Credentials, Ended, Plan, Sink, Source, VendorJob};
use crate::store::{Mode, NewIncident, PageInfo, Saved, Store};

/// An incident tool's source to sync, with its credentials (read before any request).
#[derive(Debug, Clone)]
pub struct SourceJob {
    pub source: Source,
    pub creds: Credentials,
}

/// How far back a re-sync looks before the last successful one.
pub const RESYNC_OVERLAP_MIN: i64 = 10;
/// A first sync's reach without `since`.
pub const DEFAULT_SINCE_DAYS: i64 = 365;

/// Vendors synced at once.
const VENDORS_AT_ONCE: usize = 8;

/// How one vendor's sync ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub vendor: String,
    /// New and updated incidents; unchanged: the other stored ones.
    pub saved: Saved,
    /// Incidents listed but not fetched (their error is in `error`).
    pub failed: u64,
    /// `None`: synced.
    pub error: Option<String>,
    /// What a reader should know (no history index, the walk cut short, incidents gone).
    pub notes: Vec<String>,
    /// The earliest stored start, after the sync.
    pub oldest: Option<String>,
    pub incidents: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Vendors first, then sources.
    pub outcomes: Vec<Outcome>,
    /// How many of the outcomes are incident tools' sources.
    pub sources: usize,
    pub requests: u64,
    pub retries: u64,
}

impl Summary {
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.error.is_some()).count()
    }
}

/// Progress events for a bar.
pub enum Event<'a> {
    Fetched(usize),
    VendorDone(&'a str),
}

/// What a vendor's thread sends the writer.
enum Msg {
    Batch {
        vendor: usize,
        format: i64,
        page: Option<PageInfo>,
        incidents: Vec<NewIncident>,
    },
    /// A status page's published uptime (its home page).
    Published {
        vendor: usize,
        components: Vec<crate::model::PublishedComponent>,
    },
    Done {
        vendor: usize,
        has_history: Option<bool>,
        failed: u64,
        error: Option<String>,
        notes: Vec<String>,
    },
}

/// Syncs every vendor into the store at `path` (created when missing). `Err` only when the
/// store cannot be opened or written; a vendor's failure is in its [`Outcome`].
pub fn run(
    path: &Path,
    vendors: &[Vendor],
    sources: &[SourceJob],
    limits: Limits,
    progress: &dyn Fn(Event),
) -> Result<Summary> {
    let mut store = Store::open(path, Mode::Write)?;
    let mut held = Vec::with_capacity(vendors.len());
    for v in vendors {
        store.upsert_vendor(&v.name, &v.url, &v.platform)?;
        held.push(store.held(&v.name)?);
    }
    let plans = plan_sources(&mut store, sources, chrono::Utc::now())?;
    let names: Vec<&str> = vendors
        .iter()
        .map(|v| v.name.as_str())
        .chain(sources.iter().map(|s| s.source.name.as_str()))
        .collect();
    let client = Client::new(limits);
    let mut outcomes: Vec<Outcome> = names
        .iter()
        .map(|n| Outcome {
            vendor: n.to_string(),
            ..Outcome::default()
        })
        .collect();
    let fetch = Fetchers {
        client: &client,
        vendors,
        sources,
        held: &held,
        plans: &plans,
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    };
    let (tx, rx) = mpsc::channel::<Msg>();
    let written = std::thread::scope(|s| -> Result<()> {
        for _ in 0..VENDORS_AT_ONCE.min(names.len()) {
            let (tx, fetch) = (tx.clone(), &fetch);
            s.spawn(move || fetch.work(&tx));
        }
        drop(tx);
        let written = write(&mut store, rx, &names, &mut outcomes, progress);
        if written.is_err() {
            // Stop the fetchers; they end at their next step.
            fetch.stop.store(true, Ordering::Relaxed);
        }
        written
    });
    written?;
    count_stored(&store, &mut outcomes)?;
    Ok(Summary {
        outcomes,
        sources: sources.len(),
        requests: client.counters.requests.load(Ordering::Relaxed),
        retries: client.counters.retries.load(Ordering::Relaxed),
    })
}

/// What the fetching threads share: the jobs (vendors, then sources), the next one to take,
/// and the flag that stops them.
struct Fetchers<'a> {
    client: &'a Client,
    vendors: &'a [Vendor],
    sources: &'a [SourceJob],
    held: &'a [HashMap<String, bool>],
    plans: &'a [Plan],
    next: AtomicUsize,
    stop: AtomicBool,
}

impl Fetchers<'_> {
    /// One fetching thread: takes the next job until none is left or the sync stops.
    fn work(&self, tx: &mpsc::Sender<Msg>) {
        let jobs = self.vendors.len() + self.sources.len();
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= jobs || self.stop.load(Ordering::Relaxed) {
                break;
            }
            // A bug met on one vendor's data fails that vendor, not the sync: the others are
            // still stored, and the run still ends with its summary.
            let job = std::panic::AssertUnwindSafe(|| {
                if i < self.vendors.len() {
                    let (v, held) = (&self.vendors[i], &self.held[i]);
                    sync_vendor(self.client, i, v, held, tx, &self.stop);
                } else {
                    let j = i - self.vendors.len();
                    sync_source(self.client, i, &self.sources[j], &self.plans[j], tx);
                }
            });
            if std::panic::catch_unwind(job).is_err() {
                let _ = tx.send(Msg::Done {
                    vendor: i,
                    has_history: None,
                    failed: 1,
                    error: Some(
                        "mttx stopped on this one's data (a bug: please report it); nothing of it was lost from the store"
                            .into(),
                    ),
                    notes: Vec::new(),
                });
            }
        }
    }
}

/// The one writer: each batch in its own transaction, as it comes; the first error ends it.
fn write(
    store: &mut Store,
    rx: mpsc::Receiver<Msg>,
    names: &[&str],
    outcomes: &mut [Outcome],
    progress: &dyn Fn(Event),
) -> Result<()> {
    for msg in rx {
        match msg {
            Msg::Batch {
                vendor,
                format,
                page,
                incidents,
            } => {
                progress(Event::Fetched(incidents.len()));
                let saved = store.save(names[vendor], format, page.as_ref(), &incidents)?;
                outcomes[vendor].saved += saved;
            }
            Msg::Published { vendor, components } => {
                store.save_published(names[vendor], &components)?
            }
            Msg::Done {
                vendor,
                has_history,
                failed,
                error,
                notes,
            } => {
                let o = &mut outcomes[vendor];
                o.failed = failed;
                o.notes = notes;
                o.error = error;
                progress(Event::VendorDone(names[vendor]));
                store.finish_vendor(names[vendor], has_history, o.error.as_deref())?
            }
        }
    }
    Ok(())
}

/// Each outcome's stored totals after the sync.
fn count_stored(store: &Store, outcomes: &mut [Outcome]) -> Result<()> {
    for state in store.vendors()? {
        if let Some(o) = outcomes.iter_mut().find(|o| o.vendor == state.name) {
            o.oldest = state.oldest;
            o.incidents = state.incidents;
            // Unchanged: every stored incident this sync did not add or replace, fetched
            // again or not.
            o.saved.unchanged = state
                .incidents
                .saturating_sub(o.saved.new + o.saved.updated);
        }
    }
    Ok(())
}

/// Each source's plan, its row recorded first: a first sync (or one whose settings changed)
/// reaches back to `since`; a re-sync asks for what changed since the last successful sync,
/// less [`RESYNC_OVERLAP_MIN`] minutes.
fn plan_sources(
    store: &mut Store,
    sources: &[SourceJob],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Plan>> {
    let known = store.vendors()?;
    let mut plans = Vec::with_capacity(sources.len());
    for job in sources {
        let s = &job.source;
        let settings = s.settings.to_json();
        let before = known.iter().find(|v| v.name == s.name);
        let same = before.is_some_and(|v| {
            v.source
                && v.platform == s.tool
                && v.url == s.url
                && v.settings.as_deref() == Some(&settings)
        });
        let updated_since = before
            .filter(|_| same)
            .and_then(|v| v.last_success_at.as_deref())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc) - chrono::Duration::minutes(RESYNC_OVERLAP_MIN));
        let since = match s.since {
            Some(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
            None => (now - chrono::Duration::days(DEFAULT_SINCE_DAYS))
                .date_naive()
                .and_time(chrono::NaiveTime::MIN)
                .and_utc(),
        };
        store.upsert_source(&s.name, &s.url, s.tool, Some(&settings))?;
        plans.push(Plan {
            since,
            updated_since,
            open: store.open_incidents(&s.name)?,
            now,
            settings: s.settings.clone(),
        });
    }
    Ok(plans)
}

/// One incident tool's source: its tool fetches as the plan says; each batch goes to the writer.
fn sync_source(
    client: &Client,
    index: usize,
    job: &SourceJob,
    plan: &Plan,
    tx: &mpsc::Sender<Msg>,
) {
    let Some(tool) = crate::sources::tool(job.source.tool) else {
        let _ = tx.send(Msg::Done {
            vendor: index,
            has_history: None,
            failed: 0,
            error: Some(format!("no tool named {}", job.source.tool)),
            notes: Vec::new(),
        });
        return;
    };
    let api = Api::new(client, &job.source, tool, &job.creds);
    let mut emit = |incidents: Vec<NewIncident>| {
        if !incidents.is_empty() {
            let _ = tx.send(Msg::Batch {
                vendor: index,
                format: tool.format,
                page: None,
                incidents,
            });
        }
    };
    let (error, notes) = match (tool.fetch)(&api, plan, &mut emit) {
        Ok(notes) => (None, notes),
        Err(e) => (Some(api.clean(&e)), Vec::new()),
    };
    let _ = tx.send(Msg::Done {
        vendor: index,
        has_history: None,
        failed: u64::from(error.is_some()),
        error,
        notes,
    });
}

/// One vendor: its platform's sync, each batch sent to the writer as it comes.
fn sync_vendor(
    client: &Client,
    index: usize,
    vendor: &Vendor,
    held: &HashMap<String, bool>,
    tx: &mpsc::Sender<Msg>,
    stop: &AtomicBool,
) {
    let ended = match crate::sources::platform(&vendor.platform) {
        Some(platform) => {
            let job = VendorJob {
                client,
                vendor,
                held,
                stop,
            };
            let mut sink = ToWriter {
                tx,
                vendor: index,
                format: platform.format,
            };
            (platform.sync)(&job, &mut sink)
        }
        None => Ended {
            error: Some(format!(
                "no status platform named '{}' (this mttx knows {})",
                vendor.platform,
                crate::sources::PLATFORMS.map(|p| p.name).join(", ")
            )),
            ..Ended::default()
        },
    };
    let _ = tx.send(Msg::Done {
        vendor: index,
        has_history: ended.has_history,
        failed: ended.failed,
        error: ended.error,
        notes: ended.notes,
    });
}

/// A platform's sink: each call one message to the writer.
struct ToWriter<'a> {
    tx: &'a mpsc::Sender<Msg>,
    vendor: usize,
    format: i64,
}

impl Sink for ToWriter<'_> {
    fn batch(&mut self, page: Option<PageInfo>, incidents: Vec<NewIncident>) {
        let _ = self.tx.send(Msg::Batch {
            vendor: self.vendor,
            format: self.format,
            page,
            incidents,
        });
    }

    fn published(&mut self, components: Vec<crate::model::PublishedComponent>) {
        let _ = self.tx.send(Msg::Published {
            vendor: self.vendor,
            components,
        });
    }
}
