//! Impact windows (contract section 3): one `[start, end)` per incident and component, ended by
//! `mitigated_at`, else `resolved_at`, else the report's end (open); inverted windows are
//! empty; impact `none` has none; everything is clipped to the report window. Times are
//! integer milliseconds. The explode stage says which windows an incident has; here they are
//! clipped ([`Exploded::windows`]) and kept as rows for the charts.

use super::explode::{Exploded, NO_COMPONENT, level_code};
use crate::model::{Level, WindowRow};
use crate::period::ReportWindow;
use crate::table::ComponentWindows;

/// Clipped, non-empty windows as columns: the incident (input row), the component's id, the
/// vendor's id, the level code, the span.
#[derive(Debug, Clone, Default)]
pub struct Windows {
    pub row: Vec<u32>,
    pub cid: Vec<u32>,
    pub vid: Vec<u32>,
    pub level: Vec<i32>,
    pub start: Vec<i64>,
    pub end: Vec<i64>,
}

impl Windows {
    pub fn with_capacity(n: usize) -> Windows {
        Windows {
            row: Vec::with_capacity(n),
            cid: Vec::with_capacity(n),
            vid: Vec::with_capacity(n),
            level: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// Adds a window clipped to `period`, unless its level is `-1` (impact `none`) or nothing
    /// of it is left. Without a start it starts with the period; without an end it is open.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        period: &ReportWindow,
        row: u32,
        cid: u32,
        vid: u32,
        level: i8,
        start: Option<i64>,
        end: Option<i64>,
    ) {
        if level < 0 {
            return;
        }
        let start = start.map_or(period.start, |s| s.max(period.start));
        let end = end.map_or(period.end, |e| e.min(period.end));
        if end > start {
            self.row.push(row);
            self.cid.push(cid);
            self.vid.push(vid);
            self.level.push(i32::from(level));
            self.start.push(start);
            self.end.push(end);
        }
    }
}

impl Exploded<'_> {
    /// The windows clipped to `period`: the incidents' own, then the impact rows'; each with
    /// its component's id and its vendor's (plus `vendor_offset`).
    pub fn windows(&self, period: &ReportWindow, vendor_offset: u32) -> Windows {
        let mut w = Windows::with_capacity(self.member_row.len());
        let (vendor_of, started) = (&self.table.vendor.codes, &self.table.timestamps[0]);
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
                vendor_offset + vendor_of[r],
                self.level[r],
                started.get(r),
                self.own_end.get(r),
            );
        }
        let (imp, resolved) = (self.impacts, &self.table.timestamps[5]);
        for (k, &cid) in self.impact_cid.iter().enumerate() {
            let r = imp.incident[k];
            if cid != NO_COMPONENT {
                w.push(
                    period,
                    r,
                    cid,
                    vendor_offset + vendor_of[r as usize],
                    level_code(imp.impact.get(k)),
                    imp.start.get(k),
                    imp.end.get(k).or(resolved.get(r as usize)),
                );
            }
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
                    id: self.table.id.get(w.row[i] as usize)?.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::UTC;

    #[test]
    fn windows_are_clipped_to_the_period_and_empty_ones_dropped() {
        let p = ReportWindow::month(UTC, 2024, 1).unwrap();
        let (s, e) = (p.start, p.end);
        let mut w = Windows::default();
        w.push(&p, 0, 0, 0, 0, Some(s - 10), Some(s + 10)); // cut at the start
        w.push(&p, 1, 0, 0, 1, Some(e - 10), None); // open: to the end
        w.push(&p, 2, 0, 0, 2, Some(s + 50), Some(s + 40)); // inverted: empty
        w.push(&p, 3, 0, 0, -1, Some(s), Some(s + 40)); // impact none
        w.push(&p, 4, 0, 0, 3, Some(e + 5), Some(e + 50)); // after the period
        w.push(&p, 5, 0, 0, 0, Some(s - 50), Some(s)); // ends as the period starts
        assert_eq!(w.row, vec![0, 1]);
        assert_eq!(w.start, vec![s, e - 10]);
        assert_eq!(w.end, vec![s + 10, e]);
        assert_eq!(w.level, vec![0, 1]);
    }
}
