//! `report.html`: the whole run in one self-contained page: headline figures with the change
//! from the month before, the SLA table, vendor and component tables, every chart inline (SVG),
//! the incidents, data quality and a definitions appendix for this run. CSS is inline, nothing
//! is fetched from anywhere, and every string that came from the input is escaped.

use std::fmt::Write;

use super::format::{duration, minutes, num, opt_minutes, pct};
use super::{MonthFigures, Report};
use crate::model::{AvailScope, AvailabilityRow, Level, Metric, PeriodLabel, window_source};
use crate::time::format_utc;

/// Incidents listed at most; the rest are in `incidents.csv`.
pub const MAX_INCIDENTS: usize = 2000;
/// Rejects and warnings listed at most, each.
pub const MAX_QUALITY: usize = 500;

/// Text safe in HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #24292f; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --ok: #1a7f37; --ok-bg: #dafbe1; --miss: #c01c28; --miss-bg: #ffebe9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
  color: var(--ink); margin: 0; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 24px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 6px; }
p.meta, .note { color: var(--muted); margin: 4px 0; }
nav { margin: 14px 0 6px; font-size: 13px; }
nav a { color: #0969da; margin-right: 14px; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-top: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 26px; font-weight: 600; margin: 2px 0; }
.card .change { font-size: 12px; color: var(--muted); }
.up-bad, .down-bad { color: var(--miss); font-weight: 600; }
.up-good, .down-good { color: var(--ok); font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; position: sticky; top: 0; }
td:first-child, td.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { white-space: normal; vertical-align: bottom; }
table.wide { font-size: 11px; }
table.wide th, table.wide td { padding: 4px 4px; }
td.met { background: var(--ok-bg); color: var(--ok); }
td.missed { background: var(--miss-bg); color: var(--miss); font-weight: 600; }
tbody.fold td { color: #0969da; border-bottom: 1px solid var(--line); }
tbody.fold label { cursor: pointer; }
tbody.fold input { margin: 0 6px 0 0; vertical-align: middle; }
tbody.folded { display: none; }
tbody.fold:has(input:checked) + tbody.folded { display: table-row-group; }
.scroll { overflow-x: auto; }
.trend { color: var(--muted); cursor: help; }
.strip { display: flex; align-items: center; gap: 10px; font-size: 12px; margin: 3px 0; }
.strip span { width: 300px; text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
figure { margin: 12px 0 26px; page-break-inside: avoid; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
code { background: var(--soft); padding: 0 4px; border-radius: 4px; }
dl.defs dt { font-weight: 600; margin-top: 10px; }
dl.defs dd { margin: 2px 0 0 18px; }
@media print {
  main { max-width: none; padding: 0; }
  nav { display: none; }
  body { font-size: 11px; }
  h2 { page-break-before: auto; page-break-after: avoid; break-after: avoid; }
  th { position: static; }
  tr, .card { page-break-inside: avoid; break-inside: avoid; }
  td.met, td.missed, .card { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure svg { border: none; width: 100%; }
  .scroll { overflow: visible; }
}
"#;

fn level_label(l: Level) -> String {
    l.as_str().replace('_', " ")
}

/// `▲ 3` / `▼ 12%`, coloured by whether the change is good news.
fn change(now: Option<f64>, before: Option<f64>, higher_is_bad: bool, unit: &str) -> String {
    let (Some(a), Some(b)) = (now, before) else {
        return "no figure to compare".into();
    };
    let d = a - b;
    if d.abs() < 1e-9 {
        return "no change".into();
    }
    let (arrow, dir) = if d > 0.0 {
        ("▲", "up")
    } else {
        ("▼", "down")
    };
    let bad = (d > 0.0) == higher_is_bad;
    let class = format!("{dir}-{}", if bad { "bad" } else { "good" });
    let text = if unit == "%" && b.abs() > 1e-9 {
        format!("{arrow} {}%", num(100.0 * d.abs() / b.abs(), 0))
    } else {
        format!("{arrow} {}{unit}", num(d.abs(), 1))
    };
    format!("<span class=\"{class}\">{text}</span>")
}

fn card(out: &mut String, label: &str, value: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"change\">{}</div></div>",
        esc(label),
        esc(value),
        note
    );
}

/// ` · beyond noise (p = 0.012)`: a headline change's verdict, when the report has one.
fn verdict(v: Option<crate::model::Verdict>) -> String {
    v.map(|v| format!(" · {}", esc(&v.describe())))
        .unwrap_or_default()
}

fn headline(out: &mut String, r: &Report) {
    let whole = r.window_figures();
    let (last, prev) = r.last_two_months();
    let mom = |f: &dyn Fn(&MonthFigures) -> Option<f64>,
               bad_up: bool,
               unit: &str,
               show: &dyn Fn(f64) -> String|
     -> String {
        match (&last, &prev) {
            (Some(l), Some(p)) => format!(
                "{}: {} vs {} in {} ({})",
                esc(&l.label),
                f(l).map(show).unwrap_or_else(|| "–".into()),
                f(p).map(show).unwrap_or_else(|| "–".into()),
                esc(&p.label),
                change(f(l), f(p), bad_up, unit)
            ),
            (Some(l), None) => format!(
                "{}: {}; no month before it in the data",
                esc(&l.label),
                f(l).map(show).unwrap_or_else(|| "–".into())
            ),
            _ => String::new(),
        }
    };
    out.push_str("<div class=\"cards\">");
    let Some(w) = whole else {
        out.push_str("<p class=\"note\">No vendor in the input.</p></div>");
        return;
    };
    card(
        out,
        "incidents started",
        &w.incidents.to_string(),
        &mom(&|f| Some(f.incidents as f64), true, "", &|v| num(v, 0)),
    );
    card(
        out,
        "MTTR, median",
        &w.mttr_median.map(duration).unwrap_or_else(|| "–".into()),
        &(mom(&|f| f.mttr_median, true, "%", &duration)
            + &verdict(r.computed.trend.as_ref().map(|t| t.mttr))),
    );
    card(
        out,
        "MTTD, median",
        &w.mttd_median.map(duration).unwrap_or_else(|| "–".into()),
        &(mom(&|f| f.mttd_median, true, "%", &duration)
            + &verdict(r.computed.trend.as_ref().map(|t| t.mttd))),
    );
    card(
        out,
        "downtime, all vendors",
        &format!("{} min", num(w.downtime_min, 0)),
        &(mom(&|f| Some(f.downtime_min), true, "%", &|v| {
            format!("{} min", num(v, 0))
        }) + &verdict(r.computed.trend.as_ref().map(|t| t.downtime))),
    );
    card(
        out,
        "vendors meeting their SLA",
        &format!("{} of {}", w.vendors_met, w.vendors),
        &mom(&|f| Some(f.vendors_met as f64), false, "", &|v| num(v, 0)),
    );
    out.push_str("</div>");
}

fn avail_cell(a: &AvailabilityRow) -> String {
    let class = if a.sla_met { "met" } else { "missed" };
    let title = format!(
        "{} min down of a {} min budget ({} incidents)",
        minutes(a.downtime_min),
        minutes(a.budget_min),
        a.incidents
    );
    let shown = super::format::availability(a);
    format!(
        "<td class=\"num {class}\" title=\"{}\">{}%{}</td>",
        esc(&title),
        shown,
        if a.sla_met { "" } else { " ✗" }
    )
}

/// Months the SLA table shows at most (the last ones); `availability.csv` has them all.
pub const SLA_MONTHS: usize = 12;

fn sla_table(out: &mut String, r: &Report) {
    let all: Vec<&str> = r.period.periods.iter().map(|m| m.label.as_str()).collect();
    let months = &all[all.len().saturating_sub(SLA_MONTHS)..];
    let vendors: Vec<&AvailabilityRow> = r
        .computed
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Vendor && a.period.is_whole())
        .collect();
    out.push_str(
        "<div class=\"scroll\"><table class=\"wide\"><thead><tr><th>vendor</th><th class=\"num\">target</th>",
    );
    for m in months {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(m));
    }
    out.push_str(
        "<th class=\"num\">whole window</th><th class=\"num\">budget used</th></tr></thead><tbody>",
    );
    for v in &vendors {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}%</td>",
            esc(&v.vendor),
            pct(v.sla_target_pct)
        );
        for m in months {
            match r.computed.availability.iter().find(|a| {
                a.scope == AvailScope::Vendor
                    && a.vendor == v.vendor
                    && a.period.period() == Some(*m)
            }) {
                Some(a) => out.push_str(&avail_cell(a)),
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str(&avail_cell(v));
        let _ = write!(
            out,
            "<td class=\"num\">{}</td></tr>",
            v.budget_used_pct
                .map(|b| format!("{}%", num(b, 1)))
                .unwrap_or_default()
        );
    }
    out.push_str("</tbody></table></div>");
    if all.len() > months.len() {
        let _ = write!(
            out,
            "<p class=\"note\">The last {} of {} months; every month is in availability.csv. The whole-window column covers them all.</p>",
            months.len(),
            all.len()
        );
    }
    out.push_str("<p class=\"note\">Green: the target was met; red with ✗: missed. Hover a cell for its downtime and budget.</p>");
}

fn monthly_sla(out: &mut String, r: &Report) {
    let Some(sla) = r.sla_period() else {
        return;
    };
    let _ = write!(
        out,
        "<h3>SLA {}</h3><div class=\"scroll\"><table><thead><tr><th>vendor / component</th><th class=\"num\">target</th><th class=\"num\">availability</th><th class=\"num\">budget min</th><th class=\"num\">used</th><th class=\"num\">left min</th><th class=\"num\">maintenance min</th><th class=\"num\">{}</th><th class=\"num\">change</th></tr></thead>",
        esc(&sla.label),
        esc(&sla.before)
    );
    let mut folds = 0;
    for v in &sla.vendors {
        out.push_str("<tbody>");
        sla_row(out, r, v.vendor);
        for a in &v.listed {
            sla_row(out, r, a);
        }
        out.push_str("</tbody>");
        if !v.folded.is_empty() {
            folds += 1;
            fold(out, &format!("sla-{folds}"), 9, &v.folded_text());
            out.push_str("<tbody class=\"folded\">");
            for a in &v.folded {
                sla_row(out, r, a);
            }
            out.push_str("</tbody>");
        }
    }
    out.push_str("</table></div>");
    if folds > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">Each vendor's missed components come first, worst first; past {}, the rest are counted (tick the row to list them). availability.csv has every row.</p>",
            super::SLA_COMPONENTS
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">The window's last {unit} against the {unit} before (pp: percentage points); ● the change is beyond noise, ≈ within it, ? too few incidents to tell (hover for the p-value; docs/metrics.md, \"Honest trends\"). Left: budget minus downtime, negative when overspent. Maintenance is never downtime.</p>",
        unit = r.period.unit().0
    );
}

/// A row that opens the `tbody.folded` after it: a checkbox labelled with what the fold holds
/// (no script; the page's CSS shows the rows while it is ticked).
fn fold(out: &mut String, id: &str, columns: usize, text: &str) {
    let _ = write!(
        out,
        "<tbody class=\"fold\"><tr><td colspan=\"{columns}\"><input type=\"checkbox\" id=\"{id}\"><label for=\"{id}\">{}</label></td></tr></tbody>",
        esc(text)
    );
}

/// One vendor's or component's row of the last period's SLA table.
fn sla_row(out: &mut String, r: &Report, a: &AvailabilityRow) {
    let name = match &a.component {
        Some(c) => format!("&nbsp;&nbsp;&nbsp;{}", esc(c)),
        None => format!("<strong>{}</strong>", esc(&a.vendor)),
    };
    let change = a.previous_pct.map(|p| a.availability_pct - p);
    let _ = write!(
        out,
        "<tr><td>{name}</td><td class=\"num\">{}%</td>{}<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        pct(a.sla_target_pct),
        avail_cell(a),
        minutes(a.budget_min),
        a.budget_used_pct
            .map(|b| format!("{}%", num(b, 1)))
            .unwrap_or_default(),
        minutes(a.budget_remaining_min),
        minutes(a.maintenance_min),
        a.previous_pct
            .map(|p| format!("{}%", num(p, 3)))
            .unwrap_or_default(),
        match change {
            Some(c) if c > 1e-9 => format!(
                "<span class=\"up-good\">▲ {} pp</span>{}",
                num(c, 3),
                mark(r, a)
            ),
            Some(c) if c < -1e-9 => format!(
                "<span class=\"down-bad\">▼ {} pp</span>{}",
                num(-c, 3),
                mark(r, a)
            ),
            Some(_) => "no change".into(),
            None => String::new(),
        }
    );
}

/// The mark of a row's availability change: beyond noise, within it, or too few incidents.
fn mark(r: &Report, a: &crate::model::AvailabilityRow) -> String {
    let Some(v) = r.computed.trend.as_ref().and_then(|t| t.of(a)) else {
        return String::new();
    };
    let sign = match v {
        crate::model::Verdict::Changed(_) => "●",
        crate::model::Verdict::Noise(_) => "≈",
        crate::model::Verdict::TooFew => "?",
    };
    format!(
        " <span class=\"trend\" title=\"{}\">{sign}</span>",
        esc(&v.describe())
    )
}

/// The whole window's median of each `(vendor, component, metric)` of `scope` (`vendor` or
/// `component`), looked up once for a table (a fleet has thousands of rows each way).
fn medians_of<'r>(
    r: &'r Report,
    scope: &str,
) -> std::collections::HashMap<(&'r str, Option<&'r str>, Metric), String> {
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

/// Status pages' own 90-day figures beside mttx's: the rows that differ, the largest difference
/// first; the identical ones and those with nothing measured counted under a fold.
fn published(out: &mut String, r: &Report) {
    let rows: Vec<_> = r.published.iter().filter(|p| p.period_days == 90).collect();
    if rows.is_empty() {
        return;
    }
    let (differ, mut same): (Vec<_>, Vec<_>) = rows.into_iter().partition(|p| {
        p.measured_pct
            .is_some_and(|m| num(p.published_pct.unwrap_or(p.recomputed_pct) - m, 3) != "0")
    });
    let gap = |p: &&crate::metrics::published::PublishedRow| {
        p.measured_pct.map_or(0.0, |m| {
            (p.published_pct.unwrap_or(p.recomputed_pct) - m).abs()
        })
    };
    let mut differ = differ;
    differ.sort_by(|a, b| gap(b).total_cmp(&gap(a)));
    // Identical first, then those with nothing measured; each in the order read.
    same.sort_by_key(|p| p.measured_pct.is_none());
    out.push_str("<h2 id=\"published\">Published vs measured uptime</h2><div class=\"scroll\"><table><thead><tr><th>vendor</th><th>component</th><th>days</th><th class=\"num\">published</th><th class=\"num\">recomputed</th><th class=\"num\">measured</th><th class=\"num\">difference pp</th></tr></thead><tbody>");
    for p in &differ {
        published_row(out, p);
    }
    out.push_str("</tbody>");
    if !same.is_empty() {
        let unmeasured = same.iter().filter(|p| p.measured_pct.is_none()).count();
        let identical = same.len() - unmeasured;
        let mut parts = Vec::new();
        if identical > 0 {
            parts.push(format!("{identical} identical"));
        }
        if unmeasured > 0 {
            parts.push(format!("{unmeasured} with nothing measured"));
        }
        let lead = if differ.is_empty() { "" } else { "and " };
        fold(
            out,
            "published-same",
            7,
            &format!("{lead}{}", parts.join(", ")),
        );
        out.push_str("<tbody class=\"folded\">");
        for p in &same {
            published_row(out, p);
        }
        out.push_str("</tbody>");
    }
    out.push_str("</table></div>");
    daily_strips(out, r);
    out.push_str("<p class=\"note\">The page's own 90-day figure (published), the same figure worked out from the page's daily data (recomputed: major outage plus 0.3 of partial, truncated to 2 decimals), and mttx's availability of the component over the same days from the incidents read (measured, the report's weights; empty when none of the vendor's incidents were read). Rows that differ come first, the largest difference first; identical ones are counted (tick the row to list them). published_uptime.csv has every row and the 60 and 30-day figures too, published_daily.csv each day.</p>");
}

/// One row of the published-vs-measured table.
fn published_row(out: &mut String, p: &crate::metrics::published::PublishedRow) {
    let shown = |x: Option<f64>| x.map(|x| format!("{}%", num(x, 3))).unwrap_or_default();
    let _ = write!(
        out,
        "<tr><td>{}</td><td>{}</td><td>{} to {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        esc(&p.vendor),
        esc(&p.component),
        esc(&p.start),
        esc(&p.end),
        shown(p.published_pct),
        shown(Some(p.recomputed_pct)),
        shown(p.measured_pct),
        p.measured_pct
            .map(|m| num(p.published_pct.unwrap_or(p.recomputed_pct) - m, 3))
            .unwrap_or_default(),
    );
}

/// Components whose days are drawn as strips, at most (the largest differences first).
const STRIPS: usize = 12;

/// Each day's downtime as the page counts it and as mttx measures it, one strip each: green
/// for none, then darker red up to an hour or more.
fn daily_strips(out: &mut String, r: &Report) {
    let mut comps: Vec<(&str, &str)> = Vec::new();
    let mut diff: Vec<f64> = Vec::new();
    for d in &r.published_daily {
        let key = (d.vendor.as_str(), d.component.as_str());
        let gap = (d.published_downtime_min - d.measured_downtime_min.unwrap_or(0.0)).abs();
        match comps.iter().position(|c| *c == key) {
            Some(i) => diff[i] += gap,
            None => {
                comps.push(key);
                diff.push(gap);
            }
        }
    }
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_by(|&a, &b| diff[b].total_cmp(&diff[a]));
    let colour = |min: f64| {
        if min <= 0.0 {
            "#2fcc66".to_string()
        } else {
            let t = (min / 60.0).min(1.0);
            format!(
                "rgb({},{},{})",
                240 - (t * 50.0) as u8,
                160 - (t * 140.0) as u8,
                60 - (t * 40.0) as u8
            )
        }
    };
    out.push_str("<h3>Day by day: published (upper strip) and measured (lower)</h3>");
    for &i in order.iter().take(STRIPS) {
        let (vendor, component) = comps[i];
        let days: Vec<_> = (r.published_daily.iter())
            .filter(|d| d.vendor == vendor && d.component == component)
            .collect();
        let w = 6 * days.len().max(1);
        let _ = write!(
            out,
            "<div class=\"strip\"><span title=\"{name}\">{name}</span><svg width=\"{w}\" height=\"22\" role=\"img\" aria-label=\"daily downtime of {name}\">",
            name = esc(&format!("{vendor} / {component}")),
        );
        for (k, d) in days.iter().enumerate() {
            let x = 6 * k;
            let title = format!(
                "{}: {} min published, {} measured",
                d.date,
                num(d.published_downtime_min, 1),
                d.measured_downtime_min
                    .map_or("not".into(), |m| format!("{} min", num(m, 1)))
            );
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"0\" width=\"5\" height=\"10\" fill=\"{}\"><title>{}</title></rect>",
                colour(d.published_downtime_min),
                esc(&title)
            );
            if let Some(m) = d.measured_downtime_min {
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"12\" width=\"5\" height=\"10\" fill=\"{}\"><title>{}</title></rect>",
                    colour(m),
                    esc(&title)
                );
            }
        }
        out.push_str("</svg></div>");
    }
}

