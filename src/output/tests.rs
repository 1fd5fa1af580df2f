//! The output module's tests: names, contents, and the swap stopped at every step.

use super::swap::{self, STEPS, Step, recover, sibling};
use super::*;
use std::path::PathBuf;

/// Files (and links) under `root`, as sorted `/`-separated relative paths; no link is
/// followed.
fn files_under(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(root)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn slugs_are_plain_file_names() {
    assert_eq!(slug("Acme Cloud"), "acme-cloud");
    assert_eq!(slug("../../etc/passwd"), "etc-passwd");
    assert_eq!(slug("..."), "unnamed");
    assert_eq!(slug("Zürich / Core API"), "z-rich-core-api");
    assert_eq!(slug(&"x".repeat(100)).len(), 60);
    assert_eq!(slug("C:\\Windows"), "c-windows");
}

#[test]
fn names_that_leave_the_folder_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for bad in ["../evil.txt", "/tmp/evil.txt", "charts/../../evil.txt", ""] {
        let files = vec![
            ("ok.txt".to_string(), b"1".to_vec().into()),
            (bad.to_string(), b"2".to_vec().into()),
        ];
        assert!(write_atomically(&out, &files, &[]).is_err(), "{bad}");
    }
    assert!(!out.exists());
    assert!(!dir.path().join("evil.txt").exists());
}

#[test]
fn a_report_replaces_the_last_one_and_keeps_the_users_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Each file in parts, one byte each.
    let files = |names: &[&str], v: &'static [u8]| -> Vec<(String, Content)> {
        names
            .iter()
            .map(|n| {
                let parts = Parts {
                    count: v.len(),
                    part: Box::new(move |i, out: &mut Vec<u8>| out.push(v[i])),
                };
                (n.to_string(), parts.into())
            })
            .collect()
    };
    let owned = ["a.csv", "rejects.csv", "charts/*.svg"];
    write_atomically(
        &out,
        &files(&["a.csv", "rejects.csv", "charts/x.svg"], b"1"),
        &owned,
    )
    .unwrap();
    std::fs::write(out.join("notes.md"), b"mine").unwrap();
    std::fs::write(out.join("charts/keep.txt"), b"mine").unwrap();
    write_atomically(&out, &files(&["a.csv", "charts/y.svg"], b"23"), &owned).unwrap();
    let got = files_under(&out);
    assert_eq!(
        got,
        ["a.csv", "charts/keep.txt", "charts/y.svg", "notes.md"]
    );
    assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"23");
    // Nothing is left beside it.
    let siblings = files_under(dir.path());
    assert!(
        siblings.iter().all(|s| s.starts_with("out/")),
        "{siblings:?}"
    );
    // A run killed between the two renames left the old report aside: it comes back.
    std::fs::rename(&out, sibling(&out, "old", 1)).unwrap();
    std::fs::create_dir_all(sibling(&out, "new", 1)).unwrap();
    recover(&out).unwrap();
    assert_eq!(std::fs::read(out.join("notes.md")).unwrap(), b"mine");
    assert!(!sibling(&out, "new", 1).exists());
    // A file in the way is refused.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, b"").unwrap();
    assert!(write_atomically(&blocked, &files(&["a.csv"], b"1"), &owned).is_err());
}

#[test]
fn a_staging_written_from_another_thread_lands_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_atomically(
        &out,
        &[("a.csv".into(), b"old".to_vec().into())],
        &["a.csv"],
    )
    .unwrap();
    // Abandoned (an error after the first file): the old report stays, nothing is left.
    let staging = Staging::begin(&out).unwrap();
    staging.write("a.csv", &b"new".to_vec().into()).unwrap();
    drop(staging);
    assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"old");
    assert_eq!(files_under(dir.path()), ["out/a.csv"]);
    // A file written on another thread while this one writes the rest; then committed.
    let staging = Staging::begin(&out).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| staging.write("big.csv", &b"early".to_vec().into()).unwrap());
        staging
            .write("charts/c.svg", &b"<svg/>".to_vec().into())
            .unwrap();
    });
    assert!(staging.write("../evil", &b"x".to_vec().into()).is_err());
    // Many files on every core; a bad name among them is the error, the others land.
    let (ok, bad): (Content, Content) = (b"1".to_vec().into(), b"2".to_vec().into());
    let names: Vec<String> = (0..40).map(|i| format!("charts/p{i}.png")).collect();
    let mut many: Vec<(&str, &Content)> = names.iter().map(|n| (n.as_str(), &ok)).collect();
    many.insert(7, ("../../worse", &bad));
    let err = staging.write_all(many.into_iter()).unwrap_err();
    assert!(err.to_string().contains("worse"), "{err}");
    staging
        .commit(&["a.csv", "big.csv", "charts/*.svg", "charts/*.png"])
        .unwrap();
    let got = files_under(&out);
    assert_eq!(got.len(), 42);
    assert_eq!(&got[..2], ["big.csv", "charts/c.svg"]);
    assert!(got[2..].iter().all(|n| n.ends_with(".png")));
    assert!(!dir.path().join("evil").exists());
}

