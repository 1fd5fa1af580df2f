//! Commands: one file per subcommand, each taking plain settings (built by `cli`) and writing
//! what a person reads to the given writer. Shared here: reading inputs and choosing the
//! report window.

pub mod chart;
pub mod config;
pub mod generate;
pub mod import;
pub mod metrics;
pub mod progress;
pub mod report;
pub mod retro;
pub mod sync;
pub mod validate;

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::ingest::{self, IngestOptions, Ingested, Input};
use crate::model::Anchor;
use crate::period::ReportWindow;

/// Documented process exit codes.
pub mod exit {
    pub const OK: u8 = 0;
    /// Input could not be read, or holds no incident to report on.
    pub const ERROR: u8 = 1;
    /// Wrong arguments.
    pub const USAGE: u8 = 2;
    /// `validate`: at least one row was rejected.
    pub const REJECTED: u8 = 3;
    /// An output file or folder could not be written.
    pub const WRITE: u8 = 4;
    /// `sync`: at least one vendor failed; the others were stored.
    pub const SYNC_FAILED: u8 = 5;
}

/// Where incidents come from and how to read them.
#[derive(Debug, Clone)]
pub struct Source {
    pub inputs: Vec<PathBuf>,
    /// Report time zone: months, and naive timestamps.
    pub tz: Tz,
    pub vendor: Option<String>,
    pub anchor: Anchor,
    /// Time zone abbreviations of report pages.
    pub tz_abbrev: crate::ingest::tz_abbrev::Abbreviations,
    /// Foreign column names (`[columns]`).
    pub columns: crate::ingest::columns::ColumnMap,
    /// Inputs larger than this in all are refused before reading.
    pub input_limit: crate::ingest::InputLimit,
    /// The vendor store to read beside the inputs (`--store`).
    pub store: Option<PathBuf>,
    /// The vendors the configuration names (`[[vendor]]`): those without data in the store
    /// are named in the summary.
    pub configured_vendors: Vec<String>,
    /// `[filter] where`, then `--where`: every one must hold.
    pub filters: Vec<crate::model::Filter>,
}

impl Source {
    /// Reads the inputs and, with `--store`, every stored vendor's incidents.
    pub fn read(&self) -> Result<Ingested> {
        let mut inputs: Vec<Input> = self.inputs.iter().cloned().map(Input::Path).collect();
        let mut notes = Vec::new();
        if let Some(path) = &self.store {
            let (stored, said) = store_inputs(path, &self.configured_vendors)?;
            if stored.is_empty() && inputs.is_empty() {
                return Err(Error::NoData(format!(
                    "{}: the store holds no incidents{}: run `mttx sync` first",
                    path.display(),
                    said.first().map(|s| format!(" ({s})")).unwrap_or_default()
                )));
            }
            inputs.extend(stored);
            notes = said;
        }
        let mut ingested = self.read_inputs(&inputs)?;
        ingested.notes.extend(notes);
        if let Some(path) = &self.store {
            // Status pages' published uptime kept by `sync`, under the configured names.
            let store = crate::store::Store::open(path, crate::store::Mode::Read)?;
            ingested.published.extend(store.published()?);
        }
        Ok(ingested)
    }

    pub fn read_inputs(&self, inputs: &[Input]) -> Result<Ingested> {
        ingest::read(
            inputs,
            &IngestOptions {
                tz: self.tz,
                default_vendor: self.vendor.clone(),
                anchor: self.anchor,
                tz_abbrev: self.tz_abbrev.clone(),
                columns: self.columns.clone(),
                input_limit: self.input_limit,
                filters: self.filters.clone(),
            },
        )
    }
}

/// The store's vendors as inputs: one Statuspage `{page, incidents}` document each, read
/// exactly as the same document in a file would be. Also says which vendors have no data (in
/// the store but never synced successfully, or configured and never synced): they are left
/// out of every table rather than shown as 100% available.
fn store_inputs(
    path: &std::path::Path,
    configured: &[String],
) -> Result<(Vec<Input>, Vec<String>)> {
    let store = crate::store::Store::open(path, crate::store::Mode::Read)?;
    let vendors = store.vendors()?;
    let mut silent: Vec<String> = Vec::new();
    for v in &vendors {
        if v.incidents == 0 && v.last_success_at.is_none() {
            silent.push(match &v.last_error {
                Some(e) => format!("{} (last error: {e})", v.name),
                None => v.name.clone(),
            });
        }
    }
    for name in configured {
        if !vendors.iter().any(|v| &v.name == name) {
            silent.push(name.clone());
        }
    }
    let mut notes = Vec::new();
    if !silent.is_empty() {
        notes.push(format!(
            "no data for {} never synced successfully: {}; left out of every table and chart",
            if silent.len() == 1 {
                "a vendor"
            } else {
                "vendors"
            },
            silent.join(", ")
        ));
    }
    // Statuspage documents first, then other platforms', then sources' (each group by name).
    let mut ordered: Vec<&crate::store::VendorState> = vendors.iter().collect();
    ordered.sort_by_key(|v| crate::sources::reading_order(v));
    let mut inputs: Vec<Input> = Vec::new();
    for v in ordered {
        let raws = store.raws(&v.name)?;
        if raws.is_empty() {
            continue;
        }
        match crate::sources::stored_document(v, &raws) {
            Ok((text, format)) => inputs.push(Input::Bytes {
                name: format!("{}[{}]", path.display(), v.name),
                format,
                bytes: std::borrow::Cow::Owned(text.into_bytes()),
            }),
            Err(note) => notes.push(note),
        }
    }
    Ok((inputs, notes))
}

