//! Column mapping of foreign exports (`[columns]` in `mttx.toml`): which header of a file holds
//! each canonical column, components given as one 0/1 column per component, a timestamp format
//! for tools that do not write RFC 3339, and presets for the exports teams actually have. A
//! mapped header absent from a file is simply not read (so one mapping serves several layouts);
//! the usual "missing column" rejects then say what is still missing.

use chrono::{DateTime, NaiveDateTime};
use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::Result;
use crate::model::col;
use crate::time::local_to_utc_ms;

/// Prefix of the internal name a component flag column is read under.
const FLAG: &str = "\u{1}component:";

/// Prefix of the internal name a dimension (a column that is not canonical) is read under, so
/// that no header can take the name of a column ingest adds (`source`, `line`, `warnings`).
pub(crate) const DIM: &str = "\u{2}dim:";

pub use crate::model::dimension_name;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    /// `(canonical column, header in the file)`.
    pub renames: Vec<(&'static str, String)>,
    /// Headers of 0/1 columns, each named after the component it stands for.
    pub component_flags: Vec<String>,
    /// A chrono format (`%d/%b/%y %I:%M %p`) tried on timestamps RFC 3339 cannot read; without
    /// an offset in it, times are read in `--tz`.
    pub time_format: Option<String>,
    /// The preset the map started from.
    pub preset: Option<&'static str>,
    /// `(dimension, header)`: headers read as a dimension of another name (`[columns.dimensions]`).
    pub dimensions: Vec<(String, String)>,
    /// Headers read as a canonical column that are kept as a dimension too (a preset's
    /// `urgency` is the severity and stays a dimension of its own).
    pub also_dimensions: Vec<&'static str>,
}

/// A preset: its name, `(canonical column, header)` pairs, a timestamp format if needed, and
/// the mapped headers kept as dimensions too. Every other header of the export is a dimension.
pub type Preset = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    &'static [&'static str],
);

/// The presets: a tool's export layout as its column headers (matched case-insensitively).
pub const PRESETS: [Preset; 5] = [
    (
        "pagerduty",
        &[
            (col::ID, "incident_number"),
            (col::COMPONENTS, "service_name"),
            (col::TITLE, "title"),
            (col::SEVERITY, "urgency"),
            (col::STARTED_AT, "created_at"),
            (col::ACKNOWLEDGED_AT, "acknowledged_at"),
            (col::RESOLVED_AT, "resolved_at"),
        ],
        None,
        &["urgency"],
    ),
    (
        "incident.io",
        &[
            (col::ID, "Reference"),
            (col::TITLE, "Name"),
            (col::SEVERITY, "Severity"),
            (col::COMPONENTS, "Affected services"),
            (col::STARTED_AT, "Impact started at"),
            (col::DETECTED_AT, "Reported at"),
            (col::ACKNOWLEDGED_AT, "Accepted at"),
            (col::IDENTIFIED_AT, "Identified at"),
            (col::MITIGATED_AT, "Fixed at"),
            (col::RESOLVED_AT, "Resolved at"),
        ],
        None,
        &[],
    ),
    (
        "jira",
        &[
            (col::ID, "Issue key"),
            (col::VENDOR, "Project name"),
            (col::TITLE, "Summary"),
            (col::SEVERITY, "Priority"),
            (col::COMPONENTS, "Component/s"),
            (col::STARTED_AT, "Created"),
            (col::RESOLVED_AT, "Resolved"),
        ],
        Some("%d/%b/%y %I:%M %p"),
        &["Priority"],
    ),
    (
        "opsgenie",
        &[
            (col::ID, "TinyId"),
            (col::TITLE, "Message"),
            (col::SEVERITY, "Priority"),
            (col::COMPONENTS, "Services"),
            (col::STARTED_AT, "ImpactStartDate"),
            (col::DETECTED_AT, "ImpactDetectDate"),
            (col::MITIGATED_AT, "ImpactEndDate"),
            (col::RESOLVED_AT, "ClosedAt"),
        ],
        None,
        &["Priority"],
    ),
    (
        "firehydrant",
        &[
            (col::ID, "Number"),
            (col::TITLE, "Name"),
            (col::SEVERITY, "Severity"),
            (col::COMPONENTS, "Services"),
            (col::STARTED_AT, "Started At"),
            (col::DETECTED_AT, "Detected At"),
            (col::ACKNOWLEDGED_AT, "Acknowledged At"),
            (col::IDENTIFIED_AT, "Identified At"),
            (col::MITIGATED_AT, "Mitigated At"),
            (col::RESOLVED_AT, "Resolved At"),
        ],
        None,
        &[],
    ),
];

