//! AWS Health (`platform = "aws"`, detected from health.aws.amazon.com or a `currentevents`
//! URL): one `/public/currentevents` a sync (UTF-16 with a BOM), every event whole (format 3);
//! read back as the platform's own list under the configured name. AWS lists only the events
//! open now, so its history builds up over repeated syncs.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};
use crate::time::format_utc;

pub const PLATFORM: Platform = Platform {
    name: "aws",
    format: 3,
    detect: |u| {
        let u = u.to_ascii_lowercase();
        u.contains("health.aws.amazon.com") || u.contains("currentevents")
    },
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    let mut ended = feed::sync(job, sink, PLATFORM.name, "/public/currentevents", items);
    ended.has_history = Some(false);
    if ended.error.is_none() {
        ended.notes.push(
            "AWS lists only the events open now: its history builds up over repeated syncs".into(),
        );
    }
    ended
}

/// The events listed (a bare list or `{current: [...]}`): final once their status is 0.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    let events = if doc.is_array() {
        feed::list(&doc, PLATFORM.name)?
    } else {
        feed::list(doc.get("current").unwrap_or(&Value::Null), PLATFORM.name)?
    };
    Ok(events
        .iter()
        .filter_map(|e| {
            let start = text(e.get("date"))
                .and_then(|s| s.parse::<f64>().ok())
                .map(|s| format_utc((s * 1000.0) as i64));
            one(
                e,
                text(e.get("arn")),
                text(e.get("status")).as_deref() == Some("0"),
                start,
            )
        })
        .collect())
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    feed::items_document(PLATFORM.name, &v.name, raws)
}
