//! Tables of text that readers build row by row ([`TextTable`]), and the named rows status-page
//! readers derive: an incident ([`DerivedIncident`]) and a precise window ([`DerivedWindow`]).
//! Each row type owns its column list, so a cell can never land in another column.

use polars::prelude::{Column, DataFrame};

use super::{RawTable, validate};
use crate::error::Result;
use crate::model::col;

/// A row of a [`TextTable`]: its columns' names, and its cells in their order.
pub(crate) trait TextRow {
    const COLUMNS: &'static [&'static str];
    fn cells(self) -> Vec<Option<String>>;
}

/// Text columns being built from rows of one kind, one `Vec<Option<String>>` per column.
pub(crate) struct TextTable<R> {
    cols: Vec<Vec<Option<String>>>,
    lines: Vec<u64>,
    row: std::marker::PhantomData<R>,
}

impl<R: TextRow> TextTable<R> {
    pub(crate) fn new() -> TextTable<R> {
        TextTable {
            cols: vec![Vec::new(); R::COLUMNS.len()],
            lines: Vec::new(),
            row: std::marker::PhantomData,
        }
    }

    /// Adds `row`, read from `line` of its file.
    pub(crate) fn push(&mut self, line: u64, row: R) {
        for (c, v) in self.cols.iter_mut().zip(row.cells()) {
            c.push(v);
        }
        self.lines.push(line);
    }

    pub(crate) fn into_raw(self, source: &str) -> Result<RawTable> {
        let height = self.lines.len();
        let columns = R::COLUMNS
            .iter()
            .zip(self.cols)
            .map(|(n, v)| Column::new((*n).into(), v))
            .collect();
        Ok(RawTable::new(
            source,
            DataFrame::new(height, columns)?,
            self.lines,
            Vec::new(),
        ))
    }
}

/// An incident a status-page reader derived, as text (times RFC 3339 or as the source writes
/// them; validation parses them), with the reader's notes and the row's window source.
#[derive(Debug, Default)]
pub(crate) struct DerivedIncident {
    pub(crate) id: Option<String>,
    pub(crate) vendor: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) impact: Option<String>,
    /// `;`-separated.
    pub(crate) components: Option<String>,
    pub(crate) started_at: Option<String>,
    pub(crate) detected_at: Option<String>,
    pub(crate) identified_at: Option<String>,
    pub(crate) mitigated_at: Option<String>,
    pub(crate) resolved_at: Option<String>,
    /// `; `-separated notes of the reader (what it assumed).
    pub(crate) notes: Option<String>,
    /// Where the row's windows come from (`model::window_source`); empty: the table's.
    pub(crate) window_source: Option<String>,
}

impl TextRow for DerivedIncident {
    const COLUMNS: &'static [&'static str] = &[
        col::ID,
        col::VENDOR,
        col::TITLE,
        col::SEVERITY,
        col::IMPACT,
        col::COMPONENTS,
        col::STARTED_AT,
        col::DETECTED_AT,
        col::IDENTIFIED_AT,
        col::MITIGATED_AT,
        col::RESOLVED_AT,
        validate::NOTES,
        validate::ROW_WINDOW_SOURCE,
    ];

    fn cells(self) -> Vec<Option<String>> {
        vec![
            self.id,
            self.vendor,
            self.title,
            self.severity,
            self.impact,
            self.components,
            self.started_at,
            self.detected_at,
            self.identified_at,
            self.mitigated_at,
            self.resolved_at,
            self.notes,
            self.window_source,
        ]
    }
}

/// A precise window a status-page reader derived (the impacts table's row): times as text, an
/// empty end running to the incident's resolution.
#[derive(Debug, Default)]
pub(crate) struct DerivedWindow {
    pub(crate) incident_id: Option<String>,
    pub(crate) vendor: Option<String>,
    pub(crate) component: Option<String>,
    pub(crate) impact: Option<String>,
    pub(crate) start: Option<String>,
    pub(crate) end: Option<String>,
}

impl TextRow for DerivedWindow {
    const COLUMNS: &'static [&'static str] = &col::IMPACT_RECORD;

    fn cells(self) -> Vec<Option<String>> {
        vec![
            self.incident_id,
            self.vendor,
            self.component,
            self.impact,
            self.start,
            self.end,
        ]
    }
}
