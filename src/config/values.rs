//! The configuration's values ([`Config`]), and how they read back to a user (`mttx config`).

use std::fmt::Write;
use std::path::PathBuf;

use chrono_tz::Tz;

use crate::ingest::columns::ColumnMap;
use crate::metrics::sla::SlaRule;
use crate::model::{Anchor, Level, WeightPreset};

/// The file read when no `--config` is given, if present.
pub const DEFAULT_FILE: &str = "mttx.toml";

/// What a config file says, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file read; `None` when there was none.
    pub path: Option<PathBuf>,
    /// Its text, as read (shown in the HTML report).
    pub text: String,
    pub tz: Option<Tz>,
    /// Vendor of rows that name none (as `--vendor`).
    pub vendor: Option<String>,
    pub weights: Option<WeightPreset>,
    /// `[weights]`: a weight per level overriding the preset's (`Level::code` order).
    pub weight_overrides: [Option<f64>; 4],
    pub anchor: Option<Anchor>,
    pub sla: Option<f64>,
    pub rules: Vec<SlaRule>,
    pub columns: ColumnMap,
    /// `store`: the vendor store's file, relative paths taken from the config file's folder.
    pub store: Option<PathBuf>,
    /// `[[vendor]]`: status pages that `mttx sync` keeps in the store.
    pub vendors: Vec<crate::sources::Vendor>,
    /// `[[source]]`: incident tools' APIs that `mttx sync` keeps in the store.
    pub sources: Vec<crate::sources::Source>,
    /// `[filter] where`: standing filters, before any `--where`.
    pub filters: Vec<crate::model::Filter>,
    /// `[weights] published_partial`: the weight of a partial outage in status pages' own
    /// uptime figures, for vendors without their own (`[[vendor]] published_partial`).
    pub published_partial: Option<f64>,
}

impl Config {
    /// The weight of a partial outage in `vendor`'s published uptime: its `[[vendor]]` entry's,
    /// else `[weights] published_partial`, else its platform's (1 for incident.io pages), else
    /// Statuspage's 0.3.
    pub fn published_partial(&self, vendor: &str) -> f64 {
        let entry = self.vendors.iter().find(|v| v.name == vendor);
        entry
            .and_then(|v| v.published_partial)
            .or(self.published_partial)
            .or_else(|| {
                entry
                    .and_then(|v| crate::sources::platform(&v.platform))
                    .map(|p| p.published_partial)
            })
            .unwrap_or(crate::metrics::published::STATUSPAGE_PARTIAL)
    }
}

impl Config {
    /// What a config sets, one line per setting, in the words of the file.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_report(&mut s);
        self.describe_sla(&mut s);
        self.describe_sync(&mut s);
        self.describe_columns(&mut s);
        for f in &self.filters {
            let _ = writeln!(s, "  filter: where {f}");
        }
        s
    }

    /// The file read, and the report defaults: time zone, vendor, weights, anchor, target.
    fn describe_report(&self, s: &mut String) {
        match &self.path {
            Some(p) => {
                let _ = writeln!(*s, "config: {}", p.display());
            }
            None => {
                let _ = writeln!(
                    *s,
                    "config: none (no --config, no ./{}); built-in defaults",
                    DEFAULT_FILE
                );
            }
        }
        let _ = writeln!(
            *s,
            "  tz: {}",
            self.tz
                .map_or("UTC (default)".into(), |t| t.name().to_string())
        );
        if let Some(v) = &self.vendor {
            let _ = writeln!(*s, "  vendor of rows without one: {v}");
        }
        let _ = writeln!(
            *s,
            "  weights: {}",
            self.weights.map_or("statuspage (default)", |w| w.as_str())
        );
        for l in Level::ALL {
            if let Some(w) = self.weight_overrides[l.code() as usize] {
                let _ = writeln!(*s, "    {} = {w}", l.as_str());
            }
        }
        let _ = writeln!(
            *s,
            "  anchor: {}",
            self.anchor.map_or("started (default)", |a| a.as_str())
        );
        let _ = writeln!(
            *s,
            "  sla: {}",
            self.sla.map_or("99.9 (default)".into(), |t| format!("{t}"))
        );
    }

    /// The `[[sla]]` entries.
    fn describe_sla(&self, s: &mut String) {
        for r in &self.rules {
            let _ = write!(*s, "  [[sla]] line {}: vendor {}", r.line, r.vendor.0);
            if let Some(comp) = &r.component {
                let _ = write!(*s, ", component {}", comp.0);
            }
            let _ = write!(*s, ": {}%", r.target);
            if let Some(h) = &r.hours {
                let _ = write!(*s, " during {} ({})", h.text, h.tz.name());
            }
            s.push('\n');
        }
    }

    /// What `mttx sync` reads: the store, the vendors, the sources (whether each token is set).
    fn describe_sync(&self, s: &mut String) {
        if let Some(store) = &self.store {
            let _ = writeln!(*s, "  store: {}", store.display());
        }
        for v in &self.vendors {
            let _ = writeln!(*s, "  [[vendor]] {}: {} ({})", v.name, v.url, v.platform);
        }
        for src in &self.sources {
            let set = |name: &str| match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => "set",
                _ => "NOT SET",
            };
            let _ = write!(
                *s,
                "  [[source]] {}: {} at {}, token ${} ({})",
                src.name,
                src.tool,
                src.url,
                src.token_env,
                set(&src.token_env)
            );
            if let Some(u) = &src.user_env {
                let _ = write!(*s, ", e-mail ${u} ({})", set(u));
            }
            let _ = writeln!(
                *s,
                ", since {}",
                src.since.map_or(
                    "365 days before the first sync (default)".to_string(),
                    |d| d.to_string()
                )
            );
        }
    }

    /// The column mapping of a foreign export.
    fn describe_columns(&self, s: &mut String) {
        if !self.columns.is_empty() {
            if let Some(p) = self.columns.preset {
                let _ = writeln!(*s, "  columns preset: {p}");
            }
            for (canon, header) in &self.columns.renames {
                let _ = writeln!(*s, "  columns: {canon} <- '{header}'");
            }
            if !self.columns.component_flags.is_empty() {
                let _ = writeln!(
                    *s,
                    "  columns: components <- 0/1 columns {}",
                    self.columns.component_flags.join(", ")
                );
            }
            if let Some(f) = &self.columns.time_format {
                let _ = writeln!(*s, "  columns: timestamps also as '{f}'");
            }
            for (dim, header) in &self.columns.dimensions {
                let _ = writeln!(*s, "  columns: dimension {dim} <- '{header}'");
            }
        }
    }
}
