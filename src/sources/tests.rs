//! Each tool's mapping rules of the contract, on hand-written payloads with hand-worked records.

use serde_json::{Value, json};

use super::*;

fn rec(tool: &Tool, raw: Value, settings: &Settings) -> Map<String, Value> {
    (tool.record)(&raw, settings)
}

fn s(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(str::to_string)
}

#[test]
fn times_become_utc_with_milliseconds_whatever_their_offset_or_fraction() {
    let t = |v: &str| time(Some(&json!(v)));
    assert_eq!(
        t("2024-06-03T10:00:00Z").unwrap(),
        "2024-06-03T10:00:00.000Z"
    );
    assert_eq!(
        t("2024-06-03T10:00:00+00:00").unwrap(),
        "2024-06-03T10:00:00.000Z"
    );
    assert_eq!(
        t("2024-06-03T03:00:00-07:00").unwrap(),
        "2024-06-03T10:00:00.000Z"
    );
    // Jira: +0000 and milliseconds.
    assert_eq!(
        t("2024-06-03T12:00:00.123+0200").unwrap(),
        "2024-06-03T10:00:00.123Z"
    );
    // Six fraction digits: the milliseconds kept.
    assert_eq!(
        t("2024-06-03T10:00:00.654321Z").unwrap(),
        "2024-06-03T10:00:00.654Z"
    );
    // Not a time: kept as written, for validation to reject.
    assert_eq!(t("yesterday").unwrap(), "yesterday");
    assert_eq!(time(Some(&Value::Null)), None);
    assert_eq!(t("  "), None);
}

#[test]
fn pagerduty_maps_the_first_acknowledgement_and_the_resolve_entry() {
    let raw = json!({
        "incident": {
            "id": "PQ7X2B1", "incident_number": 1042, "title": " Checkout API returns 502 ",
            "urgency": "high", "status": "resolved",
            "created_at": "2024-06-03T10:00:00Z", "resolved_at": null,
            "service": {"summary": "Checkout API"},
            "priority": {"summary": "P1"},
            "teams": [{"summary": "Payments"}, {"summary": "SRE"}],
            "acknowledgements": []
        },
        "log_entries": [
            {"id": "L3", "type": "acknowledge_log_entry", "created_at": "2024-06-03T10:20:00Z"},
            {"id": "L1", "type": "acknowledge_log_entry", "created_at": "2024-06-03T10:06:00Z"},
            {"id": "L2", "type": "unacknowledge_log_entry", "created_at": "2024-06-03T10:10:00Z"},
            {"id": "L4", "type": "resolve_log_entry", "created_at": "2024-06-03T11:30:00Z"}
        ]
    });
    let r = rec(&pagerduty::TOOL, raw, &Settings::default());
    assert_eq!(
        s(&r, "id").as_deref(),
        Some("1042"),
        "incident_number as text"
    );
    assert_eq!(s(&r, "title").as_deref(), Some("Checkout API returns 502"));
    assert_eq!(s(&r, "severity").as_deref(), Some("high"));
    assert_eq!(s(&r, "components").as_deref(), Some("Checkout API"));
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-03T10:00:00.000Z")
    );
    assert_eq!(s(&r, "detected_at"), None);
    // Acknowledged at 10:06, unacknowledged at 10:10, acknowledged again at 10:20: the first.
    assert_eq!(
        s(&r, "acknowledged_at").as_deref(),
        Some("2024-06-03T10:06:00.000Z")
    );
    // No resolved_at on the incident; resolved: the resolve entry's time.
    assert_eq!(
        s(&r, "resolved_at").as_deref(),
        Some("2024-06-03T11:30:00.000Z")
    );
    assert_eq!(s(&r, "urgency").as_deref(), Some("high"));
    assert_eq!(s(&r, "priority").as_deref(), Some("P1"));
    assert_eq!(s(&r, "team").as_deref(), Some("Payments;SRE"));
    assert_eq!(s(&r, "status").as_deref(), Some("resolved"));
    // The incident's own resolved_at wins; an open incident's resolve entry does not count.
    let open = json!({"incident": {"incident_number": 7, "status": "acknowledged",
        "created_at": "2024-06-03T10:00:00Z",
        "acknowledgements": [{"at": "2024-06-03T10:02:00Z"}]},
        "log_entries": [{"type": "resolve_log_entry", "created_at": "2024-06-03T11:00:00Z"}]});
    let r = rec(&pagerduty::TOOL, open, &Settings::default());
    assert_eq!(s(&r, "resolved_at"), None);
    assert_eq!(
        s(&r, "acknowledged_at").as_deref(),
        Some("2024-06-03T10:02:00.000Z"),
        "without log entries: the incident's own acknowledgements"
    );
    assert_eq!(s(&r, "priority"), None);
    assert_eq!(s(&r, "team"), None);
}

