//! What the status platforms synced as one document share (Google Cloud's `incidents.json`,
//! AWS Health's current events, Slack's history, Better Stack's `index.json`, a page's
//! `history.atom`): one request a sync for the whole document, cut by the platform's module into
//! incidents the store keeps (an incident read again replaces the stored one when it changed),
//! and rebuilt from the stored payloads into the platform's own document, under the configured
//! vendor name, for ingest.

use serde_json::{Value, json};

use super::{Ended, Sink, VendorJob};
use crate::http::Got;
use crate::store::NewIncident;

/// Cuts a fetched document into the incidents the store keeps.
pub type Items = fn(&[u8]) -> Result<Vec<NewIncident>, String>;

/// The document's URL: as configured when it names a document, else `base` + the platform's
/// path.
pub fn url(base: &str, tail: &str) -> String {
    let path = base.splitn(4, '/').nth(3).unwrap_or("");
    if !path.is_empty() {
        return base.to_string();
    }
    format!("{base}{tail}")
}

/// Fetches the one document at `url(vendor, tail)` and hands its incidents on; a missing
/// document (404) fails the vendor.
pub fn sync(
    job: &VendorJob,
    sink: &mut dyn Sink,
    platform: &str,
    tail: &str,
    items: Items,
) -> Ended {
    let url = url(&job.vendor.url, tail);
    let error = match job.client.get(&url, items) {
        Ok(Got::Found(incidents)) => {
            sink.batch(None, incidents);
            None
        }
        Ok(Got::NotFound) => Some(format!("{url}: 404: no {platform} document there")),
        Err(e) => Some(format!("{url}: {e}")),
    };
    Ended {
        has_history: Some(true),
        failed: u64::from(error.is_some()),
        error,
        notes: Vec::new(),
    }
}

/// A text value: strings trimmed (empty is none), numbers as written.
pub(crate) use crate::ingest::platform_rows::text;

/// A JSON document (UTF-8, UTF-8 with a BOM, or UTF-16 with a BOM) of `platform`.
pub fn json_doc(bytes: &[u8], platform: &str) -> Result<Value, String> {
    let text_of = crate::ingest::decode_json(bytes).map_err(|e| e.to_string())?;
    serde_json::from_str(&text_of).map_err(|e| format!("not the {platform} JSON: {e}"))
}

/// The list `v` holds, or an error naming `platform`.
pub fn list(v: &Value, platform: &str) -> Result<Vec<Value>, String> {
    v.as_array()
        .cloned()
        .ok_or_else(|| format!("not the {platform} document (no list of incidents)"))
}

/// One item as the store keeps it (`None` without an id).
pub fn one(
    raw: &Value,
    id: Option<String>,
    final_: bool,
    started: Option<String>,
) -> Option<NewIncident> {
    id.map(|id| NewIncident {
        id,
        status: text(raw.get("status")),
        final_,
        updated_at: text(raw.get("modified"))
            .or_else(|| text(raw.get("date_updated")))
            .or_else(|| text(raw.get("most_recent_update"))),
        started_at: started,
        raw: raw.to_string(),
    })
}

/// A list platform's stored items as the document ingest reads: the items under the vendor's
/// configured name and the platform's name.
pub fn items_document(
    platform: &str,
    vendor: &str,
    raws: &[String],
) -> (String, crate::ingest::Format) {
    let values: Vec<Value> = raws
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let doc = json!({ "mttx_vendor": vendor, "mttx_platform": platform, "items": values });
    (doc.to_string(), crate::ingest::Format::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_platform_and_base_urls_get_its_path() {
        let detect = |u: &str| crate::sources::detect(u).name;
        assert_eq!(detect("https://status.cloud.google.com"), "google-cloud");
        assert_eq!(detect("https://www.githubstatus.com/history.atom"), "atom");
        assert_eq!(
            detect("https://status.betterstack.com/history.atom"),
            "atom"
        );
        assert_eq!(detect("https://status.betteruptime.com"), "betterstack");
        assert_eq!(detect("https://www.githubstatus.com"), "statuspage");
        assert_eq!(
            url("https://slack-status.com", "/api/v2.0.0/history"),
            "https://slack-status.com/api/v2.0.0/history"
        );
        assert_eq!(
            url("http://127.0.0.1:9/x/incidents.json", "/incidents.json"),
            "http://127.0.0.1:9/x/incidents.json"
        );
    }
}
