//! `report.html`: the whole run in one self-contained page: headline figures with the change
//! from the period before, the SLA tables, vendor and component tables, every chart inline
//! (SVG), the incidents, data quality and a definitions appendix for this run. CSS is inline
//! (`style.css`), nothing is fetched from anywhere.
//!
//! The page is written with maud templates: every value is escaped by the template as it is
//! inserted, so no code here escapes by hand. The only markup inserted as it is comes from
//! this crate: the charts' SVG (drawn by `chart`, which escapes its own text) and the constant
//! `&nbsp;` indent. One file per part of the page: the SLA and availability tables
//! (`tables.rs`), the published-vs-measured table and its day strips (`published.rs`), and the
//! incidents, data quality and definitions (`run.rs`).

mod published;
mod run;
mod tables;

use maud::{Markup, PreEscaped, html};

use super::format::{duration, num, pct};
use super::{MonthFigures, Report};
use crate::model::{AvailScope, Verdict};

/// Incidents listed at most; the rest are in `incidents.csv`.
pub const MAX_INCIDENTS: usize = 2000;
/// Rejects and warnings listed at most, each.
pub const MAX_QUALITY: usize = 500;
/// Months the SLA table shows at most (the last ones); `availability.csv` has them all.
pub const SLA_MONTHS: usize = 12;

const CSS: &str = concat!("\n", include_str!("style.css"));

/// `▲ 3` / `▼ 12%`, coloured by whether the change is good news.
fn change(now: Option<f64>, before: Option<f64>, higher_is_bad: bool, unit: &str) -> Markup {
    let (Some(a), Some(b)) = (now, before) else {
        return html! { "no figure to compare" };
    };
    let d = a - b;
    if d.abs() < 1e-9 {
        return html! { "no change" };
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
    html! { span class=(class) { (text) } }
}

fn card(label: &str, value: &str, note: Markup) -> Markup {
    html! {
        div.card { div.label { (label) } div.value { (value) } div.change { (note) } }
    }
}

/// ` · beyond noise (p = 0.012)`: a headline change's verdict, when the report has one.
fn verdict(v: Option<Verdict>) -> Markup {
    html! { @if let Some(v) = v { " · " (v.describe()) } }
}

/// A headline figure of the last period against the period before it, with the change.
struct Compare<'a> {
    last: &'a Option<MonthFigures>,
    prev: &'a Option<MonthFigures>,
}

impl Compare<'_> {
    fn line(
        &self,
        f: &dyn Fn(&MonthFigures) -> Option<f64>,
        bad_up: bool,
        unit: &str,
        show: &dyn Fn(f64) -> String,
    ) -> Markup {
        let shown = |m: &MonthFigures| f(m).map(show).unwrap_or_else(|| "–".into());
        html! {
            @match (self.last, self.prev) {
                (Some(l), Some(p)) => {
                    (l.label) ": " (shown(l)) " vs " (shown(p)) " in " (p.label)
                    " (" (change(f(l), f(p), bad_up, unit)) ")"
                }
                (Some(l), None) => { (l.label) ": " (shown(l)) "; no month before it in the data" }
                _ => {}
            }
        }
    }
}

fn headline(r: &Report) -> Markup {
    let (last, prev) = r.last_two_months();
    let cmp = Compare {
        last: &last,
        prev: &prev,
    };
    let trend = r.computed.trend.as_ref();
    let dur = |v: Option<f64>| v.map(duration).unwrap_or_else(|| "–".into());
    html! {
        div.cards {
            @if let Some(w) = r.window_figures() {
                (card("incidents started", &w.incidents.to_string(),
                    cmp.line(&|f| Some(f.incidents as f64), true, "", &|v| num(v, 0))))
                (card("MTTR, median", &dur(w.mttr_median), html! {
                    (cmp.line(&|f| f.mttr_median, true, "%", &duration))
                    (verdict(trend.map(|t| t.mttr)))
                }))
                (card("MTTD, median", &dur(w.mttd_median), html! {
                    (cmp.line(&|f| f.mttd_median, true, "%", &duration))
                    (verdict(trend.map(|t| t.mttd)))
                }))
                (card("downtime, all vendors", &format!("{} min", num(w.downtime_min, 0)), html! {
                    (cmp.line(&|f| Some(f.downtime_min), true, "%", &|v| format!("{} min", num(v, 0))))
                    (verdict(trend.map(|t| t.downtime)))
                }))
                (card("vendors meeting their SLA", &format!("{} of {}", w.vendors_met, w.vendors),
                    cmp.line(&|f| Some(f.vendors_met as f64), false, "", &|v| num(v, 0))))
            } @else {
                p.note { "No vendor in the input." }
            }
        }
    }
}

