//! Canonical CSV: read a chunk of whole records at a time, each chunk's fields put into
//! canonical columns by [`csv_fields`] (headers mapped to canonical names), and each row's true
//! line number kept (quoted fields may span lines).

use std::borrow::Cow;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use super::csv_fields::{self, Header};
use crate::error::{Error, Result};

/// Line (1-based) of a byte offset.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64
}

/// The text of a chunk: as it is when it is UTF-8, else with each invalid sequence replaced by
/// U+FFFD, and the lines where that happened (after the chunk's `before` lines). Binary data
/// (a NUL byte) is refused.
fn decode<'a>(name: &str, bytes: &'a [u8], before: u64) -> Result<(Cow<'a, str>, Vec<u64>)> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(Error::Parse {
            source_name: name.to_string(),
            line: before + line_at(bytes, at),
            message: "binary data (a NUL byte), not a CSV text file".into(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), Vec::new()));
    }
    let mut bad = Vec::new();
    let mut rest = bytes;
    let mut offset = 0;
    while let Err(e) = std::str::from_utf8(rest) {
        let at = offset + e.valid_up_to();
        let line = before + line_at(bytes, at);
        if bad.last() != Some(&line) {
            bad.push(line);
        }
        let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        rest = &rest[skip..];
        offset += skip;
    }
    Ok((String::from_utf8_lossy(bytes), bad))
}

/// Bytes of whole records read and parsed at a time: a large file is read a chunk at a time,
/// each chunk validated while the next is read and parsed, so its text is never whole in
/// memory.
pub(crate) const CHUNK_BYTES: usize = 16 << 20;

/// Reads canonical CSV from `input` a chunk of whole records at a time: each chunk's tables
/// (one per part of it, [`read_chunk`]) go through `check` side by side, one per core, then to
/// `keep` in order. The next chunk is found and parsed on another thread while the one before
/// is checked (the two are about even at a million rows); at most two chunks' tables are held
/// at once. The first error, in the file's order, stops the reading and is returned.
pub(crate) fn read<T: Send>(
    name: &str,
    input: impl std::io::Read + Send,
    map: &ColumnMap,
    chunk_bytes: usize,
    check: &(dyn Fn(RawTable) -> Result<T> + Sync),
    keep: &mut dyn FnMut(T) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|s| {
        // A rendezvous: the reader hands a chunk's tables over only when they can be checked.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<RawTable>>>(0);
        let reader = s.spawn(move || {
            let sent = tables(name, input, map, chunk_bytes, &mut |t| {
                // A closed channel: a check or `keep` failed, and its error is the one returned.
                tx.send(Ok(t)).map_err(|_| Error::NoData(String::new()))
            });
            if let Err(e) = sent {
                let _ = tx.send(Err(e));
            }
        });
        let mut result = Ok(());
        for chunk in rx.iter() {
            let kept = chunk.and_then(|tables| {
                crate::parallel::each(tables, check)
                    .into_iter()
                    .try_for_each(|t| keep(t?))
            });
            if let Err(e) = kept {
                result = Err(e);
                break;
            }
        }
        // The reader stops at its next send once the channel is closed.
        drop(rx);
        reader
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        result
    })
}

/// The tables of [`read`], a chunk's at a time, in order.
fn tables(
    name: &str,
    input: impl std::io::Read,
    map: &ColumnMap,
    chunk_bytes: usize,
    emit: &mut dyn FnMut(Vec<RawTable>) -> Result<()>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::File {
        source_name: name.to_string(),
        message: format!("cannot be read: {e}"),
    };
    let mut records = Records::new(input, chunk_bytes);
    records.next().map_err(io)?;
    // The first chunk holds the header: its columns are every chunk's.
    let first = records.chunk();
    let first = first.strip_prefix(b"\xef\xbb\xbf").unwrap_or(first);
    if first.iter().all(|b| b.is_ascii_whitespace()) && records.at_end() {
        return Err(Error::File {
            source_name: name.to_string(),
            message: "the file is empty (expected a header line)".into(),
        });
    }
    let mut header = None;
    let mut line = 1u64;
    let mut chunk: &[u8] = first;
    // The first chunk may have lost a byte order mark.
    let mut skipped = records.chunk().len() - first.len();
    loop {
        let breaks = memchr::memchr_iter(b'\n', chunk).count() as u64;
        let unclosed = (records.unclosed).and_then(|at| at.checked_sub(skipped));
        emit(read_chunk(name, chunk, map, &mut header, line, unclosed)?)?;
        skipped = 0;
        line += breaks;
        records.next().map_err(io)?;
        chunk = records.chunk();
        if chunk.is_empty() {
            return Ok(());
        }
    }
}

