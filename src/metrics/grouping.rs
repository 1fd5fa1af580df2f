//! Time to x by any keys and any periods (`mttx metrics --by ... --period ...`, the report's
//! breakdown). Each incident (grouped by component: each of its memberships) falls in the group
//! of its keys' values, an incident without a value in the group `(none)`, and in the period
//! its `started_at` falls in (incidents started outside the window count in none). The five
//! statistics come from [`super::stats`], as for `metrics.csv`: a group and period with at
//! least one incident has all five rows (`n` may be 0 in one of them), one without has none.

use super::explode::Exploded;
use super::stats;
use super::sweep::{self, Span};
use super::table::derived;
use crate::error::{Error, Result};
use crate::maps::{FastMap, FirstSeen};
use crate::model::{
    Anchor, BreakdownRow, GroupKey, GroupRow, Metric, NONE_GROUP, col, severity_rank,
};
use crate::period::{Cut, ReportWindow};
use crate::table::{ImpactTable, IncidentTable, Keys};

/// One key of a grouping: each row's code (memberships' component ids for `component`), and
/// the value of each code in order; [`Keys::MISSING`] is `(none)`, after every value.
struct KeyColumn {
    codes: Vec<u32>,
    labels: Vec<String>,
    component: bool,
}

impl KeyColumn {
    fn new(key: &GroupKey, table: &IncidentTable, shared: &Exploded) -> Result<KeyColumn> {
        let keys = |k: &Keys| KeyColumn {
            codes: k.codes.clone(),
            labels: k.values.clone(),
            component: false,
        };
        Ok(match key {
            GroupKey::Vendor => keys(&table.vendor),
            GroupKey::Component => KeyColumn {
                codes: Vec::new(),
                labels: shared.comp_name.clone(),
                component: true,
            },
            GroupKey::Severity => {
                // Severities in their order of gravity, not of their names.
                let s = &table.severity;
                let mut order: Vec<usize> = (0..s.values.len()).collect();
                order.sort_by(|&a, &b| {
                    severity_rank(&s.values[a]).cmp(&severity_rank(&s.values[b]))
                });
                let mut rank = vec![0u32; order.len()];
                for (r, &c) in order.iter().enumerate() {
                    rank[c] = r as u32;
                }
                KeyColumn {
                    codes: (s.codes.iter())
                        .map(|&c| rank.get(c as usize).copied().unwrap_or(Keys::MISSING))
                        .collect(),
                    labels: order.iter().map(|&c| s.values[c].clone()).collect(),
                    component: false,
                }
            }
            GroupKey::Impact => keys(&table.impact.iter().collect()),
            GroupKey::Dim(name) => match table.dims.iter().find(|(n, _)| n == name) {
                Some((_, k)) => keys(k),
                None => return Err(unknown_key(name, table)),
            },
        })
    }

    /// How many codes the key has, `(none)` included.
    fn radix(&self) -> u128 {
        self.labels.len() as u128 + 1
    }

    fn code(&self, row: u32, cid: u32) -> u128 {
        let c = if self.component {
            cid
        } else {
            self.codes[row as usize]
        };
        u128::from(c.min(self.labels.len() as u32))
    }

    fn label(&self, code: usize) -> &str {
        self.labels.get(code).map_or(NONE_GROUP, String::as_str)
    }
}

/// The usage error of a key the inputs do not have, naming those they have.
pub fn unknown_key(name: &str, table: &IncidentTable) -> Error {
    let mut known: Vec<&str> = vec![col::VENDOR, col::COMPONENT, col::SEVERITY, col::IMPACT];
    known.extend(table.dims.iter().map(|(n, _)| n.as_str()));
    Error::Usage(format!(
        "--by {name}: no key '{name}' in the inputs (keys: {})",
        known.join(", ")
    ))
}

/// The columns of a grouping by `keys`, each once: a component comes with its vendor.
pub fn group_columns(keys: &[GroupKey]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        if *k == GroupKey::Component && !keys.contains(&GroupKey::Vendor) {
            out.push(col::VENDOR.into());
        }
        out.push(k.as_str().into());
    }
    out
}

