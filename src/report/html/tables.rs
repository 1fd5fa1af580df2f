//! The page's tables of figures: SLA by vendor and period, the last period's SLA (each vendor's
//! missed components worst first, the rest folded), vendors and components over the window,
//! the time-to-x headline and the `--by` breakdown.

use std::collections::HashMap;

use maud::{Markup, PreEscaped, html};

use super::SLA_MONTHS;
use crate::model::{AvailScope, AvailabilityRow, Metric, PeriodLabel, Verdict};
use crate::report::Report;
use crate::report::format::{minutes, num, opt_minutes, pct, pct3};

/// An availability cell: green when the target was met, red with ✗ when missed, the downtime
/// and budget on hover.
fn avail_cell(a: &AvailabilityRow) -> Markup {
    let class = if a.sla_met { "num met" } else { "num missed" };
    let title = format!(
        "{} min down of a {} min budget ({} incidents)",
        minutes(a.downtime_min),
        minutes(a.budget_min),
        a.incidents
    );
    html! {
        td class=(class) title=(title) {
            (crate::report::format::availability(a)) "%" @if !a.sla_met { " ✗" }
        }
    }
}

fn budget_used(a: &AvailabilityRow) -> String {
    a.budget_used_pct
        .map(|b| format!("{}%", num(b, 1)))
        .unwrap_or_default()
}

/// Vendors by period (the last [`SLA_MONTHS`]), the whole window and the budget used.
pub(super) fn sla_table(r: &Report) -> Markup {
    let all: Vec<&str> = r.period.periods.iter().map(|m| m.label.as_str()).collect();
    let months = &all[all.len().saturating_sub(SLA_MONTHS)..];
    let vendor_rows = || (r.computed.availability.iter()).filter(|a| a.scope == AvailScope::Vendor);
    // Each vendor's row of each period, looked up once.
    let cells: HashMap<(&str, &str), &AvailabilityRow> = vendor_rows()
        .filter_map(|a| Some(((a.vendor.as_str(), a.period.period()?), a)))
        .collect();
    html! {
        div.scroll { table.wide {
            thead { tr {
                th { "vendor" } th.num { "target" }
                @for m in months { th.num { (m) } }
                th.num { "whole window" } th.num { "budget used" }
            } }
            tbody {
                @for v in vendor_rows().filter(|a| a.period.is_whole()) {
                    tr {
                        td { (v.vendor) } td.num { (pct(v.sla_target_pct)) "%" }
                        @for m in months {
                            @match cells.get(&(v.vendor.as_str(), *m)) {
                                Some(a) => (avail_cell(a)),
                                None => td {},
                            }
                        }
                        (avail_cell(v))
                        td.num { (budget_used(v)) }
                    }
                }
            }
        } }
        @if all.len() > months.len() {
            p.note {
                "The last " (months.len()) " of " (all.len())
                " months; every month is in availability.csv. The whole-window column covers them all."
            }
        }
        p.note { "Green: the target was met; red with ✗: missed. Hover a cell for its downtime and budget." }
    }
}

