//! Reading `mttx.toml`: the file's shape (one serde struct per section, unknown keys refused),
//! and [`parse`], which turns each section into [`Config`] values and every wrong value into an
//! error naming the key and its line.

use std::path::PathBuf;

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use super::reader::{Reader, line_of};
use super::values::Config;
use crate::error::Result;
use crate::hours::Hours;
use crate::ingest::columns::ColumnMap;
use crate::metrics::sla::{Pattern, SlaRule};
use crate::model::{Anchor, Level, WeightPreset};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    store: Option<Spanned<String>>,
    vendor: Option<Vec<Spanned<VendorEntry>>>,
    source: Option<Vec<Spanned<super::source::SourceEntry>>>,
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

impl Reader<'_> {
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
        if !super::source::is_http_url(&url) {
            return self.err(
                url_at,
                format!("[[vendor]] '{name}' url '{url}': not an http(s) URL (e.g. https://www.githubstatus.com)"),
            );
        }
        let insecure = e.insecure_http.as_ref().is_some_and(|b| *b.get_ref());
        if lower.starts_with("http://") && !insecure && !super::source::is_loopback(&url) {
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
        r.report(rep, &mut c)?;
    }
    if let Some(w) = &file.weights {
        r.weights(w, &mut c)?;
    }
    for entry in file.sla.iter().flatten() {
        let rule = r.sla(entry, c.tz)?;
        c.rules.push(rule);
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
        r.column_names(cols, &mut c.columns)?;
        r.column_shapes(cols, &mut c.columns)?;
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

/// The sections of the file, each read into [`Config`] values.
impl Reader<'_> {
    /// `[report]`: time zone, vendor, weights preset, anchor, default SLA target.
    fn report(&self, rep: &ReportSection, c: &mut Config) -> Result<()> {
        if let Some(tz) = &rep.tz {
            c.tz = Some(self.tz("[report] tz", tz)?);
        }
        if let Some(v) = &rep.vendor {
            if v.get_ref().trim().is_empty() {
                return self.err(v.span(), "[report] vendor: empty".into());
            }
            c.vendor = Some(v.get_ref().trim().to_string());
        }
        if let Some(w) = &rep.weights {
            c.weights = Some(match w.get_ref().as_str() {
                "statuspage" => WeightPreset::Statuspage,
                "strict" => WeightPreset::Strict,
                other => {
                    return self.err(
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
                    return self.err(
                        a.span(),
                        format!("[report] anchor '{other}': expected started or detected"),
                    );
                }
            });
        }
        if let Some(s) = &rep.sla {
            c.sla = Some(self.target("[report] sla", s)?);
        }
        Ok(())
    }

    /// `[weights]`: each level's weight, and the published partial weight.
    fn weights(&self, w: &WeightsSection, c: &mut Config) -> Result<()> {
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
                    return self.err(
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
            c.published_partial = Some(self.weight("[weights] published_partial", p)?);
        }
        Ok(())
    }

    /// One `[[sla]]` entry: a target for a vendor (and component), in business hours or not.
    fn sla(&self, entry: &Spanned<SlaEntry>, default_tz: Option<Tz>) -> Result<SlaRule> {
        let line = line_of(self.text, entry.span().start);
        let e = entry.get_ref();
        let target = self.target("[[sla]] target", &e.target)?;
        if e.vendor.get_ref().trim().is_empty() {
            return self.err(
                e.vendor.span(),
                "[[sla]] vendor: empty (use \"*\" for every vendor)".into(),
            );
        }
        let hours = match &e.hours {
            Some(h) => {
                let tz = match &e.tz {
                    Some(tz) => self.tz("[[sla]] tz", tz)?,
                    None => default_tz.unwrap_or(Tz::UTC),
                };
                Some(
                    Hours::parse(h.get_ref(), tz)
                        .or_else(|m| self.err(h.span(), format!("[[sla]] hours {m}")))?,
                )
            }
            None => {
                if let Some(tz) = &e.tz {
                    return self.err(tz.span(), "[[sla]] tz: only meaningful with hours".into());
                }
                None
            }
        };
        Ok(SlaRule {
            vendor: Pattern(e.vendor.get_ref().trim().to_string()),
            component: e
                .component
                .as_ref()
                .map(|p| Pattern(p.get_ref().trim().to_string())),
            target,
            hours,
            line,
        })
    }

    /// `[columns]`: a preset, and the input's name for each canonical column.
    fn column_names(&self, cols: &ColumnsSection, columns: &mut ColumnMap) -> Result<()> {
        if let Some(p) = &cols.preset {
            *columns = ColumnMap::preset(p.get_ref()).or_else(|m| {
                self.err(p.span(), format!("[columns] preset '{}': {m}", p.get_ref()))
            })?;
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
                    return self.err(v.span(), format!("[columns] {canon}: empty column name"));
                }
                columns.rename(canon, v.get_ref().trim());
            }
        }

        Ok(())
    }

    /// `[columns]`: the time format, extra dimensions, and components as one column or flags.
    fn column_shapes(&self, cols: &ColumnsSection, columns: &mut ColumnMap) -> Result<()> {
        if let Some(f) = &cols.time_format {
            use chrono::format::{Item, StrftimeItems};
            if f.get_ref().trim().is_empty()
                || StrftimeItems::new(f.get_ref()).any(|i| matches!(i, Item::Error))
            {
                return self.err(
                    f.span(),
                    format!(
                        "[columns] time_format '{}': not a chrono format (e.g. \"%d/%b/%y %I:%M %p\")",
                        f.get_ref()
                    ),
                );
            }
            columns.time_format = Some(f.get_ref().to_string());
        }
        for (name, header) in cols.dimensions.iter().flatten() {
            let dim = crate::ingest::columns::dimension_name(name);
            match dim {
                Some(d) if !header.get_ref().trim().is_empty() => {
                    (columns.dimensions).push((d, header.get_ref().trim().to_string()))
                }
                _ => {
                    return self.err(
                        header.span(),
                        format!("[columns.dimensions] {name}: a name and a column name"),
                    );
                }
            }
        }
        if let Some(v) = &cols.components {
            match v.get_ref() {
                OneOrMany::One(name) => columns.rename(crate::model::col::COMPONENTS, name.trim()),
                OneOrMany::Many(flags) => {
                    if flags.is_empty() {
                        return self.err(v.span(), "[columns] components: an empty list".into());
                    }
                    columns.component_flags = flags.iter().map(|f| f.trim().to_string()).collect();
                }
            }
        }
        Ok(())
    }
}