/// The items of a grouping: every incident (or membership) with its group, groups numbered in
/// their order; and the cell (period) each incident started in.
struct Grouping<'a> {
    shared: Exploded<'a>,
    columns: Vec<KeyColumn>,
    /// The groups' mixed-radix keys, in order.
    groups: Vec<u128>,
    /// `(group, row)` of every item.
    items: Vec<(u32, u32)>,
    /// Each row's cell, [`Keys::MISSING`] when it started outside the window.
    cell_of: Vec<u32>,
    durations: [crate::table::Millis; 5],
}

impl<'a> Grouping<'a> {
    fn new(
        incidents: &'a IncidentTable,
        impacts: &'a ImpactTable,
        keys: &[GroupKey],
        cells: &[crate::period::PeriodSpan],
        period: &ReportWindow,
        anchor: Anchor,
    ) -> Result<Grouping<'a>> {
        let shared = Exploded::new(incidents, impacts);
        let columns: Vec<KeyColumn> = (keys.iter())
            .map(|k| KeyColumn::new(k, incidents, &shared))
            .collect::<Result<_>>()?;
        let (durations, in_window) = derived(incidents, anchor, Some(period));
        let cell_of: Vec<u32> = (incidents.timestamps[0].iter().zip(&in_window))
            .map(|(t, &inside)| match t {
                Some(t) if inside => cells[1..].partition_point(|c| c.start <= t) as u32,
                _ => Keys::MISSING,
            })
            .collect();
        // Each item's group: its keys' codes as one mixed-radix number (the first key most
        // significant, so numbers sort as the groups do), numbered densely.
        let by_component = columns.iter().any(|c| c.component);
        let pairs: Box<dyn Iterator<Item = (u32, u32)>> = if by_component {
            Box::new((shared.member_row.iter().copied()).zip(shared.member_cid.iter().copied()))
        } else {
            Box::new((0..incidents.len() as u32).map(|r| (r, 0)))
        };
        let mut seen = FirstSeen::default();
        let mut items = Vec::new();
        for (row, cid) in pairs {
            items.push((seen.id(group_key(&columns, row, cid)?), row));
        }
        let (rank, groups) = seen.ranked();
        for (g, _) in &mut items {
            *g = rank[*g as usize];
        }
        Ok(Grouping {
            shared,
            columns,
            groups,
            items,
            cell_of,
            durations,
        })
    }

    /// The five statistics per group and cell, of the items started in the window.
    fn stats(&self, n_cells: usize) -> Result<stats::Grouped> {
        let mut buckets = stats::Items::new(self.groups.len(), n_cells, self.items.len())?;
        for &(g, row) in &self.items {
            let cell = self.cell_of[row as usize];
            if cell != Keys::MISSING {
                buckets.push(g, cell, row);
            }
        }
        Ok(stats::aggregate(buckets, &self.durations))
    }

    /// The weighted downtime of each group and cell: the union of its incidents' windows (a
    /// group is down while any of its incidents is), weighted and clipped as a component's.
    fn downtime(
        &self,
        cells: &[crate::period::PeriodSpan],
        period: &ReportWindow,
        weights: &crate::model::Weights,
    ) -> Vec<f64> {
        let win = self.shared.windows(period, 0);
        // The group of each window: its incident's, or its membership's when by component.
        let by_component = self.columns.iter().any(|c| c.component);
        let mut group_of: FastMap<(u32, u32), u32> = FastMap::default();
        for &(g, row) in &self.items {
            group_of.insert((row, 0), g);
        }
        if by_component {
            group_of.clear();
            for (&(g, _), (&row, &cid)) in
                (self.items.iter()).zip(self.shared.member_row.iter().zip(&self.shared.member_cid))
            {
                group_of.insert((row, cid), g);
            }
        }
        let key: Vec<u32> = (win.row.iter().zip(&win.cid))
            .map(|(&row, &cid)| {
                let cid = if by_component { cid } else { 0 };
                group_of.get(&(row, cid)).copied().unwrap_or(u32::MAX)
            })
            .collect();
        let windows = sweep::Windows {
            key: &key,
            level: &win.level,
            start: &win.start,
            end: &win.end,
        };
        let events = sweep::Events::new(&[windows], self.groups.len());
        let spans: Vec<Span> = (cells.iter().enumerate())
            .map(|(cell, c)| Span {
                start: c.start,
                end: c.end,
                cell,
            })
            .collect();
        sweep::sweep(&events, cells.len(), &|_| &spans, weights).downtime_ms
    }

    /// The values of group `g` in the columns of [`group_columns`].
    fn labels(&self, g: usize, keys: &[GroupKey]) -> Vec<String> {
        let mut key = self.groups[g];
        let mut codes = vec![0usize; self.columns.len()];
        for (code, c) in codes.iter_mut().zip(&self.columns).rev() {
            *code = (key % c.radix()) as usize;
            key /= c.radix();
        }
        let mut out = Vec::new();
        for (c, &code) in self.columns.iter().zip(&codes) {
            if c.component && !keys.contains(&GroupKey::Vendor) {
                out.push(
                    self.shared
                        .comp_vendor
                        .get(code)
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            out.push(c.label(code).to_string());
        }
        out
    }
}

/// The mixed-radix key of the item `(row, cid)`.
fn group_key(columns: &[KeyColumn], row: u32, cid: u32) -> Result<u128> {
    let mut key: u128 = 0;
    for c in columns {
        key = (key.checked_mul(c.radix()))
            .and_then(|k| k.checked_add(c.code(row, cid)))
            .ok_or_else(|| Error::Usage("--by: too many groups to count".into()))?;
    }
    Ok(key)
}

/// Time-to-x rows of the incidents of `incidents` grouped by `keys` and cut into periods by
/// `cut`, in the groups' order (each key's values in order, `(none)` last), then the periods',
/// then the metrics'. Its columns are [`group_columns`].
pub fn group_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    keys: &[GroupKey],
    cut: Cut,
    period: &ReportWindow,
    anchor: Anchor,
) -> Result<Vec<GroupRow>> {
    let cells = period.cells(cut);
    let g = Grouping::new(incidents, impacts, keys, &cells, period, anchor)?;
    let grouped = g.stats(cells.len())?;
    let mut rows = Vec::new();
    for group in 0..g.groups.len() {
        let values = g.labels(group, keys);
        for (c, cell) in cells.iter().enumerate() {
            let figures = &grouped.cells[group * cells.len() + c];
            if figures.items == 0 {
                continue;
            }
            for (metric, stats) in Metric::ALL.into_iter().zip(figures.stats) {
                rows.push(GroupRow {
                    values: values.clone(),
                    period: cell.label.clone(),
                    metric,
                    stats,
                });
            }
        }
    }
    Ok(rows)
}

