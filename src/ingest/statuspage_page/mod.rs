//! Incident report pages as Statuspage renders them (text, or saved HTML with the tags
//! stripped), one incident per file: title, `Incident Report for VENDOR` (or `Scheduled
//! Maintenance Report for`), updates newest first (an optional status label, a body, `Posted Mon
//! DD, YYYY - HH:MM TZ`), and `This incident affected: A, B, and C (X, Y)`.
//!
//! What cannot be read is said in the record's warnings, never guessed: a missing label, no
//! affected line, a text that ends mid-page. A time zone abbreviation that is not in the table
//! rejects the page with the abbreviation and its line.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{DerivedIncident, DerivedWindow, IngestOptions, RawTable, TextTable};
use crate::error::Result;
use crate::model::{ALL_COMPONENTS, Level, Reject, col, window_source};
use crate::time::{MS_PER_MIN, days_from_civil, format_utc};

mod history;
mod stated;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Incident|Scheduled Maintenance) Report for\s*(.*)$").expect("valid regex")
});
static POSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^Posted\s+(?:.*?\bago\.\s*)?([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4})\s*-\s*(\d{1,2}):(\d{2})\s*([A-Za-z]{1,5})\s*$",
    )
    .expect("valid regex")
});
static AFFECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^This (?:incident|scheduled maintenance) affected:\s*(.*?)\.?\s*$")
        .expect("valid regex")
});

static YEARLESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Posted\s+)?[A-Z][a-z]{2}\s+\d{1,2},\s+\d{1,2}:\d{2}\s*[A-Z]{2,5}$")
        .expect("valid regex")
});

/// Status labels Statuspage prints above an update's body.
const LABELS: [&str; 10] = [
    "Investigating",
    "Identified",
    "Update",
    "Monitoring",
    "Resolved",
    "Postmortem",
    "Completed",
    "Scheduled",
    "In progress",
    "Verifying",
];

pub(super) const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// One post: its status label (if printed) and when it was posted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Update {
    label: Option<String>,
    at: i64,
    /// The update's text, label excluded.
    body: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Page {
    pub title: Option<String>,
    pub vendor: Option<String>,
    pub maintenance: bool,
    updates: Vec<Update>,
    pub components: Vec<String>,
    pub notes: Vec<String>,
    /// Text after the last `Posted` line of a page that ends mid-page (often a postmortem).
    tail: String,
    /// Impact windows stated in so many words, `[start, end)` in UTC milliseconds.
    pub stated: Vec<(i64, i64)>,
}

/// Text of a saved HTML page: tags dropped (block ends become line breaks), entities decoded.
fn strip_html(html: &str) -> String {
    static SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<(script|style)\b.*?</(script|style)\s*>").expect("valid regex")
    });
    static BREAK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr|/small|/strong)\b[^>]*>")
            .expect("valid regex")
    });
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("valid regex"));
    let s = SCRIPT.replace_all(html, "");
    let s = BREAK.replace_all(&s, "\n");
    let s = TAG.replace_all(&s, "");
    crate::markup::decode_entities(&s).into_owned()
}

/// Splits a list at its top-level commas (not those inside parentheses).
fn split_commas(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, ch) in list.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    items
}

/// The byte offset of the last ` and ` outside parentheses.
fn last_top_level_and(item: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut found = None;
    for (i, ch) in item.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ' ' if depth == 0 && item[i..].starts_with(" and ") => found = Some(i),
            _ => {}
        }
    }
    found
}

