//! A status page's Atom feed (`platform = "atom"`, detected from a `.atom` URL): one feed a
//! sync, each entry stored whole as XML text (format 6); read back as a feed under the
//! configured name. Sync and ingest read the XML with the one reader of [`xml`], so an entry
//! has the same id in both.

pub(crate) mod read;
pub(crate) mod xml;

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

/// An Atom feed's entries, each whole; a feed whose XML breaks off stores nothing.
fn atom_items(text: &str) -> Result<Vec<NewIncident>, String> {
    let feed = xml::read(text).map_err(|e| match e {
        xml::NotAtom::Rss => "an RSS feed, not an Atom feed (no incident history)".to_string(),
        xml::NotAtom::Other(why) => format!("not an Atom feed ({why})"),
    })?;
    if let Some((line, why)) = feed.broken {
        return Err(format!("line {line}: {why}"));
    }
    let out = feed.entries.into_iter().filter_map(|e| {
        let content = e.content.unwrap_or_default();
        let final_ = ["Resolved", "Completed"]
            .iter()
            .any(|l| content.contains(&format!("<strong>{l}</strong>")));
        Some(NewIncident {
            id: e.id?,
            status: None,
            final_,
            updated_at: e.published.clone(),
            started_at: (e.published).filter(|p| parse_timestamp(p, &chrono_tz::Tz::UTC).is_ok()),
            raw: e.raw.to_string(),
        })
    });
    Ok(out.collect())
}

/// The stored entries as one feed titled after the vendor.
fn document(v: &VendorState, raws: &[String]) -> (String, crate::ingest::Format) {
    let title = quick_xml::escape::escape(&v.name);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<title>{title} Status - Incident History</title>\n<author><name>{title}</name></author>\n"
    );
    for r in raws {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("</feed>\n");
    (s, crate::ingest::Format::Atom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_keeps_each_entry_whole_under_the_id_ingest_reads() {
        let feed = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>tag:t,2005:Incident/7</id><published>2025-02-03T04:05:06Z</published>
<link href="https://status.t.test/incidents/abc123"/>
<content type="html"><![CDATA[<p><strong>Completed</strong> - done, see /incidents/zzz</p>]]></content></entry>
<entry><id>tag:t,2005:Incident/8</id><published>not a time</published>
<content type="html">&lt;strong&gt;Update&lt;/strong&gt;</content></entry>
</feed>"#;
        let items = items(feed.as_bytes()).unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        // The link's code, else the <id>: the ids ingest gives the same entries.
        let read: Vec<String> = (xml::read(feed).unwrap().entries.into_iter())
            .filter_map(|e| e.id)
            .collect();
        assert_eq!(ids, ["abc123", "tag:t,2005:Incident/8"]);
        assert_eq!(ids, read);
        assert!(items[0].final_ && !items[1].final_);
        assert_eq!(items[0].started_at.as_deref(), Some("2025-02-03T04:05:06Z"));
        assert_eq!(items[1].started_at, None);
        assert!(items[0].raw.starts_with("<entry>") && items[0].raw.ends_with("</entry>"));
        // A feed cut short stores nothing and says where it broke.
        let cut = &feed[..feed.len() - 20];
        assert!(items_err(cut).starts_with("line 6: "), "{}", items_err(cut));
        assert!(items_err("<rss/>").contains("RSS"));
    }

    fn items_err(text: &str) -> String {
        items(text.as_bytes()).unwrap_err()
    }
}
