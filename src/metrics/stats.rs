//! The five statistics of the time-to-x figures (contract section 2: `n, mean, median, p90,
//! max`, type-7 percentiles) over many groups at once, from whole milliseconds. Items (an
//! incident in a group) are bucketed by group with a counting sort, once for the five
//! durations; each duration's known values are then gathered bucket by bucket into a buffer its
//! thread reuses, and each bucket gives its figures with two selections instead of a sort.
//! Several groupings are aggregated together ([`aggregate_all`]), every (grouping, duration)
//! pair a job on some core.
//!
//! A group is a key (a vendor, a component, a severity, everything) and a cell of it (a month);
//! the cells of a key are contiguous after the counting sort, so the key over all its cells (the
//! `month = all` rows) is one more slice, with no second grouping.

use crate::error::{Error, Result};
use crate::model::Stats;
use crate::time::MS_PER_MIN;

/// Items to aggregate, as columns: each is an incident (its index into the duration columns)
/// counted in the group (`key`, `cell`) of `n_keys` keys of `n_cells` cells.
#[derive(Debug, Clone, Default)]
pub struct Items {
    n_keys: usize,
    n_cells: usize,
    /// `key * n_cells + cell` of each item.
    group: Vec<u32>,
    incident: Vec<u32>,
}

impl Items {
    /// Items of `n_keys` keys of `n_cells` cells each (at least one), room for `capacity`.
    /// A group is numbered in 32 bits: more groups than that (or more items, which are numbered
    /// alike) are an error naming the counts, never numbers wrapped around.
    pub fn new(n_keys: usize, n_cells: usize, capacity: usize) -> Result<Items> {
        let n_cells = n_cells.max(1);
        let fits = |n: usize| n <= u32::MAX as usize;
        let groups = n_keys.checked_mul(n_cells).filter(|&g| fits(g));
        if groups.is_none() || !fits(capacity) {
            return Err(Error::Usage(format!(
                "{n_keys} groups of {n_cells} periods each ({capacity} incident memberships) are \
                 more than mttx counts (4294967295 at most); group by fewer keys, a longer \
                 --period or a shorter window"
            )));
        }
        Ok(Items {
            n_keys,
            n_cells,
            group: Vec::with_capacity(capacity),
            incident: Vec::with_capacity(capacity),
        })
    }

    /// One item; `key < n_keys` and `cell < n_cells`, so its group number fits (see [`Items::new`]).
    pub fn push(&mut self, key: u32, cell: u32, incident: u32) {
        debug_assert!((key as usize) < self.n_keys && (cell as usize) < self.n_cells);
        self.group.push(key * self.n_cells as u32 + cell);
        self.incident.push(incident);
    }

    /// The incidents bucketed by group (a counting sort, stable), the items given back.
    pub fn bucket(self) -> Buckets {
        let groups = self.n_keys * self.n_cells;
        let mut from = vec![0usize; groups + 1];
        for &g in &self.group {
            from[g as usize + 1] += 1;
        }
        for g in 0..groups {
            from[g + 1] += from[g];
        }
        let mut next = from.clone();
        let mut incidents = vec![0u32; self.group.len()];
        for (&g, &i) in self.group.iter().zip(&self.incident) {
            incidents[next[g as usize]] = i;
            next[g as usize] += 1;
        }
        Buckets {
            n_keys: self.n_keys,
            n_cells: self.n_cells,
            incidents,
            from,
        }
    }
}

/// [`Items`] bucketed by group: the incidents of group `g` at `incidents[from[g]..from[g + 1]]`.
#[derive(Debug, Clone)]
pub struct Buckets {
    n_keys: usize,
    n_cells: usize,
    incidents: Vec<u32>,
    from: Vec<usize>,
}

/// The figures of one group: how many items it has (a group without items has no row), and the
/// five durations' statistics (`n` counts the items whose duration is known).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Group {
    pub items: u64,
    pub stats: [Stats; 5],
}

/// Every group's figures: `cells[key * n_cells + cell]`, and `whole[key]` over all its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    pub n_cells: usize,
    pub cells: Vec<Group>,
    pub whole: Vec<Group>,
}

/// Aggregates `durations` (milliseconds per incident, `None` when unknown) over the groups of
/// `items`.
pub fn aggregate(items: Items, durations: &[crate::table::Millis; 5]) -> Grouped {
    let n_cells = items.n_cells;
    let mut all = aggregate_all(&[items.bucket()], durations);
    all.pop().unwrap_or_else(|| Grouped {
        n_cells,
        cells: Vec::new(),
        whole: Vec::new(),
    })
}

