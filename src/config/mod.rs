//! The configuration file (`mttx.toml`, contract section 6): report defaults, custom weights,
//! SLA targets by vendor and component, and the column mapping of foreign exports. Read into
//! plain values; every unknown key, wrong type or impossible value is an error naming the key
//! and its line. Command-line flags override what is read here (the merge is in `cli`).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::hours::Hours;
use crate::ingest::columns::ColumnMap;
use crate::metrics::sla::{Pattern, SlaRule};
use crate::model::{Anchor, Level, WeightPreset};

mod source;

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
        let c = self;
        let mut s = String::new();
        match &c.path {
            Some(p) => {
                let _ = writeln!(s, "config: {}", p.display());
            }
            None => {
                let _ = writeln!(
                    s,
                    "config: none (no --config, no ./{}); built-in defaults",
                    DEFAULT_FILE
                );
            }
        }
        let _ = writeln!(
            s,
            "  tz: {}",
            c.tz.map_or("UTC (default)".into(), |t| t.name().to_string())
        );
        if let Some(v) = &c.vendor {
            let _ = writeln!(s, "  vendor of rows without one: {v}");
        }
        let _ = writeln!(
            s,
            "  weights: {}",
            c.weights.map_or("statuspage (default)", |w| w.as_str())
        );
        for l in Level::ALL {
            if let Some(w) = c.weight_overrides[l.code() as usize] {
                let _ = writeln!(s, "    {} = {w}", l.as_str());
            }
        }
        let _ = writeln!(
            s,
            "  anchor: {}",
            c.anchor.map_or("started (default)", |a| a.as_str())
        );
        let _ = writeln!(
            s,
            "  sla: {}",
            c.sla.map_or("99.9 (default)".into(), |t| format!("{t}"))
        );
        for r in &c.rules {
            let _ = write!(s, "  [[sla]] line {}: vendor {}", r.line, r.vendor.0);
            if let Some(comp) = &r.component {
                let _ = write!(s, ", component {}", comp.0);
            }
            let _ = write!(s, ": {}%", r.target);
            if let Some(h) = &r.hours {
                let _ = write!(s, " during {} ({})", h.text, h.tz.name());
            }
            s.push('\n');
        }
        if let Some(store) = &c.store {
            let _ = writeln!(s, "  store: {}", store.display());
        }
        for v in &c.vendors {
            let _ = writeln!(s, "  [[vendor]] {}: {} ({})", v.name, v.url, v.platform);
        }
        for src in &c.sources {
            let set = |name: &str| match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => "set",
                _ => "NOT SET",
            };
            let _ = write!(
                s,
                "  [[source]] {}: {} at {}, token ${} ({})",
                src.name,
                src.tool,
                src.url,
                src.token_env,
                set(&src.token_env)
            );
            if let Some(u) = &src.user_env {
                let _ = write!(s, ", e-mail ${u} ({})", set(u));
            }
            let _ = writeln!(
                s,
                ", since {}",
                src.since.map_or(
                    "365 days before the first sync (default)".to_string(),
                    |d| d.to_string()
                )
            );
        }
        if !c.columns.is_empty() {
            if let Some(p) = c.columns.preset {
                let _ = writeln!(s, "  columns preset: {p}");
            }
            for (canon, header) in &c.columns.renames {
                let _ = writeln!(s, "  columns: {canon} <- '{header}'");
            }
            if !c.columns.component_flags.is_empty() {
                let _ = writeln!(
                    s,
                    "  columns: components <- 0/1 columns {}",
                    c.columns.component_flags.join(", ")
                );
            }
            if let Some(f) = &c.columns.time_format {
                let _ = writeln!(s, "  columns: timestamps also as '{f}'");
            }
            for (dim, header) in &c.columns.dimensions {
                let _ = writeln!(s, "  columns: dimension {dim} <- '{header}'");
            }
        }
        for f in &c.filters {
            let _ = writeln!(s, "  filter: where {f}");
        }
        s
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    store: Option<Spanned<String>>,
    vendor: Option<Vec<Spanned<VendorEntry>>>,
    source: Option<Vec<Spanned<source::SourceEntry>>>,
    report: Option<ReportSection>,
    weights: Option<WeightsSection>,
    sla: Option<Vec<Spanned<SlaEntry>>>,
    columns: Option<ColumnsSection>,
    filter: Option<FilterSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterSection {
    #[serde(rename = "where")]
    where_: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportSection {
    tz: Option<Spanned<String>>,
    vendor: Option<Spanned<String>>,
    weights: Option<Spanned<String>>,
    anchor: Option<Spanned<String>>,
    sla: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsSection {
    major_outage: Option<Spanned<f64>>,
    partial_outage: Option<Spanned<f64>>,
    degraded_performance: Option<Spanned<f64>>,
    under_maintenance: Option<Spanned<f64>>,
    published_partial: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaEntry {
    vendor: Spanned<String>,
    component: Option<Spanned<String>>,
    target: Spanned<f64>,
    hours: Option<Spanned<String>>,
    tz: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorEntry {
    name: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    platform: Option<Spanned<String>>,
    published_partial: Option<Spanned<f64>>,
    insecure_http: Option<Spanned<bool>>,
}

/// A column name, or for `components` a list of 0/1 columns, one per component.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsSection {
    preset: Option<Spanned<String>>,
    dimensions: Option<std::collections::BTreeMap<String, Spanned<String>>>,
    time_format: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    vendor: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    impact: Option<Spanned<String>>,
    components: Option<Spanned<OneOrMany>>,
    started_at: Option<Spanned<String>>,
    detected_at: Option<Spanned<String>>,
    acknowledged_at: Option<Spanned<String>>,
    identified_at: Option<Spanned<String>>,
    mitigated_at: Option<Spanned<String>>,
    resolved_at: Option<Spanned<String>>,
}

/// Line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> u64 {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
}

struct Reader<'a> {
    name: String,
    text: &'a str,
}

impl Reader<'_> {
    fn err<T>(&self, span: std::ops::Range<usize>, message: String) -> Result<T> {
        Err(Error::Config {
            source_name: self.name.clone(),
            line: line_of(self.text, span.start),
            message,
        })
    }

    fn tz(&self, key: &str, v: &Spanned<String>) -> Result<Tz> {
        v.get_ref().parse().or_else(|_| {
            self.err(
                v.span(),
                format!(
                    "{key} '{}': not an IANA time zone name (e.g. UTC, Europe/Berlin)",
                    v.get_ref()
                ),
            )
        })
    }

    /// A `[[vendor]]` table, checked against those before it.
    fn vendor(
        &self,
        entry: &Spanned<VendorEntry>,
        before: &[crate::sources::Vendor],
    ) -> Result<crate::sources::Vendor> {
        let e = entry.get_ref();
        let at = entry.span();
        let text = |v: &Option<Spanned<String>>| {
            v.as_ref()
                .map(|v| (v.get_ref().trim().to_string(), v.span()))
                .filter(|(t, _)| !t.is_empty())
        };
        let Some((name, name_at)) = text(&e.name) else {
            return self.err(at, "[[vendor]] without a name (name = \"GitHub\")".into());
        };
        if before.iter().any(|v| v.name == name) {
            return self.err(
                name_at,
                format!("[[vendor]] name '{name}': a second vendor of that name"),
            );
        }
        let Some((url, url_at)) = text(&e.url) else {
            return self.err(
                at,
                format!(
                    "[[vendor]] '{name}' without a url (url = \"https://www.githubstatus.com\")"
                ),
            );
        };
        let lower = url.to_ascii_lowercase();
        if !source::is_http_url(&url) {
            return self.err(
                url_at,
                format!("[[vendor]] '{name}' url '{url}': not an http(s) URL (e.g. https://www.githubstatus.com)"),
            );
        }
        let insecure = e.insecure_http.as_ref().is_some_and(|b| *b.get_ref());
        if lower.starts_with("http://") && !insecure && !source::is_loopback(&url) {
            return self.err(
                url_at,
                format!(
                    "[[vendor]] '{name}' url '{url}': plain http lets anyone on the way change what is stored; use https, or add insecure_http = true for a page on your own network"
                ),
            );
        }
        let platform = match &e.platform {
            None => crate::sources::detect(&url).name.to_string(),
            Some(p) => match crate::sources::platform(p.get_ref()) {
                Some(platform) => platform.name.to_string(),
                None => {
                    return self.err(
                        p.span(),
                        format!(
                            "[[vendor]] '{name}' platform '{}': expected {} (or leave it out to detect it)",
                            p.get_ref(),
                            crate::sources::PLATFORMS.map(|p| p.name).join(" or ")
                        ),
                    );
                }
            },
        };
        let published_partial = match &e.published_partial {
            Some(w) => Some(self.weight("[[vendor]] published_partial", w)?),
            None => None,
        };
        Ok(crate::sources::Vendor {
            name,
            url: url.trim_end_matches('/').to_string(),
            platform,
            published_partial,
        })
    }

    fn weight(&self, key: &str, v: &Spanned<f64>) -> Result<f64> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            self.err(
                v.span(),
                format!("{key} = {x}: a weight is between 0 and 1"),
            )
        }
    }

    fn target(&self, key: &str, v: &Spanned<f64>) -> Result<f64> {
        let t = *v.get_ref();
        if t > 0.0 && t <= 100.0 {
            Ok(t)
        } else {
            self.err(
                v.span(),
                format!("{key} = {t}: a target is a percentage above 0 and at most 100"),
            )
        }
    }
}