/// What a report folder may hold at any instant: the previous report or the new one, whole,
/// and every file of the user's (with the link to a folder outside still a link, its target
/// untouched). Returns which report it is.
fn whole_with_users(out: &Path, outside: &Path) -> &'static str {
    let files = files_under(out);
    let users = [
        "charts/keep.txt",
        "linked-folder",
        "notes.md",
        "sub/deep/n.txt",
    ];
    let old: Vec<String> = ["a.csv", "charts/x.svg", "gone.csv"]
        .into_iter()
        .chain(users)
        .map(String::from)
        .collect();
    let new: Vec<String> = ["a.csv", "charts/y.svg"]
        .into_iter()
        .chain(users)
        .map(String::from)
        .collect();
    let mut old_sorted = old.clone();
    old_sorted.sort();
    let mut new_sorted = new.clone();
    new_sorted.sort();
    let which = if files == old_sorted {
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"old");
        "old"
    } else if files == new_sorted {
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"new");
        "new"
    } else {
        panic!("neither report whole with the user's files: {files:?}");
    };
    assert_eq!(std::fs::read(out.join("notes.md")).unwrap(), b"mine");
    assert_eq!(std::fs::read(out.join("sub/deep/n.txt")).unwrap(), b"deep");
    let link = std::fs::symlink_metadata(out.join("linked-folder")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read(outside.join("precious.txt")).unwrap(),
        b"not mttx's"
    );
    which
}

const OWNED: [&str; 4] = ["a.csv", "gone.csv", "charts/*.svg", "charts/*.png"];

/// A report folder with a previous report and the user's files, one a link to a folder
/// outside (which must never be walked into or moved).
fn previous_report(root: &Path) -> (PathBuf, PathBuf) {
    let (out, outside) = (root.join("out"), root.join("elsewhere"));
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("precious.txt"), b"not mttx's").unwrap();
    let old: Vec<(String, Content)> = ["a.csv", "charts/x.svg", "gone.csv"]
        .iter()
        .map(|n| (n.to_string(), b"old".to_vec().into()))
        .collect();
    write_atomically(&out, &old, &OWNED).unwrap();
    std::fs::write(out.join("notes.md"), b"mine").unwrap();
    std::fs::write(out.join("charts/keep.txt"), b"mine").unwrap();
    std::fs::create_dir_all(out.join("sub/deep")).unwrap();
    std::fs::write(out.join("sub/deep/n.txt"), b"deep").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("linked-folder")).unwrap();
    (out, outside)
}

/// A staging of the new report, written, its commit stopped by `hook`.
fn new_report(out: &Path, hook: Box<swap::Hook>, two_renames: bool) -> Result<()> {
    let staging = Staging::begin(out)?.with_hook(hook, two_renames);
    staging.write("a.csv", &b"new".to_vec().into())?;
    staging.write("charts/y.svg", &b"new".to_vec().into())?;
    staging.commit(&OWNED)
}