#[test]
fn pagerduty_windows_are_at_most_180_days() {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let w = pagerduty::windows(at("2024-01-01T00:00:00Z"), at("2025-01-01T00:00:00Z"));
    // 366 days: 180 + 180 + 6.
    assert_eq!(w.len(), 3);
    assert_eq!(w[0].1, at("2024-06-29T00:00:00Z"));
    assert_eq!(w[1].1, at("2024-12-26T00:00:00Z"));
    assert_eq!(w[2].1, at("2025-01-01T00:00:00Z"));
}

fn incident_io_payload() -> Value {
    json!({
        "id": "01HXYZ", "reference": "INC-7", "name": "Login failures after deploy",
        "mode": "standard",
        "severity": {"name": "Critical"},
        "incident_status": {"name": "Closed", "category": "closed"},
        "incident_type": {"name": "Default"},
        "created_at": "2024-06-03T10:00:00Z",
        "incident_timestamp_values": [
            {"incident_timestamp": {"name": "Impact started"}, "value": {"value": "2024-06-03T09:50:00Z"}},
            {"incident_timestamp": {"name": "Reported at"}, "value": {"value": "2024-06-03T10:00:00Z"}},
            {"incident_timestamp": {"name": "accepted"}, "value": {"value": "2024-06-03T10:03:00Z"}},
            {"incident_timestamp": {"name": "Identified"}, "value": null},
            {"incident_timestamp": {"name": "Fixed"}, "value": {"value": "2024-06-03T10:35:00Z"}},
            {"incident_timestamp": {"name": "Monitoring"}, "value": {"value": "2024-06-03T10:30:00Z"}},
            {"incident_timestamp": {"name": "Resolved"}, "value": {"value": "2024-06-03T11:00:00Z"}}
        ],
        "custom_field_entries": [
            {"custom_field": {"name": "Affected services"}, "values": [
                {"value_catalog_entry": {"name": "Auth"}},
                {"value_catalog_entry": {"name": "Web app"}}
            ]},
            {"custom_field": {"name": "Customer impact"}, "values": [{"value_option": {"value": "High"}}]},
            {"custom_field": {"name": "Impact"}, "values": [{"value_text": "logins"}]},
            {"custom_field": {"name": "Users affected"}, "values": [{"value_numeric": "1200"}]},
            {"custom_field": {"name": "Runbook"}, "values": [{"value_link": "https://runbooks.test/auth"}]}
        ]
    })
}

#[test]
fn incident_io_maps_timestamps_by_name_and_custom_fields_by_value_kind() {
    let r = rec(
        &incident_io::TOOL,
        incident_io_payload(),
        &Settings::default(),
    );
    assert_eq!(s(&r, "id").as_deref(), Some("INC-7"));
    assert_eq!(
        s(&r, "title").as_deref(),
        Some("Login failures after deploy")
    );
    assert_eq!(s(&r, "severity").as_deref(), Some("Critical"));
    // "Impact started" has a value: it is the start, not created_at.
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-03T09:50:00.000Z")
    );
    // "Reported at" matches "Reported" (the trailing " at" dropped); "accepted" any case.
    assert_eq!(
        s(&r, "detected_at").as_deref(),
        Some("2024-06-03T10:00:00.000Z")
    );
    assert_eq!(
        s(&r, "acknowledged_at").as_deref(),
        Some("2024-06-03T10:03:00.000Z")
    );
    // "Identified" without a value: empty.
    assert_eq!(s(&r, "identified_at"), None);
    assert_eq!(
        s(&r, "mitigated_at").as_deref(),
        Some("2024-06-03T10:35:00.000Z")
    );
    assert_eq!(
        s(&r, "resolved_at").as_deref(),
        Some("2024-06-03T11:00:00.000Z")
    );
    assert_eq!(s(&r, "components").as_deref(), Some("Auth;Web app"));
    assert_eq!(s(&r, "status").as_deref(), Some("Closed"));
    assert_eq!(s(&r, "status_category").as_deref(), Some("closed"));
    assert_eq!(s(&r, "incident_type").as_deref(), Some("Default"));
    assert_eq!(s(&r, "mode").as_deref(), Some("standard"));
    assert_eq!(s(&r, "Customer impact").as_deref(), Some("High"));
    assert_eq!(s(&r, "Users affected").as_deref(), Some("1200"));
    assert_eq!(
        s(&r, "Runbook").as_deref(),
        Some("https://runbooks.test/auth")
    );
    // A field named like a canonical column is kept beside it, not in its place.
    assert_eq!(s(&r, "custom Impact").as_deref(), Some("logins"));
    assert_eq!(s(&r, "impact"), None);
}

