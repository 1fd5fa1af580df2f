//! `mttx sync` and `--store`, end to end against fake status pages on 127.0.0.1 (no network):
//! history walking, incremental re-syncs, faults and retries, the in-flight limit, killed and
//! concurrent syncs, refused stores, and reports from the store equal to reports from files.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::common::{mttx, path_str, read_csv, stderr, stdout, stored_incidents, temp};
use crate::server::{Fixture, Reply, Route, Server, statuspage};

/// Writes `mttx.toml` naming the vendors `(name, url)` and the store `vendors.db`.
fn config(dir: &Path, vendors: &[(&str, String)]) -> PathBuf {
    let mut text = String::from("store = \"vendors.db\"\n");
    for (name, url) in vendors {
        text.push_str(&format!(
            "\n[[vendor]]\nname = \"{name}\"\nurl = \"{url}\"\n"
        ));
    }
    let path = dir.join("mttx.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sync(dir: &Path, extra: &[&str]) -> Output {
    mttx()
        .current_dir(dir)
        .arg("sync")
        .args(extra)
        .env("MTTX_SYNC_BACKOFF_MS", "5")
        .output()
        .expect("mttx runs")
}

fn in_dir(dir: &Path, args: &[&str]) -> Output {
    mttx()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("mttx runs")
}

fn shared(f: Fixture) -> Arc<RwLock<Fixture>> {
    Arc::new(RwLock::new(f))
}

/// The summary row of a vendor: `[vendor, new, updated, unchanged, failed, stored, oldest, status]`.
fn summary_row(out: &str, vendor: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(vendor))
        .unwrap_or_else(|| panic!("no row for {vendor} in\n{out}"));
    let rest = line.trim_start()[vendor.len()..].split_whitespace();
    std::iter::once(vendor.to_string())
        .chain(rest.map(str::to_string))
        .collect()
}

/// History pages the fixture serves, the empty one that ends the walk included.
const HISTORY_PAGES: usize = 9;

#[test]
fn a_first_sync_walks_the_history_and_a_second_one_is_incremental() {
    // 1,300 incidents, the newest two still open: the figure docs/sync.md quotes.
    let fixture = shared(Fixture::new("Contoso Status", "c", 1300, 11, 2));
    let server = Server::start(statuspage(fixture.clone(), true), Duration::from_millis(2));
    let dir = temp();
    config(dir.path(), &[("Contoso Cloud", server.url())]);

    let began = Instant::now();
    let first = sync(dir.path(), &[]);
    let first_time = began.elapsed();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let out = stdout(&first);
    let oldest = fixture.read().unwrap().incidents[0]["started_at"]
        .as_str()
        .unwrap()[..10]
        .to_string();
    assert_eq!(
        summary_row(&out, "Contoso Cloud")[1..7],
        ["1300", "0", "0", "0", "1300", &oldest],
        "{out}"
    );
    // incidents.json, the home page (its published uptime), every history page, and each
    // incident it did not list whole.
    assert_eq!(
        server.stats.count(),
        2 + HISTORY_PAGES + (1300 - 50),
        "{out}"
    );
    let peak = server.stats.peak.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (2..=4).contains(&peak),
        "at most 4 requests in flight per host, saw {peak}"
    );

    // Right after: incidents.json and the history pages, nothing per incident (the open ones
    // are listed whole in incidents.json).
    server.stats.reset();
    let began = Instant::now();
    let second = sync(dir.path(), &[]);
    let second_time = began.elapsed();
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(server.stats.count(), 2 + HISTORY_PAGES);
    assert_eq!(
        summary_row(&stdout(&second), "Contoso Cloud")[1..5],
        ["0", "0", "1300", "0"]
    );
    eprintln!("sync of 1,300 incidents: first {first_time:.2?}, again {second_time:.2?}");

    // The vendor resolves an open incident: replaced by its newer version.
    fixture.write().unwrap().resolve("c1300");
    let third = sync(dir.path(), &[]);
    assert_eq!(
        summary_row(&stdout(&third), "Contoso Cloud")[1..4],
        ["0", "1", "1299"]
    );
}

