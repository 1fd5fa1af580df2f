//! Charts through the binary: SVG snapshots for the fixture, PNGs that decode and are not
//! blank, hostile names kept as text, and a clear error for an unknown file type.

use crate::common::*;

fn chart(kind: &str, input: &str, file: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = temp();
    let path = dir.path().join(file);
    let o = run(&["chart", kind, input, "-o", &path_str(&path), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, path)
}

#[test]
fn svg_snapshots_for_the_fixture() {
    for kind in ["sla", "trend"] {
        let (_dir, path) = chart(kind, FIXTURE, "c.svg");
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{kind}");
        insta::assert_snapshot!(format!("chart_{kind}.svg"), svg);
    }
}

#[test]
fn pngs_decode_and_are_not_blank() {
    for kind in ["sla", "trend"] {
        let (_dir, path) = chart(kind, "data/incidents.csv", "c.png");
        let bytes = std::fs::read(&path).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (960, 480), "{kind}");
        let pixels = &buf[..info.buffer_size()];
        let non_white = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
        let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
        assert!(non_white > 5_000, "{kind}: {non_white} drawn pixels");
        assert!(colours.len() > 20, "{kind}: {} colours", colours.len());
    }
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