/// [`aggregate`] of several groupings of the same incidents, each bucketed as its items were
/// made ([`Items::bucket`]), in their order. Every (grouping, duration) pair is a job, the
/// largest first, and each thread gathers values into one buffer it keeps (at 1M incidents,
/// four groupings of up to 1.7M items: 20 buffers of up to 14 MB each became two).
pub fn aggregate_all(sets: &[Buckets], durations: &[crate::table::Millis; 5]) -> Vec<Grouped> {
    let mut jobs: Vec<(usize, usize)> = (0..sets.len())
        .flat_map(|s| (0..durations.len()).map(move |m| (s, m)))
        .collect();
    jobs.sort_by_key(|&(s, _)| std::cmp::Reverse(sets[s].incidents.len()));
    let done = crate::parallel::map_with(&jobs, Vec::new, |values: &mut Vec<i64>, &(s, m)| {
        let set = &sets[s];
        one_duration(&set.incidents, &set.from, &durations[m], set.n_keys, values)
    });
    let mut out: Vec<Grouped> = sets
        .iter()
        .map(|set| {
            let from = &set.from;
            let cells: Vec<Group> = from
                .windows(2)
                .map(|w| Group {
                    items: (w[1] - w[0]) as u64,
                    stats: Default::default(),
                })
                .collect();
            let whole = (0..set.n_keys)
                .map(|k| Group {
                    items: (from[(k + 1) * set.n_cells] - from[k * set.n_cells]) as u64,
                    stats: Default::default(),
                })
                .collect();
            Grouped {
                n_cells: set.n_cells,
                cells,
                whole,
            }
        })
        .collect();
    for (&(s, m), (cells, whole)) in jobs.iter().zip(done) {
        for (g, st) in out[s].cells.iter_mut().zip(cells) {
            g.stats[m] = st;
        }
        for (g, st) in out[s].whole.iter_mut().zip(whole) {
            g.stats[m] = st;
        }
    }
    out
}

/// One duration's statistics per group and per key, from the incidents bucketed by group;
/// `values` is scratch.
fn one_duration(
    incidents: &[u32],
    from: &[usize],
    d: &crate::table::Millis,
    n_keys: usize,
    values: &mut Vec<i64>,
) -> (Vec<Stats>, Vec<Stats>) {
    let groups = from.len() - 1;
    let n_cells = groups.checked_div(n_keys).unwrap_or(1);
    // The known values, group after group: group `g`'s at `values[at[g]..at[g + 1]]`.
    values.clear();
    values.reserve(incidents.len());
    let mut at = Vec::with_capacity(groups + 1);
    at.push(0);
    for w in from.windows(2) {
        values.extend(
            incidents[w[0]..w[1]]
                .iter()
                .filter_map(|&i| d.get(i as usize)),
        );
        at.push(values.len());
    }
    let cells: Vec<Stats> = (0..groups)
        .map(|g| stats(&mut values[at[g]..at[g + 1]]))
        .collect();
    // A key's cells are contiguous: its whole slice, after the cells (selection only reorders
    // within a slice).
    let whole = (0..n_keys)
        .map(|k| stats(&mut values[at[k * n_cells]..at[(k + 1) * n_cells]]))
        .collect();
    (cells, whole)
}

/// `n, mean, median, p90, max` in minutes of milliseconds `v` (reordered).
pub fn stats(v: &mut [i64]) -> Stats {
    let n = v.len();
    if n == 0 {
        return Stats::default();
    }
    let min = |x: i64| x as f64 / MS_PER_MIN as f64;
    let sum: i128 = v.iter().map(|&x| i128::from(x)).sum();
    let max = v.iter().copied().max().unwrap_or_default();
    let (median, p90) = quantiles(v);
    Stats {
        n: n as u64,
        mean: Some(sum as f64 / n as f64 / MS_PER_MIN as f64),
        median: Some(median / MS_PER_MIN as f64),
        p90: Some(p90 / MS_PER_MIN as f64),
        max: Some(min(max)),
    }
}