#[test]
fn an_open_incident_that_scrolled_off_is_fetched_until_resolved() {
    // 60 incidents, the newest 15 open: ten of those are past the 50 incidents.json lists.
    let fixture = shared(Fixture::new("Fabrikam", "f", 60, 3, 15));
    let server = Server::start(statuspage(fixture.clone(), true), Duration::ZERO);
    let dir = temp();
    config(dir.path(), &[("Fabrikam", server.url())]);
    assert_eq!(sync(dir.path(), &[]).status.code(), Some(0));
    // Incidents 46..50 are open and off incidents.json (it lists 11..60).
    server.stats.reset();
    assert_eq!(sync(dir.path(), &[]).status.code(), Some(0));
    let singles = server
        .stats
        .count_where(|p| p.starts_with("/api/v2/incidents/f"));
    assert_eq!(singles, 0, "46..60 are listed whole, 1..10 are resolved");
    // Listing only the newest 50 of a longer history: open ones off it are fetched again.
    let fixture = shared(Fixture::new("Fabrikam", "f", 120, 3, 60));
    server.set_route(statuspage(fixture.clone(), true));
    let dir = temp();
    config(dir.path(), &[("Fabrikam", server.url())]);
    assert_eq!(sync(dir.path(), &[]).status.code(), Some(0));
    server.stats.reset();
    assert_eq!(sync(dir.path(), &[]).status.code(), Some(0));
    // Open: 61..120; listed whole: 71..120; so 61..70 are asked again.
    assert_eq!(
        server
            .stats
            .count_where(|p| p.starts_with("/api/v2/incidents/f")),
        10
    );
}

#[test]
fn a_page_without_a_history_index_syncs_from_incidents_json_alone() {
    let fixture = shared(Fixture::new("Northwind", "n", 80, 5, 0));
    let server = Server::start(statuspage(fixture, false), Duration::ZERO);
    let dir = temp();
    config(dir.path(), &[("Northwind", server.url())]);
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Northwind: no history index"), "{out}");
    assert_eq!(summary_row(&out, "Northwind")[1], "50");
    // incidents.json, the home page, the missing history index.
    assert_eq!(server.stats.count(), 3);
}

#[test]
fn an_endless_run_of_empty_history_pages_ends_the_walk() {
    let fixture = shared(Fixture::new("Litware", "l", 10, 7, 0));
    let inner = statuspage(fixture, true);
    let route: Route = Arc::new(move |path: &str, n: usize| {
        if path.starts_with("/history.json") {
            return Reply::Json(
                r#"{"months": [{"name": "May", "year": 2020, "incidents": []}]}"#.into(),
            );
        }
        inner(path, n)
    });
    let server = Server::start(route, Duration::ZERO);
    let dir = temp();
    config(dir.path(), &[("Litware", server.url())]);
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("pages in a row without incidents"),
        "{}",
        stdout(&o)
    );
    assert_eq!(server.stats.count_where(|p| p.starts_with("/history")), 12);
}

