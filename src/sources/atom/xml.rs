//! The one reader of an Atom feed's XML, shared by sync (which stores each entry whole) and
//! ingest (which reads each entry's updates). quick-xml finds the elements: an Atom element is
//! one in the Atom namespace, by any prefix, or in none (feeds without `xmlns`); elements of
//! other namespaces are passed over. Text has its entities and character references decoded
//! (HTML's named ones too, by `markup`), CDATA is taken as written. An entry's id is the code
//! at the end of its link to the incident page (`/incidents/bhbcjn4n3jzp`, the API's id), else
//! its `<id>`.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::markup::decode_entities;

/// The Atom namespace.
const ATOM: &[u8] = b"http://www.w3.org/2005/Atom";

/// A feed as read: its head's names and its entries in the feed's order.
#[derive(Debug, Default)]
pub(crate) struct Feed<'a> {
    /// The feed's `<title>`.
    pub title: Option<String>,
    /// The feed's `<author><name>`.
    pub author: Option<String>,
    pub entries: Vec<AtomEntry<'a>>,
    /// Where the XML stopped being readable (line, what was wrong); the entries before it are
    /// kept, the one open there is not.
    pub broken: Option<(u64, String)>,
}

/// One `<entry>`: its text as in the feed and the fields mttx reads.
#[derive(Debug, Default)]
pub(crate) struct AtomEntry<'a> {
    /// The entry from `<entry` to `</entry>`, as written.
    pub raw: &'a str,
    /// The line its `<entry` opens on (from 1).
    pub line: u64,
    /// The incident's code from the link, else the `<id>`.
    pub id: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    /// The content's text: for `type="html"` (Statuspage's) the HTML, decoded from its XML
    /// escaping; for `type="xhtml"` the text of its elements, their markup left out.
    pub content: Option<String>,
}

/// What a document is when it is not an Atom feed.
#[derive(Debug, PartialEq)]
pub(crate) enum NotAtom {
    /// An RSS feed (`<rss>`).
    Rss,
    /// Anything else: what its first element is, or why no element could be read.
    Other(String),
}

/// The fields of an entry mttx keeps, by their local name.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Id,
    Published,
    Title,
    Content,
}

/// Reads `text` as an Atom feed.
pub(crate) fn read(text: &str) -> Result<Feed<'_>, NotAtom> {
    let mut reader = NsReader::from_str(text);
    // A bare `&` ("AT&T", written by hand into a feed) is text, as a browser reads it, not the
    // end of the feed.
    reader.config_mut().allow_dangling_amp = true;
    let mut r = Reading {
        text,
        feed: Feed::default(),
        lines: Lines::new(text),
        path: Vec::new(),
        entry: None,
        value: None,
        head: None,
    };
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok(e) => e,
            Err(e) => {
                if r.path.is_empty() {
                    return Err(NotAtom::Other(format!("not XML ({e})")));
                }
                let line = r.lines.at(reader.error_position() as usize);
                r.feed.broken = Some((line, format!("XML: {e}")));
                return Ok(r.feed);
            }
        };
        let atom = match ns {
            ResolveResult::Bound(n) => n.0 == ATOM,
            ResolveResult::Unbound => true,
            ResolveResult::Unknown(_) => false,
        };
        match event {
            Event::Start(e) if r.path.is_empty() => {
                root(&e, atom)?;
                r.path.push(Some(b"feed".to_vec()));
            }
            Event::Empty(e) if r.path.is_empty() => {
                root(&e, atom)?;
                return Ok(r.feed);
            }
            Event::Start(e) => r.start(&e, atom, before),
            Event::Empty(e) => {
                let name = atom.then(|| e.local_name().as_ref().to_vec());
                r.opened(&e, name.as_deref());
            }
            Event::End(_) => {
                r.end(reader.buffer_position() as usize);
                if r.path.is_empty() {
                    return Ok(r.feed);
                }
            }
            Event::Text(t) => r.push(&decode_entities(&t.decode().unwrap_or_default())),
            Event::GeneralRef(g) => r.push(&decode_entities(&format!(
                "&{};",
                g.decode().unwrap_or_default()
            ))),
            Event::CData(c) => r.push(&String::from_utf8_lossy(&c.into_inner())),
            Event::Eof => {
                if r.path.is_empty() {
                    return Err(NotAtom::Other("no <feed> element".into()));
                }
                let line = r.lines.at(text.len());
                r.feed.broken = Some((line, "the feed ends before </feed> (cut short?)".into()));
                return Ok(r.feed);
            }
            _ => {}
        }
    }
}

