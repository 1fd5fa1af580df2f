//! The validated frames as the typed tables the metrics read ([`crate::table`]): the incidents
//! in the report's order (by `started_at`, vendor, id), vendor and severity dictionary-encoded,
//! times as integer milliseconds; each impact row naming its incident's row. Each column is
//! taken out of the frame, gathered and dropped in turn, so the frame and the table are never
//! both whole in memory.

use polars::prelude::*;
use rayon::prelude::*;

use crate::error::Result;
use crate::maps::FastMap;
use crate::model::col;
use crate::table::{ImpactTable, IncidentTable, Keys, Millis, TextColumn};

/// The incidents frame (one row per `(vendor, id)`) and the impacts frame (every row's incident
/// among them) as typed tables.
pub(super) fn tables(
    mut incidents: DataFrame,
    impacts: Option<&DataFrame>,
) -> Result<(IncidentTable, ImpactTable)> {
    let vendor: Keys = incidents.column(col::VENDOR)?.str()?.iter().collect();
    let order = report_order(&incidents, &vendor.codes)?;
    let keys = |c: &Column| -> Result<Keys> { Ok(c.str()?.iter().collect::<Keys>().take(&order)) };
    let severity = keys(incidents.column(col::SEVERITY)?)?;
    let dims = (incidents.columns().iter())
        .filter_map(|c| Some((c.name().strip_prefix(super::columns::DIM)?.to_string(), c)))
        .map(|(name, c)| Ok((name, keys(c)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut take = |names: &[&str]| -> PolarsResult<Vec<Column>> {
        names.iter().map(|c| incidents.drop_in_place(c)).collect()
    };
    let (text, times) = (take(&TEXT)?, take(&col::TIMESTAMPS)?);
    drop(incidents);
    // Each column gathered in that order, the columns shared between the cores; a column is
    // dropped as soon as it is gathered.
    let (text, times) = rayon::join(
        || gathered(text, &order, gather_text),
        || gathered(times, &order, gather_millis),
    );
    let mut text = text?.into_iter();
    let mut next = || text.next().unwrap_or_default();
    // In the order of `TEXT`.
    let (id, title, impact, components, window_source, warnings) =
        (next(), next(), next(), next(), next(), next());
    let timestamps: [Millis; 6] = times?.try_into().unwrap_or_default();
    let table = IncidentTable {
        vendor: vendor.take(&order),
        id,
        title,
        severity,
        impact,
        components,
        window_source,
        warnings,
        timestamps,
        dims,
    };
    let impacts = impact_table(impacts, &table)?;
    Ok((table, impacts))
}

/// The text columns of the table besides vendor and severity, in the order [`tables`] takes
/// them.
const TEXT: [&str; 6] = [
    col::ID,
    col::TITLE,
    col::IMPACT,
    col::COMPONENTS,
    col::WINDOW_SOURCE,
    col::WARNINGS,
];

/// The impact rows, each with its incident's row in `table` (a row naming no incident there
/// is left out: ingest attached every row it kept).
fn impact_table(impacts: Option<&DataFrame>, table: &IncidentTable) -> Result<ImpactTable> {
    let mut out = ImpactTable::default();
    let Some(impacts) = impacts else {
        return Ok(out);
    };
    let row_of: FastMap<(&str, &str), u32> = (0..table.len())
        .map(|r| ((table.vendor.text(r), table.id.text(r)), r as u32))
        .collect();
    let text = |c: &str| -> Result<StringChunked> { Ok(impacts.column(c)?.str()?.clone()) };
    let (vendor, id) = (text(col::VENDOR)?, text(col::ID)?);
    let (component, impact) = (text(col::COMPONENT)?, text(col::IMPACT)?);
    let millis = |c: &str| -> Result<Int64Chunked> {
        Ok(impacts.column(c)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (start, end) = (millis(col::START)?, millis(col::END)?);
    for k in 0..impacts.height() {
        let key = (
            vendor.get(k).unwrap_or_default(),
            id.get(k).unwrap_or_default(),
        );
        if let Some(&r) = row_of.get(&key) {
            out.incident.push(r);
            out.component.push(component.get(k));
            out.impact.push(impact.get(k));
            out.start.push(start.get(k));
            out.end.push(end.get(k));
        }
    }
    Ok(out)
}

/// The report's order of the frame's rows: by `started_at`, vendor, id (stable). Exports are
/// mostly in time order already, which the merge sort finds, on integers: the start (a missing
/// one first) and the vendor's code (its rank among the names); ids are compared only within a
/// run of equal pairs.
fn report_order(df: &DataFrame, vendor: &[u32]) -> Result<Vec<usize>> {
    let started: Vec<i64> = df
        .column(col::STARTED_AT)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .map(|t| t.unwrap_or(i64::MIN))
        .collect();
    let key = |r: usize| (started[r], vendor[r]);
    let mut order: Vec<usize> = (0..df.height()).collect();
    order.sort_by_key(|&r| key(r));
    let id = df.column(col::ID)?.str()?;
    let mut i = 0;
    while i < order.len() {
        let run = order[i..]
            .iter()
            .take_while(|&&r| key(r) == key(order[i]))
            .count();
        if run > 1 {
            order[i..i + run].sort_by(|&a, &b| id.get(a).cmp(&id.get(b)));
        }
        i += run;
    }
    Ok(order)
}

/// `f` of each column, the columns shared between the cores.
fn gathered<T: Send>(
    columns: Vec<Column>,
    order: &[usize],
    f: fn(Column, &[usize]) -> Result<T>,
) -> Result<Vec<T>> {
    columns.into_par_iter().map(|c| f(c, order)).collect()
}

/// Text column `c` in `order`, read where it is, chunk by chunk (the chunks' frames were
/// stacked without a copy).
fn gather_text(c: Column, order: &[usize]) -> Result<TextColumn> {
    let ca = c.str()?;
    let arrays: Vec<_> = ca.downcast_iter().collect();
    let bytes = arrays.iter().map(|a| a.total_bytes_len()).sum::<usize>();
    let mut out = TextColumn::with_capacity(ca.len(), bytes);
    in_chunks(&arrays, |a| a.len(), order, |a, i| out.push(a.get(i)));
    Ok(out)
}

/// Timestamp column `c` in `order`, in milliseconds, as [`gather_text`] reads text.
fn gather_millis(c: Column, order: &[usize]) -> Result<Millis> {
    let ms = c.cast(&DataType::Int64)?;
    drop(c);
    let arrays: Vec<_> = ms.i64()?.downcast_iter().collect();
    let mut out = Millis::with_capacity(order.len());
    in_chunks(&arrays, |a| a.len(), order, |a, i| out.push(a.get(i)));
    Ok(out)
}

/// `visit(chunk, index in chunk)` for each row of `order` (indices into the chunks end to end,
/// `len` of each), in that order. Rows mostly follow the chunks, so the chunk of the row before
/// is tried first.
fn in_chunks<A>(
    chunks: &[A],
    len: impl Fn(&A) -> usize,
    order: &[usize],
    mut visit: impl FnMut(&A, usize),
) {
    let mut starts = Vec::with_capacity(chunks.len() + 1);
    starts.push(0);
    for c in chunks {
        starts.push(starts[starts.len() - 1] + len(c));
    }
    let mut k = 0;
    for &i in order {
        if !(starts[k] <= i && i < starts[k + 1]) {
            k = starts.partition_point(|&s| s <= i).saturating_sub(1);
        }
        visit(&chunks[k], i - starts[k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row: vendor, id, severity, `started_at`, `mitigated_at`.
    type Row<'a> = (&'a str, &'a str, Option<&'a str>, i64, Option<i64>);

    /// A canonical frame of `rows`: the other text columns derived from the id, the other times
    /// missing.
    fn frame(rows: &[Row]) -> DataFrame {
        let text = |f: &dyn Fn(usize) -> Option<String>| -> Vec<Option<String>> {
            (0..rows.len()).map(f).collect()
        };
        let mut columns = vec![
            Column::new(col::VENDOR.into(), text(&|i| Some(rows[i].0.into()))),
            Column::new(col::ID.into(), text(&|i| Some(rows[i].1.into()))),
            Column::new(col::SEVERITY.into(), text(&|i| rows[i].2.map(Into::into))),
        ];
        for c in TEXT.iter().skip(1) {
            columns.push(Column::new(
                (*c).into(),
                text(&|i| Some(format!("{c} {}", rows[i].1))),
            ));
        }
        for c in col::TIMESTAMPS {
            let at = |i: usize| match c {
                col::STARTED_AT => Some(rows[i].3),
                col::MITIGATED_AT => rows[i].4,
                _ => None,
            };
            let ms: Vec<Option<i64>> = (0..rows.len()).map(at).collect();
            columns.push(Column::new(c.into(), ms));
        }
        DataFrame::new(rows.len(), columns).unwrap()
    }

    #[test]
    fn a_frame_stacked_from_chunks_gives_what_one_chunk_gives_in_the_report_order() {
        // A large CSV file's chunks are stacked without a copy: every column is then several
        // chunks, read in place. The second chunk holds the earliest incident and one that ties
        // with the first chunk's on time, so the report order goes back and forth.
        let mut stacked = frame(&[
            ("V", "b", Some("sev1"), 200, None),
            ("W", "c", Some("sev2"), 500, Some(530)),
        ]);
        stacked
            .vstack_mut_owned(frame(&[
                ("V", "a", None, 100, None),
                ("W", "a", Some("sev1"), 200, None),
                ("V", "d", Some("sev2"), 900, None),
            ]))
            .unwrap();
        assert!(stacked.column(col::TITLE).unwrap().n_chunks() > 1);
        let mut whole = stacked.clone();
        whole.rechunk_mut();
        assert_eq!(whole.column(col::TITLE).unwrap().n_chunks(), 1);
        let (a, b) = (
            tables(stacked, None).unwrap().0,
            tables(whole, None).unwrap().0,
        );
        assert_eq!(a, b);
        // By start, then vendor, then id, across the chunks.
        let order: Vec<String> = (0..a.len())
            .map(|i| format!("{}/{}", a.vendor.text(i), a.id.text(i)))
            .collect();
        assert_eq!(order, ["V/a", "V/b", "W/a", "W/c", "V/d"]);
        // Each cell follows its incident: W/c's mitigation and title, V/a's missing severity.
        assert_eq!(a.timestamps[4].get(3), Some(530));
        assert_eq!(a.title.get(3), Some("title c"));
        assert_eq!(a.severity.get(0), None);
        assert_eq!(a.severity.values, ["sev1", "sev2"]);
        assert_eq!(a.vendor.codes, [0, 0, 1, 1, 0]);
    }
}