/// The breakdown by `--by` over the whole window (and per period in breakdown.csv).
fn breakdown(out: &mut String, r: &Report) {
    if r.by.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2 id=\"breakdown\">Breakdown by {}</h2><div class=\"scroll\"><table><thead><tr>",
        esc(&r.by.join(", "))
    );
    for c in &r.by {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str(
        "<th class=\"num\">incidents</th><th class=\"num\">MTTD median</th><th class=\"num\">MTTR median</th>\
         <th class=\"num\">MTTR p90</th><th class=\"num\">downtime min</th><th class=\"num\">availability</th></tr></thead><tbody>",
    );
    let (mttd, mttr) = (Metric::Mttd.index(), Metric::Mttr.index());
    for b in r.breakdown.iter().filter(|b| b.period == "all") {
        out.push_str("<tr>");
        for v in &b.values {
            let _ = write!(out, "<td>{}</td>", esc(v));
        }
        let _ = write!(
            out,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}%</td></tr>",
            b.incidents,
            opt_minutes(b.stats[mttd].median),
            opt_minutes(b.stats[mttr].median),
            opt_minutes(b.stats[mttr].p90),
            minutes(b.downtime_min),
            super::format::pct3(b.availability_pct),
        );
    }
    out.push_str("</tbody></table></div><p class=\"note\">Over the whole window; breakdown.csv has each period too. A group's downtime is the union of its incidents' impact windows, weighted as a component's.</p>");
}

