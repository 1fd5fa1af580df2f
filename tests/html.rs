//! `report.html` and `charts/` through the binary: what a report folder holds by default and
//! with `--formats`, a page that asks nothing of any other host, input text kept as text,
//! chart file names that never leave the output folder, and the month-over-month headline.

use crate::common::*;

fn report(args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = temp();
    let out = dir.path().join("out");
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let out_s = path_str(&out);
    all.extend(["--out", out_s.as_str(), "--quiet"]);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, out)
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn a_report_folder_holds_the_page_and_every_chart_by_default() {
    let (_d, out) = report(&[FIXTURE]);
    assert_eq!(
        names(&out),
        [
            "availability.csv",
            "charts",
            "incidents.csv",
            "metrics.csv",
            "rejects.csv",
            "report.html",
            "summary.json"
        ]
    );
    let charts = names(&out.join("charts"));
    for kind in [
        "sla",
        "downtime",
        "trend",
        "distribution",
        "timeline",
        "uptime",
    ] {
        for ext in ["svg", "png"] {
            assert!(
                charts.contains(&format!("{kind}.{ext}")),
                "{kind}.{ext}: {charts:?}"
            );
        }
    }
    // Two vendors: each has its own uptime chart too.
    assert!(
        charts.contains(&"uptime-fabrikam.png".to_string()),
        "{charts:?}"
    );
    assert!(
        charts.contains(&"uptime-northwind.svg".to_string()),
        "{charts:?}"
    );
    // Not quiet, stderr a pipe: no progress bar in it.
    let loud = run(&["report", FIXTURE, "--out", &path_str(&out)]);
    assert!(loud.status.success());
    assert_eq!(stderr(&loud), "", "progress drawn into a pipe");
    assert!(stdout(&loud).contains("report.html, charts/ (16 files)"));
    // --formats can drop the page and the charts; a later run removes what it no longer writes.
    let again = run(&[
        "report",
        FIXTURE,
        "--out",
        &path_str(&out),
        "--formats",
        "csv",
        "-q",
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(!out.join("report.html").exists());
    assert!(!out.join("charts").exists());
    let (_d, only) = report(&[FIXTURE, "--formats", "html"]);
    assert_eq!(names(&only), ["report.html"]);
}

#[test]
fn the_page_needs_no_other_host_and_keeps_input_text_as_text() {
    let dir = temp();
    let input = dir.path().join("hostile.csv");
    std::fs::write(
        &input,
        "id,vendor,title,components,started_at,resolved_at\n\
         <b>1</b>,../../Evil <Corp>,<script>alert('title')</script>,\"\"\"><img src=x onerror=alert(1)>\",2024-06-03T10:00:00Z,2024-06-03T11:00:00Z\n\
         2,Plain,Fine,API,2024-06-04T10:00:00Z,2024-06-04T11:00:00Z\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&["report", &path_str(&input), "--out", &path_str(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // No markup from the input survives; the text does, escaped.
    assert!(!html.contains("<script"), "a script tag in the page");
    assert!(!html.contains("<img"), "an img tag in the page");
    assert!(!html.contains("<b>1</b>"));
    // The templates escape `& < > "` (every attribute is double-quoted, so `'` is safe).
    assert!(html.contains("&lt;script&gt;alert('title')&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("../../Evil &lt;Corp&gt;"));
    // Nothing is fetched: no tag has a source, a stylesheet link, an import or a url(); links
    // stay in the page.
    for tag in html
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default())
    {
        let t = tag.to_ascii_lowercase();
        assert!(!t.contains("src="), "a source in <{tag}>");
        assert!(
            !t.starts_with("link") && !t.starts_with("iframe"),
            "<{tag}>"
        );
        if let Some(href) = t.split("href=\"").nth(1) {
            assert!(href.starts_with('#'), "link out of the page: <{tag}>");
        }
    }
    assert!(!html.contains("@import") && !html.contains("url("));
    assert!(
        html.contains("default-src 'none'"),
        "a content security policy"
    );
    // The vendor's chart file name is made safe, inside charts/; nothing outside `out`.
    let charts = names(&out.join("charts"));
    assert!(
        charts.contains(&"uptime-evil-corp.svg".to_string()),
        "{charts:?}"
    );
    assert_eq!(names(dir.path()), ["hostile.csv", "out"]);
}

#[test]
fn the_headline_compares_the_last_month_with_the_one_before() {
    // Sample data, one month: the month before comes from the same data.
    let (_d, out) = report(&["data/incidents.csv", "--month", "2025-06"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Reliability report 2025-06"));
    assert!(
        html.contains(" vs ") && html.contains("in 2025-05"),
        "no month-over-month line"
    );
    // The fixture in May 2024: one incident, none in April (a month of 100% is a figure too).
    let (_d, out) = report(&[FIXTURE, "--month", "2024-05"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("2024-05: 1 vs 0 in 2024-04"),
        "incidents card"
    );
    // Sections a reader looks for, and the definitions of this run.
    for s in [
        "id=\"sla\"",
        "id=\"incidents\"",
        "id=\"quality\"",
        "id=\"definitions\"",
        "weights statuspage",
        "@media print",
    ] {
        assert!(html.contains(s), "{s}");
    }
    // Rejects with their lines are in the data-quality section.
    assert!(html.contains("month 13 does not exist") || html.contains("2024-13-01"));
}

#[test]
fn the_page_is_the_same_for_the_same_input() {
    let (_a, one) = report(&[FIXTURE]);
    let (_b, two) = report(&[FIXTURE]);
    for f in ["report.html", "charts/timeline.svg", "charts/uptime.png"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// One vendor with 15 components in June 2024: `Comp-01`..`Comp-12` down 60..170 minutes (each
/// past the 43.2-minute budget of 99.9% of 30 days), `Comp-13`..`Comp-15` down 10 minutes (met);
/// and a small vendor with one component of each.
fn fleet_csv(dir: &std::path::Path) -> String {
    let mut csv = String::from(
        "id,vendor,title,severity,impact,components,started_at,detected_at,acknowledged_at,identified_at,mitigated_at,resolved_at\n",
    );
    let mut row = |id: String, vendor: &str, comp: &str, minutes: u32| {
        let end = chrono::DateTime::parse_from_rfc3339("2024-06-10T00:00:00Z").unwrap()
            + chrono::Duration::minutes(i64::from(minutes));
        let end = end.format("%Y-%m-%dT%H:%M:%SZ");
        csv.push_str(&format!(
            "{id},{vendor},Outage,sev2,major_outage,{comp},2024-06-10T00:00:00Z,,,,{end},{end}\n"
        ));
    };
    for k in 1..=15u32 {
        let minutes = if k <= 12 { 50 + 10 * k } else { 10 };
        row(format!("F-{k}"), "Fleet", &format!("Comp-{k:02}"), minutes);
    }
    row("S-1".into(), "Small", "Alpha", 10);
    row("S-2".into(), "Small", "Beta", 60);
    let path = dir.join("fleet.csv");
    std::fs::write(&path, csv).unwrap();
    path_str(&path)
}

#[test]
fn a_vendor_with_many_components_lists_its_worst_misses_and_counts_the_rest() {
    let dir = temp();
    let input = fleet_csv(dir.path());
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        &input,
        "--month",
        "2024-06",
        "--out",
        &path_str(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let sla = &html[html
        .find("<h3>SLA 2024-06</h3>")
        .expect("the period's SLA table")..];
    let sla = &sla[..sla.find("</table>").unwrap()];
    let at = |s: &str| {
        sla.find(s)
            .unwrap_or_else(|| panic!("{s} not in the SLA table"))
    };
    // Worst first: Comp-12 (170 min) .. Comp-03 (80 min) listed, then the fold.
    let listed: Vec<usize> = (3..=12)
        .rev()
        .map(|k| at(&format!("Comp-{k:02}")))
        .collect();
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "worst first");
    let fold = at("and 2 more missed, 3 met");
    assert!(listed[9] < fold);
    let folded = at("<tbody class=\"folded\">");
    assert!(fold < folded);
    // The fold holds the other two missed (worst first), then the met ones by name.
    let rest: Vec<usize> = ["Comp-02", "Comp-01", "Comp-13", "Comp-14", "Comp-15"]
        .iter()
        .map(|c| at(c))
        .collect();
    assert!(folded < rest[0] && rest.windows(2).all(|w| w[0] < w[1]));
    // A vendor with few components lists them all, the missed one first, with no fold.
    let small = &sla[at("<strong>Small</strong>")..];
    assert!(small.find("Beta").unwrap() < small.find("Alpha").unwrap());
    assert_eq!(sla.matches("class=\"fold\"").count(), 1);

    // The terminal counts the same rows; availability.csv keeps every one.
    let text = stdout(&o);
    let term = &text[text.find("SLA 2024-06:").expect("terminal SLA table")..];
    assert!(term.contains("and 2 more missed, 3 met"), "{term}");
    assert!(
        !term.contains("Comp-02") && term.contains("Comp-03"),
        "{term}"
    );
    let csv = std::fs::read_to_string(out.join("availability.csv")).unwrap();
    for k in 1..=15 {
        assert!(
            csv.contains(&format!("component,Fleet,Comp-{k:02},2024-06,")),
            "Comp-{k:02}"
        );
    }
}

#[test]
fn published_rows_that_differ_come_first_and_identical_ones_are_counted() {
    let (_d, out) = report(&["tests/data/published", "--month", "2025-03"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let table = &html[html.find("<h2 id=\"published\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    // Search differs by 0.63 pp, API by 0.41; Core reads 100% three times and is folded.
    let search = table.find("Core / Search").unwrap();
    let api = table.find(">API<").unwrap();
    let fold = table.find("and 1 identical").unwrap();
    let core = table.find(">Core<").unwrap();
    assert!(search < api && api < fold && fold < core, "{table}");
}

#[test]
fn a_day_strip_names_its_component_in_full_on_hover() {
    let (_d, out) = report(&["tests/data/published", "--month", "2025-03"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<span title=\"Tailwind / Core / Search\">Tailwind / Core / Search</span>"),
        "strip label"
    );
}

#[test]
fn the_renderer_escapes_nothing_by_hand() {
    // The templates (maud) escape every inserted value; a hand-written escape in the renderer
    // would be a second rule to keep right.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/html");
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for hand in ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "fn esc("] {
            assert!(!text.contains(hand), "{} holds {hand}", path.display());
        }
    }
}
