//! Time to x (contract section 2): MTTD, MTTA, MTTI, MTTM and MTTR, grouped. Which instant each
//! duration runs from ([`Metric::anchor_column`]); the groupings of `metrics.csv` (`all`, `vendor`,
//! `component`, `severity`, each per month and over the window) and of the `metrics` command;
//! the rows' order. The durations come from the incident table ([`super::table`]), the
//! memberships in components from [`super::explode`], the five statistics from
//! [`super::stats`].

use super::explode::Exploded;
use super::stats;
use super::table::derived;
use crate::model::{Anchor, GroupKey, Metric, MetricRow, When, col};
use crate::period::Period;
use crate::table::{ImpactTable, IncidentTable, Keys, Millis};

/// Name of the month key of a grouping.
pub const MONTH: &str = "month";

/// Column names of a grouping, each once (a component comes with its vendor).
pub fn key_columns(keys: &[GroupKey]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for k in keys {
        let columns: &[&'static str] = match k {
            GroupKey::Vendor => &[col::VENDOR],
            GroupKey::Component => &[col::VENDOR, col::COMPONENT],
            GroupKey::Severity => &[col::SEVERITY],
            GroupKey::Month => &[MONTH],
        };
        for c in columns {
            if !out.contains(c) {
                out.push(*c);
            }
        }
    }
    out
}

/// What the time-to-x rows are grouped from: the incident table's durations, the memberships
/// and the integer keys.
pub(super) struct TimeToX<'a> {
    durations: &'a [Millis; 5],
    shared: &'a Exploded<'a>,
    period: &'a Period,
    /// Each row's month in the window ([`OUTSIDE`] when it started outside the window).
    month: Vec<u32>,
}

/// No month, no severity ([`Keys::MISSING`]).
const OUTSIDE: u32 = Keys::MISSING;

/// Which rows over the whole window a grouping gives besides its monthly ones.
#[derive(Clone, Copy, PartialEq)]
enum Whole {
    /// None (the grouping is by month).
    No,
    /// One per group with `month = all` (`metrics.csv`).
    All,
    /// One per group without a month (a grouping without months).
    Unlabelled,
}

impl<'a> TimeToX<'a> {
    /// Over `shared`'s table, with its `durations` and whether each row started in the window.
    pub(super) fn new(
        durations: &'a [Millis; 5],
        in_window: &[bool],
        shared: &'a Exploded<'a>,
        period: &'a Period,
    ) -> TimeToX<'a> {
        let month = shared.table.timestamps[0]
            .iter()
            .zip(in_window)
            .map(|(t, &inside)| match t {
                Some(t) if inside => period.months[1..].partition_point(|m| m.start <= t) as u32,
                _ => OUTSIDE,
            })
            .collect();
        TimeToX {
            durations,
            shared,
            period,
            month,
        }
    }

    /// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month and over
    /// the whole window; the four groupings aggregated together.
    pub(super) fn report_rows(&self) -> Vec<MetricRow> {
        let sets: Vec<stats::Buckets> = REPORT_SCOPES
            .iter()
            .map(|(_, keys)| self.items(keys, true).bucket())
            .collect();
        let grouped = stats::aggregate_all(&sets, self.durations);
        let mut rows = Vec::new();
        for ((scope, keys), g) in REPORT_SCOPES.iter().zip(&grouped) {
            rows.extend(self.rows_of(g, keys, scope, true, Whole::All));
        }
        let rank = |s: &str| REPORT_SCOPES.iter().position(|(n, _)| *n == s).unwrap_or(9);
        sort_metric_rows(&mut rows, rank);
        rows
    }

    /// The rows of one grouping by `keys` (besides the month), named `scope`: per month when
    /// `monthly`, and over the whole window as `whole` says.
    fn rows(&self, keys: &[GroupKey], scope: &str, monthly: bool, whole: Whole) -> Vec<MetricRow> {
        let grouped = stats::aggregate(self.items(keys, monthly), self.durations);
        self.rows_of(&grouped, keys, scope, monthly, whole)
    }

    /// How many severities a grouping by `keys` tells apart (1 when it does not group by them).
    fn n_sev(&self, keys: &[GroupKey]) -> usize {
        if keys.contains(&GroupKey::Severity) {
            self.shared.table.severity.values.len()
        } else {
            1
        }
    }

    /// The items of the grouping by `keys` (besides the month, when `monthly`): a key is a
    /// base (a component, whose items are memberships; a vendor; or everything) and a severity.
    fn items(&self, keys: &[GroupKey], monthly: bool) -> stats::Items {
        let by = |k: GroupKey| keys.contains(&k);
        let sh = self.shared;
        let n_base = if by(GroupKey::Component) {
            sh.comp_name.len()
        } else if by(GroupKey::Vendor) {
            sh.table.vendor.values.len()
        } else {
            1
        };
        let n_sev = self.n_sev(keys);
        let n_cells = if monthly { self.period.months.len() } else { 1 };
        let rows = self.month.len();
        let capacity = if by(GroupKey::Component) {
            sh.member_row.len()
        } else {
            rows
        };
        let mut items = stats::Items::new(n_base * n_sev, n_cells, capacity);
        let severity = &sh.table.severity.codes;
        // The item of table row `p` in base key `base`, unless it has no month or no severity.
        let mut push = |base: u32, p: u32| {
            let month = self.month[p as usize];
            let sev = if by(GroupKey::Severity) {
                severity[p as usize]
            } else {
                0
            };
            if month != OUTSIDE && sev != OUTSIDE {
                let cell = if monthly { month } else { 0 };
                items.push(base * n_sev as u32 + sev, cell, p);
            }
        };
        if by(GroupKey::Component) {
            for (&row, &cid) in sh.member_row.iter().zip(&sh.member_cid) {
                push(cid, row);
            }
        } else if by(GroupKey::Vendor) {
            for (p, &v) in sh.table.vendor.codes.iter().enumerate() {
                push(v, p as u32);
            }
        } else {
            for p in 0..rows as u32 {
                push(0, p);
            }
        }
        items
    }

    /// The rows of the grouping by `keys` aggregated in `grouped`.
    fn rows_of(
        &self,
        grouped: &stats::Grouped,
        keys: &[GroupKey],
        scope: &str,
        monthly: bool,
        whole: Whole,
    ) -> Vec<MetricRow> {
        let by = |k: GroupKey| keys.contains(&k);
        let sh = self.shared;
        let n_sev = self.n_sev(keys);
        let n_cells = grouped.n_cells;
        let mut rows = Vec::new();
        let mut emit = |key: usize, month: Option<When>, group: &stats::Group| {
            if group.items == 0 {
                return;
            }
            let (base, sev) = (key / n_sev, key % n_sev);
            let (vendor, component) = if by(GroupKey::Component) {
                (
                    Some(sh.comp_vendor[base].clone()),
                    Some(sh.comp_name[base].clone()),
                )
            } else if by(GroupKey::Vendor) {
                (Some(sh.table.vendor.values[base].clone()), None)
            } else {
                (None, None)
            };
            let severity =
                by(GroupKey::Severity).then(|| self.shared.table.severity.values[sev].clone());
            for (m, stats) in Metric::ALL.into_iter().zip(group.stats) {
                rows.push(MetricRow {
                    scope: scope.to_string(),
                    vendor: vendor.clone(),
                    component: component.clone(),
                    severity: severity.clone(),
                    month: month.clone(),
                    metric: m,
                    stats,
                });
            }
        };
        for (key, whole_group) in grouped.whole.iter().enumerate() {
            if monthly {
                for (c, month) in self.period.months.iter().enumerate() {
                    let when = When::Month(month.label.clone());
                    emit(key, Some(when), &grouped.cells[key * n_cells + c]);
                }
            }
            match whole {
                Whole::No => {}
                Whole::All => emit(key, Some(When::Whole), whole_group),
                Whole::Unlabelled => emit(key, None, whole_group),
            }
        }
        rows
    }
}

