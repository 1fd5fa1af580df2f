//! Statuspage API v2 JSON (contract section 4): `incidents.json`, `summary.json` (incidents and
//! scheduled maintenances), a single incident as `/api/v2/incidents/<code>.json` serves it
//! (`{page, incident}`) or bare, and plain arrays of incident objects, turned into canonical incident
//! rows plus impact rows rebuilt from each update's `affected_components` transitions.
//!
//! The output is two raw text tables, so validation, rejects and line numbers work exactly as
//! for canonical files; the incidents carry `window_source = updates`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::ingest::{DerivedIncident, DerivedWindow, RawTable, TextTable};
use crate::model::{ALL_COMPONENTS, Level, window_source};
use crate::time::parse_timestamp;

#[derive(Deserialize)]
struct Doc<'a> {
    page: Option<Page>,
    #[serde(borrow)]
    incidents: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    scheduled_maintenances: Option<Vec<&'a RawValue>>,
    /// `/api/v2/incidents/<code>.json`: one incident.
    #[serde(borrow)]
    incident: Option<&'a RawValue>,
    /// Present on a bare incident object.
    incident_updates: Option<serde::de::IgnoredAny>,
    components: Option<Vec<Component>>,
}

#[derive(Deserialize)]
struct Page {
    name: Option<String>,
}

#[derive(Deserialize, Clone)]
struct Component {
    id: Option<String>,
    name: Option<String>,
    group_id: Option<String>,
}

#[derive(Deserialize)]
struct Incident {
    id: Option<String>,
    name: Option<String>,
    impact: Option<String>,
    created_at: Option<String>,
    started_at: Option<String>,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    components: Option<Vec<Component>>,
    incident_updates: Option<Vec<Update>>,
}

#[derive(Deserialize)]
struct Update {
    status: Option<String>,
    created_at: Option<String>,
    display_at: Option<String>,
    affected_components: Option<Vec<Affected>>,
}

#[derive(Deserialize)]
struct Affected {
    code: Option<String>,
    name: Option<String>,
    old_status: Option<String>,
    new_status: Option<String>,
}

/// Level of a Statuspage incident `impact` for components without transitions of their own.
pub(crate) fn level_of_impact(impact: &str) -> Option<Level> {
    match impact {
        "critical" => Some(Level::MajorOutage),
        "major" => Some(Level::PartialOutage),
        "minor" => Some(Level::DegradedPerformance),
        "maintenance" => Some(Level::UnderMaintenance),
        _ => None,
    }
}

/// Level of a component status; `None` for `operational` (and anything unknown).
fn level_of_status(status: &str) -> Option<Level> {
    status.parse::<Level>().ok()
}

/// What a Statuspage API document holds: the page's name, its components, and its incidents
/// and maintenances (each item's raw text, and whether it is a maintenance).
struct Shape<'a> {
    vendor: Option<String>,
    page_components: Vec<Component>,
    items: Vec<(&'a RawValue, bool)>,
}

/// The shape of `text` when it is a Statuspage API document: a page's `incidents.json` or
/// `scheduled-maintenances.json`, a single-incident answer, a bare incident, or an array of
/// incidents (its first item tells, before the whole is parsed); `None` otherwise.
fn shape(text: &str) -> Option<Shape<'_>> {
    let trimmed = text.trim_start();
    let (vendor, page_components, items) = if trimmed.starts_with('{') {
        let Ok(doc) = serde_json::from_str::<Doc>(text) else {
            return None;
        };
        if let Some(one) = doc.incident {
            (
                doc.page.and_then(|p| p.name),
                Vec::new(),
                vec![(one, false)],
            )
        } else if doc.incidents.is_none() && doc.scheduled_maintenances.is_none() {
            // A bare incident object (the `incident` of a single-incident answer).
            doc.incident_updates.as_ref()?;
            let Ok(whole) = serde_json::from_str::<&RawValue>(text) else {
                return None;
            };
            (None, Vec::new(), vec![(whole, false)])
        } else {
            let mut items: Vec<(&RawValue, bool)> = doc
                .incidents
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r, false))
                .collect();
            items.extend(
                doc.scheduled_maintenances
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r, true)),
            );
            (
                doc.page.and_then(|p| p.name),
                doc.components.unwrap_or_default(),
                items,
            )
        }
    } else if trimmed.starts_with('[') {
        // Its first item says whether it is Statuspage's, before the whole is parsed.
        let first = crate::ingest::platform_rows::first_item(trimmed);
        if first.is_none_or(|f| f.get("incident_updates").is_none()) {
            return None;
        }
        let Ok(all) = serde_json::from_str::<Vec<&RawValue>>(text) else {
            return None;
        };
        (
            None,
            Vec::new(),
            all.into_iter().map(|r| (r, false)).collect(),
        )
    } else {
        return None;
    };
    Some(Shape {
        vendor,
        page_components,
        items,
    })
}

