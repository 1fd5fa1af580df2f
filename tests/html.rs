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
    assert!(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"));
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