/// The items of an English list: `A, B, and C` (the Oxford comma: every item whole), `A, B
/// and C` and `A and B` (the last ` and ` outside parentheses separates the last two, unless
/// the whole is a `known` name).
fn list_items(list: &str, known: &[String]) -> Vec<String> {
    let raw = split_commas(list);
    let oxford = raw.len() > 1 && raw[raw.len() - 1].trim_start().starts_with("and ");
    let mut items: Vec<String> = raw
        .iter()
        .map(|s| {
            let s = s.trim();
            s.strip_prefix("and ").unwrap_or(s).trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    if !oxford && let Some(last) = items.pop() {
        let is_known = known.iter().any(|k| k.eq_ignore_ascii_case(&last));
        match last_top_level_and(&last) {
            Some(at) if !is_known => {
                items.push(last[..at].trim().to_string());
                items.push(last[at + 5..].trim().to_string());
                items.retain(|s| !s.is_empty());
            }
            _ => items.push(last),
        }
    }
    items
}

/// `A, B, and C (X, Y)` -> `A`, `B`, `C / X`, `C / Y`; also without the Oxford comma (`A, B
/// and C`, `A and B`). A name that itself holds ` and ` stays whole where the page lists it
/// unambiguously elsewhere (`known`: see [`known_components`]).
pub(crate) fn components(list: &str, known: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for item in list_items(list, known) {
        match (item.find('('), item.ends_with(')')) {
            (Some(open), true) => {
                let group = item[..open].trim();
                for sub in list_items(&item[open + 1..item.len() - 1], known) {
                    out.push(format!("{group} / {sub}"));
                }
            }
            _ => out.push(item),
        }
    }
    out
}

/// Component names a text lists unambiguously: the items of its Oxford-comma lists (`A, B
/// and C, and D` names `B and C`), which keep the same names whole in its other lists.
pub(crate) fn known_components(lines: &[(u64, &str)]) -> Vec<String> {
    let mut known = Vec::new();
    for (_, line) in lines {
        if let Some(caps) = AFFECTED.captures(line) {
            let raw = split_commas(&caps[1]);
            if raw.len() > 1 && raw[raw.len() - 1].trim_start().starts_with("and ") {
                for item in raw {
                    let item = item.trim();
                    let item = item.strip_prefix("and ").unwrap_or(item).trim();
                    let name = item.find('(').map_or(item, |o| item[..o].trim());
                    if name.contains(" and ") && !known.iter().any(|k| k == name) {
                        known.push(name.to_string());
                    }
                }
            }
        }
    }
    known
}

/// Reads one page. `Err` is the reject reason (e.g. an unknown abbreviation), with its line.
pub(crate) fn parse(text: &str, opts: &IngestOptions) -> std::result::Result<Page, (u64, String)> {
    let owned;
    let text = if text.contains("</")
        && (text.contains("<html") || text.contains("<div") || text.contains("<body"))
    {
        owned = strip_html(text);
        &owned
    } else {
        text
    };
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim()))
        .collect();
    let known = known_components(&lines);
    let mut page = Page::default();
    let body_start = head(&lines, &mut page);
    let mut pending: Vec<&str> = Vec::new();
    let mut unlabelled = 0;
    let mut affected = false;
    for &(no, line) in &lines[body_start..] {
        if line.is_empty() {
            continue;
        }
        if let Some(caps) = AFFECTED.captures(line) {
            page.components = components(&caps[1], &known);
            affected = true;
            break;
        }
        let Some(caps) = POSTED.captures(line) else {
            pending.push(line);
            continue;
        };
        let at = posted_at(&caps, no, line, opts)?;
        let label = pending
            .first()
            .and_then(|first| LABELS.iter().find(|l| first.eq_ignore_ascii_case(l)))
            .map(|l| l.to_string());
        if label.is_none() {
            unlabelled += 1;
        }
        let body = pending[usize::from(label.is_some())..].join("\n");
        page.updates.push(Update { label, at, body });
        pending.clear();
    }
    page.tail = pending.join("\n");
    stated::find(&mut page, opts);
    closing_notes(&mut page, &lines, unlabelled, affected);
    Ok(page)
}

/// The "Incident Report for" line (or "Scheduled Maintenance for"): the vendor, and the title
/// on the line before; the index of the first line after it (0 without one).
fn head(lines: &[(u64, &str)], page: &mut Page) -> usize {
    let Some(h) = lines.iter().position(|(_, l)| HEADER.is_match(l)) else {
        page.notes
            .push("no 'Incident Report for' line: vendor and title unknown".into());
        return 0;
    };
    let caps = HEADER.captures(lines[h].1).expect("matched");
    page.maintenance = &caps[1] == "Scheduled Maintenance";
    let vendor = caps[2].trim();
    if vendor.is_empty() {
        page.notes
            .push("the 'Report for' line names no vendor".into());
    } else {
        page.vendor = Some(vendor.to_string());
    }
    page.title = lines[..h]
        .iter()
        .rev()
        .find(|(_, l)| !l.is_empty())
        .map(|(_, l)| l.to_string());
    if page.title.is_none() {
        page.notes
            .push("no title line before 'Incident Report for'".into());
    }
    h + 1
}

