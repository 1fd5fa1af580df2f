//! Fake incident tool APIs on 127.0.0.1 for the `[[source]]` sync tests, each following the
//! paging, caps and rate-limit hints its tool documents (the contract's "Incident tools'
//! APIs"): PagerDuty's 180-day spans and 10,000 offset cap, incident.io's `after` cursor and
//! default mode filter, FireHydrant's page numbers, Rootly's offset limit and cursor, Jira's
//! page tokens (and the removed `/rest/api/3/search`, 410). Served by [`crate::server`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::server::{Reply, Route};

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn stamp(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The query of a request target, decoded.
pub fn query(path: &str) -> HashMap<String, String> {
    let q = path.split_once('?').map_or("", |x| x.1);
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

pub fn route_of(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

fn json(v: Value) -> Reply {
    Reply::Json(v.to_string())
}

fn status(code: u16, headers: &[(&str, String)], v: Value) -> Reply {
    Reply::Status(
        code,
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        v.to_string(),
    )
}

fn time_of(v: &Value, pointer: &str) -> DateTime<Utc> {
    let t = v.pointer(pointer).and_then(Value::as_str).unwrap();
    DateTime::parse_from_rfc3339(t)
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .unwrap()
        .with_timezone(&Utc)
}

/// What a fake serves, and the first request of which path answers 429 with its hint.
pub struct Api {
    pub items: Vec<Value>,
    /// PagerDuty's log entries.
    pub entries: Vec<Value>,
    /// The route whose first request answers 429.
    pub throttle: Option<&'static str>,
    throttled: AtomicBool,
    /// PagerDuty's items and entries by creation (see [`Index`]).
    item_index: Mutex<Index>,
    entry_index: Mutex<Index>,
}

/// A list's `(created_at, incident_number, position)` sorted, made again when the list's length
/// changes: a page is then found in the time of a page, not of the whole list (the sync
/// benchmark asks for 300 pages of 20,000 entries).
type Index = Option<(usize, Vec<(DateTime<Utc>, u64, usize)>)>;

impl Api {
    pub fn new(items: Vec<Value>) -> Arc<RwLock<Api>> {
        Arc::new(RwLock::new(Api {
            items,
            entries: Vec::new(),
            throttle: None,
            throttled: AtomicBool::new(false),
            item_index: Mutex::new(None),
            entry_index: Mutex::new(None),
        }))
    }
}

/// Whether this request is the one to answer 429: the first to the throttled route.
fn throttled(api: &Api, path: &str, _n: usize) -> bool {
    api.throttle == Some(route_of(path)) && !api.throttled.swap(true, Ordering::SeqCst)
}

// ---- PagerDuty ----

/// A PagerDuty incident number `n`, created at `created`.
pub fn pd_incident(n: usize, created: DateTime<Utc>, resolved: Option<DateTime<Utc>>) -> Value {
    json!({
        "id": format!("P{n:06}"), "incident_number": n,
        "title": format!("Alert {n}"), "urgency": if n.is_multiple_of(3) { "low" } else { "high" },
        "status": if resolved.is_some() { "resolved" } else { "triggered" },
        "created_at": stamp(created),
        "updated_at": stamp(resolved.unwrap_or(created)),
        "resolved_at": resolved.map(stamp),
        "service": {"summary": if n.is_multiple_of(2) { "Checkout API" } else { "Search" }},
        "priority": if n.is_multiple_of(5) { json!({"summary": "P1"}) } else { Value::Null },
        "teams": [{"summary": if n.is_multiple_of(2) { "Payments" } else { "Discovery" }}],
        "acknowledgements": []
    })
}

pub fn pd_entry(id: &str, kind: &str, incident: &str, created: DateTime<Utc>) -> Value {
    json!({"id": id, "type": kind, "created_at": stamp(created), "incident": {"id": incident}})
}

fn pd_list(items: &[Value], index: &Mutex<Index>, q: &HashMap<String, String>, key: &str) -> Reply {
    let since = at(&q["since"]);
    let until = at(&q["until"]);
    if until - since > Duration::days(180) {
        return status(
            400,
            &[],
            json!({"error": {"message": "Invalid Input Provided", "code": 2001,
                "errors": ["since and until may be at most 6 months apart"]}}),
        );
    }
    let offset: usize = q["offset"].parse().unwrap();
    let limit: usize = q["limit"].parse().unwrap();
    if offset + limit > 10_000 {
        return status(
            400,
            &[],
            json!({"error": {"message": "Invalid Input Provided", "code": 2002,
                "errors": ["Offset must be less than 10000."]}}),
        );
    }
    let mut index = index.lock().unwrap();
    if index.as_ref().is_none_or(|(n, _)| *n != items.len()) {
        let mut idx: Vec<(DateTime<Utc>, u64, usize)> = items
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let number = i["incident_number"].as_u64().unwrap_or(0);
                (time_of(i, "/created_at"), number, k)
            })
            .collect();
        idx.sort();
        *index = Some((items.len(), idx));
    }
    let idx = &index.as_ref().unwrap().1;
    let lo = idx.partition_point(|(c, ..)| *c < since);
    let hi = idx.partition_point(|(c, ..)| *c < until);
    // Incidents by number, as `sort_by=incident_number:asc` asks (entries have none: 0).
    let mut sel: Vec<(u64, usize)> = idx[lo..hi].iter().map(|(_, n, k)| (*n, *k)).collect();
    sel.sort_unstable();
    let page: Vec<&Value> = sel
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(_, k)| &items[*k])
        .collect();
    let total = q
        .get("total")
        .map(|_| json!(sel.len()))
        .unwrap_or(Value::Null);
    json(json!({
        key: page, "limit": limit, "offset": offset,
        "more": offset + limit < sel.len(), "total": total
    }))
}

