//! The interval sweep (contract section 3): for each key (a component, or a vendor over all its
//! components) the heaviest weight at every instant, integrated into downtime, and the union of
//! non-maintenance windows (outage), both split over spans (the report's months, or its days).
//! Each weighted minute is also attributed to the heaviest level open at that instant. Time
//! outside every span is not counted. The events are grouped by key (a counting sort) and
//! sorted by time within each key, on every core (rayon); then one pass over them per span set.

use rayon::prelude::*;

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

impl Sums {
    /// Adds `other`'s sums (of the same keys and cells) into these.
    pub fn add(&mut self, other: &Sums) {
        for (a, b) in self.downtime_ms.iter_mut().zip(&other.downtime_ms) {
            *a += b;
        }
        for (a, b) in self.outage_ms.iter_mut().zip(&other.outage_ms) {
            *a += b;
        }
        for (a, b) in self.by_level_ms.iter_mut().zip(&other.by_level_ms) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.maintenance_ms.iter_mut().zip(&other.maintenance_ms) {
            *a += b;
        }
    }
}

/// Windows as column slices: the key each counts for, its level code and its span.
#[derive(Debug, Clone, Copy)]
pub struct Windows<'a> {
    pub key: &'a [u32],
    pub level: &'a [i32],
    pub start: &'a [i64],
    pub end: &'a [i64],
}

/// One window edge, packed into one integer that sorts by time: at `t`, one window of `level`
/// opens or closes, as `t << 3 | level << 1 | opens` (times are milliseconds of years 1 to
/// 9999, far inside 60 bits). Half the size of a struct of the three, and sorted as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event(i64);

impl Event {
    fn new(t: i64, level: u8, opens: bool) -> Event {
        Event(t << 3 | i64::from(level) << 1 | i64::from(opens))
    }

    fn t(self) -> i64 {
        self.0 >> 3
    }

    fn level(self) -> usize {
        (self.0 >> 1 & 3) as usize
    }

    fn delta(self) -> i32 {
        if self.0 & 1 == 1 { 1 } else { -1 }
    }
}

/// The edges of every window, grouped by key (a counting sort: `from[k]..from[k + 1]`), each
/// key's sorted by time. Built once, swept as often as there are span sets.
pub struct Events {
    from: Vec<usize>,
    events: Vec<Event>,
}

impl Events {
    /// The events of `sets` (the same windows may count for several keys: a component and its
    /// vendor) over keys `0..keys`. Windows with a key out of range or a level outside
    /// `Level::ALL` are not counted.
    pub fn new(sets: &[Windows], keys: usize) -> Events {
        let ok = |w: &Windows, i: usize| {
            (w.key[i] as usize) < keys && (0..Level::ALL.len() as i32).contains(&w.level[i])
        };
        let mut from = vec![0usize; keys + 1];
        for w in sets {
            for i in 0..w.key.len() {
                if ok(w, i) {
                    from[w.key[i] as usize + 1] += 2;
                }
            }
        }
        for k in 0..keys {
            from[k + 1] += from[k];
        }
        let mut next = from.clone();
        let mut events = vec![Event(0); from[keys]];
        for w in sets {
            for i in 0..w.key.len() {
                if !ok(w, i) {
                    continue;
                }
                let k = w.key[i] as usize;
                let level = w.level[i] as u8;
                events[next[k]] = Event::new(w.start[i], level, true);
                events[next[k] + 1] = Event::new(w.end[i], level, false);
                next[k] += 2;
            }
        }
        // Each key's events by time, the keys shared between the cores. The order of events at
        // one instant does not matter: the state between them lasts no time.
        let mut parts: Vec<&mut [Event]> = Vec::with_capacity(keys);
        let mut rest: &mut [Event] = &mut events;
        for k in 0..keys {
            let (this, tail) = rest.split_at_mut(from[k + 1] - from[k]);
            parts.push(this);
            rest = tail;
        }
        parts.into_par_iter().for_each(|p| p.sort_unstable());
        Events { from, events }
    }

    pub fn keys(&self) -> usize {
        self.from.len() - 1
    }
}

