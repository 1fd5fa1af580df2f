//! Impact windows a report page states in so many words (contract section 4): "from 15:00 UTC
//! until 16:35 UTC", "starting at 9:54 UTC, ending at 9:57 UTC", "between 12:45 and 12:55
//! UTC", "12:45 - 12:55 UTC", and in the title "1203 to 1420 UTC". A window needs a zone
//! abbreviation; prose without one is never turned into a window.
//!
//! Only retrospective text is searched: the title, the postmortem, the final Resolved or
//! Completed post, and text after the last post. The date is the nearest one written before the
//! window in the same text ("On March 20th, 2019"; a date without a year takes the year of the
//! posts), else the date of the first post; with neither there is no window.
//! Windows stated twice count once, and an envelope that contains two or more stated windows
//! ("between 12:45 and 15:21", then the three outages inside it) gives way to them.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{MONTHS, Page};
use crate::ingest::IngestOptions;
use crate::time::{MS_PER_MIN, civil_from_days, days_from_civil};

const DAY: i64 = 86_400_000;

/// A window as found: where it starts in the text, its two clock times `(hour, minute)` and
/// their zone abbreviations.
type Found = (usize, [(i64, i64); 2], [Option<String>; 2]);
const T: &str = r"(\d{1,2}):(\d{2})\s*([AaPp]\.?[Mm]\.?)?";
const Z: &str = r"([A-Z]{2,5})\b";

static WINDOWS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"(?i:\bfrom)\s+{T}(?:\s*{Z})?\s+(?i:until|till|to)\s+{T}\s*{Z}"),
        format!(r"(?i:\bstarting at)\s+{T}(?:\s*{Z})?,?\s+(?i:ending at)\s+{T}\s*{Z}"),
        format!(r"(?i:\bbetween)\s+{T}(?:\s*{Z})?\s+(?i:and)\s+{T}\s*{Z}"),
        format!(r"\b{T}(?:\s*{Z})?\s*[-–—]\s*{T}\s*{Z}"),
    ]
    .iter()
    .map(|r| Regex::new(r).expect("valid regex"))
    .collect()
});

static TITLE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(\d{{2}})(\d{{2}})\s*(?i:to|-|–)\s*(\d{{2}})(\d{{2}})\s*{Z}"
    ))
    .expect("valid regex")
});

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?|\b(\d{4})-(\d{2})-(\d{2})\b",
    )
    .expect("valid regex")
});

/// A time of day as `(hour, minute)` from `h`, `m` and an optional am/pm.
fn clock(h: &str, m: &str, ampm: Option<&str>) -> Option<(i64, i64)> {
    let (mut h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    match ampm.map(|s| s.to_ascii_lowercase().starts_with('p')) {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    (h < 24 && m < 60).then_some((h, m))
}

/// `(year, month, day)` of the dates mentioned in `text`, with their positions. A date
/// without a year takes `default_year`; without that it is no date.
fn dates(text: &str, default_year: Option<i64>) -> Vec<(usize, (i64, u32, u32))> {
    DATE.captures_iter(text)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            if let Some(y) = c.get(4) {
                let (y, m, d) = (
                    y.as_str().parse().ok()?,
                    c[5].parse().ok()?,
                    c[6].parse().ok()?,
                );
                return Some((at, (y, m, d)));
            }
            let month = MONTHS.iter().position(|m| c[1].eq_ignore_ascii_case(m))? as u32 + 1;
            let day: u32 = c[2].parse().ok()?;
            let year = c
                .get(3)
                .and_then(|y| y.as_str().parse().ok())
                .or(default_year)?;
            (day >= 1 && day <= crate::time::days_in_month(year, month))
                .then_some((at, (year, month, day)))
        })
        .collect()
}