fn availability_table(out: &mut String, r: &Report, scope: AvailScope) {
    let comp = scope == AvailScope::Component;
    out.push_str("<div class=\"scroll\"><table><thead><tr><th>vendor</th>");
    if comp {
        out.push_str("<th>component</th>");
    }
    out.push_str(
        "<th class=\"num\">availability</th><th class=\"num\">downtime min</th><th class=\"num\">outage min</th>\
         <th class=\"num\">budget min</th><th class=\"num\">budget used</th><th class=\"num\">incidents</th>\
         <th class=\"num\">MTBF min</th><th class=\"num\">MTTD median</th><th class=\"num\">MTTR median</th></tr></thead><tbody>",
    );
    let medians = medians_of(r, if comp { "component" } else { "vendor" });
    let median_of = |vendor: &str, component: Option<&str>, metric: Metric| -> String {
        medians
            .get(&(vendor, component, metric))
            .cloned()
            .unwrap_or_default()
    };
    for a in r
        .computed
        .availability
        .iter()
        .filter(|a| a.scope == scope && a.period.is_whole())
    {
        let _ = write!(out, "<tr><td>{}</td>", esc(&a.vendor));
        if comp {
            let _ = write!(
                out,
                "<td>{}</td>",
                esc(a.component.as_deref().unwrap_or_default())
            );
        }
        out.push_str(&avail_cell(a));
        let c = a.component.as_deref();
        let _ = write!(
            out,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            minutes(a.downtime_min),
            minutes(a.outage_min),
            minutes(a.budget_min),
            a.budget_used_pct
                .map(|b| format!("{}%", num(b, 1)))
                .unwrap_or_default(),
            a.incidents,
            a.mtbf_min.map(|m| num(m, 0)).unwrap_or_default(),
            median_of(&a.vendor, c, Metric::Mttd),
            median_of(&a.vendor, c, Metric::Mttr),
        );
    }
    out.push_str("</tbody></table></div>");
}

