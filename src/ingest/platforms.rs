//! Status platforms other than Statuspage (contract section 4, "Other status platforms"), each
//! detected by its content: Google Cloud's `incidents.json`, AWS Health events
//! (`currentevents.json`, also `{"current": [...]}`) and AWS's legacy `data.json`, Slack's
//! `api/v2.0.0/history` and Better Stack's `index.json`. Each becomes incidents (and, where the
//! format gives them, precise impact windows) in the same tables the Statuspage readers make.
//! Files that only hold what is active now (Instatus summaries) and Checkly's incidents file
//! (shaped like Statuspage's, but not it) are refused by name rather than misread: they add no
//! row and the run's notes say why.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::statuspage_page::{Entry, Page, tables};
use super::{DERIVED_INCIDENT_COLUMNS, IngestOptions, RawTable, TextTable};
use crate::error::{Error, Result};
use crate::model::{IMPACT_NONE, Level, col, window_source};
use crate::time::{format_utc, parse_timestamp};

/// Incidents and windows being read from one file.
struct Out {
    incidents: TextTable,
    impacts: TextTable,
    windows: bool,
}

/// One incident's fields, as text (times RFC 3339 or as the platform writes them).
#[derive(Default)]
struct Incident {
    id: String,
    vendor: String,
    title: Option<String>,
    severity: Option<String>,
    impact: Option<Level>,
    components: Vec<String>,
    started: Option<String>,
    detected: Option<String>,
    resolved: Option<String>,
}

impl Out {
    fn new(windows: bool) -> Out {
        Out {
            incidents: TextTable::new(DERIVED_INCIDENT_COLUMNS),
            impacts: TextTable::new(&col::IMPACT_RECORD),
            windows,
        }
    }

    fn incident(&mut self, line: u64, i: Incident) {
        // No component is the vendor as a whole.
        let components = i.components.join(";");
        self.incidents.push(
            line,
            vec![
                Some(i.id),
                Some(i.vendor),
                i.title,
                i.severity,
                Some(i.impact.map_or(IMPACT_NONE, Level::as_str).to_string()),
                Some(components),
                i.started,
                i.detected,
                None,
                None,
                i.resolved,
                None,
                None,
            ],
        );
    }

    /// A precise window of incident `id`'s `component` (`end` empty: until it resolves).
    fn window(&mut self, line: u64, id: &str, vendor: &str, w: (String, Level, i64, Option<i64>)) {
        let (component, level, start, end) = w;
        self.impacts.push(
            line,
            vec![
                Some(id.to_string()),
                Some(vendor.to_string()),
                Some(component),
                Some(level.as_str().to_string()),
                Some(format_utc(start)),
                end.map(format_utc),
            ],
        );
    }

    fn tables(self, name: &str) -> Result<Vec<RawTable>> {
        let mut out = vec![RawTable {
            window_source: if self.windows {
                window_source::UPDATES
            } else {
                window_source::RECORD
            },
            ..self.incidents.into_raw(name)?
        }];
        if self.windows {
            out.push(RawTable {
                derived: true,
                ..self.impacts.into_raw(name)?
            });
        }
        Ok(out)
    }
}

