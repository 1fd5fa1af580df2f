//! Snapshots of every rendered file for the hand-made fixture: a change in any byte shows up
//! as a reviewable diff.

use crate::common::*;

#[test]
fn report_files_for_the_fixture() {
    let dir = temp();
    let o = run(&["report", FIXTURE, "--out", &path_str(dir.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "incidents.csv",
        "metrics.csv",
        "availability.csv",
        "rejects.csv",
        "summary.json",
    ] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        insta::assert_snapshot!(f, text);
    }
    let summary = stdout(&o).replace(&path_str(dir.path()), "<out>");
    insta::assert_snapshot!("terminal_summary", summary);
}

#[test]
fn berlin_report_for_the_fixture() {
    let dir = temp();
    let o = run(&[
        "report",
        FIXTURE,
        "--tz",
        "Europe/Berlin",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("availability.csv")).unwrap();
    insta::assert_snapshot!("availability_berlin.csv", text);
}

#[test]
fn breakdown_by_team_for_the_teams_fixture() {
    let dir = temp();
    let o = run(&[
        "report",
        "tests/data/teams.csv",
        "--by",
        "Team Name",
        "--period",
        "week",
        "--from",
        "2024-12-23",
        "--to",
        "2025-01-13",
        "--out",
        &path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("breakdown.csv")).unwrap();
    insta::assert_snapshot!("breakdown.csv", text);
    let summary = stdout(&o);
    let section: String = summary
        .split("\n\n")
        .filter(|s| s.starts_with("Breakdown by"))
        .collect();
    insta::assert_snapshot!("terminal_breakdown", section);
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let at = page.find("<h2 id=\"breakdown\">").unwrap();
    let end = at + page[at..].find("</p>").unwrap() + 4;
    insta::assert_snapshot!("html_breakdown", &page[at..end]);
    assert!(dir.path().join("charts/breakdown.svg").exists());
}
