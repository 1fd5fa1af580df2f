//! Time to x (contract section 2): MTTD, MTTA, MTTI, MTTM and MTTR, grouped. Which instant each
//! duration runs from ([`Metric::anchor_column`]); the groupings of `metrics.csv` (`all`, `vendor`,
//! `component`, `severity`, each per month and over the window) and their rows' order (any
//! other grouping: [`super::grouping`]). The durations come from the incident table ([`super::table`]), the
//! memberships in components from [`super::explode`], the five statistics from
//! [`super::stats`].

use super::explode::Exploded;
use super::stats;
use super::table::derived;
use crate::error::Result;
use crate::model::{Anchor, GroupKey, Metric, MetricRow, PeriodLabel};
use crate::period::ReportWindow;
use crate::table::{ImpactTable, IncidentTable, Keys, Millis};

/// What the time-to-x rows are grouped from: the incident table's durations, the memberships
/// and the integer keys.
pub(super) struct TimeToX<'a> {
    durations: &'a [Millis; 5],
    shared: &'a Exploded<'a>,
    period: &'a ReportWindow,
    /// Each row's month in the window ([`OUTSIDE`] when it started outside the window).
    month: Vec<u32>,
}

/// No month, no severity ([`Keys::MISSING`]).
const OUTSIDE: u32 = Keys::MISSING;

impl<'a> TimeToX<'a> {
    /// Over `shared`'s table, with its `durations` and whether each row started in the window.
    pub(super) fn new(
        durations: &'a [Millis; 5],
        in_window: &[bool],
        shared: &'a Exploded<'a>,
        period: &'a ReportWindow,
    ) -> TimeToX<'a> {
        let month = shared.table.timestamps[0]
            .iter()
            .zip(in_window)
            .map(|(t, &inside)| match t {
                Some(t) if inside => period.periods[1..].partition_point(|m| m.start <= t) as u32,
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
    pub(super) fn report_rows(&self) -> Result<Vec<MetricRow>> {
        let sets: Vec<stats::Buckets> = REPORT_SCOPES
            .iter()
            .map(|(_, keys)| Ok(self.items(keys)?.bucket()))
            .collect::<Result<_>>()?;
        let grouped = stats::aggregate_all(&sets, self.durations);
        let mut rows = Vec::new();
        for ((scope, keys), g) in REPORT_SCOPES.iter().zip(&grouped) {
            rows.extend(self.rows_of(g, keys, scope));
        }
        let rank = |s: &str| REPORT_SCOPES.iter().position(|(n, _)| *n == s).unwrap_or(9);
        sort_metric_rows(&mut rows, rank);
        Ok(rows)
    }

    /// How many severities a grouping by `keys` tells apart (1 when it does not group by them).
    fn n_sev(&self, keys: &[GroupKey]) -> usize {
        if keys.contains(&GroupKey::Severity) {
            self.shared.table.severity.values.len()
        } else {
            1
        }
    }

    /// The items of the grouping by `keys` and month: a key is a base (a component, whose
    /// items are memberships; a vendor; or everything) and a severity.
    fn items(&self, keys: &[GroupKey]) -> Result<stats::Items> {
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
        let n_cells = self.period.periods.len();
        let rows = self.month.len();
        let capacity = if by(GroupKey::Component) {
            sh.member_row.len()
        } else {
            rows
        };
        let mut items = stats::Items::new(n_base * n_sev, n_cells, capacity)?;
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
                items.push(base * n_sev as u32 + sev, month, p);
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
        Ok(items)
    }

    /// The rows of the grouping by `keys` aggregated in `grouped`: each month, then `all`.
    fn rows_of(&self, grouped: &stats::Grouped, keys: &[GroupKey], scope: &str) -> Vec<MetricRow> {
        let by = |k: GroupKey| keys.contains(&k);
        let sh = self.shared;
        let n_sev = self.n_sev(keys);
        let n_cells = grouped.n_cells;
        let mut rows = Vec::new();
        let mut emit = |key: usize, month: PeriodLabel, group: &stats::Group| {
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
                    period: Some(month.clone()),
                    metric: m,
                    stats,
                });
            }
        };
        for (key, whole_group) in grouped.whole.iter().enumerate() {
            for (c, month) in self.period.periods.iter().enumerate() {
                let when = PeriodLabel::Period(month.label.clone());
                emit(key, when, &grouped.cells[key * n_cells + c]);
            }
            emit(key, PeriodLabel::Whole, whole_group);
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
fn month_order(m: &Option<PeriodLabel>) -> (bool, Option<&PeriodLabel>) {
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
            .then_with(|| month_order(&a.period).cmp(&month_order(&b.period)))
            .then_with(|| a.metric.cmp(&b.metric))
    });
}

/// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month of the window
/// and over the whole window (`month = all`). Incidents without a severity have no severity row.
pub fn report_metric_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    period: &ReportWindow,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    let shared = Exploded::new(incidents, impacts);
    let (durations, in_window) = derived(incidents, anchor, Some(period));
    TimeToX::new(&durations, &in_window, &shared, period).report_rows()
}
