//! Slack's status page (`platform = "slack"`, detected from slack-status.com): one
//! `/api/v2.0.0/history` a sync, every incident whole (format 4); read back as the platform's
//! own list under the configured name.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

pub const PLATFORM: Platform = Platform {
    name: "slack",
    format: 4,
    detect: |u| u.to_ascii_lowercase().contains("slack-status.com"),
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    feed::sync(job, sink, PLATFORM.name, "/api/v2.0.0/history", items)
}

/// The incidents of the history: final once resolved or completed.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    Ok(feed::list(&doc, PLATFORM.name)?
        .iter()
        .filter_map(|i| {
            let done = matches!(
                text(i.get("status")).as_deref(),
                Some("resolved" | "completed")
            );
            one(i, text(i.get("id")), done, text(i.get("date_created")))
        })
        .collect())
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    feed::items_document(PLATFORM.name, &v.name, raws)
}
