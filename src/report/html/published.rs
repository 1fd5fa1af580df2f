//! Status pages' own 90-day uptime beside mttx's: the rows that differ first, the identical ones
//! folded, and each day of the components that differ most as two strips.

use maud::{Markup, html};

use super::tables::fold;
use crate::metrics::published::PublishedRow;
use crate::report::Report;
use crate::report::format::num;

/// Components whose days are drawn as strips, at most (the largest differences first).
const STRIPS: usize = 12;

/// The published figure less the measured one, `None` when nothing was measured.
fn difference(p: &PublishedRow) -> Option<f64> {
    (p.measured_pct).map(|m| p.published_pct.unwrap_or(p.recomputed_pct) - m)
}

/// Status pages' own 90-day figures beside mttx's: the rows that differ (at the 3 decimals
/// shown), the largest difference first; the identical ones and those with nothing measured
/// counted under a fold.
pub(super) fn published(r: &Report) -> Markup {
    let rows: Vec<&PublishedRow> = r.published.iter().filter(|p| p.period_days == 90).collect();
    if rows.is_empty() {
        return html! {};
    }
    let (mut differ, mut same): (Vec<_>, Vec<_>) =
        (rows.into_iter()).partition(|p| difference(p).is_some_and(|d| num(d, 3) != "0"));
    let gap = |p: &&PublishedRow| difference(p).map_or(0.0, f64::abs);
    differ.sort_by(|a, b| gap(b).total_cmp(&gap(a)));
    // Identical first, then those with nothing measured; each in the order read.
    same.sort_by_key(|p| p.measured_pct.is_none());
    let unmeasured = same.iter().filter(|p| p.measured_pct.is_none()).count();
    let identical = same.len() - unmeasured;
    let mut counted = Vec::new();
    if identical > 0 {
        counted.push(format!("{identical} identical"));
    }
    if unmeasured > 0 {
        counted.push(format!("{unmeasured} with nothing measured"));
    }
    let lead = if differ.is_empty() { "" } else { "and " };
    html! {
        h2 #published { "Published vs measured uptime" }
        div.scroll { table {
            thead { tr {
                th { "vendor" } th { "component" } th { "days" } th.num { "published" }
                th.num { "recomputed" } th.num { "measured" } th.num { "difference pp" }
            } }
            tbody { @for p in &differ { (row(p)) } }
            @if !same.is_empty() {
                (fold("published-same", 7, &format!("{lead}{}", counted.join(", "))))
                tbody.folded { @for p in &same { (row(p)) } }
            }
        } }
        (daily_strips(r))
        p.note { "The page's own 90-day figure (published), the same figure worked out from the page's daily data (recomputed: major outage plus 0.3 of partial, truncated to 2 decimals), and mttx's availability of the component over the same days from the incidents read (measured, the report's weights; empty when none of the vendor's incidents were read). Rows that differ come first, the largest difference first; identical ones are counted (tick the row to list them). published_uptime.csv has every row and the 60 and 30-day figures too, published_daily.csv each day." }
    }
}

/// One row of the published-vs-measured table.
fn row(p: &PublishedRow) -> Markup {
    let shown = |x: Option<f64>| x.map(|x| format!("{}%", num(x, 3))).unwrap_or_default();
    html! {
        tr {
            td { (p.vendor) } td { (p.component) } td { (p.start) " to " (p.end) }
            td.num { (shown(p.published_pct)) }
            td.num { (shown(Some(p.recomputed_pct))) }
            td.num { (shown(p.measured_pct)) }
            td.num { (difference(p).map(|d| num(d, 3)).unwrap_or_default()) }
        }
    }
}

/// A day's colour: green for no downtime, then darker red up to an hour or more.
fn colour(min: f64) -> String {
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
}

/// Each day's downtime as the page counts it and as mttx measures it, one strip each, for the
/// [`STRIPS`] components whose days differ most. A long name shows whole on hover.
fn daily_strips(r: &Report) -> Markup {
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
    html! {
        h3 { "Day by day: published (upper strip) and measured (lower)" }
        @for &i in order.iter().take(STRIPS) {
            @let (vendor, component) = comps[i];
            @let name = format!("{vendor} / {component}");
            @let days: Vec<_> = (r.published_daily.iter())
                .filter(|d| d.vendor == vendor && d.component == component)
                .collect();
            div.strip {
                span title=(name) { (name) }
                svg width=(6 * days.len().max(1)) height="22" role="img" aria-label={ "daily downtime of " (name) } {
                    @for (k, d) in days.iter().enumerate() {
                        @let title = format!(
                            "{}: {} min published, {} measured",
                            d.date,
                            num(d.published_downtime_min, 1),
                            d.measured_downtime_min.map_or("not".into(), |m| format!("{} min", num(m, 1)))
                        );
                        rect x=(6 * k) y="0" width="5" height="10" fill=(colour(d.published_downtime_min)) {
                            title { (title) }
                        }
                        @if let Some(m) = d.measured_downtime_min {
                            rect x=(6 * k) y="12" width="5" height="10" fill=(colour(m)) {
                                title { (title) }
                            }
                        }
                    }
                }
            }
        }
    }
}