pub fn pagerduty(api: Arc<RwLock<Api>>) -> Route {
    Arc::new(move |path: &str, n: usize| {
        let api = api.read().unwrap();
        if throttled(&api, path, n) {
            return status(429, &[("ratelimit-reset", "1".into())], json!({}));
        }
        let q = query(path);
        match route_of(path) {
            "/incidents" => pd_list(&api.items, &api.item_index, &q, "incidents"),
            "/log_entries" => pd_list(&api.entries, &api.entry_index, &q, "log_entries"),
            p if p.starts_with("/incidents/") => {
                let id = &p["/incidents/".len()..];
                match api.items.iter().find(|i| i["id"] == id) {
                    Some(i) => json(json!({"incident": i})),
                    None => status(
                        404,
                        &[],
                        json!({"error": {"message": "Not Found", "code": 2100}}),
                    ),
                }
            }
            _ => status(404, &[], json!({"error": {"message": "Not Found"}})),
        }
    })
}

// ---- incident.io ----

pub fn io_incident(n: usize, created: DateTime<Utc>, mode: &str) -> Value {
    let ts = |name: &str, minutes: Option<i64>| {
        json!({"incident_timestamp": {"id": name, "name": name},
               "value": minutes.map(|m| json!({"value": stamp(created + Duration::minutes(m))}))})
    };
    json!({
        "id": format!("01J{n:06}"), "reference": format!("INC-{n}"),
        "name": format!("Incident {n}"), "mode": mode,
        "severity": {"name": if n.is_multiple_of(2) { "Major" } else { "Minor" }},
        "incident_status": {"name": "Closed", "category": "closed"},
        "incident_type": {"name": "Default"},
        "created_at": stamp(created), "updated_at": stamp(created + Duration::hours(2)),
        "incident_timestamp_values": [
            ts("Impact started", Some(-10)),
            ts("Reported", Some(0)),
            ts("Accepted", Some(3)),
            // No value: identified stays empty.
            ts("Identified", None),
            ts("Fixed", Some(40)),
            ts("Resolved", Some(60))
        ],
        "custom_field_entries": [
            {"custom_field": {"name": "Affected services"},
             "values": [{"value_catalog_entry": {"name": "Auth"}}]},
            {"custom_field": {"name": "Team"},
             "values": [{"value_option": {"value": if n.is_multiple_of(2) { "Identity" } else { "Web" }}}]}
        ]
    })
}

