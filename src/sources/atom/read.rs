//! Statuspage `history.atom` (and the same Atom layout from other pages): one incident per
//! `<entry>` (found by [`super::xml`], the reader sync shares), read as a report page. Its id
//! is the code at the end of the entry's link (`/incidents/bhbcjn4n3jzp`, the API's id, so an
//! entry and the same incident from `incidents.json` are one incident), not the numeric
//! `<id>`; an entry without such a link keeps its `<id>`. Where the XML breaks off, the
//! entries before are read and the break is one rejected row. The content is HTML: the updates
//! newest first, each `<small>Aug <var data-var='date'>21</var>, <var data-var='time'>00:37</var>
//! UTC</small><br><strong>Resolved</strong> - body`. Updates carry no year: each takes the
//! year that puts it nearest to the entry's `<published>` (an incident across New Year). The
//! last `Resolved` or `Completed` update takes the seconds of `<published>` when they agree to
//! the minute (`published` is the API's `resolved_at`). The vendor is the feed's author, else
//! its title without " Status - Incident History".

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::xml::{AtomEntry, NotAtom};
use crate::error::{Error, Result};
use crate::ingest::statuspage_page::{Entry, Page, tables};
use crate::ingest::{DerivedIncident, IngestOptions, RawTable, TextTable};
use crate::markup::decode_entities;
use crate::time::{MS_PER_MIN, parse_timestamp};

/// Labels of a maintenance's updates.
const MAINTENANCE: [&str; 3] = ["Scheduled", "In progress", "Verifying"];

/// Reads an Atom feed of incidents.
pub(crate) fn read(name: &str, text: &str, opts: &IngestOptions) -> Result<Vec<RawTable>> {
    let feed = match super::xml::read(text) {
        Ok(feed) => feed,
        Err(NotAtom::Rss) => {
            // Azure's status feed, AWS's all.rss: the items active now or the last updates,
            // no history (no incident ids, starts cut off).
            let empty = TextTable::<DerivedIncident>::new().into_raw(name)?;
            return Ok(vec![RawTable {
                note: Some(format!(
                    "{name}: not read: an RSS status feed holds only what is active now (or the last updates), not a history"
                )),
                ..empty
            }]);
        }
        Err(NotAtom::Other(why)) => {
            return Err(Error::File {
                source_name: name.to_string(),
                message: format!(
                    "not an Atom feed ({why}): mttx reads a status page's history.atom"
                ),
            });
        }
    };
    let vendor = feed.author.clone().or_else(|| {
        (feed.title.as_deref()).map(|t| {
            t.trim_end_matches(" - Incident History")
                .trim_end_matches(" Status")
                .to_string()
        })
    });
    let mut entries: Vec<Entry> = (feed.entries.iter())
        .map(|e| entry(e, vendor.clone(), opts))
        .collect();
    if let Some((line, why)) = feed.broken {
        entries.push(Entry {
            line,
            id: String::new(),
            page: Err((line, format!("{why}; the rest of the feed is not read"))),
            impact: None,
        });
    }
    tables(name, entries, None, opts)
}

/// One update of an entry's content: month, day, hour, minute, zone, label, body.
static UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)<small>\s*([A-Za-z]{3})[a-z]*\.?\s*<var data-var='date'>\s*(\d{1,2})\s*</var>,\s*<var data-var='time'>\s*(\d{1,2}):(\d{2})\s*</var>\s*([A-Za-z]{2,5})?\s*</small>\s*(?:<br\s*/?>)?\s*(?:<strong>([^<]*)</strong>)?\s*-?\s*(.*?)(?:</p>|$)",
    )
    .expect("a valid pattern")
});

fn entry(e: &AtomEntry, vendor: Option<String>, opts: &IngestOptions) -> Entry {
    Entry {
        line: e.line,
        id: e.id.clone().unwrap_or_default(),
        page: page(e, vendor, opts),
        impact: None,
    }
}

fn page(
    e: &AtomEntry,
    vendor: Option<String>,
    opts: &IngestOptions,
) -> std::result::Result<Page, (u64, String)> {
    let line = e.line;
    let published = (e.published.as_deref())
        .ok_or((line, "entry without <published>".to_string()))
        .and_then(|p| {
            parse_timestamp(p, &chrono_tz::Tz::UTC)
                .map_err(|r| (line, format!("published '{p}': {r}")))
        })?;
    let html = e.content.as_deref().unwrap_or_default();
    let mut updates = Vec::new();
    for c in UPDATE.captures_iter(html) {
        let month = month_number(&c[1]).ok_or((line, format!("update month '{}'", &c[1])))?;
        let day: u32 = c[2].parse().unwrap_or(0);
        let (h, m): (i64, i64) = (c[3].parse().unwrap_or(0), c[4].parse().unwrap_or(0));
        let zone = c.get(5).map_or("UTC", |z| z.as_str());
        let offset = opts.tz_abbrev.offset(zone).ok_or((
            line,
            format!(
                "time zone '{zone}': not in the abbreviation table (give --tz-abbrev {zone}=+HH:MM)"
            ),
        ))?;
        let at = nearest_year(published, month, day, h * 60 + m - i64::from(offset))
            .ok_or((line, format!("update date {} {day}: not a day", &c[1])))?;
        let label = c
            .get(6)
            .map(|l| decode_entities(l.as_str().trim()).into_owned());
        let body = decode_entities(&strip_tags(c.get(7).map_or("", |b| b.as_str()))).into_owned();
        updates.push((label, at, body));
    }
    if updates.is_empty() {
        return Err((line, "entry without updates mttx can read".into()));
    }
    // The resolution takes the seconds of `published` when they agree to the minute.
    if let Some(u) = (updates.iter_mut())
        .filter(|u| {
            u.0.as_deref().is_some_and(|l| {
                l.eq_ignore_ascii_case("resolved") || l.eq_ignore_ascii_case("completed")
            })
        })
        .max_by_key(|u| u.1)
        && u.1 / MS_PER_MIN == published / MS_PER_MIN
    {
        u.1 = published;
    }
    updates.sort_by_key(|u| u.1);
    let maintenance = updates.iter().any(|u| {
        u.0.as_deref()
            .is_some_and(|l| MAINTENANCE.iter().any(|m| m.eq_ignore_ascii_case(l)))
    });
    let mut page = Page::from_updates(e.title.clone(), maintenance, updates, Vec::new(), opts);
    page.vendor = vendor;
    Ok(page)
}