/// A feed being read, element by element.
struct Reading<'a> {
    text: &'a str,
    feed: Feed<'a>,
    lines: Lines<'a>,
    /// The open elements from <feed> down: their local name for Atom ones, none for others.
    path: Vec<Option<Vec<u8>>>,
    /// The entry open now, with the offset of its `<entry`.
    entry: Option<(usize, AtomEntry<'a>)>,
    /// The entry's field whose text is being read.
    value: Option<(Field, String)>,
    /// The head's title or name whose text is being read.
    head: Option<String>,
}

impl<'a> Reading<'a> {
    /// An element opens at offset `at`.
    fn start(&mut self, e: &BytesStart, atom: bool, at: usize) {
        let name = atom.then(|| e.local_name().as_ref().to_vec());
        self.opened(e, name.as_deref());
        if self.path.len() == 1 && name.as_deref() == Some(b"entry") {
            let line = self.lines.at(at);
            self.entry = Some((
                at,
                AtomEntry {
                    line,
                    ..Default::default()
                },
            ));
        }
        if self.entry.is_none() && matches!(name.as_deref(), Some(b"title" | b"name")) {
            self.head = Some(String::new());
        }
        self.path.push(name);
    }

    /// An element opened (or an empty one) under an entry: a field starts a value, the link
    /// gives the incident's code.
    fn opened(&mut self, e: &BytesStart, name: Option<&[u8]>) {
        let Some((_, en)) = self.entry.as_mut() else {
            return;
        };
        if self.path.len() != 2 {
            return;
        }
        let field = match name {
            Some(b"id") => Field::Id,
            Some(b"published") => Field::Published,
            Some(b"title") => Field::Title,
            Some(b"content") => Field::Content,
            Some(b"link") => {
                if let Some(code) = incident_code(e) {
                    en.id = Some(code);
                }
                return;
            }
            _ => return,
        };
        self.value = Some((field, String::new()));
    }

    /// The element open last closes; the document has been read up to offset `at`.
    fn end(&mut self, at: usize) {
        let name = self.path.pop().flatten();
        if let Some((field, v)) = self.value.take_if(|_| self.path.len() == 2)
            && let Some((_, en)) = self.entry.as_mut()
        {
            set(en, field, v);
        }
        if let Some(h) = self.head.take() {
            head_name(&mut self.feed, name.as_deref(), &self.path, h);
        }
        if self.path.len() == 1
            && name.as_deref() == Some(b"entry")
            && let Some((start, mut en)) = self.entry.take()
        {
            en.raw = &self.text[start..at];
            self.feed.entries.push(en);
        }
    }

    /// Text read inside the value being collected (an entry's field or a head name).
    fn push(&mut self, s: &str) {
        if let Some((_, v)) = self.value.as_mut() {
            v.push_str(s);
        } else if let Some(h) = self.head.as_mut() {
            h.push_str(s);
        }
    }
}

/// The document's first element must be Atom's `<feed>`.
fn root(e: &BytesStart, atom: bool) -> Result<(), NotAtom> {
    let name = e.local_name();
    if atom && name.as_ref() == b"feed" {
        return Ok(());
    }
    Err(if name.as_ref() == b"rss" {
        NotAtom::Rss
    } else {
        NotAtom::Other(format!(
            "its first element is <{}>, not <feed>",
            String::from_utf8_lossy(e.name().as_ref())
        ))
    })
}

/// The code at the end of a link's `href` to an incident page.
fn incident_code(link: &BytesStart) -> Option<String> {
    let href = link.try_get_attribute("href").ok()??;
    let href = decode_entities(&String::from_utf8_lossy(&href.value)).into_owned();
    let tail = href.split("/incidents/").nth(1)?;
    let code: String = tail
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!code.is_empty()).then_some(code)
}

/// A field's text, trimmed (empty is none); the link's code stays the id over `<id>`.
fn set(en: &mut AtomEntry, field: Field, v: String) {
    let v = Some(v.trim().to_string()).filter(|v| !v.is_empty());
    match field {
        Field::Id => en.id = en.id.take().or(v),
        Field::Published => en.published = v,
        Field::Title => en.title = v,
        Field::Content => en.content = v,
    }
}

/// The feed's own `<title>` and its author's `<name>`, the first of each.
fn head_name(feed: &mut Feed, name: Option<&[u8]>, path: &[Option<Vec<u8>>], text: String) {
    let text = Some(text.trim().to_string()).filter(|t| !t.is_empty());
    match (name, path) {
        (Some(b"title"), [_]) if feed.title.is_none() => feed.title = text,
        (Some(b"name"), [_, Some(author)]) if author == b"author" && feed.author.is_none() => {
            feed.author = text
        }
        _ => {}
    }
}

