//! Ingest rules of contract section 1, each with the expectation worked out by hand.

use std::borrow::Cow;

use polars::prelude::*;

use super::*;
use crate::model::col;

fn csv(text: &str) -> Result<Ingested> {
    from_csv_text("in.csv", text, &IngestOptions::default())
}

fn ms_of(t: &IncidentTable, c: &str, row: usize) -> Option<i64> {
    let k = col::TIMESTAMPS.iter().position(|n| *n == c).unwrap();
    t.timestamps[k].get(row)
}

fn bytes(name: &str, format: Format, b: Vec<u8>) -> Input {
    Input::Bytes {
        name: name.into(),
        format,
        bytes: Cow::Owned(b),
    }
}

#[test]
fn rejects_carry_their_true_line_even_after_a_multiline_field() {
    let text = "id,vendor,title,started_at\n\
                a,V,\"two\nlines\",2024-06-03T10:00:00Z\n\
                b,V,fine,2024-13-03T10:00:00Z\n\
                ,V,no id,2024-06-03T10:00:00Z\n\
                c,V,no start,\n";
    let ing = csv(text).unwrap();
    assert_eq!(ing.counts.read, 4);
    assert_eq!(ing.counts.accepted, 1);
    assert_eq!(ing.counts.rejected, 3);
    let got: Vec<(u64, &str, &str)> = ing
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                4,
                "started_at",
                "started_at '2024-13-03T10:00:00Z': month 13 does not exist"
            ),
            (5, "id", "missing id"),
            (6, "started_at", "missing started_at"),
        ]
    );
    assert_eq!(ing.rejects[0].raw, "b,V,fine,2024-13-03T10:00:00Z");
}

#[test]
fn accepted_plus_rejected_is_read_and_an_unknown_level_is_a_reject() {
    let ing = csv("id,vendor,impact,started_at\n\
                   a,V,Major Outage,2024-06-03T10:00:00Z\n\
                   b,V,meltdown,2024-06-03T10:00:00Z\n\
                   c,V,,2024-06-03T10:00:00Z\n")
    .unwrap();
    assert_eq!(
        (ing.counts.read, ing.counts.accepted, ing.counts.rejected),
        (3, 2, 1)
    );
    assert_eq!(ing.rejects[0].line, 3);
    assert_eq!(ing.rejects[0].column, "impact");
    let impact = ing.incidents.impact.clone();
    assert_eq!(impact.get(0), Some("major_outage"));
    assert_eq!(
        impact.get(1),
        Some("major_outage"),
        "empty impact defaults to major_outage"
    );
}

#[test]
fn out_of_order_rows_are_kept_with_a_warning() {
    let ing = csv("id,vendor,started_at,detected_at,resolved_at\n\
                   a,V,2024-06-03T10:00:00Z,2024-06-03T09:00:00Z,2024-06-03T09:30:00Z\n")
    .unwrap();
    assert_eq!(ing.counts.accepted, 1);
    let msgs: Vec<&str> = ing.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "detected_at before started_at",
            "resolved_at before started_at",
            "impact window ends before it starts: counted as empty"
        ]
    );
    assert!(
        ing.warnings
            .iter()
            .all(|w| w.line == 2 && w.source == "in.csv")
    );
}

#[test]
fn a_duplicate_id_keeps_the_later_row_and_names_both_lines() {
    let ing = csv("id,vendor,title,started_at\n\
                   a,V,first,2024-06-03T10:00:00Z\n\
                   a,W,other vendor,2024-06-03T10:00:00Z\n\
                   a,V,second,2024-06-04T10:00:00Z\n")
    .unwrap();
    assert_eq!(ing.counts.read, 3);
    assert_eq!(ing.counts.accepted, 3);
    assert_eq!(ing.counts.duplicates, 1);
    assert_eq!(ing.incidents.len(), 2);
    let titles = ing.incidents.title.clone();
    // In the report's order: (W, a) then the winning (V, a), started a day later.
    assert_eq!(titles.get(0), Some("other vendor"));
    assert_eq!(titles.get(1), Some("second"));
    assert_eq!(ing.warnings.len(), 1);
    assert_eq!(
        ing.warnings[0].message,
        "duplicate id: in.csv:2 superseded by in.csv:4 (the later row wins)"
    );
    assert_eq!(ing.warnings[0].line, 4);
}

