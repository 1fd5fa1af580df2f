//! The fields of canonical CSV records, found in one pass over a chunk of text and put
//! straight into the columns ingest needs: text fields as spans of the chunk, timestamp fields
//! parsed into milliseconds as they are met (a million rows would otherwise first hold 200 MB
//! of timestamp text, to be parsed and freed again).
//!
//! The quoting rules (RFC 4180, as polars and Python's `csv` read it):
//! - a field that starts with `"` is quoted: it runs to the next `"` not doubled, may hold
//!   commas and line breaks, and `""` inside it is one `"`. Text after the closing quote up to
//!   the next comma is kept as it is (`"a"b` is `ab`).
//! - a `"` anywhere else is an ordinary character (`5" disk` is `5" disk`).
//! - a record ends at a line break outside quotes; a `\r` just before it is not part of the
//!   last field.
//! - an empty unquoted field is null; a record with fewer fields than the header has nulls
//!   for the rest; one with more is rejected (its fields cannot be told apart).

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::Reject;

/// Where a field's text is: `start..start + len` of the chunk, or of the chunk's scratch text
/// (unescaped quoted fields) when `start` has its top bit set; `start == u32::MAX` is null.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

const IN_SCRATCH: u32 = 1 << 31;

impl Span {
    pub(crate) const NULL: Span = Span {
        start: u32::MAX,
        len: 0,
    };

    fn get<'a>(self, text: &'a str, scratch: &'a str) -> Option<&'a str> {
        if self == Span::NULL {
            return None;
        }
        let (from, start) = if self.start & IN_SCRATCH != 0 {
            (scratch, (self.start & !IN_SCRATCH) as usize)
        } else {
            (text, self.start as usize)
        };
        from.get(start..start + self.len as usize)
    }

    /// The span without its first byte (an ASCII `'`).
    fn skip_one(self) -> Span {
        Span {
            start: self.start + 1,
            len: self.len - 1,
        }
    }
}

/// Where a search for the line breaks that end records stands in a text read from its start,
/// by the quote rule [`Fields`] reads with (what the chunking of a file follows, so a chunk
/// never ends inside a quoted field). It resumes where it stopped, so a buffer that grows is searched once, not from its start after
/// every read. Only line breaks and quotes are visited: a quote opens a field when it is the
/// first byte of one (after a comma, a line break or at the start); inside, `""` is a quote
/// and any other `"` closes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct QuoteScan {
    /// The next byte to look at.
    pos: usize,
    quoted: bool,
    /// Where the quote that opened the field the scan is in (when `quoted`) is.
    opened: usize,
}

impl QuoteScan {
    /// The next line break outside quotes in `b` (the text so far; the same bytes as before,
    /// perhaps more), or `None` at its end. With `more` (the text may grow), a quote inside
    /// quotes that is the last byte is left for the next call: it may be half of a `""`.
    pub(crate) fn next_break(&mut self, b: &[u8], more: bool) -> Option<usize> {
        while let Some(off) = memchr::memchr2(b'\n', b'"', &b[self.pos.min(b.len())..]) {
            let at = self.pos + off;
            self.pos = at + 1;
            if b[at] == b'\n' {
                if !self.quoted {
                    return Some(at);
                }
            } else if self.quoted {
                match b.get(at + 1) {
                    Some(b'"') => self.pos = at + 2,
                    None if more => {
                        self.pos = at;
                        return None;
                    }
                    _ => self.quoted = false,
                }
            } else if at == 0 || matches!(b[at - 1], b',' | b'\n') {
                self.quoted = true;
                self.opened = at;
            }
        }
        self.pos = self.pos.max(b.len());
        None
    }

    /// Where the quote is that opened a field still open at the end of the text scanned (a
    /// quote never closed), if one is.
    pub(crate) fn unclosed(&self) -> Option<usize> {
        self.quoted.then_some(self.opened)
    }
}

/// The error of a quoted field that opens on `line` and is never closed.
pub(crate) fn never_closed(name: &str, line: u64) -> Error {
    Error::Parse {
        source_name: name.to_string(),
        line,
        message: "a quoted field is never closed (a '\"' is missing)".into(),
    }
}

