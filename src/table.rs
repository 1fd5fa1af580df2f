//! The typed tables ingest hands to metrics: every accepted incident ([`IncidentTable`], in the
//! report's order: by `started_at`, vendor, id) and the precise impact windows
//! ([`ImpactTable`], each naming its incident's row), as plain columns: instants as integer
//! milliseconds ([`Millis`]), text end to end ([`TextColumn`]), keys dictionary-encoded
//! ([`Keys`]) so that the metrics group by integers. [`Incidents`] is the incident table with
//! what the metrics add (durations, in the window or not): what `incidents.csv` is written
//! from.

use crate::maps::FirstSeen;
use crate::model::{AvailScope, ImpactRow, IncidentRow, Level, Metric};

/// A column of instants or durations in milliseconds, a missing one held as `i64::MIN` (no
/// instant or difference of instants chrono can hold comes near it): 8 bytes a cell where
/// `Option<i64>` takes 16, 88 MB less for a million incidents' six times and five durations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Millis(Vec<i64>);

impl Millis {
    const MISSING: i64 = i64::MIN;

    pub fn with_capacity(n: usize) -> Millis {
        Millis(Vec::with_capacity(n))
    }

    pub fn push(&mut self, v: Option<i64>) {
        self.0.push(v.unwrap_or(Millis::MISSING));
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        let v = self.0[i];
        (v != Millis::MISSING).then_some(v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<i64>> + '_ {
        self.0.iter().map(|&v| (v != Millis::MISSING).then_some(v))
    }
}

impl FromIterator<Option<i64>> for Millis {
    fn from_iter<I: IntoIterator<Item = Option<i64>>>(iter: I) -> Millis {
        Millis(
            iter.into_iter()
                .map(|v| v.unwrap_or(Millis::MISSING))
                .collect(),
        )
    }
}

/// One text column stored end to end: one buffer and the end of each cell, so a million cells
/// cost two allocations, not a million.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextColumn {
    text: String,
    /// End of each cell in `text`.
    ends: Vec<usize>,
    /// Which cells are null (empty when none is).
    nulls: Vec<bool>,
}

impl TextColumn {
    pub fn with_capacity(cells: usize, bytes: usize) -> TextColumn {
        TextColumn {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(cells),
            nulls: Vec::new(),
        }
    }

    pub fn push(&mut self, v: Option<&str>) {
        // The mask starts at the first null, back-filled with "not null" for the cells before
        // it; from then on every cell adds its bit (the first cell can be that first null).
        if v.is_none() && self.nulls.is_empty() {
            self.nulls.resize(self.ends.len(), false);
            self.nulls.push(true);
        } else if !self.nulls.is_empty() {
            self.nulls.push(v.is_none());
        }
        self.text.push_str(v.unwrap_or_default());
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell's text; `""` for a null.
    pub fn text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The cell, `None` when null.
    pub fn get(&self, i: usize) -> Option<&str> {
        if self.nulls.get(i).copied().unwrap_or(false) {
            None
        } else {
            Some(self.text(i))
        }
    }

    /// The cells, `None` for a null.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<'a> FromIterator<Option<&'a str>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> TextColumn {
        let mut c = TextColumn::default();
        for v in iter {
            c.push(v);
        }
        c
    }
}

/// A key column, dictionary-encoded: each row's code, and the distinct values by code in
/// ascending order, so codes compare as their values do. A missing value's code is
/// [`Keys::MISSING`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keys {
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl Keys {
    pub const MISSING: u32 = u32::MAX;

    /// The row's value, `None` when missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.values.get(self.codes[i] as usize).map(String::as_str)
    }

    /// The row's value; `""` when missing.
    pub fn text(&self, i: usize) -> &str {
        self.get(i).unwrap_or_default()
    }

    /// The rows `rows`, in that order (the values stay as they are).
    pub fn take(&self, rows: &[usize]) -> Keys {
        Keys {
            codes: rows.iter().map(|&r| self.codes[r]).collect(),
            values: self.values.clone(),
        }
    }
}