#[test]
fn incident_io_timestamps_and_components_field_rename_and_a_missing_start_falls_back() {
    let settings = Settings {
        timestamps: [("mitigated".to_string(), "Monitoring".to_string())].into(),
        components_field: Some("Customer impact".into()),
        ..Settings::default()
    };
    let mut p = incident_io_payload();
    p["incident_timestamp_values"][0]["value"] = Value::Null;
    let r = rec(&incident_io::TOOL, p, &settings);
    assert_eq!(
        s(&r, "mitigated_at").as_deref(),
        Some("2024-06-03T10:30:00.000Z")
    );
    assert_eq!(s(&r, "components").as_deref(), Some("High"));
    assert_eq!(s(&r, "Affected services").as_deref(), Some("Auth;Web app"));
    // "Impact started" without a value: created_at.
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-03T10:00:00.000Z")
    );
}

#[test]
fn firehydrant_takes_milestones_then_lifecycle_phases() {
    let raw = json!({
        "id": "5d9c-uuid", "number": 14, "name": "Image uploads failing", "severity": "SEV2",
        "priority": "P2", "current_milestone": "resolved",
        "started_at": "2024-06-06T09:00:00Z",
        "services": [{"name": "Media API"}, {"name": "CDN"}],
        "team_assignments": [{"team": {"name": "Media"}}],
        "environments": [{"name": "production"}],
        "functionalities": [{"name": "Uploads"}],
        "milestones": [
            {"type": "detected", "occurred_at": "2024-06-06T09:07:00Z"},
            {"type": "acknowledged", "occurred_at": "2024-06-06T09:10:00Z"},
            {"type": "resolved", "occurred_at": "2024-06-06T10:30:00Z"}
        ],
        "lifecycle_phases": [
            {"name": "Active", "milestones": [
                {"slug": "detected", "occurred_at": "2024-06-06T09:08:00Z"},
                {"slug": "identified", "occurred_at": "2024-06-06T09:30:00Z"},
                {"slug": "mitigated", "occurred_at": "2024-06-06T10:00:00Z"}
            ]}
        ]
    });
    let r = rec(&firehydrant::TOOL, raw, &Settings::default());
    assert_eq!(s(&r, "id").as_deref(), Some("14"));
    assert_eq!(s(&r, "title").as_deref(), Some("Image uploads failing"));
    assert_eq!(s(&r, "severity").as_deref(), Some("SEV2"));
    assert_eq!(s(&r, "components").as_deref(), Some("Media API;CDN"));
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-06T09:00:00.000Z")
    );
    // The milestones list wins (09:07, not the phase's 09:08).
    assert_eq!(
        s(&r, "detected_at").as_deref(),
        Some("2024-06-06T09:07:00.000Z")
    );
    assert_eq!(
        s(&r, "acknowledged_at").as_deref(),
        Some("2024-06-06T09:10:00.000Z")
    );
    // Only in the lifecycle phases.
    assert_eq!(
        s(&r, "identified_at").as_deref(),
        Some("2024-06-06T09:30:00.000Z")
    );
    assert_eq!(
        s(&r, "mitigated_at").as_deref(),
        Some("2024-06-06T10:00:00.000Z")
    );
    assert_eq!(
        s(&r, "resolved_at").as_deref(),
        Some("2024-06-06T10:30:00.000Z")
    );
    assert_eq!(s(&r, "priority").as_deref(), Some("P2"));
    assert_eq!(s(&r, "team").as_deref(), Some("Media"));
    assert_eq!(s(&r, "environment").as_deref(), Some("production"));
    assert_eq!(s(&r, "functionality").as_deref(), Some("Uploads"));
    assert_eq!(s(&r, "current_milestone").as_deref(), Some("resolved"));
}

