//! The incidents exploded into the components they count for, once per report, with integer
//! keys: what the sweep ([`super::sweep`]) and the time-to-x figures by component
//! ([`super::stats`]) both start from.
//!
//! Memberships (contract section 2): an incident counts for each component listed in its
//! `components` (split on `;`, each listed once; an empty or missing name is `(all)`), or, when
//! its windows are precise (a window source other than `record`) and the impacts table has rows
//! for it, for the components of those rows instead.
//!
//! Windows (contract section 3): an incident whose window source is `record` has one window per
//! listed component, from `started_at` to `mitigated_at`, else `resolved_at`; each impact row is
//! a window of its own, ending at the incident's `resolved_at` when it has no end. Both are open
//! (to the report's end) without an end; [`super::windows`] clips them.
//!
//! One pass over the text columns and a hash of `(vendor id, component)` replace the dataframe
//! explode, split, unique and joins this took before (docs/performance.md).

use std::collections::HashMap;
use std::hash::Hash;

use polars::prelude::*;

use super::windows::Windows;
use crate::error::Result;
use crate::model::{
    ALL_COMPONENTS, ComponentWindows, IMPACT_NONE, Level, WindowRow, col, window_source,
};
use crate::period::Period;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The memberships and windows of a report's incidents, with integer keys.
pub struct Exploded {
    /// The components in (vendor, component) order: a component's id is its index.
    pub comp_vendor: Vec<String>,
    pub comp_name: Vec<String>,
    /// The vendors in order: a vendor's id is its index.
    pub vendors: Vec<String>,
    /// Each incident's vendor id and `started_at` (ms), by input row.
    pub vendor_of: Vec<u32>,
    pub started: Vec<Option<i64>>,
    /// The memberships: each one's incident (input row) and component id.
    pub member_row: Vec<u32>,
    pub member_cid: Vec<u32>,
    /// Whether a membership is also a window of the incident's own timestamps.
    member_own: Vec<bool>,
    /// Each incident's level code (`-1` for impact `none`: no window) and the end of its own
    /// window (`None`: open).
    level: Vec<i8>,
    own_end: Vec<Option<i64>>,
    /// The windows of impact rows.
    impact: ImpactWindows,
    /// Each incident's id, for the windows' rows.
    ids: StringChunked,
}

/// Impact rows as windows: incident (input row), component id, level code, start, end
/// (`None`: open).
#[derive(Default)]
struct ImpactWindows {
    row: Vec<u32>,
    cid: Vec<u32>,
    level: Vec<i8>,
    start: Vec<Option<i64>>,
    end: Vec<Option<i64>>,
}

/// The sweep code of an impact; `-1` for `none`; an unknown impact counts as a major outage.
fn level_code(impact: Option<&str>) -> i8 {
    match impact {
        Some(IMPACT_NONE) => -1,
        Some(s) => Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .unwrap_or(Level::MajorOutage)
            .code() as i8,
        None => Level::MajorOutage.code() as i8,
    }
}

