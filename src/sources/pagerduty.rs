//! PagerDuty (`tool = "pagerduty"`): `GET /incidents` by creation time in windows of at most
//! 180 days, each window split in two until its incidents fit under the API's offset cap of
//! 10,000; acknowledgements from the log entries (`GET /log_entries?is_overview=true` over the
//! same span), since the incident's own `acknowledgements` list is emptied once it resolves.
//! Stored per incident: `{"incident": <as received>, "log_entries": [<its acknowledge and
//! resolve entries as received>]}`. A re-sync asks for the incidents created since the last
//! sync and fetches each stored incident not yet resolved by id.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{Api, Credentials, Failure, Plan, Record, Settings, Stored, Tool, text, time};
use crate::http::Hinted;
use crate::store::NewIncident;

pub const TOOL: Tool = Tool {
    name: "pagerduty",
    default_url: Some("https://api.pagerduty.com"),
    format: 10,
    auth: |c: &Credentials| format!("Token token={}", c.token.expose()),
    headers: &[("Accept", "application/vnd.pagerduty+json;version=2")],
    hint,
    fetch,
    record,
};

/// Results per page.
pub const LIMIT: i64 = 100;
/// `offset + limit` may not pass this.
pub const CAP: i64 = 10_000;
/// The longest `since`..`until` span the API takes.
pub const MAX_SPAN_DAYS: i64 = 180;
/// Incidents fetched by id at once, then handed on.
const BATCH: usize = 50;

