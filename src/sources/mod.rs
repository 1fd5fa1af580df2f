//! Every source of incidents, one module each: the incident tools' APIs (`[[source]]` in
//! mttx.toml: PagerDuty, incident.io, FireHydrant, Rootly, Jira) behind [`Tool`], and the status
//! platforms (`[[vendor]]`: Statuspage and incident.io pages, Google Cloud, AWS Health, Slack,
//! Better Stack, Atom feeds) behind [`Platform`]. Each module owns what it fetches, how it pages,
//! and how its stored payloads become what a report reads; adding one is one new file and one
//! line in [`TOOLS`] or [`PLATFORMS`]. `sync` only orchestrates (threads, the writer, the store).
//!
//! `sync` asks a tool to [`Tool::fetch`] with a [`Plan`] (how far back, what changed since the
//! last sync, which stored incidents are still open) through an [`Api`] (the shared HTTP client
//! with the source's base URL and its token's header); the tool hands back batches of
//! [`NewIncident`]s whose `raw` is the payload as received. Reports turn each stored payload into
//! a canonical record with [`Tool::record`], then read the records as any NDJSON file is read.
//!
//! Tokens: read from the named environment variable only ([`Secret`]); sent in a header to the
//! source's own host (the HTTP client never forwards an `Authorization` header on a redirect);
//! every message that could carry an answer's text is cleaned of the token before anyone sees it.

pub mod atom;
pub mod aws;
pub mod betterstack;
pub mod feed;
pub mod firehydrant;
pub mod google_cloud;
pub mod incident_io;
pub mod jira;
pub mod pagerduty;
mod rails_zones;
pub mod rootly;
pub mod slack;
pub mod statuspage;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::http::{Client, Hint, Hinted};
use crate::store::{NewIncident, PageInfo, VendorState};

// ---- status platforms ----

/// A vendor to sync, as configured (`[[vendor]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Vendor {
    /// The vendor's name in every report.
    pub name: String,
    /// The status page's base URL (or its document's URL), without a trailing slash.
    pub url: String,
    /// [`Platform::name`].
    pub platform: String,
    /// The weight of a partial outage in the page's own uptime figures (`published_partial`;
    /// default: the platform's).
    pub published_partial: Option<f64>,
}

/// One status platform: its name in mttx.toml, its payloads' format tag in the store, and its
/// three halves: recognising its URLs, fetching a vendor's history, and giving the stored
/// payloads back as a document ingest reads.
pub struct Platform {
    /// As written in `platform = "..."`.
    pub name: &'static str,
    /// The store's format tag of its payloads (fixed: the store's migrations name them).
    pub format: i64,
    /// Whether a URL names this platform unambiguously (used when `platform` is absent).
    pub detect: fn(&str) -> bool,
    /// The weight of a partial outage in the page's own uptime figures.
    pub published_partial: f64,
    /// Fetches what the store lacks of a vendor, handing it to the sink as it comes.
    pub sync: fn(&VendorJob, &mut dyn Sink) -> Ended,
    /// A vendor's stored payloads (by start, then id) as one document under its configured name.
    pub document: fn(&VendorState, &[String]) -> (String, crate::ingest::Format),
}

/// What a platform's sync works with.
pub struct VendorJob<'a> {
    pub client: &'a Client,
    pub vendor: &'a Vendor,
    /// The stored incidents' ids, each with whether it is final (never fetched again).
    pub held: &'a HashMap<String, bool>,
    /// Set when the store cannot be written: stop at the next step.
    pub stop: &'a AtomicBool,
}

/// Where a platform's sync hands what it fetched (the writer stores each call in one
/// transaction).
pub trait Sink {
    fn batch(&mut self, page: Option<PageInfo>, incidents: Vec<NewIncident>);
    /// A status page's published uptime (its home page).
    fn published(&mut self, components: Vec<crate::model::PublishedComponent>);
}