/// The scopes of `metrics.csv`, in order, and their keys.
const REPORT_SCOPES: [(&str, &[GroupKey]); 4] = [
    ("all", &[]),
    ("vendor", &[GroupKey::Vendor]),
    ("component", &[GroupKey::Component]),
    ("severity", &[GroupKey::Severity]),
];

/// Sort order of months: calendar order, the whole window after them, no month last.
fn month_order(m: &Option<When>) -> (bool, Option<&When>) {
    (m.is_none(), m.as_ref())
}

fn sort_metric_rows(rows: &mut [MetricRow], scope_rank: impl Fn(&str) -> usize) {
    fn sev(s: &Option<String>) -> Option<(u8, &str)> {
        s.as_deref().map(crate::model::severity_rank)
    }
    rows.sort_by(|a, b| {
        (
            scope_rank(&a.scope),
            &a.vendor,
            &a.component,
            sev(&a.severity),
        )
            .cmp(&(
                scope_rank(&b.scope),
                &b.vendor,
                &b.component,
                sev(&b.severity),
            ))
            .then_with(|| month_order(&a.month).cmp(&month_order(&b.month)))
            .then_with(|| a.metric.cmp(&b.metric))
    });
}

/// Time-to-x rows for one grouping (the `metrics` command). With [`GroupKey::Month`] among the
/// keys, each month of the window is a group; otherwise the groups span the whole window.
pub fn metric_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    keys: &[GroupKey],
    period: &Period,
    anchor: Anchor,
) -> Vec<MetricRow> {
    let shared = Exploded::new(incidents, impacts);
    let (durations, in_window) = derived(incidents, anchor, Some(period));
    let scope = if keys.is_empty() {
        "all".to_string()
    } else {
        keys.iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join("+")
    };
    let monthly = keys.contains(&GroupKey::Month);
    let whole = if monthly {
        Whole::No
    } else {
        Whole::Unlabelled
    };
    let mut rows =
        TimeToX::new(&durations, &in_window, &shared, period).rows(keys, &scope, monthly, whole);
    sort_metric_rows(&mut rows, |_| 0);
    rows
}

/// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month of the window
/// and over the whole window (`month = all`). Incidents without a severity have no severity row.
pub fn report_metric_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    period: &Period,
    anchor: Anchor,
) -> Vec<MetricRow> {
    let shared = Exploded::new(incidents, impacts);
    let (durations, in_window) = derived(incidents, anchor, Some(period));
    TimeToX::new(&durations, &in_window, &shared, period).report_rows()
}
