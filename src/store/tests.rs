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
            FORMAT_STATUSPAGE,
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
            FORMAT_STATUSPAGE,
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
    store.save("Acme", FORMAT_STATUSPAGE, None, &[]).unwrap();
    let held = store.held("Acme").unwrap();
    assert_eq!(held.len(), 2);
    assert!(held["a"], "resolved since: final");
    let raws = store.raws("Acme").unwrap();
    assert_eq!(raws.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&raws[0]).unwrap();
    assert_eq!(first["id"], "a", "ordered by start");
    assert_eq!(first["status"], "resolved", "the newer version");
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

#[test]
fn a_version_2_store_migrates_in_place_each_payload_taking_its_platforms_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    {
        // A store as mttx wrote it at version 2: every payload stamped 1.
        let c = Connection::open(&path).unwrap();
        c.execute_batch(&format!(
            "{}{}PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 2;
             INSERT INTO vendor (name, url, platform) VALUES
               ('Gee', 'https://status.cloud.google.com', 'google-cloud'),
               ('Pages', 'https://status.pages.test', 'statuspage'),
               ('Feed', 'https://status.feed.test/history.atom', 'atom');
             INSERT INTO incident (vendor, id, final, raw, format, fetched_at) VALUES
               ('Gee', 'g1', 1, '{{\"id\":\"g1\"}}', 1, '2025-01-01T00:00:00Z'),
               ('Pages', 'p1', 1, '{{\"id\":\"p1\"}}', 1, '2025-01-01T00:00:00Z'),
               ('Feed', 'f1', 1, '<entry/>', 1, '2025-01-01T00:00:00Z');",
            include_str!("schema_v1.sql"),
            include_str!("schema_v2.sql")
        ))
        .unwrap();
    }
    let store = Store::open(&path, Mode::Write).unwrap();
    let formats: Vec<(String, i64)> = store
        .conn
        .prepare("SELECT vendor, format FROM incident ORDER BY vendor")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        formats,
        vec![("Feed".into(), 6), ("Gee".into(), 2), ("Pages".into(), 1)]
    );
    let v: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    assert!(
        store
            .vendors()
            .unwrap()
            .iter()
            .all(|v| v.settings.is_none())
    );
}

#[test]
fn a_sources_settings_and_open_incidents_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), Mode::Write).unwrap();
    store
        .upsert_source(
            "Acme",
            "https://api.pagerduty.com",
            "pagerduty",
            Some(r#"{"jql":"project = OPS"}"#),
        )
        .unwrap();
    store
        .save(
            "Acme",
            10,
            None,
            &[
                incident("a", "resolved", ""),
                incident("bb", "triggered", ""),
            ],
        )
        .unwrap();
    store
        .upsert_vendor("Pages", "https://status.pages.test", "incident.io")
        .unwrap();
    let v = store.vendors().unwrap().remove(0);
    assert_eq!(v.platform, "pagerduty");
    assert!(v.source);
    let pages = store.vendors().unwrap().remove(1);
    assert!(
        !pages.source,
        "an incident.io status page is a vendor, not the incident.io tool"
    );
    assert_eq!(v.settings.as_deref(), Some(r#"{"jql":"project = OPS"}"#));
    let open = store.open_incidents("Acme").unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].0, "bb");
    let format: i64 = store
        .conn
        .query_row("SELECT max(format) FROM incident", [], |r| r.get(0))
        .unwrap();
    assert_eq!(format, 10);
}