/// The type-7 quantiles 0.5 and 0.9 of a non-empty `v` (reordered): at rank `h = (n - 1) q`,
/// the value of rank `floor(h)` plus the fraction of `h` of the step to the next.
fn quantiles(v: &mut [i64]) -> (f64, f64) {
    let n = v.len();
    let rank = |q: f64| {
        let h = (n - 1) as f64 * q;
        let lo = h.floor() as usize;
        (lo.min(n - 1), h - lo as f64)
    };
    let (lo50, f50) = rank(0.5);
    let (lo90, f90) = rank(0.9);
    v.select_nth_unstable(lo50);
    // Everything after `lo50` is at least `v[lo50]`: the 0.9 rank is selected among those.
    if lo90 > lo50 {
        v[lo50 + 1..].select_nth_unstable(lo90 - lo50 - 1);
    }
    let at = |lo: usize, f: f64| -> f64 {
        let x = v[lo] as f64;
        if f > 0.0 && lo + 1 < n {
            // The next rank: the smallest value after `lo`.
            let next = v[lo + 1..].iter().copied().min().unwrap_or(v[lo]) as f64;
            x + f * (next - x)
        } else {
            x
        }
    };
    (at(lo50, f50), at(lo90, f90))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(v: &[i64]) -> Vec<i64> {
        v.iter().map(|m| m * MS_PER_MIN).collect()
    }

    #[test]
    fn type_7_quantiles_by_hand() {
        // 1..=10 minutes, shuffled: median at rank 4.5 -> 5.5; p90 at rank 8.1 -> 9.1.
        let mut v = minutes(&[7, 2, 10, 4, 1, 9, 3, 8, 6, 5]);
        let s = stats(&mut v);
        assert_eq!(s.n, 10);
        assert_eq!(s.mean, Some(5.5));
        assert_eq!(s.median, Some(5.5));
        assert!((s.p90.unwrap() - 9.1).abs() < 1e-12);
        assert_eq!(s.max, Some(10.0));
        // Odd count: the middle value; p90 of [1, 2, 100] at rank 1.8: 2 + 0.8 * 98 = 80.4.
        let s = stats(&mut minutes(&[100, 1, 2]));
        assert_eq!(s.median, Some(2.0));
        assert!((s.p90.unwrap() - 80.4).abs() < 1e-9);
        // One value is every statistic; none is no statistic.
        let s = stats(&mut minutes(&[42]));
        assert_eq!(
            (s.median, s.p90, s.max, s.mean),
            (Some(42.0), Some(42.0), Some(42.0), Some(42.0))
        );
        assert_eq!(stats(&mut []), Stats::default());
        // Ties and 30 seconds: [0.5, 0.5, 0.5, 3] minutes, median 0.5, p90 at rank 2.7: 0.5 + 0.7 * 2.5.
        let s = stats(&mut [30_000, 180_000, 30_000, 30_000]);
        assert_eq!(s.median, Some(0.5));
        assert!((s.p90.unwrap() - 2.25).abs() < 1e-12);
        assert_eq!(s.mean, Some(1.125));
    }

    #[test]
    fn groups_cells_and_whole_keys() {
        // Incidents 0..4 with TTD 1, 2, 3, 4, unknown minutes.
        let ttd: crate::table::Millis = [Some(1), Some(2), Some(3), Some(4), None]
            .into_iter()
            .map(|m| m.map(|m| m * MS_PER_MIN))
            .collect();
        let none = [None; 5].into_iter().collect();
        let durations = [ttd.clone(), none, ttd.clone(), ttd.clone(), ttd];
        let mut items = Items::new(3, 2, 6).unwrap();
        // Key 0: incidents 0, 1 in cell 0, incident 2 in cell 1. Key 1: incident 3 and 4 in
        // cell 1. Key 2: nothing.
        for (k, c, i) in [(0, 0, 0), (1, 1, 3), (0, 1, 2), (0, 0, 1), (1, 1, 4)] {
            items.push(k, c, i);
        }
        let g = aggregate(items.clone(), &durations);
        let ttd = |grp: &Group| (grp.items, grp.stats[0].n, grp.stats[0].median);
        assert_eq!(ttd(&g.cells[0]), (2, 2, Some(1.5)));
        assert_eq!(ttd(&g.cells[1]), (1, 1, Some(3.0)));
        assert_eq!(ttd(&g.cells[2]), (0, 0, None));
        assert_eq!(ttd(&g.cells[3]), (2, 1, Some(4.0)));
        assert_eq!(ttd(&g.whole[0]), (3, 3, Some(2.0)));
        assert_eq!(ttd(&g.whole[1]), (2, 1, Some(4.0)));
        assert_eq!(ttd(&g.whole[2]), (0, 0, None));
        // Aggregated together with another grouping (every pair a job of some thread, the
        // threads' buffers reused), each grouping gets what it gets alone.
        let mut other = Items::new(1, 1, 5).unwrap();
        for i in [4, 3, 2, 1, 0] {
            other.push(0, 0, i);
        }
        let both = aggregate_all(
            &[
                other.clone().bucket(),
                items.bucket(),
                other.clone().bucket(),
            ],
            &durations,
        );
        assert_eq!(both[1], g);
        assert_eq!(both[0], aggregate(other, &durations));
        assert_eq!(both[0], both[2]);
        assert_eq!(both[0].whole[0].stats[0].median, Some(2.5));
        // A duration unknown everywhere: groups with items but n = 0.
        assert_eq!(g.whole[0].stats[1], Stats::default());
        assert_eq!(g.whole[0].stats[4].mean, Some(2.0));
    }

    #[test]
    fn more_groups_or_items_than_32_bits_number_are_an_error_not_a_wraparound() {
        // 65,536 keys of 65,536 cells: 2^32 groups, one past u32::MAX; wrapped, key 65,536's
        // first cell would have been group 0.
        let err = Items::new(65_536, 65_536, 0).err().unwrap().to_string();
        assert!(err.contains("65536 groups of 65536 periods"), "{err}");
        assert!(Items::new(65_536, 65_535, 0).is_ok());
        assert!(Items::new(usize::MAX, 2, 0).is_err());
        assert!(Items::new(1, 1, u32::MAX as usize + 1).is_err());
    }
}