/// How a platform's sync ended.
#[derive(Debug, Default)]
pub struct Ended {
    /// Whether the page has a history index (`None`: not known, or not a question).
    pub has_history: Option<bool>,
    /// Incidents listed but not fetched.
    pub failed: u64,
    /// `None`: synced.
    pub error: Option<String>,
    /// What a reader should know (no history index, a walk cut short, incidents gone).
    pub notes: Vec<String>,
}

/// Every status platform; the first is the default of a URL no platform claims.
pub const PLATFORMS: [&Platform; 7] = [
    &statuspage::STATUSPAGE,
    &statuspage::INCIDENT_IO_PAGES,
    &google_cloud::PLATFORM,
    &aws::PLATFORM,
    &slack::PLATFORM,
    &betterstack::PLATFORM,
    &atom::PLATFORM,
];

/// The platform of `name` (as written in mttx.toml, any case).
pub fn platform(name: &str) -> Option<&'static Platform> {
    PLATFORMS
        .iter()
        .copied()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

/// The platform a URL names unambiguously, else Statuspage (the platform most pages run on).
pub fn detect(url: &str) -> &'static Platform {
    PLATFORMS
        .iter()
        .copied()
        .find(|p| (p.detect)(url))
        .unwrap_or(PLATFORMS[0])
}

// ---- incident tools ----

/// One incident tool: its name in mttx.toml, where its API is, and its two halves.
pub struct Tool {
    /// As written in `tool = "..."`.
    pub name: &'static str,
    /// The public API's base URL, when the tool has one (Jira has a site per customer).
    pub default_url: Option<&'static str>,
    /// The store's format tag of this tool's payloads.
    pub format: i64,
    /// The token's header value.
    pub auth: fn(&Credentials) -> String,
    /// Extra headers every request carries (media types).
    pub headers: &'static [(&'static str, &'static str)],
    /// How long a 429 asks to wait, read the tool's way (`Retry-After` is read when it says
    /// nothing).
    pub hint: Hint,
    /// Fetches what the plan asks for, handing each batch to `emit`; `Ok` holds notes a reader
    /// should see (a window split, a cursor taken).
    pub fetch: Fetch,
    /// A stored payload as a canonical record (column -> value; dimensions beside).
    pub record: fn(&Value, &Settings) -> Map<String, Value>,
}

/// A tool's fetch: batches handed to the sink as they come; notes, or the error that ended it.
pub type Fetch = fn(&Api, &Plan, &mut dyn FnMut(Vec<NewIncident>)) -> Result<Vec<String>, String>;

/// Every tool, by name.
pub const TOOLS: [&Tool; 5] = [
    &pagerduty::TOOL,
    &incident_io::TOOL,
    &firehydrant::TOOL,
    &rootly::TOOL,
    &jira::TOOL,
];

/// The tool of `name` (as written in mttx.toml, any case).
pub fn tool(name: &str) -> Option<&'static Tool> {
    TOOLS
        .iter()
        .copied()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

/// A `[[source]]` as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The vendor column of its incidents.
    pub name: String,
    /// [`Tool::name`].
    pub tool: &'static str,
    /// The API's base URL, without a trailing slash.
    pub url: String,
    /// The variable holding the token.
    pub token_env: String,
    /// Jira: the variable holding the account's e-mail.
    pub user_env: Option<String>,
    /// How far back a first sync reaches (default: 365 days before today).
    pub since: Option<NaiveDate>,
    /// The config's line of the table (for messages).
    pub line: u64,
    pub settings: Settings,
}

/// What a tool's mapping takes from the config; kept in the store beside the source, so a
/// report maps the payloads as the last sync fetched them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `since` as configured (a change makes the next sync a full one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Jira: the query (`jql`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jql: Option<String>,
    /// Jira: canonical time or severity -> field id (`[source.fields]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// incident.io: canonical time -> timestamp name (`[source.timestamps]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub timestamps: BTreeMap<String, String>,
    /// incident.io: the custom field listing the affected components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components_field: Option<String>,
}