fn norm(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_lowercase()
}

impl ColumnMap {
    /// The map of a preset, by name.
    pub fn preset(name: &str) -> Result<ColumnMap, String> {
        let (key, pairs, format, also) =
            PRESETS.iter().find(|(k, ..)| *k == name).ok_or_else(|| {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.0).collect();
                format!("no such preset (available: {})", names.join(", "))
            })?;
        Ok(ColumnMap {
            renames: pairs.iter().map(|(c, h)| (*c, h.to_string())).collect(),
            component_flags: Vec::new(),
            time_format: format.map(str::to_string),
            preset: Some(key),
            dimensions: Vec::new(),
            also_dimensions: also.to_vec(),
        })
    }

    /// Maps `canonical` to `header`, replacing an earlier mapping of it.
    pub fn rename(&mut self, canonical: &'static str, header: &str) {
        self.renames.retain(|(c, _)| *c != canonical);
        self.renames.push((canonical, header.to_string()));
        if canonical == col::COMPONENTS {
            self.component_flags.clear();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.renames.is_empty()
            && self.component_flags.is_empty()
            && self.time_format.is_none()
            && self.dimensions.is_empty()
    }

    /// The column a header is read as: a mapped canonical name, an internal flag name, a
    /// mapped dimension, the header's own canonical name unless that column is mapped from
    /// another header (then it is not read), or else a dimension of the header's name.
    pub fn target(&self, header: &str) -> Option<String> {
        let h = norm(header);
        if let Some((c, _)) = self.renames.iter().find(|(_, src)| norm(src) == h) {
            return Some(c.to_string());
        }
        if let Some(f) = self.component_flags.iter().find(|f| norm(f) == h) {
            return Some(format!("{FLAG}{f}"));
        }
        if let Some((d, _)) = self.dimensions.iter().find(|(_, src)| norm(src) == h) {
            return Some(format!("{DIM}{d}"));
        }
        let Some(c) = canonical_name(header) else {
            return dimension_name(header).map(|d| format!("{DIM}{d}"));
        };
        let mapped_elsewhere = self.renames.iter().any(|(k, _)| *k == c)
            || (c == col::COMPONENTS && !self.component_flags.is_empty());
        (!mapped_elsewhere).then(|| c.to_string())
    }

    /// `(canonical column, dimension)` of the mapped headers kept as dimensions too.
    pub(crate) fn also_kept(&self) -> Vec<(&'static str, String)> {
        (self.renames.iter())
            .filter(|(_, h)| self.also_dimensions.iter().any(|a| norm(a) == norm(h)))
            .filter_map(|(c, h)| Some((*c, dimension_name(h)?)))
            .collect()
    }

    /// A timestamp in the map's `time_format`, if it has one and the text fits it.
    pub fn parse_time(&self, s: &str, tz: &Tz) -> Option<i64> {
        let f = self.time_format.as_deref()?;
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.timestamp_millis());
        }
        NaiveDateTime::parse_from_str(s, f)
            .ok()
            .map(|t| local_to_utc_ms(tz, t))
    }
}

