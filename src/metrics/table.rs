//! The incident table of a report: the accepted incidents as ingest ordered them (by
//! `started_at`, vendor, id), with each one's five durations in milliseconds and whether it
//! started in the report window. What `incidents.csv` is written from and what the time-to-x
//! figures read.

use crate::model::{Anchor, Metric, col};
use crate::period::ReportWindow;
use crate::table::{IncidentTable, Incidents, Millis};

/// The report's incident table: `table` with its durations (measured from `anchor`) and
/// `in_window` against `period` (every row, without one).
pub fn incidents(table: IncidentTable, anchor: Anchor, period: Option<&ReportWindow>) -> Incidents {
    let (durations_ms, in_window) = derived(&table, anchor, period);
    Incidents {
        table,
        durations_ms,
        in_window,
    }
}

/// What [`incidents`] adds to the table: the durations and `in_window`.
pub(super) fn derived(
    table: &IncidentTable,
    anchor: Anchor,
    period: Option<&ReportWindow>,
) -> ([Millis; 5], Vec<bool>) {
    let in_window = table.timestamps[0]
        .iter()
        .map(|t| period.is_none_or(|p| t.is_some_and(|t| p.contains(t))))
        .collect();
    (durations(&table.timestamps, anchor), in_window)
}

/// The five durations in integer milliseconds (the minutes of the time-to-x figures are these
/// over 60,000), negative ones missing: each metric's phase minus its anchor.
fn durations(timestamps: &[Millis; 6], anchor: Anchor) -> [Millis; 5] {
    let at = |c: &str| col::TIMESTAMPS.iter().position(|t| *t == c).unwrap_or(0);
    std::array::from_fn(|k| {
        let m = Metric::ALL[k];
        let (to, from) = (
            &timestamps[at(m.phase_column())],
            &timestamps[at(m.anchor_column(anchor))],
        );
        to.iter()
            .zip(from.iter())
            .map(|(t, f)| Some(t? - f?).filter(|d| *d >= 0))
            .collect()
    })
}
