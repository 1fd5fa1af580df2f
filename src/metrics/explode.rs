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

use crate::error::Result;
use crate::model::{ALL_COMPONENTS, IMPACT_NONE, Level, col, window_source};

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
    pub(super) member_own: Vec<bool>,
    /// Each incident's level code (`-1` for impact `none`: no window) and the end of its own
    /// window (`None`: open).
    pub(super) level: Vec<i8>,
    pub(super) own_end: Vec<Option<i64>>,
    /// The windows of impact rows.
    pub(super) impact: ImpactWindows,
    /// Each incident's id, for the windows' rows.
    pub(super) ids: StringChunked,
}

/// Impact rows as windows: incident (input row), component id, level code, start, end
/// (`None`: open).
#[derive(Default)]
pub(super) struct ImpactWindows {
    pub(super) row: Vec<u32>,
    pub(super) cid: Vec<u32>,
    pub(super) level: Vec<i8>,
    pub(super) start: Vec<Option<i64>>,
    pub(super) end: Vec<Option<i64>>,
}

impl ImpactWindows {
    /// Impact rows as windows, for the components some membership of their vendor has (a row
    /// of an incident whose windows are not precise may name another: it has none).
    fn new(
        impacts: &DataFrame,
        imp_row: &[Option<u32>],
        comp_ids: &FirstSeen<(u32, &str)>,
        vendor_of: &[u32],
    ) -> Result<ImpactWindows> {
        let mut w = ImpactWindows::default();
        if imp_row.is_empty() {
            return Ok(w);
        }
        let (component, impact) = (text(impacts, col::COMPONENT)?, text(impacts, col::IMPACT)?);
        let (start, end) = (millis(impacts, col::START)?, millis(impacts, col::END)?);
        for (k, r) in imp_row.iter().enumerate() {
            let Some(r) = *r else { continue };
            let c = component.get(k).unwrap_or_default();
            if let Some(cid) = comp_ids.get(&(vendor_of[r as usize], c)) {
                w.row.push(r);
                w.cid.push(cid);
                w.level.push(level_code(impact.get(k)));
                w.start.push(start[k]);
                w.end.push(end[k]);
            }
        }
        Ok(w)
    }