/// Sweeps each key's events over its `cells` cells; `spans(key)` are the key's sorted, disjoint
/// spans; time outside them is not counted. The keys are shared between the cores.
pub fn sweep<'a>(
    events: &Events,
    cells: usize,
    spans: &(dyn Fn(usize) -> &'a [Span] + Sync),
    weights: &Weights,
) -> Sums {
    let keys = events.keys();
    let mut sums = Sums::new(keys, cells);
    if cells == 0 {
        return sums;
    }
    // Each key sweeps into its own rows of the sums, the keys shared between the cores.
    let (d, o) = (&mut sums.downtime_ms, &mut sums.outage_ms);
    let (l, m) = (&mut sums.by_level_ms, &mut sums.maintenance_ms);
    d.par_chunks_mut(cells)
        .zip(o.par_chunks_mut(cells))
        .zip(l.par_chunks_mut(cells))
        .zip(m.par_chunks_mut(cells))
        .enumerate()
        .for_each(|(k, (((d, o), l), m))| {
            let mut rows = Rows {
                downtime_ms: d,
                outage_ms: o,
                by_level_ms: l,
                maintenance_ms: m,
            };
            sweep_key(events, k, spans(k), weights, &mut rows);
        });
    sums
}

/// The row of [`Sums`] of one key (its cells), for one thread to fill.
struct Rows<'a> {
    downtime_ms: &'a mut [f64],
    outage_ms: &'a mut [i64],
    by_level_ms: &'a mut [[f64; 4]],
    maintenance_ms: &'a mut [i64],
}

/// [`sweep`] of key `k` over its spans `months`, into its rows of `sums`.
fn sweep_key(events: &Events, k: usize, months: &[Span], weights: &Weights, sums: &mut Rows) {
    let ev = &events.events[events.from[k]..events.from[k + 1]];
    let Some(first) = ev.first() else { return };
    let m = months.len();
    // Open windows per level.
    let mut counts = [0i32; 4];
    let mut prev = first.t();
    let mut month = 0;
    // Time before the first span only moves the counts; after the last span, nothing counts
    // (the 90 days of a year's windows: a quarter of the events swept in full).
    let (Some(lo), Some(hi)) = (
        months.first().map(|s| s.start),
        months.last().map(|s| s.end),
    ) else {
        return;
    };
    for &e in ev {
        let now = e.t();
        if now > prev && now <= lo {
            prev = now;
        } else if now > prev {
            if prev >= hi {
                break;
            }
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
                    let cell = months[month].cell;
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
        counts[e.level()] += e.delta();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WeightPreset;

    #[test]
    fn an_event_packs_its_time_level_and_edge_and_sorts_by_time() {
        for t in [-62_135_596_800_000i64, -1, 0, 1, 253_402_300_799_999] {
            for level in 0..4u8 {
                for opens in [false, true] {
                    let e = Event::new(t, level, opens);
                    assert_eq!(
                        (e.t(), e.level() as u8, e.delta()),
                        (t, level, if opens { 1 } else { -1 })
                    );
                    assert!(Event::new(t - 1, 3, true) < e && e < Event::new(t + 1, 0, false));
                }
            }
        }
    }

    #[test]
    fn only_time_inside_the_spans_counts_whatever_lies_before_and_after() {
        // One key; a major outage [0, 100), another [150, 400) and a partial one [380, 900).
        // Spans [120, 200) and [300, 500): major 50 + 80, partial alone [400, 500) at 0.3.
        let key = [0u32; 3];
        let level = [
            Level::MajorOutage.code() as i32,
            Level::MajorOutage.code() as i32,
            Level::PartialOutage.code() as i32,
        ];
        let (start, end) = ([0i64, 150, 380], [100i64, 400, 900]);
        let w = Windows {
            key: &key,
            level: &level,
            start: &start,
            end: &end,
        };
        let events = Events::new(&[w], 1);
        let spans = [
            Span {
                start: 120,
                end: 200,
                cell: 0,
            },
            Span {
                start: 300,
                end: 500,
                cell: 1,
            },
        ];
        let weights = Weights::preset(WeightPreset::Statuspage);
        let sums = sweep(&events, 2, &|_| &spans, &weights);
        assert_eq!(sums.downtime_ms, vec![50.0, 100.0 + 0.3 * 100.0]);
        assert_eq!(sums.outage_ms, vec![50, 200]);
        // No spans at all: nothing counts.
        let none = sweep(&events, 2, &|_| &[], &weights);
        assert_eq!(none.downtime_ms, vec![0.0, 0.0]);
    }
}
