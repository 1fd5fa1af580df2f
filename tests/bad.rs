//! Bad and hostile input through the binary: one test per file of `tests/data/bad/`, each with
//! its message (file:line and the reason), its documented exit code and `accepted + rejected =
//! read`; formula-like cells neutralised in written CSVs; and a report killed at any moment
//! leaving a whole report behind.

use std::path::Path;
use std::process::Output;

use crate::common::*;

fn bad(name: &str) -> String {
    path_str(&fixture(&format!("bad/{name}")))
}

fn validate(name: &str) -> Output {
    run(&["validate", &bad(name)])
}

/// The counts line of `validate`: `(read, accepted, rejected)`, and that they add up.
fn counts(o: &Output) -> (u64, u64, u64) {
    let text = stdout(o);
    let line = text
        .lines()
        .find(|l| l.contains(" rows read: "))
        .unwrap_or_else(|| panic!("no counts line in: {text}{}", stderr(o)));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(n[1] + n[2], n[0], "accepted + rejected = read: {line}");
    (n[0], n[1], n[2])
}

fn no_panic(o: &Output) {
    let e = stderr(o);
    assert!(
        !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
        "{e}"
    );
}

#[test]
fn empty_and_header_only_files() {
    let o = validate("empty.csv");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("empty.csv: the file is empty (expected a header line)"));
    let o = validate("header-only.csv");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(counts(&o), (0, 0, 0));
    // Nothing to report on, and report says so.
    let o = run(&[
        "report",
        &bad("header-only.csv"),
        "-q",
        "--out",
        "/nonexistent-never-written",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no incident was accepted"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_required_column_is_named() {
    let o = validate("missing-columns.csv");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("missing-columns.csv:1: missing required column 'started_at'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn impossible_timestamps_are_rejected_and_typo_years_warned() {
    let o = validate("bad-timestamps.csv");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(counts(&o), (7, 2, 5));
    let text = stdout(&o);
    for line in [
        "bad-timestamps.csv:2: rejected: started_at '2024-13-01T00:00:00Z': month 13 does not exist",
        "bad-timestamps.csv:3: rejected: started_at '2024-06-03T25:00:00Z': hour 25 does not exist",
        "bad-timestamps.csv:4: rejected: started_at '0000-06-03T10:00:00Z': year 0 does not exist",
        "bad-timestamps.csv:6: rejected: started_at 'yesterday afternoon': not a timestamp",
        "bad-timestamps.csv:7: rejected: started_at '2024-02-30T10:00:00Z': day 30 does not exist in February 2024",
        "bad-timestamps.csv:5: warning: started_at in year 9999: a typo? left out of the automatic report window",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // The year-9999 row does not stretch the report over eight thousand years.
    let dir = temp();
    let o = run(&[
        "report",
        &bad("bad-timestamps.csv"),
        "--out",
        &path_str(dir.path()),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let months: Vec<String> = read_csv(&dir.path().join("availability.csv"))
        .into_iter()
        .map(|r| r["month"].clone())
        .collect();
    assert!(
        months.iter().all(|m| m == "2024-06" || m == "all"),
        "{months:?}"
    );
}

#[test]
fn unknown_levels_and_empty_ids_are_rejected_with_their_lines() {
    let o = validate("unknown-impact.csv");
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(counts(&o), (2, 1, 1));
    assert!(
        stdout(&o).contains(
            "unknown-impact.csv:2: rejected: impact: unknown impact level 'total_meltdown'"
        )
    );
    let o = validate("empty-ids.csv");
    assert_eq!(counts(&o), (3, 1, 2));
    assert!(stdout(&o).contains("empty-ids.csv:2: rejected: missing id"));
    assert!(stdout(&o).contains("empty-ids.csv:3: rejected: missing id"));
}

#[test]
fn a_row_with_too_many_fields_is_rejected_whole_and_an_unclosed_quote_named() {
    // An unquoted comma splits a title: that row cannot be read, the others can (a short row
    // only lacks its last fields).
    let o = validate("ragged.csv");
    no_panic(&o);
    assert_eq!(counts(&o), (3, 2, 1));
    assert!(
        stdout(&o).contains(
            "ragged.csv:2: rejected: 6 fields where the header has 5 (an unquoted comma?)"
        ),
        "{}",
        stdout(&o)
    );
    let o = validate("unclosed-quote.csv");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unclosed-quote.csv:2: a quoted field is never closed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bom_crlf_and_quoted_newlines_keep_their_lines() {
    let o = validate("bom-crlf.csv");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(counts(&o), (2, 2, 0));
    let o = validate("multiline-quoted.csv");
    assert_eq!(counts(&o), (2, 1, 1));
    // The second record starts on line 5, after a title over three lines.
    assert!(stdout(&o).contains("multiline-quoted.csv:5: rejected: resolved_at 'not a time'"));
}

#[test]
fn invalid_utf8_is_replaced_and_said_and_binary_noise_refused() {
    let o = validate("invalid-utf8.csv");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(counts(&o), (2, 2, 0));
    assert!(
        stdout(&o).contains("invalid-utf8.csv:2: warning: invalid UTF-8 bytes replaced by U+FFFD")
    );
    let o = validate("noise.csv");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("noise.csv:1: binary data (a NUL byte), not a CSV text file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn huge_fields_and_a_thousand_components() {
    let o = validate("long-field.csv");
    no_panic(&o);
    assert_eq!(counts(&o), (2, 1, 1));
    // The 100 000-character value is named, not printed whole.
    let text = stdout(&o);
    assert!(
        text.contains("long-field.csv:3: rejected: resolved_at '9999"),
        "{text}"
    );
    assert!(text.contains("(100000 characters)"), "{text}");
    assert!(text.len() < 2_000, "{} bytes of output", text.len());
    let dir = temp();
    let o = run(&[
        "report",
        &bad("many-components.csv"),
        "--out",
        &path_str(dir.path()),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&dir.path().join("availability.csv"));
    let comps = rows
        .iter()
        .filter(|r| r["scope"] == "component" && r["month"] == "all")
        .count();
    assert_eq!(comps, 1000);
}

#[test]
fn inputs_over_the_size_limit_stop_before_reading() {
    // long-field.csv is about 200 KB; a 0.05 MB limit stops the run with a message.
    let o = run(&["validate", &bad("long-field.csv"), "--max-input-mb", "0.05"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("the inputs are 0.2 MB in 1 files, more than the limit of 0.05 MB (--max-input-mb): mttx holds its input in memory (about 3 bytes of memory per byte of CSV, 5 of JSON, 30 of Parquet"),
        "{e}"
    );
}

#[test]
fn duplicates_keep_the_later_row_and_say_so() {
    let o = validate("duplicate-ids.csv");
    assert_eq!(counts(&o), (4, 4, 0));
    assert!(stdout(&o).contains("duplicate-ids.csv:4: warning: duplicate id: ",));
    assert!(stdout(&o).contains("1 superseded by a later duplicate"));
}

#[test]
fn malformed_json_and_ndjson() {
    let o = validate("malformed.json");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("malformed.json:4: malformed JSON"),
        "{}",
        stderr(&o)
    );
    let o = validate("malformed.ndjson");
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(counts(&o), (4, 2, 2));
    assert!(stdout(&o).contains("malformed.ndjson:2: rejected: malformed JSON"));
    assert!(stdout(&o).contains("malformed.ndjson:3: rejected: not a JSON object"));
}

#[test]
fn a_page_without_any_posted_line() {
    let o = validate("page-without-posted.txt");
    no_panic(&o);
    assert_eq!(counts(&o), (1, 0, 1));
    assert!(stdout(&o).contains("page-without-posted.txt:1: rejected: no time could be read"));
}

#[test]
fn missing_paths_and_unwritable_output() {
    let o = run(&["validate", "no/such/file.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/file.csv: no such file or directory"));
    // The output folder's place is taken by a file: exit 4, and the file is untouched.
    let dir = temp();
    let blocked = dir.path().join("out");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let o = run(&["report", FIXTURE, "--out", &path_str(&blocked), "-q"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a file is in the way of the output folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&blocked).unwrap(), b"not a folder");
    // Below a file: cannot be created at all.
    let o = run(&[
        "report",
        FIXTURE,
        "--out",
        &path_str(&blocked.join("sub")),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
}

#[test]
fn formula_like_cells_are_neutralised_and_read_back() {
    let dir = temp();
    let input = dir.path().join("hostile.csv");
    std::fs::write(
        &input,
        "id,vendor,title,components,started_at,resolved_at\n\
         -1+1,@Acme,\"=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",+API,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&["report", &path_str(&input), "--out", &path_str(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("incidents.csv")).unwrap();
    assert!(text.contains("'@Acme,'-1+1,\"'=HYPERLINK("), "{text}");
    assert!(text.contains(",'+API,"), "{text}");
    // Numbers are not text: a negative budget left stays a number.
    let avail = std::fs::read_to_string(out.join("availability.csv")).unwrap();
    assert!(avail.contains(",-16.8,"), "{avail}");
    // --raw-csv writes them as they are.
    let o = run(&[
        "report",
        &path_str(&input),
        "--out",
        &path_str(&out),
        "-q",
        "--raw-csv",
    ]);
    assert!(o.status.success());
    let raw = std::fs::read_to_string(out.join("incidents.csv")).unwrap();
    assert!(raw.contains("@Acme,-1+1,\"=HYPERLINK("), "{raw}");
    // A neutralised file reads back as the values it came from.
    let imported = dir.path().join("imported");
    let o = run(&["import", &path_str(&input), "--out", &path_str(&imported)]);
    assert!(o.status.success());
    let again = dir.path().join("again");
    let o = run(&[
        "report",
        &path_str(&imported),
        "--out",
        &path_str(&again),
        "-q",
        "--raw-csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(again.join("incidents.csv")).unwrap(),
        raw
    );
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(root.join(rel)).unwrap().flatten() {
            let r = rel.join(e.file_name());
            if e.path().is_dir() {
                walk(root, &r, out);
            } else {
                out.push((path_str(&r), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out);
    out.sort();
    out
}

#[test]
fn a_report_killed_at_any_moment_leaves_a_whole_report() {
    // Two different reports into one folder, the second killed after a growing delay: the
    // folder must always hold exactly one of the two whole reports (byte for byte), and a
    // user's own file in it must survive.
    let dir = temp();
    let (ref_a, ref_b) = (dir.path().join("a"), dir.path().join("b"));
    for (input, out) in [("data/incidents.csv", &ref_a), (FIXTURE, &ref_b)] {
        assert!(
            run(&["report", input, "--out", &path_str(out), "-q"])
                .status
                .success()
        );
    }
    let (a, b) = (listing(&ref_a), listing(&ref_b));
    let out = dir.path().join("out");
    assert!(
        run(&[
            "report",
            "data/incidents.csv",
            "--out",
            &path_str(&out),
            "-q"
        ])
        .status
        .success()
    );
    std::fs::write(out.join("my-notes.md"), b"keep me").unwrap();
    let mine = ("my-notes.md".to_string(), b"keep me".to_vec());
    let with_mine = |mut l: Vec<(String, Vec<u8>)>| {
        l.push(mine.clone());
        l.sort();
        l
    };
    let (a, b) = (with_mine(a), with_mine(b));
    let mut seen_b = false;
    for step in 0..24u64 {
        let input = if step % 2 == 0 {
            FIXTURE
        } else {
            "data/incidents.csv"
        };
        let mut child = mttx()
            .args(["report", input, "--out", &path_str(&out), "-q"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(step * 25));
        let _ = child.kill();
        let _ = child.wait();
        if !out.exists() {
            // Killed between the two renames: the next run puts the previous report back.
            let o = run(&["report", input, "--out", &path_str(&out), "-q"]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let now = listing(&out);
        assert!(
            now == a || now == b,
            "step {step}: a mix of reports in {}",
            out.display()
        );
        seen_b |= now == b;
    }
    assert!(
        seen_b,
        "no run finished: the kills came too early to test anything"
    );
    // No temporary folder is left once a run completes.
    assert!(
        run(&["report", FIXTURE, "--out", &path_str(&out), "-q"])
            .status
            .success()
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".mttx-")), "{names:?}");
}

#[test]
fn fuzz_finds_stay_fixed() {
    // Every input a fuzz target once crashed on (fuzz/README.md): no panic, a documented exit
    // code, and where rows were read, accepted + rejected = read.
    let dir = fixture("fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let o = run(&["validate", &path_str(&path)]);
        no_panic(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1 | 3)),
            "{}: exit {:?}\n{}",
            path.display(),
            o.status.code(),
            stderr(&o)
        );
        if stdout(&o).contains(" rows read: ") {
            counts(&o);
        }
        seen += 1;
    }
    assert!(seen > 0, "no file in {}", dir.display());
}

#[test]
fn an_unknown_input_kind_names_every_extension_mttx_reads() {
    let dir = crate::common::temp();
    let odd = dir.path().join("export.xlsx");
    std::fs::write(&odd, "x").unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for input in [&odd, &empty] {
        let o = crate::common::mttx()
            .arg("validate")
            .arg(input)
            .output()
            .unwrap();
        assert!(!o.status.success());
        let err = crate::common::stderr(&o);
        for ext in [".csv", ".pq", ".htm", ".atom", ".xml", ".rss"] {
            assert!(err.contains(ext), "{ext} missing from: {err}");
        }
    }
}

#[test]
fn a_link_loop_in_an_input_folder_is_read_once() {
    let dir = crate::common::temp();
    let fixture = crate::common::manifest_dir().join(crate::common::FIXTURE);
    std::fs::copy(&fixture, dir.path().join("incidents.csv")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/back")).unwrap();
    let once = crate::common::mttx()
        .arg("validate")
        .arg(&fixture)
        .output()
        .unwrap();
    let looped = crate::common::mttx()
        .arg("validate")
        .arg(dir.path())
        .output()
        .unwrap();
    let summary = |o: &std::process::Output| {
        crate::common::stdout(o)
            .lines()
            .find(|l| l.contains("rows read"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        !summary(&once).is_empty(),
        "{}",
        crate::common::stdout(&once)
    );
    assert_eq!(summary(&looped), summary(&once), "each file once");
}
