use super::*;

fn incident(id: &str, status: &str, raw_extra: &str) -> NewIncident {
    NewIncident {
        id: id.into(),
        status: Some(status.into()),
        final_: status == "resolved",
        updated_at: Some("2024-06-03T10:00:00Z".into()),
        started_at: Some(format!("2024-06-0{}T09:00:00Z", id.len())),
        raw: format!(r#"{{"id": "{id}", "status": "{status}"{raw_extra}}}"#),
    }
}

#[test]
fn a_new_store_is_created_with_its_folders_and_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/vendors.db");
    let store = Store::open(&path, Mode::Write).unwrap();
    let v: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    drop(store);
    // Opened again: nothing to migrate, same version.
    Store::open(&path, Mode::Read).unwrap();
}

#[test]
fn saving_counts_new_updated_and_unchanged_and_never_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), Mode::Write).unwrap();
    store
        .upsert_vendor("Acme", "https://status.acme.test", "statuspage")
        .unwrap();
    let first = store
        .save(
            "Acme",
            None,
            &[
                incident("a", "investigating", ""),
                incident("bb", "resolved", ""),
            ],
        )
        .unwrap();
    assert_eq!(
        first,
        Saved {
            new: 2,
            updated: 0,
            unchanged: 0
        }
    );
    // `a` resolved since; `bb` as before; `bb` is not given again and stays.
    let second = store
        .save(
            "Acme",
            None,
            &[
                incident("a", "resolved", ""),
                incident("bb", "resolved", ""),
            ],
        )
        .unwrap();
    assert_eq!(
        second,
        Saved {
            new: 0,
            updated: 1,
            unchanged: 1
        }
    );
    store.save("Acme", None, &[]).unwrap();
    let held = store.held("Acme").unwrap();
    assert_eq!(held.len(), 2);
    assert!(held["a"], "resolved since: final");
    let docs = store.documents().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].incidents, 2);
    let doc: serde_json::Value = serde_json::from_str(&docs[0].json).unwrap();
    assert_eq!(doc["page"]["name"], "Acme");
    assert_eq!(doc["incidents"][0]["id"], "a", "ordered by start");
    assert_eq!(
        doc["incidents"][0]["status"], "resolved",
        "the newer version"
    );
}

#[test]
fn the_end_of_a_sync_is_recorded_and_a_failure_keeps_the_last_success() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), Mode::Write).unwrap();
    store
        .upsert_vendor("Acme", "http://x", "statuspage")
        .unwrap();
    store.finish_vendor("Acme", Some(true), None).unwrap();
    let ok = store.vendors().unwrap().remove(0);
    assert!(ok.last_success_at.is_some() && ok.last_error.is_none());
    store.finish_vendor("Acme", None, Some("HTTP 503")).unwrap();
    let failed = store.vendors().unwrap().remove(0);
    assert_eq!(failed.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(failed.last_success_at, ok.last_success_at);
    assert_eq!(failed.has_history, Some(true));
}

#[test]
fn a_store_of_a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};
             CREATE TABLE future (x);",
            SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let e = Store::open(&path, Mode::Write).err().unwrap().to_string();
    assert!(e.contains("newer mttx"), "{e}");
    assert!(
        e.contains(&format!("version {}", SCHEMA_VERSION + 1)),
        "{e}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        Error::Store {
            path: path.clone(),
            message: e
        }
        .exit_code(),
        1
    );
}

#[test]
fn files_that_are_not_stores_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "id,vendor\n1,Acme\n").unwrap();
    let e = Store::open(&text, Mode::Write).err().unwrap().to_string();
    assert!(e.contains("not an mttx store"), "{e}");
    assert_eq!(std::fs::read(&text).unwrap(), b"id,vendor\n1,Acme\n");

    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let e = Store::open(&other, Mode::Write).err().unwrap().to_string();
    assert!(e.contains("not an mttx store"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), before);

    let e = Store::open(dir.path(), Mode::Write)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("is a folder"), "{e}");

    let e = Store::open(&dir.path().join("missing.db"), Mode::Read)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no such store"), "{e}");
    assert!(!dir.path().join("missing.db").exists());
}