    /// A window without an end ends when its incident resolves (still open when it has not).
    fn end_at_resolution(&mut self, resolved: &[Option<i64>]) {
        for (end, &r) in self.end.iter_mut().zip(&self.row) {
            *end = end.or(resolved[r as usize]);
        }
    }
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

/// Each incident's times and level: `started_at`, `resolved_at`, the end of its own window
/// (`mitigated_at`, else `resolved_at`) and its level code.
struct Times {
    started: Vec<Option<i64>>,
    resolved: Vec<Option<i64>>,
    pub(super) own_end: Vec<Option<i64>>,
    pub(super) level: Vec<i8>,
}

impl Times {
    fn new(incidents: &DataFrame) -> Result<Times> {
        let resolved = millis(incidents, col::RESOLVED_AT)?;
        let own_end = millis(incidents, col::MITIGATED_AT)?
            .into_iter()
            .zip(&resolved)
            .map(|(m, r)| m.or(*r))
            .collect();
        Ok(Times {
            started: millis(incidents, col::STARTED_AT)?,
            resolved,
            own_end,
            level: text(incidents, col::IMPACT)?
                .iter()
                .map(level_code)
                .collect(),
        })
    }
}

fn text(df: &DataFrame, c: &str) -> Result<StringChunked> {
    Ok(df.column(c)?.str()?.clone())
}

/// The incident (input row) of each impact row, by `(vendor, id)`; `None` for a row of no
/// incident.
fn impact_rows(
    vendor: &StringChunked,
    ids: &StringChunked,
    impacts: &DataFrame,
) -> Result<Vec<Option<u32>>> {
    if impacts.height() == 0 {
        return Ok(Vec::new());
    }
    let row_of: FastMap<(&str, &str), u32> = vendor
        .iter()
        .zip(ids.iter())
        .enumerate()
        .map(|(r, (v, i))| ((v.unwrap_or_default(), i.unwrap_or_default()), r as u32))
        .collect();
    let (iv, ii) = (text(impacts, col::VENDOR)?, text(impacts, col::ID)?);
    Ok(iv
        .iter()
        .zip(ii.iter())
        .map(|(v, i)| {
            row_of
                .get(&(v.unwrap_or_default(), i.unwrap_or_default()))
                .copied()
        })
        .collect())
}

/// The memberships of incidents in components, components numbered as first seen.
struct Members<'a> {
    comp_ids: FirstSeen<(u32, &'a str)>,
    row: Vec<u32>,
    cid: Vec<u32>,
    own: Vec<bool>,
}

impl<'a> Members<'a> {
    /// An incident counts for the components of its impact rows when its windows are precise
    /// and it has such rows (`rows_components`), else for those its `components` lists. A
    /// vendor's list of components is split once: its ids are kept for the next incident
    /// listing the same (most do).
    fn new(
        components: &'a StringChunked,
        source: &'a StringChunked,
        vendor_of: &[u32],
        rows_components: &FastMap<u32, Vec<&'a str>>,
    ) -> Members<'a> {
        let n = components.len();
        let mut m = Members {
            comp_ids: FirstSeen::new(),
            row: Vec::with_capacity(n + n / 2),
            cid: Vec::with_capacity(n + n / 2),
            own: Vec::with_capacity(n + n / 2),
        };
        let mut listed: Vec<&str> = Vec::new();
        let mut lists: FastMap<(u32, Option<&str>), (usize, usize)> = FastMap::default();
        let mut list_ids: Vec<u32> = Vec::new();
        for (r, (list, ws)) in components.iter().zip(source.iter()).enumerate() {
            let record = ws.is_none_or(|s| s == window_source::RECORD);
            let v = vendor_of[r];
            if !record && let Some(from_rows) = rows_components.get(&(r as u32)) {
                for c in from_rows {
                    let cid = m.comp_ids.id((v, c));
                    m.push(r, cid, false);
                }
                continue;
            }
            let (from, to) = *lists.entry((v, list)).or_insert_with(|| {
                split_list(list, &mut listed);
                let from = list_ids.len();
                list_ids.extend(listed.iter().map(|c| m.comp_ids.id((v, c))));
                (from, list_ids.len())
            });
            for &cid in &list_ids[from..to] {
                m.push(r, cid, record);
            }
        }
        m
    }

    fn push(&mut self, row: usize, cid: u32, own: bool) {
        self.row.push(row as u32);
        self.cid.push(cid);
        self.own.push(own);
    }
}

/// The names a `components` list holds, each once, in order (split on `;`; an empty or
/// missing name is `(all)`).
fn split_list<'a>(list: Option<&'a str>, out: &mut Vec<&'a str>) {
    out.clear();
    match list {
        None => out.push(ALL_COMPONENTS),
        Some(list) => {
            for c in list.split(';') {
                let c = if c.is_empty() { ALL_COMPONENTS } else { c };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
}

impl Exploded {
    pub fn new(incidents: &DataFrame, impacts: &DataFrame) -> Result<Exploded> {
        let (vendor, ids) = (text(incidents, col::VENDOR)?, text(incidents, col::ID)?);
        let (components, source) = (
            text(incidents, col::COMPONENTS)?,
            text(incidents, col::WINDOW_SOURCE)?,
        );
        // The vendors' ids on one core, each incident's times and level on the other.
        let ((vendor_of, vendors), times) = rayon::join(
            || dense_ids(vendor.iter().map(Option::unwrap_or_default)),
            || Times::new(incidents),
        );
        let times = times?;
        let vendors: Vec<String> = vendors.into_iter().map(str::to_string).collect();
        // The impact rows' incidents and components.
        let imp_component = text(impacts, col::COMPONENT)?;
        let imp_row = impact_rows(&vendor, &ids, impacts)?;
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
        let mut members = Members::new(&components, &source, &vendor_of, &rows_components);
        let mut impact = ImpactWindows::new(impacts, &imp_row, &members.comp_ids, &vendor_of)?;
        impact.end_at_resolution(&times.resolved);
        // Ids in (vendor, component) order: vendor ids are already in name order.
        let (rank, comps) = members.comp_ids.ranked();
        for c in members.cid.iter_mut().chain(impact.cid.iter_mut()) {
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
            started: times.started,
            member_row: members.row,
            member_cid: members.cid,
            member_own: members.own,
            level: times.level,
            own_end: times.own_end,
            impact,
            ids,
        })
    }
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
