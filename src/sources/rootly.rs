//! Rootly (`tool = "rootly"`): `GET /v1/incidents` (JSON:API) by creation time (a re-sync by
//! update time too), 100 a page by page number; past 10,000 incidents the API refuses page
//! numbers (400, "offset pagination exceeds limit") and the walk goes on with the cursor
//! (`page[after]` = `meta.next_cursor`) until `links.next` is null. Every `kind` is fetched,
//! test incidents too (`--where kind!=test` leaves them out). Stored per incident: the JSON:API
//! resource as received.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::{Api, Credentials, Failure, Plan, Record, Settings, Stored, Tool, text, time};
use crate::http::Hinted;
use crate::store::NewIncident;

pub const TOOL: Tool = Tool {
    name: "rootly",
    default_url: Some("https://api.rootly.com"),
    format: 13,
    auth: |c: &Credentials| format!("Bearer {}", c.token.expose()),
    headers: &[("Content-Type", "application/vnd.api+json")],
    hint,
    fetch,
    record,
};

pub const PAGE_SIZE: usize = 100;

/// 429 with `X-RateLimit-Reset`: UTC epoch seconds.
fn hint(h: &Hinted, now: SystemTime) -> Option<Duration> {
    super::epoch_hint(h, "x-ratelimit-reset", now)
}

fn fetch(
    api: &Api,
    plan: &Plan,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<Vec<String>, String> {
    let mut query = vec![
        ("page[size]", PAGE_SIZE.to_string()),
        ("filter[created_at][gte]", super::utc_text(plan.since)),
        ("sort", "created_at".to_string()),
    ];
    if let Some(u) = plan.updated_since {
        query.push(("filter[updated_at][gte]", super::utc_text(u)));
    }
    let mut notes = Vec::new();
    let mut seen = HashSet::new();
    let mut cursors = HashSet::new();
    // Page numbers first; the cursor once numbers are refused.
    let mut cursor: Option<String> = None;
    let mut last_cursor: Option<String> = None;
    let mut number = 1;
    for _ in 0..super::MAX_PAGES {
        let mut q = query.clone();
        match &cursor {
            Some(c) => q.push(("page[after]", c.clone())),
            None => q.push(("page[number]", number.to_string())),
        }
        let page = match api.get("/v1/incidents", &q) {
            Ok(p) => p,
            Err(Failure::Status(400, m))
                if cursor.is_none() && m.contains("offset pagination exceeds limit") =>
            {
                let Some(c) = last_cursor.clone() else {
                    return Err(format!("{m} (and no cursor to go on with)"));
                };
                notes.push(format!(
                    "page numbers end at {} incidents: went on with the cursor",
                    (number - 1) * PAGE_SIZE
                ));
                cursors.insert(c.clone());
                cursor = Some(c);
                continue;
            }
            Err(e) => return Err(e.message()),
        };
        let held = super::take(&page, "data", |_| true, stored, &mut seen, emit);
        last_cursor = text(page.pointer("/meta/next_cursor"));
        let next = page.pointer("/links/next");
        if held == 0 || next.is_none_or(Value::is_null) {
            break;
        }
        if cursor.is_some() {
            match &last_cursor {
                Some(c) if cursors.insert(c.clone()) => cursor = Some(c.clone()),
                _ => break,
            }
        } else {
            number += 1;
        }
    }
    Ok(notes)
}

fn stored(item: &Value) -> Option<NewIncident> {
    let a = item.get("attributes")?;
    let status = text(a.get("status"));
    Stored {
        id: text(item.get("id")).or_else(|| text(a.get("sequential_id"))),
        final_: matches!(status.as_deref(), Some("resolved" | "closed" | "cancelled")),
        status,
        updated_at: time(a.get("updated_at")),
        started_at: time(a.get("started_at")).or_else(|| time(a.get("created_at"))),
        raw: item,
    }
    .into_new()
}

fn record(item: &Value, _settings: &Settings) -> Map<String, Value> {
    let empty = Value::Null;
    let a = item.get("attributes").unwrap_or(&empty);
    let names = |key: &str| super::joined(super::list(a.get(key), "/data/attributes/name"));
    let mut r = Record::new();
    r.set("id", text(a.get("sequential_id")))
        .set("title", text(a.get("title")))
        .set(
            "severity",
            text(a.pointer("/severity/data/attributes/name")),
        )
        .set("components", names("services"))
        .set(
            "started_at",
            time(a.get("started_at")).or_else(|| time(a.get("created_at"))),
        )
        .set("detected_at", time(a.get("detected_at")))
        .set("acknowledged_at", time(a.get("acknowledged_at")))
        .set("mitigated_at", time(a.get("mitigated_at")))
        .set("resolved_at", time(a.get("resolved_at")))
        .set("team", names("groups"))
        .set("environment", names("environments"))
        .set("kind", text(a.get("kind")))
        .set("status", text(a.get("status")));
    r.into_map()
}
