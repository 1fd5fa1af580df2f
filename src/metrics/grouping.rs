//! Time to x by any keys and any periods (`mttx metrics --by ... --period ...`, the report's
//! breakdown). Each incident (grouped by component: each of its memberships) falls in the group
//! of its keys' values, an incident without a value in the group `(none)`, and in the period
//! its `started_at` falls in (incidents started outside the window count in none). The five
//! statistics come from [`super::stats`], as for `metrics.csv`: a group and period with at
//! least one incident has all five rows (`n` may be 0 in one of them), one without has none.

use super::explode::Exploded;
use super::stats;
use super::table::derived;
use crate::error::{Error, Result};
use crate::model::{Anchor, GroupKey, GroupRow, Metric, NONE_GROUP, col, severity_rank};
use crate::period::{Cut, Period};
use crate::table::{FirstSeen, ImpactTable, IncidentTable, Keys};

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

/// Time-to-x rows of the incidents of `incidents` grouped by `keys` and cut into periods by
/// `cut`, in the groups' order (each key's values in order, `(none)` last), then the periods',
/// then the metrics'. Its columns are [`group_columns`].
pub fn group_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    keys: &[GroupKey],
    cut: Cut,
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<GroupRow>> {
    let shared = Exploded::new(incidents, impacts);
    let columns: Vec<KeyColumn> = (keys.iter())
        .map(|k| KeyColumn::new(k, incidents, &shared))
        .collect::<Result<_>>()?;
    let (durations, in_window) = derived(incidents, anchor, Some(period));
    let cells = period.cells(cut);
    let cell_of: Vec<u32> = (incidents.timestamps[0].iter().zip(&in_window))
        .map(|(t, &inside)| match t {
            Some(t) if inside => cells[1..].partition_point(|c| c.start <= t) as u32,
            _ => Keys::MISSING,
        })
        .collect();
    // Each item's group: its keys' codes as one mixed-radix number (the first key most
    // significant, so numbers sort as the groups do), numbered densely.
    let by_component = columns.iter().any(|c| c.component);
    let items: Box<dyn Iterator<Item = (u32, u32)>> = if by_component {
        Box::new(
            shared
                .member_row
                .iter()
                .copied()
                .zip(shared.member_cid.iter().copied()),
        )
    } else {
        Box::new((0..incidents.len() as u32).map(|r| (r, 0)))
    };
    let mut seen = FirstSeen::default();
    let mut pushed: Vec<(u32, u32, u32)> = Vec::new();
    for (row, cid) in items {
        let cell = cell_of[row as usize];
        if cell == Keys::MISSING {
            continue;
        }
        let mut key: u128 = 0;
        for c in &columns {
            key = (key.checked_mul(c.radix()))
                .and_then(|k| k.checked_add(c.code(row, cid)))
                .ok_or_else(|| Error::Usage("--by: too many groups to count".into()))?;
        }
        pushed.push((seen.id(key), cell, row));
    }
    let (rank, groups) = seen.ranked();
    let mut buckets = stats::Items::new(groups.len(), cells.len(), pushed.len());
    for (g, cell, row) in pushed {
        buckets.push(rank[g as usize], cell, row);
    }
    let grouped = stats::aggregate(buckets, &durations);
    let mut rows = Vec::new();
    for (g, &key) in groups.iter().enumerate() {
        let values = labels(key, &columns, keys, &shared);
        for (c, cell) in cells.iter().enumerate() {
            let group = &grouped.cells[g * cells.len() + c];
            if group.items == 0 {
                continue;
            }
            for (metric, stats) in Metric::ALL.into_iter().zip(group.stats) {
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

/// The values of group `key` in the columns of [`group_columns`].
fn labels(
    mut key: u128,
    columns: &[KeyColumn],
    keys: &[GroupKey],
    shared: &Exploded,
) -> Vec<String> {
    let mut codes = vec![0usize; columns.len()];
    for (code, c) in codes.iter_mut().zip(columns).rev() {
        *code = (key % c.radix()) as usize;
        key /= c.radix();
    }
    let mut out = Vec::new();
    for (c, &code) in columns.iter().zip(&codes) {
        if c.component && !keys.contains(&GroupKey::Vendor) {
            out.push(shared.comp_vendor.get(code).cloned().unwrap_or_default());
        }
        out.push(c.label(code).to_string());
    }
    out
}
