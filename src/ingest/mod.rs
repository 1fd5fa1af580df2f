//! Ingest: turns input files (canonical CSV, JSON array, NDJSON, Parquet; a directory is read
//! recursively) into the typed tables the metrics read ([`crate::table`]), the rejected rows and
//! the data-quality warnings, so that `accepted + rejected = read` always holds.
//!
//! Each format's reader produces a [`RawTable`] of text columns under canonical names;
//! [`validate`] parses and checks it; this module resolves duplicates across all inputs.

pub mod columns;
mod csv;
mod csv_fields;
mod dedupe;
mod filter;
mod home_page;
mod impacts;
mod json;
mod json_items;
mod parquet;
pub(crate) mod platform_rows;
mod platforms;
mod status_feed;
pub(crate) mod statuspage_page;
mod text_table;
mod typed;
pub mod tz_abbrev;
mod validate;

pub(crate) use text_table::{DerivedIncident, DerivedWindow, TextTable};

#[doc(hidden)]
pub use csv_fields::count_fields;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Anchor, Counts, Reject, Warning, col};
use crate::table::{ImpactTable, IncidentTable};

/// An input format, chosen from the file extension (and for `.json`, the content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// `.json`: a JSON array of records, or NDJSON when the content is one object per line.
    Json,
    Ndjson,
    Parquet,
    /// A Statuspage incident report page, as text or saved HTML (`.txt`, `.html`, `.htm`).
    Page,
    /// A status page's incident history as an Atom feed (`.atom`, `.xml`).
    Atom,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" | "pq" => Some(Format::Parquet),
            "txt" | "html" | "htm" => Some(Format::Page),
            "atom" | "xml" | "rss" => Some(Format::Atom),
            _ => None,
        }
    }

    /// Memory a report plans for per byte of this format on disk: the peak measured at scale
    /// with a margin of about half again (docs/performance.md, "Memory per byte of input").
    /// CSV peaks at 1.8 to 2.1 bytes per byte (1M to 10M incidents, CSV-only or full report),
    /// NDJSON and JSON arrays at 2.9 (read one record at a time), Parquet (compressed about ten
    /// times) at 19. Report pages were not measured at scale (they are small): the old, safe 16.
    pub fn memory_per_byte(self) -> u64 {
        match self {
            Format::Csv => 3,
            Format::Json | Format::Ndjson => 5,
            Format::Parquet => 30,
            Format::Page | Format::Atom => 16,
        }
    }
}

/// What a run may read, checked before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLimit {
    /// The inputs' total size on disk, in bytes (`--max-input-mb`).
    Bytes(u64),
    /// The memory the inputs are planned to need ([`Format::memory_per_byte`]), in bytes.
    Memory(u64),
}

/// The published uptime of a status page's home page (HTML with `var uptimeData`), if it is one.
pub fn home_page_uptime(html: &str) -> Option<Vec<crate::model::PublishedComponent>> {
    home_page::read(html)
}

/// The text of a JSON document in UTF-8 (with or without a BOM) or UTF-16 with a BOM.
pub fn decode_json(bytes: &[u8]) -> Result<String> {
    platforms::decode("document", bytes).map(|t| t.into_owned())
}

/// Memory assumed available where the system does not say: 3 GiB (1 GiB of CSV).
pub const UNKNOWN_MEMORY: u64 = 3 << 30;

/// The default limit: the inputs' planned memory within what the system says is available.
pub fn default_input_limit() -> InputLimit {
    InputLimit::Memory(available_memory().unwrap_or(UNKNOWN_MEMORY))
}