/// A cursor over the fields of records.
pub(crate) struct Fields<'a> {
    text: &'a str,
    i: usize,
    /// The line the cursor is on (1-based).
    pub(crate) line: u64,
    /// Unescaped text of quoted fields that held `""` or text after their closing quote.
    scratch: String,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(text: &'a str, line: u64) -> Fields<'a> {
        Fields {
            text,
            i: 0,
            line,
            scratch: String::new(),
        }
    }

    /// Whether every record was read.
    pub(crate) fn done(&self) -> bool {
        self.i >= self.text.len()
    }

    /// The text of a span this cursor made.
    pub(crate) fn get(&self, span: Span) -> Option<&str> {
        span.get(self.text, &self.scratch)
    }

    /// The next field, and whether it ends its record. `name` is the file, for errors.
    pub(crate) fn next(&mut self, name: &str) -> Result<(Span, bool)> {
        let b = self.text.as_bytes();
        let start = self.i;
        if b.get(start) != Some(&b'"') {
            let (end, ends_record) = match memchr::memchr2(b',', b'\n', &b[start..]) {
                Some(k) => (start + k, b[start + k] == b'\n'),
                None => (b.len(), true),
            };
            self.i = end + 1;
            let mut stop = end;
            if ends_record {
                self.line += 1;
                if stop > start && b[stop - 1] == b'\r' {
                    stop -= 1;
                }
            }
            let span = if stop == start {
                Span::NULL
            } else {
                Span {
                    start: start as u32,
                    len: (stop - start) as u32,
                }
            };
            return Ok((span, ends_record));
        }
        // A quoted field: as a span of the text when it is one run, else unescaped into the
        // scratch text.
        let first_line = self.line;
        let mut at = start + 1;
        let mut scratch_from: Option<usize> = None;
        loop {
            let Some(k) = memchr::memchr(b'"', &b[at..]) else {
                return Err(never_closed(name, first_line));
            };
            let close = at + k;
            self.line += memchr::memchr_iter(b'\n', &b[at..close]).count() as u64;
            if b.get(close + 1) == Some(&b'"') {
                // `""`: the run so far and one quote go to the scratch text.
                scratch_from.get_or_insert(self.scratch.len());
                self.scratch.push_str(&self.text[at..=close]);
                at = close + 2;
                continue;
            }
            // Closed: the rest up to the comma or line break is taken as it is.
            let (end, ends_record) = match memchr::memchr2(b',', b'\n', &b[close + 1..]) {
                Some(k) => (close + 1 + k, b[close + 1 + k] == b'\n'),
                None => (b.len(), true),
            };
            let mut stop = end;
            if ends_record {
                self.line += 1;
                if stop > close + 1 && b[stop - 1] == b'\r' {
                    stop -= 1;
                }
            }
            self.i = end + 1;
            let span = match scratch_from {
                None if stop == close + 1 => Span {
                    start: (start + 1) as u32,
                    len: (close - start - 1) as u32,
                },
                _ => {
                    let from = *scratch_from.get_or_insert(self.scratch.len());
                    self.scratch.push_str(&self.text[at..close]);
                    self.scratch.push_str(&self.text[close + 1..stop]);
                    Span {
                        start: from as u32 | IN_SCRATCH,
                        len: (self.scratch.len() - from) as u32,
                    }
                }
            };
            return Ok((span, ends_record));
        }
    }
}

/// The number of fields in `text` as the CSV reader splits them (one cursor, one thread, no
/// column built): what `benches/csv_reader.rs` sets against `csv-core` on the same text.
#[doc(hidden)]
pub fn count_fields(text: &str) -> Result<usize> {
    let mut fields = Fields::new(text, 1);
    let mut n = 0;
    while !fields.done() {
        fields.next("bench")?;
        n += 1;
    }
    Ok(n)
}

/// What the header says of each field of a record.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    /// Per field: the canonical column it fills, or `None` (a column mttx does not read).
    pub(crate) slots: Vec<Option<String>>,
}

/// Whether a canonical column holds timestamps.
pub(crate) fn is_time(name: &str) -> bool {
    crate::model::col::TIMESTAMPS.contains(&name)
}

/// The column being filled for one slot of the header.
struct Building {
    name: String,
    spans: Vec<Span>,
    /// For a timestamp column: the instants, while every value is null or written as
    /// [`crate::time::format_utc`] writes it (the text is then the value's own); `None` once one
    /// is not, and the column stays text for the validator to parse and explain.
    ms: Option<Millis>,
}

/// A timestamp column's instants and which of them are there.
pub(crate) struct Millis {
    ms: Vec<i64>,
    there: Vec<bool>,
    nulls: usize,
}

impl Millis {
    pub(crate) fn with_capacity(n: usize) -> Millis {
        Millis {
            ms: Vec::with_capacity(n),
            there: Vec::with_capacity(n),
            nulls: 0,
        }
    }