/// 429 with `ratelimit-reset`: seconds to wait.
fn hint(h: &Hinted, _now: SystemTime) -> Option<Duration> {
    let secs: f64 = (h.headers)("ratelimit-reset")?.trim().parse().ok()?;
    (secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

fn stamp(d: DateTime<Utc>) -> String {
    super::utc_text(d)
}

/// The windows of at most [`MAX_SPAN_DAYS`] covering `from..to`, oldest first.
pub fn windows(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut s = from;
    while s < to {
        let u = (s + chrono::Duration::days(MAX_SPAN_DAYS)).min(to);
        out.push((s, u));
        s = u;
    }
    out
}

/// Every item of `key` that `path` lists from `from` to `to`, each window split in two until
/// it fits under the cap. `notes` learns of each split.
fn walk(
    api: &Api,
    path: &str,
    key: &str,
    extra: &[(&str, String)],
    span: (DateTime<Utc>, DateTime<Utc>),
    notes: &mut Vec<String>,
) -> Result<Vec<Value>, String> {
    let mut stack: Vec<_> = windows(span.0, span.1).into_iter().rev().collect();
    let mut out = Vec::new();
    let mut splits = 0;
    while let Some((s, u)) = stack.pop() {
        match walk_window(api, path, key, extra, (s, u))? {
            Some(items) => out.extend(items),
            None => {
                if u - s <= chrono::Duration::seconds(1) {
                    return Err(format!(
                        "{path}: more than {CAP} results between {} and {}: the API cannot list them",
                        stamp(s),
                        stamp(u)
                    ));
                }
                splits += 1;
                let mid = s + (u - s) / 2;
                stack.push((mid, u));
                stack.push((s, mid));
            }
        }
    }
    if splits > 0 {
        notes.push(format!(
            "{path}: {splits} windows held more than {CAP} results (the API's offset cap) and were split in two"
        ));
    }
    Ok(out)
}

/// One page of a window at `offset` (the first asks for the total); `None` when the API
/// refuses the offset (error 2002: past the cap).
fn page_at(
    api: &Api,
    path: &str,
    extra: &[(&str, String)],
    (s, u): (DateTime<Utc>, DateTime<Utc>),
    offset: i64,
) -> Result<Option<Value>, String> {
    let mut query = vec![
        ("since", stamp(s)),
        ("until", stamp(u)),
        ("time_zone", "UTC".to_string()),
        ("limit", LIMIT.to_string()),
        ("offset", offset.to_string()),
    ];
    if offset == 0 {
        query.push(("total", "true".to_string()));
    }
    query.extend(extra.iter().cloned());
    match api.get(path, &query) {
        Ok(p) => Ok(Some(p)),
        Err(Failure::Status(400, m)) if m.contains("(code 2002)") || offset > 0 => Ok(None),
        Err(e) => Err(e.message()),
    }
}

fn items_of(page: &Value, key: &str) -> Vec<Value> {
    page.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn more(page: &Value) -> bool {
    page.get("more").and_then(Value::as_bool).unwrap_or(false)
}

/// One window's items, or `None` when it holds more than the cap allows. When the first page
/// gives the total, the other pages are asked for at once (the host's limit in flight); then,
/// or without a total, page after page while the API says there is more.
fn walk_window(
    api: &Api,
    path: &str,
    key: &str,
    extra: &[(&str, String)],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Option<Vec<Value>>, String> {
    let Some(first) = page_at(api, path, extra, window, 0)? else {
        return Ok(None);
    };
    let total = first.get("total").and_then(Value::as_i64);
    if total.unwrap_or(0) > CAP {
        return Ok(None);
    }
    let mut items = items_of(&first, key);
    let mut last = first;
    let mut offset = 0;
    if let Some(total) = total.filter(|_| more(&last)) {
        let offsets: Vec<i64> = (1..)
            .map(|k| k * LIMIT)
            .take_while(|o| *o < total)
            .collect();
        let pages = crate::parallel::map_on(
            api.client.per_host(),
            &offsets,
            || (),
            |(), o| page_at(api, path, extra, window, *o),
        );
        for (page, o) in pages.into_iter().zip(offsets) {
            let Some(page) = page? else {
                return Ok(None);
            };
            items.extend(items_of(&page, key));
            (last, offset) = (page, o);
        }
    }
    // Without a total, or when the listing grew during the walk.
    while more(&last) && !items_of(&last, key).is_empty() {
        offset += LIMIT;
        if offset + LIMIT > CAP {
            return Ok(None);
        }
        let Some(page) = page_at(api, path, extra, window, offset)? else {
            return Ok(None);
        };
        items.extend(items_of(&page, key));
        last = page;
    }
    Ok(Some(items))
}

/// The acknowledge and resolve entries among `entries`, by incident id.
fn entries_by_incident(entries: Vec<Value>) -> HashMap<String, Vec<Value>> {
    let mut by: HashMap<String, Vec<Value>> = HashMap::new();
    let mut seen = HashSet::new();
    for e in entries {
        let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
        if !matches!(kind, "acknowledge_log_entry" | "resolve_log_entry") {
            continue;
        }
        if let Some(id) = text(e.get("id"))
            && !seen.insert(id)
        {
            continue;
        }
        if let Some(inc) = text(e.pointer("/incident/id")) {
            by.entry(inc).or_default().push(e);
        }
    }
    by
}

/// The log entries a stored payload holds.
fn entries_of(raw: &Value) -> Vec<Value> {
    raw.get("log_entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The stored form: the incident and its entries (those of the stored payload `old` first,
/// then new ones it does not hold).
fn payload(incident: Value, old: Option<&str>, new: Option<&Vec<Value>>) -> Value {
    let old: Value = old
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    let mut entries = entries_of(&old);
    let ids: HashSet<String> = entries.iter().filter_map(|e| text(e.get("id"))).collect();
    for e in new.into_iter().flatten() {
        if text(e.get("id")).is_none_or(|id| !ids.contains(&id)) {
            entries.push(e.clone());
        }
    }
    json!({ "incident": incident, "log_entries": entries })
}

fn stored(p: &Value) -> Option<NewIncident> {
    let inc = p.get("incident")?;
    let status = text(inc.get("status"));
    Stored {
        id: text(inc.get("id")),
        final_: status.as_deref() == Some("resolved"),
        status,
        updated_at: text(inc.get("updated_at")).or_else(|| text(inc.get("last_status_change_at"))),
        started_at: time(inc.get("created_at")),
        raw: p,
    }
    .into_new()
}

fn fetch(
    api: &Api,
    plan: &Plan,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let from = plan.updated_since.unwrap_or(plan.since).max(plan.since);
    let span = (from, plan.now);
    // The incidents and the log entries side by side (the host's limit holds for both).
    let mut entry_notes = Vec::new();
    let (incidents, entries) = std::thread::scope(|scope| {
        let entries = scope.spawn(|| {
            let extra = [("is_overview", "true".to_string())];
            walk(
                api,
                "/log_entries",
                "log_entries",
                &extra,
                span,
                &mut entry_notes,
            )
        });
        let extra = [("sort_by", "incident_number:asc".to_string())];
        let incidents = walk(api, "/incidents", "incidents", &extra, span, &mut notes);
        let entries = entries
            .join()
            .unwrap_or_else(|_| Err("the log entries' walk failed".into()));
        (incidents, entries)
    });
    let (incidents, entries) = (incidents?, entries?);
    notes.extend(entry_notes);
    let by = entries_by_incident(entries);
    let mut seen = HashSet::new();
    let mut batch = Vec::new();
    for inc in incidents {
        let Some(id) = text(inc.get("id")) else {
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let old = plan
            .open
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, raw)| raw.as_str());
        batch.extend(stored(&payload(inc, old, by.get(&id))));
        if batch.len() >= BATCH {
            emit(std::mem::take(&mut batch));
        }
    }
    emit(batch);
    refetch_open(api, plan, &seen, &by, emit)?;
    Ok(notes)
}

/// Stored incidents still open that the walk did not list, fetched again by id (one PagerDuty
/// answers 404 for is kept as stored), with the log entries the walk found for them.
fn refetch_open(
    api: &Api,
    plan: &Plan,
    listed: &HashSet<String>,
    by: &HashMap<String, Vec<Value>>,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<(), String> {
    let open: Vec<&(String, String)> = plan
        .open
        .iter()
        .filter(|(id, _)| !listed.contains(id))
        .collect();
    let fetched = crate::parallel::map_on(
        api.client.per_host(),
        &open,
        || (),
        |(), (id, raw)| -> Result<Option<NewIncident>, String> {
            let page = match api.get(&format!("/incidents/{id}"), &[]) {
                Ok(p) => p,
                Err(Failure::Status(404, _)) => return Ok(None),
                Err(e) => return Err(e.message()),
            };
            let Some(inc) = page.get("incident").cloned() else {
                return Err(format!("/incidents/{id}: no incident in the answer"));
            };
            Ok(stored(&payload(inc, Some(raw), by.get(id.as_str()))))
        },
    );
    let mut first_error = None;
    for chunk in fetched.chunks(BATCH) {
        let mut out = Vec::new();
        for r in chunk {
            match r {
                Ok(Some(i)) => out.push(i.clone()),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e.clone());
                }
            }
        }
        emit(out);
    }
    first_error.map_or(Ok(()), Err)
}

/// The earliest `created_at` of the entries of `kind`.
fn earliest(entries: &[Value], kind: &str) -> Option<String> {
    entries
        .iter()
        .filter(|e| e.get("type").and_then(Value::as_str) == Some(kind))
        .filter_map(|e| time(e.get("created_at")))
        .min()
}

fn record(raw: &Value, _settings: &Settings) -> Map<String, Value> {
    let inc = raw.get("incident").unwrap_or(raw);
    let entries = entries_of(raw);
    let status = text(inc.get("status"));
    let acknowledged = earliest(&entries, "acknowledge_log_entry").or_else(|| {
        inc.get("acknowledgements")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().filter_map(|x| time(x.get("at"))).min())
    });
    let resolved = time(inc.get("resolved_at")).or_else(|| {
        (status.as_deref() == Some("resolved"))
            .then(|| earliest(&entries, "resolve_log_entry"))
            .flatten()
    });
    let mut r = Record::new();
    r.set("id", text(inc.get("incident_number")))
        .set("title", text(inc.get("title")))
        .set("severity", text(inc.get("urgency")))
        .set("components", text(inc.pointer("/service/summary")))
        .set("started_at", time(inc.get("created_at")))
        .set("acknowledged_at", acknowledged)
        .set("resolved_at", resolved)
        .set("urgency", text(inc.get("urgency")))
        .set("priority", text(inc.pointer("/priority/summary")))
        .set(
            "team",
            super::joined(super::list(inc.get("teams"), "/summary")),
        )
        .set("status", status);
    r.into_map()
}