fn metrics_table(out: &mut String, r: &Report) {
    out.push_str("<table><thead><tr><th></th><th class=\"num\">n</th><th class=\"num\">median</th><th class=\"num\">mean</th><th class=\"num\">p90</th><th class=\"num\">max</th></tr></thead><tbody>");
    for m in super::json::headline(&r.computed.metrics) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            m.metric.as_str().to_uppercase(),
            m.stats.n,
            opt_minutes(m.stats.median),
            opt_minutes(m.stats.mean),
            opt_minutes(m.stats.p90),
            opt_minutes(m.stats.max)
        );
    }
    out.push_str("</tbody></table><p class=\"note\">Minutes, incidents started in the window. The median leads; the mean is skewed by the few longest incidents.</p>");
}

fn incidents(out: &mut String, r: &Report) {
    let all = &r.computed.incidents;
    let shown: Vec<usize> = (0..all.len()).filter(|i| all.in_window[*i]).collect();
    let _ = write!(
        out,
        "<p class=\"note\">{} incidents started in the window{}; durations in minutes from <code>started_at</code>.</p>",
        shown.len(),
        if shown.len() > MAX_INCIDENTS {
            format!(", the first {MAX_INCIDENTS} listed (all are in incidents.csv)")
        } else {
            String::new()
        }
    );
    out.push_str("<div class=\"scroll\"><table><thead><tr><th>started (UTC)</th><th>vendor</th><th>id</th><th>title</th><th>severity</th><th>impact</th><th>components</th>");
    for m in Metric::ALL {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            m.duration_column().trim_end_matches("_min").to_uppercase()
        );
    }
    out.push_str("<th>windows</th><th>warnings</th></tr></thead><tbody>");
    for i in shown.iter().take(MAX_INCIDENTS).map(|k| all.row(*k)) {
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(i.timestamps[0].as_deref().unwrap_or_default()),
            esc(&i.vendor),
            esc(&i.id),
            esc(i.title.as_deref().unwrap_or_default()),
            esc(i.severity.as_deref().unwrap_or_default()),
            esc(&i.impact.replace('_', " ")),
            esc(&i.components.replace(';', "; ")),
        );
        for d in &i.durations {
            let _ = write!(out, "<td class=\"num\">{}</td>", opt_minutes(*d));
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            esc(&i.window_source),
            esc(i.warnings.as_deref().unwrap_or_default())
        );
    }
    out.push_str("</tbody></table></div>");
}