/// Reads `path`, or `./mttx.toml` when `path` is `None` and the file exists; no file gives the
/// empty config.
pub fn load(path: Option<&Path>) -> Result<Config> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_FILE);
            if !p.is_file() {
                return Ok(Config::default());
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { path: path.clone() },
        _ => Error::Io {
            path: path.clone(),
            source: e,
        },
    })?;
    let mut config = parse(&path.display().to_string(), &text)?;
    if let Some(store) = &config.store
        && store.is_relative()
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        config.store = Some(dir.join(store));
    }
    config.path = Some(path);
    Ok(config)
}

/// Parses the text of a config file named `name` (for messages).
pub fn parse(name: &str, text: &str) -> Result<Config> {
    let r = Reader {
        name: name.to_string(),
        text,
    };
    let file: File = toml::from_str(text).or_else(|e| {
        let message = e.message().trim().replace("unknown field", "unknown key");
        r.err(e.span().unwrap_or(0..0), message)
    })?;
    let mut c = Config {
        text: text.to_string(),
        ..Config::default()
    };
    if let Some(rep) = &file.report {
        if let Some(tz) = &rep.tz {
            c.tz = Some(r.tz("[report] tz", tz)?);
        }
        if let Some(v) = &rep.vendor {
            if v.get_ref().trim().is_empty() {
                return r.err(v.span(), "[report] vendor: empty".into());
            }
            c.vendor = Some(v.get_ref().trim().to_string());
        }
        if let Some(w) = &rep.weights {
            c.weights = Some(match w.get_ref().as_str() {
                "statuspage" => WeightPreset::Statuspage,
                "strict" => WeightPreset::Strict,
                other => {
                    return r.err(
                        w.span(),
                        format!("[report] weights '{other}': expected statuspage or strict"),
                    );
                }
            });
        }
        if let Some(a) = &rep.anchor {
            c.anchor = Some(match a.get_ref().as_str() {
                "started" => Anchor::Started,
                "detected" => Anchor::Detected,
                other => {
                    return r.err(
                        a.span(),
                        format!("[report] anchor '{other}': expected started or detected"),
                    );
                }
            });
        }
        if let Some(s) = &rep.sla {
            c.sla = Some(r.target("[report] sla", s)?);
        }
    }
    if let Some(w) = &file.weights {
        let given = [
            (Level::MajorOutage, &w.major_outage),
            (Level::PartialOutage, &w.partial_outage),
            (Level::DegradedPerformance, &w.degraded_performance),
            (Level::UnderMaintenance, &w.under_maintenance),
        ];
        for (level, v) in given {
            if let Some(v) = v {
                let x = *v.get_ref();
                if !(0.0..=1.0).contains(&x) {
                    return r.err(
                        v.span(),
                        format!(
                            "[weights] {} = {x}: a weight is between 0 and 1",
                            level.as_str()
                        ),
                    );
                }
                c.weight_overrides[level.code() as usize] = Some(x);
            }
        }
        if let Some(p) = &w.published_partial {
            c.published_partial = Some(r.weight("[weights] published_partial", p)?);
        }
    }
    for entry in file.sla.iter().flatten() {
        let line = line_of(text, entry.span().start);
        let e = entry.get_ref();
        let target = r.target("[[sla]] target", &e.target)?;
        if e.vendor.get_ref().trim().is_empty() {
            return r.err(
                e.vendor.span(),
                "[[sla]] vendor: empty (use \"*\" for every vendor)".into(),
            );
        }
        let hours = match &e.hours {
            Some(h) => {
                let tz = match &e.tz {
                    Some(tz) => r.tz("[[sla]] tz", tz)?,
                    None => c.tz.unwrap_or(Tz::UTC),
                };
                Some(
                    Hours::parse(h.get_ref(), tz)
                        .or_else(|m| r.err(h.span(), format!("[[sla]] hours {m}")))?,
                )
            }
            None => {
                if let Some(tz) = &e.tz {
                    return r.err(tz.span(), "[[sla]] tz: only meaningful with hours".into());
                }
                None
            }
        };
        c.rules.push(SlaRule {
            vendor: Pattern(e.vendor.get_ref().trim().to_string()),
            component: e
                .component
                .as_ref()
                .map(|p| Pattern(p.get_ref().trim().to_string())),
            target,
            hours,
            line,
        });
    }
    if let Some(store) = &file.store {
        if store.get_ref().trim().is_empty() {
            return r.err(store.span(), "store: empty file name".into());
        }
        c.store = Some(PathBuf::from(store.get_ref().trim()));
    }
    for entry in file.vendor.iter().flatten() {
        c.vendors.push(r.vendor(entry, &c.vendors)?);
    }
    for entry in file.source.iter().flatten() {
        let taken: Vec<String> = c
            .vendors
            .iter()
            .map(|v| v.name.clone())
            .chain(c.sources.iter().map(|s| s.name.clone()))
            .collect();
        c.sources.push(r.source(entry, &taken)?);
    }
    if let Some(cols) = &file.columns {
        if let Some(p) = &cols.preset {
            c.columns = ColumnMap::preset(p.get_ref())
                .or_else(|m| r.err(p.span(), format!("[columns] preset '{}': {m}", p.get_ref())))?;
        }
        let single = [
            (crate::model::col::ID, &cols.id),
            (crate::model::col::VENDOR, &cols.vendor),
            (crate::model::col::TITLE, &cols.title),
            (crate::model::col::SEVERITY, &cols.severity),
            (crate::model::col::IMPACT, &cols.impact),
            (crate::model::col::STARTED_AT, &cols.started_at),
            (crate::model::col::DETECTED_AT, &cols.detected_at),
            (crate::model::col::ACKNOWLEDGED_AT, &cols.acknowledged_at),
            (crate::model::col::IDENTIFIED_AT, &cols.identified_at),
            (crate::model::col::MITIGATED_AT, &cols.mitigated_at),
            (crate::model::col::RESOLVED_AT, &cols.resolved_at),
        ];
        for (canon, v) in single {
            if let Some(v) = v {
                if v.get_ref().trim().is_empty() {
                    return r.err(v.span(), format!("[columns] {canon}: empty column name"));
                }
                c.columns.rename(canon, v.get_ref().trim());
            }
        }
        if let Some(f) = &cols.time_format {
            use chrono::format::{Item, StrftimeItems};
            if f.get_ref().trim().is_empty()
                || StrftimeItems::new(f.get_ref()).any(|i| matches!(i, Item::Error))
            {
                return r.err(
                    f.span(),
                    format!(
                        "[columns] time_format '{}': not a chrono format (e.g. \"%d/%b/%y %I:%M %p\")",
                        f.get_ref()
                    ),
                );
            }
            c.columns.time_format = Some(f.get_ref().to_string());
        }
        for (name, header) in cols.dimensions.iter().flatten() {
            let dim = crate::ingest::columns::dimension_name(name);
            match dim {
                Some(d) if !header.get_ref().trim().is_empty() => {
                    (c.columns.dimensions).push((d, header.get_ref().trim().to_string()))
                }
                _ => {
                    return r.err(
                        header.span(),
                        format!("[columns.dimensions] {name}: a name and a column name"),
                    );
                }
            }
        }
        if let Some(v) = &cols.components {
            match v.get_ref() {
                OneOrMany::One(name) => {
                    c.columns.rename(crate::model::col::COMPONENTS, name.trim())
                }
                OneOrMany::Many(flags) => {
                    if flags.is_empty() {
                        return r.err(v.span(), "[columns] components: an empty list".into());
                    }
                    c.columns.component_flags =
                        flags.iter().map(|f| f.trim().to_string()).collect();
                }
            }
        }
    }
    for w in file.filter.iter().flat_map(|f| &f.where_) {
        let f = crate::model::Filter::parse(w.get_ref())
            .or_else(|m| r.err(w.span(), format!("[filter] where {m}")))?;
        c.filters.push(crate::model::Filter {
            standing: true,
            ..f
        });
    }
    Ok(c)
}

