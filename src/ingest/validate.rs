//! Validation (contract section 1): parses each raw row into the canonical typed record or
//! rejects it with its line, column and reason; warns about out-of-order timestamps. Duplicate
//! `(vendor, id)` pairs are resolved after it (`dedupe.rs`).

use std::borrow::Cow;

use polars::prelude::*;

use super::columns::DIM;
use super::{IngestOptions, RawTable};
use crate::error::{Error, Result};
use crate::model::{Anchor, IMPACT_NONE, Level, PLAUSIBLE_MS, Reject, Warning, col};
use crate::time::{local_to_utc_ms, parse_timestamp};

/// Internal column: what a reader could not read (a report page's notes); becomes warnings.
pub(crate) const NOTES: &str = "__notes";
/// Internal column: a row's own window source, where a table's rows differ (a status feed).
pub(crate) const ROW_WINDOW_SOURCE: &str = "__window_source";

pub(crate) use super::columns::ts_dtype;

pub(crate) struct Checked {
    pub frame: DataFrame,
    pub rejects: Vec<Reject>,
    /// Warnings that have no row in `frame` to live on (impacts tables).
    pub warnings: Vec<Warning>,
    pub read: u64,
}

/// A file without a required column cannot be read at all: say so before looking at rows.
pub(crate) fn check_columns(table: &RawTable, opts: &IngestOptions) -> Result<()> {
    if table.frame.width() == 0 && table.frame.height() == 0 {
        return Ok(()); // nothing but broken rows (or nothing): they are rejected row by row
    }
    let has = |c: &str| table.frame.column(c).is_ok();
    let impacts = table.is_impacts();
    let required: &[&str] = if impacts {
        &[col::INCIDENT_ID, col::START]
    } else {
        &[col::ID, col::STARTED_AT]
    };
    let mut missing: Vec<&str> = required.iter().copied().filter(|c| !has(c)).collect();
    if !impacts && !has(col::VENDOR) && opts.default_vendor.is_none() {
        missing.push(col::VENDOR);
    }
    if missing.is_empty() {
        return Ok(());
    }
    let known: &[&str] = if impacts {
        &col::IMPACT_RECORD
    } else {
        &col::RECORD
    };
    let found: Vec<String> = table
        .frame
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .filter(|c| known.contains(&c.as_str()))
        .collect();
    let hint = if missing.contains(&col::VENDOR) {
        " (or give --vendor NAME)"
    } else {
        ""
    };
    Err(Error::Parse {
        source_name: table.source.clone(),
        line: 1,
        message: format!(
            "missing required column{} {}{hint}; canonical columns found: {}",
            if missing.len() > 1 { "s" } else { "" },
            missing
                .iter()
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        ),
    })
}

pub(crate) fn text<'a>(df: &'a DataFrame, name: &str) -> Result<Option<&'a StringChunked>> {
    match df.column(name) {
        Ok(c) if c.dtype() == &DataType::String => Ok(Some(c.str()?)),
        Ok(_) => Ok(None),
        Err(_) => Ok(None),
    }
}

pub(crate) fn blank(v: Option<&str>) -> bool {
    v.is_none_or(|s| s.trim().is_empty())
}