/// Replaces the flag columns of `df` with one `components` column: the names of the flags that
/// are set (`1`, `1.0`, `true`, `yes`, `y`, `x`), `;`-separated, in the map's order.
pub(crate) fn fold_flags(df: DataFrame) -> Result<DataFrame> {
    let flags: Vec<String> = df
        .get_column_names()
        .iter()
        .filter(|n| n.starts_with(FLAG))
        .map(|n| n.to_string())
        .collect();
    if flags.is_empty() {
        return Ok(df);
    }
    const SET: [&str; 6] = ["1", "1.0", "true", "yes", "y", "x"];
    let mut on: Vec<BooleanChunked> = Vec::with_capacity(flags.len());
    for f in &flags {
        let text = df.column(f)?.cast(&DataType::String)?;
        on.push(
            text.str()?
                .iter()
                .map(|v| v.is_some_and(|v| SET.contains(&v.trim().to_lowercase().as_str())))
                .collect(),
        );
    }
    let names: Vec<&str> = flags.iter().map(|f| f.trim_start_matches(FLAG)).collect();
    let mut set = Vec::with_capacity(names.len());
    let components: StringChunked = (0..df.height())
        .map(|r| {
            set.clear();
            set.extend(
                (0..names.len())
                    .filter(|&k| on[k].get(r) == Some(true))
                    .map(|k| names[k]),
            );
            Some(set.join(";"))
        })
        .collect();
    let mut out = df.drop_many(flags.iter().map(String::as_str));
    out.with_column(components.with_name(col::COMPONENTS.into()).into_column())?;
    Ok(out)
}

/// Maps a header as written in a file to its canonical column name (of the incident record or
/// of the impacts table), if it is one.
pub(crate) fn canonical_name(header: &str) -> Option<&'static str> {
    let h = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    col::RECORD
        .into_iter()
        .chain(col::IMPACT_RECORD)
        .find(|c| *c == h)
}

/// The typed dtype of every timestamp column: UTC milliseconds.
pub(crate) fn ts_dtype() -> polars::prelude::DataType {
    use polars::prelude::{DataType, TimeUnit, TimeZone};
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_headers_win_over_canonical_ones() {
        let mut m = ColumnMap::default();
        m.rename(col::ID, "Incident_ID");
        m.rename(col::STARTED_AT, "start_timestamp");
        assert_eq!(m.target(" incident_id ").as_deref(), Some(col::ID));
        assert_eq!(
            m.target("START_TIMESTAMP").as_deref(),
            Some(col::STARTED_AT)
        );
        // The file's own `id` column is not read when id comes from elsewhere.
        assert_eq!(m.target("id"), None);
        assert_eq!(m.target("resolved_at").as_deref(), Some(col::RESOLVED_AT));
        // Any other header is a dimension.
        assert_eq!(m.target(" Provider ").as_deref(), Some("\u{2}dim:provider"));
    }

    #[test]
    fn flag_columns_fold_into_components() {
        let m = ColumnMap {
            component_flags: vec!["API".into(), "ChatGPT".into()],
            ..ColumnMap::default()
        };
        let api = m.target("API").unwrap();
        let chat = m.target("chatgpt").unwrap();
        let df = DataFrame::new(
            3,
            vec![
                Column::new(col::ID.into(), ["a", "b", "c"]),
                Column::new(api.as_str().into(), ["1", "0", "1"]),
                Column::new(chat.as_str().into(), ["0", "0", " TRUE "]),
            ],
        )
        .unwrap();
        let out = fold_flags(df).unwrap();
        assert_eq!(out.get_column_names(), [col::ID, col::COMPONENTS]);
        let comps: Vec<Option<&str>> = out
            .column(col::COMPONENTS)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        // No flag set: no component, the vendor as a whole.
        assert_eq!(comps, [Some("API"), Some(""), Some("API;ChatGPT")]);
    }

    #[test]
    fn presets_and_time_formats() {
        let jira = ColumnMap::preset("jira").unwrap();
        assert_eq!(jira.target("Issue key").as_deref(), Some(col::ID));
        let t = jira.parse_time("03/Jun/24 2:05 PM", &Tz::UTC).unwrap();
        assert_eq!(crate::time::format_utc(t), "2024-06-03T14:05:00Z");
        assert!(
            ColumnMap::preset("servicenow")
                .unwrap_err()
                .contains("pagerduty")
        );
    }
}