pub fn incident_io(api: Arc<RwLock<Api>>) -> Route {
    Arc::new(move |path: &str, n: usize| {
        let api = api.read().unwrap();
        if throttled(&api, path, n) {
            let when = Utc::now() + Duration::seconds(2);
            let date = when.format("%a, %d %b %Y %H:%M:%S UTC").to_string();
            return status(
                429,
                &[],
                json!({"type": "rate_limit", "status": 429, "rate_limit": {"retry_after": date}}),
            );
        }
        if route_of(path) != "/v2/incidents" {
            return status(404, &[], json!({"type": "not_found"}));
        }
        let q = query(path);
        let created = format!("{}T00:00:00Z", q["created_at[gte]"]);
        let size: usize = q["page_size"].parse().unwrap();
        let sel: Vec<&Value> = api
            .items
            .iter()
            .filter(|i| matches!(i["mode"].as_str(), Some("standard" | "retrospective")))
            .filter(|i| time_of(i, "/created_at") >= at(&created))
            .filter(|i| {
                q.get("updated_at[gte]")
                    .is_none_or(|u| time_of(i, "/updated_at") >= at(&format!("{u}T00:00:00Z")))
            })
            .collect();
        let start = q
            .get("after")
            .and_then(|a| sel.iter().position(|i| i["id"] == a.as_str()))
            .map_or(0, |p| p + 1);
        let page: Vec<&Value> = sel.iter().skip(start).take(size).copied().collect();
        let mut meta = json!({"page_size": size});
        if start + size < sel.len() {
            meta["after"] = page.last().unwrap()["id"].clone();
        }
        json(json!({"incidents": page, "pagination_meta": meta}))
    })
}

// ---- FireHydrant ----

pub fn fh_incident(n: usize, started: DateTime<Utc>) -> Value {
    let m = |minutes: i64| stamp(started + Duration::minutes(minutes));
    json!({
        "id": format!("fh-{n:04}"), "number": n, "name": format!("FH incident {n}"),
        "severity": "SEV2", "priority": "P2", "current_milestone": "resolved",
        "started_at": stamp(started), "created_at": m(5), "updated_at": m(90),
        "services": [{"name": "Media API"}],
        "team_assignments": [{"team": {"name": "Media"}}],
        "environments": [{"name": "production"}],
        "functionalities": [],
        // Only some milestones listed flat; the rest only in the lifecycle phases.
        "milestones": [{"type": "detected", "occurred_at": m(7)}],
        "lifecycle_phases": [
            {"name": "Active", "milestones": [
                {"slug": "acknowledged", "occurred_at": m(10)},
                {"slug": "identified", "occurred_at": m(30)},
                {"slug": "mitigated", "occurred_at": m(60)}
            ]},
            {"name": "Post-incident", "milestones": [{"slug": "resolved", "occurred_at": m(90)}]}
        ]
    })
}

pub fn firehydrant(api: Arc<RwLock<Api>>) -> Route {
    Arc::new(move |path: &str, n: usize| {
        let api = api.read().unwrap();
        if throttled(&api, path, n) {
            return status(
                429,
                &[("Retry-After", "1".into())],
                json!({"message": "slow down"}),
            );
        }
        if route_of(path) != "/v1/incidents" {
            return status(404, &[], json!({"message": "not found"}));
        }
        let q = query(path);
        let start = at(&q["start_date"]);
        let per: usize = q["per_page"].parse().unwrap();
        let page: usize = q["page"].parse().unwrap();
        let sel: Vec<&Value> = api
            .items
            .iter()
            .filter(|i| time_of(i, "/started_at") >= start)
            .filter(|i| {
                q.get("updated_after")
                    .is_none_or(|u| time_of(i, "/updated_at") >= at(u))
            })
            .collect();
        let data: Vec<&Value> = sel
            .iter()
            .skip((page - 1) * per)
            .take(per)
            .copied()
            .collect();
        let next = if page * per < sel.len() {
            json!(page + 1)
        } else {
            Value::Null
        };
        json(json!({"data": data, "pagination": {"count": sel.len(), "page": page, "next": next}}))
    })
}

// ---- Rootly ----

pub fn rootly_incident(n: usize, created: DateTime<Utc>, kind: &str) -> Value {
    let m = |minutes: i64| stamp(created + Duration::minutes(minutes));
    let named = |name: &str| json!([{"data": {"attributes": {"name": name}}}]);
    json!({
        "id": format!("rt-{n:05}"), "type": "incidents",
        "attributes": {
            "sequential_id": n, "title": format!("Rootly incident {n}"), "kind": kind,
            "status": "resolved",
            "severity": {"data": {"attributes": {"name": "SEV2"}}},
            "services": named("Payments"), "groups": named("Checkout"),
            "environments": named("production"),
            "created_at": m(0), "started_at": m(-5), "updated_at": m(80),
            "detected_at": m(1), "acknowledged_at": m(4), "mitigated_at": m(50),
            "resolved_at": m(80)
        }
    })
}

