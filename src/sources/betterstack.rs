//! Better Stack status pages (`platform = "betterstack"`, detected from betteruptime.com or
//! betterstack.com): one `index.json` a sync; each status report is stored with its updates
//! (format 5), and the page's resources ride on a pseudo-incident `_resources`; read back as an
//! `index.json` under the configured name.

use serde_json::{Value, json};

use super::feed::{self, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

use std::collections::HashMap;

use crate::error::Result;
use crate::ingest::RawTable;
use crate::ingest::platform_rows::{Incident, Lines, Out, heavier};
use crate::model::Level;
use crate::time::{format_utc, parse_timestamp};

pub const PLATFORM: Platform = Platform {
    name: "betterstack",
    format: 5,
    detect: |u| {
        let u = u.to_ascii_lowercase();
        !u.ends_with(".atom") && (u.contains("betteruptime.com") || u.contains("betterstack.com"))
    },
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    feed::sync(job, sink, PLATFORM.name, "/index.json", items)
}

/// The reports of `index.json`, and its resources.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    better_stack_items(&doc)
}

/// Better Stack: each status report with the updates and resources it names, as one object.
fn better_stack_items(doc: &Value) -> Result<Vec<NewIncident>, String> {
    let included = doc
        .get("included")
        .and_then(Value::as_array)
        .ok_or("not a Better Stack index.json (no included list)")?;
    let by_type = |t: &'static str| {
        included
            .iter()
            .filter(move |x| x.get("type").and_then(Value::as_str) == Some(t))
    };
    let mut out = Vec::new();
    for report in by_type("status_report") {
        let Some(id) = text(report.get("id")) else {
            continue;
        };
        let update_ids: Vec<String> = (report
            .pointer("/relationships/status_updates/data")
            .and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(|r| text(r.get("id")))
        .collect();
        let updates: Vec<&Value> = by_type("status_update")
            .filter(|u| text(u.get("id")).is_some_and(|i| update_ids.contains(&i)))
            .collect();
        let a = report.get("attributes").unwrap_or(&Value::Null);
        let final_ = text(a.get("aggregate_state")).as_deref() == Some("resolved");
        let bundle = json!({ "report": report, "updates": updates });
        out.push(NewIncident {
            id,
            status: text(a.get("aggregate_state")),
            final_,
            updated_at: updates
                .iter()
                .filter_map(|u| text(u.pointer("/attributes/published_at")))
                .max(),
            started_at: text(a.get("starts_at")),
            raw: bundle.to_string(),
        });
    }
    // The resources (their public names) ride on a pseudo-incident of their own.
    let resources: Vec<&Value> = by_type("status_page_resource").collect();
    out.push(NewIncident {
        id: "_resources".into(),
        status: None,
        final_: false,
        updated_at: None,
        started_at: None,
        raw: json!({ "resources": resources, "page": doc.get("data") }).to_string(),
    });
    Ok(out)
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    let values: Vec<Value> = raws
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let vendor = &v.name;
    let mut included: Vec<Value> = Vec::new();
    let mut page = json!({"type": "status_page", "attributes": {}});
    for v in &values {
        if let Some(res) = v.get("resources").and_then(Value::as_array) {
            included.extend(res.iter().cloned());
            page = v.get("page").cloned().unwrap_or(page);
        }
        if let Some(r) = v.get("report") {
            included.push(r.clone());
            included.extend(
                v.get("updates")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
    }
    page["attributes"]["company_name"] = json!(vendor);
    let doc = json!({ "data": page, "included": included });
    (doc.to_string(), crate::ingest::Format::Json)
}

/// Better Stack's `index.json` as incidents, windows and published availability.
pub(crate) fn read(name: &str, doc: &Value, lines: &Lines) -> Result<Option<Vec<RawTable>>> {
    let vendor = text(doc.pointer("/data/attributes/company_name"))
        .unwrap_or_else(|| "Better Stack page".into());
    let included: &[Value] = doc
        .get("included")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let of_type = |t: &'static str| {
        included
            .iter()
            .filter(move |x| x.get("type").and_then(Value::as_str) == Some(t))
    };
    let resources = resource_names(of_type("status_page_resource"));
    let updates: HashMap<String, &Value> = of_type("status_update")
        .filter_map(|u| Some((text(u.get("id"))?, u)))
        .collect();
    let resource = |a: &Value| {
        let id = text(a.get("status_page_resource_id")).unwrap_or_default();
        resources.get(&id).cloned().unwrap_or(id)
    };
    let mut out = Out::new(true);
    for report in of_type("status_report") {
        let id = text(report.get("id")).unwrap_or_default();
        let line = lines.of("id", &id);
        let a = report.get("attributes").unwrap_or(&Value::Null);
        let starts = ms(a.get("starts_at"));
        let ends = ms(a.get("ends_at"));
        let affected: Vec<String> = (a.get("affected_resources").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .map(resource)
            .collect();
        let mine = updates_of(report, &updates);
        let last_update = mine.last().map(|u| u.0);
        let resolved = ends.or_else(|| {
            (text(a.get("aggregate_state")).as_deref() == Some("resolved"))
                .then_some(last_update)
                .flatten()
        });
        let impact = if text(a.get("report_type")).as_deref() == Some("maintenance") {
            for r in &affected {
                if let Some(s) = starts {
                    out.window(
                        line,
                        &id,
                        &vendor,
                        (r.clone(), Level::UnderMaintenance, s, ends),
                    );
                }
            }
            Some(Level::UnderMaintenance)
        } else {
            let at = (line, id.as_str(), vendor.as_str());
            transitions(&mut out, &mine, starts, &resource, at)
        };
        out.incident(
            line,
            Incident {
                vendor: vendor.clone(),
                title: text(a.get("title")),
                severity: None,
                impact,
                components: affected,
                started: starts.map(format_utc),
                detected: mine.first().map(|u| format_utc(u.0)),
                resolved: resolved.map(format_utc),
                id,
            },
        );
    }
    let mut tables = out.tables(name)?;
    if let Some(first) = tables.first_mut() {
        first.published = better_stack_published(doc, &vendor);
    }
    Ok(Some(tables))
}

/// Each status page resource's public name, by its id.
fn resource_names<'a>(resources: impl Iterator<Item = &'a Value>) -> HashMap<String, String> {
    resources
        .filter_map(|r| {
            Some((
                text(r.get("id"))?,
                text(r.pointer("/attributes/public_name"))?,
            ))
        })
        .collect()
}

/// An instant as the page writes it, in UTC milliseconds.
fn ms(v: Option<&Value>) -> Option<i64> {
    text(v).and_then(|t| parse_timestamp(&t, &chrono_tz::Tz::UTC).ok())
}

/// A report's updates with their publishing instants, in publishing order (the report's
/// relationship list is not in order).
fn updates_of<'a>(report: &Value, updates: &HashMap<String, &'a Value>) -> Vec<(i64, &'a Value)> {
    let mut mine: Vec<(i64, &Value)> = (report
        .pointer("/relationships/status_updates/data")
        .and_then(Value::as_array))
    .into_iter()
    .flatten()
    .filter_map(|r| updates.get(&text(r.get("id"))?).copied())
    .filter_map(|u| Some((ms(u.pointer("/attributes/published_at"))?, u)))
    .collect();
    mine.sort_by_key(|u| u.0);
    mine
}