/// The instant (UTC) of a "Posted Mon DD, YYYY - HH:MM TZ" line on line `no`.
fn posted_at(
    caps: &regex::Captures,
    no: u64,
    line: &str,
    opts: &IngestOptions,
) -> std::result::Result<i64, (u64, String)> {
    let month = MONTHS
        .iter()
        .position(|m| caps[1].eq_ignore_ascii_case(m))
        .ok_or_else(|| (no, format!("'{line}': unknown month '{}'", &caps[1])))?;
    let (day, year): (u32, i64) = (caps[2].parse().unwrap_or(0), caps[3].parse().unwrap_or(0));
    let (hour, minute): (i64, i64) = (caps[4].parse().unwrap_or(0), caps[5].parse().unwrap_or(0));
    if day == 0
        || day > crate::time::days_in_month(year, month as u32 + 1)
        || hour > 23
        || minute > 59
    {
        return Err((no, format!("'{line}': not a time that exists")));
    }
    let abbr = &caps[6];
    let offset = opts.tz_abbrev.offset(abbr).ok_or_else(|| {
        (
            no,
            format!(
                "unknown time zone abbreviation '{abbr}' in '{line}' (give --tz-abbrev {abbr}=+HH:MM)"
            ),
        )
    })?;
    let local = days_from_civil(year, month as u32 + 1, day) * 86_400_000
        + (hour * 60 + minute) * MS_PER_MIN;
    Ok(local - offset as i64 * MS_PER_MIN)
}

/// What the page lacked: times (a year never guessed), status labels, the affected line.
fn closing_notes(page: &mut Page, lines: &[(u64, &str)], unlabelled: usize, affected: bool) {
    if page.updates.is_empty() {
        // A page's home "Past incidents" block prints "Feb 12, 16:51 EST": no year, and a year
        // is never guessed.
        let yearless = lines.iter().find(|(_, l)| YEARLESS.is_match(l));
        page.notes.push(match yearless {
            Some((no, l)) => format!("dates without a year (line {no}: '{l}'): no times"),
            None => "no 'Posted Mon DD, YYYY - HH:MM TZ' line: no times".into(),
        });
    }
    if unlabelled > 0 {
        page.notes.push(format!(
            "{unlabelled} update{} without a status label",
            if unlabelled == 1 { "" } else { "s" }
        ));
    }
    if !affected {
        page.notes.push(if page.tail.is_empty() {
            "no 'This incident affected' line: components unknown".to_string()
        } else {
            "text ends mid-page: the last update has no 'Posted' line and no 'This incident affected' line follows".to_string()
        });
    }
}

impl Page {
    /// A page from updates already taken apart (a status feed's JSON): `(label, posted at,
    /// body)` each, with the labels Statuspage prints recognised and stated windows found.
    pub(crate) fn from_updates(
        title: Option<String>,
        maintenance: bool,
        updates: Vec<(Option<String>, i64, String)>,
        components: Vec<String>,
        opts: &IngestOptions,
    ) -> Page {
        let mut unlabelled = 0;
        let updates = updates
            .into_iter()
            .map(|(label, at, body)| {
                let label = label.and_then(|l| {
                    LABELS
                        .iter()
                        .find(|k| l.trim().eq_ignore_ascii_case(k))
                        .map(|k| k.to_string())
                });
                unlabelled += usize::from(label.is_none());
                Update { label, at, body }
            })
            .collect();
        let mut page = Page {
            title,
            maintenance,
            updates,
            components,
            ..Page::default()
        };
        if unlabelled > 0 {
            page.notes.push(format!(
                "{unlabelled} update{} without a status label",
                if unlabelled == 1 { "" } else { "s" }
            ));
        }
        stated::find(&mut page, opts);
        page
    }

