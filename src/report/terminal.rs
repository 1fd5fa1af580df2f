//! What a person reads in the terminal: the short summary after `report`, and the table of
//! `mttx metrics`. Plain text, aligned columns, the median first and the mean beside it.

use std::fmt::Write;

use super::Report;
use super::format::{availability, minutes, num, opt_minutes, pct, pct3};
use crate::model::{AvailScope, GroupRow, Verdict};

/// Left-aligns the first `left` columns, right-aligns the rest.
pub fn table(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::from("  ");
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i < left {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            }
            l.push_str("  ");
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary printed after `mttx report`.
pub fn summary(r: &Report, wrote: Option<(&str, &[String])>) -> String {
    let mut s = String::new();
    s.push_str(&header(r));
    let head: Vec<Vec<String>> = super::json::headline(&r.computed.metrics)
        .map(|m| {
            vec![
                m.metric.as_str().to_uppercase(),
                m.stats.n.to_string(),
                opt_minutes(m.stats.median),
                opt_minutes(m.stats.mean),
                opt_minutes(m.stats.p90),
                opt_minutes(m.stats.max),
            ]
        })
        .collect();
    let _ = writeln!(s, "\nTime to x, minutes, incidents started in the window:");
    if head.is_empty() {
        let _ = writeln!(s, "  no incident started in the window");
    } else {
        s.push_str(&table(&["", "n", "median", "mean", "p90", "max"], &head, 1));
    }

    s.push_str(&breakdown(r));

    s.push_str(&worst_components(r));
    s.push_str(&sla_misses(r));
    s.push_str(&sla_period(r));
    if let Some((dir, files)) = wrote {
        let _ = writeln!(s, "\nWrote {dir}: {}", files.join(", "));
    }
    s
}

/// The run in one line, the rows read, and the notes.
fn header(r: &Report) -> String {
    let mut s = String::new();
    let p = &r.period;
    let _ = writeln!(
        s,
        "mttx report {} ({}, {}), weights {}, anchor {}, SLA target {}%",
        p.label(),
        plural(p.periods.len(), p.unit().0, p.unit().1),
        p.tz.name(),
        r.weights.name(),
        r.anchor.as_str(),
        pct(r.sla_default)
    );
    let c = &r.counts;
    let _ = write!(
        s,
        "rows: {} read, {} accepted, {} rejected",
        c.read, c.accepted, c.rejected
    );
    if c.rejected > 0 {
        let _ = write!(s, " (listed in rejects.csv)");
    }
    if c.duplicates > 0 {
        let _ = write!(s, "; {} superseded by a later duplicate", c.duplicates);
    }
    let _ = writeln!(
        s,
        "; {} incidents, {}",
        r.computed.incidents.len(),
        plural(r.warnings.len(), "warning", "warnings")
    );
    for note in &r.notes {
        let _ = writeln!(s, "note: {note}");
    }

    s
}

/// The five components of least availability over the window.
fn worst_components(r: &Report) -> String {
    let mut s = String::new();
    let mut worst: Vec<_> = r
        .computed
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Component && a.period.is_whole())
        .collect();
    worst.sort_by(|a, b| {
        a.availability_pct
            .total_cmp(&b.availability_pct)
            .then_with(|| (&a.vendor, &a.component).cmp(&(&b.vendor, &b.component)))
    });
    let rows: Vec<Vec<String>> = worst
        .iter()
        .take(5)
        .map(|a| {
            vec![
                format!(
                    "{} / {}",
                    a.vendor,
                    a.component.as_deref().unwrap_or_default()
                ),
                format!("{}%", availability(a)),
                minutes(a.downtime_min),
                a.incidents.to_string(),
                format!(
                    "{} {}%",
                    if a.sla_met { "met" } else { "MISSED" },
                    pct(a.sla_target_pct)
                ),
            ]
        })
        .collect();
    let _ = writeln!(s, "\nWorst components by availability, whole window:");
    if rows.is_empty() {
        let _ = writeln!(s, "  no component in the input");
    } else {
        let header = [
            "component",
            "availability",
            "downtime min",
            "incidents",
            "SLA",
        ];
        s.push_str(&table(&header, &rows, 1));
    }

    s
}

/// How many vendors and components missed their targets, and which vendors.
fn sla_misses(r: &Report) -> String {
    let mut s = String::new();
    let count = |scope: AvailScope, whole: bool| {
        let all: Vec<_> = r
            .computed
            .availability
            .iter()
            .filter(|a| a.scope == scope && (a.period.is_whole()) == whole)
            .collect();
        (all.iter().filter(|a| !a.sla_met).count(), all.len())
    };
    let (vm, vn) = count(AvailScope::Vendor, true);
    let (cm, cn) = count(AvailScope::Component, true);
    let (cmm, cmn) = count(AvailScope::Component, false);
    let _ = writeln!(
        s,
        "\nSLA misses: {vm} of {vn} vendors and {cm} of {cn} components over the window; {cmm} of {cmn} component-{}",
        r.period.unit().1
    );
    let vendors_missed: Vec<String> = r
        .computed
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Vendor && a.period.is_whole() && !a.sla_met)
        .map(|a| format!("{} {}%", a.vendor, availability(a)))
        .collect();
    if !vendors_missed.is_empty() {
        let _ = writeln!(s, "  vendors below target: {}", vendors_missed.join(", "));
    }
    s
}

