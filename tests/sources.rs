//! `mttx sync` of `[[source]]` incident tools, end to end against the fake APIs of
//! [`crate::apis`] on 127.0.0.1: each tool's paging and caps, rate-limit hints, tokens (unset,
//! wrong, never leaked), incremental re-syncs, a killed sync, and reports from the store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Span;

use crate::apis::{self, Api, at};
use crate::common::{mttx, read_csv, stderr, stdout, stored_incidents, temp};
use crate::server::{Route, Server};

const TOKEN: &str = "tok_9f8e7d6c5b4a-secret";
const EMAIL: &str = "sre-bot@acme.test";

/// Writes `mttx.toml` with the given `[[source]]` bodies and the store `vendors.db`.
fn config(dir: &Path, sources: &[String]) -> PathBuf {
    let mut text = String::from("store = \"vendors.db\"\n");
    for s in sources {
        text.push_str(&format!("\n[[source]]\n{s}\n"));
    }
    let path = dir.join("mttx.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn source(name: &str, tool: &str, url: &str, extra: &str) -> String {
    format!(
        "name = \"{name}\"\ntool = \"{tool}\"\ntoken_env = \"MTTX_TEST_TOKEN\"\nurl = \"{url}\"\nsince = \"2024-01-01\"\n{extra}"
    )
}

fn sync(dir: &Path) -> Output {
    mttx()
        .current_dir(dir)
        .arg("sync")
        .env("MTTX_TEST_TOKEN", TOKEN)
        .env("MTTX_TEST_EMAIL", EMAIL)
        .env("MTTX_SYNC_BACKOFF_MS", "5")
        .output()
        .expect("mttx runs")
}

/// `report --store` into `out/`, CSV only; its incidents.csv rows by id.
fn report(dir: &Path, out: &str, extra: &[&str]) -> HashMap<String, HashMap<String, String>> {
    let o = mttx()
        .current_dir(dir)
        .args([
            "report",
            "--store",
            "vendors.db",
            "--out",
            out,
            "--formats",
            "csv",
            "--quiet",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    read_csv(&dir.join(out).join("incidents.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r))
        .collect()
}

fn row(out: &str, name: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no row for {name} in\n{out}"));
    line.trim_start()[name.len()..]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn serve(route: Route) -> Server {
    Server::start(route, Duration::ZERO)
}

/// The gap between the 429 (the first request to `route`) and the next request for the same
/// target, its retry (other requests may run beside it).
fn gap_after_429(server: &Server, route: &str) -> Duration {
    let heads = server.stats.heads.lock().unwrap();
    let target = |h: &str| h.split_whitespace().nth(1).unwrap_or("").to_string();
    let at = heads
        .iter()
        .position(|h| apis::route_of(&target(&h.1)) == route)
        .expect("the throttled route was asked");
    let retry = heads[at + 1..]
        .iter()
        .find(|h| target(&h.1) == target(&heads[at].1))
        .expect("the throttled request was tried again");
    retry.0 - heads[at].0
}

#[test]
fn pagerduty_past_10000_in_one_window_and_across_more_than_six_months() {
    let dir = temp();
    // 10,150 incidents in March 2024 (one 180-day window holds them all), 60 more spread
    // over the rest of 2024 and 2025 (more than six months: several windows).
    let mut items = Vec::new();
    let march = at("2024-03-01T00:00:00Z");
    for n in 1..=10_150 {
        items.push(apis::pd_incident(
            n,
            march + Span::minutes(4 * n as i64),
            Some(march + Span::minutes(4 * n as i64 + 30)),
        ));
    }
    for k in 0..60 {
        let n = 10_151 + k;
        let t = at("2024-05-01T00:00:00Z") + Span::days(10 * k as i64);
        items.push(apis::pd_incident(n, t, Some(t + Span::hours(1))));
    }
    let api = Api::new(items);
    let server = serve(apis::pagerduty(api));
    config(
        dir.path(),
        &[source("Acme", "pagerduty", &server.url(), "")],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stored_incidents(&dir.path().join("vendors.db")), 10_210);
    let r = row(&stdout(&o), "Acme");
    assert_eq!(r[0], "10210", "new: {r:?}");
    assert!(stdout(&o).contains("split in two"), "{}", stdout(&o));
    // No request asked past the cap or for more than 180 days: every answer was 200.
    let requests = server.stats.requests.lock().unwrap().clone();
    for p in &requests {
        let q = apis::query(p);
        let (s, u) = (at(&q["since"]), at(&q["until"]));
        assert!(u - s <= Span::days(180), "{p}");
        assert!(q["offset"].parse::<usize>().unwrap() + 100 <= 10_000, "{p}");
    }
}

#[test]
fn pagerduty_takes_the_first_acknowledgement_and_a_resync_asks_little() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let mut items = vec![
        apis::pd_incident(1, t0, Some(t0 + Span::minutes(90))),
        apis::pd_incident(2, t0 + Span::days(1), None),
        apis::pd_incident(
            3,
            t0 + Span::days(2),
            Some(t0 + Span::days(2) + Span::minutes(20)),
        ),
    ];
    // The resolved incident lists no acknowledgements (PagerDuty empties the list on resolve).
    items[0]["acknowledgements"] = serde_json::json!([]);
    let api = Api::new(items);
    {
        let mut a = api.write().unwrap();
        a.entries = vec![
            apis::pd_entry(
                "E1",
                "acknowledge_log_entry",
                "P000001",
                t0 + Span::minutes(6),
            ),
            apis::pd_entry(
                "E2",
                "unacknowledge_log_entry",
                "P000001",
                t0 + Span::minutes(10),
            ),
            apis::pd_entry(
                "E3",
                "acknowledge_log_entry",
                "P000001",
                t0 + Span::minutes(20),
            ),
            apis::pd_entry("E4", "resolve_log_entry", "P000001", t0 + Span::minutes(90)),
        ];
    }
    let server = serve(apis::pagerduty(api.clone()));
    config(
        dir.path(),
        &[source("Acme", "pagerduty", &server.url(), "")],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = report(dir.path(), "r1", &[]);
    assert_eq!(rows["1"]["acknowledged_at"], "2024-06-03T10:06:00Z");
    assert_eq!(rows["1"]["tta_min"], "6");
    assert_eq!(rows["2"]["resolved_at"], "");
    assert_eq!(rows["1"]["vendor"], "Acme");
    assert_eq!(rows["3"]["components"], "Search");

    // Incident 2 resolves and is acknowledged; nothing else changes.
    {
        let mut a = api.write().unwrap();
        let t2 = t0 + Span::days(1);
        a.items[1] = apis::pd_incident(2, t2, Some(t2 + Span::minutes(45)));
        a.entries.push(apis::pd_entry(
            "E5",
            "acknowledge_log_entry",
            "P000002",
            chrono::Utc::now(),
        ));
    }
    server.stats.reset();
    let again = sync(dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    // The incidents and log entries created since the last sync (a page each) and the one
    // stored incident still open, by id.
    let asked = server.stats.requests.lock().unwrap().clone();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked.iter().any(|p| p == "/incidents/P000002"), "{asked:?}");
    let r = row(&stdout(&again), "Acme");
    assert_eq!(&r[..3], ["0", "1", "2"], "new, updated, unchanged: {r:?}");
    let rows = report(dir.path(), "r2", &[]);
    assert_eq!(rows["2"]["resolved_at"], "2024-06-04T10:45:00Z");
    assert!(!rows["2"]["acknowledged_at"].is_empty());
}

#[test]
fn incident_io_leaves_test_incidents_out_and_reads_timestamps_by_name() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let mut items: Vec<_> = (1..=300)
        .map(|n| apis::io_incident(n, t0 + Span::hours(n as i64), "standard"))
        .collect();
    items.push(apis::io_incident(301, t0, "test"));
    items.push(apis::io_incident(302, t0, "tutorial"));
    let api = Api::new(items);
    let server = serve(apis::incident_io(api));
    config(
        dir.path(),
        &[source("Acme", "incident.io", &server.url(), "")],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 300 incidents: two pages of 250.
    assert_eq!(server.stats.count(), 2);
    let rows = report(dir.path(), "r", &[]);
    assert_eq!(rows.len(), 300);
    assert!(!rows.contains_key("INC-301") && !rows.contains_key("INC-302"));
    let r = &rows["INC-1"];
    // Impact started 10 minutes before creation.
    assert_eq!(r["started_at"], "2024-06-03T10:50:00Z");
    assert_eq!(r["detected_at"], "2024-06-03T11:00:00Z");
    assert_eq!(r["identified_at"], "", "no value");
    assert_eq!(r["ttr_min"], "70");
    assert_eq!(r["components"], "Auth");
    assert_eq!(r["team"], "Web");
    assert_eq!(r["status_category"], "closed");
}

#[test]
fn firehydrant_finds_milestones_only_in_lifecycle_phases() {
    let dir = temp();
    let t0 = at("2024-06-06T09:00:00Z");
    let items: Vec<_> = (1..=450)
        .map(|n| apis::fh_incident(n, t0 + Span::hours(n as i64)))
        .collect();
    let server = serve(apis::firehydrant(Api::new(items)));
    config(
        dir.path(),
        &[source("Acme", "firehydrant", &server.url(), "")],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(server.stats.count(), 3, "pages of 200");
    let rows = report(dir.path(), "r", &[]);
    assert_eq!(rows.len(), 450);
    let r = &rows["1"];
    assert_eq!(r["detected_at"], "2024-06-06T10:07:00Z");
    assert_eq!(r["acknowledged_at"], "2024-06-06T10:10:00Z");
    assert_eq!(r["identified_at"], "2024-06-06T10:30:00Z");
    assert_eq!(r["mitigated_at"], "2024-06-06T11:00:00Z");
    assert_eq!(r["resolved_at"], "2024-06-06T11:30:00Z");
    assert_eq!(r["team"], "Media");

    // A re-sync asks for what was updated since the last sync: one page, nothing new.
    server.stats.reset();
    let again = sync(dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(server.stats.count(), 1);
    let asked = server.stats.requests.lock().unwrap()[0].clone();
    assert!(apis::query(&asked).contains_key("updated_after"), "{asked}");
    assert_eq!(&row(&stdout(&again), "Acme")[..3], ["0", "0", "450"]);
}

#[test]
fn two_syncs_of_a_source_at_once_both_finish() {
    let dir = temp();
    let t0 = at("2024-06-06T09:00:00Z");
    let items: Vec<_> = (1..=600)
        .map(|n| apis::fh_incident(n, t0 + Span::hours(n as i64)))
        .collect();
    let server = Server::start(apis::firehydrant(Api::new(items)), Duration::from_millis(5));
    config(
        dir.path(),
        &[source("Acme", "firehydrant", &server.url(), "")],
    );
    let spawn = || {
        mttx()
            .current_dir(dir.path())
            .args(["sync", "--quiet"])
            .env("MTTX_TEST_TOKEN", TOKEN)
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
    assert_eq!(stored_incidents(&dir.path().join("vendors.db")), 600);
}

#[test]
fn rootly_goes_on_with_the_cursor_past_10000() {
    let dir = temp();
    let t0 = at("2024-02-01T00:00:00Z");
    let items: Vec<_> = (1..=10_130)
        .map(|n: usize| {
            let kind = if n.is_multiple_of(1000) {
                "test"
            } else {
                "normal"
            };
            apis::rootly_incident(n, t0 + Span::minutes(10 * n as i64), kind)
        })
        .collect();
    let server = serve(apis::rootly(Api::new(items)));
    config(dir.path(), &[source("Acme", "rootly", &server.url(), "")]);
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stored_incidents(&dir.path().join("vendors.db")), 10_130);
    assert!(
        stdout(&o).contains("went on with the cursor"),
        "{}",
        stdout(&o)
    );
    // 100 numbered pages, the refused 101st, two cursor pages.
    assert_eq!(server.stats.count(), 103);
    let rows = report(dir.path(), "r", &["--where", "kind!=test"]);
    assert_eq!(rows.len(), 10_130 - 10);
    let r = &rows["1"];
    assert_eq!(r["started_at"], "2024-02-01T00:05:00Z");
    assert_eq!(r["identified_at"], "");
    assert_eq!(r["tta_min"], "9");
}

#[test]
fn jira_stops_at_the_last_page_and_on_a_repeated_token() {
    let dir = temp();
    // Two issues a day before `since` (the JQL asks a day early): left out.
    let t0 = at("2023-12-31T12:00:00Z");
    let items: Vec<_> = (1..=230)
        .map(|n| apis::jira_issue(n, t0 + Span::hours(4 * n as i64 - 4)))
        .collect();
    let api = Api::new(items);
    let server = serve(apis::jira(api.clone(), false));
    let jira = |url: &str| {
        source(
            "Ops",
            "jira",
            url,
            "user_env = \"MTTX_TEST_EMAIL\"\njql = \"project = OPS\"\n[source.fields]\ndetected = \"customfield_10041\"\n",
        )
    };
    config(dir.path(), &[jira(&server.url())]);
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        server.stats.count(),
        3,
        "100 + 100 + 30, the last without a token"
    );
    assert_eq!(
        server
            .stats
            .count_where(|p| apis::route_of(p) == "/rest/api/3/search"),
        0
    );
    let first = server.stats.requests.lock().unwrap()[0].clone();
    let q = apis::query(&first);
    assert_eq!(
        q["jql"],
        "(project = OPS) AND created >= \"2023-12-31\" ORDER BY created ASC"
    );
    assert!(q["fields"].ends_with(",customfield_10041"), "{first}");
    let rows = report(dir.path(), "r", &[]);
    // Issues 1..3 were created on 31 December (12:00, 16:00, 20:00): outside the window.
    assert_eq!(rows.len(), 227);
    let r = &rows["OPS-4"];
    assert_eq!(r["started_at"], "2024-01-01T00:00:00Z");
    assert_eq!(r["detected_at"], "2024-01-01T00:04:00Z");
    assert_eq!(r["ttr_min"], "150");
    assert_eq!(r["issue_type"], "Incident");

    // A server repeating its token: two pages, then the walk stops.
    let dir2 = temp();
    let looping = serve(apis::jira(api, true));
    config(dir2.path(), &[jira(&looping.url())]);
    let o = sync(dir2.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(looping.stats.count(), 2);
}

#[test]
fn each_tools_rate_limit_hint_is_obeyed() {
    let t0 = at("2024-06-03T10:00:00Z");
    type Case = (&'static str, &'static str, Route, &'static str);
    let mk = |items: Vec<serde_json::Value>, route: &'static str| {
        let api = Api::new(items);
        api.write().unwrap().throttle = Some(route);
        api
    };
    let cases: Vec<Case> = vec![
        (
            "pagerduty",
            "/incidents",
            apis::pagerduty(mk(vec![apis::pd_incident(1, t0, None)], "/incidents")),
            "",
        ),
        (
            "incident.io",
            "/v2/incidents",
            apis::incident_io(mk(
                vec![apis::io_incident(1, t0, "standard")],
                "/v2/incidents",
            )),
            "",
        ),
        (
            "firehydrant",
            "/v1/incidents",
            apis::firehydrant(mk(vec![apis::fh_incident(1, t0)], "/v1/incidents")),
            "",
        ),
        (
            "rootly",
            "/v1/incidents",
            apis::rootly(mk(
                vec![apis::rootly_incident(1, t0, "normal")],
                "/v1/incidents",
            )),
            "",
        ),
        (
            "jira",
            "/rest/api/3/search/jql",
            apis::jira(
                mk(vec![apis::jira_issue(1, t0)], "/rest/api/3/search/jql"),
                false,
            ),
            "user_env = \"MTTX_TEST_EMAIL\"\njql = \"project = OPS\"\n",
        ),
    ];
    for (tool, throttled, route, extra) in cases {
        let dir = temp();
        let server = serve(route);
        config(dir.path(), &[source("Acme", tool, &server.url(), extra)]);
        let o = sync(dir.path());
        assert_eq!(o.status.code(), Some(0), "{tool}: {}", stderr(&o));
        assert_eq!(
            stored_incidents(&dir.path().join("vendors.db")),
            1,
            "{tool}"
        );
        // The hint asks for 1 s (2 s for a date or epoch, which round to the second); the
        // backoff without it would be 5 ms.
        let gap = gap_after_429(&server, throttled);
        assert!(
            gap >= Duration::from_millis(900),
            "{tool}: waited only {gap:?}"
        );
    }
}

#[test]
fn an_unset_variable_stops_before_any_request_and_a_wrong_token_fails_its_source_alone() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let server = serve(apis::firehydrant(Api::new(vec![apis::fh_incident(1, t0)])));
    let mut text = source("Acme", "firehydrant", &server.url(), "");
    text = text.replace("MTTX_TEST_TOKEN", "MTTX_TEST_UNSET_TOKEN");
    config(dir.path(), &[text]);
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("MTTX_TEST_UNSET_TOKEN"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.stats.count(), 0, "no request made");
    assert!(!dir.path().join("vendors.db").exists());

    // A wrong token: 401 with the tool's message; the other source is stored all the same.
    let refusing: Route = Arc::new(|_: &str, _: usize| {
        crate::server::Reply::Status(
            401,
            vec![],
            r#"{"errors":[{"title":"Unauthorized","detail":"Invalid API key"}]}"#.into(),
        )
    });
    let wrong = serve(refusing);
    config(
        dir.path(),
        &[
            source("Acme", "firehydrant", &server.url(), ""),
            source("Broken", "rootly", &wrong.url(), ""),
        ],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("Invalid API key") && err.contains("$MTTX_TEST_TOKEN"),
        "{err}"
    );
    assert!(!err.contains(TOKEN) && !stdout(&o).contains(TOKEN));
    assert_eq!(wrong.stats.count(), 1, "a 401 is not retried");
    assert_eq!(
        stored_incidents(&dir.path().join("vendors.db")),
        1,
        "Acme stored"
    );
}

#[test]
fn no_token_reaches_the_store_its_journal_any_output_or_anything_printed() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    // A server that echoes what it was sent in its error message: the token must still not
    // show. Jira (Basic: e-mail and token in base64) and PagerDuty.
    let echo: Route = Arc::new(|path: &str, _| {
        crate::server::Reply::Status(
            403,
            vec![],
            format!(r#"{{"errorMessages":["denied: {path} Token token={TOKEN}"]}}"#),
        )
    });
    let denied = serve(echo);
    let pd = serve(apis::pagerduty(Api::new(vec![apis::pd_incident(
        1,
        t0,
        Some(t0 + Span::hours(1)),
    )])));
    let jira = serve(apis::jira(Api::new(vec![apis::jira_issue(1, t0)]), false));
    // A first sync makes the store; a connection held open then keeps the second sync's
    // writes in the WAL file (the last connection to close would fold it into the store).
    config(dir.path(), &[source("Acme", "pagerduty", &pd.url(), "")]);
    assert_eq!(sync(dir.path()).status.code(), Some(0));
    let held = rusqlite::Connection::open(dir.path().join("vendors.db")).unwrap();
    let _: i64 = held
        .query_row("SELECT count(*) FROM incident", [], |r| r.get(0))
        .unwrap();
    config(
        dir.path(),
        &[
            source("Acme", "pagerduty", &pd.url(), ""),
            source(
                "Ops",
                "jira",
                &jira.url(),
                "user_env = \"MTTX_TEST_EMAIL\"\njql = \"project = OPS\"\n",
            ),
            source("Denied", "pagerduty", &denied.url(), ""),
        ],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let wal = dir.path().join("vendors.db-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "the second sync's writes are in the WAL"
    );
    let rep = mttx()
        .current_dir(dir.path())
        .args(["report", "--store", "vendors.db", "--out", "out", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(rep.status.code(), Some(0), "{}", stderr(&rep));
    let cfg = mttx()
        .current_dir(dir.path())
        .arg("config")
        .env("MTTX_TEST_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        stdout(&cfg).contains("token $MTTX_TEST_TOKEN (set)"),
        "{}",
        stdout(&cfg)
    );
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{TOKEN}"));
    let needles = [TOKEN.to_string(), b64];
    let mut texts: Vec<(String, Vec<u8>)> = vec![
        ("sync stdout".into(), o.stdout.clone()),
        ("sync stderr".into(), o.stderr.clone()),
        ("report stdout".into(), rep.stdout.clone()),
        ("report stderr".into(), rep.stderr.clone()),
        ("config".into(), cfg.stdout.clone()),
    ];
    let mut files = vec![dir.path().to_path_buf()];
    let mut seen_files = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else {
            seen_files += 1;
            texts.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    assert!(
        seen_files >= 5,
        "the store, its journal and the report's files"
    );
    assert!(texts.iter().any(|(n, _)| n.ends_with("vendors.db-wal")));
    drop(held);
    for (name, bytes) in &texts {
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "{name} holds a secret"
            );
        }
    }
    // The tokens were sent: to their own servers only.
    let pd_auth = pd.stats.heads.lock().unwrap()[0].1.to_lowercase();
    assert!(pd_auth.contains(&format!(
        "authorization: token token={}",
        TOKEN.to_lowercase()
    )));
}

#[test]
fn a_token_is_never_sent_on_a_redirect() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let target = serve(apis::firehydrant(Api::new(vec![apis::fh_incident(1, t0)])));
    let to = target.url();
    let redirect: Route = Arc::new(move |path: &str, _| {
        crate::server::Reply::Status(
            302,
            vec![("Location".into(), format!("{to}{path}"))],
            String::new(),
        )
    });
    let first = serve(redirect);
    config(
        dir.path(),
        &[source("Acme", "firehydrant", &first.url(), "")],
    );
    let _ = sync(dir.path());
    let heads = target.stats.heads.lock().unwrap();
    assert!(!heads.is_empty(), "the redirect was followed");
    for (_, h) in heads.iter() {
        assert!(!h.to_lowercase().contains("authorization"), "{h}");
    }
}

#[test]
fn a_sync_killed_mid_way_loses_nothing_and_the_next_one_completes() {
    let dir = temp();
    let t0 = at("2024-03-01T00:00:00Z");
    let items: Vec<_> = (1..=3000)
        .map(|n| apis::fh_incident(n, t0 + Span::minutes(30 * n as i64)))
        .collect();
    let server = Server::start(
        apis::firehydrant(Api::new(items)),
        Duration::from_millis(60),
    );
    config(
        dir.path(),
        &[source("Acme", "firehydrant", &server.url(), "")],
    );
    let db = dir.path().join("vendors.db");
    let mut child = mttx()
        .current_dir(dir.path())
        .args(["sync", "--quiet"])
        .env("MTTX_TEST_TOKEN", TOKEN)
        .spawn()
        .unwrap();
    let began = Instant::now();
    while stored_incidents(&db) < 400 && began.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = stored_incidents(&db);
    assert!(
        (400..3000).contains(&partial),
        "killed mid-way: {partial} stored"
    );
    let again = sync(dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stored_incidents(&db), 3000);
}

#[test]
fn config_mistakes_name_their_line() {
    let dir = temp();
    let cases = [
        (
            "name = \"A\"\ntool = \"servicenow\"\ntoken_env = \"T\"\n",
            "tool 'servicenow': expected one of pagerduty, incident.io, firehydrant, rootly, jira",
        ),
        ("name = \"A\"\ntool = \"rootly\"\n", "without token_env"),
        (
            "name = \"A\"\ntool = \"jira\"\ntoken_env = \"T\"\nuser_env = \"E\"\nurl = \"https://a.atlassian.net\"\n",
            "jira needs jql",
        ),
        (
            "name = \"A\"\ntool = \"rootly\"\ntoken_env = \"T\"\nlimit = 5\n",
            "unknown key `limit`",
        ),
        (
            "name = \"A\"\ntool = \"rootly\"\ntoken_env = \"T\"\njql = \"x\"\n",
            "jql: only jira takes it",
        ),
        (
            "name = \"A\"\ntool = \"rootly\"\ntoken_env = \"T\"\nurl = \"http://rootly.internal.test\"\n",
            "the token is sent over https only",
        ),
    ];
    for (body, want) in cases {
        config(dir.path(), &[body.to_string()]);
        let o = mttx().current_dir(dir.path()).arg("sync").output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{body}");
        assert!(stderr(&o).contains(want), "{body}: {}", stderr(&o));
        assert!(stderr(&o).contains("mttx.toml:"), "{}", stderr(&o));
    }
    // A source named like a vendor.
    std::fs::write(
        dir.path().join("mttx.toml"),
        "[[vendor]]\nname = \"Acme\"\nurl = \"https://status.acme.test\"\n\n[[source]]\nname = \"Acme\"\ntool = \"rootly\"\ntoken_env = \"T\"\n",
    )
    .unwrap();
    let o = mttx().current_dir(dir.path()).arg("sync").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("mttx.toml:6: [[source]] name 'Acme'"),
        "{}",
        stderr(&o)
    );
}

/// `report` of `args` into `out/`, CSV only, for June 2024; metrics.csv and availability.csv.
fn june(dir: &Path, args: &[&str], out: &str) -> (String, String) {
    let o = mttx()
        .current_dir(dir)
        .arg("report")
        .args(args)
        .args([
            "--month",
            "2024-06",
            "--out",
            out,
            "--formats",
            "csv",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(dir.join(out).join(f)).unwrap();
    (read("metrics.csv"), read("availability.csv"))
}

#[test]
fn the_same_incidents_through_a_tools_export_preset_and_its_api_give_the_same_metrics() {
    use serde_json::json;
    let entry = |id: &str, kind: &str, inc: &str, t: &str| json!({"id": id, "type": kind, "incident": {"id": inc}, "created_at": t});
    let pd_inc = |id: &str,
                  n: u32,
                  title: &str,
                  urgency: &str,
                  status: &str,
                  service: &str,
                  created: &str,
                  resolved: Option<&str>| {
        json!({"id": id, "incident_number": n, "title": title, "urgency": urgency,
               "status": status, "service": {"summary": service}, "created_at": created,
               "resolved_at": resolved, "acknowledgements": []})
    };
    let pd = Api::new(vec![
        pd_inc(
            "PA",
            1042,
            "Checkout API returns 502",
            "high",
            "resolved",
            "Checkout API",
            "2024-06-03T10:00:00Z",
            Some("2024-06-03T11:30:00Z"),
        ),
        pd_inc(
            "PB",
            1043,
            "Search latency above 2s",
            "low",
            "resolved",
            "Search",
            "2024-06-05T06:15:00Z",
            Some("2024-06-05T07:15:00Z"),
        ),
        pd_inc(
            "PC",
            1044,
            "Nightly export job stuck",
            "low",
            "triggered",
            "Exports",
            "2024-06-07T02:00:00Z",
            None,
        ),
    ]);
    pd.write().unwrap().entries = vec![
        entry("L1", "acknowledge_log_entry", "PA", "2024-06-03T10:06:00Z"),
        entry("L2", "acknowledge_log_entry", "PB", "2024-06-05T06:20:00Z"),
    ];
    let ts = |name: &str, v: Option<&str>| json!({"incident_timestamp": {"name": name}, "value": v.map(|v| json!({"value": v}))});
    let io_inc = |id: &str,
                  r: &str,
                  name: &str,
                  sev: &str,
                  services: &[&str],
                  t: [Option<&str>; 6]| {
        json!({"id": id, "reference": r, "name": name, "mode": "standard",
               "severity": {"name": sev}, "incident_status": {"name": "Closed", "category": "closed"},
               "created_at": t[1].unwrap(), "updated_at": t[5].unwrap(),
               "incident_timestamp_values": [ts("Impact started", t[0]), ts("Reported", t[1]),
                   ts("Accepted", t[2]), ts("Identified", t[3]), ts("Fixed", t[4]), ts("Resolved", t[5])],
               "custom_field_entries": [{"custom_field": {"name": "Affected services"},
                   "values": services.iter().map(|s| json!({"value_catalog_entry": {"name": s}})).collect::<Vec<_>>()}]})
    };
    let io = Api::new(vec![
        io_inc(
            "01A",
            "INC-7",
            "Login failures after deploy",
            "Critical",
            &["Auth", "Web app"],
            [
                Some("2024-06-03T09:50:00Z"),
                Some("2024-06-03T10:00:00Z"),
                Some("2024-06-03T10:03:00Z"),
                Some("2024-06-03T10:20:00Z"),
                Some("2024-06-03T10:35:00Z"),
                Some("2024-06-03T11:00:00Z"),
            ],
        ),
        io_inc(
            "01B",
            "INC-8",
            "Webhook delivery delayed",
            "Minor",
            &["Webhooks"],
            [
                Some("2024-06-11T13:00:00Z"),
                Some("2024-06-11T13:30:00Z"),
                Some("2024-06-11T13:31:00Z"),
                None,
                Some("2024-06-11T14:10:00Z"),
                Some("2024-06-11T14:30:00Z"),
            ],
        ),
    ]);
    let jira_issue = |id: &str,
                      key: &str,
                      summary: &str,
                      prio: &str,
                      comp: &str,
                      created: &str,
                      resolved: &str| {
        json!({"id": id, "key": key, "fields": {"summary": summary, "created": created,
               "resolutiondate": resolved, "priority": {"name": prio},
               "components": [{"name": comp}], "status": {"name": "Done"}, "labels": [],
               "issuetype": {"name": "Incident"}}})
    };
    let jira = Api::new(vec![
        jira_issue(
            "10311",
            "OPS-311",
            "Payment page blank for EU users",
            "Highest",
            "Payments",
            "2024-06-03T14:05:00.000+0000",
            "2024-06-03T16:35:00.000+0000",
        ),
        jira_issue(
            "10312",
            "OPS-312",
            "Mail relay queueing",
            "Medium",
            "Email",
            "2024-06-12T09:00:00.000+0000",
            "2024-06-12T09:45:00.000+0000",
        ),
    ]);
    let ms = |kind: &str, t: &str| json!({"type": kind, "occurred_at": t});
    let fh_inc = |id: &str,
                  n: u32,
                  name: &str,
                  sev: &str,
                  service: &str,
                  started: &str,
                  m: Vec<serde_json::Value>| {
        json!({"id": id, "number": n, "name": name, "severity": sev, "current_milestone": "resolved",
               "services": [{"name": service}], "started_at": started, "updated_at": started,
               "milestones": m})
    };
    let fh = Api::new(vec![
        fh_inc(
            "f14",
            14,
            "Image uploads failing",
            "SEV2",
            "Media API",
            "2024-06-06T09:00:00Z",
            vec![
                ms("detected", "2024-06-06T09:07:00Z"),
                ms("acknowledged", "2024-06-06T09:10:00Z"),
                ms("identified", "2024-06-06T09:30:00Z"),
                ms("mitigated", "2024-06-06T10:00:00Z"),
                ms("resolved", "2024-06-06T10:30:00Z"),
            ],
        ),
        fh_inc(
            "f15",
            15,
            "Status page stale",
            "SEV4",
            "Status Page",
            "2024-06-20T16:00:00Z",
            vec![
                ms("detected", "2024-06-20T16:45:00Z"),
                ms("acknowledged", "2024-06-20T16:50:00Z"),
                ms("mitigated", "2024-06-20T17:00:00Z"),
                ms("resolved", "2024-06-20T17:05:00Z"),
            ],
        ),
    ]);
    let cases: Vec<(&str, &str, &str, Route, &str)> = vec![
        (
            "pagerduty",
            "pagerduty",
            "pagerduty.csv",
            apis::pagerduty(pd),
            "Acme",
        ),
        (
            "incident.io",
            "incident.io",
            "incident-io.csv",
            apis::incident_io(io),
            "Acme",
        ),
        (
            "jira",
            "jira",
            "jira.csv",
            apis::jira(jira, false),
            "Operations",
        ),
        (
            "firehydrant",
            "firehydrant",
            "firehydrant.csv",
            apis::firehydrant(fh),
            "Acme",
        ),
    ];
    for (tool, preset, file, route, vendor) in cases {
        let dir = temp();
        let server = serve(route);
        let extra = if tool == "jira" {
            "user_env = \"MTTX_TEST_EMAIL\"\njql = \"project = OPS\"\n"
        } else {
            ""
        };
        config(dir.path(), &[source(vendor, tool, &server.url(), extra)]);
        let o = sync(dir.path());
        assert_eq!(o.status.code(), Some(0), "{tool}: {}", stderr(&o));
        let api = june(dir.path(), &["--store", "vendors.db"], "api");
        let export = crate::common::manifest_dir()
            .join("tests/data/presets")
            .join(file);
        std::fs::write(
            dir.path().join("preset.toml"),
            format!("[columns]\npreset = \"{preset}\"\n"),
        )
        .unwrap();
        let export = june(
            dir.path(),
            &[
                &export.display().to_string(),
                "--config",
                "preset.toml",
                "--vendor",
                vendor,
            ],
            "export",
        );
        assert_eq!(api.0, export.0, "{tool}: metrics.csv");
        assert_eq!(api.1, export.1, "{tool}: availability.csv");
        assert!(api.0.lines().count() > 5, "{tool}: {}", api.0);
    }
}

#[test]
fn a_report_from_the_store_groups_a_sources_incidents_by_its_dimensions() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let items: Vec<_> = (1..=40)
        .map(|n| {
            apis::pd_incident(
                n,
                t0 + Span::hours(12 * n as i64),
                Some(t0 + Span::hours(12 * n as i64 + 1)),
            )
        })
        .collect();
    let server = serve(apis::pagerduty(Api::new(items)));
    config(
        dir.path(),
        &[source("Acme", "pagerduty", &server.url(), "")],
    );
    assert_eq!(sync(dir.path()).status.code(), Some(0));
    let o = mttx()
        .current_dir(dir.path())
        .args([
            "metrics",
            "--store",
            "vendors.db",
            "--by",
            "team",
            "--where",
            "vendor=Acme",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // Even incident numbers belong to Payments, odd ones to Discovery: 20 each.
    let mttr: Vec<&str> = out.lines().filter(|l| l.contains(",mttr,")).collect();
    assert_eq!(mttr.len(), 2, "{out}");
    assert!(
        mttr.iter()
            .any(|l| l.starts_with("Discovery,") && l.contains(",mttr,20,")),
        "{out}"
    );
    assert!(
        mttr.iter()
            .any(|l| l.starts_with("Payments,") && l.contains(",mttr,20,")),
        "{out}"
    );
}

#[test]
fn an_incident_io_status_page_and_an_incident_io_source_are_told_apart() {
    let dir = temp();
    let fixture = Arc::new(std::sync::RwLock::new(crate::server::Fixture::new(
        "Tailspin", "t", 12, 7, 0,
    )));
    let page = serve(crate::server::statuspage(fixture, true));
    let t0 = at("2024-06-03T10:00:00Z");
    let api = serve(apis::incident_io(Api::new(vec![apis::io_incident(
        1, t0, "standard",
    )])));
    let mut text = format!(
        "store = \"vendors.db\"\n\n[[vendor]]\nname = \"Tailspin\"\nurl = \"{}\"\nplatform = \"incident.io\"\n",
        page.url()
    );
    text.push_str(&format!(
        "\n[[source]]\n{}\n",
        source("Acme", "incident.io", &api.url(), "")
    ));
    std::fs::write(dir.path().join("mttx.toml"), text).unwrap();
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = report(dir.path(), "r", &[]);
    let by_vendor = |v: &str| rows.values().filter(|r| r["vendor"] == v).count();
    assert_eq!(by_vendor("Tailspin"), 12, "the status page's incidents");
    assert_eq!(by_vendor("Acme"), 1, "the tool's incident");
}

#[test]
fn a_redirect_on_the_same_host_keeps_the_token_and_counts_under_its_limit() {
    let dir = temp();
    let t0 = at("2024-06-03T10:00:00Z");
    let inner = apis::firehydrant(Api::new(vec![apis::fh_incident(1, t0)]));
    let route: Route = Arc::new(
        move |path: &str, n: usize| match path.strip_prefix("/moved") {
            Some(rest) => inner(rest, n),
            None => crate::server::Reply::Status(
                301,
                vec![("Location".into(), format!("/moved{path}"))],
                String::new(),
            ),
        },
    );
    let server = serve(route);
    config(
        dir.path(),
        &[source("Acme", "firehydrant", &server.url(), "")],
    );
    let o = sync(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stored_incidents(&dir.path().join("vendors.db")), 1);
    let heads = server.stats.heads.lock().unwrap();
    let moved: Vec<&String> = heads
        .iter()
        .map(|h| &h.1)
        .filter(|h| h.starts_with("GET /moved"))
        .collect();
    assert_eq!(moved.len(), 1);
    assert!(
        moved[0].to_lowercase().contains("authorization: bearer"),
        "{}",
        moved[0]
    );
}
