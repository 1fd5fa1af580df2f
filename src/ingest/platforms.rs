//! Status platforms other than Statuspage (contract section 4, "Other status platforms"), each
//! detected by its content: Google Cloud's `incidents.json`, AWS Health events
//! (`currentevents.json`, also `{"current": [...]}`) and AWS's legacy `data.json`, Slack's
//! `api/v2.0.0/history` and Better Stack's `index.json`, each read by its platform's module in
//! `crate::sources` into incidents (and, where the format gives them, precise impact windows)
//! in the same tables the Statuspage readers make.
//! Files that only hold what is active now (Instatus summaries) and Checkly's incidents file
//! (shaped like Statuspage's, but not it) are refused by name rather than misread: they add no
//! row and the run's notes say why.

use serde_json::{Map, Value};

use super::platform_rows::Lines;
use super::{DerivedIncident, IngestOptions, RawTable, TextTable};
use crate::error::{Error, Result};

/// The text of a `.json` file in UTF-8 (with or without a BOM) or UTF-16 with a BOM (AWS).
pub(crate) fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>> {
    let utf16 = |units: Vec<u16>| {
        String::from_utf16(&units).map_err(|_| Error::File {
            source_name: name.to_string(),
            message: "not valid UTF-16 text (it starts with a UTF-16 byte-order mark)".into(),
        })
    };
    let pairs = |b: &[u8], be: bool| -> Vec<u16> {
        b.chunks_exact(2)
            .map(|p| {
                if be {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return Ok(utf16(pairs(rest, true))?.into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return Ok(utf16(pairs(rest, false))?.into());
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.into()),
        Err(e) => Err(Error::Parse {
            source_name: name.to_string(),
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64,
            message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        }),
    }
}

/// An Atom feed of incidents (a Statuspage `history.atom`), read by the Atom platform's module.
pub(crate) fn read_atom(name: &str, text: &str, opts: &IngestOptions) -> Result<Vec<RawTable>> {
    crate::sources::atom::read::read(name, text, opts)
}

/// Reads `text` when it is one of the platforms' documents; `None` for any other JSON.
pub(crate) fn read(name: &str, text: &str, opts: &IngestOptions) -> Result<Option<Vec<RawTable>>> {
    let t = text.trim_start();
    if !(t.starts_with('[') || t.starts_with('{')) {
        return Ok(None);
    }
    // An array is a platform's only if its first item says so: canonical records (the large
    // files) are not parsed whole here.
    let platform_item = |m: &Map<String, Value>| {
        has_all(m, &["begin", "external_desc"])
            || has_all(m, &["notes", "services", "date_created"])
            || has_all(m, &["arn", "event_log"])
    };
    if t.starts_with('[')
        && !super::platform_rows::first_item(t)
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(platform_item)
    {
        return Ok(None);
    }
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return Ok(None);
    };
    let lines = Lines::new(text);
    match &doc {
        Value::Array(items) => read_array(name, &doc, items, &lines),
        Value::Object(m) => read_object(name, &doc, m, &lines, opts),
        _ => Ok(None),
    }
}

/// Refused: no row, and the run says why (a folder of vendor files still reports the rest).
fn refuse(name: &str, what: &str) -> Result<Option<Vec<RawTable>>> {
    let empty = TextTable::<DerivedIncident>::new().into_raw(name)?;
    Ok(Some(vec![RawTable {
        note: Some(format!("{name}: not read: {what}")),
        ..empty
    }]))
}

/// The first item of an array, when it is an object.
fn first(v: &Value) -> Option<Map<String, Value>> {
    v.as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_object)
        .cloned()
}

/// A platform's array of items, told by its first item's keys.
fn read_array(
    name: &str,
    doc: &Value,
    items: &[Value],
    lines: &Lines,
) -> Result<Option<Vec<RawTable>>> {
    match first(doc) {
        Some(m) if has_all(&m, &["begin", "external_desc"]) => {
            crate::sources::google_cloud::read(name, items, lines, None)
        }
        Some(m) if has_all(&m, &["notes", "services", "date_created"]) => {
            crate::sources::slack::read(name, items, lines, None)
        }
        Some(m) if has_all(&m, &["arn", "event_log"]) => {
            crate::sources::aws::read(name, items, lines, None)
        }
        _ => Ok(None),
    }
}

/// A platform's document that is an object: a synced vendor's items, AWS's current and
/// archived events, a Better Stack page; two formats refused by name.
fn read_object(
    name: &str,
    doc: &Value,
    m: &Map<String, Value>,
    lines: &Lines,
    opts: &IngestOptions,
) -> Result<Option<Vec<RawTable>>> {
    // A synced vendor's document (`mttx sync`): the platform's items under its name.
    if let (Some(vendor), Some(platform), Some(items)) = (
        m.get("mttx_vendor").and_then(Value::as_str),
        m.get("mttx_platform").and_then(Value::as_str),
        m.get("items").and_then(Value::as_array),
    ) {
        return match platform {
            "google-cloud" => crate::sources::google_cloud::read(name, items, lines, Some(vendor)),
            "slack" => crate::sources::slack::read(name, items, lines, Some(vendor)),
            "aws" => crate::sources::aws::read(name, items, lines, Some(vendor)),
            other => refuse(
                name,
                &format!("a synced document of platform '{other}', which this mttx does not read"),
            ),
        };
    }
    if let Some(items) = m.get("current").and_then(Value::as_array)
        && first(&m["current"]).is_some_and(|e| has_all(&e, &["arn", "event_log"]))
    {
        return crate::sources::aws::read(name, items, lines, None);
    }
    if has_all(m, &["archive", "current"]) {
        return crate::sources::aws::read_legacy(name, m, lines, opts).map(Some);
    }
    if m.get("data")
        .and_then(|d| d.get("type"))
        .and_then(Value::as_str)
        == Some("status_page")
    {
        return crate::sources::betterstack::read(name, doc, lines);
    }
    if first(m.get("incidents").unwrap_or(&Value::Null))
        .is_some_and(|i| i.contains_key("incidentUpdates"))
    {
        return refuse(
            name,
            "a Checkly status page's incidents file, not Statuspage's format (mttx reads Statuspage, Google Cloud, AWS Health, Slack and Better Stack histories)",
        );
    }
    if m.contains_key("activeIncidents") {
        return refuse(
            name,
            "an Instatus summary: it holds only the incidents active now, not a history (keep a history with `mttx sync`, or export the page's incidents)",
        );
    }
    Ok(None)
}

/// Whether `m` has every one of `keys`.
fn has_all(m: &Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().all(|k| m.contains_key(*k))
}
