//! Other status platforms (contract section 4): each format read from its own fixture with the
//! expectation worked by hand, a folder mixing them reported without a rejected row, and the
//! shared real samples read the same way (skipped with a note when ../shared is absent).

use crate::common::*;

const DIR: &str = "tests/data/platforms";

/// `incidents.csv` and `impacts.csv` of `mttx import` of `input`, as lines.
fn imported(input: &str) -> (Vec<String>, Vec<String>) {
    let dir = temp();
    let out = dir.path().join("imported");
    let o = run(&["import", input, "--out", &path_str(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = |f: &str| {
        std::fs::read_to_string(out.join(f))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    };
    (lines("incidents.csv"), lines("impacts.csv"))
}

fn has(lines: &[String], line: &str) {
    assert!(
        lines.iter().any(|l| l == line),
        "no line {line}\nin {lines:#?}"
    );
}

#[test]
fn each_platform_maps_as_the_contract_says() {
    let (incidents, impacts) = imported(DIR);
    // Google Cloud: vendor named, title from external_desc, disruption is partial, products are
    // the components, resolved at `end` (12:00) although the last update came at 13:30.
    has(
        &incidents,
        "Google Cloud,gcpA1,Cloud Widgets errors in one region,medium,partial_outage,Cloud Widgets;Cloud Gadgets,2025-03-03T10:00:00Z,2025-03-03T10:20:00Z,,,,2025-03-03T12:00:00Z",
    );
    has(
        &incidents,
        "Google Cloud,gcpB2,Console sign-in outage,high,major_outage,Cloud Console,2025-03-10T08:00:00Z,2025-03-10T08:05:00Z,,,,2025-03-10T08:45:00Z",
    );
    // Slack: resolved at the newest note (10:30 PST), not at date_updated four days later; the
    // active outage has no end.
    has(
        &incidents,
        "Slack,901,Messages slow to send,incident,partial_outage,Messaging,2025-03-05T17:00:00Z,2025-03-05T17:00:00Z,,,,2025-03-05T18:30:00Z",
    );
    has(
        &incidents,
        "Slack,902,Huddles down,outage,major_outage,Huddles,2025-03-12T14:00:00Z,2025-03-12T14:00:00Z,,,,",
    );
    // AWS (UTF-16 with a byte-order mark): epoch seconds as text for the start (1741168800 =
    // 10:00Z), resolved at the last event-log entry of a closed event; a regional service shows
    // its region, a global one does not; status 0 names no severity.
    has(
        &incidents,
        "AWS,arn:aws:health:eu-west-9::event/EC2/AWS_EC2_ISSUE/E1,Instance launch errors,,partial_outage,Amazon EC2 (Ireland Nine);Amazon Route 53,2025-03-05T10:00:00Z,2025-03-05T10:00:00Z,,,,2025-03-05T12:00:00Z",
    );
    // Still open: no end.
    has(
        &incidents,
        "AWS,arn:aws:health:eu-west-9::event/S3/AWS_S3_ISSUE/E2,Slow uploads,degradation,partial_outage,Amazon S3 (Ireland Nine),2025-03-10T09:46:40Z,2025-03-10T09:47:40Z,,,,",
    );
    // Status changes in epoch milliseconds, given out of order: the first from 2 opens at the
    // start, 3 follows at 10:30, 0 closes at 11:30; Route 53 without changes gets the incident
    // at its max (1: degraded); the open S3 event's window stays open.
    let e1 = "arn:aws:health:eu-west-9::event/EC2/AWS_EC2_ISSUE/E1,AWS";
    has(
        &impacts,
        &format!(
            "{e1},Amazon EC2 (Ireland Nine),partial_outage,2025-03-05T10:00:00Z,2025-03-05T10:30:00Z"
        ),
    );
    has(
        &impacts,
        &format!(
            "{e1},Amazon EC2 (Ireland Nine),partial_outage,2025-03-05T10:30:00Z,2025-03-05T11:30:00Z"
        ),
    );
    has(
        &impacts,
        &format!(
            "{e1},Amazon Route 53,degraded_performance,2025-03-05T10:00:00Z,2025-03-05T12:00:00Z"
        ),
    );
    has(
        &impacts,
        "arn:aws:health:eu-west-9::event/S3/AWS_S3_ISSUE/E2,AWS,Amazon S3 (Ireland Nine),partial_outage,2025-03-10T09:46:40Z,",
    );
    // Better Stack: updates in publishing order although listed otherwise; the first takes
    // effect at starts_at; resolved at the last update (no ends_at); a maintenance report is
    // its resources under maintenance from starts_at to ends_at.
    has(
        &incidents,
        "Fabrikam Cloud,rep1,API outage,,major_outage,API;Dashboard,2025-03-14T09:00:00Z,2025-03-14T09:10:00Z,,,,2025-03-14T10:00:00Z",
    );
    has(
        &impacts,
        "rep1,Fabrikam Cloud,API,major_outage,2025-03-14T09:00:00Z,2025-03-14T09:40:00Z",
    );
    has(
        &impacts,
        "rep1,Fabrikam Cloud,Dashboard,degraded_performance,2025-03-14T09:00:00Z,2025-03-14T10:00:00Z",
    );
    has(
        &impacts,
        "rep2,Fabrikam Cloud,Dashboard,under_maintenance,2025-03-20T02:00:00Z,2025-03-20T03:00:00Z",
    );
    assert_eq!(incidents.len(), 1 + 8);
}

#[test]
fn a_folder_mixing_the_platforms_reports_every_vendor_and_rejects_nothing() {
    let dir = temp();
    let o = run(&[
        "report",
        DIR,
        "--month",
        "2025-03",
        "--formats",
        "csv",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 8 read, 8 accepted, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let avail = std::fs::read_to_string(dir.path().join("availability.csv")).unwrap();
    for v in ["AWS", "Fabrikam Cloud", "Google Cloud", "Slack"] {
        assert!(
            avail.contains(&format!("\nvendor,{v},,all,")),
            "{v}\n{avail}"
        );
    }
    // Fabrikam's API was down 40 minutes in March (44,640 minutes): 99.910394%.
    assert!(
        avail.contains("\ncomponent,Fabrikam Cloud,API,all,44640,40,40,99.910394,"),
        "{avail}"
    );
}

#[test]
fn files_that_are_not_histories_are_refused_by_name() {
    let dir = temp();
    let cases = [
        (
            "checkly.json",
            r#"{"incidents": [{"id": "x", "name": "Down", "incidentUpdates": []}]}"#,
            "Checkly",
        ),
        (
            "instatus.json",
            r#"{"page": {"name": "X"}, "activeIncidents": []}"#,
            "only the incidents active now",
        ),
        (
            "legacy.json",
            r#"{"archive": [], "current": []}"#,
            "legacy data.json",
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let o = run(&["validate", &path_str(&path)]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(stderr(&o).contains(want), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
    }
    // A UTF-16 file that is not valid UTF-16 says so with its name.
    let bad = dir.path().join("bad16.json");
    std::fs::write(&bad, b"\xfe\xff\xd8\x00\x00[").unwrap();
    let o = run(&["validate", &path_str(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("bad16.json: not valid UTF-16"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_shared_real_samples_read_without_a_rejected_row() {
    let p = manifest_dir().join("../shared/data/other-status");
    if !p.exists() {
        eprintln!("note: ../shared/data not present; other-status check skipped");
        return;
    }
    for (file, rows) in [
        ("gcp_incidents_sample_2_weekly_incident.json", 2),
        ("slack_history_sample_weekly_incident.json", 5),
        ("aws_health_currentevents_2026-08-01_utf16.json", 2),
        ("betterstack_huggingface_index_2026-07-19.json", 5),
    ] {
        let o = run(&["validate", &path_str(&p.join(file))]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stdout(&o));
        assert!(
            stdout(&o).contains(&format!("{rows} rows read: {rows} accepted, 0 rejected")),
            "{file}: {}",
            stdout(&o)
        );
    }
}