/// First problem of each row, in canonical column order.
pub(crate) struct Problems(pub Vec<Option<(&'static str, String)>>);

impl Problems {
    pub(crate) fn new(rows: usize) -> Problems {
        Problems(vec![None; rows])
    }

    pub(crate) fn set(&mut self, i: usize, column: &'static str, reason: String) {
        if self.0[i].is_none() {
            self.0[i] = Some((column, reason));
        }
    }

    /// Every row whose `column` is empty (text) or null (typed) gets `reason`. A column the
    /// table does not have is left to [`check_columns`].
    pub(crate) fn require(
        &mut self,
        df: &DataFrame,
        column: &'static str,
        reason: &str,
    ) -> Result<()> {
        let Ok(c) = df.column(column) else {
            return Ok(());
        };
        if c.dtype() == &DataType::String {
            for (i, v) in c.str()?.iter().enumerate() {
                if blank(v) {
                    self.set(i, column, reason.to_string());
                }
            }
        } else {
            for (i, null) in c.is_null().iter().enumerate() {
                if null.unwrap_or(true) {
                    self.set(i, column, reason.to_string());
                }
            }
        }
        Ok(())
    }

    /// The impact level of each row: empty is `major_outage`; an unknown level is a problem.
    /// The impact of each row as stored: a level's name, or `none` (no window at all); empty
    /// is `major_outage`; anything else is a problem.
    pub(crate) fn levels(&mut self, df: &DataFrame) -> Result<Vec<&'static str>> {
        let mut levels = vec![Level::MajorOutage.as_str(); df.height()];
        if let Some(impacts) = text(df, col::IMPACT)? {
            for (i, v) in impacts.iter().enumerate() {
                if let Some(s) = v.filter(|s| !s.trim().is_empty()) {
                    // The canonical names as they are, first.
                    if let Some(level) = Level::ALL.into_iter().find(|l| l.as_str() == s) {
                        levels[i] = level.as_str();
                        continue;
                    }
                    if s.trim().eq_ignore_ascii_case(IMPACT_NONE) {
                        levels[i] = IMPACT_NONE;
                        continue;
                    }
                    match s.parse::<Level>() {
                        Ok(level) => levels[i] = level.as_str(),
                        Err(reason) => self.set(i, col::IMPACT, format!("impact: {reason}")),
                    }
                }
            }
        }
        Ok(levels)
    }

    /// The rejects (after the `broken` rows that had no columns) and which rows to keep.
    pub(crate) fn rejects(
        &self,
        source: &str,
        lines: &[u64],
        df: &DataFrame,
        broken: Vec<Reject>,
    ) -> (Vec<Reject>, Vec<bool>) {
        let mut rejects = broken;
        let mut keep = Vec::with_capacity(self.0.len());
        for (i, p) in self.0.iter().enumerate() {
            keep.push(p.is_none());
            if let Some((column, reason)) = p {
                rejects.push(Reject {
                    source: source.to_string(),
                    line: lines[i],
                    column: column.to_string(),
                    reason: reason.clone(),
                    raw: raw_record(df, i),
                });
            }
        }
        (rejects, keep)
    }
}

/// Parses one timestamp column (text or typed) into UTC milliseconds.
pub(crate) fn parse_ts_column(
    df: &DataFrame,
    name: &'static str,
    opts: &IngestOptions,
    problems: &mut Problems,
) -> Result<Int64Chunked> {
    let (ms, errors) = parse_ts_column_apart(df, name, opts)?;
    for (i, reason) in errors {
        problems.set(i, name, reason);
    }
    Ok(ms)
}

/// Parses timestamp columns on every core; each column's problems are recorded in the order
/// of `names`, as one after the other would.
fn parse_ts_columns(
    df: &DataFrame,
    names: &[&'static str],
    opts: &IngestOptions,
    problems: &mut Problems,
) -> Result<Vec<Int64Chunked>> {
    let parsed = crate::parallel::map(names, |name| parse_ts_column_apart(df, name, opts));
    let mut out = Vec::with_capacity(names.len());
    for (name, p) in names.iter().zip(parsed) {
        let (ms, errors) = p?;
        for (i, reason) in errors {
            problems.set(i, name, reason);
        }
        out.push(ms);
    }
    Ok(out)
}

/// A parsed timestamp column and its problems (row, reason).
type Parsed = (Int64Chunked, Vec<(usize, String)>);

/// [`parse_ts_column`], with the problems as rows and reasons.
fn parse_ts_column_apart(
    df: &DataFrame,
    name: &'static str,
    opts: &IngestOptions,
) -> Result<Parsed> {
    let mut errors = Vec::new();
    let n = df.height();
    let Ok(c) = df.column(name) else {
        return Ok((Int64Chunked::full_null(name.into(), n), errors));
    };
    if let DataType::Datetime(_, tz) = c.dtype() {
        let naive = tz.is_none();
        let ms = c
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, tz.clone()))?
            .cast(&DataType::Int64)?;
        let ms = ms.i64()?;
        if !naive || opts.tz == chrono_tz::Tz::UTC {
            return Ok((ms.clone().with_name(name.into()), errors));
        }
        let local = ms
            .iter()
            .map(|v| {
                v.and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|d| local_to_utc_ms(&opts.tz, d.naive_utc()))
            })
            .collect::<Int64Chunked>()
            .with_name(name.into());
        return Ok((local, errors));
    }
    let ca = c.str()?;
    let mut out: Vec<Option<i64>> = Vec::with_capacity(n);
    for (i, v) in ca.iter().enumerate() {
        match v {
            Some(s) if !s.trim().is_empty() => match parse_timestamp(s, &opts.tz) {
                Ok(ms) => out.push(Some(ms)),
                Err(_) if opts.columns.parse_time(s, &opts.tz).is_some() => {
                    out.push(opts.columns.parse_time(s, &opts.tz));
                }
                Err(reason) => {
                    errors.push((i, format!("{name} '{}': {reason}", crate::model::shown(s))));
                    out.push(None);
                }
            },
            _ => out.push(None),
        }
    }
    Ok((
        Int64Chunked::from_iter_options(name.into(), out.into_iter()),
        errors,
    ))
}

