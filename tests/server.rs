//! A fake status page on 127.0.0.1 for the sync tests: plain `std::net`, one thread per
//! connection, every response `Connection: close`. Serves a generated Statuspage history
//! (incidents.json, history pages with a quiet quarter, one JSON per incident) and injects
//! faults by path. Counts requests and the most in flight at once. Every loop is bounded: the
//! accept loop ends when the server is dropped or after five minutes.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What the server answers to one request.
#[derive(Clone)]
pub enum Reply {
    Json(String),
    /// A body of raw bytes (a UTF-16 document, an Atom feed), as JSON.
    Bytes(Vec<u8>),
    Status(u16, Vec<(String, String)>, String),
    /// Declares `declared` bytes, sends `body`, closes.
    Truncated(String, usize),
    /// Starts the status line and headers, then closes the connection mid-response.
    Cut,
    /// Answers with this JSON only after this long (past the client's timeout).
    Stall(Duration, String),
    /// A body of this many bytes (streamed).
    Huge(usize),
    /// A status, headers and a body of raw bytes (a gzip body with its `Content-Encoding`).
    Raw(u16, Vec<(String, String)>, Vec<u8>),
}

/// Decides the reply to `(path, how many times this path was asked before)`.
pub type Route = Arc<dyn Fn(&str, usize) -> Reply + Send + Sync>;

#[derive(Default)]
pub struct Stats {
    pub requests: Mutex<Vec<String>>,
    /// Each request's head (request line and headers) and when it arrived.
    pub heads: Mutex<Vec<(Instant, String)>>,
    in_flight: AtomicUsize,
    pub peak: AtomicUsize,
}

impl Stats {
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
    pub fn count_where(&self, f: impl Fn(&str) -> bool) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| f(p))
            .count()
    }
    pub fn reset(&self) {
        self.requests.lock().unwrap().clear();
        self.heads.lock().unwrap().clear();
        self.peak.store(0, Ordering::SeqCst);
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    route: Arc<RwLock<Route>>,
}