fn quality(out: &mut String, r: &Report) {
    let c = &r.counts;
    let _ = write!(
        out,
        "<p>{} rows read: {} accepted, {} rejected{}. {} warnings.</p>",
        c.read,
        c.accepted,
        c.rejected,
        if c.duplicates > 0 {
            format!("; {} superseded by a later duplicate", c.duplicates)
        } else {
            String::new()
        },
        r.warnings.len()
    );
    for note in &r.notes {
        let _ = write!(out, "<p class=\"note\">Note: {}</p>", esc(note));
    }
    if !r.rejects.is_empty() {
        out.push_str("<h3>Rejected rows</h3><div class=\"scroll\"><table><thead><tr><th>source</th><th class=\"num\">line</th><th>column</th><th>reason</th><th>raw</th></tr></thead><tbody>");
        for j in r.rejects.iter().take(MAX_QUALITY) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&j.source),
                j.line,
                esc(&j.column),
                esc(&j.reason),
                esc(&j.raw)
            );
        }
        out.push_str("</tbody></table></div>");
        if r.rejects.len() > MAX_QUALITY {
            let _ = write!(
                out,
                "<p class=\"note\">{} more in rejects.csv.</p>",
                r.rejects.len() - MAX_QUALITY
            );
        }
    }
    if !r.warnings.is_empty() {
        out.push_str("<h3>Warnings</h3><div class=\"scroll\"><table><thead><tr><th>source</th><th class=\"num\">line</th><th>warning</th></tr></thead><tbody>");
        for w in r.warnings.iter().take(MAX_QUALITY) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&w.source),
                w.line,
                esc(&w.message)
            );
        }
        out.push_str("</tbody></table></div>");
        if r.warnings.len() > MAX_QUALITY {
            let _ = write!(
                out,
                "<p class=\"note\">{} more warnings not listed.</p>",
                r.warnings.len() - MAX_QUALITY
            );
        }
    }
    if r.rejects.is_empty() && r.warnings.is_empty() {
        out.push_str("<p class=\"note\">Every row was read; nothing to flag.</p>");
    }
}