/// Reads Statuspage JSON if `text` is that shape: `Some([incidents, impacts])`, else `None`.
pub(crate) fn read(
    name: &str,
    text: &str,
    default_vendor: Option<&str>,
) -> Result<Option<Vec<RawTable>>> {
    let Some(Shape {
        vendor,
        page_components,
        items,
    }) = shape(text)
    else {
        return Ok(None);
    };
    let vendor = vendor
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .or(default_vendor.map(str::to_string));

    // Each item's line, counted on from the item before (never from the top again).
    let base = text.as_ptr() as usize;
    let mut counted = (0usize, 1u64);
    let mut line_of = |raw: &RawValue| -> u64 {
        let offset = raw.get().as_ptr() as usize - base;
        let (from, line) = counted;
        let (from, line) = if offset >= from { (from, line) } else { (0, 1) };
        let line = line + memchr::memchr_iter(b'\n', &text.as_bytes()[from..offset]).count() as u64;
        counted = (offset, line);
        line
    };
    let mut incidents = TextTable::<DerivedIncident>::new();
    let mut impacts = TextTable::<DerivedWindow>::new();
    for (raw, maintenance) in items {
        let line = line_of(raw);
        let inc: Incident = serde_json::from_str(raw.get()).map_err(|e| Error::Parse {
            source_name: name.to_string(),
            line,
            message: format!("not a Statuspage incident: {e}"),
        })?;
        convert(
            &inc,
            maintenance,
            line,
            &vendor,
            &page_components,
            &mut incidents,
            &mut impacts,
        );
    }
    Ok(Some(vec![
        RawTable {
            window_source: window_source::UPDATES,
            ..incidents.into_raw(name)?
        },
        RawTable {
            derived: true,
            ..impacts.into_raw(name)?
        },
    ]))
}

/// Instant of a timestamp text for ordering (unparsable: last; validation reports it).
fn instant(t: &Option<String>) -> i64 {
    t.as_deref()
        .and_then(|s| parse_timestamp(s, &chrono_tz::Tz::UTC).ok())
        .unwrap_or(i64::MAX)
}

fn convert(
    inc: &Incident,
    maintenance: bool,
    line: u64,
    vendor: &Option<String>,
    page_components: &[Component],
    incidents: &mut TextTable<DerivedIncident>,
    impacts: &mut TextTable<DerivedWindow>,
) {
    let started = start_of(inc);
    let mut updates: Vec<&Update> = inc.incident_updates.iter().flatten().collect();
    let when = |u: &Update| u.display_at.clone().or_else(|| u.created_at.clone());
    updates.sort_by_key(|u| instant(&when(u)));
    let first_with = |status: &str| {
        updates
            .iter()
            .find(|u| u.status.as_deref() == Some(status))
            .and_then(|u| when(u))
    };
    let mitigated = inc
        .monitoring_at
        .clone()
        .or_else(|| first_with("monitoring"));
    let impact = inc
        .impact
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let impact_level = if maintenance {
        Some(Level::UnderMaintenance)
    } else {
        level_of_impact(&impact)
    };

    let names = Names::new(inc, page_components);
    let (mut order, mut rows) = transitions(&updates, &names, &started);
    let window_end = mitigated.clone().or_else(|| inc.resolved_at.clone());
    let whole = (impact_level, started.clone(), window_end);
    untransitioned(inc, &names, whole, &mut order, &mut rows);

    let id = inc.id.clone();
    incidents.push(
        line,
        DerivedIncident {
            id: id.clone(),
            vendor: vendor.clone(),
            title: inc.name.clone(),
            severity: (!impact.is_empty()).then(|| impact.clone()),
            impact: Some(
                impact_level
                    .map_or(crate::model::IMPACT_NONE, |l| l.as_str())
                    .to_string(),
            ),
            components: Some(order.join(";")),
            started_at: started,
            detected_at: inc.created_at.clone(),
            identified_at: first_with("identified"),
            mitigated_at: mitigated,
            resolved_at: inc.resolved_at.clone(),
            ..DerivedIncident::default()
        },
    );
    for (component, level, start, end) in rows {
        impacts.push(
            line,
            DerivedWindow {
                incident_id: id.clone(),
                vendor: vendor.clone(),
                component: Some(component),
                impact: Some(level.as_str().to_string()),
                start,
                end,
            },
        );
    }
}

