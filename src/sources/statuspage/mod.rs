//! Statuspage's public API as `sync` reads it (incident.io status pages serve the same
//! `/api/v2/`): the three answers a sync fetches, checked and cut into what the store keeps.
//!
//! - `/api/v2/incidents.json`: `{page, incidents}`, the newest incidents, each whole.
//! - `/history.json?page=N`: `{months: [{name, year, incidents: [{code, ...}]}]}`, three
//!   calendar months a page, newest first; a page without months is past the end.
//! - `/api/v2/incidents/<code>.json`: `{page, incident}`, one incident whole.
//!
//! A body that does not have its shape is an error (the fetcher retries it: a CDN's HTML
//! error page, a truncated document).
//!
//! A sync: `incidents.json` (the newest incidents, whole) and the home page's published
//! uptime, then the history index page by page, then each listed incident the store does not
//! hold in final form, and each stored incident still open, until it is resolved. Stored per
//! incident: the incident object as received (format 1); read back as one `{page, incidents}`
//! document under the configured name.

pub(crate) mod api;

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Ended, Platform, Sink, VendorJob};
use crate::http::{Client, Got};
use crate::store::{FORMAT_STATUSPAGE, NewIncident, PageInfo, VendorState};

/// The weight of a partial outage in a Statuspage page's own uptime figures.
pub const STATUSPAGE_PARTIAL: f64 = 0.3;

pub const STATUSPAGE: Platform = Platform {
    name: "statuspage",
    format: FORMAT_STATUSPAGE,
    detect: |_| false,
    published_partial: STATUSPAGE_PARTIAL,
    sync,
    document,
};

/// incident.io status pages serve Statuspage's API; their own uptime figures count a partial
/// outage fully.
pub const INCIDENT_IO_PAGES: Platform = Platform {
    name: "incident.io",
    published_partial: 1.0,
    ..STATUSPAGE
};

/// History pages walked at most (three months each: fifty years).
pub const MAX_HISTORY_PAGES: u32 = 200;
/// Consecutive history pages without a single incident after which the walk ends (three
/// years of quiet quarters: a server listing empty months forever must not keep sync going).
pub const MAX_EMPTY_PAGES: u32 = 12;
/// Incidents fetched, then stored in one transaction.
const BATCH: usize = 50;

/// The endpoints of a page at `base` (no trailing slash).
pub fn incidents_url(base: &str) -> String {
    format!("{base}/api/v2/incidents.json")
}

pub fn history_url(base: &str, page: u32) -> String {
    format!("{base}/history.json?page={page}")
}

pub fn incident_url(base: &str, code: &str) -> String {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("{base}/api/v2/incidents/{code}.json")
}

/// Statuses after which an incident no longer changes (a postmortem may still be added while
/// `incidents.json` lists it, and is picked up from there).
const FINAL: [&str; 3] = ["resolved", "postmortem", "completed"];

#[derive(Deserialize)]
struct Fields {
    id: Option<String>,
    status: Option<String>,
    updated_at: Option<String>,
    started_at: Option<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct PageFields {
    name: Option<String>,
    time_zone: Option<String>,
}

/// An incident object as the store keeps it.
pub fn incident(raw: &RawValue) -> Result<NewIncident, String> {
    let f: Fields = serde_json::from_str(raw.get())
        .map_err(|e| format!("an incident is not a Statuspage incident object: {e}"))?;
    let id =
        f.id.filter(|id| !id.trim().is_empty())
            .ok_or("an incident without an id")?;
    let final_ = f
        .status
        .as_deref()
        .is_some_and(|s| FINAL.contains(&s.trim().to_ascii_lowercase().as_str()));
    Ok(NewIncident {
        id,
        status: f.status,
        final_,
        updated_at: f.updated_at,
        started_at: f.started_at.or(f.created_at),
        raw: raw.get().to_string(),
    })
}

fn page_info(raw: Option<&RawValue>) -> Result<Option<PageInfo>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let p: PageFields = serde_json::from_str(raw.get())
        .map_err(|e| format!("the page object is not a Statuspage page: {e}"))?;
    Ok(Some(PageInfo {
        json: raw.get().to_string(),
        name: p.name,
        time_zone: p.time_zone,
    }))
}