#[test]
fn naive_timestamps_use_the_zone_and_default_vendor_fills_gaps() {
    let opts = IngestOptions {
        tz: "America/New_York".parse().unwrap(),
        default_vendor: Some("Ours".into()),
        ..IngestOptions::default()
    };
    let ing = from_csv_text(
        "in.csv",
        "id,started_at,components\na,2024-06-03 10:00, API ; ;DB \n",
        &opts,
    )
    .unwrap();
    let df = &ing.incidents;
    // 10:00 EDT = 14:00 UTC.
    assert_eq!(
        ms_of(df, col::STARTED_AT, 0),
        Some(crate::time::parse_timestamp("2024-06-03T14:00:00Z", &chrono_tz::Tz::UTC).unwrap())
    );
    assert_eq!(df.vendor.get(0), Some("Ours"));
    assert_eq!(df.components.get(0), Some("API;DB"));
}

#[test]
fn a_missing_required_column_names_the_file_and_the_column() {
    let err = csv("id,vendor,start\na,V,2024-06-03T10:00:00Z\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "in.csv:1: missing required column 'started_at'; canonical columns found: id, vendor"
    );
    let err = csv("id,started_at\na,2024-06-03T10:00:00Z\n").unwrap_err();
    assert!(
        err.to_string().contains("'vendor' (or give --vendor NAME)"),
        "{err}"
    );
    let err = csv("  \n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "in.csv: the file is empty (expected a header line)"
    );
}

#[test]
fn header_only_reads_zero_rows() {
    let ing = csv("id,vendor,started_at\n").unwrap();
    assert_eq!(ing.counts, Counts::default());
}

