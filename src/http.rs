//! The fetcher's HTTP: one blocking client (ureq with rustls) shared by every vendor's
//! threads, at most [`Limits::per_host`] requests in flight per host, a timeout on every
//! request, a cap on every body, and retries with backoff for what is worth retrying.
//!
//! What is retried ([`Attempt::Retry`]): connection errors, timeouts, 429 and 5xx (honouring
//! `Retry-After`, capped), a body cut short, and a body that is not the JSON expected (an HTML
//! error page from a CDN, a truncated document). What is not: a body over the cap, other 4xx;
//! a 404 is an answer of its own ([`Got::NotFound`]), since a page without a history index
//! says so with one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

/// Limits of the fetcher.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests in flight per host.
    pub per_host: usize,
    /// Connecting, then the whole request and response.
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff; it doubles (with jitter) after each failed attempt.
    pub backoff: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_wait: Duration,
    /// The largest body accepted, bytes.
    pub max_body: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_host: 4,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            attempts: 5,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            max_body: 32 << 20,
        }
    }
}

impl Limits {
    /// The defaults, with `MTTX_SYNC_BACKOFF_MS` (the first backoff, for tests of the retry
    /// paths) and `MTTX_SYNC_TIMEOUT_MS` (the request timeout) read from the environment.
    pub fn from_env() -> Limits {
        let ms = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        let mut l = Limits::default();
        if let Some(b) = ms("MTTX_SYNC_BACKOFF_MS") {
            l.backoff = b;
        }
        if let Some(t) = ms("MTTX_SYNC_TIMEOUT_MS") {
            l.request_timeout = t;
        }
        l
    }
}

/// A successful answer.
#[derive(Debug)]
pub enum Got<T> {
    Found(T),
    /// 404: the resource does not exist (a page without a history index).
    NotFound,
}

/// One attempt's outcome.
enum Attempt<T> {
    Done(Got<T>),
    /// A redirect to this URL (resolved against the one asked).
    Redirect(String),
    /// Worth another try, after at least this long (`Retry-After`) if given.
    Retry(String, Option<Duration>),
    Fail(String),
}

/// Counts kept for the summary and the tests.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

/// A counting semaphore per host.
#[derive(Default)]
struct Gate {
    busy: Mutex<usize>,
    freed: Condvar,
}

pub struct Client {
    agent: ureq::Agent,
    limits: Limits,
    hosts: Mutex<HashMap<String, Arc<Gate>>>,
    pub counters: Counters,
}

/// The lower-cased `host:port` of a URL (the unit of the in-flight limit).
pub fn host_key(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}:{p}", h.to_ascii_lowercase()),
            (Some(h), None) => h.to_ascii_lowercase(),
            (None, _) => url.to_string(),
        },
        // Not a URL: a key of its own (the request fails on its own).
        Err(_) => url.to_string(),
    }
}

