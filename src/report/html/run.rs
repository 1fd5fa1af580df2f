//! The page's account of the run: the incidents read, the data quality (rejected rows and
//! warnings), the definitions this run's numbers follow, and the configuration in force.

use maud::{Markup, html};

use super::{MAX_INCIDENTS, MAX_QUALITY};
use crate::model::{Anchor, Level, Metric, window_source};
use crate::report::Report;
use crate::report::format::{opt_minutes, pct};
use crate::time::format_utc;

/// The incidents started in the window (the first [`MAX_INCIDENTS`]).
pub(super) fn incidents(r: &Report) -> Markup {
    let all = &r.computed.incidents;
    let shown: Vec<usize> = (0..all.len()).filter(|i| all.in_window[*i]).collect();
    html! {
        p.note {
            (shown.len()) " incidents started in the window"
            @if shown.len() > MAX_INCIDENTS {
                ", the first " (MAX_INCIDENTS) " listed (all are in incidents.csv)"
            }
            "; durations in minutes from " code { "started_at" } "."
        }
        div.scroll { table {
            thead { tr {
                th { "started (UTC)" } th { "vendor" } th { "id" } th { "title" }
                th { "severity" } th { "impact" } th { "components" }
                @for m in Metric::ALL {
                    th.num { (m.duration_column().trim_end_matches("_min").to_uppercase()) }
                }
                th { "windows" } th { "warnings" }
            } }
            tbody {
                @for i in shown.iter().take(MAX_INCIDENTS).map(|k| all.row(*k)) {
                    tr {
                        td.num { (i.timestamps[0].as_deref().unwrap_or_default()) }
                        td.nowrap { (i.vendor) }
                        td.nowrap { (i.id) }
                        td { (i.title.as_deref().unwrap_or_default()) }
                        td { (i.severity.as_deref().unwrap_or_default()) }
                        td { (i.impact.replace('_', " ")) }
                        td { (i.components.replace(';', "; ")) }
                        @for d in &i.durations { td.num { (opt_minutes(*d)) } }
                        td { (i.window_source) }
                        td { (i.warnings.as_deref().unwrap_or_default()) }
                    }
                }
            }
        } }
    }
}

/// Rows read, accepted and rejected; every rejected row and warning (the first
/// [`MAX_QUALITY`] of each).
pub(super) fn quality(r: &Report) -> Markup {
    let c = &r.counts;
    html! {
        p {
            (c.read) " rows read: " (c.accepted) " accepted, " (c.rejected) " rejected"
            @if c.duplicates > 0 { "; " (c.duplicates) " superseded by a later duplicate" }
            ". " (r.warnings.len()) " warnings."
        }
        @for note in &r.notes { p.note { "Note: " (note) } }
        @if !r.rejects.is_empty() {
            h3 { "Rejected rows" }
            div.scroll { table {
                thead { tr {
                    th { "source" } th.num { "line" } th { "column" } th { "reason" } th { "raw" }
                } }
                tbody {
                    @for j in r.rejects.iter().take(MAX_QUALITY) {
                        tr {
                            td { (j.source) } td.num { (j.line) } td { (j.column) }
                            td { (j.reason) } td { code { (j.raw) } }
                        }
                    }
                }
            } }
            @if r.rejects.len() > MAX_QUALITY {
                p.note { (r.rejects.len() - MAX_QUALITY) " more in rejects.csv." }
            }
        }
        @if !r.warnings.is_empty() {
            h3 { "Warnings" }
            div.scroll { table {
                thead { tr { th { "source" } th.num { "line" } th { "warning" } } }
                tbody {
                    @for w in r.warnings.iter().take(MAX_QUALITY) {
                        tr { td { (w.source) } td.num { (w.line) } td { (w.message) } }
                    }
                }
            } }
            @if r.warnings.len() > MAX_QUALITY {
                p.note { (r.warnings.len() - MAX_QUALITY) " more warnings not listed." }
            }
        }
        @if r.rejects.is_empty() && r.warnings.is_empty() {
            p.note { "Every row was read; nothing to flag." }
        }
    }
}

/// The configuration file in force, as read.
pub(super) fn config_in_force(r: &Report) -> Markup {
    html! {
        h3 { "Configuration" }
        @match &r.config.path {
            Some(p) => {
                p.note {
                    "Read from " code { (p.display()) } "; command-line flags override it."
                }
                pre { code { (r.config.describe()) } }
            }
            None => p.note { "No configuration file: built-in defaults and command-line flags." },
        }
    }
}