/// Runs of whole records from a reader, each at least `target` bytes (the last one: what is
/// left). A record ends at a line break outside quotes. A chunk never starts or ends between
/// blank lines, so each chunk's rows are read as they would be in the whole file.
struct Records<R> {
    reader: R,
    buf: Vec<u8>,
    /// Bytes of `buf` handed out already.
    taken: usize,
    eof: bool,
    target: usize,
    /// How far the search for the chunk's end has looked into `buf`.
    scan: csv_fields::QuoteScan,
    /// In the last run: where the quote is that opens a field never closed, if one does.
    unclosed: Option<usize>,
}

impl<R: std::io::Read> Records<R> {
    fn new(reader: R, target: usize) -> Records<R> {
        Records {
            reader,
            buf: Vec::new(),
            taken: 0,
            eof: false,
            target: target.max(1),
            scan: csv_fields::QuoteScan::default(),
            unclosed: None,
        }
    }

    /// Whether the reader is exhausted and every byte handed out.
    fn at_end(&self) -> bool {
        self.eof && self.taken == self.buf.len()
    }

    /// The run of records [`Records::next`] found.
    fn chunk(&self) -> &[u8] {
        &self.buf[..self.taken]
    }

    /// Finds the next run of whole records ([`Records::chunk`]); empty at the end.
    fn next(&mut self) -> std::io::Result<()> {
        self.buf.drain(..self.taken);
        self.taken = 0;
        self.scan = csv_fields::QuoteScan::default();
        loop {
            if self.eof {
                self.taken = self.buf.len();
                // The last run is searched to its end: a quote left open there is known before
                // its records are read (one search, where reading them all would fail at the
                // end of a field that runs to the end of the file).
                while self.scan.next_break(&self.buf, false).is_some() {}
                self.unclosed = self.scan.unclosed();
                return Ok(());
            }
            if self.buf.len() >= self.target
                && let Some(end) = record_end_resumed(&self.buf, self.target, &mut self.scan, true)
            {
                self.taken = end;
                return Ok(());
            }
            let len = self.buf.len();
            let want = self.target.max(1 << 16);
            self.buf.resize(len + want, 0);
            let n = loop {
                match self.reader.read(&mut self.buf[len..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let n = n.inspect_err(|_| self.buf.truncate(len))?;
            self.buf.truncate(len + n);
            self.eof = n == 0;
        }
    }
}

/// The end (just past its line break) of the first record ending at or after `from` in `buf`
/// (which starts at a record's start) that is followed by a record: not inside quotes (as
/// [`csv_fields`] reads them), not next to a blank line.
fn record_end(buf: &[u8], from: usize) -> Option<usize> {
    record_end_resumed(buf, from, &mut csv_fields::QuoteScan::default(), false)
}

/// [`record_end`] from where `scan` stopped, leaving it where this search stopped. With `more`
/// (`buf` may grow), a line break that ends `buf` is left for the next call, which looks at
/// the bytes after it: the search over a growing buffer visits each byte about once.
fn record_end_resumed(
    buf: &[u8],
    from: usize,
    scan: &mut csv_fields::QuoteScan,
    more: bool,
) -> Option<usize> {
    loop {
        let before = *scan;
        let at = scan.next_break(buf, more)?;
        if at < from {
            continue;
        }
        let end = at + 1;
        let blank_before = at == 0
            || buf[at - 1] == b'\n'
            || (buf[at - 1] == b'\r' && (at < 2 || buf[at - 2] == b'\n'));
        match buf.get(end) {
            None => {
                if more {
                    *scan = before;
                }
                return None;
            }
            Some(b'\n' | b'\r') => continue,
            Some(_) if blank_before => continue,
            Some(_) => return Some(end),
        }
    }
}

/// One chunk of records as tables (one per core). The first chunk (`header` still unknown)
/// starts with the header line and sets `header`; later chunks are read with it. `line` is the
/// line the chunk starts on; `unclosed`, the offset of a quote that opens a field never closed
/// (the chunk's error once its text and header are read: the first a reading would meet).
fn read_chunk(
    name: &str,
    bytes: &[u8],
    map: &ColumnMap,
    header: &mut Option<Header>,
    line: u64,
    unclosed: Option<usize>,
) -> Result<Vec<RawTable>> {
    let mut laps = crate::laps::Laps::summed(2);
    let line_at_start = line;
    let (text, bad_lines) = decode(name, bytes, line - 1)?;
    laps.lap("decode");
    let (text, line) = match header {
        Some(_) => (&text[..], line),
        None => {
            // Blank lines before the header are skipped.
            let body = text.trim_start_matches(['\r', '\n']);
            let skipped = memchr::memchr_iter(b'\n', &text.as_bytes()[..text.len() - body.len()]);
            let line = line + skipped.count() as u64;
            let (h, used, lines) = csv_fields::header(name, body, |h| map.target(h))?;
            *header = Some(h);
            (&body[used..], line + lines - 1)
        }
    };
    let header = header.as_ref().expect("set above");
    if let Some(at) = unclosed {
        let before = line_at(bytes, at) - 1;
        return Err(csv_fields::never_closed(name, line_at_start + before));
    }
    // The chunk's records in parts read on every core, a table each.
    let mut parts = Vec::new();
    let (mut rest, mut at_line) = (text, line);
    for k in (2..=cores()).rev() {
        let Some(end) = record_end(rest.as_bytes(), rest.len() / k) else {
            break;
        };
        let (part, after) = rest.split_at(end);
        parts.push((part, at_line));
        at_line += memchr::memchr_iter(b'\n', part.as_bytes()).count() as u64;
        rest = after;
    }
    parts.push((rest, at_line));
    let read = |(part, line): (&str, u64)| csv_fields::rows(name, part, line, header);
    let rows = crate::parallel::each(parts, read);
    laps.lap("fields");
    rows.into_iter()
        .map(|rows| table(name, rows?, &bad_lines))
        .collect()
}

/// The cores to read a chunk's parts on.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// The table of one part of a chunk: its rows, and a note on each row holding a replaced byte
/// (one of `bad_lines`).
fn table(name: &str, rows: csv_fields::Rows, bad_lines: &[u64]) -> Result<RawTable> {
    let mut columns = Vec::with_capacity(rows.columns.len() + 1);
    if !bad_lines.is_empty() {
        // Rows holding a replaced byte say so in a warning.
        let notes: Vec<Option<&str>> = rows
            .lines
            .iter()
            .zip(&rows.last_lines)
            .map(|(first, last)| {
                bad_lines
                    .iter()
                    .any(|l| (first..=last).contains(&l))
                    .then_some("invalid UTF-8 bytes replaced by U+FFFD")
            })
            .collect();
        columns.push(Column::new(super::validate::NOTES.into(), notes));
    }
    columns.extend(rows.columns);
    let frame = DataFrame::new(rows.lines.len(), columns)?;
    Ok(RawTable::new(name, frame, rows.lines, rows.broken))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of `text` read `chunk` bytes at a time, stacked: the frame and the lines.
    fn read_in(text: &[u8], chunk: usize) -> (DataFrame, Vec<u64>, usize) {
        let mut tables = Vec::new();
        read(
            "in.csv",
            text,
            &ColumnMap::default(),
            chunk,
            &Ok,
            &mut |t| {
                tables.push(t);
                Ok(())
            },
        )
        .unwrap();
        let count = tables.len();
        let mut lines = Vec::new();
        let mut frame: Option<DataFrame> = None;
        for mut t in tables {
            lines.extend(t.lines);
            // Only the chunks with a replaced byte have notes.
            let notes = super::super::validate::NOTES;
            if t.frame.column(notes).is_err() {
                let blank = Column::full_null(notes.into(), t.frame.height(), &DataType::String);
                t.frame = t.frame.hstack(&[blank]).unwrap();
            }
            let order: Vec<String> = [notes, "id", "vendor", "title", "started_at"]
                .map(String::from)
                .to_vec();
            t.frame = t.frame.select(order).unwrap();
            match &mut frame {
                Some(f) => {
                    f.vstack_mut_owned(t.frame).unwrap();
                }
                None => frame = Some(t.frame),
            }
        }
        (frame.unwrap(), lines, count)
    }

    #[test]
    fn records_end_outside_quotes_and_away_from_blank_lines() {
        // The break inside the quotes is not an end; the first one after `from` outside is.
        let buf = b"a,\"x\ny\"\nb,c\nd,e\n";
        assert_eq!(record_end(buf, 0), Some(8));
        assert_eq!(record_end(buf, 9), Some(12));
        // The last break ends the buffer: what follows is unknown, so it is no end.
        assert_eq!(record_end(buf, 13), None);
        // Not before or after a blank line (CRLF ones too).
        assert_eq!(record_end(b"a\n\nb\nc\n", 0), Some(5));
        assert_eq!(record_end(b"a\r\n\r\nb\r\nc\r\n", 0), Some(8));
    }

    #[test]
    fn a_file_read_in_small_chunks_reads_as_it_does_whole() {
        let text = "\u{feff}id,vendor,title,started_at\r\n\
                    a,V,\"two\nlines, \"\"quoted\"\"\",2024-06-03T10:00:00Z\r\n\
                    \r\n\
                    b,V,plain,2024-06-04T10:00:00Z\r\n\
                    c,V,'=1+2,2024-06-05T10:00:00Z\n\
                    \n\
                    \n\
                    d,V,\"three\n\nlines\",2024-06-06T10:00:00Z\n\
                    e,V,last,2024-06-07T10:00:00Z";
        let mut bytes = text.as_bytes().to_vec();
        // An invalid UTF-8 byte in e's title.
        let at = bytes.len() - 24;
        bytes[at] = 0xff;
        let (whole, whole_lines, one) = read_in(&bytes, 1 << 20);
        // One chunk: read in parts, one per core at most.
        assert!((1..=cores()).contains(&one), "{one}");
        // Blank lines are no records; a, d and their quoted line breaks span lines.
        assert_eq!(whole.height(), 5);
        assert_eq!(whole_lines, vec![2, 5, 6, 9, 12]);
        for chunk in [1, 7, 20, 64] {
            let (parts, lines, count) = read_in(&bytes, chunk);
            assert!(count > 1, "chunk {chunk}: one table");
            assert_eq!(lines, whole_lines, "chunk {chunk}");
            assert!(
                parts.equals_missing(&whole),
                "chunk {chunk}:\n{parts}\n{whole}"
            );
        }
    }

    #[test]
    fn a_search_resumed_over_a_growing_buffer_finds_what_one_search_finds() {
        // Quotes opening, doubled and closing, line breaks inside them, CRLF, blank lines.
        let buf: &[u8] = b"a,\"x\ny\"\"\"\r\nb,\"\"\nc\n\n\"d\ne\"\"\",f\r\n\r\ng,h\ni\n";
        for from in 0..buf.len() {
            let whole = record_end(buf, from);
            for grown in 0..=buf.len() {
                // The buffer as read so far, then whole: a found end is final.
                let mut scan = csv_fields::QuoteScan::default();
                let early = record_end_resumed(&buf[..grown], from, &mut scan, true);
                let found = early.or_else(|| record_end_resumed(buf, from, &mut scan, false));
                assert_eq!(found, whole, "from {from}, {grown} bytes first");
            }
        }
    }

    #[test]
    fn an_unclosed_quote_names_its_line_wherever_it_is() {
        // Ten records; the quote that never closes at the start, the middle, the last one, and
        // inside a field over several lines; read whole and in chunks of a few records.
        let record = |i: usize| format!("r{i},2024-06-03T10:00:00Z\n");
        for (at, multi) in [(0, false), (5, false), (9, false), (5, true)] {
            let mut text = String::from("id,started_at\n");
            for i in 0..10 {
                if i == at {
                    let field = if multi { "\"one\ntwo\nthree" } else { "\"open" };
                    text.push_str(&format!("r{i},{field} 2024-06-03\n"));
                } else {
                    text.push_str(&record(i));
                }
            }
            for chunk in [1, 40, 100, 1 << 20] {
                let err = read(
                    "in.csv",
                    text.as_bytes(),
                    &ColumnMap::default(),
                    chunk,
                    &Ok,
                    &mut |_| Ok(()),
                )
                .unwrap_err()
                .to_string();
                let line = format!("in.csv:{}:", at + 2);
                assert!(
                    err.contains(&line),
                    "quote in record {at}, chunk {chunk}: {err}"
                );
                assert!(err.contains("never closed"), "{err}");
            }
        }
        // In the header, after a byte order mark and blank lines; a NUL byte after the quote
        // is still the error the text's check meets first.
        for (text, expected) in [
            (
                &b"id,\"started_at\nr1,x\n"[..],
                "in.csv:1: a quoted field is never closed",
            ),
            (
                b"\xef\xbb\xbf\n\nid,started_at\nr1,\"x\n",
                "in.csv:4: a quoted field",
            ),
            (b"id,started_at\nr1,\"x\n\0", "in.csv:3: binary data"),
        ] {
            let err = read(
                "in.csv",
                text,
                &ColumnMap::default(),
                1 << 20,
                &Ok,
                &mut |_| Ok(()),
            );
            let err = err.unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn errors_name_the_line_in_any_chunk() {
        let text = b"id,started_at\na,2024-06-03T10:00:00Z\nb,2024-06-03T10:00:00Z\nc\0,x\n";
        let err = read(
            "in.csv",
            &text[..],
            &ColumnMap::default(),
            8,
            &Ok,
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("in.csv:4"), "{err}");
        let err = read(
            "in.csv",
            &b" \n\n"[..],
            &ColumnMap::default(),
            1,
            &Ok,
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("the file is empty"), "{err}");
    }

    #[test]
    fn an_error_of_the_consumer_stops_the_reader_and_is_returned() {
        // The chunks are found and parsed on another thread while the one before is taken:
        // the consumer's error comes back as it was, and nothing is read after it.
        let mut text = String::from("id,started_at\n");
        for i in 0..200 {
            text.push_str(&format!("i{i},2024-06-03T10:00:00Z\n"));
        }
        let mut taken = 0;
        let err = read(
            "in.csv",
            text.as_bytes(),
            &ColumnMap::default(),
            64,
            &Ok,
            &mut |_| {
                taken += 1;
                if taken == 3 {
                    Err(Error::NoData("stop here".into()))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stop here");
        assert_eq!(taken, 3);
        // And a reader error after good chunks: the chunks before were all handed over.
        let mut bad = text.clone();
        bad.push_str("z\0,x\n");
        let mut rows = 0;
        let err = read(
            "in.csv",
            bad.as_bytes(),
            &ColumnMap::default(),
            64,
            &Ok,
            &mut |t: RawTable| {
                rows += t.frame.height();
                Ok(())
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("in.csv:202"), "{err}");
        // The chunk with the bad byte is refused whole; every chunk before it came.
        assert!((190..200).contains(&rows), "{rows}");
        // A check failing on several parts (checked side by side): the first in the file's
        // order is the error, after every table before it was kept in order.
        let mut kept: Vec<(u64, usize)> = Vec::new();
        let err = read(
            "in.csv",
            text.as_bytes(),
            &ColumnMap::default(),
            64,
            &|t: RawTable| {
                let first = t.lines[0];
                if first >= 100 {
                    Err(Error::NoData(format!("refused from line {first}")))
                } else {
                    Ok((first, t.lines.len()))
                }
            },
            &mut |table| {
                kept.push(table);
                Ok(())
            },
        )
        .unwrap_err();
        // Rows are one line each from line 2: the tables kept run on without a gap, and the
        // refused one starts where they end.
        let mut next = 2;
        for &(first, rows) in &kept {
            assert_eq!(first, next, "{kept:?}");
            next = first + rows as u64;
        }
        assert!((100..110).contains(&next), "{kept:?}");
        assert_eq!(err.to_string(), format!("refused from line {next}"));
    }
}