fn config_in_force(out: &mut String, r: &Report) {
    match &r.config.path {
        Some(p) => {
            let _ = write!(
                out,
                "<h3>Configuration</h3><p class=\"note\">Read from <code>{}</code>; command-line flags override it.</p><pre><code>{}</code></pre>",
                esc(&p.display().to_string()),
                esc(&r.config.describe())
            );
        }
        None => out.push_str(
            "<h3>Configuration</h3><p class=\"note\">No configuration file: built-in defaults and command-line flags.</p>",
        ),
    }
}

fn definitions(out: &mut String, r: &Report) {
    let p = &r.period;
    let weights: Vec<String> = Level::ALL
        .iter()
        .map(|l| format!("{} {}", level_label(*l), r.weights.of(*l)))
        .collect();
    let mut targets: Vec<f64> = r
        .computed
        .availability
        .iter()
        .map(|a| a.sla_target_pct)
        .collect();
    targets.sort_by(f64::total_cmp);
    targets.dedup();
    let mut targets: Vec<String> = targets.iter().map(|t| format!("{}%", pct(*t))).collect();
    if !r.config.rules.is_empty() {
        targets.push(format!(
            "set per vendor and component by the configuration's [[sla]] entries (below), the most specific entry winning{}",
            if r.config.rules.iter().any(|x| x.hours.is_some()) {
                "; entries with hours count the window and the downtime inside those hours only"
            } else {
                ""
            }
        ));
    }
    let anchor = match r.anchor {
        crate::model::Anchor::Started => "<code>started_at</code>",
        crate::model::Anchor::Detected => {
            "<code>detected_at</code> (TTD still from <code>started_at</code>)"
        }
    };
    let _ = write!(
        out,
        "<dl class=\"defs\">\
<dt>Window</dt><dd>{} ({} months): from {} to {} (UTC, end excluded); months cut at local midnight in <code>{}</code>, so a month with a clock change has its true length.</dd>\
<dt>Time to x</dt><dd>TTD, TTA, TTI, TTM and TTR are <code>detected_at</code>, <code>acknowledged_at</code>, <code>identified_at</code>, <code>mitigated_at</code> and <code>resolved_at</code> minus {anchor}, per incident, for incidents started in the window. Empty and negative durations are left out (n counts the rest). Median and p90 interpolate linearly between closest ranks (type 7, as numpy and DuckDB's quantile_cont).</dd>\
<dt>Impact windows</dt><dd>Per incident and component: from <code>started_at</code> to <code>mitigated_at</code>, else <code>resolved_at</code>, else the end of the window (still open); precise windows (an impacts table, a status page's updates, stated windows) replace them where given. Windows are clipped to the report window.</dd>\
<dt>Downtime</dt><dd>At each instant the heaviest level open on a component counts, weighted: {} (preset <code>{}</code>). A vendor's downtime is the same sweep over all its components, so simultaneous failures count once. Outage is the unweighted union of non-maintenance windows.</dd>\
<dt>Availability and SLA</dt><dd>availability = 100 × (1 − downtime ÷ window minutes). Targets: {}; met when the availability, at 6 decimals, is at least the target. Budget = (1 − target ÷ 100) × window minutes; budget used = downtime ÷ budget. MTBF = (window − outage) ÷ incidents started.</dd>\
<dt>Charts</dt><dd>Daily uptime covers the last {} days of the window; a day's colour is its availability. Downtime bars are split by the heaviest level open at each instant. The distribution's median and p90 are those of the MTTR row above.</dd>\
<dt>Window sources</dt><dd><code>{}</code>: the record's own timestamps; <code>{}</code>: an impacts table; <code>{}</code>: a status page's component updates; <code>{}</code>: windows stated in a report's text.</dd>\
<dt>This run</dt><dd>mttx {}, weights {}, anchor {}, time zone {}. Same input and options give the same report byte for byte.</dd>\
</dl>",
        esc(&p.title()),
        p.periods.len(),
        format_utc(p.start),
        format_utc(p.end),
        esc(p.tz.name()),
        esc(&weights.join(", ")),
        r.weights.name(),
        targets.join(", "),
        r.computed.daily.days.len(),
        window_source::RECORD,
        window_source::IMPACTS,
        window_source::UPDATES,
        window_source::STATED,
        env!("CARGO_PKG_VERSION"),
        r.weights.name(),
        r.anchor.as_str(),
        esc(p.tz.name()),
    );
    if !r.filters.is_empty() {
        let filters: Vec<String> = (r.filters.iter())
            .map(|f| format!("<code>{}</code>", esc(&f.to_string())))
            .collect();
        let _ = write!(
            out,
            "<dl class=\"defs\"><dt>Filters</dt><dd>Only incidents where {} (every filter holds; <code>(none)</code> is an empty value); the others count nowhere in this report.</dd></dl>",
            filters.join(" and ")
        );
    }
}

