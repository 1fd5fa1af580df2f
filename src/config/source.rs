//! `[[source]]` tables of mttx.toml: an incident tool's API to sync the team's own incidents
//! from, checked key by key, each mistake named with its line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::reader::Reader;
use crate::error::Result;
use crate::sources::{self, Settings, Source};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceEntry {
    name: Option<Spanned<String>>,
    tool: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    user_env: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    since: Option<Spanned<String>>,
    jql: Option<Spanned<String>>,
    components_field: Option<Spanned<String>>,
    fields: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    timestamps: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
}

/// The keys of `[source.timestamps]`; `[source.fields]` also takes `severity`.
pub const TIME_KEYS: [&str; 6] = [
    "started",
    "detected",
    "acknowledged",
    "identified",
    "mitigated",
    "resolved",
];

fn trimmed(v: &Option<Spanned<String>>) -> Option<(String, std::ops::Range<usize>)> {
    v.as_ref()
        .map(|v| (v.get_ref().trim().to_string(), v.span()))
        .filter(|(t, _)| !t.is_empty())
}

/// Whether `url` is an http(s) URL with a host.
/// Read by a URL parser: a space, a bad IPv6 literal or a port out of range is no URL.
pub(super) fn is_http_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// Whether `url`'s host is this machine (127.0.0.0/8, localhost, [::1]).
pub(super) fn is_loopback(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Reader<'_> {
    /// A `[[source]]` table, checked against the vendors and the sources before it.
    pub(super) fn source(&self, entry: &Spanned<SourceEntry>, taken: &[String]) -> Result<Source> {
        let e = entry.get_ref();
        let at = entry.span();
        let Some((name, name_at)) = trimmed(&e.name) else {
            return self.err(at, "[[source]] without a name (name = \"Acme\")".into());
        };
        if taken.contains(&name) {
            return self.err(
                name_at,
                format!(
                    "[[source]] name '{name}': a [[vendor]] or [[source]] of that name already"
                ),
            );
        }
        let names: Vec<&str> = sources::TOOLS.iter().map(|t| t.name).collect();
        let Some((tool_name, tool_at)) = trimmed(&e.tool) else {
            return self.err(
                at,
                format!(
                    "[[source]] '{name}' without a tool (tool = one of {})",
                    names.join(", ")
                ),
            );
        };
        let Some(tool) = sources::tool(&tool_name) else {
            return self.err(
                tool_at,
                format!(
                    "[[source]] '{name}' tool '{tool_name}': expected one of {}",
                    names.join(", ")
                ),
            );
        };
        let Some((token_env, _)) = trimmed(&e.token_env) else {
            return self.err(
                at,
                format!(
                    "[[source]] '{name}' without token_env (the environment variable holding the API token, e.g. token_env = \"{}_TOKEN\")",
                    tool.name.replace('.', "").to_ascii_uppercase()
                ),
            );
        };
        let url = self.source_url(&name, tool, e, at.clone())?;
        let since = match trimmed(&e.since) {
            None => None,
            Some((d, d_at)) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").or_else(|_| {
                self.err(
                    d_at,
                    format!("[[source]] '{name}' since '{d}': not a date (YYYY-MM-DD)"),
                )
            })?),
        };
        let settings = self.source_settings(&name, tool.name, e)?;
        let user_env = self.source_user(&name, tool.name, e, at.clone())?;
        Ok(Source {
            name,
            tool: tool.name,
            url,
            token_env,
            user_env,
            since,
            line: super::reader::line_of(self.text, at.start),
            settings: Settings {
                since: since.map(|d| d.to_string()),
                ..settings
            },
        })
    }

    /// The variable holding the account's e-mail: Jira needs one, the other tools take none.
    fn source_user(
        &self,
        name: &str,
        tool: &str,
        e: &SourceEntry,
        at: std::ops::Range<usize>,
    ) -> Result<Option<String>> {
        let user_env = trimmed(&e.user_env).map(|(u, _)| u);
        if tool == "jira" && user_env.is_none() {
            return self.err(
                at,
                format!("[[source]] '{name}': jira needs user_env, the variable holding the account's e-mail (user_env = \"JIRA_EMAIL\")"),
            );
        }
        if tool != "jira"
            && let Some(u) = &e.user_env
        {
            return self.err(
                u.span(),
                format!("[[source]] '{name}' user_env: only jira takes it"),
            );
        }
        Ok(user_env)
    }

    /// A source's URL: as given (https, or plain http to this machine only: it carries a
    /// token), else the tool's public API; Jira has none and needs one.
    fn source_url(
        &self,
        name: &str,
        tool: &sources::Tool,
        e: &SourceEntry,
        at: std::ops::Range<usize>,
    ) -> Result<String> {
        Ok(match (trimmed(&e.url), tool.default_url) {
            (Some((u, u_at)), _) => {
                if !is_http_url(&u) {
                    return self.err(
                        u_at,
                        format!("[[source]] '{name}' url '{u}': not an http(s) URL"),
                    );
                }
                if !u.to_ascii_lowercase().starts_with("https://") && !is_loopback(&u) {
                    return self.err(
                        u_at,
                        format!(
                            "[[source]] '{name}' url '{u}': the token is sent over https only (plain http only to this machine: 127.0.0.1, localhost, [::1])"
                        ),
                    );
                }
                u.trim_end_matches('/').to_string()
            }
            (None, Some(d)) => d.to_string(),
            (None, None) => {
                return self.err(
                    at,
                    format!(
                        "[[source]] '{name}': {} needs url, the site (url = \"https://acme.atlassian.net\")",
                        tool.name
                    ),
                );
            }
        })
    }

    /// The tool-specific keys: each only where its tool reads it.
    fn source_settings(&self, name: &str, tool: &str, e: &SourceEntry) -> Result<Settings> {
        let only = |key: &str, owner: &str, span: std::ops::Range<usize>| -> Result<()> {
            if tool == owner {
                Ok(())
            } else {
                self.err(
                    span,
                    format!("[[source]] '{name}' {key}: only {owner} takes it"),
                )
            }
        };
        let mut s = Settings::default();
        if let Some(j) = &e.jql {
            only("jql", "jira", j.span())?;
            s.jql = trimmed(&e.jql).map(|(j, _)| j);
        }
        if tool == "jira" && s.jql.is_none() {
            return self.err(
                e.jql.as_ref().map_or(0..0, |j| j.span()),
                format!("[[source]] '{name}': jira needs jql, the query of the incidents (jql = \"project = OPS AND issuetype = Incident\")"),
            );
        }
        if let Some(c) = &e.components_field {
            only("components_field", "incident.io", c.span())?;
            s.components_field = trimmed(&e.components_field).map(|(c, _)| c);
        }
        if let Some(f) = &e.fields {
            only("[source.fields]", "jira", f.span())?;
            s.fields = self.keyed(name, "fields", f.get_ref(), true)?;
        }
        if let Some(t) = &e.timestamps {
            only("[source.timestamps]", "incident.io", t.span())?;
            s.timestamps = self.keyed(name, "timestamps", t.get_ref(), false)?;
        }
        Ok(s)
    }

    fn keyed(
        &self,
        name: &str,
        table: &str,
        map: &BTreeMap<String, Spanned<String>>,
        severity: bool,
    ) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for (k, v) in map {
            let known = TIME_KEYS.contains(&k.as_str()) || (severity && k == "severity");
            if !known {
                return self.err(
                    v.span(),
                    format!(
                        "[[source]] '{name}' [source.{table}] key '{k}': expected {}{}",
                        TIME_KEYS.join(", "),
                        if severity { " or severity" } else { "" }
                    ),
                );
            }
            let value = v.get_ref().trim();
            if value.is_empty() {
                return self.err(
                    v.span(),
                    format!("[[source]] '{name}' [source.{table}] {k}: empty"),
                );
            }
            out.insert(k.clone(), value.to_string());
        }
        Ok(out)
    }
}
