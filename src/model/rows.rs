//! The plain result rows that metrics returns and the renderers turn into files: time-to-x
//! statistics per group and period, availability and SLA per vendor or component, the accepted
//! incidents and their windows, and the rejects, warnings and counts of a read.

use std::fmt;

use super::vocabulary::{Level, Metric};

/// One row of a grouping by any keys (the `metrics` command, the report's breakdown): the
/// groups' values in the grouping's columns, the period, a metric and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub values: Vec<String>,
    pub period: String,
    pub metric: Metric,
    pub stats: Stats,
}

/// One group and period of the report's breakdown (`breakdown.csv`): the group's values in the
/// grouping's columns, the period (or `all`), the incidents started in it, their five
/// time-to-x statistics, and the group's weighted downtime (the union of its incidents'
/// windows) with the availability it leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    pub values: Vec<String>,
    pub period: String,
    pub incidents: u64,
    pub stats: [Stats; 5],
    pub downtime_min: f64,
    pub availability_pct: f64,
}

/// `n, mean, median, p90, max` of one duration, in minutes. Statistics are `None` when `n` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub n: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
}

/// One row of `metrics.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// `all`, `vendor`, `component`, `severity`, or for `mttx metrics` the keys joined by `+`.
    pub scope: String,
    pub vendor: Option<String>,
    pub component: Option<String>,
    pub severity: Option<String>,
    /// A period or the whole window; `None` when the grouping has no period at all.
    pub period: Option<PeriodLabel>,
    pub metric: Metric,
    pub stats: Stats,
}

/// The stretch of the report window a result row covers: one period of it (as the window is
/// cut: `2024-06`, `2024-W23`, `2024-Q2`, `2024`), or the whole window (written `all`). Periods
/// sort in calendar order, the whole window after them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodLabel {
    Period(String),
    Whole,
}

impl PeriodLabel {
    /// As the files write it: the period's label, or `all`.
    pub fn label(&self) -> &str {
        match self {
            PeriodLabel::Period(m) => m,
            PeriodLabel::Whole => "all",
        }
    }

    pub fn is_whole(&self) -> bool {
        matches!(self, PeriodLabel::Whole)
    }

    /// The period's label, `None` for the whole window.
    pub fn period(&self) -> Option<&str> {
        match self {
            PeriodLabel::Period(m) => Some(m),
            PeriodLabel::Whole => None,
        }
    }
}

/// A label as the files write it: `all` is the whole window, anything else a period.
impl From<&str> for PeriodLabel {
    fn from(label: &str) -> PeriodLabel {
        match label {
            "all" => PeriodLabel::Whole,
            m => PeriodLabel::Period(m.to_string()),
        }
    }
}

impl fmt::Display for PeriodLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Scope of an availability row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AvailScope {
    Vendor,
    Component,
}

impl AvailScope {
    pub fn as_str(self) -> &'static str {
        match self {
            AvailScope::Vendor => "vendor",
            AvailScope::Component => "component",
        }
    }
}

/// One row of `availability.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityRow {
    pub scope: AvailScope,
    pub vendor: String,
    /// `None` on vendor rows.
    pub component: Option<String>,
    pub period: PeriodLabel,
    pub window_min: f64,
    pub outage_min: f64,
    pub downtime_min: f64,
    /// `downtime_min` split by the heaviest level open at each instant (`Level::code` order);
    /// not a CSV column, the downtime chart's stacks.
    pub downtime_by_level_min: [f64; 4],
    pub availability_pct: f64,
    pub sla_target_pct: f64,
    pub sla_met: bool,
    pub budget_min: f64,
    /// Budget left: `budget_min - downtime_min` (negative when overspent).
    pub budget_remaining_min: f64,
    /// Time under maintenance (never downtime), minutes.
    pub maintenance_min: f64,
    /// The same key's availability the month before (monthly rows; `None` on `all` rows or
    /// when that month is not known).
    pub previous_pct: Option<f64>,
    /// `None` when the budget is zero (a 100% target).
    pub budget_used_pct: Option<f64>,
    pub incidents: u64,
    /// `None` when no incident started in the window.
    pub mtbf_min: Option<f64>,
}

/// One accepted incident as `incidents.csv` writes it. Timestamps are RFC 3339 UTC strings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncidentRow {
    pub vendor: String,
    pub id: String,
    pub title: Option<String>,
    pub severity: Option<String>,
    pub impact: String,
    pub components: String,
    /// `started_at`, `detected_at`, `acknowledged_at`, `identified_at`, `mitigated_at`,
    /// `resolved_at`.
    pub timestamps: [Option<String>; 6],
    /// `ttd_min` .. `ttr_min`.
    pub durations: [Option<f64>; 5],
    pub window_source: String,
    pub warnings: Option<String>,
    /// Started inside the report window (the incidents the time-to-x figures count).
    pub in_window: bool,
}

/// One component's impact window, clipped to the report window; times in UTC milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowRow {
    pub vendor: String,
    pub component: String,
    pub id: String,
    pub level: Level,
    pub start: i64,
    pub end: i64,
}

/// One precise window, as the impacts table writes it. Times are RFC 3339 UTC strings; an
/// empty end runs to the incident's resolution (or the report's end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRow {
    pub incident_id: String,
    pub vendor: String,
    pub component: String,
    pub impact: String,
    pub start: String,
    pub end: Option<String>,
}

/// A row that could not be read (contract section 1, validation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub source: String,
    pub line: u64,
    pub column: String,
    pub reason: String,
    /// The row's fields as read, CSV-encoded.
    pub raw: String,
}

/// A data-quality warning on an accepted (or superseded) row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub source: String,
    pub line: u64,
    pub message: String,
}

/// Rows read, accepted and rejected: `accepted + rejected = read`, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Accepted rows superseded by a later row with the same `(vendor, id)`.
    pub duplicates: u64,
}
