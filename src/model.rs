//! The canonical vocabulary every stage speaks: column names, impact levels, weight presets,
//! the time-to-x metrics and the plain result rows that renderers turn into files.
//!
//! Nothing here knows a file format or a dataframe library; ingest produces frames with these
//! column names and metrics returns these rows.

use std::fmt;
use std::str::FromStr;

/// Canonical column names (contract section 1) plus the bookkeeping columns ingest adds.
pub mod col {
    pub const ID: &str = "id";
    pub const VENDOR: &str = "vendor";
    pub const TITLE: &str = "title";
    pub const SEVERITY: &str = "severity";
    pub const IMPACT: &str = "impact";
    pub const COMPONENTS: &str = "components";
    pub const STARTED_AT: &str = "started_at";
    pub const DETECTED_AT: &str = "detected_at";
    pub const ACKNOWLEDGED_AT: &str = "acknowledged_at";
    pub const IDENTIFIED_AT: &str = "identified_at";
    pub const MITIGATED_AT: &str = "mitigated_at";
    pub const RESOLVED_AT: &str = "resolved_at";
    /// Where a row came from: file name as given on the command line.
    pub const SOURCE: &str = "source";
    /// 1-based line (CSV, NDJSON, JSON array element) or row (Parquet) in `source`.
    pub const LINE: &str = "line";
    /// Data-quality warnings of an accepted row, `; `-separated.
    pub const WARNINGS: &str = "warnings";
    /// Where the impact window came from (`record`, `impacts`, `stated`, `updates`).
    pub const WINDOW_SOURCE: &str = "window_source";
    /// Component name after splitting `components` (one row per incident and component).
    pub const COMPONENT: &str = "component";

    /// Impacts table: the incident a precise window belongs to.
    pub const INCIDENT_ID: &str = "incident_id";
    /// Impacts table: window start and end (end empty: until the incident resolves).
    pub const START: &str = "start";
    pub const END: &str = "end";

    /// Columns of the optional impacts table (precise windows, contract section 1).
    pub const IMPACT_RECORD: [&str; 6] = [INCIDENT_ID, VENDOR, COMPONENT, IMPACT, START, END];

    /// Every column of the canonical record, in the order `incidents.csv` writes them.
    pub const RECORD: [&str; 12] = [
        VENDOR,
        ID,
        TITLE,
        SEVERITY,
        IMPACT,
        COMPONENTS,
        STARTED_AT,
        DETECTED_AT,
        ACKNOWLEDGED_AT,
        IDENTIFIED_AT,
        MITIGATED_AT,
        RESOLVED_AT,
    ];

    /// The six timestamp columns, `started_at` first.
    pub const TIMESTAMPS: [&str; 6] = [
        STARTED_AT,
        DETECTED_AT,
        ACKNOWLEDGED_AT,
        IDENTIFIED_AT,
        MITIGATED_AT,
        RESOLVED_AT,
    ];
}

/// Where an incident's impact windows come from (`window_source`).
pub mod window_source {
    /// The record's own `started_at`..`mitigated_at`/`resolved_at`.
    pub const RECORD: &str = "record";
    /// Rows of an impacts table given with the incidents.
    pub const IMPACTS: &str = "impacts";
    /// A status page's updates (component status transitions).
    pub const UPDATES: &str = "updates";
    /// Windows stated in so many words in a report page.
    pub const STATED: &str = "stated";
}

/// Instants a real incident can have: from 1970-01-01 to 2100-01-01 (UTC milliseconds). A
/// timestamp outside is kept but warned about as a likely typo (year 0001 or 9999), and left
/// out of the automatic report window.
pub const PLAUSIBLE_MS: (i64, i64) = (0, 4_102_444_800_000);

/// Component name used for an incident that lists no components (the vendor as a whole).
pub const ALL_COMPONENTS: &str = "(all)";

/// `impact` of an incident that had no impact at all (Statuspage's `none`): it has no window.
pub const IMPACT_NONE: &str = "none";

/// Whether a spreadsheet would run `cell` as a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return and is not a number (`-5` is data). A written CSV puts a `'` before
/// such a cell (unless `--raw-csv`), and reading one back takes exactly that `'` off.
pub fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.trim().parse::<f64>().is_err()
}

/// An offending value as a message shows it: trimmed, and cut to 60 characters with its full
/// length named (a 100 000-character field must not flood the terminal; `rejects.csv` keeps
/// the raw row whole).
pub fn shown(value: &str) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if n <= 60 {
        v.to_string()
    } else {
        let head: String = v.chars().take(57).collect();
        format!("{head}... ({n} characters)")
    }
}