/// A stated window that fits the incident's posts (the postmortem aside): it starts at most a
/// week before the first post and no later than the last. One that starts after the last post
/// is read a day earlier (the date written was the end's: "On February 15, between 6:35 pm UTC
/// and 4:15 am UTC"). When the only post is the postmortem, a window fits if it starts within
/// 90 days before it. Without posts every window fits.
fn plausible(start: i64, end: i64, updates: &[super::Update]) -> Option<(i64, i64)> {
    let posts = || {
        updates
            .iter()
            .filter(|u| u.label.as_deref() != Some("Postmortem"))
            .map(|u| u.at)
    };
    let (first, last) = match (posts().min(), posts().max()) {
        (Some(f), Some(l)) => (f - 7 * DAY, l),
        _ => match updates.iter().map(|u| u.at).max() {
            Some(postmortem) => (postmortem - 90 * DAY, postmortem),
            None => return Some((start, end)),
        },
    };
    let fits = |s: i64| s >= first && s <= last;
    if fits(start) {
        Some((start, end))
    } else if start > last && fits(start - DAY) {
        Some((start - DAY, end - DAY))
    } else {
        None
    }
}

/// Finds the stated windows of a page (needs its updates read) and stores them in `page`.
pub(super) fn find(page: &mut Page, opts: &IngestOptions) {
    let first_post = page.detected();
    let year_of_posts = first_post.map(|t| civil_from_days(t.div_euclid(DAY)).0);
    let mut found: Vec<(i64, i64)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let title = page.title.clone().unwrap_or_default();
    let blocks = std::iter::once(title.as_str()).chain(retrospective(page));
    for (block_no, text) in blocks.enumerate() {
        let mentioned = dates(text, year_of_posts);
        for (at, times, zones) in pairs_in(text, block_no == 0) {
            // "9:00 AM" without a zone: the regex may take the AM for one; it is none.
            let meridian = |z: &Option<String>| matches!(z.as_deref(), Some("AM" | "PM"));
            if zones.iter().any(meridian) {
                continue;
            }
            // The date: the last one written before the window, else the first post's.
            let date_before = (mentioned.iter().rfind(|(pos, _)| *pos < at)).map(|(_, d)| *d);
            let stated = Stated {
                times,
                zones,
                date_before,
                first_post,
            };
            match stated.window(opts, &page.updates) {
                Ok(w) => found.push(w),
                Err(note) => notes.push(note),
            }
        }
    }
    notes.dedup();
    page.notes.extend(notes);
    page.stated = without_envelopes(found);
}

/// The retrospective blocks after the title: the postmortem, the final Resolved or Completed
/// post, and text after the last post (a postmortem cut short). An earlier update describes
/// the moment ("an import ran between 12:00 and 13:00"), not the impact.
fn retrospective(page: &Page) -> Vec<&str> {
    let resolution =
        |u: &&super::Update| matches!(u.label.as_deref(), Some("Resolved" | "Completed"));
    let last_resolution = page.updates.iter().filter(resolution).map(|u| u.at).max();
    let mut blocks: Vec<&str> = (page.updates.iter())
        .filter(|u| {
            u.label.as_deref() == Some("Postmortem")
                || (resolution(u) && last_resolution == Some(u.at))
        })
        .map(|u| u.body.as_str())
        .collect();
    blocks.push(&page.tail);
    blocks
}

/// The time ranges written in `text`, each with where it starts and its zones (the second's
/// zone for both when only the end has one); the title's "1203 to 1420 UTC" too.
fn pairs_in(text: &str, title: bool) -> Vec<Found> {
    let mut spans: Vec<Captures> = Vec::new();
    for re in WINDOWS.iter() {
        spans.extend(re.captures_iter(text));
    }
    let mut pairs: Vec<Found> = (spans.iter())
        .filter_map(|c| {
            let t1 = clock(&c[1], &c[2], c.get(3).map(|m| m.as_str()))?;
            let t2 = clock(&c[5], &c[6], c.get(7).map(|m| m.as_str()))?;
            let z2 = c.get(8).map(|m| m.as_str().to_string());
            let z1 = c.get(4).map(|m| m.as_str().to_string()).or(z2.clone());
            Some((c.get(0)?.start(), [t1, t2], [z1, z2]))
        })
        .collect();
    if title {
        pairs.extend(TITLE_RANGE.captures_iter(text).filter_map(|c| {
            let t1 = clock(&c[1], &c[2], None)?;
            let t2 = clock(&c[3], &c[4], None)?;
            let z = Some(c[5].to_string());
            Some((c.get(0)?.start(), [t1, t2], [z.clone(), z]))
        }));
    }
    pairs
}

