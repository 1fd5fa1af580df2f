//! A status page's Atom feed (`platform = "atom"`, detected from a `.atom` URL): one feed a
//! sync, each entry stored whole as XML text (format 6); read back as a feed under the
//! configured name.

pub(crate) mod read;

use super::feed;
use super::{Ended, Platform, Sink, VendorJob};
use crate::store::{NewIncident, VendorState};
use crate::time::parse_timestamp;

pub const PLATFORM: Platform = Platform {
    name: "atom",
    format: 6,
    detect: |u| u.to_ascii_lowercase().ends_with(".atom"),
    published_partial: super::statuspage::STATUSPAGE_PARTIAL,
    sync,
    document,
};

fn sync(job: &VendorJob, sink: &mut dyn Sink) -> Ended {
    feed::sync(job, sink, PLATFORM.name, "/history.atom", items)
}

/// The entries of the feed.
pub fn items(bytes: &[u8]) -> Result<Vec<NewIncident>, String> {
    atom_items(&String::from_utf8_lossy(bytes))
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

/// The stored entries as one feed titled after the vendor.
fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    let title = v.name.replace('&', "&amp;").replace('<', "&lt;");
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{title} Status - Incident History</title>\n<author><name>{title}</name></author>\n"
    );
    for r in raws {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("</feed>\n");
    (s, crate::ingest::Format::Atom)
}