impl Settings {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn from_json(text: Option<&str>) -> Settings {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }
}

/// A token (and Jira's e-mail) read from the environment. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a source's token header is made of.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub token: Secret,
    pub user: Option<Secret>,
}

impl Credentials {
    /// Reads the source's variables; `Err` names the first one not set (or empty).
    pub fn from_env(source: &Source) -> Result<Credentials, String> {
        let read = |name: &str| match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
            _ => Err(name.to_string()),
        };
        Ok(Credentials {
            token: read(&source.token_env)?,
            user: match &source.user_env {
                Some(u) => Some(read(u)?),
                None => None,
            },
        })
    }

    /// Every text that must never be shown: the token, the e-mail with it, and what the header
    /// carries of them (Jira's base64).
    fn secrets(&self, header: &str) -> Vec<String> {
        let mut s = vec![self.token.0.clone(), header.to_string()];
        if let Some((_, value)) = header.split_once(' ') {
            s.push(value.to_string());
        }
        s.retain(|x| x.len() >= 4);
        // The longest first: a header is replaced whole, not left as `Bearer ***`.
        s.sort_by_key(|x| std::cmp::Reverse(x.len()));
        s
    }
}

/// What a sync asks a tool for.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Incidents created (FireHydrant: started) at or after this instant.
    pub since: DateTime<Utc>,
    /// A re-sync: incidents updated at or after this instant (the last successful sync, less
    /// ten minutes); `None` on a first sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Stored incidents not yet final, with their stored payloads (PagerDuty fetches them again).
    pub open: Vec<(String, String)>,
    /// The sync's clock.
    pub now: DateTime<Utc>,
    pub settings: Settings,
}

/// How many results one page of any tool holds at most, and pages walked at most per listing
/// (a server that never says "last page" must not keep sync going).
pub const MAX_PAGES: usize = 100_000;

/// A source's API as a tool sees it: its base URL and its token's header, over the shared client.
pub struct Api<'a> {
    pub client: &'a Client,
    pub base: String,
    pub tool: &'static Tool,
    pub token_env: String,
    auth: String,
    secrets: Vec<String>,
}

/// A failed answer a tool may read (PagerDuty's cap, Rootly's offset limit).
#[derive(Debug)]
pub enum Failure {
    /// Neither 2xx nor retried: the status and the tool's own message.
    Status(u16, String),
    /// The request failed after its retries, or the body is not JSON.
    Other(String),
}

impl<'a> Api<'a> {
    pub fn new(
        client: &'a Client,
        source: &Source,
        tool: &'static Tool,
        creds: &Credentials,
    ) -> Api<'a> {
        let auth = (tool.auth)(creds);
        Api {
            client,
            base: source.url.trim_end_matches('/').to_string(),
            tool,
            token_env: source.token_env.clone(),
            secrets: creds.secrets(&auth),
            auth,
        }
    }

    /// `base` + `path`, with `query` encoded (brackets included).
    pub fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&q);
        }
        url
    }

    /// `text` with every secret replaced.
    pub fn clean(&self, text: &str) -> String {
        let mut t = text.to_string();
        for s in &self.secrets {
            t = t.replace(s.as_str(), "***");
        }
        t
    }

    /// GETs `path?query` as JSON. 401 and 403 name the token's variable.
    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        let url = self.url(path, query);
        let mut headers: Vec<(&str, &str)> = vec![("Authorization", self.auth.as_str())];
        headers.extend(self.tool.headers.iter().copied());
        let answer = self
            .client
            .call(&url, &headers, self.tool.hint)
            .map_err(|e| Failure::Other(self.clean(&e)))?;
        if !(200..300).contains(&answer.status) {
            let message = self.clean(&tool_message(&answer.body));
            return Err(match answer.status {
                401 | 403 => Failure::Other(format!(
                    "{url}: HTTP {}: {message} (check the token in ${})",
                    answer.status, self.token_env
                )),
                s => Failure::Status(s, format!("{url}: HTTP {s}: {message}")),
            });
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| Failure::Other(format!("{url}: not the {} JSON: {e}", self.tool.name)))
    }
}