/// The windows a report's updates give, component by component: each update sets the
/// resources it lists to their level (the first one when the report starts); a window closes
/// when its resource's level changes, and one still open at the last update runs to the
/// resolution. Returns the heaviest level met. `at`: the report's line, id and vendor.
fn transitions(
    out: &mut Out,
    mine: &[(i64, &Value)],
    starts: Option<i64>,
    resource: &dyn Fn(&Value) -> String,
    (line, id, vendor): (u64, &str, &str),
) -> Option<Level> {
    let mut impact = None;
    let mut open: HashMap<String, (Level, i64)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (k, (at, u)) in mine.iter().enumerate() {
        // The first update takes effect when the report starts.
        let at = if k == 0 { starts.unwrap_or(*at) } else { *at };
        for r in (u
            .pointer("/attributes/affected_resources")
            .and_then(Value::as_array))
        .into_iter()
        .flatten()
        {
            let name = resource(r);
            let next = match text(r.get("status")).as_deref() {
                Some("downtime") => Some(Level::MajorOutage),
                Some("degraded") => Some(Level::DegradedPerformance),
                Some("maintenance") => Some(Level::UnderMaintenance),
                _ => None,
            };
            impact = heavier(impact, next);
            if open.get(&name).map(|o| o.0) == next && next.is_some() {
                continue;
            }
            if let Some((level, from)) = open.remove(&name) {
                out.window(line, id, vendor, (name.clone(), level, from, Some(at)));
            }
            if let Some(n) = next {
                if !order.contains(&name) {
                    order.push(name.clone());
                }
                open.insert(name, (n, at));
            }
        }
    }
    for name in order {
        if let Some((level, from)) = open.remove(&name) {
            out.window(line, id, vendor, (name, level, from, None));
        }
    }
    impact
}

/// A Better Stack page's published availability per resource: its `status_history` days (the
/// downtime of "downtime" days), the figure it displays (`availability`), and its rule's span:
/// the first day's midnight in the page's zone (a Rails zone name) to the page's `updated_at`.
fn better_stack_published(doc: &Value, vendor: &str) -> Vec<crate::model::PublishedComponent> {
    let zone = text(doc.pointer("/data/attributes/timezone"))
        .and_then(|z| super::rails_zones::zone(&z))
        .unwrap_or(chrono_tz::Tz::UTC);
    let Some(to) = text(doc.pointer("/data/attributes/updated_at"))
        .and_then(|t| parse_timestamp(&t, &chrono_tz::Tz::UTC).ok())
    else {
        return Vec::new();
    };
    let included: &[Value] = doc
        .get("included")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut out = Vec::new();
    for r in included
        .iter()
        .filter(|x| x.get("type").and_then(Value::as_str) == Some("status_page_resource"))
    {
        let a = r.get("attributes").unwrap_or(&Value::Null);
        let days: Vec<crate::model::PublishedDay> =
            (a.get("status_history").and_then(Value::as_array))
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    let down = text(d.get("status")).as_deref() == Some("downtime");
                    Some(crate::model::PublishedDay {
                        date: text(d.get("day"))?,
                        major_s: if down {
                            d.get("downtime_duration")
                                .and_then(Value::as_f64)
                                .unwrap_or(0.0)
                        } else {
                            0.0
                        },
                        partial_s: 0.0,
                    })
                })
                .collect();
        let Some(from) = days.first().and_then(|d| {
            let day = chrono::NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").ok()?;
            Some(crate::time::local_midnight_ms(&zone, day))
        }) else {
            continue;
        };
        out.push(crate::model::PublishedComponent {
            vendor: vendor.to_string(),
            component: text(a.get("public_name")).unwrap_or_default(),
            start_date: None,
            days,
            displayed_pct: a
                .get("availability")
                .and_then(Value::as_f64)
                .map(|x| 100.0 * x),
            rule: crate::model::PublishedRule::BetterStack { from, to },
        });
    }
    out
}