/// The page around its charts: everything before them and everything after, rendered while
/// the charts are drawn.
pub struct Sections {
    head: String,
    tail: String,
}

/// The page's text before and after the charts.
pub fn sections(r: &Report) -> Sections {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Reliability report {}", r.period.title());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<title>{}</title><style>{CSS}</style></head><body><main>",
        esc(&title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">{} in {} · weights {} · anchor {} · SLA target {}% · {} incidents from {} rows read</p>",
        esc(&title),
        if r.period.periods.len() == 1 {
            format!("1 {}", r.period.unit().0)
        } else {
            format!("{} {}", r.period.periods.len(), r.period.unit().1)
        },
        esc(r.period.tz.name()),
        r.weights.name(),
        r.anchor.as_str(),
        pct(r.sla_default),
        r.computed.incidents.len(),
        r.counts.read,
    );
    let by = match (r.by.is_empty(), r.published.is_empty()) {
        (true, true) => "",
        (false, true) => "<a href=\"#breakdown\">breakdown</a>",
        (true, false) => "<a href=\"#published\">published vs measured</a>",
        (false, false) => {
            "<a href=\"#breakdown\">breakdown</a><a href=\"#published\">published vs measured</a>"
        }
    };
    let _ = write!(
        out,
        "<nav><a href=\"#sla\">SLA</a><a href=\"#vendors\">vendors</a><a href=\"#components\">components</a>{by}<a href=\"#charts\">charts</a><a href=\"#incidents\">incidents</a><a href=\"#quality\">data quality</a><a href=\"#definitions\">definitions</a></nav>"
    );
    headline(&mut out, r);
    let _ = write!(
        out,
        "<h2 id=\"sla\">SLA by vendor and {}</h2>",
        r.period.unit().0
    );
    sla_table(&mut out, r);
    monthly_sla(&mut out, r);
    out.push_str("<h2 id=\"vendors\">Vendors</h2>");
    availability_table(&mut out, r, AvailScope::Vendor);
    out.push_str("<h3>Time to x, all incidents</h3>");
    metrics_table(&mut out, r);
    out.push_str("<h2 id=\"components\">Components</h2>");
    availability_table(&mut out, r, AvailScope::Component);
    breakdown(&mut out, r);
    published(&mut out, r);
    out.push_str("<h2 id=\"charts\">Charts</h2>");
    let mut tail = String::with_capacity(64 * 1024);
    tail.push_str("<h2 id=\"incidents\">Incidents</h2>");
    incidents(&mut tail, r);
    tail.push_str("<h2 id=\"quality\">Data quality</h2>");
    quality(&mut tail, r);
    tail.push_str("<h2 id=\"definitions\">Definitions for this run</h2>");
    definitions(&mut tail, r);
    config_in_force(&mut tail, r);
    tail.push_str("</main></body></html>\n");
    Sections { head: out, tail }
}

