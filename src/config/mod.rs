//! The configuration file (`mttx.toml`, contract section 6): report defaults, custom weights,
//! SLA targets by vendor and component, and the column mapping of foreign exports. Read into
//! plain values; every unknown key, wrong type or impossible value is an error naming the key
//! and its line. Command-line flags override what is read here (the merge is in `cli`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod read;
mod reader;
mod source;
mod values;

pub use read::parse;
pub use values::{Config, DEFAULT_FILE};

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
    use crate::metrics::sla::Pattern;
    use crate::model::WeightPreset;

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