/// A commented example (`mttx config --example`).
pub const EXAMPLE: &str = r#"# mttx.toml: read from --config FILE, else ./mttx.toml. Flags override it.
# Every key is optional; an unknown key is an error that names its line.

store = "vendors.db"        # the vendor store `mttx sync` fills (--store overrides it)

[[vendor]]                  # a status page to keep in the store, one table each
name = "GitHub"                       # the vendor's name in every report
url = "https://www.githubstatus.com"  # the status page's base URL (http or https)
platform = "statuspage"               # optional: statuspage, incident.io, google-cloud, aws, slack,
                                      # betterstack or atom; detected from the URL when absent

# Your own incidents, straight from your incident tool's API (one [[source]] table each).
# The token is read from the environment variable named by token_env, never from this file.
# [[source]]
# name = "Acme"                     # the vendor column of these incidents in every report
# tool = "pagerduty"                # pagerduty | incident.io | firehydrant | rootly | jira
# token_env = "PAGERDUTY_TOKEN"     # a read-only REST API key
# url = "https://api.eu.pagerduty.com"  # optional: the tool's public API by default
# since = "2024-01-01"              # how far back the first sync reaches (default: 365 days)
#
# [[source]]
# name = "Acme Web"
# tool = "incident.io"
# token_env = "INCIDENT_IO_TOKEN"   # an API key allowed to view incidents
# components_field = "Affected services"  # the custom field naming the components
# [source.timestamps]               # timestamp names, when yours differ from the defaults
# mitigated = "Monitoring"
#
# [[source]]
# name = "Acme Mobile"
# tool = "firehydrant"
# token_env = "FIREHYDRANT_TOKEN"   # url = "https://api.eu.firehydrant.io" for the EU
#
# [[source]]
# name = "Acme Data"
# tool = "rootly"
# token_env = "ROOTLY_TOKEN"
#
# [[source]]
# name = "Acme Ops"
# tool = "jira"
# url = "https://acme.atlassian.net"  # the site: required
# user_env = "JIRA_EMAIL"           # the account's e-mail (Basic auth with the API token)
# token_env = "JIRA_TOKEN"
# jql = "project = OPS AND issuetype = Incident"  # required
# [source.fields]                   # canonical times or severity -> field ids
# detected = "customfield_10041"