/// Impact level of a window (contract section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    MajorOutage = 0,
    PartialOutage = 1,
    DegradedPerformance = 2,
    UnderMaintenance = 3,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::MajorOutage,
        Level::PartialOutage,
        Level::DegradedPerformance,
        Level::UnderMaintenance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::MajorOutage => "major_outage",
            Level::PartialOutage => "partial_outage",
            Level::DegradedPerformance => "degraded_performance",
            Level::UnderMaintenance => "under_maintenance",
        }
    }

    /// The level's code as the sweep indexes it.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The level of a sweep code (`code`), if any.
    pub fn from_code(code: i32) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() as i32 == code)
    }

    /// Maintenance never counts as downtime nor as outage.
    pub fn is_maintenance(self) -> bool {
        self == Level::UnderMaintenance
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    /// Accepts the canonical names, case-insensitive, with spaces or dashes for underscores
    /// (`Major outage`, `partial-outage`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown impact level '{}' (expected major_outage, partial_outage, degraded_performance, under_maintenance or none)",
                    shown(s)
                )
            })
    }
}

/// Weight of each level in downtime (contract section 3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub preset: WeightPreset,
    /// Some levels were set by the config's `[weights]`.
    pub custom: bool,
    /// Indexed by [`Level::code`].
    pub by_level: [f64; 4],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightPreset {
    /// Atlassian Statuspage's uptime formula: major 1.0, partial 0.3, degraded 0, maintenance 0.
    Statuspage,
    /// Every level but maintenance weighs 1.0.
    Strict,
}

impl WeightPreset {
    pub fn as_str(self) -> &'static str {
        match self {
            WeightPreset::Statuspage => "statuspage",
            WeightPreset::Strict => "strict",
        }
    }
}

impl Weights {
    pub fn preset(preset: WeightPreset) -> Weights {
        let by_level = match preset {
            WeightPreset::Statuspage => [1.0, 0.3, 0.0, 0.0],
            WeightPreset::Strict => [1.0, 1.0, 1.0, 0.0],
        };
        Weights {
            preset,
            custom: false,
            by_level,
        }
    }

    pub fn of(&self, level: Level) -> f64 {
        self.by_level[level.code() as usize]
    }

    /// The weights with some levels replaced (`[weights]` of the config); any replacement
    /// makes them custom.
    pub fn with_overrides(mut self, overrides: [Option<f64>; 4]) -> Weights {
        for (w, o) in self.by_level.iter_mut().zip(overrides) {
            if let Some(o) = o {
                *w = o;
            }
        }
        self.custom = overrides.iter().any(Option::is_some);
        self
    }

    /// How the weights are named in reports: the preset, `+ custom` when the config changed it.
    pub fn name(&self) -> String {
        if self.custom {
            format!("{} + custom", self.preset.as_str())
        } else {
            self.preset.as_str().to_string()
        }
    }
}

/// Where time-to-x durations are measured from (contract section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Started,
    Detected,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Started => "started",
            Anchor::Detected => "detected",
        }
    }
}

/// The five time-to-x metrics, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Mttd,
    Mtta,
    Mtti,
    Mttm,
    Mttr,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Mttd,
        Metric::Mtta,
        Metric::Mtti,
        Metric::Mttm,
        Metric::Mttr,
    ];

    /// `mttd`, ... as written in `metrics.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Mttd => "mttd",
            Metric::Mtta => "mtta",
            Metric::Mtti => "mtti",
            Metric::Mttm => "mttm",
            Metric::Mttr => "mttr",
        }
    }

    /// The column this metric's duration runs from: `detected_at` for all but TTD with
    /// `Anchor::Detected`, else `started_at` (contract section 2).
    pub fn anchor_column(self, anchor: Anchor) -> &'static str {
        if anchor == Anchor::Detected && self != Metric::Mttd {
            col::DETECTED_AT
        } else {
            col::STARTED_AT
        }
    }

    /// The phase timestamp whose distance from the anchor this metric averages.
    pub fn phase_column(self) -> &'static str {
        match self {
            Metric::Mttd => col::DETECTED_AT,
            Metric::Mtta => col::ACKNOWLEDGED_AT,
            Metric::Mtti => col::IDENTIFIED_AT,
            Metric::Mttm => col::MITIGATED_AT,
            Metric::Mttr => col::RESOLVED_AT,
        }
    }

    /// The per-incident duration column (`ttd_min`, ...).
    pub fn duration_column(self) -> &'static str {
        match self {
            Metric::Mttd => "ttd_min",
            Metric::Mtta => "tta_min",
            Metric::Mtti => "tti_min",
            Metric::Mttm => "ttm_min",
            Metric::Mttr => "ttr_min",
        }
    }

    /// Position in [`Metric::ALL`] (and in [`IncidentRow::durations`]).
    pub fn index(self) -> usize {
        self as usize
    }

    /// What the metric measures, in words: `detect`, ..., `resolve`.
    pub fn verb(self) -> &'static str {
        match self {
            Metric::Mttd => "detect",
            Metric::Mtta => "acknowledge",
            Metric::Mtti => "identify",
            Metric::Mttm => "mitigate",
            Metric::Mttr => "resolve",
        }
    }
}