/// The SLA table of the window's last period, with the period before beside it: each vendor,
/// then its components that missed worst first, up to a limit, the rest counted.
pub fn sla_period(r: &Report) -> String {
    let mut s = String::new();
    let Some(sla) = r.sla_period() else {
        return s;
    };
    let _ = writeln!(s, "\nSLA {}:", sla.label);
    let mut body: Vec<Vec<String>> = Vec::new();
    let mut folded = false;
    for v in &sla.vendors {
        body.push(sla_row(r, v.vendor));
        body.extend(v.listed.iter().map(|a| sla_row(r, a)));
        if !v.folded.is_empty() {
            folded = true;
            body.push(vec![format!("  {}", v.folded_text())]);
        }
    }
    let prev = sla.before;
    s.push_str(&table(
        &[
            "vendor / component",
            "target",
            "availability",
            "SLA",
            "budget min",
            "used",
            "left min",
            "maint min",
            &prev,
            "change pp",
            "vs noise",
        ],
        &body,
        1,
    ));
    s.push_str("  vs noise: is the change beyond noise (p < 0.05), or too few incidents to tell (docs/metrics.md)\n");
    if folded {
        s.push_str("  a vendor's components past its first missed ones are counted; availability.csv has every row\n");
    }
    s
}

/// One row of the SLA table.
fn sla_row(r: &Report, a: &crate::model::AvailabilityRow) -> Vec<String> {
    vec![
        match &a.component {
            Some(c) => format!("  {c}"),
            None => a.vendor.clone(),
        },
        format!("{}%", pct(a.sla_target_pct)),
        format!("{}%", availability(a)),
        if a.sla_met { "met" } else { "MISSED" }.to_string(),
        minutes(a.budget_min),
        a.budget_used_pct
            .map(|u| format!("{}%", num(u, 1)))
            .unwrap_or_default(),
        minutes(a.budget_remaining_min),
        minutes(a.maintenance_min),
        a.previous_pct
            .map(|p| format!("{}%", pct3(p)))
            .unwrap_or_default(),
        a.previous_pct
            .map(|p| format!("{:+}", PctPoints(a.availability_pct - p)))
            .unwrap_or_default(),
        match r.computed.trend.as_ref().and_then(|t| t.of(a)) {
            Some(Verdict::Changed(_)) => "beyond",
            Some(Verdict::Noise(_)) => "noise",
            Some(Verdict::TooFew) => "too few",
            None => "",
        }
        .to_string(),
    ]
}

/// A change in percentage points, signed, at most 3 decimals.
struct PctPoints(f64);

impl std::fmt::Display for PctPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = num(self.0, 3);
        if f.sign_plus() && !v.starts_with('-') && v != "0" {
            write!(f, "+{v}")
        } else {
            f.write_str(&v)
        }
    }
}

/// The `mttx metrics` table: key columns, metric, then `n, median, mean, p90, max`.
/// Groups a breakdown lists in the summary at most (breakdown.csv has them all).
const BREAKDOWN_ROWS: usize = 20;

/// The breakdown over the whole window (`--by`), when asked for.
fn breakdown(r: &Report) -> String {
    if r.by.is_empty() {
        return String::new();
    }
    let whole: Vec<&crate::model::BreakdownRow> =
        r.breakdown.iter().filter(|b| b.period == "all").collect();
    let mttr = crate::model::Metric::Mttr.index();
    let rows: Vec<Vec<String>> = (whole.iter().take(BREAKDOWN_ROWS))
        .map(|b| {
            let mut v = b.values.clone();
            v.extend([
                b.incidents.to_string(),
                opt_minutes(b.stats[mttr].median),
                opt_minutes(b.stats[mttr].p90),
                minutes(b.downtime_min),
                format!("{}%", pct3(b.availability_pct)),
            ]);
            v
        })
        .collect();
    let mut s = format!("\nBreakdown by {}, whole window:\n", r.by.join(", "));
    if rows.is_empty() {
        s.push_str("  no incident in the window\n");
        return s;
    }
    let mut header: Vec<&str> = r.by.iter().map(String::as_str).collect();
    header.extend([
        "incidents",
        "MTTR median",
        "MTTR p90",
        "downtime min",
        "availability",
    ]);
    s.push_str(&table(&header, &rows, r.by.len()));
    if whole.len() > BREAKDOWN_ROWS {
        let _ = writeln!(
            s,
            "  ... {} more groups in breakdown.csv",
            whole.len() - BREAKDOWN_ROWS
        );
    }
    s
}

pub fn groups_table(columns: &[String], rows: &[GroupRow]) -> String {
    let mut header: Vec<&str> = columns.iter().map(String::as_str).collect();
    header.extend(["period", "metric", "n", "median", "mean", "p90", "max"]);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut v = r.values.clone();
            v.push(r.period.clone());
            v.push(r.metric.as_str().to_string());
            v.push(r.stats.n.to_string());
            v.extend([r.stats.median, r.stats.mean, r.stats.p90, r.stats.max].map(opt_minutes));
            v
        })
        .collect();
    table(&header, &body, columns.len() + 2)
}
