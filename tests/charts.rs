//! Charts through the binary: SVG snapshots for the fixture (every kind and a retrospective),
//! PNGs that decode and are not blank, hostile names kept as text, a clear error for an unknown
//! file type, and a many-component input that stays readable (top-N and "others").

use crate::common::*;

fn chart(kind: &str, input: &str, file: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = temp();
    let path = dir.path().join(file);
    let o = run(&["chart", kind, input, "-o", &path_str(&path), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, path)
}

const KINDS: [&str; 6] = [
    "sla",
    "downtime",
    "trend",
    "distribution",
    "timeline",
    "uptime",
];

#[test]
fn svg_snapshots_for_the_fixture() {
    for kind in KINDS {
        let (_dir, path) = chart(kind, FIXTURE, "c.svg");
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{kind}");
        insta::assert_snapshot!(format!("chart_{kind}.svg"), svg);
    }
}

/// Width, height, pixels drawn and colours of a PNG.
fn png_stats(path: &std::path::Path) -> (u32, u32, usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let non_white = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
    (info.width, info.height, non_white, colours.len())
}

#[test]
fn pngs_decode_and_are_not_blank() {
    for kind in KINDS {
        let (_dir, path) = chart(kind, "data/incidents.csv", "c.png");
        let (w, h, non_white, colours) = png_stats(&path);
        assert!(w >= 960 && h >= 200, "{kind}: {w}x{h}");
        assert!(non_white > 5_000, "{kind}: {non_white} drawn pixels");
        assert!(colours > 20, "{kind}: {colours} colours");
    }
}

#[test]
fn a_retrospective_of_one_incident() {
    let dir = temp();
    let svg = dir.path().join("r.svg");
    let o = run(&[
        "retro",
        "tests/data/with-impacts",
        "--incident",
        "T-1",
        "-o",
        &path_str(&svg),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // The phases, with the time since the start and since the milestone before.
    for line in [
        "Tailspin T-1: Queue backlog grew then drained",
        "detected   2024-09-10 08:10       10 min          10 min",
        "mitigated  2024-09-10 09:30   1 h 30 min      1 h 20 min",
        "resolved   2024-09-10 10:00   2 h 00 min          30 min",
        "not recorded: acknowledged, identified",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let svg = std::fs::read_to_string(&svg).unwrap();
    insta::assert_snapshot!("retro_t1.svg", svg);
}

#[test]
fn retro_names_the_incident_it_cannot_find_or_tell_apart() {
    let o = run(&["retro", FIXTURE, "--incident", "nope", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such incident"), "{}", stderr(&o));
    // Two vendors share an id: the message lists both ways to name one.
    let dir = temp();
    let input = dir.path().join("x.csv");
    std::fs::write(
        &input,
        "id,vendor,started_at,resolved_at\n7,Acme,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z\n7,Globex,2024-06-04T10:00:00Z,2024-06-04T11:00:00Z\n",
    )
    .unwrap();
    let o = run(&["retro", &path_str(&input), "--incident", "7", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("'Acme:7', 'Globex:7'"),
        "{}",
        stderr(&o)
    );
    let out = dir.path().join("g.png");
    let o = run(&[
        "retro",
        &path_str(&input),
        "--incident",
        "Globex:7",
        "-o",
        &path_str(&out),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(png_stats(&out).2 > 2_000);
}

#[test]
fn sixty_components_stay_readable() {
    // 3 vendors x 20 components, one incident each: the downtime chart keeps 25 bars plus
    // "35 other components", the timeline 29 lanes plus "31 other components", and the
    // overview of uptime falls back to one row per vendor.
    let dir = temp();
    let input = dir.path().join("many.csv");
    let mut text = String::from("id,vendor,components,impact,started_at,resolved_at\n");
    for v in 0..3 {
        for c in 0..20 {
            let minutes = 1 + v * 19 + c;
            text.push_str(&format!(
                "i{v}-{c},Vendor {v},Component {c:02},partial_outage,2024-06-{:02}T10:00:00Z,2024-06-{:02}T10:{minutes:02}:00Z\n",
                c + 1,
                c + 1
            ));
        }
    }
    std::fs::write(&input, text).unwrap();
    let svg = |kind: &str| {
        let (_d, path) = chart(kind, &path_str(&input), "c.svg");
        std::fs::read_to_string(path).unwrap()
    };
    let downtime = svg("downtime");
    assert!(downtime.contains("35 other components"));
    assert!(
        downtime.contains("Vendor 2 / Component 19"),
        "the most down comes first"
    );
    let timeline = svg("timeline");
    assert!(timeline.contains("31 other components"));
    let uptime = svg("uptime");
    assert!(uptime.contains("60 more rows not shown"), "{uptime}");
}

#[test]
fn hostile_names_stay_text_and_bad_file_types_are_refused() {
    let dir = temp();
    let input = dir.path().join("x.csv");
    std::fs::write(
        &input,
        "id,vendor,started_at,resolved_at\na,<script>alert(1)</script> & co,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z\n",
    )
    .unwrap();
    let (_d, path) = chart("sla", &path_str(&input), "h.svg");
    let svg = std::fs::read_to_string(path).unwrap();
    assert!(!svg.contains("<script>"));
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "{svg}"
    );
    let o = run(&[
        "chart",
        "sla",
        FIXTURE,
        "-o",
        &path_str(&dir.path().join("c.pdf")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("must end in .svg or .png"),
        "{}",
        stderr(&o)
    );
}