/// When the incident started: `started_at`, but `created_at` when Statuspage stamped
/// `started_at` a fraction of a second after it (under a second apart they are one instant, not
/// an out-of-order record).
fn start_of(inc: &Incident) -> Option<String> {
    match (&inc.started_at, &inc.created_at) {
        (Some(_), Some(c))
            if (1..1000)
                .contains(&instant(&inc.started_at).saturating_sub(instant(&inc.created_at))) =>
        {
            Some(c.clone())
        }
        (Some(s), _) => Some(s.clone()),
        (None, c) => c.clone(),
    }
}

/// The incident's listed components that no update moved get the incident's window at its
/// impact's level; an incident naming no component at all is the vendor's as a whole.
/// `whole` is that level, start and end.
fn untransitioned(
    inc: &Incident,
    names: &Names,
    whole: (Option<Level>, Option<String>, Option<String>),
    order: &mut Vec<String>,
    rows: &mut Vec<WindowRow>,
) {
    let (impact_level, started, window_end) = whole;
    for c in inc.components.iter().flatten() {
        let code = c.id.clone().or_else(|| c.name.clone()).unwrap_or_default();
        let name = names.display(&code, c.name.as_deref());
        if !order.contains(&name) {
            order.push(name.clone());
            if let Some(level) = impact_level {
                rows.push((name, level, started.clone(), window_end.clone()));
            }
        }
    }
    if order.is_empty()
        && let Some(level) = impact_level
    {
        rows.push((ALL_COMPONENTS.to_string(), level, started, window_end));
        order.push(ALL_COMPONENTS.to_string());
    }
}

/// A derived window: component, level, start and end (none: until the incident resolves).
type WindowRow = (String, Level, Option<String>, Option<String>);

/// Component names: current names from the incident's and the page's component lists,
/// `Group / Name` when the group is known.
struct Names<'a> {
    by_id: HashMap<&'a str, &'a Component>,
}

impl<'a> Names<'a> {
    fn new(inc: &'a Incident, page_components: &'a [Component]) -> Names<'a> {
        let by_id = (inc.components.iter().flatten())
            .chain(page_components.iter())
            .filter_map(|c| c.id.as_deref().map(|id| (id, c)))
            .collect();
        Names { by_id }
    }

    /// The name of the component with `code`, else `fallback`, else the code itself.
    fn display(&self, code: &str, fallback: Option<&str>) -> String {
        match self.by_id.get(code) {
            Some(c) => {
                let own = c.name.clone().unwrap_or_else(|| code.to_string());
                match (c.group_id.as_deref())
                    .and_then(|g| self.by_id.get(g))
                    .and_then(|g| g.name.clone())
                {
                    Some(group) => format!("{group} / {own}"),
                    None => own,
                }
            }
            None => fallback.unwrap_or(code).to_string(),
        }
    }
}

