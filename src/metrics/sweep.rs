//! The interval sweep (contract section 3): for each key (a component, or a vendor over all its
//! components) the heaviest weight at every instant, integrated into downtime, and the union of
//! non-maintenance windows (outage), both split over spans (the report's months, or its days).
//! Each weighted minute is also attributed to the heaviest level open at that instant. Time
//! outside every span is not counted. One sort of all events by `(key, time)`, then one pass
//! over the column slices.

use polars::prelude::*;

use crate::model::{Level, Weights};

/// A span of time counted into one cell (a month, a day; or the business hours of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub cell: usize,
}

/// Downtime (weighted) and outage (unweighted) milliseconds per key and span.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    pub months: usize,
    /// `[key * months + month]`.
    pub downtime_ms: Vec<f64>,
    pub outage_ms: Vec<i64>,
    /// The downtime of each cell by the heaviest level open (`Level::code` order); the four
    /// add up to `downtime_ms`.
    pub by_level_ms: Vec<[f64; 4]>,
    /// Time with a maintenance window open (whatever else is open).
    pub maintenance_ms: Vec<i64>,
}

impl Sums {
    pub fn new(keys: usize, months: usize) -> Sums {
        Sums {
            months,
            downtime_ms: vec![0.0; keys * months],
            outage_ms: vec![0; keys * months],
            by_level_ms: vec![[0.0; 4]; keys * months],
            maintenance_ms: vec![0; keys * months],
        }
    }
}

/// Events of a window set: `key (u32), t (i64), level (i32), delta (i32)`.
pub fn events(windows: LazyFrame, key: Expr) -> PolarsResult<LazyFrame> {
    let open = windows.clone().select([
        key.clone().alias("key"),
        col(super::windows::START).alias("t"),
        col(super::windows::LEVEL),
        lit(1i32).alias("delta"),
    ]);
    let close = windows.select([
        key.alias("key"),
        col(super::windows::END).alias("t"),
        col(super::windows::LEVEL),
        lit(-1i32).alias("delta"),
    ]);
    concat([open, close], UnionArgs::default())
}

/// Sweeps events sorted by `(key, t)`; keys are dense `0..keys`, each with `cells` cells.
/// `spans(key)` are the key's sorted, disjoint spans; time outside them is not counted.
pub fn sweep<'a>(
    events: &DataFrame,
    keys: usize,
    cells: usize,
    spans: &dyn Fn(usize) -> &'a [Span],
    weights: &Weights,
) -> PolarsResult<Sums> {
    let mut sums = Sums::new(keys, cells);
    if events.height() == 0 || cells == 0 {
        return Ok(sums);
    }
    let key = events.column("key")?.u32()?.rechunk();
    let t = events.column("t")?.i64()?.rechunk();
    let level = events.column("level")?.i32()?.rechunk();
    let delta = events.column("delta")?.i32()?.rechunk();
    let (key, t, level, delta) = (
        key.cont_slice()?,
        t.cont_slice()?,
        level.cont_slice()?,
        delta.cont_slice()?,
    );
    let mut i = 0;
    while i < key.len() {
        let k = key[i] as usize;
        let months = spans(k);
        let m = months.len();
        // Open windows per level.
        let mut counts = [0i32; 4];
        let mut prev = t[i];
        let mut month = 0;
        while i < key.len() && key[i] as usize == k {
            let now = t[i];
            if now > prev {
                // Constant state on [prev, now): the heaviest open level (ties go to the more
                // severe) and whether any non-maintenance window is open.
                let mut w = 0.0f64;
                let mut heaviest = None;
                let mut out = false;
                let maintenance = counts[Level::UnderMaintenance.code() as usize] > 0;
                for l in Level::ALL {
                    if counts[l.code() as usize] > 0 {
                        if heaviest.is_none() || weights.of(l) > w {
                            w = weights.of(l);
                            heaviest = Some(l.code() as usize);
                        }
                        out |= !l.is_maintenance();
                    }
                }
                if let Some(h) = heaviest {
                    while month < m && months[month].end <= prev {
                        month += 1;
                    }
                    let mut a = prev;
                    while month < m && a < now {
                        a = a.max(months[month].start);
                        if a >= now {
                            break;
                        }
                        let b = now.min(months[month].end);
                        let cell = k * cells + months[month].cell;
                        let weighted = w * (b - a) as f64;
                        sums.downtime_ms[cell] += weighted;
                        sums.by_level_ms[cell][h] += weighted;
                        if out {
                            sums.outage_ms[cell] += b - a;
                        }
                        if maintenance {
                            sums.maintenance_ms[cell] += b - a;
                        }
                        a = b;
                        if a >= months[month].end {
                            month += 1;
                        }
                    }
                }
                prev = now;
            }
            counts[level[i] as usize] += delta[i];
            i += 1;
        }
    }
    Ok(sums)
}