/// A grouping key of time-to-x aggregates: a canonical column or a dimension (an input's
/// column that is not canonical, by its [`dimension_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    Vendor,
    Component,
    Severity,
    Impact,
    Dim(String),
}

impl GroupKey {
    /// A key as written on the command line: a canonical name, else a dimension's.
    pub fn parse(s: &str) -> Option<GroupKey> {
        let name = dimension_name(s)?;
        Some(match name.as_str() {
            col::VENDOR => GroupKey::Vendor,
            col::COMPONENT | col::COMPONENTS => GroupKey::Component,
            col::SEVERITY => GroupKey::Severity,
            col::IMPACT => GroupKey::Impact,
            _ => GroupKey::Dim(name),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            GroupKey::Vendor => col::VENDOR,
            GroupKey::Component => col::COMPONENT,
            GroupKey::Severity => col::SEVERITY,
            GroupKey::Impact => col::IMPACT,
            GroupKey::Dim(d) => d,
        }
    }
}

/// A dimension's name: the header trimmed and lower-cased, each run of characters other than
/// `a-z0-9` one `_` (`Team Name` -> `team_name`); `None` when nothing is left but `_`.
pub fn dimension_name(header: &str) -> Option<String> {
    let mut out = String::new();
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.chars().any(|c| c != '_').then_some(out)
}

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

/// Whether a change from the period before is distinguishable from noise
/// (`metrics::trend`): with its p-value, or no verdict for too few incidents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Changed(f64),
    Noise(f64),
    TooFew,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Changed(_) => "distinguishable",
            Verdict::Noise(_) => "noise",
            Verdict::TooFew => "too_few_incidents",
        }
    }

    pub fn p(self) -> Option<f64> {
        match self {
            Verdict::Changed(p) | Verdict::Noise(p) => Some(p),
            Verdict::TooFew => None,
        }
    }

    /// For readers: `beyond noise (p = 0.012)`, `within noise (p = 0.43)`, `too few incidents`.
    pub fn describe(self) -> String {
        let p = |p: f64| {
            if p < 0.001 {
                "p < 0.001".to_string()
            } else {
                format!("p = {p:.3}")
            }
        };
        match self {
            Verdict::Changed(x) => format!("beyond noise ({})", p(x)),
            Verdict::Noise(x) => format!("within noise ({})", p(x)),
            Verdict::TooFew => "too few incidents".into(),
        }
    }
}

/// The verdicts of a report's last period against the one before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub last: String,
    pub before: String,
    pub mttd: Verdict,
    pub mttr: Verdict,
    /// All vendors' downtime.
    pub downtime: Verdict,
    /// Each vendor's and component's availability.
    pub availability: Vec<(AvailKey, Verdict)>,
}

/// A vendor or component of the availability rows: `(scope, vendor, component)`.
pub type AvailKey = (AvailScope, String, Option<String>);

impl Trend {
    /// The verdict of a row's availability change.
    pub fn of(&self, a: &AvailabilityRow) -> Option<Verdict> {
        (self.availability.iter())
            .find(|((s, v, c), _)| *s == a.scope && *v == a.vendor && *c == a.component)
            .map(|(_, verdict)| *verdict)
    }
}

/// One day of a status page's published uptime: its date (`YYYY-MM-DD`, the page's days) and
/// the seconds of major and of partial outage it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedDay {
    pub date: String,
    pub major_s: f64,
    pub partial_s: f64,
}

/// A component's published uptime as its status page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedComponent {
    pub vendor: String,
    pub component: String,
    /// The component's `startDate` (no figure counts days before it).
    pub start_date: Option<String>,
    /// Oldest first.
    pub days: Vec<PublishedDay>,
    /// The figure the page displays (Statuspage: its 90-day figure).
    pub displayed_pct: Option<f64>,
    /// How the platform works its figure out.
    pub rule: PublishedRule,
}

/// A platform's rule for its published uptime.
#[derive(Debug, Clone, PartialEq)]
pub enum PublishedRule {
    /// Statuspage: major plus 0.3 of partial outage over whole days, truncated to 2 decimals.
    Statuspage,
    /// Better Stack: the downtime of its "downtime" days over the seconds from the first day's
    /// midnight in the page's zone (UTC ms) to the page's `updated_at` (UTC ms).
    BetterStack { from: i64, to: i64 },
}

/// The group of incidents without a value for a key, and the value `--where` matches them by.
pub const NONE_GROUP: &str = "(none)";