fn normalize_components(s: &str) -> Cow<'_, str> {
    let clean = s
        .split(';')
        .all(|p| !p.is_empty() && p.trim().len() == p.len());
    if clean {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(";"),
    )
}

pub(crate) fn raw_record(df: &DataFrame, i: usize) -> String {
    let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
    let fields: Vec<String> = (df.columns().iter())
        .filter(|c| !c.name().starts_with(DIM))
        .map(|c| match c.get(i) {
            Ok(AnyValue::String(s)) => s.to_string(),
            Ok(AnyValue::Null) | Err(_) => String::new(),
            // As the CSV reader's fast path read it (docs/performance.md).
            Ok(AnyValue::Datetime(ms, TimeUnit::Milliseconds, _)) => crate::time::format_utc(ms),
            Ok(v) => v.to_string(),
        })
        .collect();
    let _ = w.write_record(&fields);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// Trimmed text, empty as null, lower-cased when asked, nulls filled with `fill` when given.
/// A cell that needs none of it keeps its text.
pub(crate) fn clean_text(ca: &StringChunked, lower: bool, fill: Option<&str>) -> StringChunked {
    ca.iter()
        .map(|v| {
            let t = v.map(str::trim).filter(|t| !t.is_empty()).or(fill)?;
            Some(if lower {
                Cow::Owned(t.to_lowercase())
            } else {
                Cow::Borrowed(t)
            })
        })
        .collect::<StringChunked>()
        .with_name(ca.name().clone())
}

/// Replaces the `vendor` (trimmed; empty filled from `--vendor`) and `id` (trimmed) columns of
/// accepted rows in place, shared by incidents and impacts tables.
pub(crate) fn clean_vendor_and_id(df: &mut DataFrame, opts: &IngestOptions) -> Result<()> {
    let vendor = match text(df, col::VENDOR)? {
        Some(ca) => clean_text(ca, false, opts.default_vendor.as_deref()),
        None => StringChunked::full_null(col::VENDOR.into(), df.height()),
    };
    df.with_column(vendor.into_column())?;
    if let Some(ca) = text(df, col::ID)? {
        let id: StringChunked = ca.iter().map(|v| v.map(str::trim)).collect();
        df.with_column(id.with_name(col::ID.into()).into_column())?;
    }
    Ok(())
}

/// Validates one raw table: the accepted rows as a canonical frame, the rejects with lines.
pub(crate) fn validate(table: RawTable, opts: &IngestOptions) -> Result<Checked> {
    let RawTable {
        source,
        frame: mut df,
        lines,
        broken,
        window_source: table_source,
        ..
    } = table;
    let n = df.height();
    let mut laps = crate::laps::Laps::summed(2);
    let mut problems = required(&df, opts)?;
    let mut ts_columns = Vec::with_capacity(6);
    let mut ts_ms = Vec::with_capacity(6);
    for ms in parse_ts_columns(&df, &col::TIMESTAMPS, opts, &mut problems)? {
        ts_columns.push(ms.clone().into_series().cast(&ts_dtype())?.into_column());
        ts_ms.push(ms);
    }
    laps.lap("timestamps");
    let levels = problems.levels(&df)?;
    laps.lap("levels");
    // Broken rows (no columns at all) were read too.
    let read = (n + broken.len()) as u64;
    let (rejects, keep) = problems.rejects(&source, &lines, &df, broken);
    // The timestamps' text is not needed any more (a million rows hold 200 MB of it).
    for name in col::TIMESTAMPS {
        let _ = df.drop_in_place(name);
    }

    // Assemble the typed frame over all rows, then keep the accepted ones.
    let text_col = |name: &'static str| -> Result<Column> {
        Ok(match text(&df, name)? {
            Some(ca) => ca.clone().into_column(),
            None => Column::full_null(name.into(), n, &DataType::String),
        })
    };
    let components = components_column(&df, n)?;
    let impact = StringChunked::from_iter_values(col::IMPACT.into(), levels.iter().copied());
    let mut columns = vec![
        StringChunked::full(col::SOURCE.into(), &source, n).into_column(),
        UInt64Chunked::from_vec(col::LINE.into(), lines).into_column(),
        text_col(col::VENDOR)?.with_name(col::VENDOR.into()),
        text_col(col::ID)?.with_name(col::ID.into()),
        text_col(col::TITLE)?.with_name(col::TITLE.into()),
        text_col(col::SEVERITY)?.with_name(col::SEVERITY.into()),
        impact.with_name(col::IMPACT.into()).into_column(),
        components.with_name(col::COMPONENTS.into()).into_column(),
    ];
    columns.extend(ts_columns);
    columns.push(
        row_warnings(&ts_ms, text(&df, NOTES)?, opts.anchor)?
            .with_name(col::WARNINGS.into())
            .into_column(),
    );
    columns.push(text_col(ROW_WINDOW_SOURCE)?);
    let dims = dimension_columns(&df, opts, &columns)?;
    columns.extend(dims);
    let all = DataFrame::new(n, columns)?;
    let accepted = if keep.iter().all(|k| *k) {
        all
    } else {
        all.filter(&BooleanChunked::from_slice("keep".into(), &keep))?
    };
    laps.lap("assemble");

    let frame = clean_accepted(accepted, opts, table_source)?;
    laps.lap("clean, warnings");
    Ok(Checked {
        frame,
        rejects,
        warnings: Vec::new(),
        read,
    })
}

