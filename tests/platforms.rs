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

/// The CSV report of the platforms' fixtures for March 2025: its folder and the run.
fn march_report() -> (tempfile::TempDir, std::process::Output) {
    let dir = temp();
    let out = path_str(dir.path());
    let o = run(&[
        "report",
        DIR,
        "--month",
        "2025-03",
        "--formats",
        "csv",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, o)
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
        "AWS,arn:aws:health:eu-west-9::event/EC2/AWS_EC2_ISSUE/E1,Instance launch errors,,major_outage,Amazon EC2 (Ireland Nine);Amazon Route 53,2025-03-05T10:00:00Z,2025-03-05T10:00:00Z,,,,2025-03-05T12:00:00Z",
    );
    // Still open: no end.
    has(
        &incidents,
        "AWS,arn:aws:health:eu-west-9::event/S3/AWS_S3_ISSUE/E2,Slow uploads,degradation,partial_outage,Amazon S3 (Ireland Nine),2025-03-10T09:46:40Z,2025-03-10T09:47:40Z,,,,",
    );
    // Status changes in epoch milliseconds, given out of order: the first from 2 opens at the
    // start, 3 (disruption, AWS's top level: a major outage) follows at 10:30, 0 closes at 11:30; Route 53 without changes gets the incident
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
            "{e1},Amazon EC2 (Ireland Nine),major_outage,2025-03-05T10:30:00Z,2025-03-05T11:30:00Z"
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
    // AWS's legacy data.json, read as report pages: the stated window ("Between 8:40 AM and
    // 10:05 AM PST") starts the incident and is its window; detected at `date` (8:00 AM PST);
    // resolved at the last update (10:20 AM PST); the id is service and date.
    has(
        &incidents,
        "AWS,widgets-us-west-2_1741190400,Elevated API errors,,partial_outage,Amazon Widget Service (Oregon),2025-03-05T16:40:00Z,2025-03-05T16:00:00Z,,,,2025-03-05T18:20:00Z",
    );
    has(
        &impacts,
        "widgets-us-west-2_1741190400,AWS,Amazon Widget Service (Oregon),partial_outage,2025-03-05T16:40:00Z,2025-03-05T18:05:00Z",
    );
    // "Jan 1, 2:00 AM PST" after a start on 31 December is the next year's.
    has(
        &incidents,
        "AWS,doohickey-us-east-2_1735686000,Stuck jobs,,major_outage,Amazon Doohickey Service (Ohio),2024-12-31T23:00:00Z,2024-12-31T23:00:00Z,,,,2025-01-01T10:00:00Z",
    );
    // A current event has no resolution.
    has(
        &incidents,
        "AWS,gadgets_1741219200,Slow dashboards,,degraded_performance,Amazon Gadget Service,2025-03-06T00:00:00Z,2025-03-06T00:00:00Z,,,,",
    );
    assert_eq!(incidents.len(), 1 + 11);
}