/// `--where KEY=V1,V2` (keep the incidents whose key is one of the values) or `KEY!=V1,V2`
/// (drop them). Values are trimmed; [`NONE_GROUP`] stands for no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub key: String,
    pub keep: bool,
    pub values: Vec<String>,
    /// From the configuration (`[filter] where`): inputs without the key skip it (with a
    /// note) rather than fail.
    pub standing: bool,
}

impl Filter {
    pub fn parse(s: &str) -> Result<Filter, String> {
        let (key, keep, values) = match (s.split_once("!="), s.split_once('=')) {
            (Some((k, v)), _) => (k, false, v),
            (None, Some((k, v))) => (k, true, v),
            _ => return Err(format!("'{s}': expected KEY=V1,V2 or KEY!=V1,V2")),
        };
        let key = key.trim().to_ascii_lowercase();
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.is_empty() || values.iter().all(String::is_empty) {
            return Err(format!("'{s}': expected KEY=V1,V2 or KEY!=V1,V2"));
        }
        Ok(Filter {
            key,
            keep,
            values,
            standing: false,
        })
    }

    /// Whether an incident with these values of the key (several for `component`; none for a
    /// missing value) passes.
    pub fn passes<'a>(&self, mut values: impl Iterator<Item = Option<&'a str>>) -> bool {
        let hit = values.any(|v| {
            let v = v
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .unwrap_or(NONE_GROUP);
            let v = if self.key == col::SEVERITY {
                std::borrow::Cow::Owned(v.to_lowercase())
            } else {
                std::borrow::Cow::Borrowed(v)
            };
            self.values.iter().any(|w| {
                let w = if self.key == col::SEVERITY && w != NONE_GROUP {
                    std::borrow::Cow::Owned(w.to_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(w.as_str())
                };
                w == v
            })
        });
        hit == self.keep
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.keep { "=" } else { "!=" };
        write!(f, "{}{op}{}", self.key, self.values.join(","))
    }
}

/// Sort key of a severity label: the recognised labels in their order of gravity (`critical`,
/// `major`, `minor`, `none`, then `sev1`..`sev5`), then any other label alphabetically.
pub fn severity_rank(label: &str) -> (u8, &str) {
    const KNOWN: [&str; 9] = [
        "critical", "major", "minor", "none", "sev1", "sev2", "sev3", "sev4", "sev5",
    ];
    match KNOWN.iter().position(|k| *k == label) {
        Some(i) => (i as u8, ""),
        None => (u8::MAX, label),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimension_names_are_headers_lower_cased_with_runs_of_other_characters_as_one_underscore() {
        assert_eq!(dimension_name("Team Name").as_deref(), Some("team_name"));
        assert_eq!(
            dimension_name("  TEAM   name ").as_deref(),
            Some("team_name")
        );
        assert_eq!(dimension_name("team_name").as_deref(), Some("team_name"));
        assert_eq!(
            dimension_name("Component/s").as_deref(),
            Some("component_s")
        );
        assert_eq!(dimension_name("\u{feff}Kind").as_deref(), Some("kind"));
        assert_eq!(
            dimension_name("Prio (P1-P5)").as_deref(),
            Some("prio_p1_p5_")
        );
        assert_eq!(dimension_name(" -- "), None);
        assert_eq!(dimension_name(""), None);
        assert_eq!(
            GroupKey::parse("Team Name"),
            Some(GroupKey::Dim("team_name".into()))
        );
        assert_eq!(GroupKey::parse("Severity"), Some(GroupKey::Severity));
        assert_eq!(GroupKey::parse("components"), Some(GroupKey::Component));
    }

    #[test]
    fn filters_keep_or_drop_by_exact_trimmed_values_none_included() {
        let keep = Filter::parse(" kind = incident, (none) ").unwrap();
        assert_eq!((keep.key.as_str(), keep.keep), ("kind", true));
        assert!(keep.passes([Some("incident")].into_iter()));
        assert!(keep.passes([Some("  incident ")].into_iter()));
        assert!(keep.passes([None].into_iter()), "(none) matches no value");
        assert!(
            keep.passes([Some("  ")].into_iter()),
            "an empty value is none"
        );
        assert!(
            !keep.passes([Some("Incident")].into_iter()),
            "exact, case included"
        );
        let drop = Filter::parse("kind!=test,gameday").unwrap();
        assert!(!drop.passes([Some("gameday")].into_iter()));
        assert!(drop.passes([None].into_iter()));
        // Severity compares lower-cased, as ingest stores it.
        let sev = Filter::parse("severity=SEV1").unwrap();
        assert!(sev.passes([Some("sev1")].into_iter()));
        // A component filter holds when any listed component matches.
        let comp = Filter::parse("component=DB").unwrap();
        assert!(comp.passes([Some("API"), Some("DB")].into_iter()));
        assert!(!comp.passes([Some("API")].into_iter()));
        assert_eq!(drop.to_string(), "kind!=test,gameday");
        for bad in ["kind", "=x", "kind=", " != , "] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }
}