/// One input: a path (file or directory) or bytes already in memory (the embedded sample).
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Bytes {
        name: String,
        format: Format,
        bytes: std::borrow::Cow<'static, [u8]>,
    },
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Zone of naive timestamps.
    pub tz: Tz,
    /// Vendor for rows without one (`--vendor`).
    pub default_vendor: Option<String>,
    /// Durations measured from this timestamp; phases before it are warned about.
    pub anchor: Anchor,
    /// Time zone abbreviations of report pages (built-in table plus `--tz-abbrev`).
    pub tz_abbrev: tz_abbrev::Abbreviations,
    /// Foreign column names (`[columns]` of the config).
    pub columns: columns::ColumnMap,
    /// Inputs beyond this are refused before reading.
    pub input_limit: InputLimit,
    /// Incidents kept only where every filter holds (`[filter] where`, then `--where`).
    pub filters: Vec<crate::model::Filter>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            tz: Tz::UTC,
            default_vendor: None,
            anchor: Anchor::Started,
            tz_abbrev: tz_abbrev::Abbreviations::default(),
            columns: columns::ColumnMap::default(),
            input_limit: InputLimit::Memory(UNKNOWN_MEMORY),
            filters: Vec::new(),
        }
    }
}

/// Everything ingest learned from the inputs.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The accepted incidents: one row per `(vendor, id)`, in the report's order.
    pub incidents: IncidentTable,
    /// Precise windows attached to incidents; empty when no impacts table was given.
    pub impacts: ImpactTable,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Warning>,
    pub counts: Counts,
    /// What a reader should know about the inputs beyond rows and warnings (a stored vendor
    /// that has no data), one sentence each.
    pub notes: Vec<String>,
    /// Status pages' published uptime (their home pages), per component.
    pub published: Vec<crate::model::PublishedComponent>,
}

/// A format reader's output: the canonical columns found (text, or datetimes from typed
/// formats), the line of each row, and rows too broken to have columns at all.
pub(crate) struct RawTable {
    pub source: String,
    pub frame: DataFrame,
    pub lines: Vec<u64>,
    pub broken: Vec<Reject>,
    /// Where the windows of these incidents come from (`record` for canonical files).
    pub window_source: &'static str,
    /// Rows derived from other rows (a status page's windows, from its incidents): not counted
    /// as rows read; their problems are warnings, the incident carries the count.
    pub derived: bool,
    /// What a reader should know about the file beyond its rows (a status page's home page:
    /// no incidents in it).
    pub note: Option<String>,
    /// A status page's published uptime (its home page).
    pub published: Vec<crate::model::PublishedComponent>,
}

impl RawTable {
    /// A table of canonical columns read from a file.
    pub(crate) fn new(
        source: &str,
        frame: DataFrame,
        lines: Vec<u64>,
        broken: Vec<Reject>,
    ) -> Self {
        RawTable {
            source: source.to_string(),
            frame,
            lines,
            broken,
            window_source: crate::model::window_source::RECORD,
            derived: false,
            note: None,
            published: Vec::new(),
        }
    }
}

impl RawTable {
    /// An impacts table (precise windows) rather than incidents: it has `incident_id` and no
    /// `id`.
    pub(crate) fn is_impacts(&self) -> bool {
        self.frame.column(col::INCIDENT_ID).is_ok() && self.frame.column(col::ID).is_err()
    }
}

/// Lists the files under the inputs: files as given, directories walked recursively in name
/// order, keeping files with a known extension (hidden entries skipped). Links are followed,
/// but a link back to a folder above it (a loop) is skipped: each file is read once.
pub fn expand(inputs: &[Input]) -> Result<Vec<Input>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let hidden = |e: &walkdir::DirEntry| {
            e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
        };
        let entries = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !hidden(e));
        for entry in entries {
            match entry {
                Ok(e) if e.file_type().is_file() && Format::from_path(e.path()).is_some() => {
                    out.push(e.into_path())
                }
                Ok(_) => {}
                // A loop of links: that branch is already being read.
                Err(e) if e.loop_ancestor().is_some() => {}
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    return Err(Error::Io {
                        path,
                        source: e.into_io_error().unwrap_or_else(|| {
                            std::io::Error::other("the folder cannot be walked")
                        }),
                    });
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                walk(p, &mut files)?;
                out.extend(files.into_iter().map(Input::Path));
            }
            Input::Path(p) if !p.exists() => return Err(Error::NotFound { path: p.clone() }),
            Input::Path(p) if Format::from_path(p).is_none() => {
                return Err(Error::UnknownFormat { path: p.clone() });
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out)
}