impl Failure {
    pub fn message(self) -> String {
        match self {
            Failure::Status(_, m) | Failure::Other(m) => m,
        }
    }
}

/// The message a tool's error body carries: the first of the usual places, else the body's
/// start.
pub fn tool_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return text.trim().chars().take(200).collect();
    };
    let candidates = [
        v.pointer("/error/message"),
        v.pointer("/errors/0/message"),
        v.pointer("/errors/0/detail"),
        v.pointer("/errors/0/title"),
        v.pointer("/errorMessages/0"),
        v.pointer("/message"),
        v.pointer("/detail"),
        v.pointer("/error"),
    ];
    let message = candidates
        .into_iter()
        .flatten()
        .find_map(|m| m.as_str().map(str::to_string))
        .unwrap_or_else(|| text.trim().chars().take(200).collect());
    // PagerDuty's error code tells its cases apart (2002: past the offset cap).
    match v.pointer("/error/code").and_then(Value::as_i64) {
        Some(code) => format!("{message} (code {code})"),
        None => message,
    }
}

/// `X-RateLimit-Reset`-style hints: a header holding UTC epoch seconds.
pub fn epoch_hint(h: &Hinted, header: &str, now: SystemTime) -> Option<Duration> {
    let at: u64 = (h.headers)(header)?.trim().parse().ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(at);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

// ---- mapping helpers shared by the tools ----

/// A text value: strings trimmed (empty is none), numbers as written.
/// Booleans too (the tools' flags), as `true`/`false`.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Bool(b) => Some(b.to_string()),
        other => crate::ingest::platform_rows::text(Some(other)),
    }
}

/// A time as canonical text: RFC 3339 UTC with milliseconds. Offsets as `Z`, `+00:00`,
/// `-07:00` or Jira's `+0000`, 0 to 6 fraction digits. A value that is none of these is kept
/// as written, for validation to reject with its reason.
pub fn time(v: Option<&Value>) -> Option<String> {
    let t = text(v)?;
    let parsed = DateTime::parse_from_rfc3339(&t)
        .or_else(|_| DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M%z"));
    Some(match parsed {
        Ok(d) => utc_text(d.with_timezone(&Utc)),
        Err(_) => t,
    })
}

/// An instant as stored and sent: RFC 3339 UTC with milliseconds.
pub fn utc_text(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The texts of a list's items at `pointer`, in API order.
pub fn list(v: Option<&Value>, pointer: &str) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| text(i.pointer(pointer)))
                .collect()
        })
        .unwrap_or_default()
}

/// A list joined with `;` (none when empty).
pub fn joined(items: Vec<String>) -> Option<String> {
    (!items.is_empty()).then(|| items.join(";"))
}

/// A canonical record under construction.
#[derive(Default)]
pub struct Record(Map<String, Value>);

impl Record {
    /// Starts a record with every canonical column (empty where the payload has no value).
    pub fn new() -> Record {
        let mut m = Map::new();
        for c in crate::model::col::RECORD {
            m.insert(c.to_string(), Value::Null);
        }
        Record(m)
    }