#[test]
fn a_commit_killed_at_every_step_leaves_a_whole_report_and_every_user_file() {
    for two_renames in [false, true] {
        for step in STEPS {
            let root = tempfile::tempdir().unwrap();
            let (out, outside) = previous_report(root.path());
            new_report(&out, Box::new(move |s| s == step), two_renames).unwrap();
            let what = format!("killed at {step:?} (two renames: {two_renames})");
            // As the kill left it: the folder, or (between two renames only) the previous one
            // beside it, which the next run puts back.
            if step == Step::MovedAside && two_renames {
                assert!(!out.exists(), "{what}");
                let aside = sibling(&out, "old", std::process::id());
                assert_eq!(whole_with_users(&aside, &outside), "old", "{what}");
            } else {
                // With the exchange, there is no step between two renames.
                let swapped = step >= Step::Swapped || step == Step::MovedAside;
                let expected = if swapped { "new" } else { "old" };
                assert_eq!(whole_with_users(&out, &outside), expected, "{what}");
            }
            if step == Step::Swapped && !two_renames && cfg!(target_os = "linux") {
                // Exchanged in one step: the previous content is where the new one was.
                let pid = std::process::id();
                assert!(sibling(&out, "new", pid).is_dir(), "{what}");
                assert!(!sibling(&out, "old", pid).exists(), "{what}");
            }
            // The next run recovers first (nothing of the user's lost), then writes whole.
            drop(Staging::begin(&out).unwrap());
            whole_with_users(&out, &outside);
            new_report(&out, Box::new(|_| false), two_renames).unwrap();
            assert_eq!(whole_with_users(&out, &outside), "new", "{what}");
            let beside: Vec<String> = std::fs::read_dir(root.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
            let mut beside = beside;
            beside.sort();
            assert_eq!(beside, ["elsewhere", "out"], "{what}");
        }
    }
}

#[test]
fn a_failed_commit_step_leaves_the_folder_unchanged() {
    // The new folder cannot take the user's files (a report file where the user has a
    // folder): the commit fails before the swap, and nothing changed.
    let root = tempfile::tempdir().unwrap();
    let (out, outside) = previous_report(root.path());
    let staging = Staging::begin(&out).unwrap();
    staging
        .write("sub", &b"in the way".to_vec().into())
        .unwrap();
    let err = staging.commit(&OWNED).unwrap_err().to_string();
    assert!(err.contains("was not changed"), "{err}");
    assert_eq!(whole_with_users(&out, &outside), "old");
    assert!(!sibling(&out, "new", std::process::id()).exists());
}

#[test]
fn a_file_the_user_adds_during_the_commit_is_kept() {
    for two_renames in [false, true] {
        let root = tempfile::tempdir().unwrap();
        let (out, outside) = previous_report(root.path());
        // Added after the user's files were linked across, before the swap.
        let late = out.join("late.md");
        let hook = move |s: Step| {
            if s == Step::Synced {
                std::fs::write(&late, b"late").unwrap();
            }
            false
        };
        new_report(&out, Box::new(hook), two_renames).unwrap();
        assert_eq!(std::fs::read(out.join("late.md")).unwrap(), b"late");
        std::fs::remove_file(out.join("late.md")).unwrap();
        assert_eq!(whole_with_users(&out, &outside), "new");
    }
}

#[test]
fn two_runs_into_one_folder_do_not_destroy_each_others_work() {
    let root = tempfile::tempdir().unwrap();
    let (out, outside) = previous_report(root.path());
    let first = Staging::begin(&out).unwrap();
    first.write("a.csv", &b"new".to_vec().into()).unwrap();
    first
        .write("charts/y.svg", &b"new".to_vec().into())
        .unwrap();
    // A second run stops at once, naming the folder, and removes nothing of the first's.
    let err = Staging::begin(&out).err().unwrap();
    assert_eq!(err.exit_code(), 4);
    let text = err.to_string();
    assert!(
        text.contains("another mttx run is writing this folder"),
        "{text}"
    );
    assert!(sibling(&out, "new", std::process::id()).is_dir());
    first.commit(&OWNED).unwrap();
    assert_eq!(whole_with_users(&out, &outside), "new");
    // Once the first is done, the folder is free again.
    drop(Staging::begin(&out).unwrap());
}

#[test]
fn a_link_to_a_folder_is_never_followed_when_leftovers_are_cleared() {
    // A leftover folder of a killed run holding a link to a folder outside: clearing it removes
    // the link, not what it points to.
    let root = tempfile::tempdir().unwrap();
    let (out, outside) = previous_report(root.path());
    let leftover = sibling(&out, "new", 99);
    std::fs::create_dir_all(&leftover).unwrap();
    std::os::unix::fs::symlink(&outside, leftover.join("linked-folder")).unwrap();
    recover(&out).unwrap();
    assert!(!leftover.exists());
    assert_eq!(whole_with_users(&out, &outside), "old");
}