#[test]
fn json_arrays_keep_the_line_each_record_starts_on() {
    let text = "[\n  {\"id\": \"a\", \"vendor\": \"V\", \"started_at\": \"2024-06-03T10:00:00Z\",\n   \"components\": [\"API\", \"DB\"]},\n  {\"id\": 7, \"vendor\": \"V\", \"started_at\": \"June\"}\n]\n";
    let ing = read(
        &[bytes("in.json", Format::Json, text.as_bytes().to_vec())],
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!((ing.counts.read, ing.counts.accepted), (2, 1));
    assert_eq!(ing.rejects[0].line, 4);
    assert!(
        ing.rejects[0]
            .reason
            .starts_with("started_at 'June': not a timestamp")
    );
    let comps = ing.incidents.components.clone();
    assert_eq!(comps.get(0), Some("API;DB"));
}

#[test]
fn ndjson_reads_line_by_line_and_rejects_a_broken_line() {
    let text = "{\"id\":\"a\",\"vendor\":\"V\",\"started_at\":\"2024-06-03T10:00:00Z\"}\n\n{\"id\":\"b\",\n{\"id\":\"c\",\"vendor\":\"V\",\"started_at\":\"2024-06-03T11:00:00Z\",\"severity\":\"Minor\"}\n";
    for format in [Format::Ndjson, Format::Json] {
        let ing = read(
            &[bytes("in.ndjson", format, text.as_bytes().to_vec())],
            &IngestOptions::default(),
        )
        .unwrap();
        assert_eq!(
            (ing.counts.read, ing.counts.accepted, ing.counts.rejected),
            (3, 2, 1)
        );
        assert_eq!(ing.rejects[0].line, 3);
        assert!(ing.rejects[0].reason.starts_with("malformed JSON"));
        let sev = ing.incidents.severity.clone();
        assert_eq!(sev.get(1), Some("minor"));
    }
}

#[test]
fn parquet_with_typed_datetimes_reads_like_csv() {
    let starts = Int64Chunked::from_slice("started_at".into(), &[1_717_408_800_000])
        .into_series()
        .cast(&DataType::Datetime(
            TimeUnit::Milliseconds,
            Some(TimeZone::UTC),
        ))
        .unwrap();
    let mut df = DataFrame::new(
        1,
        vec![
            Column::new("ID".into(), ["a"]),
            Column::new("vendor".into(), ["V"]),
            starts.into_column(),
            Column::new("resolved_at".into(), ["2024-06-03T11:00:00Z"]),
        ],
    )
    .unwrap();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df).unwrap();
    let ing = read(
        &[bytes("in.parquet", Format::Parquet, buf)],
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(ing.counts.accepted, 1);
    let df = &ing.incidents;
    assert_eq!(ms_of(df, col::STARTED_AT, 0), Some(1_717_408_800_000));
    assert_eq!(
        ms_of(df, col::RESOLVED_AT, 0),
        Some(1_717_408_800_000 + 3_600_000)
    );
}

#[test]
fn several_inputs_count_together_and_a_later_file_wins() {
    let a = bytes(
        "a.csv",
        Format::Csv,
        b"id,vendor,title,started_at\nx,V,old,2024-06-03T10:00:00Z\n".to_vec(),
    );
    let b = bytes(
        "b.csv",
        Format::Csv,
        b"id,vendor,title,started_at\nx,V,new,2024-06-03T10:00:00Z\ny,V,,bad\n".to_vec(),
    );
    let ing = read(&[a, b], &IngestOptions::default()).unwrap();
    assert_eq!(
        (ing.counts.read, ing.counts.accepted, ing.counts.rejected),
        (3, 2, 1)
    );
    assert_eq!(ing.rejects[0].source, "b.csv");
    assert_eq!(ing.rejects[0].line, 3);
    assert_eq!(ing.incidents.title.get(0), Some("new"));
}

#[test]
fn headers_map_case_and_space_insensitively() {
    assert_eq!(
        columns::canonical_name(" Started_At "),
        Some(col::STARTED_AT)
    );
    assert_eq!(columns::canonical_name("\u{feff}id"), Some(col::ID));
    assert_eq!(columns::canonical_name("owner"), None);
}

#[test]
fn format_from_extension() {
    assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
    assert_eq!(
        Format::from_path(Path::new("x.jsonl")),
        Some(Format::Ndjson)
    );
    assert_eq!(
        Format::from_path(Path::new("x.parquet")),
        Some(Format::Parquet)
    );
    assert_eq!(Format::from_path(Path::new("x.txt")), Some(Format::Page));
    assert_eq!(Format::from_path(Path::new("x.HTML")), Some(Format::Page));
    assert_eq!(Format::from_path(Path::new("x.xlsx")), None);
}

#[test]
fn blank_lines_are_not_rows_and_do_not_shift_line_numbers() {
    let ing = csv("id,vendor,started_at\r\na,V,2024-06-03T10:00:00Z\r\n\r\n,,\r\nb,V,2024-13-03T10:00:00Z\r\n").unwrap();
    assert_eq!(
        (ing.counts.read, ing.counts.accepted, ing.counts.rejected),
        (2, 1, 1)
    );
    assert_eq!(ing.rejects[0].line, 5);
}

#[test]
fn impact_rows_attach_to_incidents_or_are_rejected_with_their_line() {
    let incidents = bytes(
        "i.csv",
        Format::Csv,
        b"id,vendor,started_at\na,V,2024-06-03T10:00:00Z\nb,V,2024-06-03T10:00:00Z\nb,W,2024-06-03T10:00:00Z\n".to_vec(),
    );
    let impacts = bytes(
        "w.csv",
        Format::Csv,
        b"incident_id,component,impact,start,end\n\
          a,API,partial_outage,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z\n\
          zz,API,,2024-06-03T10:00:00Z,\n\
          b,API,,2024-06-03T10:00:00Z,\n\
          a,,,2024-06-03T12:00:00Z,2024-06-03T11:00:00Z\n\
          a,DB,,June,\n"
            .to_vec(),
    );
    let ing = read(&[incidents, impacts], &IngestOptions::default()).unwrap();
    assert_eq!(
        (ing.counts.read, ing.counts.accepted, ing.counts.rejected),
        (8, 5, 3)
    );
    let got: Vec<(&str, u64, &str)> = ing
        .rejects
        .iter()
        .map(|r| (r.source.as_str(), r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "w.csv",
                6,
                "start 'June': not a timestamp (expected RFC 3339 such as 2024-06-03T14:05:00Z, or YYYY-MM-DD HH:MM[:SS])"
            ),
            ("w.csv", 3, "no accepted incident with id 'zz'"),
            (
                "w.csv",
                4,
                "incident id 'b' belongs to 2 vendors: add a vendor column to the impacts table"
            ),
        ]
    );
    assert_eq!(ing.impacts.incident.len(), 2);
    let comps = ing.impacts.component.clone();
    assert_eq!(comps.get(1), Some("(all)"));
    assert!(
        ing.warnings
            .iter()
            .any(|w| w.source == "w.csv" && w.line == 5)
    );
    let sources = ing.incidents.window_source.clone();
    assert_eq!(sources.get(0), Some("impacts"));
    assert_eq!(sources.get(1), Some("record"));
}