pub fn rootly(api: Arc<RwLock<Api>>) -> Route {
    Arc::new(move |path: &str, n: usize| {
        let api = api.read().unwrap();
        if throttled(&api, path, n) {
            let reset = (Utc::now() + Duration::seconds(2)).timestamp();
            return status(
                429,
                &[("X-RateLimit-Reset", reset.to_string())],
                json!({"errors": [{"title": "Too many requests"}]}),
            );
        }
        if route_of(path) != "/v1/incidents" {
            return status(404, &[], json!({"errors": [{"title": "Not found"}]}));
        }
        let q = query(path);
        let size: usize = q["page[size]"].parse().unwrap();
        let since = at(&q["filter[created_at][gte]"]);
        let sel: Vec<&Value> = api
            .items
            .iter()
            .filter(|i| time_of(i, "/attributes/created_at") >= since)
            .filter(|i| {
                q.get("filter[updated_at][gte]")
                    .is_none_or(|u| time_of(i, "/attributes/updated_at") >= at(u))
            })
            .collect();
        let start = match (q.get("page[number]"), q.get("page[after]")) {
            (Some(num), None) => {
                let num: usize = num.parse().unwrap();
                if num * size > 10_000 {
                    return status(
                        400,
                        &[],
                        json!({"errors": [{"title": "Bad Request",
                            "detail": "offset pagination exceeds limit, use cursor pagination"}]}),
                    );
                }
                (num - 1) * size
            }
            (None, Some(c)) => c.trim_start_matches('c').parse::<usize>().unwrap(),
            _ => return status(400, &[], json!({"errors": [{"detail": "page?"}]})),
        };
        let data: Vec<&Value> = sel.iter().skip(start).take(size).copied().collect();
        let end = start + data.len();
        let more = end < sel.len();
        json(json!({
            "data": data,
            "meta": {"next_cursor": if more { json!(format!("c{end}")) } else { Value::Null },
                     "total_count": sel.len()},
            "links": {"next": if more { json!("https://api.rootly.com/v1/incidents?next") } else { Value::Null }}
        }))
    })
}

// ---- Jira ----

pub fn jira_issue(n: usize, created: DateTime<Utc>) -> Value {
    let local = |d: DateTime<Utc>| {
        (d + Duration::hours(2))
            .format("%Y-%m-%dT%H:%M:%S%.3f+0200")
            .to_string()
    };
    json!({
        "id": format!("{}", 10_000 + n), "key": format!("OPS-{n}"),
        "fields": {
            "summary": format!("Ops issue {n}"),
            "created": local(created),
            "updated": local(created + Duration::hours(3)),
            "resolutiondate": local(created + Duration::minutes(150)),
            "priority": {"name": "High"},
            "components": [{"name": "Payments"}],
            "status": {"name": "Done"},
            "labels": ["customer-facing"],
            "issuetype": {"name": "Incident"},
            "customfield_10041": local(created + Duration::minutes(4))
        }
    })
}

/// Jira's search: `repeat_token` answers every page after the first with the same token and
/// never says `isLast` (a client must stop on the repeated token).
pub fn jira(api: Arc<RwLock<Api>>, repeat_token: bool) -> Route {
    Arc::new(move |path: &str, n: usize| {
        let api = api.read().unwrap();
        if throttled(&api, path, n) {
            return status(
                429,
                &[("Retry-After", "1".into())],
                json!({"errorMessages": ["Rate limit exceeded"]}),
            );
        }
        match route_of(path) {
            "/rest/api/3/search" => {
                return status(
                    410,
                    &[],
                    json!({"errorMessages": ["The requested API has been removed."]}),
                );
            }
            "/rest/api/3/search/jql" => {}
            _ => return status(404, &[], json!({"errorMessages": ["Not found"]})),
        }
        let q = query(path);
        let size: usize = q["maxResults"].parse().unwrap();
        // The JQL's date is read in the user's zone: the fake answers from the day given on,
        // so issues a day before `since` come back too (the client keeps the window).
        let start: usize = q
            .get("nextPageToken")
            .map_or(0, |t| t.trim_start_matches('t').parse().unwrap());
        let issues: Vec<&Value> = api.items.iter().skip(start).take(size).collect();
        let end = start + issues.len();
        let last = end >= api.items.len();
        if repeat_token {
            return json(json!({"issues": issues, "nextPageToken": "t100"}));
        }
        let mut page = json!({"issues": issues, "isLast": last});
        if !last {
            page["nextPageToken"] = json!(format!("t{end}"));
        }
        json(page)
    })
}
