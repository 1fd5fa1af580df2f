//! Canonical JSON: an array of record objects, one record object, or NDJSON (one object per
//! line). Values become text (numbers as written, arrays of components joined with `;`); each
//! record keeps the line it starts on. A malformed NDJSON line is a rejected row, not a failed
//! file; a `.json` document of any other shape is an error that says what it found and what
//! mttx reads.

use polars::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Format, IngestOptions, RawTable};
use crate::error::{Error, Result};
use crate::model::{Reject, col};

fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(to_text)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

/// The JSON shapes mttx reads, for messages about those it cannot.
const EXPECTED: &str = "expected an array of incident records, one record object, NDJSON (one record per line), Statuspage API JSON ({page, incidents}, {page, incident}, or one incident object), a status feed, or a Google Cloud, AWS Health, Slack or Better Stack history";

/// What a JSON value is, in a few words.
fn found(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "an empty object".into(),
        Value::Object(m) => {
            let keys: Vec<String> = m
                .keys()
                .take(6)
                .map(|k| format!("`{}`", crate::model::shown(k)))
                .collect();
            format!(
                "an object with the keys {}{}",
                keys.join(", "),
                if m.len() > 6 { ", ..." } else { "" }
            )
        }
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::String(_) => "a string".into(),
        Value::Number(_) => "a number".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Null => "null".into(),
    }
}

fn line_of(bytes: &[u8], offset: usize, from: (usize, u64)) -> u64 {
    let (start, line) = from;
    line + bytes[start..offset].iter().filter(|&&b| b == b'\n').count() as u64
}

/// Reads a JSON or NDJSON file: Statuspage API JSON when it has that shape (incidents and their
/// windows), else canonical records.
pub(crate) fn read(
    name: &str,
    bytes: &[u8],
    format: Format,
    opts: &IngestOptions,
) -> Result<Vec<RawTable>> {
    // UTF-16 (AWS writes it with a byte-order mark) is decoded; invalid UTF-8 is left to the
    // canonical reader, which rejects the lines it cannot read.
    let utf16 = bytes.starts_with(b"\xfe\xff") || bytes.starts_with(b"\xff\xfe");
    let text = match super::platforms::decode(name, bytes) {
        Ok(t) => Some(t),
        Err(e) if utf16 => return Err(e),
        Err(_) => None,
    };
    if let Some(text) = text.as_deref() {
        if let Some(tables) = super::platforms::read(name, text, opts)? {
            return Ok(tables);
        }
        if let Some(tables) =
            crate::sources::statuspage::api::read(name, text, opts.default_vendor.as_deref())?
        {
            return Ok(tables);
        }
        if let Some(tables) = super::status_feed::read(name, text, opts)? {
            return Ok(tables);
        }
    }
    let bytes = match text.as_deref() {
        Some(t) if utf16 => t.as_bytes(),
        _ => bytes,
    };
    Ok(vec![read_canonical(name, bytes, format, opts)?])
}

/// A `.json` file that is one document rather than NDJSON: `Some(record)` for one record
/// object, an error naming what was found for any other document, `None` for NDJSON (the
/// first line is a JSON value of its own).
fn single_document(
    name: &str,
    text: &str,
    opts: &IngestOptions,
) -> Result<Option<serde_json::Map<String, Value>>> {
    let whole = serde_json::from_str::<Value>(text);
    let first_line = text.trim_start().lines().next().unwrap_or("");
    let first_alone = serde_json::from_str::<Value>(first_line).is_ok();
    match whole {
        Ok(Value::Object(map)) => {
            // Some canonical column: a record (any other key is a dimension of it).
            let canonical = |k: &String| {
                (opts.columns.target(k)).is_some_and(|t| !t.starts_with(super::columns::DIM))
            };
            if map.keys().any(canonical) {
                Ok(Some(map))
            } else {
                Err(Error::File {
                    source_name: name.to_string(),
                    message: format!(
                        "found {} and no incident column; {EXPECTED}",
                        found(&Value::Object(map))
                    ),
                })
            }
        }
        Ok(other) => Err(Error::File {
            source_name: name.to_string(),
            message: format!("found {}; {EXPECTED}", found(&other)),
        }),
        Err(_) if first_alone => Ok(None),
        Err(e) => Err(Error::Parse {
            source_name: name.to_string(),
            line: e.line() as u64,
            message: format!("malformed JSON document: {e}; {EXPECTED}"),
        }),
    }
}

fn read_canonical(
    name: &str,
    bytes: &[u8],
    format: Format,
    opts: &IngestOptions,
) -> Result<RawTable> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Parse {
        source_name: name.to_string(),
        line: line_of(bytes, e.valid_up_to(), (0, 1)),
        message: "invalid UTF-8".into(),
    })?;
    let first = text.trim_start().chars().next();
    let mut records: Vec<(u64, serde_json::Map<String, Value>)> = Vec::new();
    let mut broken = Vec::new();
    if format == Format::Json && first == Some('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| Error::Parse {
            source_name: name.to_string(),
            line: e.line() as u64,
            message: format!("malformed JSON: {e}"),
        })?;
        let base = text.as_ptr() as usize;
        let mut cursor = (0usize, 1u64);
        for (i, raw) in items.iter().enumerate() {
            let offset = raw.get().as_ptr() as usize - base;
            let line = line_of(bytes, offset, cursor);
            cursor = (offset, line);
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(Value::Object(map)) => records.push((line, map)),
                _ => broken.push(Reject {
                    source: name.to_string(),
                    line,
                    column: String::new(),
                    reason: format!("record {} is not a JSON object", i + 1),
                    raw: raw.get().chars().take(200).collect(),
                }),
            }
        }
    } else if first.is_none() {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "the file is empty".into(),
        });
    } else if format == Format::Json
        && let Some(doc) = single_document(name, text, opts)?
    {
        records.push((1, doc));
    } else {
        for (i, line_text) in text.lines().enumerate() {
            let t = line_text.trim();
            if t.is_empty() {
                continue;
            }
            let line = i as u64 + 1;
            match serde_json::from_str::<Value>(t) {
                Ok(Value::Object(map)) => records.push((line, map)),
                Ok(_) => broken.push(Reject {
                    source: name.to_string(),
                    line,
                    column: String::new(),
                    reason: "not a JSON object".into(),
                    raw: t.chars().take(200).collect(),
                }),
                Err(e) => broken.push(Reject {
                    source: name.to_string(),
                    line,
                    column: String::new(),
                    reason: format!("malformed JSON: {e}"),
                    raw: t.chars().take(200).collect(),
                }),
            }
        }
    }
    // Which canonical columns appear in any record.
    let target = |k: &str| opts.columns.target(k);
    let mut present: Vec<String> = Vec::new();
    for (_, map) in &records {
        for k in map.keys() {
            if let Some(c) = target(k)
                && !present.contains(&c)
            {
                present.push(c);
            }
        }
    }
    present.sort_by_key(|c| {
        col::RECORD
            .iter()
            .position(|r| r == c)
            .unwrap_or(usize::MAX)
    });
    let height = records.len();
    let mut columns = Vec::with_capacity(present.len());
    for c in &present {
        let values: Vec<Option<String>> = records
            .iter()
            .map(|(_, map)| {
                map.iter()
                    .find(|(k, _)| target(k).as_ref() == Some(c))
                    .and_then(|(_, v)| to_text(v))
            })
            .collect();
        columns.push(Column::new(c.as_str().into(), values));
    }
    Ok(RawTable::new(
        name,
        DataFrame::new(height, columns)?,
        records.iter().map(|(l, _)| *l).collect(),
        broken,
    ))
}
