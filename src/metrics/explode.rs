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
//! One pass over the table's columns and a hash of `(vendor code, component)` replace the
//! dataframe explode, split, unique and joins this took before (docs/performance.md).

use crate::maps::{FastMap, FirstSeen};
use crate::model::{ALL_COMPONENTS, IMPACT_NONE, Level, window_source};
use crate::table::{ImpactTable, IncidentTable, Millis, TextColumn};

/// The memberships and windows of a table's incidents, with integer keys. Incidents are named
/// by their row in the table; a vendor's id is its code there.
pub struct Exploded<'a> {
    pub table: &'a IncidentTable,
    /// The components in (vendor, component) order: a component's id is its index.
    pub comp_vendor: Vec<String>,
    pub comp_name: Vec<String>,
    /// The memberships: each one's incident (row) and component id.
    pub member_row: Vec<u32>,
    pub member_cid: Vec<u32>,
    /// Whether a membership is also a window of the incident's own timestamps.
    pub(super) member_own: Vec<bool>,
    /// Each incident's level code (`-1` for impact `none`: no window) and the end of its own
    /// window (missing: open).
    pub(super) level: Vec<i8>,
    pub(super) own_end: Millis,
    /// The impact rows, and each one's component id ([`NO_COMPONENT`] for a row of a component
    /// no membership of its vendor has: a row of an incident whose windows are not precise may
    /// name another; it has no window).
    pub(super) impacts: &'a ImpactTable,
    pub(super) impact_cid: Vec<u32>,
}

/// The component id of an impact row that has none.
pub(super) const NO_COMPONENT: u32 = u32::MAX;

/// The sweep code of an impact; `-1` for `none`; an unknown impact counts as a major outage.
pub(super) fn level_code(impact: Option<&str>) -> i8 {
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
        components: &'a TextColumn,
        source: &'a TextColumn,
        vendor_of: &[u32],
        rows_components: &FastMap<u32, Vec<&'a str>>,
    ) -> Members<'a> {
        let n = components.len();
        let mut m = Members {
            comp_ids: FirstSeen::default(),
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

impl<'a> Exploded<'a> {
    pub fn new(table: &'a IncidentTable, impacts: &'a ImpactTable) -> Exploded<'a> {
        let vendor_of = &table.vendor.codes;
        // The components of each incident's impact rows.
        let mut rows_components: FastMap<u32, Vec<&str>> = FastMap::default();
        for k in 0..impacts.incident.len() {
            let list = rows_components.entry(impacts.incident[k]).or_default();
            let c = impacts.component.text(k);
            if !list.contains(&c) {
                list.push(c);
            }
        }
        // The memberships on one core, each incident's level and own end on the other.
        let (mut members, (level, own_end)) = rayon::join(
            || {
                Members::new(
                    &table.components,
                    &table.window_source,
                    vendor_of,
                    &rows_components,
                )
            },
            || {
                let level = table.impact.iter().map(level_code).collect();
                let (mitigated, resolved) = (&table.timestamps[4], &table.timestamps[5]);
                let own_end = mitigated
                    .iter()
                    .zip(resolved.iter())
                    .map(|(m, r)| m.or(r))
                    .collect();
                (level, own_end)
            },
        );
        let mut impact_cid: Vec<u32> = (impacts.incident.iter().enumerate())
            .map(|(k, &r)| {
                let key = (vendor_of[r as usize], impacts.component.text(k));
                members.comp_ids.get(&key).unwrap_or(NO_COMPONENT)
            })
            .collect();
        // Ids in (vendor, component) order: vendor codes are already in name order.
        let (rank, comps) = std::mem::take(&mut members.comp_ids).ranked();
        for c in
            (members.cid.iter_mut()).chain(impact_cid.iter_mut().filter(|c| **c != NO_COMPONENT))
        {
            *c = rank[*c as usize];
        }
        let vendors = &table.vendor.values;
        let (comp_vendor, comp_name) = comps
            .into_iter()
            .map(|(v, c)| (vendors[v as usize].clone(), c.to_string()))
            .unzip();
        Exploded {
            table,
            comp_vendor,
            comp_name,
            member_row: members.row,
            member_cid: members.cid,
            member_own: members.own,
            level,
            own_end,
            impacts,
            impact_cid,
        }
    }
}
