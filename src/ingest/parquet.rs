//! Canonical Parquet: columns under canonical names; timestamps may be text or typed datetimes
//! (kept typed). The "line" of a row is its 1-based row number. Also the other way, for the
//! generator: canonical CSV text to Parquet with typed UTC timestamps.

use std::io::Cursor;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use crate::error::{Error, Result};

/// The file as tables of consecutive rows, one per core for a large file (each validated on
/// its own core, [`crate::parallel::each`]), in order.
pub(crate) fn read(name: &str, bytes: &[u8], map: &ColumnMap) -> Result<Vec<RawTable>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    Ok(split(read_whole(name, bytes, map)?, PART_ROWS, cores))
}

/// `whole` cut into `parts` tables of consecutive rows (views of its columns, no copy), or
/// left whole below `part_rows` rows.
fn split(whole: RawTable, part_rows: usize, parts: usize) -> Vec<RawTable> {
    let rows = whole.frame.height();
    if rows < part_rows || parts <= 1 {
        return vec![whole];
    }
    let per = rows.div_ceil(parts);
    (0..parts)
        .map(|k| (k * per, ((k + 1) * per).min(rows)))
        .filter(|(from, to)| from < to)
        .map(|(from, to)| {
            RawTable::new(
                &whole.source,
                whole.frame.slice(from as i64, to - from),
                whole.lines[from..to].to_vec(),
                Vec::new(),
            )
        })
        .collect()
}

/// Rows from which a file is validated in parts.
const PART_ROWS: usize = 1 << 16;

fn read_whole(name: &str, bytes: &[u8], map: &ColumnMap) -> Result<RawTable> {
    // The Parquet reader may panic on a malformed file rather than answer an error: that is
    // contained here and said as the file's error, never a crash.
    let read = std::panic::catch_unwind(|| ParquetReader::new(Cursor::new(bytes)).finish());
    let df = match read {
        Ok(r) => r.map_err(|e| Error::File {
            source_name: name.to_string(),
            message: format!("not a readable Parquet file: {e}"),
        })?,
        Err(_) => {
            return Err(Error::File {
                source_name: name.to_string(),
                message: "not a readable Parquet file (the Parquet reader failed on it)".into(),
            });
        }
    };
    let height = df.height();
    let mut columns = Vec::new();
    for c in df.columns() {
        if let Some(canon) = map.target(c.name())
            && !columns.iter().any(|k: &Column| k.name() == canon.as_str())
        {
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
    // mttx's own CSV reader types a timestamp column whose every value is canonical.
    let name = "canonical CSV";
    let (header, used, line) = super::csv_fields::header(name, text, |h| Some(h.to_string()))?;
    let rows = super::csv_fields::rows(name, &text[used..], line, &header)?;
    let mut df = DataFrame::new(rows.lines.len(), rows.columns)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestOptions;
    use crate::ingest::validate::validate;

    #[test]
    fn a_file_validated_in_parts_gives_what_it_gives_whole() {
        // Seven rows, the third and the sixth rejected (an unknown level, a missing start).
        let csv = "id,vendor,impact,started_at,resolved_at\n\
                   a,V,,2024-06-01T00:00:00Z,2024-06-01T01:00:00Z\n\
                   b,V,partial_outage,2024-06-02T00:00:00Z,\n\
                   c,V,meltdown,2024-06-03T00:00:00Z,\n\
                   d,W,,2024-06-04T00:00:00Z,2024-06-04T00:30:00Z\n\
                   e,W,,2024-06-05T00:00:00Z,\n\
                   f,W,,,2024-06-06T00:00:00Z\n\
                   g,W,,2024-06-07T00:00:00Z,2024-06-07T02:00:00Z\n";
        let bytes = from_canonical_csv(csv).unwrap();
        let map = ColumnMap::default();
        let opts = IngestOptions::default();
        let checked = |tables: Vec<RawTable>| {
            let mut frame: Option<DataFrame> = None;
            let mut rejected = Vec::new();
            for t in tables {
                let c = validate(t, &opts).unwrap();
                rejected.extend(c.rejects.iter().map(|r| (r.line, r.column.clone())));
                match &mut frame {
                    Some(f) => {
                        f.vstack_mut_owned(c.frame).unwrap();
                    }
                    None => frame = Some(c.frame),
                }
            }
            (frame.unwrap(), rejected)
        };
        let whole = read_whole("p.parquet", &bytes, &map).unwrap();
        assert_eq!(
            split(whole, PART_ROWS, 4).len(),
            1,
            "a small file stays whole"
        );
        let (one, one_rejects) = checked(vec![read_whole("p.parquet", &bytes, &map).unwrap()]);
        let parts = split(read_whole("p.parquet", &bytes, &map).unwrap(), 2, 3);
        assert_eq!(
            parts.iter().map(|t| t.lines.clone()).collect::<Vec<_>>(),
            [vec![1, 2, 3], vec![4, 5, 6], vec![7]]
        );
        let (many, many_rejects) = checked(parts);
        assert_eq!(one_rejects.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 6]);
        assert_eq!(many_rejects, one_rejects);
        assert!(many.equals_missing(&one), "{many}\n{one}");
    }
}
