//! Sync: brings each configured vendor's status-page history into the [`crate::store`].
//!
//! Vendors are synced side by side, each on a thread of its own that only fetches; one
//! writer (the calling thread) stores what they send, a batch per transaction, so no write
//! waits on the network and a killed sync loses nothing already committed. Per vendor
//! ([`statuspage`]): `incidents.json` (the newest incidents, whole), then the history index
//! page by page, then each listed incident the store does not hold in final form, and each
//! stored incident still open, until it is resolved. A vendor that fails is recorded with its
//! reason; the others are stored all the same.

pub mod feeds;
pub mod http;
pub mod statuspage;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::Result;
use crate::sources::{Api, Credentials, Plan, Source};
use crate::store::{Mode, NewIncident, PageInfo, Saved, Store};
use http::{Client, Got, Limits};

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

/// A vendor to sync, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Vendor {
    /// The vendor's name in every report.
    pub name: String,
    /// The status page's base URL, without a trailing slash.
    pub url: String,
    /// `statuspage` (incident.io pages serve the same API).
    pub platform: String,
    /// The weight of a partial outage in the page's own uptime figures (`published_partial`;
    /// default: the platform's, 0.3 for Statuspage, 1 for incident.io).
    pub published_partial: Option<f64>,
}

/// History pages walked at most (three months each: fifty years).
pub const MAX_HISTORY_PAGES: u32 = 200;
/// Consecutive history pages without a single incident after which the walk ends (three
/// years of quiet quarters: a server listing empty months forever must not keep sync going).
pub const MAX_EMPTY_PAGES: u32 = 12;
/// Incidents fetched, then stored in one transaction.
const BATCH: usize = 50;
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
    let jobs = names.len();
    let client = Client::new(limits);
    let mut outcomes: Vec<Outcome> = names
        .iter()
        .map(|n| Outcome {
            vendor: n.to_string(),
            ..Outcome::default()
        })
        .collect();
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Msg>();
    let written = std::thread::scope(|s| -> Result<()> {
        for _ in 0..VENDORS_AT_ONCE.min(jobs) {
            let tx = tx.clone();
            let (client, next, stop, held, plans) = (&client, &next, &stop, &held, &plans);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if i < vendors.len() {
                        sync_vendor(client, i, &vendors[i], &held[i], &tx, stop);
                    } else {
                        let j = i - vendors.len();
                        sync_source(client, i, &sources[j], &plans[j], &tx);
                    }
                }
            });
        }
        drop(tx);
        // The one writer: each batch in its own transaction, as it comes.
        for msg in rx {
            let done = match msg {
                Msg::Batch {
                    vendor,
                    format,
                    page,
                    incidents,
                } => {
                    progress(Event::Fetched(incidents.len()));
                    store
                        .save(names[vendor], format, page.as_ref(), &incidents)
                        .map(|saved| outcomes[vendor].saved += saved)
                }
                Msg::Published { vendor, components } => {
                    store.save_published(names[vendor], &components)
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
                    store.finish_vendor(names[vendor], has_history, o.error.as_deref())
                }
            };
            if let Err(e) = done {
                // Stop the fetchers; they end at their next step.
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    });
    written?;
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
    Ok(Summary {
        outcomes,
        sources: sources.len(),
        requests: client.counters.requests.load(Ordering::Relaxed),
        retries: client.counters.retries.load(Ordering::Relaxed),
    })
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
            v.platform == s.tool && v.url == s.url && v.settings.as_deref() == Some(&settings)
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

