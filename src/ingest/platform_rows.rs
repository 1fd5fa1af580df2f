//! What the readers of the status platforms' documents share (each reader is its platform's
//! module in `crate::sources`): the incidents and precise windows being read from one file, as
//! the tables every other reader makes, and the line each item of a JSON document starts on.

use serde_json::Value;

use super::{DerivedIncident, DerivedWindow, RawTable, TextTable};
use crate::error::Result;
use crate::model::{IMPACT_NONE, Level, window_source};
use crate::time::format_utc;

/// Incidents and windows being read from one file.
pub(crate) struct Out {
    incidents: TextTable<DerivedIncident>,
    impacts: TextTable<DerivedWindow>,
    windows: bool,
}

/// One incident's fields, as text (times RFC 3339 or as the platform writes them).
#[derive(Default)]
pub(crate) struct Incident {
    pub(crate) id: String,
    pub(crate) vendor: String,
    pub(crate) title: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) impact: Option<Level>,
    pub(crate) components: Vec<String>,
    pub(crate) started: Option<String>,
    pub(crate) detected: Option<String>,
    pub(crate) resolved: Option<String>,
}

impl Out {
    pub(crate) fn new(windows: bool) -> Out {
        Out {
            incidents: TextTable::new(),
            impacts: TextTable::new(),
            windows,
        }
    }

    pub(crate) fn incident(&mut self, line: u64, i: Incident) {
        // No component is the vendor as a whole.
        let components = i.components.join(";");
        self.incidents.push(
            line,
            DerivedIncident {
                id: Some(i.id),
                vendor: Some(i.vendor),
                title: i.title,
                severity: i.severity,
                impact: Some(i.impact.map_or(IMPACT_NONE, Level::as_str).to_string()),
                components: Some(components),
                started_at: i.started,
                detected_at: i.detected,
                resolved_at: i.resolved,
                ..DerivedIncident::default()
            },
        );
    }

    /// A precise window of incident `id`'s `component` (`end` empty: until it resolves).
    pub(crate) fn window(
        &mut self,
        line: u64,
        id: &str,
        vendor: &str,
        w: (String, Level, i64, Option<i64>),
    ) {
        let (component, level, start, end) = w;
        self.impacts.push(
            line,
            DerivedWindow {
                incident_id: Some(id.to_string()),
                vendor: Some(vendor.to_string()),
                component: Some(component),
                impact: Some(level.as_str().to_string()),
                start: Some(format_utc(start)),
                end: end.map(format_utc),
            },
        );
    }

    pub(crate) fn tables(self, name: &str) -> Result<Vec<RawTable>> {
        let mut out = vec![RawTable {
            window_source: if self.windows {
                window_source::UPDATES
            } else {
                window_source::RECORD
            },
            ..self.incidents.into_raw(name)?
        }];
        if self.windows {
            out.push(RawTable {
                derived: true,
                ..self.impacts.into_raw(name)?
            });
        }
        Ok(out)
    }
}

/// The line each item starts on, found by its key's text. Items come in the document's order,
/// so each search goes on from the last one found (and its line count with it); an item found
/// out of order is searched from the start.
pub(crate) struct Lines<'a> {
    text: &'a str,
    /// The byte and line where the last search ended.
    at: std::cell::Cell<(usize, u64)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            at: std::cell::Cell::new((0, 1)),
        }
    }

    /// The line of the first `"key": value` from where the last search ended (1 when not found).
    pub(crate) fn of(&self, key: &str, value: &str) -> u64 {
        let (from, line) = self.at.get();
        match self.find(key, value, from) {
            Some(start) => {
                let line = line + self.text[from..start].matches('\n').count() as u64;
                self.at.set((start, line));
                line
            }
            None => match self.find(key, value, 0) {
                Some(start) => 1 + self.text[..start].matches('\n').count() as u64,
                None => 1,
            },
        }
    }

    /// Where `"key": value` (the value whole, quoted or not) first stands from `from`.
    fn find(&self, key: &str, value: &str, from: usize) -> Option<usize> {
        let needle = format!("\"{key}\"");
        let mut at = from;
        while let Some(i) = self.text[at..].find(&needle) {
            let start = at + i;
            let rest = self.text[start + needle.len()..].trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            if let Some(after) = rest.strip_prefix(value)
                && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            {
                return Some(start);
            }
            at = start + needle.len();
        }
        None
    }
}

pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The heavier of two levels (maintenance counts below any outage).
pub(crate) fn heavier(a: Option<Level>, b: Option<Level>) -> Option<Level> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if x.code() <= y.code() { x } else { y }),
        (x, y) => x.or(y),
    }
}

/// The first item of the JSON array `text` is (after whitespace), read alone: what tells a
/// platform's or a Statuspage API array from canonical records before the whole is parsed.
/// `None` when `text` is no array or its first item is no JSON value.
pub(crate) fn first_item(text: &str) -> Option<serde_json::Value> {
    let rest = text.trim_start().strip_prefix('[')?;
    serde_json::Deserializer::from_str(rest)
        .into_iter::<serde_json::Value>()
        .next()?
        .ok()
}