/// The report's breakdown by `keys`: each group in each of the report's periods, then over the
/// whole window (`all`), with its incidents, time-to-x figures and downtime; a group and
/// period with neither incidents nor downtime has no row.
pub fn breakdown(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    keys: &[GroupKey],
    opts: &super::options::Options,
) -> Result<Vec<BreakdownRow>> {
    let period = &opts.period;
    let cells = &period.periods;
    let g = Grouping::new(incidents, impacts, keys, cells, period, opts.anchor)?;
    let grouped = g.stats(cells.len())?;
    let downtime = g.downtime(cells, period, &opts.weights);
    let min = crate::time::MS_PER_MIN as f64;
    let mut rows = Vec::new();
    for group in 0..g.groups.len() {
        let values = g.labels(group, keys);
        let mut row = |label: &str, figures: &stats::Group, down_ms: f64, window_ms: i64| {
            if figures.items > 0 || down_ms > 0.0 {
                rows.push(BreakdownRow {
                    values: values.clone(),
                    period: label.to_string(),
                    incidents: figures.items,
                    stats: figures.stats,
                    downtime_min: down_ms / min,
                    availability_pct: 100.0 * (1.0 - down_ms / window_ms as f64),
                });
            }
        };
        let at = group * cells.len();
        for (c, cell) in cells.iter().enumerate() {
            row(
                &cell.label,
                &grouped.cells[at + c],
                downtime[at + c],
                cell.end - cell.start,
            );
        }
        let total: f64 = downtime[at..at + cells.len()].iter().sum();
        row(
            "all",
            &grouped.whole[group],
            total,
            period.end - period.start,
        );
    }
    Ok(rows)
}