/// One vendor: fetches and sends its batches, then how it ended.
fn sync_vendor(
    client: &Client,
    index: usize,
    vendor: &Vendor,
    held: &HashMap<String, bool>,
    tx: &mpsc::Sender<Msg>,
    stop: &AtomicBool,
) {
    let mut notes = Vec::new();
    let mut failed = 0u64;
    let mut has_history = None;
    let format =
        crate::store::platform_format(&vendor.platform).unwrap_or(crate::store::FORMAT_STATUSPAGE);
    if feeds::is_feed(&vendor.platform) {
        let url = feeds::url(&vendor.platform, &vendor.url);
        let error = match client.get(&url, |b| feeds::items(&vendor.platform, b)) {
            Ok(Got::Found(incidents)) => {
                let _ = tx.send(Msg::Batch {
                    vendor: index,
                    format,
                    page: None,
                    incidents,
                });
                if vendor.platform == "aws" {
                    notes.push(
                        "AWS lists only the events open now: its history builds up over repeated syncs"
                            .into(),
                    );
                }
                None
            }
            Ok(Got::NotFound) => Some(format!("{url}: 404: no {} document there", vendor.platform)),
            Err(e) => Some(format!("{url}: {e}")),
        };
        let _ = tx.send(Msg::Done {
            vendor: index,
            has_history: Some(vendor.platform != "aws"),
            failed: u64::from(error.is_some()),
            error,
            notes,
        });
        return;
    }
    let error = (|| -> std::result::Result<(), String> {
        let base = vendor.url.as_str();
        // 1. The newest incidents, whole.
        let listing = match client.get(&statuspage::incidents_url(base), statuspage::listing)? {
            Got::Found(l) => l,
            Got::NotFound => {
                return Err(format!(
                    "{}: 404: no Statuspage API at {base} (is the URL the status page's base URL?)",
                    statuspage::incidents_url(base)
                ));
            }
        };
        let listed: HashSet<String> = listing.incidents.iter().map(|i| i.id.clone()).collect();
        let _ = tx.send(Msg::Batch {
            vendor: index,
            format,
            page: listing.page,
            incidents: listing.incidents,
        });
        // The home page's published uptime, day by day (a page without one: nothing).
        if let Ok(Got::Found(Some(components))) = client.get(&format!("{base}/"), |b| {
            Ok(crate::ingest::home_page_uptime(&String::from_utf8_lossy(b)))
        }) {
            let _ = tx.send(Msg::Published {
                vendor: index,
                components,
            });
        }
        // 2. The history index; its failure still lets what is known be fetched.
        let (codes, walk_error) = walk_history(client, base, &mut notes, &mut has_history);
        // 3. Listed incidents the store lacks in final form, then stored ones still open.
        let mut wanted: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for code in &codes {
            let final_ = held.get(code) == Some(&true);
            if !final_ && !listed.contains(code) && seen.insert(code) {
                wanted.push(code.clone());
            }
        }
        let mut open: Vec<&String> = held
            .iter()
            .filter(|(id, final_)| {
                !**final_ && !listed.contains(*id) && !seen.contains(id.as_str())
            })
            .map(|(id, _)| id)
            .collect();
        open.sort();
        wanted.extend(open.into_iter().cloned());
        let mut first_error = walk_error;
        let mut gone = 0;
        for batch in wanted.chunks(BATCH) {
            if stop.load(Ordering::Relaxed) {
                return Err("stopped: the store could not be written".into());
            }
            let results = fetch_all(client, base, batch);
            let mut incidents = Vec::with_capacity(batch.len());
            for r in results {
                match r {
                    Ok(Got::Found(inc)) => incidents.push(inc),
                    Ok(Got::NotFound) => gone += 1,
                    Err(e) => {
                        failed += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            let _ = tx.send(Msg::Batch {
                vendor: index,
                format,
                page: None,
                incidents,
            });
        }
        if gone > 0 {
            notes.push(format!(
                "{gone} listed incidents answer 404 (removed from the page): kept as stored"
            ));
        }
        match first_error {
            Some(e) if failed > 0 => Err(format!("{failed} incidents not fetched: {e}")),
            Some(e) => Err(e),
            None => Ok(()),
        }
    })()
    .err();
    let _ = tx.send(Msg::Done {
        vendor: index,
        has_history,
        failed,
        error,
        notes,
    });
}

/// Walks the history index: the codes listed, and the error that ended the walk early.
fn walk_history(
    client: &Client,
    base: &str,
    notes: &mut Vec<String>,
    has_history: &mut Option<bool>,
) -> (Vec<String>, Option<String>) {
    let mut codes = Vec::new();
    let mut empty_run = 0;
    for page in 1..=MAX_HISTORY_PAGES {
        match client.get(&statuspage::history_url(base, page), statuspage::history) {
            Err(e) => return (codes, Some(format!("history page {page}: {e}"))),
            Ok(Got::NotFound) if page == 1 => {
                *has_history = Some(false);
                notes.push(
                    "no history index (404 for /history.json): synced from incidents.json alone"
                        .into(),
                );
                return (codes, None);
            }
            Ok(Got::NotFound) => break,
            Ok(Got::Found(h)) => {
                *has_history = Some(true);
                if h.months == 0 {
                    return (codes, None);
                }
                if h.codes.is_empty() {
                    empty_run += 1;
                    if empty_run >= MAX_EMPTY_PAGES {
                        notes.push(format!(
                            "history walk ended after {MAX_EMPTY_PAGES} pages in a row without incidents (page {page})"
                        ));
                        return (codes, None);
                    }
                } else {
                    empty_run = 0;
                }
                codes.extend(h.codes);
            }
        }
    }
    notes.push(format!(
        "history walk ended at the cap of {MAX_HISTORY_PAGES} pages"
    ));
    (codes, None)
}

/// Fetches incidents by code, as many at once as the host allows; results in order.
fn fetch_all(
    client: &Client,
    base: &str,
    codes: &[String],
) -> Vec<std::result::Result<Got<NewIncident>, String>> {
    crate::parallel::map_on(
        client.per_host(),
        codes,
        || (),
        |(), code| {
            client.get(&statuspage::incident_url(base, code), |b| {
                statuspage::single(b).map(|(_, inc)| inc)
            })
        },
    )
}