[report]
tz = "Europe/Berlin"        # report time zone: months, days, naive timestamps
# vendor = "Our platform"   # vendor of rows without one (an export of your own incidents)
weights = "statuspage"      # preset: statuspage (major 1, partial 0.3) | strict (all 1)
anchor = "started"          # started | detected: where TTA..TTR are measured from
sla = 99.9                  # default target, percent

[weights]                   # override the preset level by level, each between 0 and 1
partial_outage = 0.5
# degraded_performance = 0.1
# published_partial = 0.3   # a partial outage in status pages' own uptime figures (Statuspage 0.3;
                            # incident.io pages count it fully); [[vendor]] published_partial wins

[[sla]]                     # targets; the most specific match wins
vendor = "Acme*"            # exact name or glob (* any text, ? one character)
target = 99.5               # a vendor's target applies to its components too

[[sla]]
vendor = "Acme Cloud"
component = "API"           # a component entry overrides its vendor's
target = 99.95

[[sla]]
vendor = "Initech Identity"
target = 99.9
hours = "Mon-Fri 08:00-18:00"   # count downtime and window inside these hours only
tz = "Europe/Berlin"            # zone of the hours (default: [report] tz)

[columns]                   # a foreign export's column names -> canonical names
# preset = "pagerduty"      # or incident.io, jira, opsgenie, firehydrant; keys below override it
id = "incident_id"
vendor = "provider"
title = "Incident_Title"
started_at = "start_timestamp"
resolved_at = "close_timestamp"
# time_format = "%d/%b/%y %I:%M %p"   # timestamps RFC 3339 cannot read (chrono format)
# components = "services"             # one column of ;-separated names, or
# components = ["API", "ChatGPT"]     # 0/1 columns, one per component
# Every other column is a dimension for --by and --where, named after its header
# ("Team Name" -> team_name); [columns.dimensions] names one otherwise:
# [columns.dimensions]
# team = "Owning Team"