/// Reads `Retry-After`: whole seconds, or an HTTP date in any of the three forms HTTP allows
/// (IMF-fixdate, RFC 850, asctime), against `now`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl Client {
    pub fn new(limits: Limits) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(limits.connect_timeout))
            .timeout_global(Some(limits.request_timeout))
            // Redirects are followed by `retrying`, hop by hop: each under its host's limit, never
            // from https to http, an `Authorization` header only to the first URL's host.
            .max_redirects(0)
            .user_agent(concat!(
                "mttx/",
                env!("CARGO_PKG_VERSION"),
                " (incident metrics; status page history)"
            ))
            .max_idle_connections_per_host(limits.per_host)
            .build();
        Client {
            agent: config.into(),
            limits,
            hosts: Mutex::new(HashMap::new()),
            counters: Counters::default(),
        }
    }

    /// Requests in flight per host at most.
    pub fn per_host(&self) -> usize {
        self.limits.per_host
    }

    fn gate(&self, url: &str) -> Arc<Gate> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(host_key(url)).or_default().clone()
    }

    /// GETs `url` and reads its body with `parse`, retrying as the module says. `Err` is the
    /// reason of the last attempt, with the URL.
    pub fn get<T>(
        &self,
        url: &str,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<Got<T>, String> {
        self.retrying(url, |at| self.once(at, &parse))
    }

    /// Runs `once` until it is done, fails, or has used its attempts, each attempt holding a
    /// place among the host's requests in flight, with backoff (or the answer's wait) between.
    fn retrying<T>(
        &self,
        first: &str,
        once: impl Fn(&str) -> Attempt<T>,
    ) -> Result<Got<T>, String> {
        let mut wait = self.limits.backoff;
        let mut attempt = 1;
        let mut hops = 0;
        let mut url = first.to_string();
        loop {
            let outcome = {
                let gate = self.gate(&url);
                let _permit = Permit::take(&gate, self.limits.per_host);
                self.counters.requests.fetch_add(1, Ordering::Relaxed);
                once(&url)
            };
            let (reason, after) = match outcome {
                Attempt::Done(got) => return Ok(got),
                Attempt::Fail(reason) => return Err(format!("{url}: {reason}")),
                Attempt::Redirect(to) => {
                    hops += 1;
                    if hops > MAX_REDIRECTS {
                        return Err(format!("{first}: more than {MAX_REDIRECTS} redirects"));
                    }
                    if url.starts_with("https:") && !to.starts_with("https:") {
                        return Err(format!(
                            "{url}: redirected from https to {to}: refused (what it serves could be changed on the way)"
                        ));
                    }
                    url = to;
                    continue;
                }
                Attempt::Retry(reason, after) => (reason, after),
            };
            if attempt >= self.limits.attempts {
                return Err(format!("{url}: {reason} (after {attempt} attempts)"));
            }
            attempt += 1;
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            let sleep = after
                .unwrap_or_else(|| jitter(wait, &url, attempt))
                .min(self.limits.max_wait);
            std::thread::sleep(sleep);
            wait = (wait * 2).min(self.limits.max_wait);
        }
    }

    /// The answer's body, refused past the size cap.
    fn body(&self, resp: &mut ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, ureq::Error> {
        resp.body_mut()
            .with_config()
            .limit(self.limits.max_body)
            .read_to_vec()
    }

    fn once<T>(&self, url: &str, parse: &impl Fn(&[u8]) -> Result<T, String>) -> Attempt<T> {
        let mut resp = match self.agent.get(url).call() {
            Ok(r) => r,
            Err(e) => return classify(e),
        };
        let status = resp.status().as_u16();
        if let Some(to) = redirect(url, &resp) {
            return to;
        }
        let after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, SystemTime::now()));
        if status == 404 {
            return Attempt::Done(Got::NotFound);
        }
        if status == 429 || status >= 500 {
            return Attempt::Retry(format!("HTTP {status}"), after);
        }
        if !(200..300).contains(&status) {
            return Attempt::Fail(format!("HTTP {status}"));
        }
        let body = match self.body(&mut resp) {
            Ok(b) => b,
            Err(e) => return classify(e),
        };
        match parse(&body) {
            Ok(v) => Attempt::Done(Got::Found(v)),
            Err(reason) => Attempt::Retry(reason, None),
        }
    }
}

/// An answer other than a retried one: its status and body (capped), for callers that read
/// error bodies themselves (an incident tool's 400 or 401 says why in its JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What a rate-limit hint reads: the answer's headers (by lower-case name) and body.
pub struct Hinted<'a> {
    pub status: u16,
    pub headers: &'a dyn Fn(&str) -> Option<String>,
    pub body: &'a [u8],
}

/// Reads how long a 429 (or 503) asks to wait, from a tool's own header or body.
pub type Hint = fn(&Hinted, SystemTime) -> Option<Duration>;

/// The standard hint: `Retry-After`.
pub fn retry_after_hint(h: &Hinted, now: SystemTime) -> Option<Duration> {
    (h.headers)("retry-after").and_then(|v| retry_after(&v, now))
}