impl Server {
    /// Starts serving `route`, each answer held `delay` first (so requests overlap).
    pub fn start(route: Route, delay: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let route = Arc::new(RwLock::new(route));
        let (st, sp, rt) = (stats.clone(), stop.clone(), route.clone());
        std::thread::spawn(move || {
            let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
            let began = Instant::now();
            while !sp.load(Ordering::SeqCst) && began.elapsed() < Duration::from_secs(300) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (st, rt, seen) = (st.clone(), rt.clone(), seen.clone());
                        std::thread::spawn(move || serve(stream, &st, &rt, &seen, delay));
                    }
                    // Short: the wait is part of every answer's time (benches/sync_sources.rs).
                    Err(_) => std::thread::sleep(Duration::from_micros(500)),
                }
            }
        });
        Server {
            addr,
            stats,
            stop,
            route,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves another route from now on.
    pub fn set_route(&self, route: Route) {
        *self.route.write().unwrap() = route;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(
    mut stream: TcpStream,
    stats: &Stats,
    route: &RwLock<Route>,
    seen: &Mutex<HashMap<String, usize>>,
    delay: Duration,
) {
    stream.set_nonblocking(false).ok();
    // Head and body are written apart: without this, Nagle's algorithm holds the body's last
    // segment for the client's delayed acknowledgement.
    stream.set_nodelay(true).ok();
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let n = {
        let mut seen = seen.lock().unwrap();
        let n = seen.entry(path.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    stats.requests.lock().unwrap().push(path.clone());
    stats
        .heads
        .lock()
        .unwrap()
        .push((Instant::now(), text.to_string()));
    let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    stats.peak.fetch_max(now, Ordering::SeqCst);
    std::thread::sleep(delay);
    let reply = (route.read().unwrap())(&path, n);
    stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    let respond = |stream: &mut TcpStream,
                   status: u16,
                   headers: &[(String, String)],
                   body: &[u8],
                   len: usize| {
        let mut h =
            format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\nConnection: close\r\n");
        for (k, v) in headers {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str("\r\n");
        let _ = stream.write_all(h.as_bytes());
        let _ = stream.write_all(body);
    };
    match reply {
        Reply::Json(body) => respond(
            &mut stream,
            200,
            &[("Content-Type".into(), "application/json".into())],
            body.as_bytes(),
            body.len(),
        ),
        Reply::Bytes(body) => respond(
            &mut stream,
            200,
            &[("Content-Type".into(), "application/json".into())],
            &body,
            body.len(),
        ),
        Reply::Status(status, headers, body) => {
            respond(&mut stream, status, &headers, body.as_bytes(), body.len())
        }
        Reply::Truncated(body, declared) => {
            respond(&mut stream, 200, &[], body.as_bytes(), declared)
        }
        Reply::Cut => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: applica");
        }
        Reply::Stall(wait, body) => {
            std::thread::sleep(wait);
            respond(&mut stream, 200, &[], body.as_bytes(), body.len())
        }
        Reply::Raw(status, headers, body) => {
            respond(&mut stream, status, &headers, &body, body.len())
        }
        Reply::Huge(size) => {
            respond(&mut stream, 200, &[], b"", size);
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < size {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len();
            }
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A generated vendor history in Statuspage's formats: incidents over 2023-2024, none in the
/// first quarter of 2024 (a quiet history page), the newest `open` of them still open.
pub struct Fixture {
    pub page_name: String,
    pub incidents: Vec<Value>,
}

const COMPONENTS: [(&str, &str); 4] = [
    ("k1api", "API"),
    ("k2web", "Web App"),
    ("k3hook", "Webhooks"),
    ("k4sso", "Single Sign-On"),
];

fn stamp(minutes: i64) -> String {
    // Minutes since 2023-01-01T00:00Z.
    let base = chrono::DateTime::parse_from_rfc3339("2023-01-01T00:00:00Z").unwrap();
    (base + chrono::Duration::minutes(minutes))
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Fixture {
    /// `n` incidents (ids `{prefix}0001`..), seeded by `seed`; the newest `open` unresolved.
    pub fn new(page_name: &str, prefix: &str, n: usize, seed: u64, open: usize) -> Fixture {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut rnd = move |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let span = 730 * 1440 - 3 * 1440; // two years, ending on 2024-12-29
        let quiet = (365 * 1440)..(456 * 1440); // 2024-01-01 .. 2024-04-01
        let mut starts: Vec<i64> = Vec::new();
        while starts.len() < n {
            let t = rnd(span as u64) as i64;
            if !quiet.contains(&t) {
                starts.push(t);
            }
        }
        starts.sort();
        let mut incidents = Vec::new();
        for (k, &t0) in starts.iter().enumerate() {
            let id = format!("{prefix}{:04}", k + 1);
            let still_open = k >= n - open;
            let comp = COMPONENTS[rnd(4) as usize];
            let second = COMPONENTS[rnd(4) as usize];
            let impact = ["minor", "major", "critical", "none"][rnd(4) as usize];
            let level = ["degraded_performance", "partial_outage", "major_outage"][rnd(3) as usize];
            let detect = t0 + 1 + rnd(20) as i64;
            let ident = detect + 5 + rnd(40) as i64;
            let mon = ident + 5 + rnd(120) as i64;
            let res = mon + 10 + rnd(240) as i64;
            let mut updates = vec![json!({
                "id": format!("{id}-u1"), "status": "investigating",
                "body": format!("We are looking into reports of trouble with {}.", comp.1),
                "created_at": stamp(detect), "display_at": stamp(detect),
                "affected_components": [{"code": comp.0, "name": comp.1,
                    "old_status": "operational", "new_status": level}]
            })];
            if rnd(3) > 0 && second != comp {
                updates.push(json!({
                    "id": format!("{id}-u2"), "status": "identified",
                    "body": "The cause is known; a fix is on its way.",
                    "created_at": stamp(ident), "display_at": stamp(ident),
                    "affected_components": [{"code": second.0, "name": second.1,
                        "old_status": "operational", "new_status": "degraded_performance"}]
                }));
            }
            if !still_open {
                updates.push(json!({
                    "id": format!("{id}-u3"), "status": "monitoring",
                    "body": "A fix is live; we are watching.",
                    "created_at": stamp(mon), "display_at": stamp(mon),
                    "affected_components": [{"code": comp.0, "name": comp.1,
                        "old_status": level, "new_status": "operational"}]
                }));
                updates.push(json!({
                    "id": format!("{id}-u4"), "status": "resolved",
                    "body": "All clear.", "created_at": stamp(res), "display_at": stamp(res),
                    "affected_components": null
                }));
            }
            updates.reverse(); // newest first, as the API lists them
            let (status, resolved, updated) = if still_open {
                ("investigating", Value::Null, stamp(detect))
            } else {
                ("resolved", json!(stamp(res)), stamp(res))
            };
            incidents.push(json!({
                "id": id, "name": format!("Trouble with {} ({})", comp.1, k + 1),
                "status": status, "impact": impact,
                "created_at": stamp(detect), "started_at": stamp(t0), "updated_at": updated,
                "monitoring_at": if still_open { Value::Null } else { json!(stamp(mon)) },
                "resolved_at": resolved, "shortlink": format!("https://stspg.test/{id}"),
                "page_id": "pg1",
                "components": [{"id": comp.0, "name": comp.1, "status": "operational", "group_id": null}],
                "incident_updates": updates
            }));
        }
        Fixture {
            page_name: page_name.into(),
            incidents,
        }
    }

    pub fn page(&self) -> Value {
        json!({"id": "pg1", "name": self.page_name, "url": "https://status.test",
               "time_zone": "Etc/UTC", "updated_at": "2024-12-30T00:00:00.000Z"})
    }

    /// `incidents.json`: the newest 50, newest first.
    pub fn listing(&self) -> String {
        let newest: Vec<&Value> = self.incidents.iter().rev().take(50).collect();
        json!({"page": self.page(), "incidents": newest}).to_string()
    }

    /// History page `p` (1-based): three calendar months, newest first, from 2024-10..12
    /// back to 2023-01..03; past that, no months.
    pub fn history(&self, p: usize) -> String {
        if p == 0 || p > 8 {
            return json!({"months": []}).to_string();
        }
        let mut months = Vec::new();
        for i in 0..3 {
            let idx = 24 - 3 * (p - 1) - i - 1; // months since 2023-01, newest first
            let (year, month) = (2023 + idx / 12, idx % 12 + 1);
            let prefix = format!("{year}-{month:02}");
            let listed: Vec<Value> = self
                .incidents
                .iter()
                .rev()
                .filter(|inc| inc["started_at"].as_str().unwrap().starts_with(&prefix))
                .map(|inc| {
                    json!({"code": inc["id"], "name": inc["name"], "impact": inc["impact"],
                                   "message": "..."})
                })
                .collect();
            let name = chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, 1)
                .unwrap()
                .format("%B")
                .to_string();
            months.push(json!({"name": name, "year": year, "incidents": listed}));
        }
        json!({"months": months}).to_string()
    }

    pub fn single(&self, code: &str) -> Option<String> {
        self.incidents
            .iter()
            .find(|i| i["id"] == code)
            .map(|i| json!({"page": self.page(), "incident": i}).to_string())
    }

    /// Resolves an open incident (as a vendor would between two syncs).
    pub fn resolve(&mut self, id: &str) {
        let inc = self.incidents.iter_mut().find(|i| i["id"] == id).unwrap();
        inc["status"] = json!("resolved");
        inc["resolved_at"] = json!("2024-12-30T12:00:00.000Z");
        inc["updated_at"] = json!("2024-12-30T12:00:00.000Z");
        inc["incident_updates"].as_array_mut().unwrap().insert(
            0,
            json!({"id": "late", "status": "resolved", "body": "Resolved.",
                               "created_at": "2024-12-30T12:00:00.000Z",
                               "display_at": "2024-12-30T12:00:00.000Z"}),
        );
    }

    /// The whole history as one `{page, incidents}` document named `vendor`: what a report
    /// from the store must equal.
    pub fn document(&self, vendor: &str) -> String {
        let mut page = self.page();
        page["name"] = json!(vendor);
        json!({"page": page, "incidents": self.incidents}).to_string()
    }
}

/// The route of a fixture behind `Arc<RwLock<_>>`: the three endpoints, 404 elsewhere.
pub fn statuspage(f: Arc<RwLock<Fixture>>, history: bool) -> Route {
    Arc::new(move |path: &str, _n: usize| {
        let f = f.read().unwrap();
        if path == "/api/v2/incidents.json" {
            return Reply::Json(f.listing());
        }
        if let Some(p) = path.strip_prefix("/history.json?page=") {
            if !history {
                return Reply::Status(404, vec![], "<html>Not Found</html>".into());
            }
            return Reply::Json(f.history(p.parse().unwrap_or(0)));
        }
        if let Some(code) = path
            .strip_prefix("/api/v2/incidents/")
            .and_then(|c| c.strip_suffix(".json"))
            && let Some(body) = f.single(code)
        {
            return Reply::Json(body);
        }
        Reply::Status(404, vec![], "not found".into())
    })
}