/// One stated range and what dates it.
struct Stated {
    times: [(i64, i64); 2],
    zones: [Option<String>; 2],
    /// The last date written before it in the same text.
    date_before: Option<(i64, u32, u32)>,
    first_post: Option<i64>,
}

impl Stated {
    /// The window in UTC, or the note saying why it was not used.
    fn window(
        &self,
        opts: &IngestOptions,
        updates: &[super::Update],
    ) -> std::result::Result<(i64, i64), String> {
        let [z1, z2] = &self.zones;
        let offset = |z: &Option<String>| z.as_deref().and_then(|z| opts.tz_abbrev.offset(z));
        let (Some(o1), Some(o2)) = (offset(z1), offset(z2)) else {
            let z = if offset(z1).is_none() { z1 } else { z2 };
            let z = z.as_deref().unwrap_or("?");
            return Err(format!(
                "a stated window in unknown time zone '{z}' was not used (give --tz-abbrev {z}=+HH:MM)"
            ));
        };
        let date = self.date_before.or_else(|| {
            (self.first_post).map(|t| civil_from_days((t + o1 as i64 * MS_PER_MIN).div_euclid(DAY)))
        });
        let Some((y, m, d)) = date else {
            return Err("a stated window without a date was not used".into());
        };
        let [t1, t2] = self.times;
        let midnight = days_from_civil(y, m, d) * DAY;
        let start = midnight + ((t1.0 * 60 + t1.1) - o1 as i64) * MS_PER_MIN;
        let mut end = midnight + ((t2.0 * 60 + t2.1) - o2 as i64) * MS_PER_MIN;
        if end <= start {
            end += DAY; // past midnight
        }
        plausible(start, end, updates).ok_or_else(|| {
            format!(
                "a stated window ({} to {}) lies outside the posts' timeline and was not used",
                crate::time::format_utc(start),
                crate::time::format_utc(end)
            )
        })
    }
}

