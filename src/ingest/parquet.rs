//! Canonical Parquet: columns under canonical names; timestamps may be text or typed datetimes
//! (kept typed). The "line" of a row is its 1-based row number.

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