#[test]
fn faults_are_retried_and_a_failing_vendor_does_not_stop_the_others() {
    let fixture = shared(Fixture::new("Tailspin", "t", 70, 9, 0));
    let inner = statuspage(fixture.clone(), true);
    // Each fault once, then the real answer: 429 with Retry-After, 503, an HTML error page, a
    // truncated body, a connection cut mid-response, JSON of the wrong shape, a timeout.
    let flaky: Route = Arc::new(move |path: &str, n: usize| {
        let first = n == 0;
        match path {
            "/api/v2/incidents.json" if first => Reply::Status(
                429,
                vec![("Retry-After".into(), "1".into())],
                "slow down".into(),
            ),
            "/history.json?page=1" if first => Reply::Status(503, vec![], "busy".into()),
            "/history.json?page=2" if first => {
                Reply::Json("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>".into())
            }
            "/api/v2/incidents/t0001.json" if first => {
                Reply::Truncated(r#"{"page": {"name": "Tails"#.into(), 400)
            }
            "/api/v2/incidents/t0002.json" if first => Reply::Cut,
            "/api/v2/incidents/t0004.json" if first => {
                Reply::Stall(Duration::from_millis(2500), "{}".into())
            }
            "/api/v2/incidents/t0003.json" if first => Reply::Json(r#"{"page": {}"#.into()),
            _ => inner(path, n),
        }
    });
    let good = Server::start(flaky, Duration::ZERO);
    let down = Server::start(
        Arc::new(|_: &str, _: usize| Reply::Status(500, vec![], "down".into())),
        Duration::ZERO,
    );
    let huge = Server::start(
        Arc::new(|_: &str, _: usize| Reply::Huge(64 << 20)),
        Duration::ZERO,
    );
    let dir = temp();
    config(
        dir.path(),
        &[
            ("Tailspin", good.url()),
            ("Down Inc", down.url()),
            ("Huge Ltd", huge.url()),
        ],
    );
    let began = Instant::now();
    let o = mttx()
        .current_dir(dir.path())
        .arg("sync")
        .env("MTTX_SYNC_BACKOFF_MS", "5")
        .env("MTTX_SYNC_TIMEOUT_MS", "1000")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "two vendors failed: exit 5");
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    let out = stdout(&o);
    assert_eq!(
        summary_row(&out, "Tailspin")[1..6],
        ["70", "0", "0", "0", "70"],
        "{out}"
    );
    assert_eq!(summary_row(&out, "Down Inc")[7], "FAILED");
    assert_eq!(summary_row(&out, "Huge Ltd")[7], "FAILED");
    let err = stderr(&o);
    assert!(
        err.contains("Down Inc: ") && err.contains("HTTP 500 (after 5 attempts)"),
        "{err}"
    );
    assert!(
        err.contains("Huge Ltd: ") && err.contains("larger than 32 MB: refused"),
        "{err}"
    );
    assert_eq!(
        down.stats.count(),
        5,
        "five attempts, then the vendor is reported"
    );
    assert_eq!(
        huge.stats.count(),
        1,
        "an oversized body is not asked for again"
    );
    // Every fault cost one extra request on the good page (the home page is one more).
    assert_eq!(good.stats.count(), 2 + HISTORY_PAGES + 20 + 7);

    // The report reads Tailspin and names the vendors without data.
    let r = in_dir(
        dir.path(),
        &[
            "report",
            "--store",
            "vendors.db",
            "--formats",
            "csv",
            "--out",
            "out",
        ],
    );
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let text = stdout(&r);
    assert!(
        text.contains("no data for vendors never synced successfully: Down Inc (last error:")
            && text.contains("Huge Ltd"),
        "{text}"
    );
    let avail = read_csv(&dir.path().join("out/availability.csv"));
    assert!(
        avail.iter().all(|r| r["vendor"] == "Tailspin"),
        "no 100% rows for vendors without data"
    );
    // report.html says it too, in its data quality section.
    let r = in_dir(
        dir.path(),
        &[
            "report",
            "--store",
            "vendors.db",
            "--formats",
            "html",
            "--out",
            "html",
            "-q",
        ],
    );
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let page = std::fs::read_to_string(dir.path().join("html/report.html")).unwrap();
    assert!(page.contains("Note: no data for vendors never synced successfully: Down Inc"));
}

/// Two vendors of a few hundred incidents each, synced; and the same histories as files.
fn synced_pair(dir: &Path) -> (Server, Server) {
    let a = shared(Fixture::new("Adatum Status", "a", 260, 21, 3));
    let b = shared(Fixture::new("Proseware", "p", 140, 22, 0));
    let sa = Server::start(statuspage(a.clone(), true), Duration::ZERO);
    let sb = Server::start(statuspage(b.clone(), true), Duration::ZERO);
    config(dir, &[("Adatum", sa.url()), ("Proseware Inc", sb.url())]);
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("adatum.json"),
        a.read().unwrap().document("Adatum"),
    )
    .unwrap();
    std::fs::write(
        files.join("proseware.json"),
        b.read().unwrap().document("Proseware Inc"),
    )
    .unwrap();
    (sa, sb)
}

fn report_csv(dir: &Path, args: &[&str], out: &str) -> (Vec<u8>, Vec<u8>) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--formats", "csv", "--quiet", "--out", out]);
    let o = in_dir(dir, &all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |f: &str| std::fs::read(dir.join(out).join(f)).unwrap();
    (read("metrics.csv"), read("availability.csv"))
}

