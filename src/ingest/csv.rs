//! Canonical CSV: read by polars with every column as text, headers mapped to canonical names,
//! and each row's true line number kept (quoted fields may span lines).

use std::io::Cursor;

use polars::prelude::*;

use super::RawTable;
use super::columns::ColumnMap;
use crate::error::{Error, Result};

/// Line (1-based) of a byte offset.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64
}

/// The text of a chunk: as it is when it is UTF-8, else with each invalid sequence replaced by
/// U+FFFD, and the lines where that happened (after the chunk's `before` lines). Binary data
/// (a NUL byte) is refused.
fn decode<'a>(
    name: &str,
    bytes: &'a [u8],
    before: u64,
) -> Result<(std::borrow::Cow<'a, [u8]>, Vec<u64>)> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(Error::Parse {
            source_name: name.to_string(),
            line: before + line_at(bytes, at),
            message: "binary data (a NUL byte), not a CSV text file".into(),
        });
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
    if bad.is_empty() {
        Ok((std::borrow::Cow::Borrowed(bytes), bad))
    } else {
        let text = String::from_utf8_lossy(bytes).into_owned();
        Ok((std::borrow::Cow::Owned(text.into_bytes()), bad))
    }
}

/// Bytes of whole records read and parsed at a time: a large file is read a chunk at a time,
/// each chunk validated while the next is read and parsed, so its text is never whole in
/// memory.
pub(crate) const CHUNK_BYTES: usize = 16 << 20;