/// The problems of the rows that lack a required value: an id, a vendor (unless a default is
/// given), a start.
fn required(df: &DataFrame, opts: &IngestOptions) -> Result<Problems> {
    let mut problems = Problems::new(df.height());
    problems.require(df, col::ID, "missing id")?;
    if opts.default_vendor.is_none() {
        problems.require(
            df,
            col::VENDOR,
            "missing vendor (give a vendor or --vendor NAME)",
        )?;
    }
    problems.require(df, col::STARTED_AT, "missing started_at")?;
    Ok(problems)
}

/// The `components` column with each list normalised (`;`-separated, trimmed); the column as
/// it is when every list is clean already (most exports).
fn components_column(df: &DataFrame, n: usize) -> Result<StringChunked> {
    Ok(match text(df, col::COMPONENTS)? {
        // Most exports list clean names: the column as it is.
        Some(ca)
            if ca.iter().all(|v| {
                v.is_some_and(|v| matches!(normalize_components(v), Cow::Borrowed(_)))
            }) =>
        {
            ca.clone()
        }
        Some(ca) => ca
            .iter()
            .map(|v| Some(v.map(normalize_components).unwrap_or(Cow::Borrowed(""))))
            .collect::<StringChunked>(),
        None => StringChunked::full("".into(), "", n),
    })
}

/// The dimension columns (`__dim_` + name), trimmed, empty as none: a mapped header kept as a
/// dimension too first, then every other dimension of the input not in `columns` yet.
fn dimension_columns(
    df: &DataFrame,
    opts: &IngestOptions,
    columns: &[Column],
) -> Result<Vec<Column>> {
    let mut out = Vec::new();
    // The dimensions, trimmed, empty as none; a mapped header kept as a dimension too first.
    for (canon, dim) in opts.columns.also_kept() {
        if let Some(ca) = text(df, canon)? {
            let name = format!("{DIM}{dim}");
            out.push(
                clean_text(ca, false, None)
                    .with_name(name.into())
                    .into_column(),
            );
        }
    }
    for c in df.columns() {
        if c.name().starts_with(DIM) && !columns.iter().chain(&out).any(|k| k.name() == c.name()) {
            let text = c.cast(&DataType::String)?;
            out.push(clean_text(text.str()?, false, None).into_column());
        }
    }
    Ok(out)
}

