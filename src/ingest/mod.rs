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
mod files;
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
use files::{FileBytes, check_size};
pub use files::{
    Format, Input, InputLimit, UNKNOWN_MEMORY, available_memory, default_input_limit, expand,
};

use std::path::Path;

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Anchor, Counts, Reject, Warning, col};
use crate::table::{ImpactTable, IncidentTable};

/// The published uptime of a status page's home page (HTML with `var uptimeData`), if it is one.
pub fn home_page_uptime(html: &str) -> Option<Vec<crate::model::PublishedComponent>> {
    home_page::read(html)
}

/// The text of a JSON document in UTF-8 (with or without a BOM) or UTF-16 with a BOM.
pub fn decode_json(bytes: &[u8]) -> Result<String> {
    platforms::decode("document", bytes).map(|t| t.into_owned())
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

/// Canonical CSV text as Parquet bytes (the generator's `.parquet` output).
pub fn parquet_of_canonical_csv(text: &str) -> Result<Vec<u8>> {
    parquet::from_canonical_csv(text)
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
    // Each table is validated as it comes (a CSV file's parts side by side), so a CSV file's
    // text is held a chunk at a time; what it gives is kept in the file's order.
    let mut got = Gathered::default();
    let check = |table: RawTable| check(table, opts);
    let each = (files.iter()).try_for_each(|input| {
        read_one(input, opts, &check, &mut |taken| {
            got.take(taken);
            Ok(())
        })
    });
    crate::memory::phase(crate::memory::Phase::Read);
    each?;
    crate::laps::print_sums();
    laps.lap("read, validate");
    let Gathered {
        mut counts,
        mut rejects,
        warnings: impact_warnings,
        frames,
        impact_frames,
        derived_frames,
        notes,
        published,
    } = got;
    let Some(all) = stack(frames)? else {
        return Err(Error::NoData(
            "no incidents among the inputs (only impacts tables): give the incidents file too"
                .into(),
        ));
    };
    laps.lap("stack");
    let (incidents, duplicates) = dedupe::dedupe(all)?;
    laps.lap("dedupe");
    let impacts = attach_impacts(impact_frames, derived_frames, &incidents, &mut rejects)?;
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
    let notes = filter_notes(notes, dropped, &skipped, opts);
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

/// What the inputs' tables gave, kept in the files' order.
#[derive(Default)]
struct Gathered {
    counts: Counts,
    rejects: Vec<Reject>,
    /// The impacts tables' warnings, and the derived windows' problems as warnings.
    warnings: Vec<Warning>,
    frames: Vec<DataFrame>,
    impact_frames: Vec<DataFrame>,
    derived_frames: Vec<DataFrame>,
    notes: Vec<String>,
    published: Vec<crate::model::PublishedComponent>,
}

impl Gathered {
    fn take(&mut self, taken: Taken) {
        let Taken {
            is_impacts,
            derived,
            checked,
            note,
            published,
        } = taken;
        self.notes.extend(note);
        self.published.extend(published);
        self.warnings.extend(checked.warnings);
        if derived {
            (self.warnings).extend(checked.rejects.into_iter().map(ignored_window));
        } else {
            self.counts.read += checked.read;
            self.rejects.extend(checked.rejects);
        }
        match (is_impacts, derived) {
            (true, true) => self.derived_frames.push(checked.frame),
            (true, false) => self.impact_frames.push(checked.frame),
            (false, _) => self.frames.push(checked.frame),
        }
    }
}

/// Validates one table, incidents or impacts (on any thread).
fn check(mut table: RawTable, opts: &IngestOptions) -> Result<Taken> {
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
}

/// The impacts tables given, then the windows derived from status pages, attached to the
/// incidents. A given window of an unknown incident is rejected; a derived window of a
/// rejected incident has nothing to attach to (the incident's reject says why).
fn attach_impacts(
    given: Vec<DataFrame>,
    derived: Vec<DataFrame>,
    incidents: &DataFrame,
    rejects: &mut Vec<Reject>,
) -> Result<Option<DataFrame>> {
    let mut matched = Vec::new();
    for (frames, given) in [(given, true), (derived, false)] {
        if let Some(all) = stack(frames)? {
            let (rows, unknown) = impacts::attach(all, incidents)?;
            if given {
                rejects.extend(unknown);
            }
            matched.push(rows);
        }
    }
    stack(matched)
}

/// The files' notes, then what the configured filters skipped and left out.
fn filter_notes(
    mut notes: Vec<String>,
    dropped: usize,
    skipped: &[impl std::fmt::Display],
    opts: &IngestOptions,
) -> Vec<String> {
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
    notes
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
