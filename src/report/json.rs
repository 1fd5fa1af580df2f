//! `summary.json`: the run in one JSON document (window, time zone, weights, counts, headline
//! metrics and availability per vendor), for scripts and dashboards.

use serde_json::{Value, json};

use super::Report;
use crate::model::{AvailScope, Level, Metric, MetricRow, PeriodLabel, Stats};
use crate::time::format_utc;

fn round(x: f64, decimals: usize) -> Value {
    json!(super::format::rounded(x, decimals))
}

fn opt_round(x: Option<f64>, decimals: usize) -> Value {
    x.map(|v| round(v, decimals)).unwrap_or(Value::Null)
}

pub fn stats(s: &Stats) -> Value {
    json!({
        "n": s.n,
        "median_min": opt_round(s.median, 3),
        "mean_min": opt_round(s.mean, 3),
        "p90_min": opt_round(s.p90, 3),
        "max_min": opt_round(s.max, 3),
    })
}

/// Headline rows: scope `all` over the whole window.
pub fn headline(rows: &[MetricRow]) -> impl Iterator<Item = &MetricRow> {
    rows.iter()
        .filter(|r| r.scope == "all" && r.period == Some(PeriodLabel::Whole))
}

pub fn summary(r: &Report) -> String {
    let mut head = serde_json::Map::new();
    for row in headline(&r.computed.metrics) {
        head.insert(row.metric.as_str().to_string(), stats(&row.stats));
    }
    let vendors = vendors(r);
    let misses = |scope: AvailScope, whole: bool| {
        r.computed
            .availability
            .iter()
            .filter(|a| a.scope == scope && (a.period.is_whole()) == whole && !a.sla_met)
            .count()
    };
    let weights: serde_json::Map<String, Value> = Level::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), json!(r.weights.of(*l))))
        .collect();
    let sla_month = sla_period(r);
    let doc = json!({
        "tool": "mttx",
        "version": env!("CARGO_PKG_VERSION"),
        "window": {
            "from": format_utc(r.period.start),
            "to": format_utc(r.period.end),
            "label": r.period.label(),
            "minutes": round(r.period.minutes(), 3),
            "months": r.period.periods.iter().map(|m| m.label.clone()).collect::<Vec<_>>(),
        },
        "time_zone": r.period.tz.name(),
        "weights": { "preset": r.weights.preset.as_str(), "custom": r.weights.custom, "levels": weights },
        "anchor": r.anchor.as_str(),
        "sla_target_pct": r.sla_default,
        "counts": {
            "read": r.counts.read,
            "accepted": r.counts.accepted,
            "rejected": r.counts.rejected,
            "duplicates_superseded": r.counts.duplicates,
            "incidents": r.computed.incidents.len(),
            "warnings": r.warnings.len(),
        },
        "headline": head,
        "vendors": vendors,
        "sla_month": sla_month,
        "sla_misses": {
            "vendors_whole_window": misses(AvailScope::Vendor, true),
            "components_whole_window": misses(AvailScope::Component, true),
            "vendor_months": misses(AvailScope::Vendor, false),
            "component_months": misses(AvailScope::Component, false),
        },
    });
    let mut doc = doc;
    if let Some(t) = &r.computed.trend {
        let v = |v: crate::model::Verdict| json!({ "verdict": v.as_str(), "p": v.p().map(|p| round(p, 6)) });
        doc["trend"] = json!({
            "period": t.last,
            "previous_period": t.before,
            "mttd_median": v(t.mttd),
            "mttr_median": v(t.mttr),
            "downtime_all_vendors": v(t.downtime),
        });
    }
    if !r.by.is_empty() {
        doc["breakdown"] = breakdown(r);
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Each vendor's figures over the whole window.
fn vendors(r: &Report) -> Vec<Value> {
    r.computed
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Vendor && a.period.is_whole())
        .map(|a| {
            json!({
                "vendor": a.vendor,
                "availability_pct": round(a.availability_pct, 6),
                "downtime_min": round(a.downtime_min, 3),
                "outage_min": round(a.outage_min, 3),
                "incidents": a.incidents,
                "sla_target_pct": a.sla_target_pct,
                "sla_met": a.sla_met,
            })
        })
        .collect()
}

/// The last period's SLA, every vendor and component, with the period before.
fn sla_period(r: &Report) -> Option<Value> {
    r.sla_period().map(|sla| {
        let (month, prev) = (sla.label, sla.before);
        let rows: Vec<Value> = r
            .computed
            .availability
            .iter()
            .filter(|a| a.period.period() == Some(month.as_str()))
            .map(|a| {
                json!({
                    "scope": a.scope.as_str(),
                    "vendor": a.vendor,
                    "component": a.component,
                    "sla_target_pct": a.sla_target_pct,
                    "availability_pct": round(a.availability_pct, 6),
                    "sla_met": a.sla_met,
                    "budget_min": round(a.budget_min, 3),
                    "budget_used_pct": opt_round(a.budget_used_pct, 6),
                    "budget_remaining_min": round(a.budget_remaining_min, 3),
                    "maintenance_min": round(a.maintenance_min, 3),
                    "previous_availability_pct": opt_round(a.previous_pct, 6),
                    "change_pct": opt_round(a.previous_pct.map(|p| a.availability_pct - p), 6),
                    "change_verdict": r.computed.trend.as_ref().and_then(|t| t.of(a)).map(|v| v.as_str()),
                    "change_p": r.computed.trend.as_ref().and_then(|t| t.of(a)).and_then(|v| v.p()).map(|p| round(p, 6)),
                })
            })
            .collect();
        json!({ "month": month, "previous_month": prev, "rows": rows })
    })
}

/// The breakdown by `--by`: each group and period with its time to x and downtime.
fn breakdown(r: &Report) -> Value {
    let rows: Vec<Value> = (r.breakdown.iter())
        .map(|b| {
            let mut o = serde_json::Map::new();
            for (k, v) in r.by.iter().zip(&b.values) {
                o.insert(k.clone(), json!(v));
            }
            o.insert("period".into(), json!(b.period));
            o.insert("incidents".into(), json!(b.incidents));
            let ttx: serde_json::Map<String, Value> = (Metric::ALL.iter().zip(&b.stats))
                .map(|(m, s)| (m.as_str().to_string(), stats(s)))
                .collect();
            o.insert("time_to_x".into(), Value::Object(ttx));
            o.insert("downtime_min".into(), json!(round(b.downtime_min, 3)));
            o.insert(
                "availability_pct".into(),
                json!(round(b.availability_pct, 6)),
            );
            Value::Object(o)
        })
        .collect();
    json!({ "by": r.by, "rows": rows })
}