/// The windows found, each once, in order; an envelope of two or more of them gives way.
fn without_envelopes(mut found: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    found.sort_unstable();
    found.dedup();
    (found.iter().copied())
        .filter(|w| {
            (found.iter())
                .filter(|o| *o != w && o.0 >= w.0 && o.1 <= w.1)
                .count()
                < 2
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use crate::time::format_utc;

    fn windows(text: &str) -> Vec<(String, String)> {
        let p = parse(text, &IngestOptions::default()).unwrap();
        p.stated
            .iter()
            .map(|&(a, b)| (format_utc(a), format_utc(b)))
            .collect()
    }

    fn page(title: &str, body: &str) -> String {
        format!(
            "{title}\nIncident Report for Acme\nResolved\n{body}\nPosted Mar 20, 2019 - 18:00 CET\nInvestigating\nLooking.\nPosted Mar 20, 2019 - 16:12 CET\nThis incident affected: API.\n"
        )
    }

    #[test]
    fn from_until_with_a_date_in_the_sentence() {
        let w = windows(&page(
            "T",
            "We were down on March 19th, 2019 from 15:00 UTC until 16:35 UTC.",
        ));
        assert_eq!(
            w,
            [("2019-03-19T15:00:00Z".into(), "2019-03-19T16:35:00Z".into())]
        );
    }

    #[test]
    fn starting_ending_twice_counts_once_and_the_date_comes_from_the_posts() {
        let body = "The first one starting at 9:54 UTC, ending at 9:57 UTC.\nThe second starting at 10:15 CET, ending at 10:21 CET.\nAgain: starting at 9:54 UTC, ending at 9:57 UTC.";
        let w = windows(&page("T", body));
        assert_eq!(
            w,
            [
                ("2019-03-20T09:15:00Z".into(), "2019-03-20T09:21:00Z".into()),
                ("2019-03-20T09:54:00Z".into(), "2019-03-20T09:57:00Z".into()),
            ]
        );
    }

    #[test]
    fn an_envelope_gives_way_to_the_windows_inside_it() {
        let body = "On March 20th, 2019, between 12:45 and 15:21 UTC, builds failed:\n- 12:45 - 12:55 UTC\n- 13:10 - 14:30 UTC\n- 14:46 - 15:21 UTC";
        let w = windows(&page("T", body));
        let total: i64 = w
            .iter()
            .map(|(a, b)| {
                let p = |s: &str| crate::time::parse_timestamp(s, &chrono_tz::Tz::UTC).unwrap();
                (p(b) - p(a)) / MS_PER_MIN
            })
            .sum();
        assert_eq!(w.len(), 3);
        assert_eq!(total, 10 + 80 + 35);
        assert!(w[0].0.starts_with("2019-03-20T12:45"));
    }

    #[test]
    fn an_earlier_update_describes_the_moment_not_the_impact() {
        let text = "T\nIncident Report for Acme\nResolved\nAll good.\nPosted Mar 20, 2019 - 18:00 CET\nIdentified\nAn import ran between 12:00 and 13:00 CET.\nPosted Mar 20, 2019 - 16:12 CET\nThis incident affected: API.\n";
        assert!(windows(text).is_empty());
    }

    #[test]
    fn windows_must_fit_the_posts_timeline() {
        // A year off (a typo in the postmortem): not used, and said.
        let p = parse(
            &page(
                "T",
                "On March 20th, 2018, between 15:00 UTC and 16:00 UTC we were down.",
            ),
            &IngestOptions::default(),
        )
        .unwrap();
        assert!(p.stated.is_empty());
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("outside the posts' timeline")),
            "{:?}",
            p.notes
        );
        // The date written is the end's: read a day earlier.
        let text = "T\nIncident Report for Acme\nResolved\nOn March 21, between 6:35 pm UTC and 4:15 am UTC we were down.\nPosted Mar 21, 2019 - 05:15 CET\nInvestigating\nLooking.\nPosted Mar 20, 2019 - 20:06 CET\n";
        assert_eq!(
            windows(text),
            [("2019-03-20T18:35:00Z".into(), "2019-03-21T04:15:00Z".into())]
        );
    }

    #[test]
    fn title_ranges_am_pm_midnight_and_vague_prose() {
        assert_eq!(
            windows(&page("API errors 1203 to 1420 UTC", "Fixed.")),
            [("2019-03-20T12:03:00Z".into(), "2019-03-20T14:20:00Z".into())]
        );
        assert_eq!(
            // 23:50 on the 20th would start after the last post: the night before.
            windows(&page("T", "Delays between 11:50PM UTC and 12:10AM UTC.")),
            [("2019-03-19T23:50:00Z".into(), "2019-03-20T00:10:00Z".into())]
        );
        assert!(windows(&page("T", "It lasted from about noon until the evening.")).is_empty());
        assert!(windows(&page("T", "between 10:00 and 11:00 we saw errors")).is_empty());
        assert!(windows(&page("T", "between 9:00 AM and 10:00 AM we saw errors")).is_empty());
        let p = parse(
            &page("T", "between 6:45AM PT and 8:54AM PT"),
            &IngestOptions::default(),
        )
        .unwrap();
        assert!(p.stated.is_empty());
        assert!(
            p.notes.iter().any(|n| n.contains("unknown time zone 'PT'")),
            "{:?}",
            p.notes
        );
    }
}