    fn first(&self, label: &str) -> Option<i64> {
        self.updates
            .iter()
            .filter(|u| u.label.as_deref() == Some(label))
            .map(|u| u.at)
            .min()
    }

    /// `detected_at`: the oldest post other than the postmortem.
    pub fn detected(&self) -> Option<i64> {
        self.updates
            .iter()
            .filter(|u| u.label.as_deref() != Some("Postmortem"))
            .map(|u| u.at)
            .min()
    }
    pub fn identified(&self) -> Option<i64> {
        self.first("Identified")
    }
    pub fn mitigated(&self) -> Option<i64> {
        self.first("Monitoring")
    }
    /// `resolved_at`: the last `Resolved` or `Completed` post.
    pub fn resolved(&self) -> Option<i64> {
        self.updates
            .iter()
            .filter(|u| matches!(u.label.as_deref(), Some("Resolved" | "Completed")))
            .map(|u| u.at)
            .max()
    }
}

/// One incident read from a page-like source: where it is, its id, what was read (or why it
/// could not be, with the line), and its impact when the source states one.
pub(crate) struct Entry {
    pub line: u64,
    pub id: String,
    pub page: std::result::Result<Page, (u64, String)>,
    /// The canonical impact (`major_outage`, ..., `none`); `None`: a page's default.
    pub impact: Option<&'static str>,
}

