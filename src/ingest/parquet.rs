//! Canonical Parquet: columns under canonical names; timestamps may be text or typed datetimes
//! (kept typed). The "line" of a row is its 1-based row number. Also the other way, for the
//! generator: canonical CSV text to Parquet with typed UTC timestamps.

use std::io::Cursor;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use crate::error::{Error, Result};

pub(crate) fn read(name: &str, bytes: &[u8], map: &ColumnMap) -> Result<RawTable> {
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::File {
            source_name: name.to_string(),
            message: format!("not a readable Parquet file: {e}"),
        })?;
    let height = df.height();
    let mut columns = Vec::new();
    for c in df.columns() {
        if let Some(canon) = map.target(c.name()) {
            let c = match c.dtype() {
                DataType::Datetime(_, _) | DataType::String => c.clone(),
                _ => c.cast(&DataType::String)?,
            };
            columns.push(c.with_name(canon.as_str().into()));
        }
    }
    Ok(RawTable::new(
        name,
        DataFrame::new(height, columns)?,
        (1..=height as u64).collect(),
        Vec::new(),
    ))
}

/// Canonical CSV text (RFC 3339 UTC timestamps, as the generator writes) as Parquet bytes: text
/// columns, timestamps as `Datetime(ms, UTC)`.
pub(crate) fn from_canonical_csv(text: &str) -> Result<Vec<u8>> {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
        .finish()?;
    let ts: Vec<Expr> = crate::model::col::TIMESTAMPS
        .iter()
        .filter(|c| df.column(c).is_ok())
        .map(|c| {
            col(*c)
                .str()
                .to_datetime(
                    Some(TimeUnit::Milliseconds),
                    Some(TimeZone::UTC),
                    StrptimeOptions {
                        format: Some("%Y-%m-%dT%H:%M:%SZ".into()),
                        strict: true,
                        exact: true,
                        cache: true,
                    },
                    lit("raise"),
                )
                .alias(*c)
        })
        .collect();
    let mut df = df.lazy().with_columns(ts).collect()?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df)?;
    Ok(out)
}
