//! Jira Cloud (`tool = "jira"`): `GET /rest/api/3/search/jql` with the configured JQL narrowed
//! to the window (`created >=`, a re-sync `updated >=` too), 100 issues a page, the next page
//! named by `nextPageToken`; the walk stops at `isLast`, a missing token, an empty page or a
//! token seen before (never the removed `/rest/api/3/search`). JQL reads date literals in the
//! API user's own time zone, so each date asked is a day early and the issues created before
//! `since` are dropped. `[source.fields]` maps canonical times and the severity to field ids.
//! Stored per issue: the issue as received.

use std::collections::HashSet;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{Api, Credentials, Plan, Record, Settings, Stored, Tool, text, time};
use crate::store::NewIncident;

pub const TOOL: Tool = Tool {
    name: "jira",
    default_url: None,
    format: 14,
    auth,
    headers: &[("Accept", "application/json")],
    hint: crate::http::retry_after_hint,
    fetch,
    record,
};

pub const MAX_RESULTS: usize = 100;

/// The fields every search asks for.
pub const FIELDS: &str =
    "summary,created,resolutiondate,priority,components,status,labels,issuetype";

/// `Basic base64(email:token)`.
fn auth(c: &Credentials) -> String {
    let user = c.user.as_ref().map_or("", |u| u.expose());
    let pair = format!("{user}:{}", c.token.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The search's JQL for a plan.
pub fn jql(plan: &Plan) -> String {
    let base = plan.settings.jql.as_deref().unwrap_or("").trim();
    let mut q = if base.is_empty() {
        String::new()
    } else {
        format!("({base}) AND ")
    };
    q.push_str(&format!("created >= \"{}\"", super::day_before(plan.since)));
    if let Some(u) = plan.updated_since {
        q.push_str(&format!(" AND updated >= \"{}\"", super::day_before(u)));
    }
    q.push_str(" ORDER BY created ASC");
    q
}

fn fetch(
    api: &Api,
    plan: &Plan,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<Vec<String>, String> {
    let mut fields = FIELDS.to_string();
    for id in plan.settings.fields.values() {
        fields.push(',');
        fields.push_str(id.trim());
    }
    let query = vec![
        ("jql", jql(plan)),
        ("maxResults", MAX_RESULTS.to_string()),
        ("fields", fields),
    ];
    let mut seen = HashSet::new();
    let mut tokens = HashSet::new();
    let mut token: Option<String> = None;
    for _ in 0..super::MAX_PAGES {
        let mut q = query.clone();
        if let Some(t) = &token {
            q.push(("nextPageToken", t.clone()));
        }
        let page = api
            .get("/rest/api/3/search/jql", &q)
            .map_err(super::Failure::message)?;
        let keep = |i: &Value| created_since(i, plan.since);
        let held = super::take(&page, "issues", keep, stored, &mut seen, emit);
        if held == 0 || page.get("isLast").and_then(Value::as_bool) == Some(true) {
            break;
        }
        match text(page.get("nextPageToken")) {
            Some(t) if tokens.insert(t.clone()) => token = Some(t),
            _ => break,
        }
    }
    Ok(Vec::new())
}

/// Whether the issue was created at or after `since` (an issue without a readable time is kept:
/// validation says what is wrong with it).
fn created_since(issue: &Value, since: DateTime<Utc>) -> bool {
    time(issue.pointer("/fields/created"))
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .is_none_or(|t| t >= since)
}

fn stored(issue: &Value) -> Option<NewIncident> {
    let f = issue.get("fields");
    let resolved = f.and_then(|f| time(f.get("resolutiondate")));
    Stored {
        id: text(issue.get("id")).or_else(|| text(issue.get("key"))),
        final_: resolved.is_some(),
        status: f.and_then(|f| text(f.pointer("/status/name"))),
        updated_at: f.and_then(|f| time(f.get("updated"))),
        started_at: f.and_then(|f| time(f.get("created"))),
        raw: issue,
    }
    .into_new()
}

/// A field's value as text: a string or number as written; an option or user by its name or
/// value; a list joined with `;`.
fn field_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(o) => ["name", "value", "displayName"]
            .iter()
            .find_map(|k| text(o.get(*k))),
        Value::Array(items) => {
            super::joined(items.iter().filter_map(|i| field_text(Some(i))).collect())
        }
        other => text(Some(other)),
    }
}

fn record(issue: &Value, settings: &Settings) -> Map<String, Value> {
    let empty = Value::Null;
    let f = issue.get("fields").unwrap_or(&empty);
    let mut r = Record::new();
    r.set("id", text(issue.get("key")))
        .set("title", text(f.get("summary")))
        .set("severity", text(f.pointer("/priority/name")))
        .set(
            "components",
            super::joined(super::list(f.get("components"), "/name")),
        )
        .set("started_at", time(f.get("created")))
        .set("resolved_at", time(f.get("resolutiondate")));
    for (key, id) in &settings.fields {
        let value = f.get(id.trim());
        if key == "severity" {
            r.set("severity", field_text(value));
        } else {
            r.set(&format!("{key}_at"), time(value));
        }
    }
    r.set("status", text(f.pointer("/status/name")))
        .set("labels", super::joined(super::list(f.get("labels"), "")))
        .set("issue_type", text(f.pointer("/issuetype/name")));
    r.into_map()
}
