//! incident.io (`tool = "incident.io"`): `GET /v2/incidents` by creation date (a re-sync by
//! update date too), 250 a page, the next page named by `pagination_meta.after`. The API's
//! default `mode` filter stands, so test and tutorial incidents are never fetched. Times come
//! from the incident's timestamp values by name ("Impact started", "Reported", ...; renamed
//! with `[source.timestamps]`), components from a custom field ("Affected services", or
//! `components_field`). Stored per incident: the incident object as received.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::{Api, Credentials, Plan, Record, Settings, Stored, Tool, text, time};
use crate::http::{Hinted, retry_after};
use crate::store::NewIncident;

pub const TOOL: Tool = Tool {
    name: "incident.io",
    default_url: Some("https://api.incident.io"),
    format: 11,
    auth: |c: &Credentials| format!("Bearer {}", c.token.expose()),
    headers: &[("Accept", "application/json")],
    hint,
    fetch,
    record,
};

pub const PAGE_SIZE: usize = 250;

/// 429 whose body holds `rate_limit.retry_after`, an HTTP date written with `UTC`.
fn hint(h: &Hinted, now: SystemTime) -> Option<Duration> {
    let v: Value = serde_json::from_slice(h.body).ok()?;
    let at = v.pointer("/rate_limit/retry_after")?.as_str()?;
    let at = at.trim();
    let at = at
        .strip_suffix("UTC")
        .map_or(at.to_string(), |s| format!("{s}GMT"));
    retry_after(&at, now)
}

fn fetch(
    api: &Api,
    plan: &Plan,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<Vec<String>, String> {
    let mut query = vec![
        ("page_size", PAGE_SIZE.to_string()),
        ("created_at[gte]", plan.since.format("%Y-%m-%d").to_string()),
    ];
    if let Some(u) = plan.updated_since {
        query.push(("updated_at[gte]", u.format("%Y-%m-%d").to_string()));
    }
    let mut seen = HashSet::new();
    let mut afters = HashSet::new();
    let mut after: Option<String> = None;
    for _ in 0..super::MAX_PAGES {
        let mut q = query.clone();
        if let Some(a) = &after {
            q.push(("after", a.clone()));
        }
        let page = api
            .get("/v2/incidents", &q)
            .map_err(super::Failure::message)?;
        if super::take(&page, "incidents", |_| true, stored, &mut seen, emit) == 0 {
            break;
        }
        match text(page.pointer("/pagination_meta/after")) {
            Some(a) if afters.insert(a.clone()) => after = Some(a),
            _ => break,
        }
    }
    Ok(Vec::new())
}

fn stored(inc: &Value) -> Option<NewIncident> {
    let category = text(inc.pointer("/incident_status/category"));
    Stored {
        id: text(inc.get("id")).or_else(|| text(inc.get("reference"))),
        final_: matches!(
            category.as_deref(),
            Some("closed" | "declined" | "merged" | "canceled")
        ),
        status: text(inc.pointer("/incident_status/name")),
        updated_at: time(inc.get("updated_at")),
        started_at: time(inc.get("created_at")),
        raw: inc,
    }
    .into_new()
}

/// The default timestamp name of each canonical time.
pub const TIMESTAMPS: [(&str, &str); 6] = [
    ("started", "Impact started"),
    ("detected", "Reported"),
    ("acknowledged", "Accepted"),
    ("identified", "Identified"),
    ("mitigated", "Fixed"),
    ("resolved", "Resolved"),
];

/// A timestamp's name as compared: lower case, without a trailing " at".
fn norm(name: &str) -> String {
    let n = name.trim().to_lowercase();
    n.strip_suffix(" at")
        .map_or(n.clone(), |s| s.trim_end().to_string())
}

/// The value of the timestamp named `name`, if it has one.
fn timestamp(inc: &Value, name: &str) -> Option<String> {
    let want = norm(name);
    inc.get("incident_timestamp_values")?
        .as_array()?
        .iter()
        .find(|t| {
            t.pointer("/incident_timestamp/name")
                .and_then(Value::as_str)
                .is_some_and(|n| norm(n) == want)
        })
        .and_then(|t| time(t.pointer("/value/value")))
}

/// A custom field entry's values: for each item, the first present of the catalog entry's
/// name, the option's value, the text, the number, the link.
fn values(entry: &Value) -> Vec<String> {
    let Some(items) = entry.get("values").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|v| {
            [
                "/value_catalog_entry/name",
                "/value_option/value",
                "/value_text",
                "/value_numeric",
                "/value_link",
            ]
            .iter()
            .find_map(|p| text(v.pointer(p)))
        })
        .collect()
}

fn record(inc: &Value, settings: &Settings) -> Map<String, Value> {
    let name_of = |key: &str| -> String {
        settings.timestamps.get(key).cloned().unwrap_or_else(|| {
            TIMESTAMPS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(String::new(), |(_, n)| n.to_string())
        })
    };
    let components_field = settings
        .components_field
        .clone()
        .unwrap_or_else(|| "Affected services".to_string());
    let mut r = Record::new();
    r.set("id", text(inc.get("reference")))
        .set("title", text(inc.get("name")))
        .set("severity", text(inc.pointer("/severity/name")))
        .set(
            "started_at",
            timestamp(inc, &name_of("started")).or_else(|| time(inc.get("created_at"))),
        );
    for (key, column) in [
        ("detected", "detected_at"),
        ("acknowledged", "acknowledged_at"),
        ("identified", "identified_at"),
        ("mitigated", "mitigated_at"),
        ("resolved", "resolved_at"),
    ] {
        r.set(column, timestamp(inc, &name_of(key)));
    }
    r.set("status", text(inc.pointer("/incident_status/name")))
        .set(
            "status_category",
            text(inc.pointer("/incident_status/category")),
        )
        .set("incident_type", text(inc.pointer("/incident_type/name")))
        .set("mode", text(inc.get("mode")));
    for entry in inc
        .get("custom_field_entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = text(entry.pointer("/custom_field/name")) else {
            continue;
        };
        let value = super::joined(values(entry));
        if name.eq_ignore_ascii_case(components_field.trim()) {
            r.set("components", value);
        } else {
            r.set(&dimension(&name), value);
        }
    }
    r.into_map()
}

/// A custom field's column: its name, or `custom <name>` where the name would take a
/// canonical column's or a dimension's place above ("Impact", "Status").
fn dimension(name: &str) -> String {
    let key = name.trim().to_lowercase().replace([' ', '-'], "_");
    let taken = crate::model::col::RECORD.contains(&key.as_str())
        || ["status", "status_category", "incident_type", "mode"].contains(&key.as_str());
    if taken {
        format!("custom {}", name.trim())
    } else {
        name.trim().to_string()
    }
}