impl Client {
    /// GETs `url` with `headers` (an API token among them: they are never part of a message),
    /// retrying connection errors, timeouts, 429 and 5xx as [`Client::get`] does, the wait of
    /// a 429 read by `hint`. Any other answer is returned whole, whatever its status.
    pub fn call(&self, url: &str, headers: &[(&str, &str)], hint: Hint) -> Result<Answer, String> {
        let host = host_key(url);
        let call = |at: &str| {
            // An `Authorization` header goes to the first URL's host only, never on to another.
            let same_host = host_key(at) == host;
            let kept: Vec<(&str, &str)> = headers
                .iter()
                .copied()
                .filter(|(k, _)| same_host || !k.eq_ignore_ascii_case("authorization"))
                .collect();
            self.call_once(at, &kept, hint)
        };
        match self.retrying(url, call)? {
            Got::Found(answer) => Ok(answer),
            // `call_once` answers every status; only `get` reads a 404 as NotFound.
            Got::NotFound => Err(format!("{url}: HTTP 404")),
        }
    }

    fn call_once(&self, url: &str, headers: &[(&str, &str)], hint: Hint) -> Attempt<Answer> {
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => return classify(e),
        };
        let status = resp.status().as_u16();
        if let Some(to) = redirect(url, &resp) {
            return to;
        }
        let body = match self.body(&mut resp) {
            Ok(b) => b,
            Err(e) => return classify(e),
        };
        if status == 429 || status >= 500 {
            let hdrs = resp.headers();
            let lookup = |name: &str| {
                hdrs.get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let after = hint(
                &Hinted {
                    status,
                    headers: &lookup,
                    body: &body,
                },
                SystemTime::now(),
            )
            .or_else(|| {
                retry_after_hint(
                    &Hinted {
                        status,
                        headers: &lookup,
                        body: &body,
                    },
                    SystemTime::now(),
                )
            });
            return Attempt::Retry(format!("HTTP {status}"), after);
        }
        Attempt::Done(Got::Found(Answer { status, body }))
    }
}

/// Redirects followed at most, one after another.
pub const MAX_REDIRECTS: u32 = 5;

/// A 3xx answer's `Location`, resolved against the URL asked (`None`: not a redirect).
fn redirect<T>(url: &str, resp: &ureq::http::Response<ureq::Body>) -> Option<Attempt<T>> {
    let status = resp.status().as_u16();
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
    Some(
        match location.and_then(|l| url::Url::parse(url).ok()?.join(l).ok()) {
            Some(to) => Attempt::Redirect(to.to_string()),
            None => Attempt::Fail(format!("HTTP {status} without a usable Location")),
        },
    )
}

/// What a transport error means for another attempt.
fn classify<T>(e: ureq::Error) -> Attempt<T> {
    match e {
        ureq::Error::BodyExceedsLimit(limit) => Attempt::Fail(format!(
            "the response is larger than {} MB: refused",
            limit >> 20
        )),
        ureq::Error::BadUri(_)
        | ureq::Error::TooManyRedirects
        | ureq::Error::RedirectFailed
        | ureq::Error::HostNotFound => Attempt::Fail(e.to_string()),
        // A TLS or certificate failure does not mend itself: said at once, with its cause.
        ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::Rustls(_) => {
            Attempt::Fail(format!("TLS: {e}"))
        }
        ureq::Error::Io(ref io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()) =>
        {
            Attempt::Fail(format!("TLS: {e}"))
        }
        other => Attempt::Retry(other.to_string(), None),
    }
}

/// `wait` give or take a quarter, varied by the URL and attempt (no clock, no RNG: two
/// vendors retrying together still spread out).
fn jitter(wait: Duration, url: &str, attempt: u32) -> Duration {
    let h = url
        .bytes()
        .fold(u64::from(attempt).wrapping_mul(0x9e37_79b9), |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let quarter = wait.as_millis() as u64 / 4;
    let spread = if quarter == 0 { 0 } else { h % (2 * quarter) };
    Duration::from_millis(wait.as_millis() as u64 - quarter + spread)
}

/// A place among a host's requests in flight, given back when dropped.
struct Permit<'a>(&'a Gate);

