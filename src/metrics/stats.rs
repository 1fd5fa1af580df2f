//! The five statistics of the time-to-x figures (contract section 2: `n, mean, median, p90,
//! max`, type-7 percentiles) over many groups at once, from whole milliseconds. Items (an
//! incident in a group) are bucketed by group with a counting sort, then each bucket gives its
//! figures with two selections instead of a sort; the five durations run on every core.
//!
//! A group is a key (a vendor, a component, a severity, everything) and a cell of it (a month);
//! the cells of a key are contiguous after the counting sort, so the key over all its cells (the
//! `month = all` rows) is one more slice, with no second grouping.

use crate::model::Stats;
use crate::time::MS_PER_MIN;

/// Items to aggregate, as columns: each is an incident (its index into the duration columns)
/// counted in the group (`key`, `cell`).
#[derive(Debug, Clone, Default)]
pub struct Items {
    pub key: Vec<u32>,
    pub cell: Vec<u32>,
    pub incident: Vec<u32>,
}

impl Items {
    pub fn with_capacity(n: usize) -> Items {
        Items {
            key: Vec::with_capacity(n),
            cell: Vec::with_capacity(n),
            incident: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, key: u32, cell: u32, incident: u32) {
        self.key.push(key);
        self.cell.push(cell);
        self.incident.push(incident);
    }

    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }
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
/// `items`; keys are `0..n_keys`, cells `0..n_cells`.
pub fn aggregate(
    items: &Items,
    n_keys: usize,
    n_cells: usize,
    durations: &[crate::model::Millis; 5],
) -> Grouped {
    let n_cells = n_cells.max(1);
    let groups = n_keys * n_cells;
    let group: Vec<u32> = items
        .key
        .iter()
        .zip(&items.cell)
        .map(|(&k, &c)| k * n_cells as u32 + c)
        .collect();
    let mut cells = vec![Group::default(); groups];
    let mut whole = vec![Group::default(); n_keys];
    for &g in &group {
        cells[g as usize].items += 1;
    }
    for k in 0..n_keys {
        whole[k].items = cells[k * n_cells..(k + 1) * n_cells]
            .iter()
            .map(|c| c.items)
            .sum();
    }
    let per_metric = crate::parallel::map(durations, |d| {
        one_duration(&group, &items.incident, d, n_keys, n_cells)
    });
    for (m, (c, w)) in per_metric.into_iter().enumerate() {
        for (g, s) in cells.iter_mut().zip(c) {
            g.stats[m] = s;
        }
        for (g, s) in whole.iter_mut().zip(w) {
            g.stats[m] = s;
        }
    }
    Grouped {
        n_cells,
        cells,
        whole,
    }
}

/// One duration's statistics per group and per key.
fn one_duration(
    group: &[u32],
    incident: &[u32],
    d: &crate::model::Millis,
    n_keys: usize,
    n_cells: usize,
) -> (Vec<Stats>, Vec<Stats>) {
    let groups = n_keys * n_cells;
    // Counting sort of the known values by group.
    let mut from = vec![0usize; groups + 1];
    for (&g, &i) in group.iter().zip(incident) {
        if d.get(i as usize).is_some() {
            from[g as usize + 1] += 1;
        }
    }
    for g in 0..groups {
        from[g + 1] += from[g];
    }
    let mut next = from.clone();
    let mut values = vec![0i64; from[groups]];
    for (&g, &i) in group.iter().zip(incident) {
        if let Some(v) = d.get(i as usize) {
            values[next[g as usize]] = v;
            next[g as usize] += 1;
        }
    }
    let cells: Vec<Stats> = (0..groups)
        .map(|g| stats(&mut values[from[g]..from[g + 1]]))
        .collect();
    // A key's cells are contiguous: its whole slice, after the cells (selection only reorders
    // within a slice).
    let whole = (0..n_keys)
        .map(|k| stats(&mut values[from[k * n_cells]..from[(k + 1) * n_cells]]))
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
        let ttd: crate::model::Millis = [Some(1), Some(2), Some(3), Some(4), None]
            .into_iter()
            .map(|m| m.map(|m| m * MS_PER_MIN))
            .collect();
        let none = [None; 5].into_iter().collect();
        let durations = [ttd.clone(), none, ttd.clone(), ttd.clone(), ttd];
        let mut items = Items::with_capacity(6);
        // Key 0: incidents 0, 1 in cell 0, incident 2 in cell 1. Key 1: incident 3 and 4 in
        // cell 1. Key 2: nothing.
        for (k, c, i) in [(0, 0, 0), (1, 1, 3), (0, 1, 2), (0, 0, 1), (1, 1, 4)] {
            items.push(k, c, i);
        }
        let g = aggregate(&items, 3, 2, &durations);
        let ttd = |grp: &Group| (grp.items, grp.stats[0].n, grp.stats[0].median);
        assert_eq!(ttd(&g.cells[0]), (2, 2, Some(1.5)));
        assert_eq!(ttd(&g.cells[1]), (1, 1, Some(3.0)));
        assert_eq!(ttd(&g.cells[2]), (0, 0, None));
        assert_eq!(ttd(&g.cells[3]), (2, 1, Some(4.0)));
        assert_eq!(ttd(&g.whole[0]), (3, 3, Some(2.0)));
        assert_eq!(ttd(&g.whole[1]), (2, 1, Some(4.0)));
        assert_eq!(ttd(&g.whole[2]), (0, 0, None));
        // A duration unknown everywhere: groups with items but n = 0.
        assert_eq!(g.whole[0].stats[1], Stats::default());
        assert_eq!(g.whole[0].stats[4].mean, Some(2.0));
    }
}