/// The report window as asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowSpec {
    /// The calendar months the data spans.
    #[default]
    Auto,
    /// `--from` (inclusive) and/or `--to` (exclusive); a missing side comes from the data.
    Range {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    /// `--month YYYY-MM`.
    Month { year: i32, month: u32 },
    /// `--month current` (0) or `previous` (1): the calendar month this many before today's,
    /// in the report time zone (the one window that reads the clock).
    MonthsAgo(u32),
}

impl WindowSpec {
    /// The window in `tz`, given the data's span (first start, last instant).
    pub fn resolve(&self, tz: Tz, span: Option<(i64, i64)>) -> Result<ReportWindow> {
        let no_data = || {
            Error::NoData(
                "no incident was accepted, so there is no window to report on (give --from and --to, or --month)"
                    .into(),
            )
        };
        match *self {
            WindowSpec::Month { year, month } => ReportWindow::month(tz, year, month),
            WindowSpec::MonthsAgo(back) => {
                let (year, month) =
                    months_ago(chrono::Utc::now().with_timezone(&tz).date_naive(), back);
                ReportWindow::month(tz, year, month)
            }
            WindowSpec::Range {
                from: Some(f),
                to: Some(t),
            } => ReportWindow::from_dates(tz, f, t),
            WindowSpec::Auto => {
                let (first, last) = span.ok_or_else(no_data)?;
                ReportWindow::spanning(tz, first, last)
            }
            WindowSpec::Range { from, to } => {
                let (first, last) = span.ok_or_else(no_data)?;
                let auto = ReportWindow::spanning(tz, first, last)?;
                let from = from.unwrap_or_else(|| crate::time::local_date(&tz, auto.start));
                let to = to.unwrap_or_else(|| crate::time::local_date(&tz, auto.end));
                ReportWindow::from_dates(tz, from, to)
            }
        }
    }
}

/// The year and month `back` calendar months before `today`'s.
pub fn months_ago(today: NaiveDate, back: u32) -> (i32, u32) {
    use chrono::Datelike;
    let index = today.year() * 12 + today.month0() as i32 - back as i32;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// Writes to stdout, keeping a broken pipe apart from real failures.
pub(crate) fn emit(out: &mut dyn std::io::Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(Error::Stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn ts(s: &str) -> i64 {
        parse_timestamp(s, &Tz::UTC).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn previous_and_current_months_count_back_across_the_year() {
        assert_eq!(months_ago(date(2026, 1, 31).unwrap(), 1), (2025, 12));
        assert_eq!(months_ago(date(2026, 1, 1).unwrap(), 0), (2026, 1));
        assert_eq!(months_ago(date(2026, 12, 6).unwrap(), 1), (2026, 11));
        assert_eq!(months_ago(date(2026, 3, 15).unwrap(), 14), (2025, 1));
    }

    #[test]
    fn a_missing_side_of_the_window_comes_from_the_data() {
        // Data from 10 March to 2 May: whole months March..May.
        let span = Some((ts("2024-03-10T10:00:00Z"), ts("2024-05-02T08:00:00Z")));
        let auto = WindowSpec::Auto.resolve(Tz::UTC, span).unwrap();
        assert_eq!(
            (auto.start, auto.end),
            (ts("2024-03-01T00:00:00Z"), ts("2024-06-01T00:00:00Z"))
        );
        let from = WindowSpec::Range {
            from: date(2024, 4, 15),
            to: None,
        }
        .resolve(Tz::UTC, span)
        .unwrap();
        assert_eq!(
            (from.start, from.end),
            (ts("2024-04-15T00:00:00Z"), ts("2024-06-01T00:00:00Z"))
        );
        let to = WindowSpec::Range {
            from: None,
            to: date(2024, 4, 1),
        }
        .resolve(Tz::UTC, span)
        .unwrap();
        assert_eq!(
            (to.start, to.end),
            (ts("2024-03-01T00:00:00Z"), ts("2024-04-01T00:00:00Z"))
        );
        // No data and no window: nothing to report on.
        assert!(WindowSpec::Auto.resolve(Tz::UTC, None).is_err());
        let month = WindowSpec::Month {
            year: 2024,
            month: 2,
        }
        .resolve(Tz::UTC, None)
        .unwrap();
        assert_eq!(month.minutes(), 29.0 * 1440.0);
    }
}