    pub fn set(&mut self, key: &str, value: Option<String>) -> &mut Record {
        self.0
            .insert(key.to_string(), value.map_or(Value::Null, Value::String));
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// A source's stored payloads as NDJSON canonical records, the vendor column its name; a
/// payload that is not JSON gives a record with its id alone, which validation rejects with
/// the reason (nothing is dropped without a word).
pub fn records(tool: &Tool, vendor: &str, raws: &[String], settings: &Settings) -> String {
    let mut out = String::new();
    for raw in raws {
        let mut m = match serde_json::from_str::<Value>(raw) {
            Ok(v) => (tool.record)(&v, settings),
            Err(_) => Record::new().into_map(),
        };
        m.insert("vendor".into(), Value::String(vendor.to_string()));
        out.push_str(&Value::Object(m).to_string());
        out.push('\n');
    }
    out
}

/// A stored vendor's payloads as what ingest reads: its platform's own document, or its tool's
/// canonical records as NDJSON. `Err` is a note: a platform or tool this mttx does not know.
pub fn stored_document(
    v: &VendorState,
    raws: &[String],
) -> Result<(String, crate::ingest::Format), String> {
    if v.source {
        let tool = tool(&v.platform).ok_or_else(|| {
            format!(
                "{}: tool '{}' is not one this mttx reads: its incidents are left out",
                v.name, v.platform
            )
        })?;
        let settings = Settings::from_json(v.settings.as_deref());
        let text = records(tool, &v.name, raws, &settings);
        return Ok((text, crate::ingest::Format::Ndjson));
    }
    let platform = platform(&v.platform).ok_or_else(|| {
        format!(
            "{}: platform '{}' is not one this mttx reads: its incidents are left out",
            v.name, v.platform
        )
    })?;
    Ok((platform.document)(v, raws))
}

/// Where a stored vendor's document comes among a report's inputs: Statuspage documents, then
/// other platforms', then incident tools' records, each group by name.
pub fn reading_order(v: &VendorState) -> (u8, String) {
    let rank = match (v.source, platform(&v.platform)) {
        (true, _) => 2,
        (false, Some(p)) if p.format == crate::store::FORMAT_STATUSPAGE => 0,
        (false, _) => 1,
    };
    (rank, v.name.clone())
}

/// The date of `d` minus one day, as `YYYY-MM-DD` (for APIs that read dates in a zone of their
/// own: ask a day early, keep what the returned times place in the window).
pub fn day_before(d: DateTime<Utc>) -> String {
    (d - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string()
}

/// The stored form of an incident: its id in the tool, whether it is final (never fetched again
/// by id), its status, when it was last updated and started, and the payload as received.
pub struct Stored<'a> {
    pub id: Option<String>,
    pub final_: bool,
    pub status: Option<String>,
    pub updated_at: Option<String>,
    pub started_at: Option<String>,
    pub raw: &'a Value,
}

impl Stored<'_> {
    /// `None` for a payload without an id (it cannot be stored or deduplicated).
    pub fn into_new(self) -> Option<NewIncident> {
        Some(NewIncident {
            id: self.id?,
            status: self.status,
            final_: self.final_,
            updated_at: self.updated_at,
            started_at: self.started_at,
            raw: self.raw.to_string(),
        })
    }
}

/// Hands on the items of `page` at `key` that `keep` takes, as `stored` keeps them, less those
/// already handed on; how many items the page held.
pub fn take(
    page: &Value,
    key: &str,
    keep: impl Fn(&Value) -> bool,
    stored: fn(&Value) -> Option<NewIncident>,
    seen: &mut std::collections::HashSet<String>,
    emit: &mut dyn FnMut(Vec<NewIncident>),
) -> usize {
    let items = page.get(key).and_then(Value::as_array);
    let batch: Vec<NewIncident> = items
        .into_iter()
        .flatten()
        .filter(|i| keep(i))
        .filter_map(stored)
        .collect();
    emit(dedupe(batch, seen));
    items.map_or(0, Vec::len)
}

/// Keeps the first of each id, in order (pages shift while incidents change).
pub fn dedupe(
    items: Vec<NewIncident>,
    seen: &mut std::collections::HashSet<String>,
) -> Vec<NewIncident> {
    items
        .into_iter()
        .filter(|i| seen.insert(i.id.clone()))
        .collect()
}

#[cfg(test)]
mod tests;
