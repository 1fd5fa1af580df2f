//! A first sync and a re-sync of 10,000 PagerDuty incidents (with an acknowledgement and a
//! resolve log entry each) from a fake API on 127.0.0.1 answering every request after 2 ms,
//! through the built `mttx` binary: wall time, requests, the most in flight at once, and the
//! least time 4 requests in flight allow (requests x 2 ms / 4).
//! `cargo bench --profile fast --bench sync_sources` (`MTTX_BENCH_BIN` runs another build,
//! `MTTX_BENCH_DIR` puts the stores elsewhere); docs/performance.md has the numbers.
//! Not a test: it asserts nothing about time.

#[path = "../tests/apis.rs"]
#[allow(dead_code)]
mod apis;
#[path = "../tests/server.rs"]
#[allow(dead_code)]
mod server;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use apis::{Api, at};
use chrono::Duration as Span;

const INCIDENTS: usize = 10_000;
const DELAY: Duration = Duration::from_millis(2);
const ROUNDS: usize = 3;

fn main() {
    let start = at("2025-01-01T00:00:00Z");
    let mut items = Vec::with_capacity(INCIDENTS);
    let mut entries = Vec::with_capacity(2 * INCIDENTS);
    for n in 1..=INCIDENTS {
        // One every 45 minutes: about 310 days, two 180-day windows.
        let t = start + Span::minutes(45 * n as i64);
        let inc = apis::pd_incident(n, t, Some(t + Span::minutes(30)));
        let id = inc["id"].as_str().unwrap().to_string();
        entries.push(apis::pd_entry(
            &format!("A{n}"),
            "acknowledge_log_entry",
            &id,
            t + Span::minutes(4),
        ));
        entries.push(apis::pd_entry(
            &format!("R{n}"),
            "resolve_log_entry",
            &id,
            t + Span::minutes(30),
        ));
        items.push(inc);
    }
    let api = Api::new(items);
    api.write().unwrap().entries = entries;
    let server = server::Server::start(apis::pagerduty(api), DELAY);
    // MTTX_BENCH_BIN: another build, for A/B runs against the same fake API.
    let bin = std::env::var("MTTX_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_mttx").into());
    println!(
        "{INCIDENTS} PagerDuty incidents, {} ms a request, {ROUNDS} rounds",
        DELAY.as_millis()
    );
    println!(
        "{:<10} {:>9} {:>9} {:>8} {:>12}",
        "sync", "time_s", "requests", "peak", "floor_s(4)"
    );
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir_in(
            std::env::var("MTTX_BENCH_DIR")
                .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("mttx.toml"),
            format!(
                "store = \"vendors.db\"\n\n[[source]]\nname = \"Acme\"\ntool = \"pagerduty\"\ntoken_env = \"MTTX_BENCH_TOKEN\"\nurl = \"{}\"\nsince = \"2025-01-01\"\n",
                server.url()
            ),
        )
        .unwrap();
        for kind in ["first", "re-sync"] {
            server.stats.reset();
            let began = Instant::now();
            let o = std::process::Command::new(&bin)
                .current_dir(dir.path())
                .args(["sync", "--quiet"])
                .env("MTTX_BENCH_TOKEN", "bench-token")
                .output()
                .unwrap();
            let took = began.elapsed();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let requests = server.stats.count();
            let floor = DELAY.as_secs_f64() * requests as f64 / 4.0;
            println!(
                "{kind:<10} {:>9.3} {requests:>9} {:>8} {floor:>12.3}",
                took.as_secs_f64(),
                server.stats.peak.load(Ordering::SeqCst)
            );
        }
    }
}