fn json<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, String> {
    let text = std::str::from_utf8(body).map_err(|_| format!("{what}: not UTF-8 text"))?;
    serde_json::from_str(text).map_err(|e| {
        let start: String = text.trim_start().chars().take(40).collect();
        if start.starts_with('<') {
            format!("{what}: an HTML page instead of JSON ('{start}...')")
        } else {
            format!("{what}: not the JSON expected ({e})")
        }
    })
}

/// `incidents.json`.
pub struct Listing {
    pub page: Option<PageInfo>,
    pub incidents: Vec<NewIncident>,
}

#[derive(Deserialize)]
struct ListingDoc<'a> {
    #[serde(borrow)]
    page: Option<&'a RawValue>,
    #[serde(borrow)]
    incidents: Vec<&'a RawValue>,
}

pub fn listing(body: &[u8]) -> Result<Listing, String> {
    let doc: ListingDoc = json(body, "incidents.json")?;
    Ok(Listing {
        page: page_info(doc.page)?,
        incidents: doc
            .incidents
            .into_iter()
            .map(incident)
            .collect::<Result<_, _>>()?,
    })
}

/// One page of the history index.
#[derive(Debug, PartialEq)]
pub struct HistoryPage {
    /// Months listed (a page without any is past the end).
    pub months: usize,
    /// The incidents' codes, as listed.
    pub codes: Vec<String>,
}

#[derive(Deserialize)]
struct HistoryDoc {
    months: Vec<Month>,
}

#[derive(Deserialize)]
struct Month {
    #[serde(default)]
    incidents: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    code: Option<String>,
}

pub fn history(body: &[u8]) -> Result<HistoryPage, String> {
    let doc: HistoryDoc = json(body, "history.json")?;
    Ok(HistoryPage {
        months: doc.months.len(),
        codes: doc
            .months
            .into_iter()
            .flat_map(|m| m.incidents)
            .filter_map(|i| i.code.filter(|c| !c.trim().is_empty()))
            .collect(),
    })
}

#[derive(Deserialize)]
struct SingleDoc<'a> {
    #[serde(borrow)]
    page: Option<&'a RawValue>,
    #[serde(borrow)]
    incident: &'a RawValue,
}

/// `/api/v2/incidents/<code>.json`.
pub fn single(body: &[u8]) -> Result<(Option<PageInfo>, NewIncident), String> {
    let doc: SingleDoc = json(body, "the incident")?;
    Ok((page_info(doc.page)?, incident(doc.incident)?))
}

