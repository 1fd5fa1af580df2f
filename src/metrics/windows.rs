//! Impact windows (contract section 3): one `[start, end)` per incident and component, ended by
//! `mitigated_at`, else `resolved_at`, else the report's end (open); inverted windows are
//! empty; impact `none` has none; everything is clipped to the report window. Times are
//! integer milliseconds. [`super::explode`] says which windows an incident has.

use crate::period::Period;

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
        period: &Period,
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::UTC;

    #[test]
    fn windows_are_clipped_to_the_period_and_empty_ones_dropped() {
        let p = Period::month(UTC, 2024, 1).unwrap();
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