#[test]
fn a_folder_mixing_the_platforms_reports_every_vendor_and_rejects_nothing() {
    let (dir, o) = march_report();
    assert!(
        stdout(&o).contains("rows: 11 read, 11 accepted, 0 rejected"),
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
fn a_status_pages_home_page_adds_no_incident_and_says_so() {
    let dir = temp();
    let home = dir.path().join("home.html");
    std::fs::write(
        &home,
        "<!DOCTYPE html><html><head><title>Fabrikam Status</title></head><body><script>var uptimeData = {};</script></body></html>",
    )
    .unwrap();
    std::fs::copy(
        "tests/data/platforms/slack-history.json",
        dir.path().join("slack.json"),
    )
    .unwrap();
    let o = run(&[
        "report",
        &path_str(dir.path()),
        "--formats",
        "csv",
        "--out",
        &path_str(&dir.path().join("out")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 2 read, 2 accepted, 0 rejected"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains(
            "home.html: a status page's home page (published uptime only): no incidents in it"
        ),
        "{}",
        stdout(&o)
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
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        // No row, and the note says why (a folder of vendor files still reports the rest).
        let o = run(&["validate", &path_str(&path)]);
        assert_eq!(o.status.code(), Some(0), "{name}");
        let text = stdout(&o);
        assert!(
            text.contains(&format!("{name}: not read: ")),
            "{name}: {text}"
        );
        assert!(text.contains(want), "{name}: {text}");
        assert!(text.contains("0 rows read"), "{name}: {text}");
    }
    // An RSS status feed (Azure's, AWS's all.rss) is not a history either.
    let rss = dir.path().join("azure.xml");
    std::fs::write(
        &rss,
        "<?xml version=\"1.0\"?><rss><channel><item><title>Active</title></item></channel></rss>",
    )
    .unwrap();
    let o = run(&["validate", &path_str(&rss)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("azure.xml: not read: an RSS status feed"),
        "{}",
        stdout(&o)
    );
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
        ("github_history_2024-02-29.atom", 25),
        ("aws_health_data.json", 86),
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

#[test]
fn an_atom_history_reads_as_report_pages_and_yields_to_the_same_incident_from_json() {
    let (incidents, _) = imported("tests/data/atom/history.atom");
    // Across New Year: "Dec 31" belongs to 2024 (nearest to the entry's publication on 1
    // January 2025); the resolution takes the seconds of <published>; the id is the link's code.
    has(
        &incidents,
        "Contoso,ab12cd34ef56,Login failures,,major_outage,,2024-12-31T23:50:00Z,2024-12-31T23:50:00Z,,,,2025-01-01T00:40:12Z",
    );
    // PST is UTC-8: 10:05 is 18:05Z, Monitoring at 10:35 mitigates.
    has(
        &incidents,
        "Contoso,zz99yy88xx77,Slow reports,,major_outage,,2025-03-03T18:05:00Z,2025-03-03T18:05:00Z,,,2025-03-03T18:35:00Z,2025-03-03T19:20:44Z",
    );
    // The same incident in incidents.json (read first) has component updates: it wins over the
    // later atom entry, and the warning says why.
    let (incidents, _) = imported("tests/data/atom");
    has(
        &incidents,
        "Contoso,ab12cd34ef56,Login failures,major,partial_outage,Login,2024-12-31T23:50:00Z,2024-12-31T23:50:00Z,,,,2025-01-01T00:40:12Z",
    );
    assert_eq!(incidents.len(), 3);
    let o = run(&["validate", "tests/data/atom"]);
    assert!(
        stdout(&o).contains("superseded by tests/data/atom/a-incidents.json:4 (the record with the richer windows wins)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_home_pages_published_uptime_is_recomputed_and_set_beside_the_measured() {
    let dir = temp();
    let o = run(&[
        "report",
        "tests/data/published",
        "--month",
        "2025-03",
        "--out",
        &path_str(dir.path()),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let uptime = std::fs::read_to_string(dir.path().join("published_uptime.csv")).unwrap();
    // API: one hour of major outage in 5 days: 100 (1 - 3600 / 432000) = 99.1667, truncated
    // 99.16 as the page shows; the incidents read say 90 minutes: 100 (1 - 90 / 7200) = 98.75.
    assert!(
        uptime.contains("\nTailwind,API,90,2025-03-01,2025-03-05,99.16,99.16,98.75\n"),
        "{uptime}"
    );
    // Search, in the Core group, counted from its start date (4 days): two hours of partial
    // outage weigh 0.3: 100 (1 - 2160 / 345600) = 99.375, 99.37; no incident of it was read.
    assert!(
        uptime.contains("\nTailwind,Core / Search,90,2025-03-02,2025-03-05,99.37,99.37,100\n"),
        "{uptime}"
    );
    let daily = std::fs::read_to_string(dir.path().join("published_daily.csv")).unwrap();
    assert!(
        daily.contains("\nTailwind,API,2025-03-03,60,90\n"),
        "{daily}"
    );
    assert!(
        daily.contains("\nTailwind,Core / Search,2025-03-04,36,0\n"),
        "{daily}"
    );
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(page.contains("<h2 id=\"published\">Published vs measured uptime</h2>"));
}

#[test]
fn the_shared_home_pages_recomputed_figures_equal_the_displayed_ones() {
    let p = manifest_dir().join("../shared/data/other-status");
    if !p.exists() {
        eprintln!("note: ../shared/data not present; published uptime check skipped");
        return;
    }
    let dir = temp();
    for f in [
        "auth0__auth0.statuspage.io.html",
        "circleci__6w4r0ttlx5ft.statuspage.io.html",
    ] {
        std::fs::copy(p.join(f), dir.path().join(f)).unwrap();
    }
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        &path_str(dir.path()),
        "--from",
        "2020-10-01",
        "--to",
        "2021-02-01",
        "--formats",
        "csv",
        "--out",
        &path_str(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("published_uptime.csv")).unwrap();
    let mut shown = 0;
    for line in text.lines().skip(1).filter(|l| l.contains(",90,")) {
        let cells: Vec<&str> = line.rsplitn(4, ',').collect();
        // measured, recomputed, published (from the end).
        let (recomputed, published) = (cells[1], cells[2]);
        if !published.is_empty() {
            shown += 1;
            assert_eq!(
                published.parse::<f64>().unwrap(),
                recomputed.parse::<f64>().unwrap(),
                "{line}"
            );
        }
    }
    assert_eq!(shown, 59, "every component the two pages display");
}

#[test]
fn the_whole_shared_folder_of_other_platforms_reports_without_a_rejected_row() {
    let p = manifest_dir().join("../shared/data/other-status");
    if !p.exists() {
        eprintln!("note: ../shared/data not present; other-status folder check skipped");
        return;
    }
    let dir = temp();
    let o = run(&[
        "report",
        &path_str(&p),
        "--formats",
        "csv",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("rows: 126 read, 126 accepted, 0 rejected"),
        "{text}"
    );
    // The files that are not histories say so; the home pages give published uptime.
    assert!(
        text.contains("checkly_mistral_incidents_2026-07-27.json: not read: a Checkly"),
        "{text}"
    );
    assert!(
        text.contains("instatus_perplexity_summary_2026-07-23.json: not read: an Instatus summary"),
        "{text}"
    );
    let avail = std::fs::read_to_string(dir.path().join("availability.csv")).unwrap();
    for v in [
        "AWS",
        "GitHub",
        "Google Cloud",
        "Hugging Face",
        "OpenAI",
        "Slack",
    ] {
        assert!(avail.contains(&format!("\nvendor,{v},,all,")), "{v}");
    }
    assert!(dir.path().join("published_uptime.csv").exists());
}

#[test]
fn better_stacks_availability_is_recomputed_from_its_days_in_the_pages_zone() {
    let (dir, _) = march_report();
    let text = std::fs::read_to_string(dir.path().join("published_uptime.csv")).unwrap();
    // "Eastern Time (US & Canada)" (a Rails name) is EDT on 29 March 2025: the first day starts
    // at 04:00Z; to the page's update (31 March 00:00Z) is 158,400 s. Only the "downtime" day
    // counts (2400 s), not the degraded one: 100 (1 - 2400 / 158400) = 98.4848. No incident of
    // the API fell in those days: measured 100.
    assert!(
        text.contains("\nFabrikam Cloud,API,3,2025-03-29,2025-03-31,98.4848,98.4848,100\n"),
        "{text}"
    );
    let Some(shared) =
        Some(manifest_dir().join("../shared/data/other-status")).filter(|p| p.exists())
    else {
        eprintln!("note: ../shared/data not present; Better Stack check skipped");
        return;
    };
    let out = dir.path().join("bs");
    let o = run(&[
        "report",
        &path_str(&shared.join("betterstack_huggingface_index_2026-07-19.json")),
        "--formats",
        "csv",
        "--out",
        &path_str(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("published_uptime.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 8);
    // Every displayed figure is recomputed, but Jobs': its monitor started during its first day
    // (the page counts from then, the rule from that day's midnight).
    for r in &rows {
        if r[1] != "Jobs" {
            assert_eq!(r[5], r[6], "{r:?}");
        }
    }
}

#[test]
fn a_vendors_own_partial_weight_recomputes_its_published_figure() {
    let dir = temp();
    let config = dir.path().join("mttx.toml");
    std::fs::write(
        &config,
        "[[vendor]]\nname = \"Tailwind\"\nurl = \"https://status.tailwind.test\"\npublished_partial = 1.0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        "tests/data/published",
        "--month",
        "2025-03",
        "--formats",
        "csv",
        "--config",
        &path_str(&config),
        "--out",
        &path_str(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("published_uptime.csv")).unwrap();
    // Two hours of partial outage counted fully over 4 days: 100 (1 - 7200 / 345600) = 97.9167,
    // truncated 97.91; the page (Statuspage's 0.3) shows 99.37.
    assert!(
        text.contains("\nTailwind,Core / Search,90,2025-03-02,2025-03-05,99.37,97.91,100\n"),
        "{text}"
    );
}

#[test]
fn aws_legacy_events_keep_the_seconds_of_their_date() {
    // `date` 16:00:45 UTC; the first update is written "8:00 AM PST" (16:00, to the minute).
    let dir = crate::common::temp();
    let file = dir.path().join("data.json");
    std::fs::write(
        &file,
        r#"{"archive": [{"service_name": "Amazon Gizmo Service (Oregon)",
            "summary": "[RESOLVED] Gizmos slow", "date": "1741190445", "status": "2",
            "details": "", "service": "gizmo-us-west-2",
            "description": "<div><span class=\"yellowfg\">8:00 AM PST</span>&nbsp;We are looking into slow gizmos.</div><div><span class=\"yellowfg\">9:10 AM PST</span>&nbsp;Gizmos are fast again.</div>"}],
          "current": []}"#,
    )
    .unwrap();
    let out = dir.path().join("r");
    let o = crate::common::mttx()
        .arg("report")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--formats", "csv", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    let rows = crate::common::read_csv(&out.join("incidents.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["started_at"], "2025-03-05T16:00:45Z");
    assert_eq!(rows[0]["detected_at"], "2025-03-05T16:00:45Z");
    assert_eq!(rows[0]["resolved_at"], "2025-03-05T17:10:00Z");
}