/// Syncs one page: see the module's documentation.
fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    let mut ended = Ended::default();
    let client = job.client;
    let base = job.vendor.url.as_str();
    let result = (|| -> std::result::Result<(), String> {
        // 1. The newest incidents, whole.
        let listing = match client.get(&incidents_url(base), listing)? {
            Got::Found(l) => l,
            Got::NotFound => {
                return Err(format!(
                    "{}: 404: no Statuspage API at {base} (is the URL the status page's base URL?)",
                    incidents_url(base)
                ));
            }
        };
        let listed: HashSet<String> = listing.incidents.iter().map(|i| i.id.clone()).collect();
        sink.batch(listing.page, listing.incidents);
        // The home page's published uptime, day by day (a page without one: nothing).
        if let Ok(Got::Found(Some(components))) = client.get(&format!("{base}/"), |b| {
            Ok(crate::ingest::home_page_uptime(&String::from_utf8_lossy(b)))
        }) {
            sink.published(components);
        }
        // 2. The history index; its failure still lets what is known be fetched.
        let (codes, walk_error) = walk_history(client, base, &mut ended);
        // 3. Listed incidents the store lacks in final form, then stored ones still open.
        let held = job.held;
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
            if job.stop.load(Ordering::Relaxed) {
                return Err("stopped: the store could not be written".into());
            }
            let results = fetch_all(client, base, batch);
            let mut incidents = Vec::with_capacity(batch.len());
            for r in results {
                match r {
                    Ok(Got::Found(inc)) => incidents.push(inc),
                    Ok(Got::NotFound) => gone += 1,
                    Err(e) => {
                        ended.failed += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            sink.batch(None, incidents);
        }
        if gone > 0 {
            ended.notes.push(format!(
                "{gone} listed incidents answer 404 (removed from the page): kept as stored"
            ));
        }
        match first_error {
            Some(e) if ended.failed > 0 => {
                Err(format!("{} incidents not fetched: {e}", ended.failed))
            }
            Some(e) => Err(e),
            None => Ok(()),
        }
    })();
    ended.error = result.err();
    ended
}

/// Walks the history index: the codes listed, and the error that ended the walk early.
fn walk_history(client: &Client, base: &str, ended: &mut Ended) -> (Vec<String>, Option<String>) {
    let mut codes = Vec::new();
    let mut empty_run = 0;
    for page in 1..=MAX_HISTORY_PAGES {
        match client.get(&history_url(base, page), history) {
            Err(e) => return (codes, Some(format!("history page {page}: {e}"))),
            Ok(Got::NotFound) if page == 1 => {
                ended.has_history = Some(false);
                ended.notes.push(
                    "no history index (404 for /history.json): synced from incidents.json alone"
                        .into(),
                );
                return (codes, None);
            }
            Ok(Got::NotFound) => break,
            Ok(Got::Found(h)) => {
                ended.has_history = Some(true);
                if h.months == 0 {
                    return (codes, None);
                }
                if h.codes.is_empty() {
                    empty_run += 1;
                    if empty_run >= MAX_EMPTY_PAGES {
                        ended.notes.push(format!(
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
    ended.notes.push(format!(
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
        |(), code| client.get(&incident_url(base, code), |b| single(b).map(|(_, inc)| inc)),
    )
}

/// A vendor's stored incidents as one Statuspage `{page, incidents}` JSON document, the page
/// named after the vendor (the config's name), read exactly as the same document in a file.
pub fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    let page = serde_json::json!({
        "name": v.name,
        "url": v.url,
        "time_zone": v.time_zone,
    });
    let mut json = format!("{{\"page\": {page}, \"incidents\": [\n");
    for (i, raw) in raws.iter().enumerate() {
        if i > 0 {
            json.push_str(",\n");
        }
        json.push_str(raw);
    }
    json.push_str("\n]}\n");
    (json, crate::ingest::Format::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_pages_give_codes_and_months() {
        let page = br#"{"months": [
            {"name": "June", "year": 2024, "incidents": [{"code": "abc", "name": "x"}, {"code": "def"}]},
            {"name": "May", "year": 2024, "incidents": []},
            {"name": "April", "year": 2024, "incidents": [{"code": ""}]}]}"#;
        assert_eq!(
            history(page).unwrap(),
            HistoryPage {
                months: 3,
                codes: vec!["abc".into(), "def".into()]
            }
        );
        assert_eq!(history(br#"{"months": []}"#).unwrap().months, 0);
        let html = history(b"<!DOCTYPE html><html>502 Bad Gateway</html>").unwrap_err();
        assert!(html.contains("an HTML page instead of JSON"), "{html}");
        assert!(
            history(br#"{"months": [{"name": "June""#).is_err(),
            "truncated"
        );
    }

    #[test]
    fn incidents_are_final_once_resolved() {
        let body = br#"{"page": {"name": "Acme Status", "time_zone": "Etc/UTC"}, "incidents": [
            {"id": "a", "status": "monitoring", "created_at": "2024-06-01T10:00:00Z", "updated_at": "u1"},
            {"id": "b", "status": "postmortem", "started_at": "2024-05-01T10:00:00Z"}]}"#;
        let l = listing(body).unwrap();
        let page = l.page.unwrap();
        assert_eq!(page.name.as_deref(), Some("Acme Status"));
        assert_eq!(page.time_zone.as_deref(), Some("Etc/UTC"));
        assert_eq!(l.incidents.len(), 2);
        assert!(!l.incidents[0].final_);
        assert_eq!(
            l.incidents[0].started_at.as_deref(),
            Some("2024-06-01T10:00:00Z")
        );
        assert!(l.incidents[1].final_);
        assert!(
            l.incidents[1].raw.starts_with(r#"{"id": "b""#),
            "kept as received"
        );
        assert!(listing(br#"{"incidents": [{"status": "resolved"}]}"#).is_err());
        let (page, inc) =
            single(br#"{"page": {"name": "P"}, "incident": {"id": "z", "status": "resolved"}}"#)
                .unwrap();
        assert_eq!(page.unwrap().name.as_deref(), Some("P"));
        assert!(inc.final_);
    }

    #[test]
    fn codes_cannot_leave_the_api_path() {
        assert_eq!(
            incident_url("https://s.test", "../../admin?x=1"),
            "https://s.test/api/v2/incidents/adminx1.json"
        );
    }
}