fn millis(df: &DataFrame, c: &str) -> Result<Vec<Option<i64>>> {
    Ok(df
        .column(c)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

impl Exploded {
    pub fn new(incidents: &DataFrame, impacts: &DataFrame) -> Result<Exploded> {
        let text = |c: &str| -> Result<StringChunked> { Ok(incidents.column(c)?.str()?.clone()) };
        let (vendor, ids) = (text(col::VENDOR)?, text(col::ID)?);
        let (components, source) = (text(col::COMPONENTS)?, text(col::WINDOW_SOURCE)?);
        let n = incidents.height();
        // The vendors' ids on this core, each incident's times and level on the other.
        type Times = (
            Vec<Option<i64>>,
            Vec<Option<i64>>,
            Vec<Option<i64>>,
            Vec<i8>,
        );
        let ((vendor_of, vendors), times) = std::thread::scope(|s| {
            let times = s.spawn(|| -> Result<Times> {
                let started = millis(incidents, col::STARTED_AT)?;
                let resolved = millis(incidents, col::RESOLVED_AT)?;
                let own_end = millis(incidents, col::MITIGATED_AT)?
                    .into_iter()
                    .zip(&resolved)
                    .map(|(m, r)| m.or(*r))
                    .collect();
                let level = text(col::IMPACT)?.iter().map(level_code).collect();
                Ok((started, resolved, own_end, level))
            });
            let ids = dense_ids(vendor.iter().map(Option::unwrap_or_default));
            let times = times
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (ids, times)
        });
        let (started, resolved, own_end, level) = times?;
        let vendors: Vec<String> = vendors.into_iter().map(str::to_string).collect();

        // The impact rows' incidents and components.
        let imp_text = |c: &str| -> Result<StringChunked> { Ok(impacts.column(c)?.str()?.clone()) };
        let (imp_component, imp_impact) = (imp_text(col::COMPONENT)?, imp_text(col::IMPACT)?);
        let imp_row: Vec<Option<u32>> = if impacts.height() == 0 {
            Vec::new()
        } else {
            let row_of: FastMap<(&str, &str), u32> = vendor
                .iter()
                .zip(ids.iter())
                .enumerate()
                .map(|(r, (v, i))| ((v.unwrap_or_default(), i.unwrap_or_default()), r as u32))
                .collect();
            let (iv, ii) = (imp_text(col::VENDOR)?, imp_text(col::ID)?);
            iv.iter()
                .zip(ii.iter())
                .map(|(v, i)| {
                    row_of
                        .get(&(v.unwrap_or_default(), i.unwrap_or_default()))
                        .copied()
                })
                .collect()
        };
        let mut rows_components: FastMap<u32, Vec<&str>> = FastMap::default();
        for (r, c) in imp_row.iter().zip(imp_component.iter()) {
            if let Some(r) = r {
                let list = rows_components.entry(*r).or_default();
                let c = c.unwrap_or_default();
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }

        // Memberships, with components numbered as first seen. A vendor's list of components
        // is split once: its ids are kept for the next incident listing the same (most do).
        let mut comp_ids: FirstSeen<(u32, &str)> = FirstSeen::new();
        let mut member_row = Vec::with_capacity(n + n / 2);
        let mut member_cid = Vec::with_capacity(n + n / 2);
        let mut member_own = Vec::with_capacity(n + n / 2);
        let mut listed: Vec<&str> = Vec::new();
        let mut lists: FastMap<(u32, Option<&str>), (usize, usize)> = FastMap::default();
        let mut list_ids: Vec<u32> = Vec::new();
        for (r, (list, ws)) in components.iter().zip(source.iter()).enumerate() {
            let record = ws.is_none_or(|s| s == window_source::RECORD);
            let v = vendor_of[r];
            if !record && let Some(from_rows) = rows_components.get(&(r as u32)) {
                for c in from_rows {
                    member_row.push(r as u32);
                    member_cid.push(comp_ids.id((v, c)));
                    member_own.push(false);
                }
                continue;
            }
            let (from, to) = *lists.entry((v, list)).or_insert_with(|| {
                listed.clear();
                match list {
                    None => listed.push(ALL_COMPONENTS),
                    Some(list) => {
                        for c in list.split(';') {
                            let c = if c.is_empty() { ALL_COMPONENTS } else { c };
                            if !listed.contains(&c) {
                                listed.push(c);
                            }
                        }
                    }
                }
                let from = list_ids.len();
                list_ids.extend(listed.iter().map(|c| comp_ids.id((v, c))));
                (from, list_ids.len())
            });
            for &cid in &list_ids[from..to] {
                member_row.push(r as u32);
                member_cid.push(cid);
                member_own.push(record);
            }
        }
        // Impact rows as windows, for the components some membership of their vendor has (a
        // row of an incident whose windows are not precise may name another: it has none).
        let mut impact = ImpactWindows::default();
        if !imp_row.is_empty() {
            let (start, end) = (millis(impacts, col::START)?, millis(impacts, col::END)?);
            for (k, r) in imp_row.iter().enumerate() {
                let Some(r) = *r else { continue };
                let c = imp_component.get(k).unwrap_or_default();
                if let Some(cid) = comp_ids.get(&(vendor_of[r as usize], c)) {
                    impact.row.push(r);
                    impact.cid.push(cid);
                    impact.level.push(level_code(imp_impact.get(k)));
                    impact.start.push(start[k]);
                    impact.end.push(end[k].or(resolved[r as usize]));
                }
            }
        }
        // Ids in (vendor, component) order: vendor ids are already in name order.
        let (rank, comps) = comp_ids.ranked();
        for c in member_cid.iter_mut().chain(impact.cid.iter_mut()) {
            *c = rank[*c as usize];
        }
        let (comp_vendor, comp_name) = comps
            .into_iter()
            .map(|(v, c)| (vendors[v as usize].clone(), c.to_string()))
            .unzip();
        Ok(Exploded {
            comp_vendor,
            comp_name,
            vendors,
            vendor_of,
            started,
            member_row,
            member_cid,
            member_own,
            level,
            own_end,
            impact,
            ids,
        })
    }

    /// The windows clipped to `period`: the incidents' own, then the impact rows'; each with
    /// its component's id and its vendor's (plus `vendor_offset`).
    pub fn windows(&self, period: &Period, vendor_offset: u32) -> Windows {
        let mut w = Windows::with_capacity(self.member_row.len());
        for ((&row, &cid), _) in self
            .member_row
            .iter()
            .zip(&self.member_cid)
            .zip(&self.member_own)
            .filter(|(_, own)| **own)
        {
            let r = row as usize;
            w.push(
                period,
                row,
                cid,
                vendor_offset + self.vendor_of[r],
                self.level[r],
                self.started[r],
                self.own_end[r],
            );
        }
        let imp = &self.impact;
        for k in 0..imp.row.len() {
            let r = imp.row[k] as usize;
            w.push(
                period,
                imp.row[k],
                imp.cid[k],
                vendor_offset + self.vendor_of[r],
                imp.level[k],
                imp.start[k],
                imp.end[k],
            );
        }
        w
    }

    /// Windows as rows, from `from` on (started earlier: cut to `from`), by component and
    /// start.
    pub fn window_rows(&self, w: &Windows, from: i64) -> Vec<WindowRow> {
        kept_order(w, from)
            .into_iter()
            .filter_map(|i| {
                let cid = w.cid[i] as usize;
                Some(WindowRow {
                    vendor: self.comp_vendor[cid].clone(),
                    component: self.comp_name[cid].clone(),
                    id: self.ids.get(w.row[i] as usize)?.to_string(),
                    level: Level::from_code(w.level[i])?,
                    start: w.start[i].max(from),
                    end: w.end[i],
                })
            })
            .collect()
    }

    /// [`Exploded::window_rows`] without the incidents' ids, compactly: the timeline's.
    pub fn component_windows(&self, w: &Windows, from: i64) -> ComponentWindows {
        let comps = self.comp_name.len();
        let (at, kept) = kept_by_component(w, from, comps);
        let mut component = Vec::with_capacity(kept.len());
        for c in 0..comps {
            component.extend(std::iter::repeat_n(c as u32, at[c + 1] - at[c]));
        }
        let level = |code: i32| Level::from_code(code).unwrap_or(Level::MajorOutage);
        ComponentWindows {
            components: self
                .comp_vendor
                .iter()
                .cloned()
                .zip(self.comp_name.iter().cloned())
                .collect(),
            component,
            level: kept
                .iter()
                .map(|&(_, i)| level(w.level[i as usize]))
                .collect(),
            start: kept.iter().map(|&(start, _)| start).collect(),
            end: kept.iter().map(|&(_, i)| w.end[i as usize]).collect(),
        }
    }
}

/// The windows that reach past `from`, by component, then start (cut to `from`); windows
/// starting together keep their order.
fn kept_order(w: &Windows, from: i64) -> Vec<usize> {
    let comps = w.cid.iter().max().map_or(0, |&c| c as usize + 1);
    let (_, kept) = kept_by_component(w, from, comps);
    kept.into_iter().map(|(_, i)| i as usize).collect()
}

/// [`kept_order`] of the windows of components `0..comps`, as `(start cut to from, index)`
/// pairs; component `c`'s at `at[c]..at[c + 1]`: `(at, pairs)`.
fn kept_by_component(w: &Windows, from: i64, comps: usize) -> (Vec<usize>, Vec<(i64, u32)>) {
    let kept = |i: usize| w.end[i] > from && (w.cid[i] as usize) < comps;
    // Grouped by component with a counting sort (stable), then each group by start.
    let mut at = vec![0usize; comps + 1];
    for i in 0..w.len() {
        if kept(i) {
            at[w.cid[i] as usize + 1] += 1;
        }
    }
    for c in 0..comps {
        at[c + 1] += at[c];
    }
    // Each group as (start, index) pairs side by side: sorted without looking elsewhere, and
    // the index (rising within a group) keeps windows that start together in their order.
    let mut next = at.clone();
    let mut pairs = vec![(0i64, 0u32); at[comps]];
    for i in 0..w.len() {
        if kept(i) {
            let c = w.cid[i] as usize;
            pairs[next[c]] = (w.start[i].max(from), i as u32);
            next[c] += 1;
        }
    }
    for c in 0..comps {
        pairs[at[c]..at[c + 1]].sort_unstable();
    }
    (at, pairs)
}

/// Ids numbered as keys are first seen, renumbered at the end in the keys' order.
struct FirstSeen<K> {
    ids: FastMap<K, u32>,
    keys: Vec<K>,
}

impl<K: Copy + Eq + Hash + Ord> FirstSeen<K> {
    fn new() -> FirstSeen<K> {
        FirstSeen {
            ids: FastMap::default(),
            keys: Vec::new(),
        }
    }

    /// `k`'s id, a new one when it is first seen.
    fn id(&mut self, k: K) -> u32 {
        let keys = &mut self.keys;
        *self.ids.entry(k).or_insert_with(|| {
            keys.push(k);
            (keys.len() - 1) as u32
        })
    }

    fn get(&self, k: &K) -> Option<u32> {
        self.ids.get(k).copied()
    }

    /// The final id of each first-seen id, and the keys by final id (in order).
    fn ranked(self) -> (Vec<u32>, Vec<K>) {
        let keys = self.keys;
        let mut by_key: Vec<u32> = (0..keys.len() as u32).collect();
        by_key.sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        let mut rank = vec![0u32; keys.len()];
        for (r, &k) in by_key.iter().enumerate() {
            rank[k as usize] = r as u32;
        }
        (rank, by_key.iter().map(|&k| keys[k as usize]).collect())
    }
}

/// Dense ids of `keys`, numbered in the order of the distinct keys: each key's id, and the
/// distinct keys by id.
pub fn dense_ids<K: Copy + Eq + Hash + Ord>(keys: impl Iterator<Item = K>) -> (Vec<u32>, Vec<K>) {
    let mut seen = FirstSeen::new();
    let ids: Vec<u32> = keys.map(|k| seen.id(k)).collect();
    let (rank, distinct) = seen.ranked();
    (
        ids.into_iter().map(|i| rank[i as usize]).collect(),
        distinct,
    )
}