#[test]
fn impacts_alone_are_not_a_report() {
    let impacts = bytes(
        "w.csv",
        Format::Csv,
        b"incident_id,start\na,2024-06-03T10:00:00Z\n".to_vec(),
    );
    let err = read(&[impacts], &IngestOptions::default()).unwrap_err();
    assert!(err.to_string().contains("only impacts tables"), "{err}");
}

#[test]
fn the_duplicate_precheck_is_never_wrong_when_it_says_none() {
    let frame = |vendors: &[Option<&str>], ids: &[&str]| {
        df![col::VENDOR => vendors, col::ID => ids].unwrap()
    };
    let may = |f: &DataFrame| dedupe::maybe_duplicates(f).unwrap();
    // The same id under two vendors, or a vendor missing: no duplicate.
    assert!(!may(&frame(
        &[Some("A"), Some("B"), None],
        &["1", "1", "1"]
    )));
    // Names that run together differently are different keys.
    assert!(!may(&frame(&[Some("ab"), Some("a")], &["c", "bc"])));
    assert!(may(&frame(
        &[Some("A"), Some("B"), Some("A")],
        &["1", "2", "1"]
    )));
    assert!(may(&frame(&[None, None], &["7", "7"])));
}

thread_local! {
    static PHASES: std::cell::RefCell<Vec<crate::memory::Phase>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

#[test]
fn the_allocator_hears_when_reading_ends_even_on_a_failed_read() {
    use crate::memory::Phase;
    // The hook is per process; each test thread keeps what it heard.
    crate::memory::install(|p| PHASES.with(|v| v.borrow_mut().push(p)));
    let heard = || PHASES.with(|v| v.take());
    heard();
    // A small input is read without keeping freed pages (below `KEEP_PAGES_FROM`); the end of
    // the read is announced all the same.
    let good = "id,vendor,started_at\na,V,2024-06-01T00:00:00Z\n";
    from_csv_text("m.csv", good, &IngestOptions::default()).unwrap();
    assert_eq!(heard(), [Phase::Read]);
    let bad = "id,vendor,started_at\n\"a,V,2024-06-01T00:00:00Z\n";
    assert!(from_csv_text("m.csv", bad, &IngestOptions::default()).is_err());
    assert_eq!(heard(), [Phase::Read]);
    // A large one (only its size is looked at before reading: a file of blanks, refused as
    // empty) is read keeping them, and the end is announced after the failure too.
    let blank = " ".repeat(KEEP_PAGES_FROM as usize);
    assert!(from_csv_text("big.csv", &blank, &IngestOptions::default()).is_err());
    assert_eq!(heard(), [Phase::Reading, Phase::Read]);
}

#[test]
fn the_memory_planned_for_inputs_weighs_each_format() {
    // 100 bytes of CSV at 3, 10 of Parquet at 30, 20 of NDJSON at 5: 300 + 300 + 100 = 700.
    let bytes = |name: &str, format: Format, n: usize| Input::Bytes {
        name: name.into(),
        format,
        bytes: Cow::Owned(vec![b'x'; n]),
    };
    let files = [
        bytes("a.csv", Format::Csv, 100),
        bytes("b.parquet", Format::Parquet, 10),
        bytes("c.ndjson", Format::Ndjson, 20),
    ];
    assert_eq!(check_size(&files, InputLimit::Memory(700)).unwrap(), 130);
    let e = check_size(&files, InputLimit::Memory(699)).unwrap_err();
    assert!(
        e.to_string().contains(
            "the inputs are 0.0 MB in 3 files: mttx holds its input in memory and plans for 0.0 GB"
        ),
        "{e}"
    );
    // An explicit limit is on the size on disk, whatever the format.
    assert_eq!(check_size(&files, InputLimit::Bytes(130)).unwrap(), 130);
    assert!(check_size(&files, InputLimit::Bytes(129)).is_err());
}

#[test]
fn other_columns_are_dimensions_a_header_differing_in_case_and_spacing_kept_once() {
    let ing = csv("id,vendor,started_at,Team Name, team_NAME ,Kind\n\
                   a,V,2024-06-03T10:00:00Z, Payments ,ignored,\n\
                   b,V,2024-06-04T10:00:00Z,,x,test\n")
    .unwrap();
    let dims: Vec<&str> = ing.incidents.dims.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(dims, ["team_name", "kind"]);
    let (team, kind) = (&ing.incidents.dims[0].1, &ing.incidents.dims[1].1);
    // Trimmed; empty is none; the first of two columns of one name is kept.
    assert_eq!((team.get(0), team.get(1)), (Some("Payments"), None));
    assert_eq!((kind.get(0), kind.get(1)), (None, Some("test")));
}

#[test]
fn json_ndjson_and_parquet_keep_their_dimensions_too() {
    let csv_text = "id,vendor,started_at,Owner Team\n\
                    a,V,2024-06-03T10:00:00Z,Payments\n\
                    b,V,2024-06-04T10:00:00Z,\n";
    let parquet = parquet_of_canonical_csv(csv_text).unwrap();
    let json = r#"[{"id":"a","vendor":"V","started_at":"2024-06-03T10:00:00Z","Owner Team":"Payments"},
                   {"id":"b","vendor":"V","started_at":"2024-06-04T10:00:00Z","Owner Team":null}]"#;
    let ndjson = "{\"id\":\"a\",\"vendor\":\"V\",\"started_at\":\"2024-06-03T10:00:00Z\",\"Owner Team\":\"Payments\"}\n\
                  {\"id\":\"b\",\"vendor\":\"V\",\"started_at\":\"2024-06-04T10:00:00Z\"}\n";
    for input in [
        bytes("t.parquet", Format::Parquet, parquet),
        bytes("t.json", Format::Json, json.as_bytes().to_vec()),
        bytes("t.ndjson", Format::Ndjson, ndjson.as_bytes().to_vec()),
    ] {
        let ing = read(&[input], &IngestOptions::default()).unwrap();
        let (name, team) = &ing.incidents.dims[0];
        assert_eq!(name, "owner_team");
        assert_eq!((team.get(0), team.get(1)), (Some("Payments"), None));
    }
}

#[test]
fn a_preset_keeps_its_other_columns_and_its_urgency_as_dimensions() {
    let opts = IngestOptions {
        columns: columns::ColumnMap::preset("pagerduty").unwrap(),
        default_vendor: Some("Ours".into()),
        ..IngestOptions::default()
    };
    let ing = from_csv_text(
        "pd.csv",
        "incident_number,title,urgency,service_name,created_at,resolved_at,team_name,priority\n\
         17,Checkout down,High,Checkout,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z,Payments,P1\n",
        &opts,
    )
    .unwrap();
    let t = &ing.incidents;
    assert_eq!(t.severity.get(0), Some("high"));
    let dims: Vec<(&str, Option<&str>)> =
        t.dims.iter().map(|(n, k)| (n.as_str(), k.get(0))).collect();
    // urgency stays as written beside the lower-cased severity; the rest as any dimension.
    assert_eq!(
        dims,
        [
            ("urgency", Some("High")),
            ("team_name", Some("Payments")),
            ("priority", Some("P1"))
        ]
    );
}
