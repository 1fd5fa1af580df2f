//! Google Cloud's status page (`platform = "google-cloud"`, detected from
//! status.cloud.google.com): one `incidents.json` a sync, every incident whole (format 2); read
//! back as the platform's own list under the configured name.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

pub const PLATFORM: Platform = Platform {
    name: "google-cloud",
    format: 2,
    detect: |u| u.to_ascii_lowercase().contains("status.cloud.google.com"),
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    feed::sync(job, sink, PLATFORM.name, "/incidents.json", items)
}

/// The incidents of `incidents.json`: final once they have an end.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    Ok(feed::list(&doc, PLATFORM.name)?
        .iter()
        .filter_map(|i| {
            one(
                i,
                text(i.get("id")),
                i.get("end").is_some_and(|e| !e.is_null()),
                text(i.get("begin")),
            )
        })
        .collect())
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    feed::items_document(PLATFORM.name, &v.name, raws)
}