#[test]
fn rootly_maps_attributes_and_falls_back_to_created_at() {
    let raw = json!({
        "id": "b1e2-uuid", "type": "incidents",
        "attributes": {
            "sequential_id": 311, "title": "Payment page blank", "kind": "test",
            "status": "resolved",
            "severity": {"data": {"attributes": {"name": "SEV1"}}},
            "services": [{"data": {"attributes": {"name": "Payments"}}}],
            "groups": [{"data": {"attributes": {"name": "Checkout"}}}],
            "environments": [{"data": {"attributes": {"name": "production"}}}],
            "started_at": null, "created_at": "2024-06-03T14:05:00.000-07:00",
            "detected_at": "2024-06-03T21:06:00Z", "acknowledged_at": "2024-06-03T21:10:00Z",
            "mitigated_at": "2024-06-03T22:00:00Z", "resolved_at": "2024-06-03T23:35:00Z"
        }
    });
    let r = rec(&rootly::TOOL, raw, &Settings::default());
    assert_eq!(s(&r, "id").as_deref(), Some("311"));
    assert_eq!(s(&r, "title").as_deref(), Some("Payment page blank"));
    assert_eq!(s(&r, "severity").as_deref(), Some("SEV1"));
    assert_eq!(s(&r, "components").as_deref(), Some("Payments"));
    // started_at null: created_at, -07:00 to UTC.
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-03T21:05:00.000Z")
    );
    assert_eq!(
        s(&r, "detected_at").as_deref(),
        Some("2024-06-03T21:06:00.000Z")
    );
    assert_eq!(
        s(&r, "acknowledged_at").as_deref(),
        Some("2024-06-03T21:10:00.000Z")
    );
    assert_eq!(
        s(&r, "identified_at"),
        None,
        "Rootly has no identified time"
    );
    assert_eq!(
        s(&r, "mitigated_at").as_deref(),
        Some("2024-06-03T22:00:00.000Z")
    );
    assert_eq!(
        s(&r, "resolved_at").as_deref(),
        Some("2024-06-03T23:35:00.000Z")
    );
    assert_eq!(s(&r, "team").as_deref(), Some("Checkout"));
    assert_eq!(s(&r, "environment").as_deref(), Some("production"));
    assert_eq!(s(&r, "kind").as_deref(), Some("test"));
    assert_eq!(s(&r, "status").as_deref(), Some("resolved"));
}

#[test]
fn jira_maps_fields_and_the_configured_field_ids() {
    let raw = json!({
        "id": "10311", "key": "OPS-311",
        "fields": {
            "summary": "Payment page blank for EU users",
            "created": "2024-06-03T16:05:00.000+0200",
            "resolutiondate": "2024-06-03T18:35:00.000+0200",
            "priority": {"name": "Highest"},
            "components": [{"name": "Payments"}, {"name": "EU"}],
            "status": {"name": "Done"},
            "labels": ["customer-facing", "sev1"],
            "issuetype": {"name": "Incident"},
            "customfield_10041": "2024-06-03T14:09:00.000+0000",
            "customfield_10050": {"value": "Sev 1"}
        }
    });
    let r = rec(&jira::TOOL, raw.clone(), &Settings::default());
    assert_eq!(s(&r, "id").as_deref(), Some("OPS-311"));
    assert_eq!(
        s(&r, "title").as_deref(),
        Some("Payment page blank for EU users")
    );
    assert_eq!(s(&r, "severity").as_deref(), Some("Highest"));
    assert_eq!(s(&r, "components").as_deref(), Some("Payments;EU"));
    assert_eq!(
        s(&r, "started_at").as_deref(),
        Some("2024-06-03T14:05:00.000Z")
    );
    assert_eq!(
        s(&r, "resolved_at").as_deref(),
        Some("2024-06-03T16:35:00.000Z")
    );
    assert_eq!(s(&r, "detected_at"), None);
    assert_eq!(s(&r, "status").as_deref(), Some("Done"));
    assert_eq!(s(&r, "labels").as_deref(), Some("customer-facing;sev1"));
    assert_eq!(s(&r, "issue_type").as_deref(), Some("Incident"));
    let settings = Settings {
        fields: [
            ("detected".to_string(), "customfield_10041".to_string()),
            ("severity".to_string(), "customfield_10050".to_string()),
        ]
        .into(),
        ..Settings::default()
    };
    let r = rec(&jira::TOOL, raw, &settings);
    assert_eq!(
        s(&r, "detected_at").as_deref(),
        Some("2024-06-03T14:09:00.000Z")
    );
    assert_eq!(s(&r, "severity").as_deref(), Some("Sev 1"));
}