/// Reads canonical CSV from `input` a chunk of whole records at a time, handing each chunk's
/// table to `emit` in order. The next chunk is found and parsed on another thread while `emit`
/// works on the one before (the two are about even at a million rows, and polars' parse
/// uses every core in its turn); at most two chunks' tables are held at once.
pub(crate) fn read(
    name: &str,
    input: impl std::io::Read + Send,
    map: &ColumnMap,
    chunk_bytes: usize,
    emit: &mut dyn FnMut(RawTable) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|s| {
        // A rendezvous: the reader hands a table over only when `emit` is ready for it.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<RawTable>>(0);
        let reader = s.spawn(move || {
            let sent = tables(name, input, map, chunk_bytes, &mut |t| {
                // A closed channel: `emit` failed, and its error is the one returned.
                tx.send(Ok(t)).map_err(|_| Error::NoData(String::new()))
            });
            if let Err(e) = sent {
                let _ = tx.send(Err(e));
            }
        });
        let mut result = Ok(());
        for table in rx.iter() {
            if let Err(e) = table.and_then(&mut *emit) {
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

/// The tables of [`read`], one per chunk, in order.
fn tables(
    name: &str,
    input: impl std::io::Read,
    map: &ColumnMap,
    chunk_bytes: usize,
    emit: &mut dyn FnMut(RawTable) -> Result<()>,
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
    loop {
        let breaks = memchr::memchr_iter(b'\n', chunk).count() as u64;
        let table = read_chunk(name, chunk, map, &mut header, line, records.at_end())?;
        emit(table)?;
        line += breaks;
        records.next().map_err(io)?;
        chunk = records.chunk();
        if chunk.is_empty() {
            return Ok(());
        }
    }
}

/// Runs of whole records from a reader, each at least `target` bytes (the last one: what is
/// left). A record ends at a line break outside quotes: the quotes before it are even in
/// number, as polars counts them. A chunk never starts or ends between blank lines, so each
/// chunk's rows are read as they would be in the whole file.
struct Records<R> {
    reader: R,
    buf: Vec<u8>,
    /// Bytes of `buf` handed out already.
    taken: usize,
    eof: bool,
    target: usize,
}

impl<R: std::io::Read> Records<R> {
    fn new(reader: R, target: usize) -> Records<R> {
        Records {
            reader,
            buf: Vec::new(),
            taken: 0,
            eof: false,
            target: target.max(1),
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
        loop {
            if self.eof {
                self.taken = self.buf.len();
                return Ok(());
            }
            if self.buf.len() >= self.target
                && let Some(end) = record_end(&self.buf, self.target)
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
/// (which starts at a record's start) that is followed by a record: not inside quotes, not
/// next to a blank line.
fn record_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut even = true;
    for at in memchr::memchr2_iter(b'\n', b'"', buf) {
        if buf[at] == b'"' {
            even = !even;
            continue;
        }
        if !even || at < from {
            continue;
        }
        let end = at + 1;
        let blank_before = at == 0
            || buf[at - 1] == b'\n'
            || (buf[at - 1] == b'\r' && (at < 2 || buf[at - 2] == b'\n'));
        match buf.get(end) {
            None => break,
            Some(b'\n' | b'\r') => continue,
            Some(_) if blank_before => continue,
            Some(_) => return Some(end),
        }
    }
    None
}

/// One chunk of records as a table. The first chunk (`header` still unknown) starts with the
/// header line and sets `header`; later chunks are read with it. `line` is the line the chunk
/// starts on.
fn read_chunk(
    name: &str,
    bytes: &[u8],
    map: &ColumnMap,
    header: &mut Option<SchemaRef>,
    line: u64,
    last: bool,
) -> Result<RawTable> {
    let mut laps = crate::laps::Laps::summed(2);
    let (bytes, bad_lines) = decode(name, bytes, line - 1)?;
    laps.lap("decode");
    let bytes: &[u8] = &bytes;
    let options = match header {
        None => CsvReadOptions::default().with_has_header(true),
        Some(schema) => CsvReadOptions::default()
            .with_has_header(false)
            .with_schema(Some(schema.clone())),
    };
    let df = options
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::File {
            source_name: name.to_string(),
            message: format!("not a readable CSV file: {e}"),
        })?;
    let first_chunk = header.is_none();
    if first_chunk {
        *header = Some(df.schema().clone());
    }
    laps.lap("polars csv");
    // Line of each row: the first chunk's header is line 1; a row starts after all earlier
    // rows' line breaks. Every row (blank ones too) ends with one line break, the file's last
    // one maybe without: when the chunk has no more line breaks than that, no field holds one
    // and row i is on line `first_row + i`.
    let first_row = line + u64::from(first_chunk);
    let height = df.height();
    let breaks = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let unterminated = u64::from(last && !bytes.ends_with(b"\n"));
    let lines: Vec<u64> = if breaks + unterminated == height as u64 + u64::from(first_chunk) {
        (0..height as u64).map(|i| first_row + i).collect()
    } else {
        let mut extra = vec![0u64; height];
        for c in df.columns() {
            let ca = c.str()?;
            for (i, v) in ca.iter().enumerate() {
                if let Some(v) = v {
                    extra[i] += memchr::memchr_iter(b'\n', v.as_bytes()).count() as u64;
                }
            }
        }
        let mut lines = Vec::with_capacity(height);
        let mut offset = 0u64;
        for (i, e) in extra.iter().enumerate() {
            lines.push(first_row + i as u64 + offset);
            offset += e;
        }
        lines
    };
    // A blank line (or a row of empty fields) is not a record: drop it, keeping the lines of
    // the rows after it. A column without an empty cell settles it for every row.
    let full = df.columns().iter().find(|c| c.null_count() == 0);
    let keep: Vec<bool> = match full.map(|c| c.str()).transpose()? {
        Some(ca) if ca.iter().flatten().all(|v| !v.trim().is_empty()) => vec![true; height],
        _ => {
            let mut keep = vec![false; height];
            for c in df.columns() {
                for (i, v) in c.str()?.iter().enumerate() {
                    keep[i] |= v.is_some_and(|v| !v.trim().is_empty());
                }
            }
            keep
        }
    };
    let (df, lines) = if keep.iter().all(|k| *k) {
        (df, lines)
    } else {
        let lines = lines
            .into_iter()
            .zip(&keep)
            .filter_map(|(l, k)| k.then_some(l))
            .collect();
        (
            df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?,
            lines,
        )
    };
    let height = df.height();
    let mut columns = Vec::new();
    if !bad_lines.is_empty() {
        // Rows holding a replaced byte say so in a warning.
        let notes: Vec<Option<&str>> = (0..height)
            .map(|i| {
                let first = lines[i];
                let last = lines.get(i + 1).map_or(u64::MAX, |next| next - 1);
                bad_lines
                    .iter()
                    .any(|l| (first..=last).contains(l))
                    .then_some("invalid UTF-8 bytes replaced by U+FFFD")
            })
            .collect();
        columns.push(Column::new(super::validate::NOTES.into(), notes));
    }
    for c in df.columns() {
        if let Some(canon) = map.target(c.name()) {
            if columns.iter().any(|k: &Column| k.name() == canon.as_str()) {
                return Err(Error::Parse {
                    source_name: name.to_string(),
                    line: 1,
                    message: format!(
                        "column '{}' appears twice in the header",
                        canon.trim_start_matches('\u{1}')
                    ),
                });
            }
            columns.push(c.clone().with_name(canon.as_str().into()));
        }
    }
    laps.lap("lines, blanks");
    let frame = DataFrame::new(height, columns)?;
    // Only a file with a `'` can hold a quoted formula.
    let frame = if memchr::memchr(b'\'', bytes).is_some() {
        unquote_formulas(frame)?
    } else {
        frame
    };
    laps.lap("unquote");
    Ok(RawTable::new(name, frame, lines, Vec::new()))
}

/// Strips the `'` mttx (or a careful spreadsheet user) put before formula-like text, so a CSV
/// that mttx wrote reads back as the values it came from.
fn unquote_formulas(df: DataFrame) -> Result<DataFrame> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let exprs: Vec<Expr> = names
        .iter()
        .map(|n| {
            let c = col(n.as_str());
            let quoted = ["'=", "'+", "'-", "'@", "'\t", "'\r"]
                .iter()
                .map(|p| c.clone().str().starts_with(lit(*p)))
                .reduce(|a, b| a.or(b))
                .expect("six prefixes");
            when(quoted)
                .then(c.clone().str().strip_prefix(lit("'")))
                .otherwise(c)
                .alias(n.as_str())
        })
        .collect();
    Ok(df.lazy().with_columns(exprs).collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of `text` read `chunk` bytes at a time, stacked: the frame and the lines.
    fn read_in(text: &[u8], chunk: usize) -> (DataFrame, Vec<u64>, usize) {
        let mut tables = Vec::new();
        read("in.csv", text, &ColumnMap::default(), chunk, &mut |t| {
            tables.push(t);
            Ok(())
        })
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
        assert_eq!(one, 1);
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
    fn errors_name_the_line_in_any_chunk() {
        let text = b"id,started_at\na,2024-06-03T10:00:00Z\nb,2024-06-03T10:00:00Z\nc\0,x\n";
        let err = read("in.csv", &text[..], &ColumnMap::default(), 8, &mut |_| {
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().contains("in.csv:4"), "{err}");
        let err = read(
            "in.csv",
            &b" \n\n"[..],
            &ColumnMap::default(),
            1,
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
            &mut |t| {
                rows += t.frame.height();
                Ok(())
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("in.csv:202"), "{err}");
        // The chunk with the bad byte is refused whole; every chunk before it came.
        assert!((190..200).contains(&rows), "{rows}");
    }
}