/// The last period's SLA: each vendor, its listed components, and a fold with the rest.
pub(super) fn period_sla(r: &Report) -> Markup {
    let Some(sla) = r.sla_period() else {
        return html! {};
    };
    // The folds are numbered 1, 2, .. down the table (the ids of their checkboxes).
    let mut folds = 0;
    let fold_ids: Vec<Option<usize>> = (sla.vendors.iter())
        .map(|v| {
            (!v.folded.is_empty()).then(|| {
                folds += 1;
                folds
            })
        })
        .collect();
    let unit = r.period.unit().0;
    html! {
        h3 { "SLA " (sla.label) }
        div.scroll { table {
            thead { tr {
                th { "vendor / component" } th.num { "target" } th.num { "availability" }
                th.num { "budget min" } th.num { "used" } th.num { "left min" }
                th.num { "maintenance min" } th.num { (sla.before) } th.num { "change" }
            } }
            @for (v, fold_id) in sla.vendors.iter().zip(fold_ids) {
                tbody {
                    (sla_row(r, v.vendor))
                    @for a in &v.listed { (sla_row(r, a)) }
                }
                @if let Some(id) = fold_id {
                    (fold(&format!("sla-{id}"), 9, &v.folded_text()))
                    tbody.folded { @for a in &v.folded { (sla_row(r, a)) } }
                }
            }
        } }
        @if folds > 0 {
            p.note {
                "Each vendor's missed components come first, worst first; past "
                (crate::report::SLA_COMPONENTS)
                ", the rest are counted (tick the row to list them). availability.csv has every row."
            }
        }
        p.note {
            "The window's last " (unit) " against the " (unit)
            " before (pp: percentage points); ● the change is beyond noise, ≈ within it, ? too few incidents to tell (hover for the p-value; docs/metrics.md, \"Honest trends\"). Left: budget minus downtime, negative when overspent. Maintenance is never downtime."
        }
    }
}

/// A row that opens the `tbody.folded` after it: a checkbox labelled with what the fold holds
/// (no script; the page's CSS shows the rows while it is ticked).
pub(super) fn fold(id: &str, columns: usize, text: &str) -> Markup {
    html! {
        tbody.fold { tr { td colspan=(columns) {
            input type="checkbox" id=(id); label for=(id) { (text) }
        } } }
    }
}

/// One vendor's or component's row of the last period's SLA table.
fn sla_row(r: &Report, a: &AvailabilityRow) -> Markup {
    let change = a.previous_pct.map(|p| a.availability_pct - p);
    html! {
        tr {
            td {
                @match &a.component {
                    Some(c) => { (PreEscaped("&nbsp;&nbsp;&nbsp;")) (c) }
                    None => strong { (a.vendor) },
                }
            }
            td.num { (pct(a.sla_target_pct)) "%" }
            (avail_cell(a))
            td.num { (minutes(a.budget_min)) }
            td.num { (budget_used(a)) }
            td.num { (minutes(a.budget_remaining_min)) }
            td.num { (minutes(a.maintenance_min)) }
            td.num { @if let Some(p) = a.previous_pct { (num(p, 3)) "%" } }
            td.num {
                @match change {
                    Some(c) if c > 1e-9 => { span.up-good { "▲ " (num(c, 3)) " pp" } (mark(r, a)) }
                    Some(c) if c < -1e-9 => { span.down-bad { "▼ " (num(-c, 3)) " pp" } (mark(r, a)) }
                    Some(_) => "no change",
                    None => {}
                }
            }
        }
    }
}

/// The mark of a row's availability change: beyond noise, within it, or too few incidents.
fn mark(r: &Report, a: &AvailabilityRow) -> Markup {
    let Some(v) = r.computed.trend.as_ref().and_then(|t| t.of(a)) else {
        return html! {};
    };
    let sign = match v {
        Verdict::Changed(_) => "●",
        Verdict::Noise(_) => "≈",
        Verdict::TooFew => "?",
    };
    html! { " " span.trend title=(v.describe()) { (sign) } }
}

/// The whole window's median of each `(vendor, component, metric)` of `scope` (`vendor` or
/// `component`), looked up once for a table (a fleet has thousands of rows each way).
fn medians_of<'r>(
    r: &'r Report,
    scope: &str,
) -> HashMap<(&'r str, Option<&'r str>, Metric), String> {
    r.computed
        .metrics
        .iter()
        .filter(|m| m.scope == scope && m.period == Some(PeriodLabel::Whole))
        .filter_map(|m| {
            let key = (m.vendor.as_deref()?, m.component.as_deref(), m.metric);
            Some((key, opt_minutes(m.stats.median)))
        })
        .collect()
}