#[test]
fn jiras_query_asks_a_day_early_and_a_resync_by_update() {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let mut plan = Plan {
        since: at("2024-01-01T00:00:00Z"),
        updated_since: None,
        open: Vec::new(),
        now: at("2024-07-01T00:00:00Z"),
        settings: Settings {
            jql: Some("project = OPS".into()),
            ..Settings::default()
        },
    };
    assert_eq!(
        jira::jql(&plan),
        "(project = OPS) AND created >= \"2023-12-31\" ORDER BY created ASC"
    );
    plan.updated_since = Some(at("2024-06-30T23:50:00Z"));
    assert_eq!(
        jira::jql(&plan),
        "(project = OPS) AND created >= \"2023-12-31\" AND updated >= \"2024-06-29\" ORDER BY created ASC"
    );
}

#[test]
fn records_carry_the_source_name_as_vendor_and_every_canonical_column() {
    let raws = vec![incident_io_payload().to_string(), "not json".to_string()];
    let text = records(&incident_io::TOOL, "Acme", &raws, &Settings::default());
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "nothing dropped");
    assert_eq!(lines[0]["vendor"], "Acme");
    assert_eq!(lines[1]["vendor"], "Acme");
    assert!(
        lines[1]["id"].is_null(),
        "validation rejects it for its missing id"
    );
    for c in ["title", "severity", "components", "resolved_at"] {
        assert!(lines[1].get(c).is_some());
    }
}

#[test]
fn tool_messages_are_found_where_each_tool_puts_them() {
    assert_eq!(
        tool_message(br#"{"error":{"message":"Invalid Input Provided","code":2001}}"#),
        "Invalid Input Provided (code 2001)"
    );
    assert_eq!(
        tool_message(br#"{"errors":[{"title":"Unauthorized","detail":"Bad token"}]}"#),
        "Bad token"
    );
    assert_eq!(
        tool_message(br#"{"errorMessages":["You do not have permission"],"errors":{}}"#),
        "You do not have permission"
    );
    assert_eq!(
        tool_message(b"<html>Bad gateway</html>"),
        "<html>Bad gateway</html>"
    );
}

#[test]
fn a_secret_never_shows_in_debug_output() {
    let c = Credentials {
        token: Secret::new("tok-123456".into()),
        user: Some(Secret::new("sre@acme.test".into())),
    };
    let d = format!("{c:?}");
    assert!(
        !d.contains("tok-123456") && !d.contains("sre@acme.test"),
        "{d}"
    );
}

#[test]
fn every_tool_is_registered_once_with_its_own_format() {
    let mut formats: Vec<i64> = TOOLS.iter().map(|t| t.format).collect();
    formats.sort();
    formats.dedup();
    assert_eq!(formats.len(), TOOLS.len());
    assert!(
        formats
            .iter()
            .all(|f| PLATFORMS.iter().all(|p| p.format != *f))
    );
    assert_eq!(tool("PagerDuty").map(|t| t.name), Some("pagerduty"));
    assert!(tool("servicenow").is_none());
}

#[test]
fn every_platform_keeps_the_format_tag_migration_3_wrote() {
    let tags: Vec<(&str, i64)> = PLATFORMS.iter().map(|p| (p.name, p.format)).collect();
    assert_eq!(
        tags,
        [
            ("statuspage", 1),
            ("incident.io", 1),
            ("google-cloud", 2),
            ("aws", 3),
            ("slack", 4),
            ("betterstack", 5),
            ("atom", 6)
        ]
    );
    assert_eq!(
        platform("Google-Cloud").map(|p| p.name),
        Some("google-cloud")
    );
    assert_eq!(
        platform("incident.io").map(|p| p.published_partial),
        Some(1.0)
    );
    assert!(platform("pagerduty").is_none());
}

#[test]
fn a_base_url_keeps_its_path_and_brackets_are_encoded() {
    let client = Client::new(crate::http::Limits::default());
    let source = Source {
        name: "Acme".into(),
        tool: "rootly",
        url: "https://proxy.example/rootly/".into(),
        token_env: "T".into(),
        user_env: None,
        since: None,
        line: 1,
        settings: Settings::default(),
    };
    let creds = Credentials {
        token: Secret::new("secret-token".into()),
        user: None,
    };
    let api = Api::new(&client, &source, &rootly::TOOL, &creds);
    assert_eq!(
        api.url(
            "/v1/incidents",
            &[
                ("page[size]", "100".into()),
                ("filter[created_at][gte]", "2024-01-01T00:00:00.000Z".into())
            ]
        ),
        "https://proxy.example/rootly/v1/incidents?page%5Bsize%5D=100&filter%5Bcreated_at%5D%5Bgte%5D=2024-01-01T00%3A00%3A00.000Z"
    );
    // What an answer echoes of the token never shows.
    assert_eq!(api.clean("denied: Bearer secret-token"), "denied: ***");
}
