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
