//! The binary as a user runs it: files written, numbers, exit codes, messages.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;

#[test]
fn report_without_input_reports_on_the_bundled_sample() {
    let dir = temp();
    let o = mttx()
        .current_dir(dir.path())
        .arg("report")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("reports/2025-01_2025-12");
    for f in [
        "incidents.csv",
        "metrics.csv",
        "availability.csv",
        "summary.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(!out.join("rejects.csv").exists());
    let text = stdout(&o);
    assert!(
        text.contains("rows: 360 read, 360 accepted, 0 rejected"),
        "{text}"
    );
    assert!(text.contains("MTTR"), "{text}");
    assert!(text.contains("Wrote reports/2025-01_2025-12/"), "{text}");
    // The sample has every vendor and component for every month, and `all`.
    let avail = read_csv(&out.join("availability.csv"));
    assert_eq!(avail.len(), (4 + 16) * 13);
}

#[test]
fn report_on_the_fixture_gives_the_hand_computed_figures() {
    let dir = temp();
    let o = run(&["report", FIXTURE, "--out", &path_str(dir.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("rows: 13 read, 10 accepted, 3 rejected"));

    let a = read_csv(&dir.path().join("availability.csv"));
    // Northwind in June: 120 (midnight outage) + 57 (search/checkout overlap on the 3rd) + 36
    // (partial, open from 22:00 on the 30th) = 213 weighted minutes; outage 420.
    let nw = row(
        &a,
        &[
            ("scope", "vendor"),
            ("vendor", "Northwind"),
            ("month", "2024-06"),
        ],
    );
    assert_eq!(nw["downtime_min"], "213");
    assert_eq!(nw["outage_min"], "420");
    assert_eq!(nw["window_min"], "43200");
    assert_eq!(nw["availability_pct"], "99.506944");
    assert_eq!(nw["budget_min"], "43.2");
    assert_eq!(nw["budget_used_pct"], "493.055556");
    assert_eq!(nw["sla_met"], "false");
    assert_eq!(nw["incidents"], "6");
    assert_eq!(nw["mtbf_min"], "7130");
    let may = row(&a, &[("component", "Checkout"), ("month", "2024-05")]);
    assert_eq!(
        (may["downtime_min"].as_str(), may["window_min"].as_str()),
        ("60", "44640")
    );
    let search = row(&a, &[("component", "Search"), ("month", "2024-06")]);
    assert_eq!(search["downtime_min"], "93");
    let hooks = row(&a, &[("component", "Webhooks"), ("month", "all")]);
    assert_eq!(
        (hooks["downtime_min"].as_str(), hooks["outage_min"].as_str()),
        ("0", "60")
    );
    assert_eq!(hooks["availability_pct"], "100");

    let rejects = read_csv(&dir.path().join("rejects.csv"));
    let lines: Vec<&str> = rejects.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!(lines, ["11", "12", "13"]);
    assert_eq!(rejects[0]["source"], FIXTURE);

    let inc = read_csv(&dir.path().join("incidents.csv"));
    assert_eq!(inc.len(), 9);
    let n1 = row(&inc, &[("id", "N-1")]);
    assert_eq!(
        [
            &n1["ttd_min"],
            &n1["tta_min"],
            &n1["tti_min"],
            &n1["ttm_min"],
            &n1["ttr_min"]
        ],
        ["5", "10", "40", "180", "210"]
    );
    assert_eq!(n1["severity"], "sev1");
    let f2 = row(&inc, &[("id", "F-2")]);
    assert!(
        f2["warnings"]
            .contains("tests/data/incidents.csv:10 superseded by tests/data/incidents.csv:14")
    );

    let m = read_csv(&dir.path().join("metrics.csv"));
    let all = row(
        &m,
        &[("scope", "all"), ("month", "all"), ("metric", "mttr")],
    );
    // TTR of the 7 closed incidents with an end after their start: 210, 130, 45, 120, 90, 60, 60.
    assert_eq!(all["n"], "7");
    assert_eq!(all["median_min"], "90");
    assert_eq!(all["mean_min"], "102.143");
    assert_eq!(all["p90_min"], "162");
    assert_eq!(all["max_min"], "210");

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["counts"]["read"], 13);
    assert_eq!(summary["counts"]["accepted"], 10);
    assert_eq!(summary["counts"]["rejected"], 3);
    assert_eq!(summary["window"]["label"], "2024-05_2024-06");
    assert_eq!(summary["headline"]["mttr"]["median_min"], 90.0);
}

#[test]
fn two_runs_give_byte_identical_files() {
    let (a, b) = (temp(), temp());
    for d in [&a, &b] {
        let o = run(&[
            "report",
            FIXTURE,
            "--tz",
            "Europe/Berlin",
            "--out",
            &path_str(d.path()),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in [
        "incidents.csv",
        "metrics.csv",
        "availability.csv",
        "rejects.csv",
        "summary.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn month_and_formats_choose_the_window_and_the_files() {
    let dir = temp();
    let o = run(&[
        "report",
        FIXTURE,
        "--month",
        "2024-06",
        "--formats",
        "csv",
        "--sla",
        "99.5",
        "--weights",
        "strict",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("summary.json").exists());
    let a = read_csv(&dir.path().join("availability.csv"));
    assert!(
        a.iter()
            .all(|r| r["month"] == "2024-06" || r["month"] == "all")
    );
    // Strict: N-1's June part (120) + the 3rd 10:00-12:00 (120) + the open partial (120) +
    // degraded webhooks (60) = 420 = outage.
    let nw = row(
        &a,
        &[
            ("scope", "vendor"),
            ("vendor", "Northwind"),
            ("month", "all"),
        ],
    );
    assert_eq!(
        (nw["downtime_min"].as_str(), nw["outage_min"].as_str()),
        ("420", "420")
    );
    assert_eq!(nw["sla_target_pct"], "99.5");
}

#[test]
fn a_stale_rejects_file_is_removed_when_nothing_is_rejected() {
    let dir = temp();
    std::fs::write(dir.path().join("rejects.csv"), "old").unwrap();
    let o = run(&[
        "report",
        "data/incidents.csv",
        "--out",
        &path_str(dir.path()),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert!(!dir.path().join("rejects.csv").exists());
}

#[test]
fn validate_lists_rejects_and_warnings_with_their_lines() {
    let o = run(&["validate", FIXTURE]);
    assert_eq!(o.status.code(), Some(3));
    let text = stdout(&o);
    assert!(text.contains(
        "tests/data/incidents.csv:11: rejected: started_at '2024-13-01T00:00:00Z': month 13 does not exist"
    ), "{text}");
    assert!(text.contains("tests/data/incidents.csv:12: rejected: missing id"));
    assert!(text.contains("tests/data/incidents.csv:7: warning: resolved_at before started_at"));
    assert!(text.contains("13 rows read: 10 accepted, 3 rejected"));
    let clean = run(&["validate", "data/incidents.csv"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
}

#[test]
fn metrics_groups_and_formats() {
    let o = run(&[
        "metrics",
        FIXTURE,
        "--by",
        "vendor,month",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("vendor,period,metric,n,mean_min,median_min,p90_min,max_min\n"));
    assert!(
        text.contains("\nNorthwind,2024-05,mttr,1,210,210,210,210\n"),
        "{text}"
    );

    let o = run(&["metrics", FIXTURE, "--by", "severity", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sev1 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["severity"] == "sev1" && r["metric"] == "mttr")
        .unwrap();
    assert_eq!(sev1["n"], 1);
    assert_eq!(sev1["median_min"], 210.0);

    let o = run(&["metrics", FIXTURE]);
    let text = stdout(&o);
    assert!(text.contains("metric  n  median"), "{text}");
}

#[test]
fn errors_say_what_is_wrong_with_documented_exit_codes() {
    let o = run(&["report", "no/such.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "mttx: error: no/such.csv: no such file or directory\n"
    );

    let o = run(&["report", FIXTURE, "--tz", "Mars/Olympus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--tz 'Mars/Olympus': not an IANA time zone name"));

    let o = run(&["report", FIXTURE, "--formats", "csv,pdf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown output 'pdf'"));

    let o = run(&[
        "report",
        FIXTURE,
        "--from",
        "2024-07-01",
        "--to",
        "2024-06-01",
    ]);
    assert_eq!(o.status.code(), Some(2));

    let dir0 = temp();
    let empty = dir0.path().join("header-only.csv");
    std::fs::write(&empty, "id,vendor,started_at\n").unwrap();
    let o = run(&["report", &path_str(&empty), "--out", &path_str(dir0.path())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no incident was accepted"),
        "{}",
        stderr(&o)
    );
    // With a window given, an empty input still makes an (empty) report.
    let o = run(&[
        "report",
        &path_str(&empty),
        "--month",
        "2024-06",
        "--out",
        &path_str(dir0.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no component in the input"));

    let o = run(&["report", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));

    let dir = temp();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let o = run(&["report", FIXTURE, "--out", &path_str(&blocker.join("sub"))]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("mttx: error: cannot write"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = mttx()
        .args(["generate", "--incidents", "200000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id,vendor,"));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stderr.is_empty());
}

#[test]
fn every_command_shows_examples_in_help() {
    for cmd in [
        "report", "metrics", "validate", "chart", "import", "generate",
    ] {
        let o = run(&[cmd, "--help"]);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Examples:"), "{cmd}");
    }
    assert!(stdout(&run(&["--help"])).contains("Exit codes"));
}

#[test]
fn the_shipped_sample_is_what_the_generator_makes() {
    let o = run(&["generate"]);
    assert!(o.status.success());
    let shipped = std::fs::read(manifest_dir().join("data/incidents.csv")).unwrap();
    assert!(
        o.stdout == shipped,
        "data/incidents.csv differs from `mttx generate`"
    );
}

#[test]
fn a_folder_with_an_impacts_table_uses_the_precise_windows() {
    let dir = temp();
    let o = run(&[
        "report",
        "tests/data/with-impacts",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rows: 6 read, 6 accepted, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let a = read_csv(&dir.path().join("availability.csv"));
    // Queue: 40 x 0.3 + 20 x 1.0 + 30 x 0.3 = 41 (not the record's 90 minutes of major outage).
    let queue = row(&a, &[("component", "Queue"), ("month", "all")]);
    assert_eq!(queue["downtime_min"], "41");
    assert_eq!(queue["outage_min"], "90");
    // Workers: open row, runs to T-1's resolution at 10:00: 70 minutes.
    let workers = row(&a, &[("component", "Workers"), ("month", "all")]);
    assert_eq!(workers["downtime_min"], "70");
    assert_eq!(workers["incidents"], "1");
    // The vendor: 08:00-08:40 0.3 (12), 08:40-10:00 1.0 (80): 92; the degraded dashboard adds
    // outage only.
    let v = row(&a, &[("scope", "vendor"), ("month", "all")]);
    assert_eq!(v["downtime_min"], "92");
    assert_eq!(v["outage_min"], "180");
    let inc = read_csv(&dir.path().join("incidents.csv"));
    assert_eq!(row(&inc, &[("id", "T-1")])["window_source"], "impacts");
    assert_eq!(row(&inc, &[("id", "T-2")])["window_source"], "record");
}

#[test]
fn generate_refuses_a_file_it_would_write_in_the_wrong_format() {
    // CSV in a .json file would be misread by every later run: refused, nothing written.
    let dir = temp();
    let json = dir.path().join("g.json");
    let o = run(&["generate", "--incidents", "10", "-o", &path_str(&json)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("g.json: mttx generate writes a .csv or .parquet file"),
        "{}",
        stderr(&o)
    );
    assert!(!json.exists());
}

#[test]
fn generated_csv_and_parquet_give_the_same_report() {
    // A fleet of 20 vendors; the Parquet file holds the same rows with typed timestamps.
    let dir = temp();
    let (csv, parquet) = (dir.path().join("g.csv"), dir.path().join("g.parquet"));
    for out in [&csv, &parquet] {
        let o = run(&[
            "generate",
            "--incidents",
            "3000",
            "--vendors",
            "20",
            "--seed",
            "3",
            "-o",
            &path_str(out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let bytes = std::fs::read(&parquet).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let report = |input: &std::path::Path, name: &str| {
        let out = dir.path().join(name);
        let o = run(&[
            "report",
            &path_str(input),
            "--out",
            &path_str(&out),
            "--formats",
            "csv",
            "-q",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let (a, b) = (report(&csv, "a"), report(&parquet, "b"));
    for f in ["metrics.csv", "availability.csv", "incidents.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let vendors = read_csv(&a.join("availability.csv"))
        .into_iter()
        .filter(|r| r["scope"] == "vendor" && r["month"] == "all")
        .count();
    assert_eq!(vendors, 20);
}

#[test]
fn metrics_by_any_column_period_and_filter() {
    let o = run(&[
        "metrics",
        "tests/data/teams.csv",
        "--by",
        "Team Name",
        "--period",
        "week",
        "--where",
        "kind!=gameday",
        "--from",
        "2024-12-23",
        "--to",
        "2025-01-13",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mttr: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(",mttr,") || l.starts_with("team_name"))
        .collect::<Vec<_>>();
    // 2024-12-30 is in 2025-W01 (ISO), the day before in 2024-W52; the drill is left out.
    assert_eq!(
        mttr,
        [
            "team_name,period,metric,n,mean_min,median_min,p90_min,max_min",
            "Payments,2025-W01,mttr,1,90,90,90,90",
            "Search,2024-W52,mttr,1,40,40,40,40",
            "(none),2025-W02,mttr,1,120,120,120,120",
        ]
    );
    let o = run(&["metrics", "tests/data/teams.csv", "--by", "service"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no key 'service' in the inputs (keys: vendor, component, severity, impact, team_name, kind)"),
        "{}",
        stderr(&o)
    );
    let o = run(&["metrics", "tests/data/teams.csv", "--where", "team"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // import keeps the dimensions as columns after the canonical ones: nothing is lost.
    let dir = temp();
    let out = dir.path().join("imported");
    let o = run(&[
        "import",
        "tests/data/teams.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("incidents.csv")).unwrap();
    assert!(text.starts_with("vendor,id,title,severity,impact,components,started_at,detected_at,acknowledged_at,identified_at,mitigated_at,resolved_at,team_name,kind\n"), "{text}");
    let again = run(&[
        "metrics",
        out.to_str().unwrap(),
        "--by",
        "team_name",
        "--format",
        "csv",
    ]);
    let first = run(&[
        "metrics",
        "tests/data/teams.csv",
        "--by",
        "team_name",
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&again), stdout(&first));
}

#[test]
fn a_period_report_is_named_and_filed_after_its_window_not_its_periods() {
    let fixture = crate::common::manifest_dir().join(FIXTURE);
    for period in ["week", "quarter", "year"] {
        let dir = crate::common::temp();
        let o = crate::common::mttx()
            .current_dir(dir.path())
            .arg("report")
            .arg(&fixture)
            .args([
                "--month",
                "2024-06",
                "--period",
                period,
                "--formats",
                "csv,html",
                "--quiet",
            ])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{period}: {}",
            crate::common::stderr(&o)
        );
        let folder = dir.path().join("reports/2024-06");
        assert!(
            folder.join("metrics.csv").is_file(),
            "{period}: reports/2024-06/"
        );
        let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
        assert!(
            html.contains("2024-06"),
            "{period}: the title names the month"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("reports"))
                .unwrap()
                .count(),
            1,
            "{period}: one folder"
        );
    }
}