/// The page around its charts: everything before them and everything after, rendered while
/// the charts are drawn.
pub struct Sections {
    head: String,
    tail: String,
}

/// The links at the top of the page.
fn nav(r: &Report) -> Markup {
    html! {
        nav {
            a href="#sla" { "SLA" }
            a href="#vendors" { "vendors" }
            a href="#components" { "components" }
            @if !r.by.is_empty() { a href="#breakdown" { "breakdown" } }
            @if !r.published.is_empty() { a href="#published" { "published vs measured" } }
            a href="#charts" { "charts" }
            a href="#incidents" { "incidents" }
            a href="#quality" { "data quality" }
            a href="#definitions" { "definitions" }
        }
    }
}

/// The page's text before and after the charts.
pub fn sections(r: &Report) -> Sections {
    let p = &r.period;
    let title = format!("Reliability report {}", p.title());
    let periods = if p.periods.len() == 1 {
        format!("1 {}", p.unit().0)
    } else {
        format!("{} {}", p.periods.len(), p.unit().1)
    };
    let head = html! {
        (PreEscaped("<!DOCTYPE html>\n"))
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
        }
    };
    // The document is written open (its `body`, `main` and `html` closed in the tail), so that
    // the charts can go between the two halves as they are drawn.
    let mut head = head.into_string();
    head.truncate(head.len() - "</html>".len());
    let body = html! {
        h1 { (title) }
        p.meta {
            (periods) " in " (p.tz.name()) " · weights " (r.weights.name()) " · anchor "
            (r.anchor.as_str()) " · SLA target " (pct(r.sla_default)) "% · "
            (r.computed.incidents.len()) " incidents from " (r.counts.read) " rows read"
        }
        (nav(r))
        (headline(r))
        h2 #sla { "SLA by vendor and " (p.unit().0) }
        (tables::sla_table(r))
        (tables::period_sla(r))
        h2 #vendors { "Vendors" }
        (tables::availability_table(r, AvailScope::Vendor))
        h3 { "Time to x, all incidents" }
        (tables::metrics_table(r))
        h2 #components { "Components" }
        (tables::availability_table(r, AvailScope::Component))
        (tables::breakdown(r))
        (published::published(r))
        h2 #charts { "Charts" }
    };
    head.push_str("<body><main>");
    head.push_str(&body.into_string());
    let tail = html! {
        h2 #incidents { "Incidents" }
        (run::incidents(r))
        h2 #quality { "Data quality" }
        (run::quality(r))
        h2 #definitions { "Definitions for this run" }
        (run::definitions(r))
        (run::config_in_force(r))
    };
    let mut tail = tail.into_string();
    tail.push_str("</main></body></html>\n");
    Sections { head, tail }
}

/// The page: its sections around `charts` (`(title, SVG text)` in the order to show them).
pub fn assemble(sections: Sections, charts: &[(String, String)]) -> String {
    let figures = html! {
        @if charts.is_empty() {
            p.note { "No chart was drawn." }
        }
        @for (title, svg) in charts {
            figure aria-label=(title) { (PreEscaped(svg.trim())) }
        }
    };
    let mut out = sections.head;
    out.reserve(sections.tail.len() + figures.0.len());
    out.push_str(&figures.0);
    out.push_str(&sections.tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_coloured_by_whether_they_are_good_news() {
        let s = |m: Markup| m.into_string();
        assert!(s(change(Some(12.0), Some(10.0), true, "")).contains("up-bad"));
        assert!(s(change(Some(12.0), Some(10.0), true, "")).contains("▲ 2"));
        assert!(s(change(Some(50.0), Some(100.0), true, "%")).contains("▼ 50%"));
        assert!(s(change(Some(50.0), Some(100.0), true, "%")).contains("down-good"));
        assert_eq!(s(change(Some(1.0), Some(1.0), true, "")), "no change");
        assert_eq!(s(change(None, Some(1.0), true, "")), "no figure to compare");
    }

    #[test]
    fn input_text_is_escaped_by_the_template() {
        let m = card("<script>alert('x')</script>", "a & \"b\"", html! {});
        let s = m.into_string();
        assert!(s.contains("&lt;script&gt;alert('x')&lt;/script&gt;"), "{s}");
        assert!(s.contains("a &amp; &quot;b&quot;"), "{s}");
    }
}