#[test]
fn a_report_from_the_store_equals_one_from_the_same_incidents_as_files() {
    let dir = temp();
    let _servers = synced_pair(dir.path());
    let o = sync(dir.path(), &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "--quiet prints nothing");
    let from_store = report_csv(dir.path(), &["--store", "vendors.db"], "r-store");
    let from_files = report_csv(dir.path(), &["files"], "r-files");
    assert_eq!(from_store.0, from_files.0, "metrics.csv");
    assert_eq!(from_store.1, from_files.1, "availability.csv");
    let avail = read_csv(&dir.path().join("r-store/availability.csv"));
    assert!(
        avail.iter().any(|r| r["vendor"] == "Adatum"),
        "the config's name, not the page's"
    );
    assert!(!avail.iter().any(|r| r["vendor"] == "Adatum Status"));

    // import writes the store's incidents as canonical CSV; validate and metrics read it too.
    let i = in_dir(
        dir.path(),
        &["import", "--store", "vendors.db", "--out", "imported"],
    );
    assert_eq!(i.status.code(), Some(0), "{}", stderr(&i));
    assert_eq!(
        read_csv(&dir.path().join("imported/incidents.csv")).len(),
        400
    );
    let v = in_dir(dir.path(), &["validate", "--store", "vendors.db"]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    assert!(
        stdout(&v).contains("400 rows read: 400 accepted"),
        "{}",
        stdout(&v)
    );
    let m = in_dir(
        dir.path(),
        &[
            "metrics",
            "--store",
            "vendors.db",
            "--by",
            "vendor",
            "--format",
            "csv",
        ],
    );
    assert_eq!(m.status.code(), Some(0), "{}", stderr(&m));
    assert!(
        stdout(&m).contains("\nProseware Inc,all,mttr,"),
        "{}",
        stdout(&m)
    );
    // A store beside files: both are read.
    let both = in_dir(
        dir.path(),
        &["validate", "files/adatum.json", "--store", "vendors.db"],
    );
    assert!(
        stdout(&both).contains("superseded"),
        "the same incidents twice: {}",
        stdout(&both)
    );
}

/// Incidents stored, read straight from the SQLite file.

#[test]
fn a_sync_killed_mid_way_loses_nothing_and_the_next_one_completes_the_job() {
    let dir = temp();
    let fixture = shared(Fixture::new("Woodgrove", "w", 400, 31, 2));
    // Slow: a few ms per answer, so the kill lands mid-way.
    let server = Server::start(statuspage(fixture.clone(), true), Duration::from_millis(8));
    config(dir.path(), &[("Woodgrove", server.url())]);
    let db = dir.path().join("vendors.db");
    let mut child = mttx()
        .current_dir(dir.path())
        .args(["sync", "--quiet"])
        .spawn()
        .unwrap();
    let began = Instant::now();
    while stored_incidents(&db) < 150 && began.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = stored_incidents(&db);
    assert!(
        (150..400).contains(&partial),
        "killed mid-way: {partial} stored"
    );
    let again = sync(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stored_incidents(&db), 400, "{}", stdout(&again));
    let row = summary_row(&stdout(&again), "Woodgrove");
    assert_eq!(
        row[3].parse::<i64>().unwrap() + row[1].parse::<i64>().unwrap(),
        400
    );

    // The same as a clean sync into a fresh store.
    let clean = temp();
    config(clean.path(), &[("Woodgrove", server.url())]);
    assert_eq!(sync(clean.path(), &["--quiet"]).status.code(), Some(0));
    let a = report_csv(dir.path(), &["--store", "vendors.db"], "r");
    let b = report_csv(clean.path(), &["--store", "vendors.db"], "r");
    assert_eq!(a, b);
}

#[test]
fn two_syncs_at_once_both_finish_without_corruption() {
    let dir = temp();
    let fixture = shared(Fixture::new("Wingtip", "g", 200, 41, 1));
    let server = Server::start(statuspage(fixture, true), Duration::from_millis(1));
    config(dir.path(), &[("Wingtip", server.url())]);
    let spawn = || {
        mttx()
            .current_dir(dir.path())
            .args(["sync"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (one, two) = (spawn(), spawn());
    let (one, two) = (
        one.wait_with_output().unwrap(),
        two.wait_with_output().unwrap(),
    );
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(two.status.code(), Some(0), "{}", stderr(&two));
    let db = dir.path().join("vendors.db");
    assert_eq!(stored_incidents(&db), 200);
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn stores_that_cannot_be_used_are_refused_with_exit_1_and_left_untouched() {
    let dir = temp();
    let future = dir.path().join("future.db");
    {
        let c = rusqlite::Connection::open(&future).unwrap();
        c.execute_batch(
            "PRAGMA application_id = 1836348536; PRAGMA user_version = 99; CREATE TABLE x (y);",
        )
        .unwrap();
    }
    let before = std::fs::read(&future).unwrap();
    let o = in_dir(dir.path(), &["report", "--store", "future.db"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("newer mttx (store schema version 99"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&future).unwrap(), before);

    config(dir.path(), &[("Acme", "http://127.0.0.1:9".to_string())]);
    std::fs::write(dir.path().join("notes.txt"), "not a database\n").unwrap();
    let o = sync(dir.path(), &["--store", "notes.txt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not an mttx store"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "not a database\n"
    );
    let o = sync(dir.path(), &["--store", &path_str(dir.path())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    let o = in_dir(dir.path(), &["metrics", "--store", "missing.db"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such store"), "{}", stderr(&o));

    // A new store's missing folders are created.
    let server = Server::start(
        statuspage(shared(Fixture::new("Acme", "x", 5, 1, 0)), true),
        Duration::ZERO,
    );
    config(dir.path(), &[("Acme", server.url())]);
    let o = sync(dir.path(), &["--store", "deep/er/vendors.db"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("deep/er/vendors.db").is_file());
}

#[test]
fn sync_needs_vendors_and_checks_them() {
    let dir = temp();
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no [[vendor]] or [[source]] to sync"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        dir.path().join("mttx.toml"),
        "[[vendor]]\nname = \"A\"\nurl = \"status.a.test\"\n",
    )
    .unwrap();
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("mttx.toml:3: [[vendor]] 'A' url"),
        "{}",
        stderr(&o)
    );
    let ex = in_dir(dir.path(), &["config", "--example"]);
    assert!(stdout(&ex).contains("[[vendor]]"));
}

/// A route serving `body` (raw bytes, as JSON) at `path`, 404 elsewhere.
fn document_route(path: &'static str, body: Arc<RwLock<Vec<u8>>>) -> crate::server::Route {
    Arc::new(move |p: &str, _| {
        if p == path {
            crate::server::Reply::Bytes(body.read().unwrap().clone())
        } else {
            crate::server::Reply::Status(404, Vec::new(), "not here".into())
        }
    })
}

#[test]
fn other_platforms_sync_into_the_store_and_read_back_as_their_own_documents() {
    let dir = temp();
    let file = |f: &str| {
        std::fs::read(
            crate::common::manifest_dir()
                .join("tests/data/platforms")
                .join(f),
        )
        .unwrap()
    };
    let serve = |path: &'static str, f: &str| {
        let body = Arc::new(RwLock::new(file(f)));
        (
            Server::start(document_route(path, body.clone()), Duration::ZERO),
            body,
        )
    };
    let (gcp, _) = serve("/incidents.json", "google-cloud.json");
    let (slack, _) = serve("/api/v2.0.0/history", "slack-history.json");
    let (bs, _) = serve("/index.json", "betterstack.json");
    let atom_body =
        std::fs::read(crate::common::manifest_dir().join("tests/data/atom/history.atom")).unwrap();
    let atom = Server::start(
        document_route("/history.atom", Arc::new(RwLock::new(atom_body))),
        Duration::ZERO,
    );
    // AWS lists only what is open: the first sync sees E2 alone, the second E1 alone.
    let all: serde_json::Value = serde_json::from_str(
        &String::from_utf16(
            &file("aws-health.json")[2..]
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
    )
    .unwrap();
    let event = |k: usize| serde_json::to_vec(&serde_json::json!([all[k].clone()])).unwrap();
    let (aws, aws_body) = serve("/public/currentevents", "aws-health.json");
    *aws_body.write().unwrap() = event(1);
    let mut text = String::from("store = \"vendors.db\"\n");
    for (name, url, platform) in [
        ("GCP", gcp.url(), "google-cloud"),
        ("Slack Inc", slack.url(), "slack"),
        ("Fabrikam", bs.url(), "betterstack"),
        ("AWS", aws.url(), "aws"),
        ("Contoso", atom.url(), "atom"),
    ] {
        text.push_str(&format!(
            "\n[[vendor]]\nname = \"{name}\"\nurl = \"{url}\"\nplatform = \"{platform}\"\n"
        ));
    }
    std::fs::write(dir.path().join("mttx.toml"), text).unwrap();
    let o = sync(dir.path(), &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    *aws_body.write().unwrap() = event(0);
    let o = sync(dir.path(), &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let i = in_dir(
        dir.path(),
        &["import", "--store", "vendors.db", "--out", "imported"],
    );
    assert_eq!(i.status.code(), Some(0), "{}", stderr(&i));
    let rows = read_csv(&dir.path().join("imported/incidents.csv"));
    let of = |v: &str| rows.iter().filter(|r| r["vendor"] == v).count();
    // Each under the configured name; AWS kept both events across the two syncs.
    assert_eq!(
        (of("GCP"), of("Slack Inc"), of("Fabrikam"), of("AWS")),
        (2, 2, 2, 2),
        "{rows:?}"
    );
    let e1 = rows.iter().find(|r| r["id"].ends_with("/E1")).unwrap();
    assert_eq!(e1["resolved_at"], "2025-03-05T12:00:00Z");
    let impacts = read_csv(&dir.path().join("imported/impacts.csv"));
    assert!(
        impacts
            .iter()
            .any(|r| r["vendor"] == "Fabrikam" && r["component"] == "API")
    );
}

#[test]
fn a_platform_document_that_is_missing_fails_its_vendor_with_exit_5() {
    let dir = temp();
    let body = Arc::new(RwLock::new(Vec::new()));
    let s = Server::start(document_route("/elsewhere", body), Duration::ZERO);
    std::fs::write(
        dir.path().join("mttx.toml"),
        format!(
            "store = \"vendors.db\"\n\n[[vendor]]\nname = \"GCP\"\nurl = \"{}\"\nplatform = \"google-cloud\"\n",
            s.url()
        ),
    )
    .unwrap();
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stdout(&o));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        text.contains("/incidents.json: 404: no google-cloud document there"),
        "{text}"
    );
}

#[test]
fn each_sync_keeps_the_home_pages_days_so_the_published_history_grows() {
    let dir = temp();
    let fixture = shared(Fixture::new("Tailwind Status", "t", 60, 7, 0));
    let inner = statuspage(fixture, true);
    let home = |from: u32| {
        // Five days of a page from `from`, one hour of major outage on the 3rd of March.
        let days: Vec<serde_json::Value> = (from..from + 5)
            .map(|d| {
                let date = format!("2025-03-{d:02}");
                let outages = if d == 3 {
                    serde_json::json!({"m": 3600})
                } else {
                    serde_json::json!({})
                };
                serde_json::json!({"date": date, "outages": outages, "related_events": []})
            })
            .collect();
        let data = serde_json::json!({"apiaaaa11111": {"component": {"code": "apiaaaa11111", "name": "API"}, "days": days}});
        format!(
            "<html><head><title>Tailwind Status</title></head><body><span id=\"uptime-percent-apiaaaa11111\">99.16</span><script>var uptimeData = {data};</script></body></html>"
        )
    };
    let page = Arc::new(RwLock::new(home(1)));
    let p = page.clone();
    let route: crate::server::Route = Arc::new(move |path: &str, n| {
        if path == "/" {
            crate::server::Reply::Json(p.read().unwrap().clone())
        } else {
            inner(path, n)
        }
    });
    let server = Server::start(route, Duration::ZERO);
    config(dir.path(), &[("Tailwind", server.url())]);
    let o = sync(dir.path(), &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    *page.write().unwrap() = home(3);
    let o = sync(dir.path(), &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = in_dir(
        dir.path(),
        &[
            "report",
            "--store",
            "vendors.db",
            "--formats",
            "csv",
            "--out",
            "out",
            "--month",
            "2025-03",
        ],
    );
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let daily = std::fs::read_to_string(dir.path().join("out/published_daily.csv")).unwrap();
    // 1 to 5 March from the first sync, 3 to 7 from the second: seven days kept.
    assert_eq!(
        daily
            .lines()
            .filter(|l| l.starts_with("Tailwind,API,"))
            .count(),
        7,
        "{daily}"
    );
    let uptime = std::fs::read_to_string(dir.path().join("out/published_uptime.csv")).unwrap();
    // One hour in seven days: 100 (1 - 3600 / 604800) = 99.4047, truncated 99.40.
    assert!(
        uptime.contains("\nTailwind,API,90,2025-03-01,2025-03-07,99.16,99.4,"),
        "{uptime}"
    );
}

#[test]
fn a_gzip_body_that_inflates_past_the_cap_is_refused() {
    use std::io::Write;
    // 40 MB of spaces, about 40 KB on the wire: past the 32 MB cap once inflated.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..40 {
        gz.write_all(&chunk).unwrap();
    }
    let body = gz.finish().unwrap();
    assert!(body.len() < 1 << 20);
    let route: crate::server::Route = Arc::new(move |_: &str, _| {
        Reply::Raw(
            200,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body.clone(),
        )
    });
    let server = Server::start(route, Duration::ZERO);
    let dir = temp();
    std::fs::write(
        dir.path().join("mttx.toml"),
        format!(
            "store = \"vendors.db\"\n\n[[vendor]]\nname = \"Gee\"\nurl = \"{}/incidents.json\"\nplatform = \"google-cloud\"\n",
            server.url()
        ),
    )
    .unwrap();
    let o = sync(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("larger than 32 MB: refused"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.stats.count(), 1, "refused at once, not tried again");
}