/// Line numbers of byte offsets that only grow, counted on from the last (never from the top).
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset > self.at {
            self.line += memchr::memchr_iter(b'\n', &self.text[self.at..offset]).count() as u64;
            self.at = offset;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed of three entries in three spellings: escaped HTML content and a link; a prefixed
    /// Atom namespace with CDATA content and no link; a foreign element beside the fields.
    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:m="http://example.test/media">
  <a:title>Fabrikam &amp; Co Status - Incident History</a:title>
  <a:author><a:name>Fabrikam &#38; Co</a:name></a:author>
  <a:entry>
    <a:id>tag:status.fabrikam.test,2005:Incident/41</a:id>
    <a:published>2025-05-01T10:00:00Z</a:published>
    <a:link rel="alternate" href="https://status.fabrikam.test/incidents/q1w2e3r4?utm=a&amp;b=c"/>
    <m:title>not the entry's title</m:title>
    <a:title>Queue &lt;eu&gt; &#x2013; delays&nbsp;seen at AT&T</a:title>
    <a:content type="html">&lt;p&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - Jobs &amp;amp; queues run.&lt;/p&gt;</a:content>
  </a:entry>
  <a:entry>
    <a:id>tag:status.fabrikam.test,2005:Incident/42</a:id>
    <a:published>2025-05-02T10:00:00Z</a:published>
    <a:content type="html"><![CDATA[<p><strong>Investigating</strong> - 1 &lt; 2</p>]]></a:content>
  </a:entry>
</a:feed>
"#;

    #[test]
    fn elements_are_found_by_namespace_and_text_is_decoded_once() {
        let feed = read(FEED).unwrap();
        assert_eq!(
            feed.title.as_deref(),
            Some("Fabrikam & Co Status - Incident History")
        );
        assert_eq!(feed.author.as_deref(), Some("Fabrikam & Co"));
        assert_eq!(feed.entries.len(), 2);
        let (a, b) = (&feed.entries[0], &feed.entries[1]);
        // The link's code (its query dropped) is the id; the numeric <id> is not.
        assert_eq!(a.id.as_deref(), Some("q1w2e3r4"));
        assert_eq!(a.line, 5);
        assert_eq!(a.published.as_deref(), Some("2025-05-01T10:00:00Z"));
        // The foreign <m:title> is passed over; XML, numeric and HTML references decoded
        // (`&nbsp;` as a plain space, as everywhere in mttx: `markup`).
        // A bare `&` stays as written.
        assert_eq!(
            a.title.as_deref(),
            Some("Queue <eu> \u{2013} delays seen at AT&T")
        );
        // The content's HTML, its own escapes left for the HTML reader: decoded once.
        assert_eq!(
            a.content.as_deref(),
            Some("<p><strong>Resolved</strong> - Jobs &amp; queues run.</p>")
        );
        assert!(a.raw.starts_with("<a:entry>") && a.raw.ends_with("</a:entry>"));
        // Without a link the <id> is the id; CDATA is taken as written.
        assert_eq!(
            b.id.as_deref(),
            Some("tag:status.fabrikam.test,2005:Incident/42")
        );
        assert_eq!(
            b.content.as_deref(),
            Some("<p><strong>Investigating</strong> - 1 &lt; 2</p>")
        );
        assert_eq!(b.line, 13);
        assert!(feed.broken.is_none());
    }

    #[test]
    fn a_feed_cut_short_keeps_the_entries_before_the_break() {
        let cut = &FEED[..FEED.find("<a:content type=\"html\"><![CDATA").unwrap() + 30];
        let feed = read(cut).unwrap();
        assert_eq!(feed.entries.len(), 1);
        let (line, why) = feed.broken.unwrap();
        assert_eq!(line, 16, "{why}");
        // A wrong closing tag is a break where it stands.
        let wrong = FEED.replace("</a:entry>\n  <a:entry>", "</a:entri>\n  <a:entry>");
        let feed = read(&wrong).unwrap();
        assert_eq!(feed.entries.len(), 0);
        assert_eq!(feed.broken.unwrap().0, 12);
    }

    #[test]
    fn documents_that_are_not_atom_feeds_say_what_they_are() {
        assert_eq!(
            read("<rss version=\"2.0\"><channel/></rss>").unwrap_err(),
            NotAtom::Rss
        );
        let html = read("<!DOCTYPE html>\n<html><body>status</body></html>").unwrap_err();
        assert_eq!(
            html,
            NotAtom::Other("its first element is <html>, not <feed>".into())
        );
        // A <feed> of another namespace is not Atom's.
        let other = read("<feed xmlns=\"http://example.test/\"></feed>").unwrap_err();
        assert!(matches!(other, NotAtom::Other(_)));
        assert!(matches!(read("").unwrap_err(), NotAtom::Other(_)));
        assert!(read("<feed/>").unwrap().entries.is_empty());
    }
}
