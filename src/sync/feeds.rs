//! Status platforms other than Statuspage as `sync` keeps them: one document a sync (Google
//! Cloud's `incidents.json`, AWS Health's current events, Slack's history, Better Stack's
//! `index.json`, a page's `history.atom`), cut into incidents the store keeps (an incident
//! read again replaces the stored one when it changed), and rebuilt into the platform's own
//! document, under the configured vendor name, for ingest. AWS lists only the events open now:
//! its history builds up over repeated syncs.

use serde_json::{Value, json};

use crate::store::NewIncident;
use crate::time::{format_utc, parse_timestamp};

/// The platforms synced as one document.
pub const FEEDS: [&str; 5] = ["google-cloud", "aws", "slack", "betterstack", "atom"];

/// Whether `platform` is synced as one document.
pub fn is_feed(platform: &str) -> bool {
    FEEDS.contains(&platform)
}

/// The platform a URL names unambiguously, if any.
pub fn detect(url: &str) -> Option<&'static str> {
    let u = url.to_ascii_lowercase();
    if u.contains("status.cloud.google.com") {
        Some("google-cloud")
    } else if u.contains("health.aws.amazon.com") || u.contains("currentevents") {
        Some("aws")
    } else if u.contains("slack-status.com") {
        Some("slack")
    } else if u.ends_with(".atom") {
        Some("atom")
    } else if u.contains("betteruptime.com") || u.contains("betterstack.com") {
        Some("betterstack")
    } else {
        None
    }
}

/// The document's URL: as configured when it names a document, else the platform's path.
pub fn url(platform: &str, base: &str) -> String {
    let path = base.splitn(4, '/').nth(3).unwrap_or("");
    if !path.is_empty() {
        return base.to_string();
    }
    let tail = match platform {
        "google-cloud" => "/incidents.json",
        "aws" => "/public/currentevents",
        "slack" => "/api/v2.0.0/history",
        "betterstack" => "/index.json",
        _ => "/history.atom",
    };
    format!("{base}{tail}")
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The incidents of a platform's document, as the store keeps them.
pub fn items(platform: &str, bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    if platform == "atom" {
        return atom_items(&String::from_utf8_lossy(bytes));
    }
    let text_of = crate::ingest::decode_json(bytes).map_err(|e| e.to_string())?;
    let doc: Value =
        serde_json::from_str(&text_of).map_err(|e| format!("not the {platform} JSON: {e}"))?;
    let list = |v: &Value| -> Result<Vec<Value>, String> {
        v.as_array()
            .cloned()
            .ok_or_else(|| format!("not the {platform} document (no list of incidents)"))
    };
    let one = |raw: &Value, id: Option<String>, final_: bool, started: Option<String>| {
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
    };
    let out: Vec<NewIncident> = match platform {
        "google-cloud" => list(&doc)?
            .iter()
            .filter_map(|i| {
                one(
                    i,
                    text(i.get("id")),
                    i.get("end").is_some_and(|e| !e.is_null()),
                    text(i.get("begin")),
                )
            })
            .collect(),
        "slack" => list(&doc)?
            .iter()
            .filter_map(|i| {
                let done = matches!(
                    text(i.get("status")).as_deref(),
                    Some("resolved" | "completed")
                );
                one(i, text(i.get("id")), done, text(i.get("date_created")))
            })
            .collect(),
        "aws" => {
            let events = if doc.is_array() {
                list(&doc)?
            } else {
                list(doc.get("current").unwrap_or(&Value::Null))?
            };
            events
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
                .collect()
        }
        "betterstack" => better_stack_items(&doc)?,
        _ => {
            return Err(format!(
                "platform '{platform}' is not synced as one document"
            ));
        }
    };
    Ok(out)
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

/// An Atom feed's entries, each whole.
fn atom_items(text: &str) -> Result<Vec<NewIncident>, String> {
    if !text.contains("<feed") {
        return Err("not an Atom feed (no <feed> element)".into());
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("<entry") {
        let start = at + i;
        let Some(len) = text[start..].find("</entry>") else {
            break;
        };
        let end = start + len + "</entry>".len();
        let entry = &text[start..end];
        at = end;
        let id = entry
            .split("/incidents/")
            .nth(1)
            .map(|r| {
                r.chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty());
        let Some(id) = id else { continue };
        let published = entry
            .split("<published>")
            .nth(1)
            .and_then(|r| r.split("</published>").next())
            .map(str::to_string);
        let final_ = ["Resolved", "Completed"]
            .iter()
            .any(|l| entry.contains(&format!("&lt;strong&gt;{l}&lt;/strong&gt;")));
        out.push(NewIncident {
            id,
            status: None,
            final_,
            updated_at: published.clone(),
            started_at: published.filter(|p| parse_timestamp(p, &chrono_tz::Tz::UTC).is_ok()),
            raw: entry.to_string(),
        });
    }
    Ok(out)
}

/// The stored incidents of a `platform` vendor as the platform's own document, under `vendor`;
/// `true` when it is an Atom feed (not JSON).
pub fn document(platform: &str, vendor: &str, raws: &[String]) -> (String, bool) {
    if platform == "atom" {
        let title = vendor.replace('&', "&amp;").replace('<', "&lt;");
        let mut s = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{title} Status - Incident History</title>\n<author><name>{title}</name></author>\n"
        );
        for r in raws {
            s.push_str(r);
            s.push('\n');
        }
        s.push_str("</feed>\n");
        return (s, true);
    }
    let values: Vec<Value> = raws
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let doc = if platform == "betterstack" {
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
        json!({ "data": page, "included": included })
    } else {
        json!({ "mttx_vendor": vendor, "mttx_platform": platform, "items": values })
    };
    (doc.to_string(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_platform_and_base_urls_get_its_path() {
        assert_eq!(
            detect("https://status.cloud.google.com"),
            Some("google-cloud")
        );
        assert_eq!(
            detect("https://www.githubstatus.com/history.atom"),
            Some("atom")
        );
        assert_eq!(detect("https://www.githubstatus.com"), None);
        assert_eq!(
            url("slack", "https://slack-status.com"),
            "https://slack-status.com/api/v2.0.0/history"
        );
        assert_eq!(
            url("google-cloud", "http://127.0.0.1:9/x/incidents.json"),
            "http://127.0.0.1:9/x/incidents.json"
        );
    }
}