/// Reads one input: each of its tables goes through `check` (on any thread) and then, in
/// order, to `keep`. A CSV file is read a chunk of records at a time (each checked before the
/// next but one is read, its parts side by side), other formats whole.
fn read_one(
    input: &Input,
    opts: &IngestOptions,
    check: &(dyn Fn(RawTable) -> Result<Taken> + Sync),
    keep: &mut dyn FnMut(Taken) -> Result<()>,
) -> Result<()> {
    let check = |mut table: RawTable| -> Result<Taken> {
        if !opts.columns.component_flags.is_empty() {
            let frame = std::mem::take(&mut table.frame);
            table.frame = columns::fold_flags(frame)?;
        }
        validate::check_columns(&table, opts)?;
        check(table)
    };
    let (name, format) = match input {
        Input::Path(p) => (
            p.display().to_string(),
            Format::from_path(p).ok_or_else(|| Error::UnknownFormat { path: p.clone() })?,
        ),
        Input::Bytes { name, format, .. } => (name.clone(), *format),
    };
    let io = |p: &Path| {
        let path = p.to_path_buf();
        move |e| Error::Io { path, source: e }
    };
    if format == Format::Csv {
        return match input {
            Input::Path(p) => {
                let file = std::fs::File::open(p).map_err(io(p))?;
                csv::read(&name, file, &opts.columns, csv::CHUNK_BYTES, &check, keep)
            }
            Input::Bytes { bytes, .. } => csv::read(
                &name,
                &bytes[..],
                &opts.columns,
                csv::CHUNK_BYTES,
                &check,
                keep,
            ),
        };
    }
    let owned;
    let bytes: &[u8] = match input {
        Input::Path(p) => {
            owned = FileBytes::open(p).map_err(io(p))?;
            owned.bytes()
        }
        Input::Bytes { bytes, .. } => bytes.as_ref(),
    };
    let tables = match format {
        Format::Json | Format::Ndjson => json::read(&name, bytes, format, opts)?,
        Format::Parquet => parquet::read(&name, bytes, &opts.columns)?,
        Format::Page => statuspage_page::read(&name, &String::from_utf8_lossy(bytes), opts)?,
        Format::Atom => platforms::read_atom(&name, &String::from_utf8_lossy(bytes), opts)?,
        Format::Csv => unreachable!("CSV is read above"),
    };
    crate::parallel::each(tables, check)
        .into_iter()
        .try_for_each(|t| keep(t?))
}

/// A table as validated, and what it was.
struct Taken {
    is_impacts: bool,
    derived: bool,
    checked: validate::Checked,
    note: Option<String>,
    published: Vec<crate::model::PublishedComponent>,
}

