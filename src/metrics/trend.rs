//! Honest trends: whether a change from the period before (the report's last period against
//! the one before it) is distinguishable from noise.
//!
//! - A median (MTTD, MTTR): the Mann-Whitney U test of the two periods' incident durations,
//!   two-sided: exact (the rank sum's distribution given the ties) with up to [`EXACT_EACH`]
//!   durations a side, else the normal approximation with the tie and continuity corrections;
//!   with fewer than [`MIN_EACH`] durations on either side there is no verdict ("too few
//!   incidents").
//! - Availability (a vendor's or component's, and the downtime of all vendors): downtime is a
//!   sum over incidents, so its rate per minute of window is compared with the compound-Poisson
//!   variance of each period (the sum of each incident's squared weighted minutes), a two-sided
//!   z test; with fewer than [`MIN_BOTH`] incidents in the two periods together, no verdict.
//!
//! A change is *distinguishable* when p < [`ALPHA`].

use super::explode::Exploded;
use super::options::Options;
use super::table::derived;
use crate::model::{AvailScope, Metric, Trend, Verdict};
use crate::period::{PeriodSpan, ReportWindow};
use crate::table::{ImpactTable, IncidentTable, Millis};

/// The significance level.
pub const ALPHA: f64 = 0.05;
/// Durations needed on each side of a median's test.
pub const MIN_EACH: usize = 5;
/// Incidents needed in the two periods together for an availability's test.
pub const MIN_BOTH: usize = 5;

/// The verdict of a p-value (`None`: too few incidents).
pub fn verdict(p: Option<f64>) -> Verdict {
    match p {
        None => Verdict::TooFew,
        Some(p) if p < ALPHA => Verdict::Changed(p),
        Some(p) => Verdict::Noise(p),
    }
}

/// The two-sided p-value of the Mann-Whitney U test of `a` against `b`; `None` with fewer than
/// [`MIN_EACH`] values on a side. With at most [`EXACT_EACH`] on each side, the exact
/// distribution of the rank sum given the ties ([`exact_p`]); beyond, the normal approximation
/// with the tie and continuity corrections.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.len() < MIN_EACH || b.len() < MIN_EACH {
        return None;
    }
    let mut all: Vec<(f64, bool)> = (a.iter().map(|&x| (x, true)))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    // Midranks, doubled to stay whole numbers: a run of ties over places i..j ranks i + j + 1.
    let mut doubled = Vec::with_capacity(n);
    let (mut sum_a, mut ties, mut i) = (0u64, 0.0, 0);
    while i < n {
        let j = i + all[i..].iter().take_while(|v| v.0 == all[i].0).count();
        let rank = (i + j + 1) as u64;
        let t = (j - i) as f64;
        ties += t * t * t - t;
        sum_a += rank * all[i..j].iter().filter(|v| v.1).count() as u64;
        doubled.extend(std::iter::repeat_n(rank, j - i));
        i = j;
    }
    if a.len().max(b.len()) <= EXACT_EACH {
        return Some(exact_p(&doubled, a.len(), sum_a));
    }
    let u = sum_a as f64 / 2.0 - n1 * (n1 + 1.0) / 2.0;
    let nn = n as f64;
    let var = n1 * n2 / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
    if var <= 0.0 {
        return Some(1.0);
    }
    let z = ((u - n1 * n2 / 2.0).abs() - 0.5).max(0.0) / var.sqrt();
    Some(two_sided(z))
}

/// Values on each side up to which [`mann_whitney`] uses the exact distribution.
pub const EXACT_EACH: usize = 20;

