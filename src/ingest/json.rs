//! Canonical JSON: an array of record objects, one record object, or NDJSON (one object per
//! line). Values become text (numbers as written, arrays of components joined with `;`); each
//! record keeps the line it starts on. A malformed NDJSON line is a rejected row, not a failed
//! file; a `.json` document of any other shape is an error that says what it found and what
//! mttx reads.

use std::borrow::Cow;

use polars::prelude::*;
use serde_json::Value;

use super::json_items::{Cell, Item, Pairs, Text};
use super::{Format, IngestOptions, RawTable, csv_fields};
use crate::error::{Error, Result};
use crate::model::{Reject, col};

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
    if first.is_none() {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "the file is empty".into(),
        });
    }
    let mut table = Columns::new(opts);
    let mut broken = Vec::new();
    let array = format == Format::Json && first == Some('[');
    if !array
        && format == Format::Json
        && let Some(doc) = single_document(name, text, opts)?
    {
        let pairs = doc.into_iter().map(|(k, v)| (Cow::Owned(k), Text::from(v)));
        table.push(1, pairs.collect());
    } else {
        // Parsing on one thread, the columns built on another: the two overlap, in batches.
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Read>>(4);
            let parser = s.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let mut emit = |r| {
                    batch.push(r);
                    if batch.len() == BATCH {
                        // A closed channel: the builder stopped; the parser stops soon too.
                        let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                    }
                };
                let done = if array {
                    array_items(name, text, &mut emit)
                } else {
                    ndjson_items(name, text, &mut emit);
                    Ok(())
                };
                let _ = tx.send(batch);
                done
            });
            for r in rx.iter().flatten() {
                match r {
                    Read::Record(line, pairs) => table.push(line, pairs),
                    Read::Broken(reject) => broken.push(reject),
                }
            }
            parser
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })?;
    }
    let (frame, lines) = table.finish()?;
    Ok(RawTable::new(name, frame, lines, broken))
}

/// Records handed from the parser to the columns' builder at a time.
const BATCH: usize = 4096;

/// What the parser makes of one item or line: a record on its line, or a rejected row.
enum Read<'a> {
    Record(u64, Pairs<'a>),
    Broken(Reject),
}

/// A rejected item of `name` on `line` (its text cut to 200 characters).
fn rejected<'a>(name: &str, line: u64, reason: String, raw: &str) -> Read<'a> {
    Read::Broken(Reject {
        source: name.to_string(),
        line,
        column: String::new(),
        reason,
        raw: raw.chars().take(200).collect(),
    })
}

/// Every line of the NDJSON `text`, in order: a record, or a rejected line (malformed JSON, not
/// an object). Blank lines are skipped.
fn ndjson_items<'a>(name: &str, text: &'a str, emit: &mut dyn FnMut(Read<'a>)) {
    for (i, line_text) in text.lines().enumerate() {
        let t = line_text.trim();
        if t.is_empty() {
            continue;
        }
        let line = i as u64 + 1;
        emit(match serde_json::from_str::<Item>(t) {
            Ok(Item::Record(pairs)) => Read::Record(line, pairs),
            Ok(Item::Other) => rejected(name, line, "not a JSON object".into(), t),
            Err(e) => rejected(name, line, format!("malformed JSON: {e}"), t),
        });
    }
}

