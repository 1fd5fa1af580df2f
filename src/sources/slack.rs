//! Slack's status page (`platform = "slack"`, detected from slack-status.com): one
//! `/api/v2.0.0/history` a sync, every incident whole (format 4); read back as the platform's
//! own list under the configured name.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

use crate::error::Result;
use crate::ingest::RawTable;
use crate::ingest::platform_rows::{Incident, Lines, Out};
use crate::model::Level;
use crate::time::parse_timestamp;

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

/// Slack's history items as incidents (`vendor`: a synced document's name).
pub(crate) fn read(
    name: &str,
    items: &[Value],
    lines: &Lines,
    vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let mut out = Out::new(false);
    for item in items {
        let id = text(item.get("id")).unwrap_or_default();
        let kind = text(item.get("type"));
        let impact = match kind.as_deref() {
            Some("outage") => Some(Level::MajorOutage),
            Some("incident") => Some(Level::PartialOutage),
            Some("notice") => Some(Level::DegradedPerformance),
            Some("maintenance") => Some(Level::UnderMaintenance),
            _ => Some(Level::MajorOutage),
        };
        let status = text(item.get("status")).unwrap_or_default();
        // The newest note's time, not date_updated (later edits move that).
        let newest = (item.get("notes").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|n| text(n.get("date_created")))
            .max_by_key(|t| parse_timestamp(t, &chrono_tz::Tz::UTC).unwrap_or(i64::MIN));
        let resolved = matches!(status.as_str(), "resolved" | "completed")
            .then_some(newest)
            .flatten();
        let created = text(item.get("date_created"));
        out.incident(
            lines.of("id", &id),
            Incident {
                vendor: vendor.unwrap_or("Slack").into(),
                title: text(item.get("title")),
                severity: kind,
                impact,
                components: (item.get("services").and_then(Value::as_array))
                    .into_iter()
                    .flatten()
                    .filter_map(|s| text(Some(s)))
                    .collect(),
                started: created.clone(),
                detected: created,
                resolved,
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}
