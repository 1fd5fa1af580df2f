//! Better Stack status pages (`platform = "betterstack"`, detected from betteruptime.com or
//! betterstack.com): one `index.json` a sync; each status report is stored with its updates
//! (format 5), and the page's resources ride on a pseudo-incident `_resources`; read back as an
//! `index.json` under the configured name.

use serde_json::{Value, json};

use super::feed::{self, text};
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};

pub const PLATFORM: Platform = Platform {
    name: "betterstack",
    format: 5,
    detect: |u| {
        let u = u.to_ascii_lowercase();
        !u.ends_with(".atom") && (u.contains("betteruptime.com") || u.contains("betterstack.com"))
    },
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    feed::sync(job, sink, PLATFORM.name, "/index.json", items)
}

/// The reports of `index.json`, and its resources.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    let doc: Value = feed::json_doc(bytes, PLATFORM.name)?;
    better_stack_items(&doc)
}

/// Better Stack: each status report with the updates and resources it names, as one object.
fn better_stack_items(doc: &Value) -> Result<Vec<NewIncident>, String> {
    let included = doc
        .get("included")
        .and_then(Value::as_array)
        .ok_or("not a Better Stack index.json (no included list)")?;
    let by_type = |t: &'static str| {
        included
            .iter()
            .filter(move |x| x.get("type").and_then(Value::as_str) == Some(t))
    };
    let mut out = Vec::new();
    for report in by_type("status_report") {
        let Some(id) = text(report.get("id")) else {
            continue;
        };
        let update_ids: Vec<String> = (report
            .pointer("/relationships/status_updates/data")
            .and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(|r| text(r.get("id")))
        .collect();
        let updates: Vec<&Value> = by_type("status_update")
            .filter(|u| text(u.get("id")).is_some_and(|i| update_ids.contains(&i)))
            .collect();
        let a = report.get("attributes").unwrap_or(&Value::Null);
        let final_ = text(a.get("aggregate_state")).as_deref() == Some("resolved");
        let bundle = json!({ "report": report, "updates": updates });
        out.push(NewIncident {
            id,
            status: text(a.get("aggregate_state")),
            final_,
            updated_at: updates
                .iter()
                .filter_map(|u| text(u.pointer("/attributes/published_at")))
                .max(),
            started_at: text(a.get("starts_at")),
            raw: bundle.to_string(),
        });
    }
    // The resources (their public names) ride on a pseudo-incident of their own.
    let resources: Vec<&Value> = by_type("status_page_resource").collect();
    out.push(NewIncident {
        id: "_resources".into(),
        status: None,
        final_: false,
        updated_at: None,
        started_at: None,
        raw: json!({ "resources": resources, "page": doc.get("data") }).to_string(),
    });
    Ok(out)
}

fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    let values: Vec<Value> = raws
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let vendor = &v.name;
    let mut included: Vec<Value> = Vec::new();
    let mut page = json!({"type": "status_page", "attributes": {}});
    for v in &values {
        if let Some(res) = v.get("resources").and_then(Value::as_array) {
            included.extend(res.iter().cloned());
            page = v.get("page").cloned().unwrap_or(page);
        }
        if let Some(r) = v.get("report") {
            included.push(r.clone());
            included.extend(
                v.get("updates")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
    }
    page["attributes"]["company_name"] = json!(vendor);
    let doc = json!({ "data": page, "included": included });
    (doc.to_string(), crate::ingest::Format::Json)
}