/// A whole file's bytes (Parquet, JSON, report pages; CSV is streamed in chunks instead):
/// mapped into memory where the system can (a regular, non-empty file), else read. Mapping
/// saves reading a copy: the pages are the system's file cache, used in place, not copied into
/// fresh memory (206 MB: 0.33 s to read, next to nothing to map).
enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    fn open(path: &Path) -> std::io::Result<FileBytes> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is only read, and only while this run holds it (inside
            // `read_one`). Another process truncating or rewriting the file during those
            // seconds is the one hazard of any memory map (ripgrep accepts it too); mttx reads
            // exports, not files being written.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(FileBytes::Mapped(map));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        Ok(FileBytes::Read(bytes))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

/// Canonical CSV text as Parquet bytes (the generator's `.parquet` output).
pub fn parquet_of_canonical_csv(text: &str) -> Result<Vec<u8>> {
    parquet::from_canonical_csv(text)
}

/// Memory the system says is available (Linux `MemAvailable`), if it says.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The inputs' total size on disk, refused before reading when beyond `limit` (mttx holds
/// its input in memory): the message names the sizes and the memory planned.
fn check_size(files: &[Input], limit: InputLimit) -> Result<u64> {
    let (mut total, mut planned) = (0u64, 0u64);
    for f in files {
        let (size, format) = match f {
            Input::Path(p) => (
                std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
                Format::from_path(p).unwrap_or(Format::Page),
            ),
            Input::Bytes { bytes, format, .. } => (bytes.len() as u64, *format),
        };
        total += size;
        planned = planned.saturating_add(size.saturating_mul(format.memory_per_byte()));
    }
    let mb = |b: u64| (b as f64 / 1_048_576.0 * 100.0).round() / 100.0;
    let gb = |b: u64| b as f64 / 1_073_741_824.0;
    let inputs = format!(
        "the inputs are {:.1} MB in {} files",
        mb(total),
        files.len()
    );
    let rates = "about 3 bytes of memory per byte of CSV, 5 of JSON, 30 of Parquet";
    match limit {
        InputLimit::Bytes(max) if total > max => Err(Error::NoData(format!(
            "{inputs}, more than the limit of {} MB (--max-input-mb): mttx holds its input in memory ({rates}, {:.1} GB here). Raise the limit if the machine has the memory, or report on fewer files at a time",
            mb(max),
            gb(planned)
        ))),
        InputLimit::Memory(available) if planned > available => Err(Error::NoData(format!(
            "{inputs}: mttx holds its input in memory and plans for {:.1} GB to read them ({rates}), more than the {:.1} GB available. Report on fewer files at a time, or set --max-input-mb to read them anyway",
            gb(planned),
            gb(available)
        ))),
        _ => Ok(total),
    }
}

/// Inputs from this size on are read with freed pages kept for the next chunk
/// ([`crate::memory::Phase::Reading`]): a few chunks' worth, where reuse pays; below it, the
/// kept pages would only raise a small report's peak.
const KEEP_PAGES_FROM: u64 = 4 * csv::CHUNK_BYTES as u64;

/// Reads every input, validates every row and resolves duplicate `(vendor, id)` pairs (the later
/// row wins; both lines are named in a warning).
pub fn read(inputs: &[Input], opts: &IngestOptions) -> Result<Ingested> {
    let files = expand(inputs)?;
    if files.is_empty() {
        return Err(Error::NoData(
            "no input files found (expected .csv, .json, .ndjson, .jsonl, .parquet or .pq, a report page as .txt, .html or .htm, or an Atom feed as .atom, .xml or .rss)".into(),
        ));
    }
    let total = check_size(&files, opts.input_limit)?;
    let mut laps = crate::laps::Laps::nested(1);
    if total >= KEEP_PAGES_FROM {
        crate::memory::phase(crate::memory::Phase::Reading);
    }
    let mut counts = Counts::default();
    let mut rejects = Vec::new();
    let mut impact_warnings = Vec::new();
    let mut frames: Vec<DataFrame> = Vec::new();
    let mut impact_frames: Vec<DataFrame> = Vec::new();
    let mut derived_frames: Vec<DataFrame> = Vec::new();
    // Each table is validated as it comes (a CSV file's parts side by side), so a CSV file's
    // text is held a chunk at a time; what it gives is kept in the file's order.
    let check = |mut table: RawTable| -> Result<Taken> {
        let (is_impacts, derived) = (table.is_impacts(), table.derived);
        let note = table.note.take();
        let published = std::mem::take(&mut table.published);
        let checked = if is_impacts {
            impacts::validate(table, opts)?
        } else {
            validate::validate(table, opts)?
        };
        Ok(Taken {
            is_impacts,
            derived,
            checked,
            note,
            published,
        })
    };
    let mut file_notes: Vec<String> = Vec::new();
    let mut published = Vec::new();
    let mut take = |taken: Taken| -> Result<()> {
        let Taken {
            is_impacts,
            derived,
            checked,
            note,
            published: p,
        } = taken;
        file_notes.extend(note);
        published.extend(p);
        impact_warnings.extend(checked.warnings);
        if derived {
            impact_warnings.extend(checked.rejects.into_iter().map(ignored_window));
        } else {
            counts.read += checked.read;
            rejects.extend(checked.rejects);
        }
        match (is_impacts, derived) {
            (true, true) => derived_frames.push(checked.frame),
            (true, false) => impact_frames.push(checked.frame),
            (false, _) => frames.push(checked.frame),
        }
        Ok(())
    };
    let each = files
        .iter()
        .try_for_each(|input| read_one(input, opts, &check, &mut take));
    crate::memory::phase(crate::memory::Phase::Read);
    each?;
    crate::laps::print_sums();
    laps.lap("read, validate");
    let Some(all) = stack(frames)? else {
        return Err(Error::NoData(
            "no incidents among the inputs (only impacts tables): give the incidents file too"
                .into(),
        ));
    };
    laps.lap("stack");
    let (incidents, duplicates) = dedupe::dedupe(all)?;
    laps.lap("dedupe");
    // The impacts tables given, then the windows derived from status pages. A derived window
    // of a rejected incident has nothing to attach to: the incident's reject says why.
    let mut matched = Vec::new();
    for (frames, given) in [(impact_frames, true), (derived_frames, false)] {
        if let Some(all) = stack(frames)? {
            let (rows, unknown) = impacts::attach(all, &incidents)?;
            if given {
                rejects.extend(unknown);
            }
            matched.push(rows);
        }
    }
    let impacts = stack(matched)?;
    let incidents = match &impacts {
        Some(impacts) => impacts::mark_incidents(incidents, impacts)?,
        None => incidents,
    };
    laps.lap("impacts");
    counts.rejected = rejects.len() as u64;
    counts.accepted = counts.read - counts.rejected;
    counts.duplicates = duplicates;
    let mut warnings = validate::warnings_of(&incidents)?;
    warnings.extend(impact_warnings);
    laps.lap("warnings");
    let (incidents, dropped, skipped) = filter::apply(incidents, &opts.filters)?;
    let mut notes = file_notes;
    for f in skipped {
        notes.push(format!(
            "filter where {f} (mttx.toml) skipped: the inputs have no such key"
        ));
    }
    if dropped > 0 {
        let filters: Vec<String> = opts.filters.iter().map(|f| f.to_string()).collect();
        notes.push(format!(
            "{dropped} accepted incidents left out by the filters (where {})",
            filters.join(" and ")
        ));
    }
    let (incidents, impacts) = typed::tables(incidents, impacts.as_ref())?;
    laps.lap("typed tables");
    Ok(Ingested {
        incidents,
        impacts,
        rejects,
        warnings,
        counts,
        notes,
        published,
    })
}

/// A problem in a derived row (a status page's window) as a warning on its incident's line.
fn ignored_window(r: Reject) -> Warning {
    Warning {
        source: r.source,
        line: r.line,
        message: format!("window ignored: {}", r.reason),
    }
}

/// Stacks frames of one schema, in order; `None` when there are none. The frames' columns
/// become chunks of one column, not copied into one buffer: what reads them goes chunk by
/// chunk (at 1M incidents a copy was 0.1 s and 200 MB of fresh pages).
/// Files with different dimensions stack with every dimension of any of them (in order of first
/// appearance), empty where a file has none.
fn stack(mut frames: Vec<DataFrame>) -> Result<Option<DataFrame>> {
    let mut dims: Vec<PlSmallStr> = Vec::new();
    for f in &frames {
        for n in f.get_column_names() {
            if n.starts_with(columns::DIM) && !dims.contains(n) {
                dims.push(n.clone());
            }
        }
    }
    let mut it = frames.iter_mut();
    let Some(first) = it.next() else {
        return Ok(None);
    };
    if !dims.is_empty() {
        let order: Vec<PlSmallStr> = (first.get_column_names().into_iter())
            .filter(|n| !n.starts_with(columns::DIM))
            .cloned()
            .chain(dims.iter().cloned())
            .collect();
        for f in std::iter::once(first).chain(it) {
            for d in &dims {
                if f.column(d).is_err() {
                    let none = Column::full_null(d.clone(), f.height(), &DataType::String);
                    f.with_column(none)?;
                }
            }
            *f = f.select(order.clone())?;
        }
    }
    let mut it = frames.into_iter();
    let Some(mut all) = it.next() else {
        return Ok(None);
    };
    for f in it {
        all.vstack_mut_owned(f)?;
    }
    Ok(Some(all))
}

/// Test helper: ingests CSV text as if read from `name`.
#[cfg(test)]
pub(crate) fn from_csv_text(name: &str, text: &str, opts: &IngestOptions) -> Result<Ingested> {
    read(
        &[Input::Bytes {
            name: name.into(),
            format: Format::Csv,
            bytes: std::borrow::Cow::Owned(text.as_bytes().to_vec()),
        }],
        opts,
    )
}

#[cfg(test)]
mod tests;
