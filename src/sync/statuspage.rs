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

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::store::{NewIncident, PageInfo};

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