/// The exact two-sided p-value of a rank sum: the share of the ways to choose `k` of the
/// (doubled, tied) `ranks` whose sum lies at least as far from its mean as `observed` does.
/// Counted by dynamic programming over (values chosen, sum): at 20 a side, 40 ranks and sums up
/// to 1,640, about 1.3M additions; the counts (at most C(40, 20), about 1.4e11) are exact in f64.
fn exact_p(ranks: &[u64], k: usize, observed: u64) -> f64 {
    let top: u64 = {
        let mut r = ranks.to_vec();
        r.sort_unstable_by(|x, y| y.cmp(x));
        r.iter().take(k).sum()
    };
    let width = top as usize + 1;
    // ways[c * width + s]: subsets of `c` of the ranks seen so far that sum to `s`.
    let mut ways = vec![0f64; (k + 1) * width];
    ways[0] = 1.0;
    for (seen, &r) in ranks.iter().enumerate() {
        let r = r as usize;
        for c in (1..=k.min(seen + 1)).rev() {
            for s in (r..width).rev() {
                ways[c * width + s] += ways[(c - 1) * width + s - r];
            }
        }
    }
    // The mean of the doubled sum: k midranks of mean (n + 1) / 2, doubled; a whole number.
    let mean = (k * (ranks.len() + 1)) as i64;
    let far = |s: u64| (s as i64 - mean).abs();
    let limit = far(observed);
    let last = &ways[k * width..];
    let total: f64 = last.iter().sum();
    let beyond: f64 = (last.iter().enumerate())
        .filter(|&(s, _)| far(s as u64) >= limit)
        .map(|(_, w)| w)
        .sum();
    (beyond / total).min(1.0)
}

/// The two-sided p-value of a rate change: `a` and `b` are each incident's weighted minutes
/// in windows of `ta` and `tb` minutes; `None` with fewer than [`MIN_BOTH`] incidents.
pub fn rate_change(a: &[f64], ta: f64, b: &[f64], tb: f64) -> Option<f64> {
    if a.len() + b.len() < MIN_BOTH || ta <= 0.0 || tb <= 0.0 {
        return None;
    }
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let squares = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
    let var = squares(a) / (ta * ta) + squares(b) / (tb * tb);
    if var <= 0.0 {
        return Some(1.0);
    }
    let z = (sum(b) / tb - sum(a) / ta).abs() / var.sqrt();
    Some(two_sided(z))
}

/// `P(|Z| >= z)` of a standard normal: `erfc(z / sqrt 2)` (Abramowitz and Stegun 7.1.26,
/// absolute error under 1.5e-7).
fn two_sided(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    (poly * (-x * x).exp()).clamp(0.0, 1.0)
}

/// The verdicts of the report's last period against the one before it: the headline's MTTD and
/// MTTR medians and all vendors' downtime, and each vendor's and component's availability.
pub fn trends(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    opts: &Options,
) -> crate::error::Result<Option<Trend>> {
    let (durations, _) = derived(incidents, opts.anchor, None);
    trends_of(&Exploded::new(incidents, impacts), &durations, opts)
}

/// Each key's samples in the two periods (`cells`: before, last): each (key, incident)'s
/// weighted minutes in the period. A component's windows add up; a vendor's incident counts
/// its longest component. Sorted, so each key's samples come in incident order and every sum
/// is made in the same order on every run. Keys: components, then vendors after `n_comp`.
fn samples_per_key(
    win: &super::windows::Windows,
    cells: [&PeriodSpan; 2],
    opts: &Options,
    (n_comp, n_keys): (usize, usize),
) -> [Vec<Vec<f64>>; 2] {
    let weight =
        |level: i32| crate::model::Level::from_code(level).map_or(1.0, |l| opts.weights.of(l));
    let mut parts: Vec<(u32, usize, u32, f64)> = Vec::new();
    for i in 0..win.len() {
        for (k, cell) in cells.into_iter().enumerate() {
            let (s, e) = (win.start[i].max(cell.start), win.end[i].min(cell.end));
            if e > s {
                let w = (e - s) as f64 / crate::time::MS_PER_MIN as f64 * weight(win.level[i]);
                parts.push((win.cid[i], k, win.row[i], w));
                parts.push((win.vid[i], k, win.row[i], w));
            }
        }
    }
    parts.sort_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then(a.3.total_cmp(&b.3))
    });
    let mut per_key: [Vec<Vec<f64>>; 2] = [vec![Vec::new(); n_keys], vec![Vec::new(); n_keys]];
    let mut at = 0;
    while at < parts.len() {
        let (key, k, row, _) = parts[at];
        let same = parts[at..]
            .iter()
            .take_while(|p| (p.0, p.1, p.2) == (key, k, row));
        let values: Vec<f64> = same.map(|p| p.3).collect();
        at += values.len();
        let v = if (key as usize) < n_comp {
            values.iter().sum()
        } else {
            values.iter().copied().fold(0.0, f64::max)
        };
        if let Some(samples) = per_key[k].get_mut(key as usize) {
            samples.push(v);
        }
    }
    per_key
}