    pub(crate) fn push(&mut self, v: Option<i64>) {
        self.ms.push(v.unwrap_or(0));
        self.there.push(v.is_some());
        self.nulls += usize::from(v.is_none());
    }

    /// The column, as the instants' own buffer when none is null.
    pub(crate) fn into_chunked(self, name: &str) -> Int64Chunked {
        if self.nulls == 0 {
            return Int64Chunked::from_vec(name.into(), self.ms);
        }
        let values = self
            .ms
            .iter()
            .zip(&self.there)
            .map(|(v, t)| t.then_some(*v));
        Int64Chunked::from_iter_options(name.into(), values)
    }
}

/// The rows of a chunk: canonical columns (text; timestamps typed where every value of the
/// chunk is written canonically), the line of each row, and each row's last line.
pub(crate) struct Rows {
    pub(crate) columns: Vec<Column>,
    pub(crate) lines: Vec<u64>,
    pub(crate) last_lines: Vec<u64>,
    /// Records with more fields than the header: rejected whole.
    pub(crate) broken: Vec<Reject>,
}

/// A cell mttx (or a careful spreadsheet user) wrote with a `'` before a formula: the `'` is
/// taken off, so a CSV mttx wrote reads back as the values it came from. The rule is the
/// writer's ([`crate::model::runs_as_formula`]): `'-5` was not written by it and stays as it is.
fn quoted_formula(v: &str) -> bool {
    v.strip_prefix('\'')
        .is_some_and(crate::model::runs_as_formula)
}

/// Reads the records of `text` (whole records, the first on `line`) into the columns of
/// `header`. A record whose fields are all blank is no row (a blank line).
pub(crate) fn rows(name: &str, text: &str, line: u64, header: &Header) -> Result<Rows> {
    if text.len() >= IN_SCRATCH as usize {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "a record of over 2 GB cannot be read".into(),
        });
    }
    // Room for a row per line at most: no vector grows (and copies itself) on the way.
    let most = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    let mut building: Vec<Option<Building>> = (header.slots.iter())
        .map(|s| s.as_ref().map(|name| Building::new(name, most)))
        .collect();
    let width = header.slots.len();
    let mut fields = Fields::new(text, line);
    let mut lines = Vec::with_capacity(most);
    let mut last_lines = Vec::with_capacity(most);
    let mut record: Vec<Span> = Vec::with_capacity(width);
    let mut broken = Vec::new();
    while !fields.done() {
        let (start, start_line) = (fields.i, fields.line);
        if read_record(&mut fields, name, &mut record)? {
            continue;
        }
        if record.len() > width {
            // Its fields cannot be told apart: a rejected row, as it is in the file.
            broken.push(Reject {
                source: name.to_string(),
                line: start_line,
                column: String::new(),
                reason: format!(
                    "{} fields where the header has {width} (an unquoted comma?)",
                    record.len()
                ),
                raw: text[start..fields.i.min(text.len())]
                    .trim_end()
                    .chars()
                    .take(200)
                    .collect(),
            });
            continue;
        }
        record.resize(width, Span::NULL);
        for (b, &span) in building.iter_mut().zip(&record) {
            if let Some(b) = b {
                b.push(span, &fields);
            }
        }
        lines.push(start_line);
        last_lines.push(fields.line - 1);
    }
    let columns = (building.into_iter().flatten())
        .map(|b| b.into_column(&fields))
        .collect::<Result<Vec<_>>>()?;
    Ok(Rows {
        columns,
        lines,
        last_lines,
        broken,
    })
}

/// Reads the next record's fields into `record` (a `'` before a formula taken off); true
/// when every field is blank (a blank line: no row).
#[inline]
fn read_record(fields: &mut Fields, name: &str, record: &mut Vec<Span>) -> Result<bool> {
    record.clear();
    let mut blank = true;
    loop {
        let (mut span, end) = fields.next(name)?;
        if let Some(v) = fields.get(span) {
            blank = blank && v.trim().is_empty();
            if quoted_formula(v) {
                span = span.skip_one();
            }
        }
        record.push(span);
        if end {
            return Ok(blank);
        }
    }
}

impl Building {
    fn new(name: &str, most: usize) -> Building {
        Building {
            name: name.to_string(),
            spans: Vec::with_capacity(most),
            ms: is_time(name).then(|| Millis::with_capacity(most)),
        }
    }

