//! Metrics: pure transforms of the canonical incident frame into the contract's numbers. Where
//! each number is made:
//!
//! - [`table`]: the incident table (report order, durations, in the window or not);
//! - [`explode`]: memberships of incidents in components, and their impact windows, with
//!   integer keys; [`windows`] clips the windows to the report;
//! - [`time_to_x`]: MTTD .. MTTR per grouping of `metrics.csv`, [`grouping`] by any keys and
//!   periods, both with [`stats`] (n, mean, median, p90, max);
//! - [`downtime`]: downtime, outage and availability per component and vendor, by month and
//!   day, with [`sweep`] (the weighted interval union);
//! - [`sla`]: SLA targets, error budgets and the availability rows' other figures;
//! - [`trend`]: whether the last period's change from the one before is beyond noise.
//!
//! Results leave this module as plain rows of [`crate::model`]; no dataframe goes further.

pub mod downtime;
pub mod explode;
pub mod grouping;
pub mod options;
pub mod published;
pub mod sla;
pub mod stats;
pub mod sweep;
pub mod table;
pub mod time_to_x;
pub mod trend;
pub mod windows;

use crate::error::Result;
use crate::model::{AvailabilityRow, MetricRow, PLAUSIBLE_MS};
use crate::table::{ComponentWindows, Daily, ImpactTable, IncidentTable, Incidents};
pub use downtime::{Availability, availability, availability_rows, incident_windows};
use explode::Exploded;
pub use grouping::{group_columns, group_rows};
pub use options::{Options, UPTIME_DAYS};
pub use sla::SlaTargets;
pub use table::incidents;
use time_to_x::TimeToX;
pub use time_to_x::report_metric_rows;

/// Everything a report shows.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub incidents: Incidents,
    pub metrics: Vec<MetricRow>,
    pub availability: Vec<AvailabilityRow>,
    /// Downtime per day over the last [`UPTIME_DAYS`] of the window.
    pub daily: Daily,
    /// Every component's impact windows in the report window, by vendor, component, start.
    pub windows: ComponentWindows,
    /// The availability rows of the calendar month before the window (from the same sweep):
    /// what `previous_availability_pct` of the window's first month and a one-month report's
    /// headline compare with.
    pub period_before: Vec<AvailabilityRow>,
    /// Whether the last period's changes from the one before are beyond noise.
    pub trend: Option<crate::model::Trend>,
}

/// Every number of a report. `impacts` holds the precise windows (may be empty).
pub fn compute(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    opts: &Options,
) -> Result<Computed> {
    compute_beside(incidents.clone(), impacts, opts, true, |_| ()).map(|(c, ())| c)
}

/// [`compute`] taking the table (it becomes the report's); without `detail`, no daily downtime
/// and no windows (what only the charts and the HTML report show). `beside` runs on another
/// thread with the report's incident table while the sweep and the time-to-x figures are
/// computed, and what it returns is returned (the report writes `incidents.csv` there: the
/// file's formatting and the system's copying of 255 MB at 1M incidents then overlap the
/// arithmetic instead of following it).
pub fn compute_beside<T: Send>(
    incidents: IncidentTable,
    impacts: &ImpactTable,
    opts: &Options,
    detail: bool,
    beside: impl FnOnce(&Incidents) -> T + Send,
) -> Result<(Computed, T)> {
    let mut laps = crate::laps::Laps::nested(1);
    let table = table::incidents(incidents, opts.anchor, Some(&opts.period));
    laps.lap("durations");
    let shared = Exploded::new(&table.table, impacts);
    laps.lap("explode");
    // The compute stages one after the other (each has both cores where it pays): run side by
    // side, their peaks would add up (at 1M incidents: 470 MB to 490 MB against 430 MB, for
    // 0.15 s). `beside` only reads the table, which is kept anyway.
    let (swept, metrics, trend, besides) = std::thread::scope(|s| {
        let besides = s.spawn(|| beside(&table));
        let swept = downtime::sweep_all(opts, detail, true, &shared);
        laps.lap("sweep");
        let metrics = TimeToX::new(&table.durations_ms, &table.in_window, &shared, &opts.period)
            .report_rows();
        laps.lap("time to x");
        let trend = trend::trends_of(&shared, &table.durations_ms, opts);
        laps.lap("trends");
        let besides = besides
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        laps.lap("beside (waited for)");
        (swept, metrics, trend, besides)
    });
    let mut swept = swept?;
    drop(shared);
    let labels: Vec<String> = opts
        .period
        .periods
        .iter()
        .map(|m| m.label.clone())
        .collect();
    if let Some(before) = swept.period_before.first() {
        let before_label = before.period.label().to_string();
        sla::link_previous(
            &mut swept.rows,
            &labels,
            &swept.period_before,
            &before_label,
        );
    }
    let computed = Computed {
        incidents: table,
        metrics: metrics?,
        availability: swept.rows,
        period_before: swept.period_before,
        daily: swept.daily,
        windows: swept.windows,
        trend: trend?,
    };
    Ok((computed, besides))
}

/// The first `started_at` and the last instant any impact window reaches (its end, or its
/// start when it has none): the span a report without `--from/--to` covers.
pub fn data_span(incidents: &IncidentTable, impacts: &ImpactTable) -> Option<(i64, i64)> {
    // Implausible instants (a typo year) are warned about at ingest and left out here. One
    // pass over the three columns: the earliest start, the latest start, and the latest of each
    // incident's end (mitigation, else resolution, else its start).
    let plausible = |t: Option<i64>| t.filter(|t| (PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(t));
    let [started, .., mitigated, resolved] = &incidents.timestamps;
    let (mut first, mut last_start, mut last_end) = (None::<i64>, None::<i64>, None::<i64>);
    for ((s, m), r) in started.iter().zip(mitigated.iter()).zip(resolved.iter()) {
        let s = plausible(s);
        if let Some(s) = s {
            first = Some(first.map_or(s, |f| f.min(s)));
            last_start = Some(last_start.map_or(s, |l| l.max(s)));
        }
        if let Some(e) = plausible(m).or(plausible(r)).or(s) {
            last_end = Some(last_end.map_or(e, |l| l.max(e)));
        }
    }
    let mut last = last_start.map(|s| last_end.map_or(s, |e| e.max(s)));
    // An impact row reaches its end, or its start when it has none.
    let reach = (impacts.start.iter().zip(impacts.end.iter()))
        .filter_map(|(s, e)| plausible(e).or(plausible(s)))
        .max();
    last = last.max(reach);
    first.zip(last)
}

#[cfg(test)]
mod tests;
