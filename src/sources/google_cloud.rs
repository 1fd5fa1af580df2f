//! Google Cloud's status page (`platform = "google-cloud"`, detected from
//! status.cloud.google.com): one `incidents.json` a sync, every incident whole (format 2); read
//! back as the platform's own list under the configured name.

use serde_json::Value;

use super::feed::{self, one, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

use crate::error::Result;
use crate::ingest::RawTable;
use crate::ingest::platform_rows::{Incident, Lines, Out};
use crate::model::Level;

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

/// Google Cloud's `incidents.json` items as incidents (`vendor`: a synced document's name).
pub(crate) fn read(
    name: &str,
    items: &[Value],
    lines: &Lines,
    vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let mut out = Out::new(false);
    for item in items {
        let id = text(item.get("id")).unwrap_or_default();
        let impact = match item.get("status_impact").and_then(Value::as_str) {
            Some("SERVICE_OUTAGE") => Some(Level::MajorOutage),
            Some("SERVICE_DISRUPTION") => Some(Level::PartialOutage),
            Some("SERVICE_INFORMATION") => Some(Level::DegradedPerformance),
            _ => Some(Level::MajorOutage),
        };
        let components = (item.get("affected_products").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|p| text(p.get("title")))
            .collect();
        out.incident(
            lines.of("id", &id),
            Incident {
                vendor: vendor.unwrap_or("Google Cloud").into(),
                title: text(item.get("external_desc")),
                severity: text(item.get("severity")),
                impact,
                components,
                started: text(item.get("begin")),
                detected: text(item.get("created")),
                resolved: text(item.get("end")),
                id,
            },
        );
    }
    Ok(Some(out.tables(name)?))
}