/// The page: its sections around `charts` (`(title, SVG text)` in the order to show them).
pub fn assemble(sections: Sections, charts: &[(String, String)]) -> String {
    let size = sections.head.len()
        + sections.tail.len()
        + charts
            .iter()
            .map(|(t, svg)| t.len() * 2 + svg.len() + 64)
            .sum::<usize>()
        + 64;
    let mut out = String::with_capacity(size);
    out.push_str(&sections.head);
    if charts.is_empty() {
        out.push_str("<p class=\"note\">No chart was drawn.</p>");
    }
    for (title, svg) in charts {
        let _ = write!(
            out,
            "<figure aria-label=\"{}\">{}</figure>",
            esc(title),
            svg.trim()
        );
    }
    out.push_str(&sections.tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn changes_are_coloured_by_whether_they_are_good_news() {
        assert!(change(Some(12.0), Some(10.0), true, "").contains("up-bad"));
        assert!(change(Some(12.0), Some(10.0), true, "").contains("▲ 2"));
        assert!(change(Some(50.0), Some(100.0), true, "%").contains("▼ 50%"));
        assert!(change(Some(50.0), Some(100.0), true, "%").contains("down-good"));
        assert_eq!(change(Some(1.0), Some(1.0), true, ""), "no change");
        assert_eq!(change(None, Some(1.0), true, ""), "no figure to compare");
    }
}
