//! The incident table: the accepted incidents taken out of the frame column by column, in the
//! report's order (by `started_at`, vendor, id), with their durations in milliseconds and
//! whether each started in the report window. What `incidents.csv` is written from and what the
//! time-to-x figures read.

use polars::prelude::*;

use super::explode::dense_ids;
use crate::error::Result;
use crate::model::{Anchor, IncidentRow, Incidents, Metric, Millis, TextColumn, col};
use crate::period::Period;

/// `incidents.csv` rows: every accepted incident, by `started_at`, vendor, id; `in_window`
/// against `period` (every row, without one).
pub fn incident_rows(
    incidents: &DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
) -> Result<Vec<IncidentRow>> {
    Ok(incident_table(incidents, anchor, period)?.rows().collect())
}

/// [`incident_rows`] as columns: what `incidents.csv` is written from.
pub fn incident_table(
    incidents: &DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
) -> Result<Incidents> {
    Ok(incident_table_ordered(incidents.clone(), anchor, period, None)?.0)
}

/// [`incident_table`] from the frame itself, and the input row of each of its rows. Each
/// column is taken out of the frame, gathered and dropped in turn, so the frame and the table
/// are never both whole in memory. `vendor_rank`: each row's vendor's rank among the vendor
/// names ([`super::explode::Exploded::vendor_of`]), worked out here when not given.
pub(super) fn incident_table_ordered(
    mut df: DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
    vendor_rank: Option<&[u32]>,
) -> Result<(Incidents, Vec<u32>)> {
    let order = report_order(&df, vendor_rank)?;
    // Each column gathered in that order, the columns shared between the cores; a column is
    // dropped as soon as it is gathered.
    let slots: Vec<std::sync::Mutex<Option<Column>>> = TEXT
        .iter()
        .chain(col::TIMESTAMPS.iter())
        .map(|c| Ok(std::sync::Mutex::new(Some(df.drop_in_place(c)?))))
        .collect::<Result<_>>()?;
    drop(df);
    let mut gathered = crate::parallel::map(&slots, |slot| {
        let c = slot.lock().ok().and_then(|mut c| c.take());
        c.map(|c| gather(c, &order)).transpose()
    })
    .into_iter();
    let mut text = || match gathered.next() {
        Some(Ok(Some(Gathered::Text(t)))) => Ok(t),
        Some(Err(e)) => Err(e),
        _ => Ok(TextColumn::default()),
    };
    // In the order of `TEXT`, then the timestamps.
    let (vendor, id, title, severity, impact, components, window_source, warnings) = (
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
    );
    let mut timestamps: [Millis; 6] = Default::default();
    for ts in &mut timestamps {
        *ts = match gathered.next() {
            Some(Ok(Some(Gathered::Millis(v)))) => v,
            Some(Err(e)) => return Err(e),
            _ => (0..order.len()).map(|_| None).collect(),
        };
    }
    let in_window = timestamps[0]
        .iter()
        .map(|t| period.is_none_or(|p| t.is_some_and(|t| p.contains(t))))
        .collect();
    let table = Incidents {
        vendor,
        id,
        title,
        severity,
        impact,
        components,
        window_source,
        warnings,
        durations_ms: durations(&timestamps, anchor),
        timestamps,
        in_window,
    };
    Ok((table, order.into_iter().map(|i| i as u32).collect()))
}

/// The text columns of the table, in the order [`incident_table_ordered`] takes them.
const TEXT: [&str; 8] = [
    col::VENDOR,
    col::ID,
    col::TITLE,
    col::SEVERITY,
    col::IMPACT,
    col::COMPONENTS,
    col::WINDOW_SOURCE,
    col::WARNINGS,
];

/// The report's order of the frame's rows: by `started_at`, vendor, id (stable). Exports are
/// mostly in time order already, which the merge sort finds, on integers: the start (a missing
/// one first) and the vendor's rank among the names; ids are compared only within a run of
/// equal pairs.
fn report_order(df: &DataFrame, vendor_rank: Option<&[u32]>) -> Result<Vec<usize>> {
    let started: Vec<i64> = df
        .column(col::STARTED_AT)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .map(|t| t.unwrap_or(i64::MIN))
        .collect();
    let ranks;
    let vendor_rank = match vendor_rank {
        Some(r) => r,
        None => {
            ranks = dense_ids(df.column(col::VENDOR)?.str()?.iter()).0;
            &ranks
        }
    };
    let key = |r: usize| (started[r], vendor_rank[r]);
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

/// A column of the table.
enum Gathered {
    Text(TextColumn),
    Millis(Millis),
}

/// Column `c` in `order`, read where it is, chunk by chunk (the chunks' frames were stacked
/// without a copy).
fn gather(c: Column, order: &[usize]) -> Result<Gathered> {
    if let Ok(ca) = c.str() {
        let bytes = ca
            .downcast_iter()
            .map(|a| a.total_bytes_len())
            .sum::<usize>();
        let mut out = TextColumn::with_capacity(ca.len(), bytes);
        let arrays: Vec<_> = ca.downcast_iter().collect();
        in_chunks(&arrays, |a| a.len(), order, |a, i| out.push(a.get(i)));
        return Ok(Gathered::Text(out));
    }
    let ms = c.cast(&DataType::Int64)?;
    drop(c);
    let ca = ms.i64()?;
    let arrays: Vec<_> = ca.downcast_iter().collect();
    let mut out = Millis::with_capacity(order.len());
    in_chunks(&arrays, |a| a.len(), order, |a, i| out.push(a.get(i)));
    Ok(Gathered::Millis(out))
}

/// The five durations in integer milliseconds (the minutes of the time-to-x figures are these
/// over 60,000), negative ones missing: each metric's phase minus its anchor.
fn durations(timestamps: &[Millis; 6], anchor: Anchor) -> [Millis; 5] {
    let at = |c: &str| col::TIMESTAMPS.iter().position(|t| *t == c).unwrap_or(0);
    std::array::from_fn(|k| {
        let m = Metric::ALL[k];
        let (to, from) = (
            &timestamps[at(m.phase_column())],
            &timestamps[at(m.anchor_column(anchor))],
        );
        to.iter()
            .zip(from.iter())
            .map(|(t, f)| Some(t? - f?).filter(|d| *d >= 0))
            .collect()
    })
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