/// Vendors or components over the whole window.
pub(super) fn availability_table(r: &Report, scope: AvailScope) -> Markup {
    let comp = scope == AvailScope::Component;
    let medians = medians_of(r, if comp { "component" } else { "vendor" });
    let median = |a: &AvailabilityRow, metric: Metric| -> String {
        (medians.get(&(a.vendor.as_str(), a.component.as_deref(), metric)))
            .cloned()
            .unwrap_or_default()
    };
    let rows = (r.computed.availability.iter()).filter(|a| a.scope == scope && a.period.is_whole());
    html! {
        div.scroll { table {
            thead { tr {
                th { "vendor" } @if comp { th { "component" } }
                th.num { "availability" } th.num { "downtime min" } th.num { "outage min" }
                th.num { "budget min" } th.num { "budget used" } th.num { "incidents" }
                th.num { "MTBF min" } th.num { "MTTD median" } th.num { "MTTR median" }
            } }
            tbody {
                @for a in rows {
                    tr {
                        td { (a.vendor) }
                        @if comp { td { (a.component.as_deref().unwrap_or_default()) } }
                        (avail_cell(a))
                        td.num { (minutes(a.downtime_min)) }
                        td.num { (minutes(a.outage_min)) }
                        td.num { (minutes(a.budget_min)) }
                        td.num { (budget_used(a)) }
                        td.num { (a.incidents) }
                        td.num { (a.mtbf_min.map(|m| num(m, 0)).unwrap_or_default()) }
                        td.num { (median(a, Metric::Mttd)) }
                        td.num { (median(a, Metric::Mttr)) }
                    }
                }
            }
        } }
    }
}

/// The five time-to-x statistics of all incidents started in the window.
pub(super) fn metrics_table(r: &Report) -> Markup {
    html! {
        table {
            thead { tr {
                th {} th.num { "n" } th.num { "median" } th.num { "mean" } th.num { "p90" }
                th.num { "max" }
            } }
            tbody {
                @for m in crate::report::json::headline(&r.computed.metrics) {
                    tr {
                        td { (m.metric.as_str().to_uppercase()) }
                        td.num { (m.stats.n) }
                        td.num { (opt_minutes(m.stats.median)) }
                        td.num { (opt_minutes(m.stats.mean)) }
                        td.num { (opt_minutes(m.stats.p90)) }
                        td.num { (opt_minutes(m.stats.max)) }
                    }
                }
            }
        }
        p.note { "Minutes, incidents started in the window. The median leads; the mean is skewed by the few longest incidents." }
    }
}

/// The breakdown by `--by` over the whole window (and per period in breakdown.csv).
pub(super) fn breakdown(r: &Report) -> Markup {
    if r.by.is_empty() {
        return html! {};
    }
    let (mttd, mttr) = (Metric::Mttd.index(), Metric::Mttr.index());
    html! {
        h2 #breakdown { "Breakdown by " (r.by.join(", ")) }
        div.scroll { table {
            thead { tr {
                @for c in &r.by { th { (c) } }
                th.num { "incidents" } th.num { "MTTD median" } th.num { "MTTR median" }
                th.num { "MTTR p90" } th.num { "downtime min" } th.num { "availability" }
            } }
            tbody {
                @for b in r.breakdown.iter().filter(|b| b.period == "all") {
                    tr {
                        @for v in &b.values { td { (v) } }
                        td.num { (b.incidents) }
                        td.num { (opt_minutes(b.stats[mttd].median)) }
                        td.num { (opt_minutes(b.stats[mttr].median)) }
                        td.num { (opt_minutes(b.stats[mttr].p90)) }
                        td.num { (minutes(b.downtime_min)) }
                        td.num { (pct3(b.availability_pct)) "%" }
                    }
                }
            }
        } }
        p.note { "Over the whole window; breakdown.csv has each period too. A group's downtime is the union of its incidents' impact windows, weighted as a component's." }
    }
}