impl<'a> FromIterator<Option<&'a str>> for Keys {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> Keys {
        let mut seen = FirstSeen::default();
        let ids: Vec<u32> = (iter.into_iter())
            .map(|v| v.map_or(Keys::MISSING, |v| seen.id(v)))
            .collect();
        let (rank, values) = seen.ranked();
        Keys {
            codes: ids
                .into_iter()
                .map(|i| rank.get(i as usize).copied().unwrap_or(Keys::MISSING))
                .collect(),
            values: values.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Every accepted incident, one row per `(vendor, id)`, in the report's order: by
/// `started_at` (a missing one first), vendor, id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncidentTable {
    pub vendor: Keys,
    pub id: TextColumn,
    pub title: TextColumn,
    pub severity: Keys,
    pub impact: TextColumn,
    pub components: TextColumn,
    pub window_source: TextColumn,
    pub warnings: TextColumn,
    /// [`crate::model::col::TIMESTAMPS`] in UTC milliseconds.
    pub timestamps: [Millis; 6],
    /// The dimensions (an input's columns that are not canonical), by name, in the inputs'
    /// order.
    pub dims: Vec<(String, Keys)>,
}

impl IncidentTable {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

/// The precise impact windows, one row each, in input order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImpactTable {
    /// Each window's incident: its row in the [`IncidentTable`].
    pub incident: Vec<u32>,
    pub component: TextColumn,
    pub impact: TextColumn,
    pub start: Millis,
    /// `None`: until the incident resolves.
    pub end: Millis,
}

impl ImpactTable {
    /// The windows as plain rows, their incidents named from `incidents`.
    pub fn rows(&self, incidents: &IncidentTable) -> Vec<ImpactRow> {
        (0..self.incident.len())
            .map(|k| {
                let r = self.incident[k] as usize;
                ImpactRow {
                    incident_id: incidents.id.text(r).to_string(),
                    vendor: incidents.vendor.text(r).to_string(),
                    component: self.component.text(k).to_string(),
                    impact: self.impact.text(k).to_string(),
                    start: self
                        .start
                        .get(k)
                        .map(crate::time::format_utc)
                        .unwrap_or_default(),
                    end: self.end.get(k).map(crate::time::format_utc),
                }
            })
            .collect()
    }
}

/// The incident table as a report has it: with each incident's durations and whether it
/// started in the report window ([`crate::metrics::table`] works them out). [`Incidents::row`]
/// gives one as `incidents.csv` writes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Incidents {
    pub table: IncidentTable,
    /// `ttd_min` .. `ttr_min` in milliseconds (`None` when missing or negative).
    pub durations_ms: [Millis; 5],
    /// Started inside the report window (the incidents the time-to-x figures count).
    pub in_window: Vec<bool>,
}

impl Incidents {
    pub fn len(&self) -> usize {
        self.in_window.len()
    }

    pub fn is_empty(&self) -> bool {
        self.in_window.is_empty()
    }

    /// A duration in minutes, as the time-to-x figures use it.
    pub fn duration_min(&self, metric: Metric, i: usize) -> Option<f64> {
        self.durations_ms[metric.index()]
            .get(i)
            .map(|ms| ms as f64 / crate::time::MS_PER_MIN as f64)
    }

    pub fn row(&self, i: usize) -> IncidentRow {
        let t = &self.table;
        let owned = |c: &TextColumn| c.get(i).map(str::to_string);
        IncidentRow {
            vendor: t.vendor.text(i).to_string(),
            id: t.id.text(i).to_string(),
            title: owned(&t.title),
            severity: t.severity.get(i).map(str::to_string),
            impact: t.impact.text(i).to_string(),
            components: t.components.text(i).to_string(),
            timestamps: std::array::from_fn(|k| {
                t.timestamps[k].get(i).map(crate::time::format_utc)
            }),
            durations: std::array::from_fn(|k| self.duration_min(Metric::ALL[k], i)),
            window_source: t.window_source.text(i).to_string(),
            warnings: owned(&t.warnings),
            in_window: self.in_window[i],
        }
    }

    pub fn rows(&self) -> impl Iterator<Item = IncidentRow> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// The impact windows of a whole report, compactly (a year of a large fleet has millions):
/// each window's component (an index into `components`), level and span, by component then
/// start. What the timeline draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComponentWindows {
    /// `(vendor, component)` of each index.
    pub components: Vec<(String, String)>,
    pub component: Vec<u32>,
    pub level: Vec<Level>,
    pub start: Vec<i64>,
    pub end: Vec<i64>,
}

impl ComponentWindows {
    pub fn len(&self) -> usize {
        self.component.len()
    }

    pub fn is_empty(&self) -> bool {
        self.component.is_empty()
    }

    /// Window `i` as `(vendor, component, level, start, end)`.
    pub fn get(&self, i: usize) -> (&str, &str, Level, i64, i64) {
        let (v, c) = &self.components[self.component[i] as usize];
        (v, c, self.level[i], self.start[i], self.end[i])
    }
}

/// Downtime per day of the last days of the window (status pages' uptime bars).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Daily {
    /// `YYYY-MM-DD` in the report time zone, oldest first.
    pub days: Vec<String>,
    /// Length of each day in minutes (DST days are 23 or 25 hours; a clipped day is shorter).
    pub day_min: Vec<f64>,
    pub rows: Vec<DailyRow>,
}

/// One vendor's or component's downtime per day of [`Daily::days`].
#[derive(Debug, Clone, PartialEq)]
pub struct DailyRow {
    pub scope: AvailScope,
    pub vendor: String,
    pub component: Option<String>,
    pub downtime_min: Vec<f64>,
    /// Minutes counted of each day: the whole day, or its business hours under an SLA with
    /// `hours`.
    pub window_min: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::{Millis, TextColumn};

    #[test]
    fn text_cells_keep_nulls_wherever_they_fall_the_first_included() {
        for cells in [
            vec![None, Some("a"), None, Some("")],
            vec![None],
            vec![None, None],
            vec![Some(""), None, Some("b")],
            vec![Some("a"), Some("b")],
        ] {
            let c: TextColumn = cells.iter().copied().collect();
            assert_eq!(c.len(), cells.len());
            let back: Vec<_> = (0..c.len()).map(|i| c.get(i)).collect();
            assert_eq!(back, cells);
        }
    }

    #[test]
    fn millis_keep_missing_cells_apart_from_any_time() {
        let cells = [
            Some(0),
            None,
            Some(-1),
            Some(i64::MAX),
            Some(i64::MIN + 1),
            None,
        ];
        let m: Millis = cells.into_iter().collect();
        assert_eq!(m.len(), 6);
        assert_eq!(m.iter().collect::<Vec<_>>(), cells);
        assert_eq!((m.get(1), m.get(2)), (None, Some(-1)));
    }
}