/// Reads one page file into an incident table and its derived windows.
pub(crate) fn read(name: &str, text: &str, opts: &IngestOptions) -> Result<Vec<RawTable>> {
    let id = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    if let Some(published) = super::home_page::read(text) {
        // A status page's home page: its published uptime, no incident history.
        let empty = TextTable::<DerivedIncident>::new().into_raw(name)?;
        return Ok(vec![RawTable {
            note: Some(format!(
                "{name}: a status page's home page (published uptime only): no incidents in it"
            )),
            published,
            ..empty
        }]);
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    if history::looks_like(&lines) {
        return tables(name, history::entries(&id, &lines, opts), None, opts);
    }
    let entry = Entry {
        line: 1,
        id,
        page: parse(text, opts),
        impact: None,
    };
    tables(name, vec![entry], None, opts)
}

/// The incident table (with each row's window source and notes) and the derived windows of
/// page-like entries. `severity` gives each entry's severity label, when the source has one.
pub(crate) fn tables(
    name: &str,
    entries: Vec<Entry>,
    severity: Option<Vec<Option<String>>>,
    opts: &IngestOptions,
) -> Result<Vec<RawTable>> {
    let mut incidents = TextTable::<DerivedIncident>::new();
    let mut impacts = TextTable::<DerivedWindow>::new();
    let mut broken = Vec::new();
    for (k, e) in entries.into_iter().enumerate() {
        let page = match usable(name, e.line, e.page) {
            Ok(page) => page,
            Err(reject) => {
                broken.push(reject);
                continue;
            }
        };
        let severity = severity.as_ref().and_then(|s| s[k].clone());
        let (incident, windows) = derive(&page, &e.id, e.impact, severity, opts);
        incidents.push(e.line, incident);
        for w in windows {
            impacts.push(e.line, w);
        }
    }
    let mut incidents = incidents.into_raw(name)?;
    incidents.broken = broken;
    Ok(vec![
        RawTable {
            window_source: window_source::UPDATES,
            ..incidents
        },
        RawTable {
            derived: true,
            ..impacts.into_raw(name)?
        },
    ])
}

/// A page that gives an incident, or the row it is rejected as: unreadable, or without any
/// time.
fn usable(
    name: &str,
    line: u64,
    page: std::result::Result<Page, (u64, String)>,
) -> std::result::Result<Page, Reject> {
    let reject = |line, column: &str, reason| Reject {
        source: name.to_string(),
        line,
        column: column.to_string(),
        reason,
        raw: String::new(),
    };
    match page {
        Err((line, reason)) => Err(reject(line, "", reason)),
        Ok(page) if page.detected().is_none() && page.stated.is_empty() => Err(reject(
            line,
            col::STARTED_AT,
            format!("no time could be read: {}", page.notes.join("; ")),
        )),
        Ok(page) => Ok(page),
    }
}

/// A page's incident row and its windows: the stated windows when the page has them, else the
/// updates' window, on each affected component (the vendor as a whole when none is named);
/// none for an incident of impact `none`.
fn derive(
    page: &Page,
    id: &str,
    impact: Option<&'static str>,
    severity: Option<String>,
    opts: &IngestOptions,
) -> (DerivedIncident, Vec<DerivedWindow>) {
    let ts = |v: Option<i64>| v.map(format_utc);
    let started = page.stated.iter().map(|w| w.0).min().or(page.detected());
    let impact = impact.unwrap_or(if page.maintenance {
        Level::UnderMaintenance.as_str()
    } else {
        Level::MajorOutage.as_str()
    });
    let vendor = page.vendor.clone().or(opts.default_vendor.clone());
    let source = if page.stated.is_empty() {
        window_source::UPDATES
    } else {
        window_source::STATED
    };
    let incident = DerivedIncident {
        id: Some(id.to_string()),
        vendor: vendor.clone(),
        title: page.title.clone(),
        severity,
        impact: Some(impact.to_string()),
        components: Some(page.components.join(";")),
        started_at: ts(started),
        detected_at: ts(page.detected()),
        identified_at: ts(page.identified()),
        mitigated_at: ts(page.mitigated()),
        resolved_at: ts(page.resolved()),
        notes: (!page.notes.is_empty()).then(|| page.notes.join("; ")),
        window_source: Some(source.to_string()),
    };
    if impact == crate::model::IMPACT_NONE {
        return (incident, Vec::new());
    }
    let spans: Vec<(Option<i64>, Option<i64>)> = if page.stated.is_empty() {
        vec![(started, page.mitigated().or(page.resolved()))]
    } else {
        (page.stated.iter())
            .map(|&(a, b)| (Some(a), Some(b)))
            .collect()
    };
    let comps = if page.components.is_empty() {
        vec![ALL_COMPONENTS.to_string()]
    } else {
        page.components.clone()
    };
    let windows = comps
        .iter()
        .flat_map(|c| {
            spans.iter().map(|(a, b)| DerivedWindow {
                incident_id: Some(id.to_string()),
                vendor: vendor.clone(),
                component: Some(c.clone()),
                impact: Some(impact.to_string()),
                start: ts(*a),
                end: ts(*b),
            })
        })
        .collect();
    (incident, windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_lists_expand_groups() {
        let c = |l: &str| components(l, &[]);
        assert_eq!(
            c("Admin, Flipbooks, and Pop-ups"),
            ["Admin", "Flipbooks", "Pop-ups"]
        );
        assert_eq!(
            c("Core (API, and Web), Billing"),
            ["Core / API", "Core / Web", "Billing"]
        );
        assert_eq!(
            c("TWILIO PLATFORM (Billing)"),
            ["TWILIO PLATFORM / Billing"]
        );
    }

    #[test]
    fn lists_without_the_oxford_comma_are_split_too() {
        let c = |l: &str| components(l, &[]);
        // Each form the pages use.
        assert_eq!(c("API and ChatGPT"), ["API", "ChatGPT"]);
        assert_eq!(
            c("Admin, Flipbooks and Pop-ups"),
            ["Admin", "Flipbooks", "Pop-ups"]
        );
        assert_eq!(
            c("API, Control Panel and Event Processing (Global)"),
            ["API", "Control Panel", "Event Processing / Global"]
        );
        assert_eq!(
            c("Workers (EU and US)"),
            ["Workers / EU", "Workers / US"],
            "inside a group too"
        );
        assert_eq!(
            c("Queue, and Workers (EU, US)"),
            ["Queue", "Workers / EU", "Workers / US"]
        );
        assert_eq!(c("Billing"), ["Billing"]);
        // In an Oxford list every item is whole, `and` in a name included.
        assert_eq!(
            c("API, Search and Discovery, and Billing"),
            ["API", "Search and Discovery", "Billing"]
        );
    }

    proptest::proptest! {
        /// Names without commas, parentheses or ` and ` come back as written from every form
        /// of English list: `A`, `A and B`, `A, B and C`, `A, B, and C`.
        #[test]
        fn every_list_form_gives_back_its_names(
            names in proptest::collection::vec("[A-Za-z][A-Za-z0-9 .-]{0,12}[A-Za-z0-9]", 1..6),
            oxford in proptest::bool::ANY,
        ) {
            let names: Vec<String> = names
                .into_iter()
                .filter(|n| !n.contains(" and ") && !n.starts_with("and "))
                .collect();
            proptest::prop_assume!(!names.is_empty());
            let n = names.len();
            let list = match n {
                1 => names[0].clone(),
                2 => format!("{} and {}", names[0], names[1]),
                _ => format!(
                    "{}{} and {}",
                    names[..n - 1].join(", "),
                    if oxford { "," } else { "" },
                    names[n - 1]
                ),
            };
            proptest::prop_assert_eq!(components(&list, &[]), names);
        }
    }

    #[test]
    fn a_known_component_with_and_in_its_name_stays_whole() {
        let known = vec!["Search and Discovery".to_string()];
        assert_eq!(
            components("Search and Discovery", &known),
            ["Search and Discovery"]
        );
        assert_eq!(
            components("API, Search and Discovery", &known),
            ["API", "Search and Discovery"]
        );
        assert_eq!(
            components("Search and Discovery and Billing", &known),
            ["Search and Discovery", "Billing"],
            "the last ` and ` separates; the known name before it stays"
        );
        // The page's Oxford lists make a name known for its other lists.
        let lines = [
            (
                1,
                "This incident affected: API, Search and Discovery, and Billing.",
            ),
            (9, "This incident affected: Search and Discovery."),
        ];
        assert_eq!(known_components(&lines), ["Search and Discovery"]);
    }

    #[test]
    fn html_is_read_as_its_text() {
        let t = strip_html(
            "<html><body><div>Title &amp; more</div><div>Incident Report for <b>Acme</b></div><script>x()</script></body></html>",
        );
        assert!(t.contains("Title & more\n"));
        assert!(t.contains("Incident Report for Acme"));
        assert!(!t.contains("x()"));
    }

    #[test]
    fn a_page_in_the_standard_layout() {
        let text = "Status home\nQueue stalls\nIncident Report for Tailspin\nResolved\nAll clear.\nPosted Jun 03, 2024 - 12:00 CEST\nMonitoring\nFix deployed.\nPosted 2 years ago. Jun 03, 2024 - 11:30 CEST\nInvestigating\nLooking.\nPosted Jun 03, 2024 - 10:05 CEST\nThis incident affected: Queue, and Workers (EU, US).\n";
        let p = parse(text, &IngestOptions::default()).unwrap();
        assert_eq!(p.title.as_deref(), Some("Queue stalls"));
        assert_eq!(p.vendor.as_deref(), Some("Tailspin"));
        assert_eq!(p.components, ["Queue", "Workers / EU", "Workers / US"]);
        // 10:05 CEST = 08:05 UTC.
        assert_eq!(
            p.detected().map(format_utc).as_deref(),
            Some("2024-06-03T08:05:00Z")
        );
        assert_eq!(
            p.mitigated().map(format_utc).as_deref(),
            Some("2024-06-03T09:30:00Z")
        );
        assert_eq!(
            p.resolved().map(format_utc).as_deref(),
            Some("2024-06-03T10:00:00Z")
        );
        assert!(p.notes.is_empty(), "{:?}", p.notes);
    }

    #[test]
    fn what_cannot_be_read_is_said() {
        let text = "Incident Report for \nsomething broke\nPosted Jun 03, 2024 - 10:05 UTC\nstill going and then the text ends";
        let p = parse(text, &IngestOptions::default()).unwrap();
        assert_eq!(p.vendor, None);
        assert_eq!(
            p.notes,
            [
                "the 'Report for' line names no vendor",
                "no title line before 'Incident Report for'",
                "1 update without a status label",
                "text ends mid-page: the last update has no 'Posted' line and no 'This incident affected' line follows",
            ]
        );
        let err = parse(
            "T\nIncident Report for X\nPosted Jun 03, 2024 - 10:05 XYZ\n",
            &IngestOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.0, 3);
        assert!(
            err.1.starts_with("unknown time zone abbreviation 'XYZ'"),
            "{}",
            err.1
        );
    }
}