    /// One row's value; a timestamp column stays typed while the value is canonical.
    #[inline]
    fn push(&mut self, span: Span, fields: &Fields) {
        self.spans.push(span);
        if let Some(ms) = &mut self.ms {
            match fields.get(span) {
                None | Some("") => ms.push(None),
                Some(v) => match crate::time::parse_canonical_utc(v.as_bytes()) {
                    Some(t) => ms.push(Some(t)),
                    None => self.ms = None,
                },
            }
        }
    }

    /// The finished column: instants when typed, else the text of each span.
    fn into_column(self, fields: &Fields) -> Result<Column> {
        Ok(match self.ms {
            Some(ms) => ms
                .into_chunked(&self.name)
                .into_series()
                .cast(&super::columns::ts_dtype())?
                .into_column(),
            None => (self.spans.iter())
                .map(|s| fields.get(*s))
                .collect::<StringChunked>()
                .with_name(self.name.as_str().into())
                .into_column(),
        })
    }
}

/// The header record at the start of `text`: each field's canonical column (by `target`, the
/// column map's), and the bytes it took. Two fields naming one column is an error.
pub(crate) fn header(
    name: &str,
    text: &str,
    target: impl Fn(&str) -> Option<String>,
) -> Result<(Header, usize, u64)> {
    let mut fields = Fields::new(text, 1);
    let mut slots: Vec<Option<String>> = Vec::new();
    loop {
        let (span, end) = fields.next(name)?;
        let mut canon = fields.get(span).and_then(&target);
        let seen = |c: &String| slots.iter().flatten().any(|s| s == c);
        // A dimension named twice (Jira repeats `Labels`) keeps its first column.
        if canon
            .as_ref()
            .is_some_and(|c| c.starts_with(super::columns::DIM) && seen(c))
        {
            canon = None;
        }
        if let Some(c) = &canon
            && seen(c)
        {
            return Err(Error::Parse {
                source_name: name.to_string(),
                line: 1,
                message: format!(
                    "column '{}' appears twice in the header",
                    c.trim_start_matches('\u{1}')
                ),
            });
        }
        slots.push(canon);
        if end {
            break;
        }
    }
    Ok((Header { slots }, fields.i.min(text.len()), fields.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_fields(text: &str) -> Vec<Vec<Option<String>>> {
        let mut f = Fields::new(text, 1);
        let mut out = vec![];
        while !f.done() {
            let mut rec = vec![];
            loop {
                let (s, end) = f.next("t").unwrap();
                rec.push(f.get(s).map(String::from));
                if end {
                    break;
                }
            }
            out.push(rec);
        }
        out
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn a_dimension_named_twice_keeps_its_first_column_and_a_canonical_one_is_an_error() {
        let map = super::super::columns::ColumnMap::default();
        let (h, _, _) = header("t", "id,Labels,labels\n", |c| map.target(c)).unwrap();
        let dim = format!("{}labels", super::super::columns::DIM);
        assert_eq!(h.slots, vec![s("id"), Some(dim), None]);
        let err = header("t", "id,ID\n", |c| map.target(c)).err().unwrap();
        assert!(err.to_string().contains("t:1"), "{err}");
    }

    #[test]
    fn quoted_fields_escapes_and_line_ends() {
        let got = all_fields("a,\"b,c\",\"d\"\"e\"\r\n,\"x\ny\"z,5\" disk\n\"\",\"p\"\"\"\"\"");
        assert_eq!(
            got,
            vec![
                vec![s("a"), s("b,c"), s("d\"e")],
                vec![None, s("x\nyz"), s("5\" disk")],
                vec![s(""), s("p\"\"")],
            ]
        );
        // A line break outside quotes ends a record; the one in quotes only moves the line.
        let mut f = Fields::new("\"a\nb\",c\nd\n", 7);
        f.next("t").unwrap();
        assert_eq!(f.line, 8);
        f.next("t").unwrap();
        assert_eq!(f.line, 9);
        let mut f = Fields::new("a,\"b\nc", 3);
        f.next("t").unwrap();
        let err = f.next("t").unwrap_err().to_string();
        assert!(err.contains("t:3: a quoted field is never closed"), "{err}");
    }

    #[test]
    fn breaks_outside_quotes_are_where_the_parser_ends_records() {
        let text = "a\"b,\"c\nd\"\"\ne\",f\ng\n";
        let mut scan = QuoteScan::default();
        let breaks: Vec<usize> =
            std::iter::from_fn(|| scan.next_break(text.as_bytes(), false)).collect();
        // `a"b`: an ordinary quote; `"c\nd""\ne"` is one field over two line breaks.
        assert_eq!(breaks, vec![text.len() - 3, text.len() - 1]);
        assert_eq!(all_fields(text).len(), 2);
    }

    #[test]
    fn the_quote_before_a_formula_comes_off_as_the_writer_put_it_on() {
        // What the writer makes of a cell, read back, is the cell; a `'` the writer would not
        // have put (before a number, before plain text) is the cell's own and stays.
        for cell in [
            "=SUM(A1)", "-x", "+1 day", "@me", "-5", "+1.5", "'-5", "plain", "'", "",
        ] {
            let written = crate::report::csv::neutral(cell);
            let read = if quoted_formula(&written) {
                &written[1..]
            } else {
                &written[..]
            };
            assert_eq!(read, cell);
        }
        assert!(quoted_formula("'=1+1"));
        assert!(!quoted_formula("'-5"));
        assert!(!quoted_formula("' -5 "));
        assert!(!quoted_formula("'plain"));
    }

    #[test]
    fn rows_skip_blank_records_and_type_canonical_timestamps() {
        let header = Header {
            slots: vec![
                Some("id".into()),
                None,
                Some("started_at".into()),
                Some("resolved_at".into()),
            ],
        };
        let text =
            "a,x,2024-06-03T10:00:00Z,\n\n , ,\nb,y,2024-06-03T11:00:00Z,2024-06-03 12:00\n'=c\n";
        let got = rows("t", text, 2, &header).unwrap();
        assert_eq!(got.lines, vec![2, 5, 6]);
        assert_eq!(got.last_lines, vec![2, 5, 6]);
        let id = got.columns[0].str().unwrap();
        assert_eq!(id.get(2), Some("=c"));
        // started_at: all canonical (or empty) -> typed; resolved_at keeps its text.
        assert_eq!(got.columns[1].dtype(), &super::super::columns::ts_dtype());
        let started = got.columns[1].cast(&DataType::Int64).unwrap();
        assert_eq!(
            started.i64().unwrap().get(1),
            Some(crate::time::parse_timestamp("2024-06-03T11:00:00Z", &chrono_tz::UTC).unwrap())
        );
        assert_eq!(started.i64().unwrap().get(2), None);
        assert_eq!(
            got.columns[2].str().unwrap().get(1),
            Some("2024-06-03 12:00")
        );
        let got = rows("t", "a,b,c,d,e \nf,g\n", 9, &header).unwrap();
        assert_eq!(got.lines, vec![10]);
        assert_eq!(got.broken.len(), 1);
        let r = &got.broken[0];
        assert_eq!((r.line, r.raw.as_str()), (9, "a,b,c,d,e"));
        assert_eq!(
            r.reason,
            "5 fields where the header has 4 (an unquoted comma?)"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Any records a CSV writer writes read back as they were written (blank records
        /// aside, which are no rows here), with the line each starts on.
        #[test]
        fn fields_read_back_as_written(
            records in proptest::collection::vec(
                proptest::collection::vec("[ab ,\"\n\ré]{0,5}", 3),
                1..6,
            ),
            crlf in proptest::bool::ANY,
        ) {
            let mut w = ::csv::WriterBuilder::new()
                .terminator(if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            w.write_record(["id", "vendor", "title"]).unwrap();
            for r in &records {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let text = std::str::from_utf8(&bytes).unwrap();
            let (header, used, line) =
                header("t", text, |h| Some(h.to_string())).unwrap();
            let got = rows("t", &text[used..], line, &header).unwrap();
            // The records that hold something, and the line each starts on.
            let mut want: Vec<&Vec<String>> = Vec::new();
            let mut lines = Vec::new();
            let mut at_line = 2;
            for r in &records {
                if r.iter().any(|v| !v.trim().is_empty()) {
                    want.push(r);
                    lines.push(at_line);
                }
                at_line += 1 + r.iter().map(|f| f.matches('\n').count() as u64).sum::<u64>();
            }
            proptest::prop_assert_eq!(&got.lines, &lines);
            for (k, row) in want.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    let ours = got.columns[c].str().unwrap().get(k);
                    // Empty text and null are one (validation treats both as blank).
                    proptest::prop_assert_eq!(
                        ours.filter(|v| !v.is_empty()),
                        Some(v.as_str()).filter(|v| !v.is_empty()),
                        "row {} column {}", k, c
                    );
                }
            }
        }
    }
}