/// Every item of the JSON array that is `text`, one at a time, in order: a record, or a
/// rejected item (not an object). Anything that is not one well-formed array is the error serde_json
/// gives for the whole text (so the message and its line are those of one parse).
fn array_items<'a>(name: &str, text: &'a str, emit: &mut dyn FnMut(Read<'a>)) -> Result<()> {
    let b = text.as_bytes();
    let skip = |mut at: usize| {
        while at < b.len() && matches!(b[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        at
    };
    let malformed = || {
        let e = serde_json::from_str::<Vec<serde::de::IgnoredAny>>(text).err();
        Error::Parse {
            source_name: name.to_string(),
            line: e.as_ref().map_or(1, |e| e.line() as u64),
            message: match e {
                Some(e) => format!("malformed JSON: {e}"),
                None => "malformed JSON".into(),
            },
        }
    };
    // After `[`: `]`, or items separated by commas and then `]`; then only whitespace.
    let mut at = skip(skip(0) + 1);
    let mut cursor = (0usize, 1u64);
    let mut i = 0;
    if b.get(at) != Some(&b']') {
        loop {
            let mut stream = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Item>();
            let Some(Ok(item)) = stream.next() else {
                return Err(malformed());
            };
            let end = at + stream.byte_offset();
            let line = line_of(b, at, cursor);
            cursor = (at, line);
            emit(match item {
                Item::Record(pairs) => Read::Record(line, pairs),
                Item::Other => {
                    let reason = format!("record {} is not a JSON object", i + 1);
                    rejected(name, line, reason, &text[at..end])
                }
            });
            i += 1;
            at = skip(end);
            match b.get(at) {
                Some(b',') => at = skip(at + 1),
                Some(b']') => break,
                _ => return Err(malformed()),
            }
        }
    }
    if skip(at + 1) != b.len() {
        return Err(malformed());
    }
    Ok(())
}

/// Text columns built a record at a time: each key of a record goes to the column its header
/// maps to (looked up once per distinct key), the first key of a column in a record giving its
/// value (a key given twice: its last value). Values become text as [`Text::into_text`] makes them. A
/// timestamp column is typed as it is built while every value is written canonically, as a
/// CSV's is ([`csv_fields::Millis`]).
struct Columns<'o, 'a> {
    opts: &'o IngestOptions,
    /// Each key seen, and the column it goes to (`None`: not read).
    slot_of: std::collections::HashMap<String, Option<usize>>,
    names: Vec<String>,
    builders: Vec<StringChunkedBuilder>,
    /// Per column: its instants, while it is a timestamp column written canonically.
    instants: Vec<Option<csv_fields::Millis>>,
    lines: Vec<u64>,
    /// The record being placed: per column, the key that gave its value and the value.
    cells: Vec<Option<Cell<'a>>>,
}

impl<'o, 'a> Columns<'o, 'a> {
    fn new(opts: &'o IngestOptions) -> Columns<'o, 'a> {
        Columns {
            opts,
            slot_of: Default::default(),
            names: Vec::new(),
            builders: Vec::new(),
            instants: Vec::new(),
            lines: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// The column of `key`, made (with a null for every record before) when it is new.
    fn slot(&mut self, key: &str) -> Option<usize> {
        if let Some(&s) = self.slot_of.get(key) {
            return s;
        }
        let slot = self.opts.columns.target(key).map(|c| {
            self.names.iter().position(|n| *n == c).unwrap_or_else(|| {
                let rows = self.lines.len();
                let mut b = StringChunkedBuilder::new(c.as_str().into(), rows);
                let mut ms =
                    csv_fields::is_time(&c).then(|| csv_fields::Millis::with_capacity(rows));
                for _ in 0..rows {
                    b.append_null();
                    if let Some(ms) = &mut ms {
                        ms.push(None);
                    }
                }
                self.instants.push(ms);
                self.names.push(c);
                self.builders.push(b);
                self.cells.push(None);
                self.names.len() - 1
            })
        });
        self.slot_of.insert(key.to_string(), slot);
        slot
    }

    fn push(&mut self, line: u64, pairs: Pairs<'a>) {
        for (key, value) in pairs {
            let Some(s) = self.slot(&key) else { continue };
            match &mut self.cells[s] {
                Some((k, v)) if *k == key => *v = value.into_text(),
                Some(_) => {}
                empty => *empty = Some((key, value.into_text())),
            }
        }
        let columns = self.builders.iter_mut().zip(&mut self.instants);
        for ((b, ms), cell) in columns.zip(&mut self.cells) {
            let value = cell.take().and_then(|(_, v)| v);
            if let Some(m) = ms {
                match value.as_deref() {
                    None | Some("") => m.push(None),
                    Some(v) => match crate::time::parse_canonical_utc(v.as_bytes()) {
                        Some(t) => m.push(Some(t)),
                        None => *ms = None,
                    },
                }
            }
            match value {
                Some(v) => b.append_value(&v),
                None => b.append_null(),
            }
        }
        self.lines.push(line);
    }

    /// The frame (columns in the canonical order, dimensions after in the order first seen)
    /// and each row's line.
    fn finish(self) -> Result<(DataFrame, Vec<u64>)> {
        let height = self.lines.len();
        let rank = |c: &str| {
            col::RECORD
                .iter()
                .position(|r| *r == c)
                .unwrap_or(usize::MAX)
        };
        let mut columns = Vec::with_capacity(self.names.len());
        let built = self.builders.into_iter().zip(self.instants);
        for (n, (b, ms)) in self.names.iter().zip(built) {
            let column = match ms {
                Some(ms) => (ms.into_chunked(n).into_series())
                    .cast(&super::columns::ts_dtype())?
                    .into_column(),
                None => b.finish().into_column(),
            };
            columns.push((rank(n), column));
        }
        columns.sort_by_key(|(r, _)| *r);
        let columns = columns.into_iter().map(|(_, c)| c).collect();
        Ok((DataFrame::new(height, columns)?, self.lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column's name and its values as text.
    type Named = (String, Vec<Option<String>>);

    /// The table of `text` read as `format`: each column's values as text, and the rejects.
    fn read_as(text: &str, format: Format) -> (Vec<Named>, Vec<String>) {
        let t = read_canonical(
            "in.json",
            text.as_bytes(),
            format,
            &IngestOptions::default(),
        );
        let t = t.unwrap();
        let columns = (t.frame.get_column_names().into_iter())
            .map(|n| {
                let c = t.frame.column(n).unwrap().cast(&DataType::String).unwrap();
                let values = c.str().unwrap().iter().map(|v| v.map(String::from));
                (c.name().to_string(), values.collect())
            })
            .collect();
        let rejects = t.broken.iter().map(|r| format!("{}: {}", r.line, r.reason));
        (columns, rejects.collect())
    }

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn records_are_read_one_at_a_time_as_a_whole_parse_would_read_them() {
        // A key given twice keeps its last value; of two keys for one column the first wins;
        // numbers, booleans, arrays and objects become text; escapes are read; a dimension
        // seen late is null before; a non-object item is a rejected row on its line.
        let text = r#"[
 {"id": "a", "vendor": "V", "id": "a2", "STARTED_AT": "x", "started_at": "y",
  "components": ["API", "DB"], "severity": 2, "title": "t\u00e9\"q"},
 7,
 {"id": "b", "vendor": "V", "started_at": null, "team": {"k": true}, "impact": false}
]"#;
        let (columns, rejects) = read_as(text, Format::Json);
        let get = |n: &str| columns.iter().find(|(c, _)| c == n).unwrap().1.clone();
        assert_eq!(get("id"), some(&["a2", "b"]));
        assert_eq!(get("started_at"), vec![Some("x".into()), None]);
        assert_eq!(get("components"), vec![Some("API;DB".into()), None]);
        assert_eq!(get("severity"), vec![Some("2".into()), None]);
        assert_eq!(get("title"), vec![Some("té\"q".into()), None]);
        assert_eq!(get("impact"), vec![None, Some("false".into())]);
        let team = columns.iter().find(|(c, _)| c.ends_with("team")).unwrap();
        assert_eq!(team.1, vec![None, Some(r#"{"k":true}"#.into())]);
        assert_eq!(rejects, ["4: record 2 is not a JSON object"]);
        // Canonical columns first, in the contract's order; the dimension after.
        let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names.last().unwrap(), &team.0.as_str());
        assert_eq!(names[..2], ["vendor", "id"]);
    }

    #[test]
    fn canonical_timestamps_are_typed_as_read_and_others_stay_text() {
        let ndjson = "{\"id\":\"a\",\"started_at\":\"2024-06-03T10:00:00Z\",\"resolved_at\":\"2024-06-03T10:00:00Z\"}\n\n\
                      {\"id\":\"b\",\"started_at\":\"\",\"resolved_at\":\"3 June\"}\n{bad\n";
        let t = read_canonical(
            "in.ndjson",
            ndjson.as_bytes(),
            Format::Ndjson,
            &Default::default(),
        );
        let t = t.unwrap();
        let dtype = |n: &str| t.frame.column(n).unwrap().dtype().clone();
        assert_eq!(dtype("started_at"), super::super::columns::ts_dtype());
        assert_eq!(dtype("resolved_at"), DataType::String);
        assert_eq!(t.lines, [1, 3]);
        assert_eq!(t.broken.len(), 1);
        assert_eq!(t.broken[0].line, 4);
        assert!(
            t.broken[0]
                .reason
                .starts_with("malformed JSON: key must be a string")
        );
    }

    #[test]
    fn a_malformed_array_is_the_error_of_one_whole_parse() {
        for (text, expected) in [
            (
                "[{\"id\": 1},\n{\"id\": 2}\n",
                "in.json:3: malformed JSON: EOF while parsing",
            ),
            (
                "[{\"id\": 1},\n,]",
                "in.json:2: malformed JSON: expected value",
            ),
            (
                "[{\"id\": 1}] x",
                "in.json:1: malformed JSON: trailing characters",
            ),
            (
                "[{\"id\": 1},]",
                "in.json:1: malformed JSON: trailing comma",
            ),
        ] {
            let err = read_canonical(
                "in.json",
                text.as_bytes(),
                Format::Json,
                &Default::default(),
            );
            let err = err.err().unwrap().to_string();
            assert!(err.starts_with(expected), "{text:?}: {err}");
        }
        let (columns, rejects) = read_as("[ ]", Format::Json);
        assert!(columns.is_empty() && rejects.is_empty());
    }
}