/// The accepted rows' text cleaned (each column only when one of its cells needs it: most
/// exports need none of it, and a million cells cost a copy each), and each row's window
/// source: its own where it has one, else the table's.
fn clean_accepted(
    accepted: DataFrame,
    opts: &IngestOptions,
    table_source: &str,
) -> Result<DataFrame> {
    let needs = |df: &DataFrame, c: &str, lower: bool| -> Result<bool> {
        Ok(text(df, c)?.is_some_and(|ca| {
            ca.iter().flatten().any(|v| {
                v.is_empty()
                    || v.trim().len() != v.len()
                    || (lower && v.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()))
            })
        }))
    };
    let mut frame = accepted;
    if opts.default_vendor.is_some()
        || needs(&frame, col::VENDOR, false)?
        || needs(&frame, col::ID, false)?
    {
        clean_vendor_and_id(&mut frame, opts)?;
    }
    for (c, lower) in [(col::TITLE, false), (col::SEVERITY, true)] {
        if needs(&frame, c, lower)?
            && let Some(ca) = text(&frame, c)?
        {
            let cleaned = clean_text(ca, lower, None);
            frame.with_column(cleaned.into_column())?;
        }
    }
    // A row's own window source where it has one, else the table's.
    let source = frame.drop_in_place(ROW_WINDOW_SOURCE)?;
    let source: StringChunked = source
        .str()?
        .iter()
        .map(|v| Some(v.unwrap_or(table_source)))
        .collect();
    frame.with_column(source.with_name(col::WINDOW_SOURCE.into()).into_column())?;
    Ok(frame)
}

/// Data-quality warnings of each row, `; `-separated, null when there are none: phases before
/// their anchor, implausible years, a window ending before it starts, and the reader's notes.
/// One pass over the parsed timestamps; text is made only for the rows that have a warning.
fn row_warnings(
    ts: &[Int64Chunked],
    notes: Option<&StringChunked>,
    anchor: Anchor,
) -> Result<StringChunked> {
    let n = ts.first().map_or(0, |c| c.len());
    // Each column as one array, read in place.
    let whole: Vec<Int64Chunked> = ts.iter().map(|c| c.rechunk().into_owned()).collect();
    let arrays: Vec<_> = whole.iter().map(|c| c.downcast_iter().next()).collect();
    let at = |k: usize, i: usize| arrays[k].and_then(|a| a.get(i));
    let mut out: Vec<Option<String>> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for i in 0..n {
        parts.clear();
        let before =
            |parts: &mut Vec<String>, phase: usize, anchor_col: usize, anchor_at: Option<i64>| {
                if let (Some(p), Some(a)) = (at(phase, i), anchor_at)
                    && p < a
                {
                    parts.push(format!(
                        "{} before {}",
                        col::TIMESTAMPS[phase],
                        col::TIMESTAMPS[anchor_col]
                    ));
                }
            };
        for phase in 1..6 {
            before(&mut parts, phase, 0, at(0, i));
        }
        if anchor == Anchor::Detected {
            for phase in 2..6 {
                before(&mut parts, phase, 1, at(1, i));
            }
        }
        for c in 0..arrays.len() {
            if let Some(t) = at(c, i)
                && !(PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(&t)
            {
                let (year, _, _) =
                    crate::time::civil_from_days(t.div_euclid(crate::time::MS_PER_MIN * 1440));
                parts.push(format!(
                    "{} in year {year}: a typo? left out of the automatic report window",
                    col::TIMESTAMPS[c]
                ));
            }
        }
        if let (Some(end), Some(start)) = (at(4, i).or(at(5, i)), at(0, i))
            && end < start
        {
            parts.push("impact window ends before it starts: counted as empty".into());
        }
        if let Some(note) = notes.and_then(|c| c.get(i)) {
            parts.push(note.to_string());
        }
        if !parts.is_empty() {
            if out.is_empty() {
                out = vec![None; n];
            }
            out[i] = Some(parts.join("; "));
        }
    }
    Ok(if out.is_empty() {
        StringChunked::full_null("".into(), n)
    } else {
        out.into_iter().collect()
    })
}

/// Every warning of the accepted incidents, with its place.
pub(crate) fn warnings_of(incidents: &DataFrame) -> Result<Vec<Warning>> {
    let w = incidents.column(col::WARNINGS)?.str()?;
    let s = incidents.column(col::SOURCE)?.str()?;
    let l = incidents.column(col::LINE)?.u64()?;
    let mut out = Vec::new();
    for (i, msg) in w.iter().enumerate() {
        if let Some(msg) = msg {
            for m in msg.split("; ") {
                out.push(Warning {
                    source: s.get(i).unwrap_or_default().to_string(),
                    line: l.get(i).unwrap_or(0),
                    message: m.to_string(),
                });
            }
        }
    }
    Ok(out)
}
