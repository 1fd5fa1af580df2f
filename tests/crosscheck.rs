//! mttx against an independent implementation of the contract: `scripts/crosscheck.py`, a
//! deliberately naive plain-Python version (brute-force sweep over elementary intervals) that
//! shares no code with mttx, must agree on every cell of `metrics.csv` and `availability.csv`.
//! Skips with a note when `python3` is not on the machine, except in CI (`CI` set), where that
//! fails.

use std::process::Command;

use crate::common::*;

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import zoneinfo; zoneinfo.ZoneInfo('Europe/Berlin')"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        // On a developer's machine a missing Python only skips; in CI it is a failure, so a
        // green run always means the figures were checked.
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with time zone data is required in CI (the crosscheck would be skipped)"
        );
        eprintln!("note: python3 with time zone data not found; crosscheck skipped");
    }
    ok.then_some("python3")
}

fn agree(input: &str, extra: &[&str]) {
    let Some(py) = python() else { return };
    let dir = temp();
    let out = path_str(dir.path());
    let mut args = vec!["report", input, "--out", &out, "-q"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut check = Command::new(py);
    check
        .current_dir(manifest_dir())
        .args(["scripts/crosscheck.py", input, &out])
        .args(extra);
    let c = check.output().unwrap();
    assert!(
        c.status.success(),
        "crosscheck disagrees with mttx ({input} {extra:?}):\n{}{}",
        stdout(&c),
        stderr(&c)
    );
    assert!(stdout(&c).contains("differences: 0"));
}

#[test]
fn the_sample_agrees_in_utc_and_in_berlin() {
    agree("data/incidents.csv", &[]);
    agree(
        "data/incidents.csv",
        &["--tz", "Europe/Berlin", "--weights", "strict"],
    );
}

#[test]
fn the_fixture_agrees_with_rejects_duplicates_open_and_inverted_rows() {
    agree(FIXTURE, &[]);
    agree(FIXTURE, &["--tz", "America/New_York", "--sla", "99.5"]);
}
