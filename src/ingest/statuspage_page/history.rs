//! A status page's `/history` layout: month headings (`February 2017`), then per incident a
//! title, a body and one line `Feb 16, 14:35-16:00 UTC` (a single time for a zero-length
//! incident). The year comes from the heading; the page names no vendor (`--vendor`).

use std::sync::LazyLock;

use regex::Regex;

use super::{Entry, MONTHS, Page};
use crate::ingest::IngestOptions;
use crate::time::{MS_PER_MIN, days_from_civil};

static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})$")
        .expect("valid regex")
});
static WHEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Z][a-z]{2})\s+(\d{1,2}),\s+(\d{1,2}):(\d{2})(?:\s*-\s*(\d{1,2}):(\d{2}))?\s*([A-Z]{2,5})$")
        .expect("valid regex")
});

/// Whether the text is a history page: a month heading and an incident time line, and no
/// `Incident Report for` line.
pub(super) fn looks_like(lines: &[&str]) -> bool {
    lines.iter().any(|l| HEADING.is_match(l))
        && lines.iter().any(|l| WHEN.is_match(l))
        && !lines.iter().any(|l| l.contains("Report for"))
}

/// The incidents of a history page, ids `STEM-1`, `STEM-2`, ... from the top.
pub(super) fn entries(stem: &str, lines: &[&str], opts: &IngestOptions) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut year: Option<i64> = None;
    let mut block: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let no = i as u64 + 1;
        if let Some(h) = HEADING.captures(line) {
            year = h[2].parse().ok();
            block.clear();
            continue;
        }
        let Some(c) = WHEN.captures(line) else {
            if !line.is_empty() {
                block.push(line);
            }
            continue;
        };
        let id = format!("{stem}-{}", out.len() + 1);
        let title = block.first().map(|t| t.to_string());
        let body = block.get(1..).unwrap_or_default().join("\n");
        block.clear();
        let page = (|| {
            let year = year.ok_or((
                no,
                format!("'{line}': no month heading above it gives the year"),
            ))?;
            let month = MONTHS
                .iter()
                .position(|m| c[1].eq_ignore_ascii_case(m))
                .ok_or((no, format!("'{line}': unknown month")))? as u32
                + 1;
            let day: u32 = c[2].parse().unwrap_or(0);
            if day == 0 || day > crate::time::days_in_month(year, month) {
                return Err((no, format!("'{line}': not a date that exists")));
            }
            let offset = opts.tz_abbrev.offset(&c[7]).ok_or((
                no,
                format!(
                    "unknown time zone abbreviation '{}' in '{line}' (give --tz-abbrev {}=+HH:MM)",
                    &c[7], &c[7]
                ),
            ))? as i64;
            let at = |h: &str, m: &str| -> Result<i64, (u64, String)> {
                let (h, m): (i64, i64) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
                if h > 23 || m > 59 {
                    return Err((no, format!("'{line}': not a time that exists")));
                }
                Ok(days_from_civil(year, month, day) * 86_400_000
                    + (h * 60 + m - offset) * MS_PER_MIN)
            };
            let start = at(&c[3], &c[4])?;
            let mut end = match (c.get(5), c.get(6)) {
                (Some(h), Some(m)) => at(h.as_str(), m.as_str())?,
                _ => start,
            };
            if end < start {
                end += 86_400_000; // past midnight
            }
            Ok(Page::from_updates(
                title,
                false,
                vec![
                    (Some("Investigating".into()), start, body),
                    (Some("Resolved".into()), end, String::new()),
                ],
                Vec::new(),
                opts,
            ))
        })();
        out.push(Entry {
            line: no,
            id,
            page,
            impact: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_utc;

    #[test]
    fn months_give_the_year_and_ranges_give_the_window() {
        let text = "March 2024\n\nSearch slow\nIt was slow.\nMar 5, 23:30-00:15 UTC\nBlip\nMar 2, 10:00 UTC\n\nFebruary 2024\nOld one\nFeb 28, 10:00-10:30 CET\n";
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        assert!(looks_like(&lines));
        let e = entries("h", &lines, &IngestOptions::default());
        let got: Vec<(String, Option<String>, String, String)> = e
            .iter()
            .map(|e| {
                let p = e.page.as_ref().unwrap();
                (
                    e.id.clone(),
                    p.title.clone(),
                    format_utc(p.detected().unwrap()),
                    format_utc(p.resolved().unwrap()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "h-1".into(),
                    Some("Search slow".into()),
                    "2024-03-05T23:30:00Z".into(),
                    "2024-03-06T00:15:00Z".into()
                ),
                (
                    "h-2".into(),
                    Some("Blip".into()),
                    "2024-03-02T10:00:00Z".into(),
                    "2024-03-02T10:00:00Z".into()
                ),
                (
                    "h-3".into(),
                    Some("Old one".into()),
                    "2024-02-28T09:00:00Z".into(),
                    "2024-02-28T09:30:00Z".into()
                ),
            ]
        );
    }
}
