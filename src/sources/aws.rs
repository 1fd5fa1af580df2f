//! AWS Health (`platform = "aws"`, detected from health.aws.amazon.com or a `currentevents`
//! URL): one `/public/currentevents` a sync (UTF-16 with a BOM), every event whole (format 3);
//! read back as the platform's own list under the configured name. AWS lists only the events
//! open now, so its history builds up over repeated syncs.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};
use crate::time::format_utc;

use std::collections::HashMap;

use serde_json::Map;

use crate::error::Result;
use crate::ingest::platform_rows::{Incident, Lines, Out, heavier};
use crate::ingest::statuspage_page::{Entry, Page, tables};
use crate::ingest::{IngestOptions, RawTable};
use crate::model::{IMPACT_NONE, Level};

pub const PLATFORM: Platform = Platform {
    name: "aws",
    format: 3,
    detect: |u| {
        let u = u.to_ascii_lowercase();
        u.contains("health.aws.amazon.com") || u.contains("currentevents")
    },
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    let mut ended = feed::sync(job, sink, PLATFORM.name, "/public/currentevents", items);
    ended.has_history = Some(false);
    if ended.error.is_none() {
        ended.notes.push(
            "AWS lists only the events open now: its history builds up over repeated syncs".into(),
        );
    }
    ended
}

/// The events listed (a bare list or `{current: [...]}`): final once their status is 0.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    let events = if doc.is_array() {
        feed::list(&doc, PLATFORM.name)?
    } else {
        feed::list(doc.get("current").unwrap_or(&Value::Null), PLATFORM.name)?
    };
    Ok(events
        .iter()
        .filter_map(|e| {
            let start = text(e.get("date"))
                .and_then(|s| s.parse::<f64>().ok())
                .map(|s| format_utc((s * 1000.0) as i64));
            one(
                e,
                text(e.get("arn")),
                text(e.get("status")).as_deref() == Some("0"),
                start,
            )
        })
        .collect())
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    feed::items_document(PLATFORM.name, &v.name, raws)
}

/// An AWS status number as a level: 0 none, 1 informational, 2 degradation, 3 disruption
/// (AWS's top level, red on its dashboard: a major outage).
fn aws_level(status: &str) -> Option<Level> {
    match status.trim() {
        "1" => Some(Level::DegradedPerformance),
        "2" => Some(Level::PartialOutage),
        "3" => Some(Level::MajorOutage),
        _ => None,
    }
}

/// Epoch seconds (a number or a string of one) in milliseconds.
fn epoch_s(v: Option<&Value>) -> Option<i64> {
    let s = text(v)?;
    s.parse::<f64>().ok().map(|s| (s * 1000.0).round() as i64)
}

/// AWS Health events as incidents (`vendor`: a synced document's name).
pub(crate) fn read(
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
        let services = services(item, &id);
        let impact = services
            .iter()
            .fold(aws_level(&status), |acc, s| heavier(acc, s.max));
        let severity = match status.as_str() {
            "1" => Some("informational".to_string()),
            "2" => Some("degradation".to_string()),
            "3" => Some("disruption".to_string()),
            _ => None,
        };
        if let Some(start) = started {
            let mut changes = changes(item);
            for s in &services {
                for w in s.windows(changes.get_mut(s.key.as_str()), start, resolved) {
                    out.window(line, &id, vendor, w);
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
                components: services.into_iter().map(|s| s.shown).collect(),
                started: started.map(format_utc),
                detected: log.first().copied().map(format_utc),
                resolved: resolved.map(format_utc),
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}

/// One impacted service of an event: its key, its name as a component (with the region's
/// name when the key is the event's region's), and its heaviest level.
struct Service {
    key: String,
    shown: String,
    max: Option<Level>,
}

/// The event's impacted services, in the document's order.
fn services(item: &Value, id: &str) -> Vec<Service> {
    let region = id.split(':').nth(3).unwrap_or_default().to_string();
    let region_name = text(item.get("region_name"));
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
            Service {
                key: key.clone(),
                shown,
                max: aws_level(&text(s.get("max")).unwrap_or_default()),
            }
        })
        .collect()
}

/// A service's status changes: (when, previous, current), `"0"` closing.
type Changes = Vec<(i64, String, String)>;

/// Each service's status changes, by service key.
fn changes(item: &Value) -> HashMap<&str, Changes> {
    let mut changes: HashMap<&str, Changes> = HashMap::new();
    let list = item
        .get("impacted_service_status_changes")
        .and_then(Value::as_array);
    for c in list.into_iter().flatten() {
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
    changes
}

impl Service {
    /// The service's windows: one per status between its changes in time order (the first
    /// from the event's start), else one at its heaviest level over the whole event.
    fn windows(
        &self,
        changes: Option<&mut Changes>,
        start: i64,
        resolved: Option<i64>,
    ) -> Vec<(String, Level, i64, Option<i64>)> {
        let mut out = Vec::new();
        let Some(list) = changes else {
            out.extend(
                self.max
                    .map(|level| (self.shown.clone(), level, start, resolved)),
            );
            return out;
        };
        list.sort_by_key(|c| c.0);
        let mut open: Option<(Level, i64)> = aws_level(&list[0].1).map(|l| (l, start));
        for (at, _, cur) in list.iter() {
            if let Some((level, from)) = open.take() {
                out.push((self.shown.clone(), level, from, Some(*at)));
            }
            open = aws_level(cur).map(|l| (l, *at));
        }
        if let Some((level, from)) = open {
            out.push((self.shown.clone(), level, from, None));
        }
        out
    }
}

/// AWS's legacy `data.json` (`{archive, current}`): one incident per event, read as a report
/// page. `id` = `{service}_{date}`; the title without "[RESOLVED] "; the component is
/// `service_name` as given; the level from `status`; `started_at` = `detected_at` = `date`
/// (epoch seconds as text). The description's updates are `<span class="yellowfg">TIME</span>`
/// blocks, oldest first: "12:53 PM PDT" is on the start's date in that zone, "Aug 7,  1:50 AM
/// PDT" carries its date (the start's year, the next when the month is earlier). The last
/// update of a resolved event (in `archive`, or "[RESOLVED]") is its resolution, never before
/// `date`; the page rules find stated windows ("Between 12:15 PM and 12:21 PM PDT").
pub(crate) fn read_legacy(
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
                super::atom::read::month_number(m.as_str()).unwrap_or(sm),
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
        // Updates are written to the minute, `date` to the second: an update in the minute of
        // `date` is at `date`, so the start and detection keep their seconds.
        let utc = if utc < start && start - utc < crate::time::MS_PER_MIN {
            start
        } else {
            utc
        };
        let body = c.get(7).map_or("", |b| b.as_str());
        let body = crate::markup::decode_entities(body)
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