/// The text of a `.json` file in UTF-8 (with or without a BOM) or UTF-16 with a BOM (AWS).
pub(crate) fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>> {
    let utf16 = |units: Vec<u16>| {
        String::from_utf16(&units).map_err(|_| Error::File {
            source_name: name.to_string(),
            message: "not valid UTF-16 text (it starts with a UTF-16 byte-order mark)".into(),
        })
    };
    let pairs = |b: &[u8], be: bool| -> Vec<u16> {
        b.chunks_exact(2)
            .map(|p| {
                if be {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return Ok(utf16(pairs(rest, true))?.into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return Ok(utf16(pairs(rest, false))?.into());
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.into()),
        Err(e) => Err(Error::Parse {
            source_name: name.to_string(),
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64,
            message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        }),
    }
}

/// Reads `text` when it is one of the platforms' documents; `None` for any other JSON.
pub(crate) fn read(name: &str, text: &str, opts: &IngestOptions) -> Result<Option<Vec<RawTable>>> {
    let t = text.trim_start();
    if !(t.starts_with('[') || t.starts_with('{')) {
        return Ok(None);
    }
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return Ok(None);
    };
    // Refused: no row, and the run says why (a folder of vendor files still reports the rest).
    let refuse = |what: &str| -> Result<Option<Vec<RawTable>>> {
        let empty = TextTable::new(DERIVED_INCIDENT_COLUMNS).into_raw(name)?;
        Ok(Some(vec![RawTable {
            note: Some(format!("{name}: not read: {what}")),
            ..empty
        }]))
    };
    let first = |v: &Value| {
        v.as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_object)
            .cloned()
    };
    let has = |m: &Map<String, Value>, keys: &[&str]| keys.iter().all(|k| m.contains_key(*k));
    let lines = Lines::new(text);
    match &doc {
        Value::Array(items) => match first(&doc) {
            Some(m) if has(&m, &["begin", "external_desc"]) => {
                google_cloud(name, items, &lines, None)
            }
            Some(m) if has(&m, &["notes", "services", "date_created"]) => {
                slack(name, items, &lines, None)
            }
            Some(m) if has(&m, &["arn", "event_log"]) => aws_health(name, items, &lines, None),
            _ => Ok(None),
        },
        Value::Object(m) => {
            // A synced vendor's document (`mttx sync`): the platform's items under its name.
            if let (Some(vendor), Some(platform), Some(items)) = (
                m.get("mttx_vendor").and_then(Value::as_str),
                m.get("mttx_platform").and_then(Value::as_str),
                m.get("items").and_then(Value::as_array),
            ) {
                return match platform {
                    "google-cloud" => google_cloud(name, items, &lines, Some(vendor)),
                    "slack" => slack(name, items, &lines, Some(vendor)),
                    "aws" => aws_health(name, items, &lines, Some(vendor)),
                    other => refuse(&format!(
                        "a synced document of platform '{other}', which this mttx does not read"
                    )),
                };
            }
            if let Some(items) = m.get("current").and_then(Value::as_array)
                && first(&m["current"]).is_some_and(|e| has(&e, &["arn", "event_log"]))
            {
                return aws_health(name, items, &lines, None);
            }
            if has(m, &["archive", "current"]) {
                return aws_legacy(name, m, &lines, opts).map(Some);
            }
            if m.get("data")
                .and_then(|d| d.get("type"))
                .and_then(Value::as_str)
                == Some("status_page")
            {
                return better_stack(name, &doc, &lines);
            }
            if first(m.get("incidents").unwrap_or(&Value::Null))
                .is_some_and(|i| i.contains_key("incidentUpdates"))
            {
                return refuse(
                    "a Checkly status page's incidents file, not Statuspage's format (mttx reads Statuspage, Google Cloud, AWS Health, Slack and Better Stack histories)",
                );
            }
            if m.contains_key("activeIncidents") {
                return refuse(
                    "an Instatus summary: it holds only the incidents active now, not a history (keep a history with `mttx sync`, or export the page's incidents)",
                );
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The line each item starts on, found by its key's text. Items come in the document's order,
/// so each search goes on from the last one found (and its line count with it); an item found
/// out of order is searched from the start.
struct Lines<'a> {
    text: &'a str,
    /// The byte and line where the last search ended.
    at: std::cell::Cell<(usize, u64)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            at: std::cell::Cell::new((0, 1)),
        }
    }

    /// The line of the first `"key": value` from where the last search ended (1 when not found).
    fn of(&self, key: &str, value: &str) -> u64 {
        let (from, line) = self.at.get();
        match self.find(key, value, from) {
            Some(start) => {
                let line = line + self.text[from..start].matches('\n').count() as u64;
                self.at.set((start, line));
                line
            }
            None => match self.find(key, value, 0) {
                Some(start) => 1 + self.text[..start].matches('\n').count() as u64,
                None => 1,
            },
        }
    }

    /// Where `"key": value` (the value whole, quoted or not) first stands from `from`.
    fn find(&self, key: &str, value: &str, from: usize) -> Option<usize> {
        let needle = format!("\"{key}\"");
        let mut at = from;
        while let Some(i) = self.text[at..].find(&needle) {
            let start = at + i;
            let rest = self.text[start + needle.len()..].trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            if let Some(after) = rest.strip_prefix(value)
                && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            {
                return Some(start);
            }
            at = start + needle.len();
        }
        None
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The heavier of two levels (maintenance counts below any outage).
fn heavier(a: Option<Level>, b: Option<Level>) -> Option<Level> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if x.code() <= y.code() { x } else { y }),
        (x, y) => x.or(y),
    }
}

fn google_cloud(
    name: &str,
    items: &[Value],
    lines: &Lines,
    vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let mut out = Out::new(false);
    for item in items {
        let id = text(item.get("id")).unwrap_or_default();
        let impact = match item.get("status_impact").and_then(Value::as_str) {
            Some("SERVICE_OUTAGE") => Some(Level::MajorOutage),
            Some("SERVICE_DISRUPTION") => Some(Level::PartialOutage),
            Some("SERVICE_INFORMATION") => Some(Level::DegradedPerformance),
            _ => Some(Level::MajorOutage),
        };
        let components = (item.get("affected_products").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|p| text(p.get("title")))
            .collect();
        out.incident(
            lines.of("id", &id),
            Incident {
                vendor: vendor.unwrap_or("Google Cloud").into(),
                title: text(item.get("external_desc")),
                severity: text(item.get("severity")),
                impact,
                components,
                started: text(item.get("begin")),
                detected: text(item.get("created")),
                resolved: text(item.get("end")),
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}

fn slack(
    name: &str,
    items: &[Value],
    lines: &Lines,
    vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let mut out = Out::new(false);
    for item in items {
        let id = text(item.get("id")).unwrap_or_default();
        let kind = text(item.get("type"));
        let impact = match kind.as_deref() {
            Some("outage") => Some(Level::MajorOutage),
            Some("incident") => Some(Level::PartialOutage),
            Some("notice") => Some(Level::DegradedPerformance),
            Some("maintenance") => Some(Level::UnderMaintenance),
            _ => Some(Level::MajorOutage),
        };
        let status = text(item.get("status")).unwrap_or_default();
        // The newest note's time, not date_updated (later edits move that).
        let newest = (item.get("notes").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|n| text(n.get("date_created")))
            .max_by_key(|t| parse_timestamp(t, &chrono_tz::Tz::UTC).unwrap_or(i64::MIN));
        let resolved = matches!(status.as_str(), "resolved" | "completed")
            .then_some(newest)
            .flatten();
        let created = text(item.get("date_created"));
        out.incident(
            lines.of("id", &id),
            Incident {
                vendor: vendor.unwrap_or("Slack").into(),
                title: text(item.get("title")),
                severity: kind,
                impact,
                components: (item.get("services").and_then(Value::as_array))
                    .into_iter()
                    .flatten()
                    .filter_map(|s| text(Some(s)))
                    .collect(),
                started: created.clone(),
                detected: created,
                resolved,
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}

/// An AWS status number as a level: 0 none, 1 informational, 2 degradation, 3 disruption.
fn aws_level(status: &str) -> Option<Level> {
    match status.trim() {
        "1" => Some(Level::DegradedPerformance),
        "2" | "3" => Some(Level::PartialOutage),
        _ => None,
    }
}

/// Epoch seconds (a number or a string of one) in milliseconds.
fn epoch_s(v: Option<&Value>) -> Option<i64> {
    let s = text(v)?;
    s.parse::<f64>().ok().map(|s| (s * 1000.0).round() as i64)
}

fn aws_health(
    name: &str,
    items: &[Value],
    lines: &Lines,
    vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let vendor = vendor.unwrap_or("AWS");
    let mut out = Out::new(true);
    for item in items {
        let id = text(item.get("arn")).unwrap_or_default();
        let line = lines.of("arn", &id);
        let status = text(item.get("status")).unwrap_or_default();
        let started = epoch_s(item.get("date"));
        let log: Vec<i64> = (item.get("event_log").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|e| epoch_s(e.get("timestamp")))
            .collect();
        let resolved = if status == "0" {
            log.iter().copied().max()
        } else {
            None
        };
        let region = id.split(':').nth(3).unwrap_or_default().to_string();
        let region_name = text(item.get("region_name"));
        let services: Vec<(String, String, Option<Level>)> =
            (item.get("impacted_services").and_then(Value::as_object))
                .into_iter()
                .flatten()
                .map(|(key, s)| {
                    let service = text(s.get("service_name")).unwrap_or_else(|| key.clone());
                    let shown = match &region_name {
                        Some(r) if !region.is_empty() && key.ends_with(&region) => {
                            format!("{service} ({r})")
                        }
                        _ => service,
                    };
                    (
                        key.clone(),
                        shown,
                        aws_level(&text(s.get("max")).unwrap_or_default()),
                    )
                })
                .collect();
        let impact = services
            .iter()
            .fold(aws_level(&status), |acc, (_, _, l)| heavier(acc, *l));
        let severity = match status.as_str() {
            "1" => Some("informational".to_string()),
            "2" => Some("degradation".to_string()),
            "3" => Some("disruption".to_string()),
            _ => None,
        };
        // Each service's changes in time order: previous -> current, "0" closing.
        let mut changes: HashMap<&str, Vec<(i64, String, String)>> = HashMap::new();
        for c in (item
            .get("impacted_service_status_changes")
            .and_then(Value::as_array))
        .into_iter()
        .flatten()
        {
            let (Some(service), Some(at)) = (
                c.get("service").and_then(Value::as_str),
                c.get("timestamp").and_then(Value::as_i64),
            ) else {
                continue;
            };
            let prev = text(c.get("previous_status")).unwrap_or_default();
            let cur = text(c.get("current_status")).unwrap_or_default();
            changes.entry(service).or_default().push((at, prev, cur));
        }
        for (key, shown, max) in &services {
            let Some(start) = started else { break };
            match changes.get_mut(key.as_str()) {
                None => {
                    if let Some(level) = max {
                        out.window(line, &id, vendor, (shown.clone(), *level, start, resolved));
                    }
                }
                Some(list) => {
                    list.sort_by_key(|c| c.0);
                    let mut open: Option<(Level, i64)> = aws_level(&list[0].1).map(|l| (l, start));
                    for (at, _, cur) in list.iter() {
                        if let Some((level, from)) = open.take() {
                            out.window(line, &id, vendor, (shown.clone(), level, from, Some(*at)));
                        }
                        open = aws_level(cur).map(|l| (l, *at));
                    }
                    if let Some((level, from)) = open {
                        out.window(line, &id, vendor, (shown.clone(), level, from, None));
                    }
                }
            }
        }
        out.incident(
            line,
            Incident {
                vendor: vendor.into(),
                title: text(item.get("summary")),
                severity,
                impact,
                components: services.into_iter().map(|(_, s, _)| s).collect(),
                started: started.map(format_utc),
                detected: log.first().copied().map(format_utc),
                resolved: resolved.map(format_utc),
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}

fn better_stack(name: &str, doc: &Value, lines: &Lines) -> Result<Option<Vec<RawTable>>> {
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
    let resources: HashMap<String, String> = of_type("status_page_resource")
        .filter_map(|r| {
            Some((
                text(r.get("id"))?,
                text(r.pointer("/attributes/public_name"))?,
            ))
        })
        .collect();
    let updates: HashMap<String, &Value> = of_type("status_update")
        .filter_map(|u| Some((text(u.get("id"))?, u)))
        .collect();
    let ms =
        |v: Option<&Value>| text(v).and_then(|t| parse_timestamp(&t, &chrono_tz::Tz::UTC).ok());
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
        // The report's updates in publishing order (the relationship list is not).
        let mut mine: Vec<(i64, &Value)> = (report
            .pointer("/relationships/status_updates/data")
            .and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(|r| updates.get(&text(r.get("id"))?).copied())
        .filter_map(|u| Some((ms(u.pointer("/attributes/published_at"))?, u)))
        .collect();
        mine.sort_by_key(|u| u.0);
        let last_update = mine.last().map(|u| u.0);
        let resolved = ends.or_else(|| {
            (text(a.get("aggregate_state")).as_deref() == Some("resolved"))
                .then_some(last_update)
                .flatten()
        });
        let mut impact = None;
        if text(a.get("report_type")).as_deref() == Some("maintenance") {
            impact = Some(Level::UnderMaintenance);
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
        } else {
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
                        out.window(line, &id, &vendor, (name.clone(), level, from, Some(at)));
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
                    out.window(line, &id, &vendor, (name, level, from, None));
                }
            }
        }
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

/// AWS's legacy `data.json` (`{archive, current}`): one incident per event, read as a report
/// page. `id` = `{service}_{date}`; the title without "[RESOLVED] "; the component is
/// `service_name` as given; the level from `status`; `started_at` = `detected_at` = `date`
/// (epoch seconds as text). The description's updates are `<span class="yellowfg">TIME</span>`
/// blocks, oldest first: "12:53 PM PDT" is on the start's date in that zone, "Aug 7,  1:50 AM
/// PDT" carries its date (the start's year, the next when the month is earlier). The last
/// update of a resolved event (in `archive`, or "[RESOLVED]") is its resolution, never before
/// `date`; the page rules find stated windows ("Between 12:15 PM and 12:21 PM PDT").
fn aws_legacy(
    name: &str,
    doc: &Map<String, Value>,
    lines: &Lines,
    opts: &IngestOptions,
) -> Result<Vec<RawTable>> {
    let mut entries = Vec::new();
    for (archived, key) in [(true, "archive"), (false, "current")] {
        for e in doc.get(key).and_then(Value::as_array).into_iter().flatten() {
            let date = text(e.get("date")).unwrap_or_default();
            let service = text(e.get("service")).unwrap_or_default();
            let id = format!("{service}_{date}");
            let line = lines.of("date", &date);
            let summary = text(e.get("summary")).unwrap_or_default();
            let resolved = archived || summary.starts_with("[RESOLVED]");
            let level = aws_level(&text(e.get("status")).unwrap_or_default());
            let page = legacy_page(e, &summary, resolved, line, opts);
            entries.push(Entry {
                line,
                id,
                page,
                impact: Some(level.map_or(IMPACT_NONE, Level::as_str)),
            });
        }
    }
    tables(name, entries, None, opts)
}

/// One update of a legacy AWS event: its optional month and day, hour, minute, AM/PM, zone,
/// and its text up to the next update.
static LEGACY_UPDATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r#"(?s)<span class="yellowfg">\s*(?:([A-Za-z]{3})[a-z]*\s+(\d{1,2}),\s*)?(\d{1,2}):(\d{2})\s*([AP]M)\s*([A-Z]{2,5})\s*</span>(.*?)(?:<span class="yellowfg">|$)"#,
    )
    .expect("a valid pattern")
});

fn legacy_page(
    e: &Value,
    summary: &str,
    resolved: bool,
    line: u64,
    opts: &IngestOptions,
) -> std::result::Result<Page, (u64, String)> {
    let start = epoch_s(e.get("date")).ok_or((line, "event without a date".to_string()))?;
    let html = text(e.get("description")).unwrap_or_default();
    let mut updates: Vec<(Option<String>, i64, String)> =
        vec![(Some("Investigating".into()), start, String::new())];
    let mut at = 0;
    while let Some(c) = LEGACY_UPDATE.captures_at(&html, at) {
        let whole = c
            .get(0)
            .map_or(html.len(), |m| m.start() + m.as_str().len());
        // The next block starts where this one's body ends.
        let body_end = c.get(7).map_or(whole, |b| b.end());
        at = body_end;
        let zone = &c[6];
        let offset = opts.tz_abbrev.offset(zone).ok_or((
            line,
            format!(
                "time zone '{zone}': not in the abbreviation table (give --tz-abbrev {zone}=+HH:MM)"
            ),
        ))?;
        let local_start = start + i64::from(offset) * crate::time::MS_PER_MIN;
        let start_day = format_utc(local_start);
        let (sy, sm, sd): (i32, u32, u32) = (
            start_day[..4].parse().unwrap_or(1970),
            start_day[5..7].parse().unwrap_or(1),
            start_day[8..10].parse().unwrap_or(1),
        );
        let (month, day) = match (c.get(1), c.get(2)) {
            (Some(m), Some(d)) => (
                super::atom::month_number(m.as_str()).unwrap_or(sm),
                d.as_str().parse().unwrap_or(sd),
            ),
            _ => (sm, sd),
        };
        let year = if month < sm { sy + 1 } else { sy };
        let mut hour: u32 = c[3].parse().unwrap_or(0) % 12;
        if &c[5] == "PM" {
            hour += 12;
        }
        let minute: u32 = c[4].parse().unwrap_or(0);
        let local = chrono::NaiveDate::from_ymd_opt(year, month, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .ok_or((line, format!("update date {year}-{month}-{day}: not a day")))?;
        let utc = local.and_utc().timestamp_millis() - i64::from(offset) * crate::time::MS_PER_MIN;
        let body = c.get(7).map_or("", |b| b.as_str());
        let body = body
            .replace("&nbsp;", " ")
            .replace("</div>", " ")
            .replace("<div>", " ");
        updates.push((
            Some("Update".into()),
            utc,
            body.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
    }
    if resolved && let Some(last) = updates.last_mut() {
        last.0 = Some("Resolved".into());
        last.1 = last.1.max(start);
    }
    let title = summary.trim_start_matches("[RESOLVED]").trim().to_string();
    let components = text(e.get("service_name")).into_iter().collect();
    let mut page = Page::from_updates(Some(title), false, updates, components, opts);
    page.vendor = Some("AWS".into());
    Ok(page)
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