/// The windows the updates' component transitions give, level by level, per component, and
/// the components in order of first appearance. A component already down before the first
/// update that names it is down since `started`; one still down at the last update runs to
/// the resolution.
fn transitions(
    updates: &[&Update],
    names: &Names,
    started: &Option<String>,
) -> (Vec<String>, Vec<WindowRow>) {
    let mut order: Vec<String> = Vec::new();
    let mut open: HashMap<String, (Level, Option<String>)> = HashMap::new();
    let mut rows: Vec<WindowRow> = Vec::new();
    for u in updates {
        let at = u.display_at.clone().or_else(|| u.created_at.clone());
        for a in u.affected_components.iter().flatten() {
            // Entries without a status are placeholders ("No components were affected").
            let Some(new) = a.new_status.as_deref() else {
                continue;
            };
            let Some(code) = a.code.clone().or_else(|| a.name.clone()) else {
                continue;
            };
            let name = names.display(&code, a.name.as_deref());
            if !order.contains(&name) {
                order.push(name.clone());
                if let Some(level) = a.old_status.as_deref().and_then(level_of_status) {
                    open.insert(name.clone(), (level, started.clone()));
                }
            }
            let next = level_of_status(new);
            match (open.get(&name).cloned(), next) {
                (Some((level, _)), Some(n)) if level == n => {}
                (current, next) => {
                    if let Some((level, start)) = current {
                        rows.push((name.clone(), level, start, at.clone()));
                        open.remove(&name);
                    }
                    if let Some(n) = next {
                        open.insert(name.clone(), (n, at.clone()));
                    }
                }
            }
        }
    }
    for name in &order {
        if let Some((level, start)) = open.remove(name) {
            rows.push((name.clone(), level, start, None));
        }
    }
    (order, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::col;

    /// `(component, level, start, end)` of the derived impact rows.
    fn windows(json: &str) -> Vec<(String, String, String, String)> {
        let tables = read("t.json", json, None)
            .unwrap()
            .expect("statuspage shape");
        let df = &tables[1].frame;
        let s = |c: &str, i: usize| {
            df.column(c)
                .unwrap()
                .str()
                .unwrap()
                .get(i)
                .unwrap_or_default()
                .to_string()
        };
        (0..df.height())
            .map(|i| {
                (
                    s(col::COMPONENT, i),
                    s(col::IMPACT, i),
                    s(col::START, i),
                    s(col::END, i),
                )
            })
            .collect()
    }

    fn incident(updates: &str) -> String {
        format!(
            r#"{{"page": {{"name": "P"}}, "incidents": [{{"id": "i", "impact": "minor",
            "created_at": "2024-06-03T10:00:00Z", "started_at": "2024-06-03T09:50:00Z",
            "resolved_at": "2024-06-03T12:00:00Z", "components": [],
            "incident_updates": [{updates}]}}]}}"#
        )
    }

    fn update(at: &str, affected: &str) -> String {
        format!(
            r#"{{"status": "update", "display_at": "{at}", "affected_components": [{affected}]}}"#
        )
    }

    #[test]
    fn a_component_down_before_its_first_update_is_down_since_the_start() {
        let w = windows(&incident(&update(
            "2024-06-03T11:00:00Z",
            r#"{"code": "a", "name": "A", "old_status": "major_outage", "new_status": "operational"}"#,
        )));
        assert_eq!(
            w,
            [(
                "A".into(),
                "major_outage".into(),
                "2024-06-03T09:50:00Z".into(),
                "2024-06-03T11:00:00Z".into()
            )]
        );
    }

    #[test]
    fn the_same_level_twice_is_one_window_and_placeholders_carry_nothing() {
        let ups = [
            update(
                "2024-06-03T10:00:00Z",
                r#"{"code": "a", "old_status": "operational", "new_status": "partial_outage"}"#,
            ),
            update(
                "2024-06-03T10:30:00Z",
                r#"{"code": "a", "old_status": "partial_outage", "new_status": "partial_outage"}"#,
            ),
            update(
                "2024-06-03T10:40:00Z",
                r#"{"name": "No components were affected by this update."}"#,
            ),
        ]
        .join(",");
        let w = windows(&incident(&ups));
        // Still open after the last update: the end is left to the incident's resolution.
        assert_eq!(
            w,
            [(
                "a".into(),
                "partial_outage".into(),
                "2024-06-03T10:00:00Z".into(),
                String::new()
            )]
        );
    }

    #[test]
    fn canonical_json_is_not_mistaken_for_statuspage() {
        assert!(
            read("t.json", r#"[{"id": "x", "vendor": "V"}]"#, None)
                .unwrap()
                .is_none()
        );
        assert!(
            read("t.json", r#"{"id": "x", "vendor": "V"}"#, None)
                .unwrap()
                .is_none()
        );
        assert!(
            read("t.json", "{\"id\": 1}\n{\"id\": 2}\n", None)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn impact_levels_follow_the_contract() {
        assert_eq!(level_of_impact("critical"), Some(Level::MajorOutage));
        assert_eq!(level_of_impact("major"), Some(Level::PartialOutage));
        assert_eq!(level_of_impact("minor"), Some(Level::DegradedPerformance));
        assert_eq!(
            level_of_impact("maintenance"),
            Some(Level::UnderMaintenance)
        );
        assert_eq!(level_of_impact("none"), None);
    }
}