# [filter]                  # standing filters, before any --where (all must hold)
# where = ["kind!=test,gameday", "severity!=sev5"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("mttx.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn a_vendors_published_partial_weight_comes_from_its_entry_then_the_weights_then_its_platform()
    {
        let c = parse(
            "mttx.toml",
            "[weights]\npublished_partial = 0.5\n\n[[vendor]]\nname = \"A\"\nurl = \"https://a.test\"\npublished_partial = 1.0\n\n[[vendor]]\nname = \"B\"\nurl = \"https://b.test\"\n",
        )
        .unwrap();
        assert_eq!(c.published_partial("A"), 1.0);
        assert_eq!(c.published_partial("B"), 0.5);
        assert_eq!(c.published_partial("Unlisted"), 0.5);
        let c = parse(
            "mttx.toml",
            "[[vendor]]\nname = \"I\"\nurl = \"https://i.test\"\nplatform = \"incident.io\"\n",
        )
        .unwrap();
        assert_eq!(
            c.published_partial("I"),
            1.0,
            "incident.io counts a partial outage fully"
        );
        assert_eq!(c.published_partial("Other"), 0.3, "Statuspage's rule");
        let err = parse("mttx.toml", "[weights]\npublished_partial = 2\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("published_partial = 2: a weight is between 0 and 1"),
            "{err}"
        );
    }

    #[test]
    fn dimensions_and_standing_filters_are_read_and_described() {
        let c = parse(
            "mttx.toml",
            "[columns.dimensions]\nteam = \"Owning Team\"\n\n[filter]\nwhere = [\"kind!=gameday,test\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.columns.dimensions,
            [("team".to_string(), "Owning Team".to_string())]
        );
        assert_eq!(
            c.columns.target(" owning team ").as_deref(),
            Some("\u{2}dim:team")
        );
        assert_eq!(c.filters.len(), 1);
        assert!(c.filters[0].standing && !c.filters[0].keep);
        let d = c.describe();
        assert!(
            d.contains("columns: dimension team <- 'Owning Team'"),
            "{d}"
        );
        assert!(d.contains("filter: where kind!=gameday,test"), "{d}");
        let err = parse("mttx.toml", "[filter]\nwhere = [\"kind\"]\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("mttx.toml:2: [filter] where 'kind': expected"),
            "{err}"
        );
    }

    #[test]
    fn the_example_reads_and_says_what_it_shows() {
        let c = parse("mttx.toml", EXAMPLE).unwrap();
        assert_eq!(c.tz, Some("Europe/Berlin".parse().unwrap()));
        assert_eq!(c.weights, Some(WeightPreset::Statuspage));
        assert_eq!(c.weight_overrides, [None, Some(0.5), None, None]);
        assert_eq!(c.sla, Some(99.9));
        assert_eq!(c.rules.len(), 3);
        assert_eq!(c.rules[1].component, Some(Pattern("API".into())));
        let h = c.rules[2].hours.as_ref().unwrap();
        assert_eq!((h.start_min, h.end_min), (480, 1080));
        assert_eq!(c.rules[0].line, 62, "the line of the [[sla]] header");
        assert!(c.sources.is_empty(), "the sources are commented out");
        // Uncommented, the example's sources read: one per tool.
        let mut on = false;
        let text: String = EXAMPLE
            .lines()
            .map(|l| {
                on = (on || l.starts_with("# [[source]]")) && !l.starts_with("[report]");
                let l = if on {
                    l.trim_start_matches('#').trim_start()
                } else {
                    l
                };
                format!("{l}\n")
            })
            .collect();
        let c = parse("mttx.toml", &text).unwrap();
        let tools: Vec<&str> = c.sources.iter().map(|s| s.tool).collect();
        assert_eq!(
            tools,
            ["pagerduty", "incident.io", "firehydrant", "rootly", "jira"]
        );
        assert_eq!(c.sources[0].url, "https://api.eu.pagerduty.com");
        assert_eq!(
            c.sources[2].url, "https://api.firehydrant.io",
            "the tool's default"
        );
        assert_eq!(
            c.sources[1].settings.timestamps["mitigated"], "Monitoring",
            "incident.io's renamed timestamp"
        );
        assert_eq!(
            c.sources[4].settings.fields["detected"],
            "customfield_10041"
        );
        assert_eq!(c.sources[4].user_env.as_deref(), Some("JIRA_EMAIL"));
        assert_eq!(c.store, Some(PathBuf::from("vendors.db")));
        assert_eq!(
            c.vendors,
            [crate::sources::Vendor {
                name: "GitHub".into(),
                url: "https://www.githubstatus.com".into(),
                platform: "statuspage".into(),
                published_partial: None,
            }]
        );
        assert_eq!(
            c.columns.target("start_timestamp").as_deref(),
            Some(crate::model::col::STARTED_AT)
        );
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        assert_eq!(
            err("[report]\ntz = \"UTC\"\nslaa = 99.9\n"),
            "mttx.toml:3: unknown key `slaa`, expected one of `tz`, `vendor`, `weights`, `anchor`, `sla`"
        );
        assert_eq!(
            err("[[sla]]\nvendor = \"A\"\ntarget = 120\n"),
            "mttx.toml:3: [[sla]] target = 120: a target is a percentage above 0 and at most 100"
        );
        assert_eq!(
            err("[weights]\n\npartial_outage = -0.3\n"),
            "mttx.toml:3: [weights] partial_outage = -0.3: a weight is between 0 and 1"
        );
        assert!(err("[report]\nsla = \"high\"\n").starts_with("mttx.toml:2: invalid type"));
        assert!(err("[report]\ntz = \"Mars/Olympus\"\n").starts_with("mttx.toml:2: [report] tz"));
        assert!(
            err("[[sla]]\nvendor = \"A\"\ntarget = 99\nhours = \"Mon-Fri 9-5\"\n")
                .starts_with("mttx.toml:4: [[sla]] hours")
        );
        assert!(
            err("[columns]\npreset = \"servicenow\"\n")
                .starts_with("mttx.toml:2: [columns] preset")
        );
        assert!(err("[colums]\nid = \"x\"\n").starts_with("mttx.toml:1: unknown key `colums`"));
    }

    #[test]
    fn urls_are_read_by_a_url_parser() {
        for bad in [
            "https://status a.test",
            "https://[::1",
            "https://a.test:99999",
            "https://",
            "status.a.test",
        ] {
            let text = format!("[[vendor]]\nname = \"A\"\nurl = \"{bad}\"\n");
            assert!(
                err(&text).contains("not an http(s) URL"),
                "{bad}: {}",
                err(&text)
            );
        }
        for good in [
            "https://[2001:db8::1]:8443/status",
            "https://user@status.a.test",
        ] {
            let text = format!("[[vendor]]\nname = \"A\"\nurl = \"{good}\"\n");
            assert!(parse("mttx.toml", &text).is_ok(), "{good}");
        }
    }

    #[test]
    fn plain_http_is_refused_but_for_loopback_or_an_explicit_opt_in() {
        assert_eq!(
            err("[[vendor]]\nname = \"A\"\nurl = \"http://status.a.test\"\n"),
            "mttx.toml:3: [[vendor]] 'A' url 'http://status.a.test': plain http lets anyone on the way change what is stored; use https, or add insecure_http = true for a page on your own network"
        );
        for ok in [
            "[[vendor]]\nname = \"A\"\nurl = \"http://status.intranet.test\"\ninsecure_http = true\n",
            "[[vendor]]\nname = \"A\"\nurl = \"http://localhost:8080\"\n",
            "[[vendor]]\nname = \"A\"\nurl = \"http://[::1]:8080\"\n",
            "[[vendor]]\nname = \"A\"\nurl = \"http://127.0.0.2\"\n",
        ] {
            assert!(parse("mttx.toml", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn vendors_are_checked_and_named_with_their_line() {
        let c = parse(
            "mttx.toml",
            "[[vendor]]\nname = \" Acme \"\nurl = \"http://127.0.0.1:8080/\"\n\n[[vendor]]\nname = \"Tailspin\"\nurl = \"https://status.tailspin.test\"\nplatform = \"incident.io\"\n",
        )
        .unwrap();
        assert_eq!(c.vendors.len(), 2);
        assert_eq!(c.vendors[0].name, "Acme");
        assert_eq!(
            c.vendors[0].url, "http://127.0.0.1:8080",
            "no trailing slash"
        );
        assert_eq!(c.vendors[0].platform, "statuspage", "detected");
        assert_eq!(c.vendors[1].platform, "incident.io");
        assert_eq!(
            err("[report]\nsla = 99\n\n[[vendor]]\nurl = \"https://a.test\"\n"),
            "mttx.toml:4: [[vendor]] without a name (name = \"GitHub\")"
        );
        assert_eq!(
            err("[[vendor]]\nname = \"A\"\n"),
            "mttx.toml:1: [[vendor]] 'A' without a url (url = \"https://www.githubstatus.com\")"
        );
        assert_eq!(
            err(
                "[[vendor]]\nname = \"A\"\nurl = \"https://a.test\"\n[[vendor]]\nname = \"A\"\nurl = \"https://b.test\"\n"
            ),
            "mttx.toml:5: [[vendor]] name 'A': a second vendor of that name"
        );
        assert_eq!(
            err("[[vendor]]\nname = \"A\"\nurl = \"ftp://a.test\"\n"),
            "mttx.toml:3: [[vendor]] 'A' url 'ftp://a.test': not an http(s) URL (e.g. https://www.githubstatus.com)"
        );
        assert!(
            err("[[vendor]]\nname = \"A\"\nurl = \"https://\"\n")
                .starts_with("mttx.toml:3: [[vendor]] 'A' url")
        );
        assert!(
            err("[[vendor]]\nname = \"A\"\nurl = \"https://a.test\"\nplatform = \"pagerduty\"\n")
                .starts_with("mttx.toml:4: [[vendor]] 'A' platform 'pagerduty'")
        );
        assert!(
            err("[[vendor]]\nname = \"A\"\nurl = \"https://a.test\"\nkey = 1\n")
                .starts_with("mttx.toml:4: unknown key `key`")
        );
    }
}
