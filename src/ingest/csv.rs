//! Canonical CSV: read by polars with every column as text, headers mapped to canonical names,
//! and each row's true line number kept (quoted fields may span lines).

use std::io::Cursor;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use crate::error::{Error, Result};

pub(crate) fn read(name: &str, bytes: &[u8], map: &ColumnMap) -> Result<RawTable> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "the file is empty (expected a header line)".into(),
        });
    }
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::File {
            source_name: name.to_string(),
            message: format!("not a readable CSV file: {e}"),
        })?;
    // Line of each row: header is line 1; a row starts after all earlier rows' line breaks.
    let height = df.height();
    let mut extra = vec![0u64; height];
    for c in df.columns() {
        let ca = c.str()?;
        for (i, v) in ca.iter().enumerate() {
            if let Some(v) = v {
                extra[i] += memchr_count(v.as_bytes()) as u64;
            }
        }
    }
    let mut lines = Vec::with_capacity(height);
    let mut offset = 0u64;
    for (i, e) in extra.iter().enumerate() {
        lines.push(2 + i as u64 + offset);
        offset += e;
    }
    // A blank line (or a row of empty fields) is not a record: drop it, keeping the lines of
    // the rows after it.
    let mut keep = vec![false; height];
    for c in df.columns() {
        for (i, v) in c.str()?.iter().enumerate() {
            keep[i] |= v.is_some_and(|v| !v.trim().is_empty());
        }
    }
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
    Ok(RawTable::new(
        name,
        DataFrame::new(height, columns)?,
        lines,
        Vec::new(),
    ))
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}
