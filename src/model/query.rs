//! What a user asks of the incidents: the keys to group by (canonical columns or any other
//! column, by its dimension name) and the `--where` filters.

use std::fmt;

use super::vocabulary::col;

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
