//! FireHydrant (`tool = "firehydrant"`): `GET /v1/incidents` by start date (`start_date`; a
//! re-sync adds `updated_after`), 200 a page, page numbers until `pagination.next` is null.
//! Times from the milestones by type (else from the lifecycle phases' milestones by slug).
//! Stored per incident: the incident object as received.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{Api, Credentials, Plan, Record, Settings, Stored, Tool, text, time};
use crate::store::NewIncident;

pub const TOOL: Tool = Tool {
    name: "firehydrant",
    default_url: Some("https://api.firehydrant.io"),
    format: 12,
    auth: |c: &Credentials| format!("Bearer {}", c.token.expose()),
    headers: &[("Accept", "application/json")],
    hint: crate::http::retry_after_hint,
    fetch,
    record,
};

pub const PER_PAGE: usize = 200;

fn fetch(
    api: &Api,
    plan: &Plan,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> Result<Vec<String>, String> {
    let mut query = vec![
        ("per_page", PER_PAGE.to_string()),
        ("start_date", super::utc_text(plan.since)),
    ];
    if let Some(u) = plan.updated_since {
        query.push(("updated_after", super::utc_text(u)));
    }
    let mut seen = HashSet::new();
    for n in 1..=super::MAX_PAGES {
        let mut q = query.clone();
        q.push(("page", n.to_string()));
        let page = api
            .get("/v1/incidents", &q)
            .map_err(super::Failure::message)?;
        let held = super::take(&page, "data", |_| true, stored, &mut seen, emit);
        let next = page.pointer("/pagination/next");
        if held == 0 || next.is_none_or(Value::is_null) {
            break;
        }
    }
    Ok(Vec::new())
}

fn stored(inc: &Value) -> Option<NewIncident> {
    let milestone = text(inc.get("current_milestone"));
    Stored {
        id: text(inc.get("id")).or_else(|| text(inc.get("number"))),
        final_: matches!(
            milestone.as_deref(),
            Some("resolved" | "postmortem_started" | "postmortem_completed" | "closed")
        ),
        status: milestone,
        updated_at: time(inc.get("updated_at")),
        started_at: time(inc.get("started_at")).or_else(|| time(inc.get("created_at"))),
        raw: inc,
    }
    .into_new()
}

/// The `occurred_at` of the milestone of type `kind`, else of the lifecycle phases' milestone
/// of that slug.
fn milestone(inc: &Value, kind: &str) -> Option<String> {
    let of = |list: Option<&Value>, key: &str| {
        list.and_then(Value::as_array)?
            .iter()
            .find(|m| m.get(key).and_then(Value::as_str) == Some(kind))
            .and_then(|m| time(m.get("occurred_at")))
    };
    of(inc.get("milestones"), "type").or_else(|| {
        inc.get("lifecycle_phases")
            .and_then(Value::as_array)?
            .iter()
            .find_map(|phase| of(phase.get("milestones"), "slug"))
    })
}

fn record(inc: &Value, _settings: &Settings) -> Map<String, Value> {
    let mut r = Record::new();
    r.set("id", text(inc.get("number")))
        .set("title", text(inc.get("name")))
        .set("severity", text(inc.get("severity")))
        .set(
            "components",
            super::joined(super::list(inc.get("services"), "/name")),
        )
        .set("started_at", time(inc.get("started_at")));
    for kind in [
        "detected",
        "acknowledged",
        "identified",
        "mitigated",
        "resolved",
    ] {
        r.set(&format!("{kind}_at"), milestone(inc, kind));
    }
    r.set("priority", text(inc.get("priority")))
        .set(
            "team",
            super::joined(super::list(inc.get("team_assignments"), "/team/name")),
        )
        .set(
            "environment",
            super::joined(super::list(inc.get("environments"), "/name")),
        )
        .set(
            "functionality",
            super::joined(super::list(inc.get("functionalities"), "/name")),
        )
        .set("current_milestone", text(inc.get("current_milestone")));
    r.into_map()
}
