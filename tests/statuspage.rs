//! Statuspage API JSON through the binary: per-component windows follow the status
//! transitions; `summary.json` and plain arrays read too; the real Airbrake export (from
//! `../shared`, skipped with a note when absent) reads cleanly.

use crate::common::*;

#[test]
fn transitions_give_per_component_windows_level_by_level() {
    let dir = temp();
    let o = run(&[
        "report",
        "tests/data/statuspage/contoso_incidents.json",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("rows: 3 read, 3 accepted, 0 rejected; 3 incidents, 0 warnings"));
    let a = read_csv(&dir.path().join("availability.csv"));
    // Search (in group Core): partial 10:05-10:20, major 10:20-11:30, partial 11:30-12:00:
    // 15 x 0.3 + 70 + 30 x 0.3 = 83.5; outage 115.
    let search = row(&a, &[("component", "Core / Search"), ("month", "all")]);
    assert_eq!(
        (
            search["downtime_min"].as_str(),
            search["outage_min"].as_str()
        ),
        ("83.5", "115")
    );
    // Website is listed without transitions: the incident window 10:00-11:30 at the level of
    // impact `major` (partial outage): 90 x 0.3 = 27.
    let web = row(&a, &[("component", "Website"), ("month", "all")]);
    assert_eq!(
        (web["downtime_min"].as_str(), web["outage_min"].as_str()),
        ("27", "90")
    );
    // Email is still down: from 22:00 on 30 June to the end of the report.
    assert_eq!(
        row(&a, &[("component", "Email"), ("month", "all")])["downtime_min"],
        "120"
    );
    // The vendor: 1.5 + 4.5 + 70 + 9 + 120 = 205; impact `none` with no components adds nothing.
    let v = row(
        &a,
        &[
            ("scope", "vendor"),
            ("vendor", "Contoso Status"),
            ("month", "all"),
        ],
    );
    assert_eq!(
        (v["downtime_min"].as_str(), v["outage_min"].as_str()),
        ("205", "240")
    );
    assert_eq!(v["incidents"], "3");

    let inc = read_csv(&dir.path().join("incidents.csv"));
    let r = row(&inc, &[("id", "inc-rollercoaster")]);
    assert_eq!(r["vendor"], "Contoso Status");
    assert_eq!(r["severity"], "major");
    assert_eq!(r["components"], "Core / Search;Website");
    assert_eq!(r["window_source"], "updates");
    // detected = created_at, identified = first `identified` update, mitigated = monitoring_at.
    assert_eq!(
        [&r["ttd_min"], &r["tti_min"], &r["ttm_min"], &r["ttr_min"]],
        ["5", "20", "90", "120"]
    );
    assert_eq!(row(&inc, &[("id", "inc-no-impact")])["components"], "");
}

#[test]
fn summary_json_and_plain_arrays_read_too() {
    let dir = temp();
    let summary = dir.path().join("summary.json");
    std::fs::write(
        &summary,
        r#"{"page": {"name": "Fabrikam"},
            "components": [{"id": "c1", "name": "API"}],
            "incidents": [{"id": "s1", "name": "API errors", "impact": "critical",
              "created_at": "2024-06-03T10:00:00Z", "started_at": "2024-06-03T10:00:00Z",
              "resolved_at": null, "monitoring_at": null, "components": [{"id": "c1", "name": "API"}],
              "incident_updates": []}],
            "scheduled_maintenances": [{"id": "m1", "name": "DB upgrade", "impact": "maintenance",
              "created_at": "2024-06-04T01:00:00Z", "started_at": "2024-06-04T01:00:00Z",
              "resolved_at": "2024-06-04T03:00:00Z", "components": [{"id": "c1", "name": "API"}],
              "incident_updates": []}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        &path_str(&summary),
        "--month",
        "2024-06",
        "--out",
        &path_str(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = read_csv(&out.join("availability.csv"));
    // The open critical incident: major outage from 10:00 on 3 June to the end of June
    // (27 days 14 hours = 39 720 min); the maintenance counts for nothing.
    let api = row(&a, &[("component", "API"), ("month", "2024-06")]);
    assert_eq!(api["downtime_min"], "39720");
    assert_eq!(api["incidents"], "2");

    let array = dir.path().join("array.json");
    std::fs::write(
        &array,
        r#"[{"id": "a1", "name": "Slow", "impact": "minor", "created_at": "2024-06-03T10:00:00Z",
             "resolved_at": "2024-06-03T10:30:00Z", "components": [], "incident_updates": []}]"#,
    )
    .unwrap();
    let o = run(&["validate", &path_str(&array)]);
    assert_eq!(o.status.code(), Some(3), "no page, no vendor: rejected");
    assert!(stdout(&o).contains("missing vendor"), "{}", stdout(&o));
    let o = run(&["validate", &path_str(&array), "--vendor", "Initech"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn the_real_airbrake_export_reads_cleanly() {
    let path = manifest_dir().join("../shared/data/statuspage-api/airbrake_incidents.json");
    if !path.exists() {
        eprintln!("note: ../shared/data not present; Airbrake check skipped");
        return;
    }
    let dir = temp();
    let o = run(&["report", &path_str(&path), "--out", &path_str(dir.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 50 read, 50 accepted, 0 rejected; 50 incidents, 0 warnings"),
        "{}",
        stdout(&o)
    );
    // jf38xbfz39sw: Web App partial from 03:53:53.000 to 04:13:23.324 (-07:00) on 25 April
    // 2022, the only Web App window that month: 19.5054 min, weighted 0.3.
    let a = read_csv(&dir.path().join("availability.csv"));
    let web = row(&a, &[("component", "Web App"), ("month", "2022-04")]);
    assert_eq!(
        (web["outage_min"].as_str(), web["downtime_min"].as_str()),
        ("19.505", "5.852")
    );
    let inc = read_csv(&dir.path().join("incidents.csv"));
    let r = row(&inc, &[("id", "jf38xbfz39sw")]);
    assert_eq!(r["started_at"], "2022-04-25T10:53:53Z");
    assert_eq!(r["resolved_at"], "2022-04-25T11:13:23.324Z");
    assert_eq!(r["window_source"], "updates");
}

#[test]
fn a_status_feed_reads_like_pages_at_its_impact_level() {
    let dir = temp();
    let o = run(&[
        "report",
        "tests/data/feed/tailspin.jsonl",
        "--vendor",
        "Tailspin",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 3 read, 3 accepted, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let inc = read_csv(&dir.path().join("incidents.csv"));
    // The Resolved message states 09:55-10:35 UTC: the incident starts there, 15 minutes before
    // its first post.
    let r = row(&inc, &[("id", "1001")]);
    assert_eq!(
        (r["window_source"].as_str(), r["started_at"].as_str()),
        ("stated", "2024-06-03T09:55:00Z")
    );
    assert_eq!((r["ttd_min"].as_str(), r["ttm_min"].as_str()), ("15", "45"));
    assert_eq!(r["severity"], "major");
    assert_eq!(row(&inc, &[("id", "1002")])["window_source"], "updates");
    assert_eq!(row(&inc, &[("id", "1003")])["impact"], "none");
    let a = read_csv(&dir.path().join("availability.csv"));
    // Impact `major` is a partial outage: 40 min x 0.3 = 12 on each of its components.
    let checkout = row(&a, &[("component", "Checkout"), ("month", "all")]);
    assert_eq!(
        (
            checkout["downtime_min"].as_str(),
            checkout["outage_min"].as_str()
        ),
        ("12", "40")
    );
    // `minor` is degraded performance: outage, no downtime.
    let search = row(&a, &[("component", "Search"), ("month", "all")]);
    assert_eq!(
        (
            search["downtime_min"].as_str(),
            search["outage_min"].as_str()
        ),
        ("0", "60")
    );
}

#[test]
fn the_819_github_incidents_give_a_monthly_component_report() {
    let path = manifest_dir().join("../shared/data/github-statuses/incidents.jsonl");
    if !path.exists() {
        eprintln!("note: ../shared/data not present; GitHub feed check skipped");
        return;
    }
    let dir = temp();
    let o = run(&[
        "report",
        &path_str(&path),
        "--vendor",
        "GitHub",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 819 read, 819 accepted, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let inc = read_csv(&dir.path().join("incidents.csv"));
    // "On February 15, 2025, between 6:35 pm UTC and 4:15 am UTC": the date written is the
    // end's, so the window starts on the 14th, before the first post at 20:06.
    let r = row(&inc, &[("id", "23991123")]);
    assert_eq!(
        (r["window_source"].as_str(), r["started_at"].as_str()),
        ("stated", "2025-02-14T18:35:00Z")
    );
    // A postmortem dated a year before its posts ("On Jan 21st, 2025" for January 2026) is not
    // used: the updates' window stands.
    let r = row(&inc, &[("id", "28127260")]);
    assert_eq!(
        (r["window_source"].as_str(), r["started_at"].as_str()),
        ("updates", "2026-01-21T11:33:00Z")
    );
    let a = read_csv(&dir.path().join("availability.csv"));
    // 54 months (March 2022 to August 2026) plus `all`, for the vendor and each component.
    assert!(
        a.iter()
            .any(|r| r["component"] == "Actions" && r["month"] == "2024-06")
    );
    assert_eq!(a.len() % 55, 0);
}

#[test]
fn a_single_incident_answer_and_a_bare_incident_read_like_incidents_json() {
    // Uploads: partial 07:12-08:40 UTC (88 min x 0.3 = 26.4); the incident from 07:00 UTC.
    for (file, vendor) in [
        (
            "tests/data/single-incident/fabrikam_x7k2m9p4q1z8.json",
            "Fabrikam Status",
        ),
        ("tests/data/single-incident/bare_incident.json", "Fabrikam"),
    ] {
        let dir = temp();
        let o = run(&[
            "report",
            file,
            "--vendor",
            "Fabrikam",
            "--formats",
            "csv",
            "--out",
            &path_str(dir.path()),
        ]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let inc = read_csv(&dir.path().join("incidents.csv"));
        assert_eq!(inc.len(), 1);
        assert_eq!(inc[0]["vendor"], vendor, "the page's name, else --vendor");
        assert_eq!(inc[0]["started_at"], "2024-03-05T07:00:00Z");
        assert_eq!(inc[0]["ttr_min"], "100");
        let a = read_csv(&dir.path().join("availability.csv"));
        let up = row(&a, &[("component", "Uploads"), ("month", "all")]);
        assert_eq!(up["downtime_min"], "26.4", "{file}");
    }
}

#[test]
fn json_mttx_cannot_read_says_what_it_found_and_what_it_expected() {
    let dir = temp();
    let cases = [
        (
            "object.json",
            "{\n  \"status\": \"ok\",\n  \"count\": 3\n}\n",
            "found an object with the keys `status`, `count` and no incident column; expected an array of incident records",
        ),
        ("number.json", "42\n", "found a number; expected"),
        (
            "truncated.json",
            "{\n  \"page\": {\"name\": \"X\"},\n  \"incident\": {\"id\": \"a\",\n",
            "truncated.json:4: malformed JSON document: EOF while parsing",
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let o = run(&["validate", &path_str(&path)]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(stderr(&o).contains(want), "{name}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("expected value at line 1 column 1"),
            "{}",
            stderr(&o)
        );
    }
    // One canonical record as a pretty-printed object reads as one row.
    let one = dir.path().join("one.json");
    std::fs::write(
        &one,
        "{\n  \"id\": \"INC-1\",\n  \"vendor\": \"Acme\",\n  \"started_at\": \"2024-06-03T10:00:00Z\"\n}\n",
    )
    .unwrap();
    let o = run(&["validate", &path_str(&one)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 rows read: 1 accepted"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_real_single_incident_answers_read_cleanly() {
    let path = manifest_dir().join("../shared/data/statuspage-api/single");
    if !path.is_dir() {
        eprintln!("note: ../shared/data not present; single-incident check skipped");
        return;
    }
    let dir = temp();
    let o = run(&[
        "report",
        &path_str(&path),
        "--formats",
        "csv",
        "--out",
        &path_str(dir.path()),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let inc = read_csv(&dir.path().join("incidents.csv"));
    assert_eq!(inc.len(), 5);
    assert!(inc.iter().all(|r| r["vendor"] == "GitHub"));
    // The 2023 incident: started 17:04:42.456, resolved 18:14:45.860: 70 min 3.404 s.
    assert_eq!(row(&inc, &[("id", "00km0kwpz23b")])["ttr_min"], "70.057");
}