pub(crate) fn month_number(m: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = m.to_ascii_lowercase();
    MONTHS.iter().position(|x| *x == m).map(|i| i as u32 + 1)
}

/// The instant of `month day` at `minutes` (UTC minutes of the day, may run over it) in the
/// year that puts it nearest to `published`.
fn nearest_year(published: i64, month: u32, day: u32, minutes: i64) -> Option<i64> {
    let year = crate::time::format_utc(published)[..4]
        .parse::<i32>()
        .ok()?;
    (year - 1..=year + 1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .filter_map(|d| {
            let midnight = d
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis());
            midnight.map(|m| m + minutes * MS_PER_MIN)
        })
        .min_by_key(|t| (t - published).abs())
}

/// Text of an HTML fragment: tags dropped, paragraphs and line breaks as line ends.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_is_placed_on_its_own_line() {
        // Entries of 3 lines each after a 4-line head; every third lacks <published>, so it is
        // rejected on the line its <entry> opens: 5 + 3k. Lines are counted on from entry to
        // entry (once over the feed), not from the top for each.
        let mut feed = String::from("<?xml version=\"1.0\"?>\n<feed>\n<title>T</title>\n\n");
        for k in 0..30 {
            let published = if k % 3 == 1 {
                ""
            } else {
                "<published>2025-01-01T00:00:00Z</published>"
            };
            feed.push_str(&format!(
                "<entry><id>i{k}</id>\n{published}<title>t</title>\n</entry>\n"
            ));
        }
        let opts = IngestOptions::default();
        let tables = read("h.atom", &feed, &opts).unwrap();
        let lines: Vec<u64> = (tables.iter())
            .flat_map(|t| t.broken.iter())
            .filter(|r| r.reason.contains("without <published>"))
            .map(|r| r.line)
            .collect();
        let expected: Vec<u64> = (0..30).filter(|k| k % 3 == 1).map(|k| 5 + 3 * k).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn a_feed_cut_short_is_read_up_to_the_break_and_the_break_is_one_rejected_row() {
        let entry = "<entry><id>i</id><published>2025-01-01T00:00:00Z</published><content type=\"html\">&lt;small&gt;Jan &lt;var data-var='date'&gt;1&lt;/var&gt;, &lt;var data-var='time'&gt;00:00&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - ok</content></entry>\n";
        let feed = format!(
            "<feed>\n<title>T</title>\n{}{}<entry><id>j</id><pub",
            entry.replace("<id>i", "<id>a"),
            entry.replace("<id>i", "<id>b")
        );
        let tables = read("h.atom", &feed, &IngestOptions::default()).unwrap();
        let broken: Vec<(u64, &str)> = (tables.iter())
            .flat_map(|t| t.broken.iter())
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].0, 5);
        assert!(
            broken[0].1.contains("the rest of the feed is not read"),
            "{}",
            broken[0].1
        );
        let rows: usize = (tables.iter().filter(|t| !t.derived))
            .map(|t| t.frame.height())
            .sum();
        assert_eq!(rows, 2);
    }

    #[test]
    fn an_update_takes_the_year_nearest_to_the_entrys_publication() {
        let t = |s: &str| parse_timestamp(s, &chrono_tz::Tz::UTC).unwrap();
        // Published 2 January 2025: "Dec 31" is 2024, "Jan 1" is 2025.
        let p = t("2025-01-02T01:00:00Z");
        assert_eq!(
            nearest_year(p, 12, 31, 23 * 60 + 50),
            Some(t("2024-12-31T23:50:00Z"))
        );
        assert_eq!(nearest_year(p, 1, 1, 0), Some(t("2025-01-01T00:00:00Z")));
        // Published 30 December 2024: "Jan 2" is 2025 (a maintenance scheduled ahead).
        let p = t("2024-12-30T12:00:00Z");
        assert_eq!(nearest_year(p, 1, 2, 60), Some(t("2025-01-02T01:00:00Z")));
        assert_eq!(nearest_year(p, 2, 30, 0), None);
        assert_eq!(month_number("Sep"), Some(9));
        assert_eq!(month_number("Sept"), None);
    }
}