impl<'a> Permit<'a> {
    fn take(gate: &'a Gate, limit: usize) -> Permit<'a> {
        let mut busy = gate.busy.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= limit {
            busy = gate.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
        Permit(gate)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(|e| e.into_inner());
        *busy -= 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_keyed_by_lower_case_host_and_port() {
        assert_eq!(
            host_key("https://WWW.Example.com/api/v2/x.json"),
            "www.example.com"
        );
        assert_eq!(
            host_key("http://127.0.0.1:8080/history.json?page=2"),
            "127.0.0.1:8080"
        );
        assert_eq!(host_key("http://u:p@h.test/x"), "h.test");
        // IPv6 hosts keep their brackets; a user name with '@' does not end the host early.
        assert_eq!(host_key("http://[::1]:8080/x"), "[::1]:8080");
        assert_eq!(host_key("https://a%40b@H.test:8443/"), "h.test:8443");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        // 2023-11-14T22:13:20Z is 1_700_000_000; ten seconds later.
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now),
            Some(Duration::ZERO),
            "a date past is no wait"
        );
        assert_eq!(retry_after("soon", now), None);
        // The two obsolete forms HTTP still allows: RFC 850 and asctime.
        assert_eq!(
            retry_after("Tuesday, 14-Nov-23 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Tue Nov 14 22:13:30 2023", now),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn a_tls_failure_is_not_tried_again() {
        // A server that speaks plain HTTP where TLS is expected: the handshake fails.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = std::sync::Arc::new(AtomicU64::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(5) {
                let Ok(mut s) = stream else { break };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = std::io::Write::write_all(
                    &mut s,
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            }
        });
        let client = Client::new(Limits {
            backoff: Duration::from_millis(1),
            ..Limits::default()
        });
        let e = client
            .get(&format!("https://{addr}/x"), |_| Ok(()))
            .err()
            .unwrap();
        assert!(e.contains("TLS") || e.contains("rustls"), "{e}");
        assert!(!e.contains("attempts"), "{e}");
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "{e}");
    }

    #[test]
    fn redirects_are_followed_a_few_hops_and_never_from_https_to_http() {
        let client = Client::new(Limits::default());
        let hops = AtomicU64::new(0);
        let got = client.retrying("https://a.test/x", |at| {
            hops.fetch_add(1, Ordering::SeqCst);
            if at.ends_with("/x") {
                Attempt::Redirect("https://b.test/y".into())
            } else {
                Attempt::Done(Got::Found(at.to_string()))
            }
        });
        assert!(matches!(got, Ok(Got::Found(ref u)) if u == "https://b.test/y"));
        assert_eq!(hops.load(Ordering::SeqCst), 2);
        let down = client
            .retrying("https://a.test/x", |_| -> Attempt<()> {
                Attempt::Redirect("http://a.test/x".into())
            })
            .err()
            .unwrap();
        assert!(
            down.contains("from https to http://a.test/x: refused"),
            "{down}"
        );
        let hops = AtomicU64::new(0);
        let endless = client
            .retrying("http://a.test/0", |_| -> Attempt<()> {
                let n = hops.fetch_add(1, Ordering::SeqCst) + 1;
                Attempt::Redirect(format!("http://a.test/{n}"))
            })
            .err()
            .unwrap();
        assert!(endless.contains("more than 5 redirects"), "{endless}");
        assert_eq!(
            hops.load(Ordering::SeqCst),
            6,
            "the first request and 5 hops"
        );
    }

    #[test]
    fn jitter_stays_within_a_quarter() {
        let w = Duration::from_millis(400);
        for a in 0..50 {
            let j = jitter(w, "http://h/x", a);
            assert!(j >= Duration::from_millis(300) && j < Duration::from_millis(500));
        }
    }

    #[test]
    fn the_gate_holds_at_most_the_limit() {
        let gate = Gate::default();
        let peak = AtomicU64::new(0);
        let now = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..20 {
                        let _p = Permit::take(&gate, 3);
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(200));
                        now.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