/// [`trends`] from a report's explode and its incidents' durations.
pub(super) fn trends_of(
    shared: &Exploded,
    durations: &[Millis; 5],
    opts: &Options,
) -> crate::error::Result<Option<Trend>> {
    let incidents = shared.table;
    let months = &opts.period.periods;
    let (before, last) = match months.len() {
        0 => return Ok(None),
        1 => (
            opts.period.period_before()?.periods[0].clone(),
            months[0].clone(),
        ),
        n => (months[n - 2].clone(), months[n - 1].clone()),
    };
    let span = ReportWindow::new(opts.period.tz, before.start, last.end)?;
    let started = &incidents.timestamps[0];
    let side = |m: Metric, cell: &PeriodSpan| -> Vec<f64> {
        (0..incidents.len())
            .filter(|&r| {
                started
                    .get(r)
                    .is_some_and(|t| cell.start <= t && t < cell.end)
            })
            .filter_map(|r| durations[m.index()].get(r))
            .map(|ms| ms as f64)
            .collect()
    };
    let median = |m: Metric| verdict(mann_whitney(&side(m, &before), &side(m, &last)));
    let n_comp = shared.comp_name.len();
    let win = shared.windows(&span, n_comp as u32);
    let n_keys = n_comp + incidents.vendor.values.len();
    let per_key = samples_per_key(&win, [&before, &last], opts, (n_comp, n_keys));
    let samples = |key: u32, k: usize| -> &[f64] { &per_key[k][key as usize] };
    let length = |c: &PeriodSpan| (c.end - c.start) as f64 / crate::time::MS_PER_MIN as f64;
    let availability = |key: u32| {
        verdict(rate_change(
            samples(key, 0),
            length(&before),
            samples(key, 1),
            length(&last),
        ))
    };
    let mut keys = Vec::new();
    for (c, (v, name)) in shared.comp_vendor.iter().zip(&shared.comp_name).enumerate() {
        let key = (AvailScope::Component, v.clone(), Some(name.clone()));
        keys.push((key, availability(c as u32)));
    }
    let vendors = &incidents.vendor.values;
    let mut all: [Vec<f64>; 2] = Default::default();
    for (vid, v) in vendors.iter().enumerate() {
        let key = n_comp as u32 + vid as u32;
        for (k, side) in all.iter_mut().enumerate() {
            side.extend(samples(key, k));
        }
        keys.push(((AvailScope::Vendor, v.clone(), None), availability(key)));
    }
    Ok(Some(Trend {
        last: last.label.clone(),
        before: before.label.clone(),
        mttd: median(Metric::Mttd),
        mttr: median(Metric::Mttr),
        downtime: verdict(rate_change(
            &all[0],
            length(&before),
            &all[1],
            length(&last),
        )),
        availability: keys,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_whitney_is_exact_up_to_twenty_a_side_worked_by_hand() {
        // Complete separation, 5 and 5: of the C(10, 5) = 252 ways to choose the first
        // period's ranks, only 1..5 and 6..10 lie as far from the mean: p = 2 / 252.
        let p = mann_whitney(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert!((p - 2.0 / 252.0).abs() < 1e-12, "{p}");
        // Interleaved: rank sum 25 against a mean of 27.5; 174 of the 252 lie 2.5 or further.
        let p = mann_whitney(&[1.0, 3.0, 5.0, 7.0, 9.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert!((p - 174.0 / 252.0).abs() < 1e-12, "{p}");
        // Ties keep their midranks and the count is over the tied ranks: [1 1 2 2 3] against
        // [2 3 3 4 4] has midranks 1.5 1.5 4 4 7.5 (sum 18.5, mean 27.5); 20 of the 252
        // choices of 5 midranks lie 9 or further. 5 against 6 with ties: 13 of 462.
        let p = mann_whitney(&[1.0, 1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0, 4.0]).unwrap();
        assert!((p - 20.0 / 252.0).abs() < 1e-12, "{p}");
        let before = [10.0, 10.0, 10.0, 20.0, 30.0];
        let p = mann_whitney(&before, &[20.0, 30.0, 30.0, 30.0, 40.0, 40.0]).unwrap();
        assert!((p - 13.0 / 462.0).abs() < 1e-12, "{p}");
        // Ties share their rank; all equal is no evidence at all.
        assert_eq!(mann_whitney(&[5.0; 5], &[5.0; 6]), Some(1.0));
        // Four on a side is too few.
        assert_eq!(mann_whitney(&[1.0; 4], &[2.0; 9]), None);
        assert_eq!(verdict(Some(0.01219)), Verdict::Changed(0.01219));
        assert_eq!(verdict(Some(0.676)), Verdict::Noise(0.676));
        assert_eq!(verdict(None), Verdict::TooFew);
    }

    /// Samples of `n1` and `n2` distinct values whose U (pairs with the first's value above the
    /// second's) is `u`: the second is 0, 2, 4, ...; each of the first sits above some of them.
    fn with_u(n1: usize, n2: usize, u: usize) -> (Vec<f64>, Vec<f64>) {
        let b: Vec<f64> = (0..n2).map(|j| 2.0 * j as f64).collect();
        let mut left = u;
        let a = (0..n1)
            .map(|i| {
                let above = left.min(n2);
                left -= above;
                2.0 * above as f64 - 1.0 + 0.001 * i as f64
            })
            .collect();
        (a, b)
    }

    #[test]
    fn mann_whitney_meets_the_published_critical_values() {
        // Two-sided 5% critical values of U without ties (the tables of Mann and Whitney 1947
        // as extended by Auble 1953, printed in most statistics texts): U <= c is significant,
        // c + 1 is not.
        let table = [
            (5, 5, 2),
            (6, 6, 5),
            (7, 7, 8),
            (8, 8, 13),
            (9, 9, 17),
            (10, 10, 23),
            (15, 15, 64),
            (20, 20, 127),
            (5, 10, 8),
            (5, 20, 20),
            (6, 15, 19),
            (8, 12, 22),
            (10, 20, 55),
        ];
        for (n1, n2, c) in table {
            let (a, b) = with_u(n1, n2, c);
            let p = mann_whitney(&a, &b).unwrap();
            assert!(p <= ALPHA, "{n1}x{n2} U={c}: p = {p}");
            // The same the other way round: the test is two-sided.
            assert_eq!(mann_whitney(&b, &a), Some(p));
            let (a, b) = with_u(n1, n2, c + 1);
            let p = mann_whitney(&a, &b).unwrap();
            assert!(p > ALPHA, "{n1}x{n2} U={}: p = {p}", c + 1);
        }
    }

    #[test]
    fn mann_whitney_uses_the_normal_approximation_past_twenty_a_side() {
        // 21 and 21 with U = 140: mean 220.5, sd sqrt(441 * 43 / 12) = 39.752;
        // z = (220.5 - 140 - 0.5) / 39.752 = 2.0125, p = 2 (1 - Phi(2.0125)) = 0.04417.
        let (a, b) = with_u(21, 21, 140);
        let p = mann_whitney(&a, &b).unwrap();
        assert!((p - 0.04417).abs() < 1e-4, "{p}");
    }

    #[test]
    fn a_downtime_rate_change_is_weighed_against_its_compound_poisson_variance() {
        // 3 incidents of 10 minutes in 1000, then 4 of 10 and one of 60 in 1000: rates 0.03 and
        // 0.1; variance (300 + 4000) / 1000^2 = 0.0043, sd 0.06557; z = 0.07 / 0.06557 = 1.0675,
        // p = 0.2857: noise.
        let p = rate_change(&[10.0; 3], 1000.0, &[10.0, 10.0, 10.0, 10.0, 60.0], 1000.0).unwrap();
        assert!((p - 0.2857).abs() < 1e-3, "{p}");
        // Twenty incidents of 10 minutes against one: z = (0.2 - 0.01) / sqrt(0.0021) = 4.146.
        let p = rate_change(&[10.0], 1000.0, &[10.0; 20], 1000.0).unwrap();
        assert!(p < 1e-4, "{p}");
        assert_eq!(rate_change(&[10.0; 2], 1000.0, &[30.0; 2], 1000.0), None);
    }
}
