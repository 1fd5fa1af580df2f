//! Status feeds as the github-statuses project records a status page (one JSON object per
//! line: `id`, `title`, `impact`, `components` by name, `updates: [{at, status, message}]`):
//! each record is a report page in JSON, read by the page rules (phases from the labels, stated
//! windows from the retrospective messages, the incident window otherwise) at the level of its
//! `impact`. The feed names no vendor: give `--vendor`.

use serde::Deserialize;
use serde_json::Value;

use super::statuspage_page::{Entry, Page, tables};
use super::{IngestOptions, RawTable};
use crate::error::Result;
use crate::model::IMPACT_NONE;
use crate::sources::statuspage::api::level_of_impact;
use crate::time::parse_timestamp;

#[derive(Deserialize)]
struct Incident {
    id: Option<Value>,
    title: Option<String>,
    impact: Option<String>,
    components: Option<Vec<String>>,
    updates: Option<Vec<Update>>,
}

#[derive(Deserialize)]
struct Update {
    at: Option<String>,
    status: Option<String>,
    message: Option<String>,
}

/// Whether a JSON object is a feed record: `updates` with `at` times, and a `url`.
fn is_feed(first: &serde_json::Map<String, Value>) -> bool {
    first.contains_key("url")
        && first
            .get("updates")
            .and_then(Value::as_array)
            .is_some_and(|u| u.first().is_none_or(|u| u.get("at").is_some()))
}

fn page_of(
    inc: &Incident,
    line: u64,
    opts: &IngestOptions,
) -> std::result::Result<Page, (u64, String)> {
    let mut updates = Vec::new();
    for u in inc.updates.iter().flatten() {
        let at = u.at.as_deref().unwrap_or_default();
        let ms = parse_timestamp(at, &chrono_tz::Tz::UTC)
            .map_err(|reason| (line, format!("update time '{at}': {reason}")))?;
        updates.push((u.status.clone(), ms, u.message.clone().unwrap_or_default()));
    }
    let impact = inc.impact.as_deref().unwrap_or_default();
    Ok(Page::from_updates(
        inc.title.clone(),
        impact == "maintenance",
        updates,
        inc.components.clone().unwrap_or_default(),
        opts,
    ))
}

/// Reads a feed if `text` is one (NDJSON of feed records): `Some([incidents, windows])`.
pub(crate) fn read(name: &str, text: &str, opts: &IngestOptions) -> Result<Option<Vec<RawTable>>> {
    let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Ok(None);
    };
    match serde_json::from_str::<serde_json::Map<String, Value>>(first) {
        Ok(m) if is_feed(&m) => {}
        _ => return Ok(None),
    }
    let mut entries = Vec::new();
    let mut severity = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        let line = i as u64 + 1;
        let (id, page, impact, sev) = match serde_json::from_str::<Incident>(l) {
            Ok(inc) => {
                let id = match &inc.id {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => String::new(),
                };
                let sev = inc.impact.clone().map(|s| s.trim().to_ascii_lowercase());
                let impact = sev
                    .as_deref()
                    .map(|s| level_of_impact(s).map_or(IMPACT_NONE, |l| l.as_str()));
                (id, page_of(&inc, line, opts), impact, sev)
            }
            Err(e) => (
                String::new(),
                Err((line, format!("malformed JSON: {e}"))),
                None,
                None,
            ),
        };
        entries.push(Entry {
            line,
            id,
            page,
            impact,
        });
        severity.push(sev);
    }
    Ok(Some(tables(name, entries, Some(severity), opts)?))
}
