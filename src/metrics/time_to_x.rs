//! Time to x (contract section 2): MTTD, MTTA, MTTI, MTTM and MTTR, grouped. Which instant each
//! duration runs from ([`Metric::anchor_column`]); the groupings of `metrics.csv` (`all`, `vendor`,
//! `component`, `severity`, each per month and over the window) and of the `metrics` command;
//! the rows' order. The durations come from the incident table ([`super::table`]), the
//! memberships in components from [`super::explode`], the five statistics from
//! [`super::stats`].

use polars::prelude::*;

use super::explode::{Exploded, dense_ids};
use super::stats;
use super::table::incident_table_ordered;
use crate::error::Result;
use crate::model::{Anchor, GroupKey, Incidents, Metric, MetricRow, When, col};
use crate::period::Period;

/// Name of the month key of a grouping.
pub const MONTH: &str = "month";

/// Column names of a grouping.
pub fn key_columns(keys: &[GroupKey]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for k in keys {
        match k {
            GroupKey::Vendor => out.push(col::VENDOR),
            GroupKey::Component => {
                if !out.contains(&col::VENDOR) {
                    out.push(col::VENDOR);
                }
                out.push(col::COMPONENT);
            }
            GroupKey::Severity => out.push(col::SEVERITY),
            GroupKey::Month => out.push(MONTH),
        }
    }
    let mut seen = Vec::new();
    out.retain(|c| {
        let new = !seen.contains(c);
        seen.push(*c);
        new
    });
    out
}

/// What the time-to-x rows are grouped from: the incident table (its rows in the report
/// order), each row's input row, and the shared integer keys.
pub(super) struct TimeToX<'a> {
    table: &'a Incidents,
    /// The input row of each table row, and the table row of each input row.
    row_of: &'a [u32],
    position: Vec<u32>,
    shared: &'a Exploded,
    period: &'a Period,
    /// Each table row's month in the window ([`OUTSIDE`] when it started outside the window).
    month: Vec<u32>,
    /// Each table row's severity id ([`OUTSIDE`] when it has none), and the severities by id.
    severity: Vec<u32>,
    severities: Vec<&'a str>,
}

/// No month, no severity.
const OUTSIDE: u32 = u32::MAX;

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
    pub(super) fn new(
        table: &'a Incidents,
        row_of: &'a [u32],
        shared: &'a Exploded,
        period: &'a Period,
    ) -> TimeToX<'a> {
        let mut position = vec![0u32; row_of.len()];
        for (p, &r) in row_of.iter().enumerate() {
            position[r as usize] = p as u32;
        }
        let month = table.timestamps[0]
            .iter()
            .zip(&table.in_window)
            .map(|(t, &inside)| match t {
                Some(t) if inside => period.months[1..].partition_point(|m| m.start <= t) as u32,
                _ => OUTSIDE,
            })
            .collect();
        let (severity, severities) = dense_ids((0..table.len()).map(|p| table.severity.get(p)));
        // `None` sorts first: it is the id before the named severities.
        let has_none = severities.first().is_some_and(Option::is_none);
        let severity = severity
            .into_iter()
            .map(|i| match (has_none, i) {
                (true, 0) => OUTSIDE,
                (true, i) => i - 1,
                (false, i) => i,
            })
            .collect();
        TimeToX {
            table,
            row_of,
            position,
            shared,
            period,
            month,
            severity,
            severities: severities.into_iter().flatten().collect(),
        }
    }

    /// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month and over
    /// the whole window; the four groupings aggregated together.
    pub(super) fn report_rows(&self) -> Vec<MetricRow> {
        let sets: Vec<stats::Buckets> = REPORT_SCOPES
            .iter()
            .map(|(_, keys)| self.items(keys, true).bucket())
            .collect();
        let grouped = stats::aggregate_all(&sets, &self.table.durations_ms);
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
        let grouped = stats::aggregate(self.items(keys, monthly), &self.table.durations_ms);
        self.rows_of(&grouped, keys, scope, monthly, whole)
    }

    /// How many severities a grouping by `keys` tells apart (1 when it does not group by them).
    fn n_sev(&self, keys: &[GroupKey]) -> usize {
        if keys.contains(&GroupKey::Severity) {
            self.severities.len()
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
            sh.vendors.len()
        } else {
            1
        };
        let n_sev = self.n_sev(keys);
        let n_cells = if monthly { self.period.months.len() } else { 1 };
        let capacity = if by(GroupKey::Component) {
            sh.member_row.len()
        } else {
            self.table.len()
        };
        let mut items = stats::Items::new(n_base * n_sev, n_cells, capacity);
        // The item of table row `p` in base key `base`, unless it has no month or no severity.
        let mut push = |base: u32, p: u32| {
            let month = self.month[p as usize];
            let sev = if by(GroupKey::Severity) {
                self.severity[p as usize]
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
                push(cid, self.position[row as usize]);
            }
        } else if by(GroupKey::Vendor) {
            for p in 0..self.table.len() as u32 {
                push(sh.vendor_of[self.row_of[p as usize] as usize], p);
            }
        } else {
            for p in 0..self.table.len() as u32 {
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
                (Some(sh.vendors[base].clone()), None)
            } else {
                (None, None)
            };
            let severity = by(GroupKey::Severity).then(|| self.severities[sev].to_string());
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
    incidents: &DataFrame,
    impacts: &DataFrame,
    keys: &[GroupKey],
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    let (shared, table, row_of) = exploded_and_table(incidents, impacts, period, anchor)?;
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
        TimeToX::new(&table, &row_of, &shared, period).rows(keys, &scope, monthly, whole);
    sort_metric_rows(&mut rows, |_| 0);
    Ok(rows)
}

/// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month of the window
/// and over the whole window (`month = all`). Incidents without a severity have no severity row.
pub fn report_metric_rows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    let (shared, table, row_of) = exploded_and_table(incidents, impacts, period, anchor)?;
    Ok(TimeToX::new(&table, &row_of, &shared, period).report_rows())
}

/// What the time-to-x rows are grouped from: the memberships, the incident table in report
/// order, and the input row of each of its rows.
fn exploded_and_table(
    incidents: &DataFrame,
    impacts: &DataFrame,
    period: &Period,
    anchor: Anchor,
) -> Result<(Exploded, Incidents, Vec<u32>)> {
    let shared = Exploded::new(incidents, impacts)?;
    let (table, row_of) = incident_table_ordered(
        incidents.clone(),
        anchor,
        Some(period),
        Some(&shared.vendor_of),
    )?;
    Ok((shared, table, row_of))
}
