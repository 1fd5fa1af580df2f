//! Canonical CSV: read by polars with every column as text, headers mapped to canonical names,
//! and each row's true line number kept (quoted fields may span lines).

use std::io::Cursor;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use crate::error::{Error, Result};

/// Line (1-based) of a byte offset.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64
}

/// The text of the file: as it is when it is UTF-8, else with each invalid sequence replaced by
/// U+FFFD, and the lines where that happened. Binary data (a NUL byte) is refused.
fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<(std::borrow::Cow<'a, [u8]>, Vec<u64>)> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(Error::Parse {
            source_name: name.to_string(),
            line: line_at(bytes, at),
            message: "binary data (a NUL byte), not a CSV text file".into(),
        });
    }
    let mut bad = Vec::new();
    let mut rest = bytes;
    let mut offset = 0;
    while let Err(e) = std::str::from_utf8(rest) {
        let at = offset + e.valid_up_to();
        let line = line_at(bytes, at);
        if bad.last() != Some(&line) {
            bad.push(line);
        }
        let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        rest = &rest[skip..];
        offset += skip;
    }
    if bad.is_empty() {
        Ok((std::borrow::Cow::Borrowed(bytes), bad))
    } else {
        let text = String::from_utf8_lossy(bytes).into_owned();
        Ok((std::borrow::Cow::Owned(text.into_bytes()), bad))
    }
}

pub(crate) fn read(name: &str, bytes: &[u8], map: &ColumnMap) -> Result<RawTable> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "the file is empty (expected a header line)".into(),
        });
    }
    let mut laps = crate::laps::Laps::nested(2);
    let (bytes, bad_lines) = decode(name, bytes)?;
    laps.lap("decode");
    let bytes: &[u8] = &bytes;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::File {
            source_name: name.to_string(),
            message: format!("not a readable CSV file: {e}"),
        })?;
    laps.lap("polars csv");
    // Line of each row: header is line 1; a row starts after all earlier rows' line breaks.
    // Every row (blank ones too) ends with one line break, the last one maybe without: when the
    // file has no more line breaks than that, no field holds one and row i is on line i + 2.
    let height = df.height();
    let breaks = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let unterminated = u64::from(!bytes.ends_with(b"\n"));
    let lines: Vec<u64> = if breaks + unterminated == height as u64 + 1 {
        (0..height as u64).map(|i| i + 2).collect()
    } else {
        let mut extra = vec![0u64; height];
        for c in df.columns() {
            let ca = c.str()?;
            for (i, v) in ca.iter().enumerate() {
                if let Some(v) = v {
                    extra[i] += memchr::memchr_iter(b'\n', v.as_bytes()).count() as u64;
                }
            }
        }
        let mut lines = Vec::with_capacity(height);
        let mut offset = 0u64;
        for (i, e) in extra.iter().enumerate() {
            lines.push(2 + i as u64 + offset);
            offset += e;
        }
        lines
    };
    // A blank line (or a row of empty fields) is not a record: drop it, keeping the lines of
    // the rows after it. A column without an empty cell settles it for every row.
    let full = df.columns().iter().find(|c| c.null_count() == 0);
    let keep: Vec<bool> = match full.map(|c| c.str()).transpose()? {
        Some(ca) if ca.iter().flatten().all(|v| !v.trim().is_empty()) => vec![true; height],
        _ => {
            let mut keep = vec![false; height];
            for c in df.columns() {
                for (i, v) in c.str()?.iter().enumerate() {
                    keep[i] |= v.is_some_and(|v| !v.trim().is_empty());
                }
            }
            keep
        }
    };
    let (df, lines) = if keep.iter().all(|k| *k) {
        (df, lines)
    } else {
        let lines = lines
            .into_iter()
            .zip(&keep)
            .filter_map(|(l, k)| k.then_some(l))
            .collect();
        (
            df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?,
            lines,
        )
    };
    let height = df.height();
    let mut columns = Vec::new();
    if !bad_lines.is_empty() {
        // Rows holding a replaced byte say so in a warning.
        let notes: Vec<Option<&str>> = (0..height)
            .map(|i| {
                let first = lines[i];
                let last = lines.get(i + 1).map_or(u64::MAX, |next| next - 1);
                bad_lines
                    .iter()
                    .any(|l| (first..=last).contains(l))
                    .then_some("invalid UTF-8 bytes replaced by U+FFFD")
            })
            .collect();
        columns.push(Column::new(super::validate::NOTES.into(), notes));
    }
    for c in df.columns() {
        if let Some(canon) = map.target(c.name()) {
            if columns.iter().any(|k: &Column| k.name() == canon.as_str()) {
                return Err(Error::Parse {
                    source_name: name.to_string(),
                    line: 1,
                    message: format!(
                        "column '{}' appears twice in the header",
                        canon.trim_start_matches('\u{1}')
                    ),
                });
            }
            columns.push(c.clone().with_name(canon.as_str().into()));
        }
    }
    laps.lap("lines, blanks");
    let frame = DataFrame::new(height, columns)?;
    // Only a file with a `'` can hold a quoted formula.
    let frame = if memchr::memchr(b'\'', bytes).is_some() {
        unquote_formulas(frame)?
    } else {
        frame
    };
    laps.lap("unquote");
    Ok(RawTable::new(name, frame, lines, Vec::new()))
}

/// Strips the `'` mttx (or a careful spreadsheet user) put before formula-like text, so a CSV
/// that mttx wrote reads back as the values it came from.
fn unquote_formulas(df: DataFrame) -> Result<DataFrame> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let exprs: Vec<Expr> = names
        .iter()
        .map(|n| {
            let c = col(n.as_str());
            let quoted = ["'=", "'+", "'-", "'@", "'\t", "'\r"]
                .iter()
                .map(|p| c.clone().str().starts_with(lit(*p)))
                .reduce(|a, b| a.or(b))
                .expect("six prefixes");
            when(quoted)
                .then(c.clone().str().strip_prefix(lit("'")))
                .otherwise(c)
                .alias(n.as_str())
        })
        .collect();
    Ok(df.lazy().with_columns(exprs).collect()?)
}
