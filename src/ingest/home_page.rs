//! A Statuspage home page (HTML with `var uptimeData`): the page's published uptime, per
//! component per day (partial and major outage seconds), each component's start date, the
//! figure the page displays (`uptime-percent-<code>`), and the component's name as the
//! incidents name it (`Group / Name` inside an `is-group` container). The vendor is the
//! `<title>` without " Status". No incident history is in it.

use regex::Regex;
use serde_json::Value;

use crate::model::{PublishedComponent, PublishedDay, PublishedRule};

/// The published uptime of a home page; `None` when `text` is not one.
pub(crate) fn read(text: &str) -> Option<Vec<PublishedComponent>> {
    let at = text.find("var uptimeData")?;
    let json_at = at + text[at..].find('{')?;
    let data: Value = serde_json::Deserializer::from_str(&text[json_at..])
        .into_iter::<Value>()
        .next()?
        .ok()?;
    let vendor = Regex::new(r"(?s)<title>\s*(.*?)\s*</title>")
        .ok()?
        .captures(text)
        .map(|c| c[1].trim().trim_end_matches(" Status").to_string())
        .unwrap_or_default();
    let groups = groups(text);
    let displayed = |code: &str| -> Option<f64> {
        // The code comes from the page: escaped, never read as a pattern.
        let code = regex::escape(code);
        let re = Regex::new(&format!(r#"id="uptime-percent-{code}">\s*([0-9.]+)"#)).ok()?;
        re.captures(text)?[1].parse().ok()
    };
    let mut out = Vec::new();
    for (code, v) in data.as_object()? {
        let c = v.get("component")?;
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(code)
            .trim()
            .to_string();
        let component = match groups.iter().find(|(_, children)| children.contains(code)) {
            Some((group, _)) => format!("{group} / {name}"),
            None => name,
        };
        let days = (v.get("days").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let secs = |k: &str| {
                    d.pointer(&format!("/outages/{k}"))
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0)
                };
                Some(PublishedDay {
                    date: d.get("date")?.as_str()?.to_string(),
                    major_s: secs("m"),
                    partial_s: secs("p"),
                })
            })
            .collect();
        out.push(PublishedComponent {
            vendor: vendor.clone(),
            component,
            start_date: c
                .get("startDate")
                .and_then(Value::as_str)
                .map(str::to_string),
            days,
            displayed_pct: displayed(code),
            rule: PublishedRule::Statuspage,
        });
    }
    Some(out)
}

/// Each group's name and the codes of its components, from the page's `is-group` containers.
fn groups(text: &str) -> Vec<(String, Vec<String>)> {
    let Ok(id) = Regex::new(r#"data-component-id="([a-z0-9]+)""#) else {
        return Vec::new();
    };
    let Ok(name) = Regex::new(r#"(?s)<span class="name">.*?<span>\s*(.*?)\s*</span>"#) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in text.split("component-container border-color").skip(1) {
        if !part.starts_with(" is-group") {
            continue;
        }
        let codes: Vec<String> = id.captures_iter(part).map(|c| c[1].to_string()).collect();
        let Some(group) = name.captures(part).map(|c| c[1].trim().to_string()) else {
            continue;
        };
        // The first id is the group's own.
        out.push((group, codes.into_iter().skip(1).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_components_code_is_matched_as_text_never_as_a_pattern() {
        // The code "a.c" read as a pattern would match "abc" first and show its 50%.
        let page = r#"<title>Contoso Status</title>
<span id="uptime-percent-abc">50.0</span>
<span id="uptime-percent-a.c">99.5</span>
<script>var uptimeData = {"a.c": {"component": {"name": "API", "startDate": "2024-01-01"}, "days": []}};</script>"#;
        let got = read(page).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].displayed_pct, Some(99.5));
        assert_eq!(got[0].vendor, "Contoso");
    }
}
