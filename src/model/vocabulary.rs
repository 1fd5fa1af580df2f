//! The words of the contract: canonical column names, where a window comes from, impact
//! levels and their downtime weights, the anchor of time-to-x and the five metrics, the order of
//! severity labels, and how a value is shown in a message or kept from running as a formula.

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