/// The SLA targets in force, in words.
fn targets(r: &Report) -> String {
    let mut pcts: Vec<f64> = (r.computed.availability.iter())
        .map(|a| a.sla_target_pct)
        .collect();
    pcts.sort_by(f64::total_cmp);
    pcts.dedup();
    let mut out: Vec<String> = pcts.iter().map(|t| format!("{}%", pct(*t))).collect();
    if !r.config.rules.is_empty() {
        out.push(format!(
            "set per vendor and component by the configuration's [[sla]] entries (below), the most specific entry winning{}",
            if r.config.rules.iter().any(|x| x.hours.is_some()) {
                "; entries with hours count the window and the downtime inside those hours only"
            } else {
                ""
            }
        ));
    }
    out.join(", ")
}

/// How every number of this run was computed.
pub(super) fn definitions(r: &Report) -> Markup {
    let p = &r.period;
    let weights: Vec<String> = (Level::ALL.iter())
        .map(|l| format!("{} {}", l.as_str().replace('_', " "), r.weights.of(*l)))
        .collect();
    let anchor = html! {
        @match r.anchor {
            Anchor::Started => code { "started_at" },
            Anchor::Detected => {
                code { "detected_at" } " (TTD still from " code { "started_at" } ")"
            }
        }
    };
    html! {
        dl.defs {
            dt { "Window" }
            dd {
                (p.title()) " (" (p.periods.len()) " months): from " (format_utc(p.start)) " to "
                (format_utc(p.end)) " (UTC, end excluded); months cut at local midnight in "
                code { (p.tz.name()) } ", so a month with a clock change has its true length."
            }
            dt { "Time to x" }
            dd {
                "TTD, TTA, TTI, TTM and TTR are " code { "detected_at" } ", " code { "acknowledged_at" }
                ", " code { "identified_at" } ", " code { "mitigated_at" } " and " code { "resolved_at" }
                " minus " (anchor) ", per incident, for incidents started in the window. Empty and negative durations are left out (n counts the rest). Median and p90 interpolate linearly between closest ranks (type 7, as numpy and DuckDB's quantile_cont)."
            }
            dt { "Impact windows" }
            dd {
                "Per incident and component: from " code { "started_at" } " to " code { "mitigated_at" }
                ", else " code { "resolved_at" } ", else the end of the window (still open); precise windows (an impacts table, a status page's updates, stated windows) replace them where given. Windows are clipped to the report window."
            }
            dt { "Downtime" }
            dd {
                "At each instant the heaviest level open on a component counts, weighted: "
                (weights.join(", ")) " (preset " code { (r.weights.name()) } "). A vendor's downtime is the same sweep over all its components, so simultaneous failures count once. Outage is the unweighted union of non-maintenance windows."
            }
            dt { "Availability and SLA" }
            dd {
                "availability = 100 × (1 − downtime ÷ window minutes). Targets: " (targets(r))
                "; met when the availability, at 6 decimals, is at least the target. Budget = (1 − target ÷ 100) × window minutes; budget used = downtime ÷ budget. MTBF = (window − outage) ÷ incidents started."
            }
            dt { "Charts" }
            dd {
                "Daily uptime covers the last " (r.computed.daily.days.len())
                " days of the window; a day's colour is its availability. Downtime bars are split by the heaviest level open at each instant. The distribution's median and p90 are those of the MTTR row above."
            }
            dt { "Window sources" }
            dd {
                code { (window_source::RECORD) } ": the record's own timestamps; "
                code { (window_source::IMPACTS) } ": an impacts table; "
                code { (window_source::UPDATES) } ": a status page's component updates; "
                code { (window_source::STATED) } ": windows stated in a report's text."
            }
            dt { "This run" }
            dd {
                "mttx " (env!("CARGO_PKG_VERSION")) ", weights " (r.weights.name()) ", anchor "
                (r.anchor.as_str()) ", time zone " (p.tz.name())
                ". Same input and options give the same report byte for byte."
            }
        }
        @if !r.filters.is_empty() {
            dl.defs {
                dt { "Filters" }
                dd {
                    "Only incidents where "
                    @for (i, f) in r.filters.iter().enumerate() {
                        @if i > 0 { " and " }
                        code { (f) }
                    }
                    " (every filter holds; " code { "(none)" } " is an empty value); the others count nowhere in this report."
                }
            }
        }
    }
}
