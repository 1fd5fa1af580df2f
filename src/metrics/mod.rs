//! Metrics: pure transforms of the canonical incident frame into the contract's numbers:
//! time-to-x aggregates ([`time_to_x`]), impact windows ([`windows`]), the weighted interval
//! sweep ([`sweep`]) and availability with SLA ([`availability`]). Results leave this module as
//! plain rows of [`crate::model`]; no dataframe goes further.

pub mod availability;
pub mod explode;
pub mod stats;
pub mod sweep;
pub mod time_to_x;
pub mod windows;

use polars::prelude::*;

use crate::error::Result;
use crate::model::{
    Anchor, AvailScope, AvailabilityRow, ComponentWindows, Daily, DailyRow, GroupKey, IncidentRow,
    Incidents, Metric, MetricRow, PLAUSIBLE_MS, TextColumn, Weights, WindowRow, col,
};
use crate::period::Period;
use crate::time::MS_PER_MIN;
pub use availability::SlaTargets;
use explode::{Exploded, dense_ids};
use sweep::Span;

use crate::period::MonthSpan;

/// What the numbers depend on besides the incidents.
#[derive(Debug, Clone)]
pub struct Options {
    pub period: Period,
    pub anchor: Anchor,
    pub weights: Weights,
    pub sla: SlaTargets,
}

/// Days of downtime a report keeps per vendor and component, as status pages show them.
pub const UPTIME_DAYS: usize = 90;

/// Everything a report shows.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub incidents: Incidents,
    pub metrics: Vec<MetricRow>,
    pub availability: Vec<AvailabilityRow>,
    /// Downtime per day over the last [`UPTIME_DAYS`] of the window.
    pub daily: Daily,
    /// Every component's impact windows in the report window, by vendor, component, start.
    pub windows: ComponentWindows,
    /// The availability rows of the calendar month before the window (from the same sweep):
    /// what `previous_availability_pct` of the window's first month and a one-month report's
    /// headline compare with.
    pub month_before: Vec<AvailabilityRow>,
}

/// Every number of a report. `impacts` holds the precise windows (may be empty).
pub fn compute(incidents: &DataFrame, impacts: &DataFrame, opts: &Options) -> Result<Computed> {
    compute_with(incidents, impacts, opts, true)
}

/// [`compute`]; without `detail`, no daily downtime and no windows (what only the charts and
/// the HTML report show).
pub fn compute_with(
    incidents: &DataFrame,
    impacts: &DataFrame,
    opts: &Options,
    detail: bool,
) -> Result<Computed> {
    compute_owned(incidents.clone(), impacts, opts, detail)
}

/// [`compute_with`] taking the frame: its columns are dropped as the incident table takes
/// them, so a large input is not held twice (when the caller keeps no copy of the frame).
pub fn compute_owned(
    incidents: DataFrame,
    impacts: &DataFrame,
    opts: &Options,
    detail: bool,
) -> Result<Computed> {
    compute_beside(incidents, impacts, opts, detail, |_| ()).map(|(c, ())| c)
}

/// [`compute_owned`], running `beside` on another thread with the incident table while the
/// sweep and the time-to-x figures are computed, and returning what it returns (the report
/// writes `incidents.csv` there: the file's formatting and the system's copying of 255 MB at
/// 1M incidents then overlap the arithmetic instead of following it).
pub fn compute_beside<T: Send>(
    incidents: DataFrame,
    impacts: &DataFrame,
    opts: &Options,
    detail: bool,
    beside: impl FnOnce(&Incidents) -> T + Send,
) -> Result<(Computed, T)> {
    let mut laps = crate::laps::Laps::nested(1);
    let shared = Exploded::new(&incidents, impacts)?;
    laps.lap("explode");
    // The compute stages one after the other (each has both cores where it pays): run side by
    // side, their peaks would add up (at 1M incidents: 470 MB to 490 MB against 430 MB, for
    // 0.15 s). `beside` only reads the table, which is kept anyway.
    let (table, row_of) = incident_table_ordered(
        incidents,
        opts.anchor,
        Some(&opts.period),
        Some(&shared.vendor_of),
    )?;
    laps.lap("incident rows");
    let (swept, metrics, besides) = std::thread::scope(|s| {
        let besides = s.spawn(|| beside(&table));
        let swept = sweep_all(opts, detail, true, &shared);
        laps.lap("sweep");
        let metrics = TimeToX::new(&table, &row_of, &shared, &opts.period).report_rows();
        laps.lap("time to x");
        let besides = besides
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        laps.lap("beside (waited for)");
        (swept, metrics, besides)
    });
    let mut swept = swept?;
    drop(shared);
    let labels: Vec<String> = opts.period.months.iter().map(|m| m.label.clone()).collect();
    if let Some(before) = swept.month_before.first() {
        let before_label = before.month.clone();
        availability::link_previous(&mut swept.rows, &labels, &swept.month_before, &before_label);
    }
    let computed = Computed {
        incidents: table,
        metrics,
        availability: swept.rows,
        month_before: swept.month_before,
        daily: swept.daily,
        windows: swept.windows,
    };
    Ok((computed, besides))
}

/// The first `started_at` and the last instant any impact window reaches (its end, or its
/// start when it has none): the span a report without `--from/--to` covers.
pub fn data_span(incidents: &DataFrame, impacts: &DataFrame) -> Result<Option<(i64, i64)>> {
    if incidents.height() == 0 {
        return Ok(None);
    }
    // Implausible instants (a typo year) are warned about at ingest and left out here. One
    // pass over the three columns: the earliest start, the latest start, and the latest of each
    // incident's end (mitigation, else resolution, else its start).
    let plausible = |t: Option<i64>| t.filter(|t| (PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(t));
    let times = |df: &DataFrame, c: &str| -> Result<Int64Chunked> {
        Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (started, mitigated, resolved) = (
        times(incidents, col::STARTED_AT)?,
        times(incidents, col::MITIGATED_AT)?,
        times(incidents, col::RESOLVED_AT)?,
    );
    let (mut first, mut last_start, mut last_end) = (None::<i64>, None::<i64>, None::<i64>);
    for ((s, m), r) in started.iter().zip(mitigated.iter()).zip(resolved.iter()) {
        let s = plausible(s);
        if let Some(s) = s {
            first = Some(first.map_or(s, |f| f.min(s)));
            last_start = Some(last_start.map_or(s, |l| l.max(s)));
        }
        if let Some(e) = plausible(m).or(plausible(r)).or(s) {
            last_end = Some(last_end.map_or(e, |l| l.max(e)));
        }
    }
    let mut last = last_start.map(|s| last_end.map_or(s, |e| e.max(s)));
    // An impact row reaches its end, or its start when it has none.
    if impacts.height() > 0 {
        let (start, end) = (times(impacts, col::START)?, times(impacts, col::END)?);
        let reach = start
            .iter()
            .zip(end.iter())
            .filter_map(|(s, e)| plausible(e).or(plausible(s)))
            .max();
        last = last.max(reach);
    }
    Ok(first.zip(last))
}

/// `incidents.csv` rows: every accepted incident, by `started_at`, vendor, id; `in_window`
/// against `period` (every row, without one).
pub fn incident_rows(
    incidents: &DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
) -> Result<Vec<IncidentRow>> {
    Ok(incident_table(incidents, anchor, period)?.rows().collect())
}

/// [`incident_rows`] as columns: what `incidents.csv` is written from.
pub fn incident_table(
    incidents: &DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
) -> Result<Incidents> {
    Ok(incident_table_ordered(incidents.clone(), anchor, period, None)?.0)
}

/// [`incident_table`] from the frame itself, and the input row of each of its rows. Each
/// column is taken out of the frame, gathered and dropped in turn, so the frame and the table
/// are never both whole in memory. `vendor_rank`: each row's vendor's rank among the vendor
/// names ([`Exploded::vendor_of`]), worked out here when not given.
fn incident_table_ordered(
    mut df: DataFrame,
    anchor: Anchor,
    period: Option<&Period>,
    vendor_rank: Option<&[u32]>,
) -> Result<(Incidents, Vec<u32>)> {
    // The order: by `started_at`, vendor, id (stable). Exports are mostly in time order
    // already, which the merge sort finds, on integers: the start (a missing one first) and the
    // vendor's rank among the names; ids are compared only within a run of equal pairs.
    let order: Vec<usize> = {
        let started: Vec<i64> = df
            .column(col::STARTED_AT)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|t| t.unwrap_or(i64::MIN))
            .collect();
        let ranks;
        let vendor_rank = match vendor_rank {
            Some(r) => r,
            None => {
                ranks = dense_ids(df.column(col::VENDOR)?.str()?.iter()).0;
                &ranks
            }
        };
        let key = |r: usize| (started[r], vendor_rank[r]);
        let mut order: Vec<usize> = (0..df.height()).collect();
        order.sort_by_key(|&r| key(r));
        let id = df.column(col::ID)?.str()?;
        let mut i = 0;
        while i < order.len() {
            let run = order[i..]
                .iter()
                .take_while(|&&r| key(r) == key(order[i]))
                .count();
            if run > 1 {
                order[i..i + run].sort_by(|&a, &b| id.get(a).cmp(&id.get(b)));
            }
            i += run;
        }
        order
    };
    // Each column gathered in that order, the columns shared between the cores; a column
    // is dropped as soon as it is gathered.
    enum Gathered {
        Text(TextColumn),
        Millis(crate::model::Millis),
    }
    // The columns are read where they are, chunk by chunk (the chunks' frames were stacked
    // without a copy).
    let gather = |c: Column| -> Result<Gathered> {
        if let Ok(ca) = c.str() {
            let bytes = ca
                .downcast_iter()
                .map(|a| a.total_bytes_len())
                .sum::<usize>();
            let mut out = TextColumn::with_capacity(ca.len(), bytes);
            let arrays: Vec<_> = ca.downcast_iter().collect();
            in_chunks(&arrays, |a| a.len(), &order, |a, i| out.push(a.get(i)));
            return Ok(Gathered::Text(out));
        }
        let ms = c.cast(&DataType::Int64)?;
        drop(c);
        let ca = ms.i64()?;
        let arrays: Vec<_> = ca.downcast_iter().collect();
        let mut out = crate::model::Millis::with_capacity(order.len());
        in_chunks(&arrays, |a| a.len(), &order, |a, i| out.push(a.get(i)));
        Ok(Gathered::Millis(out))
    };
    const TEXT: [&str; 8] = [
        col::VENDOR,
        col::ID,
        col::TITLE,
        col::SEVERITY,
        col::IMPACT,
        col::COMPONENTS,
        col::WINDOW_SOURCE,
        col::WARNINGS,
    ];
    let slots: Vec<std::sync::Mutex<Option<Column>>> = TEXT
        .iter()
        .chain(col::TIMESTAMPS.iter())
        .map(|c| Ok(std::sync::Mutex::new(Some(df.drop_in_place(c)?))))
        .collect::<Result<_>>()?;
    drop(df);
    let mut gathered = crate::parallel::map(&slots, |slot| {
        let c = slot.lock().ok().and_then(|mut c| c.take());
        c.map(gather).transpose()
    })
    .into_iter();
    let mut text = || match gathered.next() {
        Some(Ok(Some(Gathered::Text(t)))) => Ok(t),
        Some(Err(e)) => Err(e),
        _ => Ok(TextColumn::default()),
    };
    // In the order of `TEXT`, then the timestamps.
    let (vendor, id, title, severity, impact, components, window_source, warnings) = (
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
        text()?,
    );
    let mut timestamps: [crate::model::Millis; 6] = Default::default();
    for ts in &mut timestamps {
        *ts = match gathered.next() {
            Some(Ok(Some(Gathered::Millis(v)))) => v,
            Some(Err(e)) => return Err(e),
            _ => (0..order.len()).map(|_| None).collect(),
        };
    }
    // Durations in integer milliseconds (the minutes of the time-to-x figures are these over
    // 60,000), negative ones null.
    let at = |c: &str| col::TIMESTAMPS.iter().position(|t| *t == c).unwrap_or(0);
    let durations_ms: [crate::model::Millis; 5] = std::array::from_fn(|k| {
        let m = Metric::ALL[k];
        let (to, from) = (
            &timestamps[at(m.phase_column())],
            &timestamps[at(time_to_x::anchor_column(m, anchor))],
        );
        to.iter()
            .zip(from.iter())
            .map(|(t, f)| Some(t? - f?).filter(|d| *d >= 0))
            .collect()
    });
    let in_window = timestamps[0]
        .iter()
        .map(|t| period.is_none_or(|p| t.is_some_and(|t| p.contains(t))))
        .collect();
    let table = Incidents {
        vendor,
        id,
        title,
        severity,
        impact,
        components,
        window_source,
        warnings,
        durations_ms,
        timestamps,
        in_window,
    };
    Ok((table, order.into_iter().map(|i| i as u32).collect()))
}

/// `visit(chunk, index in chunk)` for each row of `order` (indices into the chunks end to end,
/// `len` of each), in that order. Rows mostly follow the chunks, so the chunk of the row before
/// is tried first.
fn in_chunks<A>(
    chunks: &[A],
    len: impl Fn(&A) -> usize,
    order: &[usize],
    mut visit: impl FnMut(&A, usize),
) {
    let mut starts = Vec::with_capacity(chunks.len() + 1);
    starts.push(0);
    for c in chunks {
        starts.push(starts[starts.len() - 1] + len(c));
    }
    let mut k = 0;
    for &i in order {
        if !(starts[k] <= i && i < starts[k + 1]) {
            k = starts.partition_point(|&s| s <= i).saturating_sub(1);
        }
        visit(&chunks[k], i - starts[k]);
    }
}

/// What the time-to-x rows are grouped from: the incident table (its rows in the report
/// order), each row's input row, and the shared integer keys.
struct TimeToX<'a> {
    table: &'a Incidents,
    /// The input row of each table row, and the table row of each input row.
    row_of: &'a [u32],
    position: Vec<u32>,
    shared: &'a Exploded,
    period: &'a Period,
    /// Each table row's month in the window ([`OUTSIDE`] when it started outside the window).
    month: Vec<u32>,
    /// Each table row's severity id ([`OUTSIDE`] when it has none), and the severities by id.
    severity: Vec<u32>,
    severities: Vec<&'a str>,
}

/// No month, no severity.
const OUTSIDE: u32 = u32::MAX;

/// Which rows over the whole window a grouping gives besides its monthly ones.
#[derive(Clone, Copy, PartialEq)]
enum Whole {
    /// None (the grouping is by month).
    No,
    /// One per group with `month = all` (`metrics.csv`).
    All,
    /// One per group without a month (a grouping without months).
    Unlabelled,
}

impl<'a> TimeToX<'a> {
    fn new(
        table: &'a Incidents,
        row_of: &'a [u32],
        shared: &'a Exploded,
        period: &'a Period,
    ) -> TimeToX<'a> {
        let mut position = vec![0u32; row_of.len()];
        for (p, &r) in row_of.iter().enumerate() {
            position[r as usize] = p as u32;
        }
        let month = table.timestamps[0]
            .iter()
            .zip(&table.in_window)
            .map(|(t, &inside)| match t {
                Some(t) if inside => period.months[1..].partition_point(|m| m.start <= t) as u32,
                _ => OUTSIDE,
            })
            .collect();
        let (severity, severities) = dense_ids((0..table.len()).map(|p| table.severity.get(p)));
        // `None` sorts first: it is the id before the named severities.
        let has_none = severities.first().is_some_and(Option::is_none);
        let severity = severity
            .into_iter()
            .map(|i| match (has_none, i) {
                (true, 0) => OUTSIDE,
                (true, i) => i - 1,
                (false, i) => i,
            })
            .collect();
        TimeToX {
            table,
            row_of,
            position,
            shared,
            period,
            month,
            severity,
            severities: severities.into_iter().flatten().collect(),
        }
    }

    /// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month and over
    /// the whole window; the four groupings aggregated together.
    fn report_rows(&self) -> Vec<MetricRow> {
        let sets: Vec<stats::Buckets> = REPORT_SCOPES
            .iter()
            .map(|(_, keys)| self.items(keys, true).bucket())
            .collect();
        let grouped = stats::aggregate_all(&sets, &self.table.durations_ms);
        let mut rows = Vec::new();
        for ((scope, keys), g) in REPORT_SCOPES.iter().zip(&grouped) {
            rows.extend(self.rows_of(g, keys, scope, true, Whole::All));
        }
        let rank = |s: &str| REPORT_SCOPES.iter().position(|(n, _)| *n == s).unwrap_or(9);
        sort_metric_rows(&mut rows, rank);
        rows
    }

    /// The rows of one grouping by `keys` (besides the month), named `scope`: per month when
    /// `monthly`, and over the whole window as `whole` says.
    fn rows(&self, keys: &[GroupKey], scope: &str, monthly: bool, whole: Whole) -> Vec<MetricRow> {
        let grouped = stats::aggregate(self.items(keys, monthly), &self.table.durations_ms);
        self.rows_of(&grouped, keys, scope, monthly, whole)
    }

    /// How many severities a grouping by `keys` tells apart (1 when it does not group by them).
    fn n_sev(&self, keys: &[GroupKey]) -> usize {
        if keys.contains(&GroupKey::Severity) {
            self.severities.len()
        } else {
            1
        }
    }

    /// The items of the grouping by `keys` (besides the month, when `monthly`): a key is a
    /// base (a component, whose items are memberships; a vendor; or everything) and a severity.
    fn items(&self, keys: &[GroupKey], monthly: bool) -> stats::Items {
        let by = |k: GroupKey| keys.contains(&k);
        let sh = self.shared;
        let n_base = if by(GroupKey::Component) {
            sh.comp_name.len()
        } else if by(GroupKey::Vendor) {
            sh.vendors.len()
        } else {
            1
        };
        let n_sev = self.n_sev(keys);
        let n_cells = if monthly { self.period.months.len() } else { 1 };
        let capacity = if by(GroupKey::Component) {
            sh.member_row.len()
        } else {
            self.table.len()
        };
        let mut items = stats::Items::new(n_base * n_sev, n_cells, capacity);
        // The item of table row `p` in base key `base`, unless it has no month or no severity.
        let mut push = |base: u32, p: u32| {
            let month = self.month[p as usize];
            let sev = if by(GroupKey::Severity) {
                self.severity[p as usize]
            } else {
                0
            };
            if month != OUTSIDE && sev != OUTSIDE {
                let cell = if monthly { month } else { 0 };
                items.push(base * n_sev as u32 + sev, cell, p);
            }
        };
        if by(GroupKey::Component) {
            for (&row, &cid) in sh.member_row.iter().zip(&sh.member_cid) {
                push(cid, self.position[row as usize]);
            }
        } else if by(GroupKey::Vendor) {
            for p in 0..self.table.len() as u32 {
                push(sh.vendor_of[self.row_of[p as usize] as usize], p);
            }
        } else {
            for p in 0..self.table.len() as u32 {
                push(0, p);
            }
        }
        items
    }

    /// The rows of the grouping by `keys` aggregated in `grouped`.
    fn rows_of(
        &self,
        grouped: &stats::Grouped,
        keys: &[GroupKey],
        scope: &str,
        monthly: bool,
        whole: Whole,
    ) -> Vec<MetricRow> {
        let by = |k: GroupKey| keys.contains(&k);
        let sh = self.shared;
        let n_sev = self.n_sev(keys);
        let n_cells = grouped.n_cells;
        let mut rows = Vec::new();
        let mut emit = |key: usize, month: Option<&str>, group: &stats::Group| {
            if group.items == 0 {
                return;
            }
            let (base, sev) = (key / n_sev, key % n_sev);
            let (vendor, component) = if by(GroupKey::Component) {
                (
                    Some(sh.comp_vendor[base].clone()),
                    Some(sh.comp_name[base].clone()),
                )
            } else if by(GroupKey::Vendor) {
                (Some(sh.vendors[base].clone()), None)
            } else {
                (None, None)
            };
            let severity = by(GroupKey::Severity).then(|| self.severities[sev].to_string());
            for (m, stats) in Metric::ALL.into_iter().zip(group.stats) {
                rows.push(MetricRow {
                    scope: scope.to_string(),
                    vendor: vendor.clone(),
                    component: component.clone(),
                    severity: severity.clone(),
                    month: month.map(str::to_string),
                    metric: m,
                    stats,
                });
            }
        };
        for (key, whole_group) in grouped.whole.iter().enumerate() {
            if monthly {
                for (c, month) in self.period.months.iter().enumerate() {
                    emit(key, Some(&month.label), &grouped.cells[key * n_cells + c]);
                }
            }
            match whole {
                Whole::No => {}
                Whole::All => emit(key, Some("all"), whole_group),
                Whole::Unlabelled => emit(key, None, whole_group),
            }
        }
        rows
    }
}

/// The scopes of `metrics.csv`, in order, and their keys.
const REPORT_SCOPES: [(&str, &[GroupKey]); 4] = [
    ("all", &[]),
    ("vendor", &[GroupKey::Vendor]),
    ("component", &[GroupKey::Component]),
    ("severity", &[GroupKey::Severity]),
];

/// Sort order of months: calendar order, `all` last.
fn month_order(m: &Option<String>) -> (u8, String) {
    match m.as_deref() {
        Some("all") => (1, String::new()),
        Some(x) => (0, x.to_string()),
        None => (2, String::new()),
    }
}

fn sort_metric_rows(rows: &mut [MetricRow], scope_rank: impl Fn(&str) -> usize) {
    fn sev(s: &Option<String>) -> Option<(u8, &str)> {
        s.as_deref().map(crate::model::severity_rank)
    }
    rows.sort_by(|a, b| {
        (
            scope_rank(&a.scope),
            &a.vendor,
            &a.component,
            sev(&a.severity),
        )
            .cmp(&(
                scope_rank(&b.scope),
                &b.vendor,
                &b.component,
                sev(&b.severity),
            ))
            .then_with(|| month_order(&a.month).cmp(&month_order(&b.month)))
            .then_with(|| a.metric.cmp(&b.metric))
    });
}

/// Time-to-x rows for one grouping (the `metrics` command). With [`GroupKey::Month`] among the
/// keys, each month of the window is a group; otherwise the groups span the whole window.
pub fn metric_rows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    keys: &[GroupKey],
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    let (shared, table, row_of) = exploded_and_table(incidents, impacts, period, anchor)?;
    let scope = if keys.is_empty() {
        "all".to_string()
    } else {
        keys.iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join("+")
    };
    let monthly = keys.contains(&GroupKey::Month);
    let whole = if monthly {
        Whole::No
    } else {
        Whole::Unlabelled
    };
    let mut rows =
        TimeToX::new(&table, &row_of, &shared, period).rows(keys, &scope, monthly, whole);
    sort_metric_rows(&mut rows, |_| 0);
    Ok(rows)
}

/// `metrics.csv`: scopes `all`, `vendor`, `component`, `severity`, each per month of the window
/// and over the whole window (`month = all`). Incidents without a severity have no severity row.
pub fn report_metric_rows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    let (shared, table, row_of) = exploded_and_table(incidents, impacts, period, anchor)?;
    Ok(TimeToX::new(&table, &row_of, &shared, period).report_rows())
}

/// What the time-to-x rows are grouped from: the memberships, the incident table in report
/// order, and the input row of each of its rows.
fn exploded_and_table(
    incidents: &DataFrame,
    impacts: &DataFrame,
    period: &Period,
    anchor: Anchor,
) -> Result<(Exploded, Incidents, Vec<u32>)> {
    let shared = Exploded::new(incidents, impacts)?;
    let (table, row_of) = incident_table_ordered(
        incidents.clone(),
        anchor,
        Some(period),
        Some(&shared.vendor_of),
    )?;
    Ok((shared, table, row_of))
}

/// `availability.csv`: every vendor and every component of the input, for every month of the
/// window and `all`.
pub fn availability_rows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    opts: &Options,
) -> Result<Vec<AvailabilityRow>> {
    let shared = Exploded::new(incidents, impacts)?;
    Ok(sweep_all(opts, false, false, &shared)?.rows)
}

/// What the sweep gives: the availability rows, the daily downtime and the windows swept.
#[derive(Debug, Clone)]
pub struct Availability {
    pub rows: Vec<AvailabilityRow>,
    /// The rows of the month before the window, when asked for.
    pub month_before: Vec<AvailabilityRow>,
    pub daily: Daily,
    pub windows: ComponentWindows,
}

/// The impact windows of one incident (by vendor and id) inside `period`, by component and
/// start: what its retrospective chart draws.
pub fn incident_windows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    vendor: &str,
    id: &str,
    period: &Period,
) -> Result<Vec<WindowRow>> {
    let this = |df: &DataFrame| -> Result<DataFrame> {
        let (v, i) = (df.column(col::VENDOR)?.str()?, df.column(col::ID)?.str()?);
        let mask: BooleanChunked = v
            .iter()
            .zip(i.iter())
            .map(|k| k == (Some(vendor), Some(id)))
            .collect();
        Ok(df.filter(&mask)?)
    };
    let (one, rows) = (this(incidents)?, this(impacts)?);
    let shared = Exploded::new(&one, &rows)?;
    Ok(shared.window_rows(&shared.windows(period, 0), period.start))
}

/// The sweep over every component and vendor: monthly rows, daily downtime, windows.
pub fn availability(
    incidents: &DataFrame,
    impacts: &DataFrame,
    opts: &Options,
) -> Result<Availability> {
    let shared = Exploded::new(incidents, impacts)?;
    sweep_all(opts, true, false, &shared)
}

/// The sweep; without `detail`, the monthly rows only (no days, no windows kept). With
/// `month_before`, the calendar month before the window is swept in the same pass, its rows
/// kept apart (they count in no `all` row).
fn sweep_all(
    opts: &Options,
    detail: bool,
    month_before: bool,
    shared: &Exploded,
) -> Result<Availability> {
    let period = &opts.period;
    // The months swept: the window's, after the month before when asked for.
    let swept = if month_before {
        period.with_month_before()?
    } else {
        period.clone()
    };
    let lead = usize::from(month_before);
    let mut laps = crate::laps::Laps::nested(2);
    // Dense key ids: components 0..C, then vendors C..C+V.
    let n_comp = shared.comp_name.len();
    let n_keys = n_comp + shared.vendors.len();
    let (comp_vendor, comp_name, vendors) =
        (&shared.comp_vendor, &shared.comp_name, &shared.vendors);
    let mut keys: Vec<(AvailScope, &str, Option<&str>)> = Vec::with_capacity(n_keys);
    keys.extend(
        comp_vendor
            .iter()
            .zip(comp_name)
            .map(|(v, c)| (AvailScope::Component, v.as_str(), Some(c.as_str()))),
    );
    keys.extend(
        vendors
            .iter()
            .map(|v| (AvailScope::Vendor, v.as_str(), None)),
    );
    // Each key's spans: the months (or days), cut to its SLA's business hours if it has any.
    let hours: Vec<Option<&crate::hours::Hours>> = keys
        .iter()
        .map(|(_, v, c)| opts.sla.rule(v, *c).and_then(|r| r.hours.as_ref()))
        .collect();
    let spans_per_key = |base: &[MonthSpan]| -> (Vec<Span>, Vec<Option<Vec<Span>>>) {
        let plain: Vec<Span> = base
            .iter()
            .enumerate()
            .map(|(i, m)| Span {
                start: m.start,
                end: m.end,
                cell: i,
            })
            .collect();
        let cut = hours
            .iter()
            .map(|h| {
                h.map(|h| {
                    plain
                        .iter()
                        .flat_map(|s| {
                            h.intervals(s.start, s.end)
                                .into_iter()
                                .map(move |(a, b)| Span {
                                    start: a,
                                    end: b,
                                    cell: s.cell,
                                })
                        })
                        .collect()
                })
            })
            .collect();
        (plain, cut)
    };

    // Vendors' ids follow the components'.
    let win = shared.windows(&swept, n_comp as u32);
    // Kept for the charts from the window's start (without the month before).
    let kept_windows = if detail {
        shared.component_windows(&win, period.start)
    } else {
        ComponentWindows::default()
    };
    laps.lap("window rows");
    let (month_plain, month_cut) = spans_per_key(&swept.months);
    let month_spans = |k: usize| month_cut[k].as_deref().unwrap_or(&month_plain);
    let days = if detail {
        period.last_days(UPTIME_DAYS)
    } else {
        Vec::new()
    };
    let (day_plain, day_cut) = spans_per_key(&days);
    let day_spans = |k: usize| day_cut[k].as_deref().unwrap_or(&day_plain);
    // Components, then vendors: each its own events (half the memory of both at once), its
    // keys' sums added into the same cells.
    let mut sums = sweep::Sums::new(n_keys, swept.months.len());
    let mut per_day = sweep::Sums::new(n_keys, days.len());
    for keys in [&win.cid, &win.vid] {
        let windows = sweep::Windows {
            key: keys,
            level: &win.level,
            start: &win.start,
            end: &win.end,
        };
        let events = sweep::Events::new(&[windows], n_keys);
        sums.add(&sweep::sweep(
            &events,
            swept.months.len(),
            &month_spans,
            &opts.weights,
        ));
        per_day.add(&sweep::sweep(
            &events,
            days.len(),
            &day_spans,
            &opts.weights,
        ));
    }
    drop(win);
    laps.lap("events, sweeps");
    // Window of each key and cell: its spans' length.
    fn windows_of<'a>(keys: usize, cells: usize, spans: &dyn Fn(usize) -> &'a [Span]) -> Vec<i64> {
        let mut w = vec![0i64; keys * cells];
        for k in 0..keys {
            for s in spans(k) {
                w[k * cells + s.cell] += s.end - s.start;
            }
        }
        w
    }
    let month_window = windows_of(n_keys, swept.months.len(), &month_spans);
    let day_window = windows_of(n_keys, days.len(), &day_spans);

    // Incidents started in each month, per key.
    let m = swept.months.len();
    let mut started = vec![0u64; n_keys * m];
    // The month of a start as an index into the swept months, when it is counted: started in
    // the window or in the month before (not in a gap between them).
    let month_of = |t: Option<i64>| -> Option<usize> {
        let t = t?;
        let counted = period.contains(t)
            || swept.months[..lead]
                .iter()
                .any(|mo| mo.start <= t && t < mo.end);
        counted.then(|| swept.months[1..].partition_point(|mo| mo.start <= t))
    };
    let month_of_row: Vec<Option<usize>> = shared.started.iter().map(|&t| month_of(t)).collect();
    // Memberships are unique per incident and component: a count is a number of incidents.
    for (&row, &cid) in shared.member_row.iter().zip(&shared.member_cid) {
        if let Some(mi) = month_of_row[row as usize] {
            started[cid as usize * m + mi] += 1;
        }
    }
    for (&vid, mi) in shared.vendor_of.iter().zip(&month_of_row) {
        if let Some(mi) = mi {
            started[(n_comp + vid as usize) * m + mi] += 1;
        }
    }

    laps.lap("counts");
    // One row per key and month, then the key over the whole window.
    let mut rows = Vec::with_capacity(n_keys * (m + 1));
    let mut before_rows = Vec::with_capacity(n_keys * lead);
    for (k, (scope, vendor, component)) in keys.iter().enumerate() {
        let target = opts.sla.target(vendor, *component);
        let mut total = availability::Cell {
            window_ms: 0,
            outage_ms: 0,
            downtime_ms: 0.0,
            by_level_ms: [0.0; 4],
            maintenance_ms: 0,
            incidents: 0,
        };
        for (mi, month) in swept.months.iter().enumerate() {
            let cell = availability::Cell {
                window_ms: month_window[k * m + mi],
                outage_ms: sums.outage_ms[k * m + mi],
                downtime_ms: sums.downtime_ms[k * m + mi],
                by_level_ms: sums.by_level_ms[k * m + mi],
                maintenance_ms: sums.maintenance_ms[k * m + mi],
                incidents: started[k * m + mi],
            };
            if mi < lead {
                before_rows.push(availability::row(
                    *scope,
                    vendor,
                    *component,
                    &month.label,
                    cell,
                    target,
                ));
                continue;
            }
            total.window_ms += cell.window_ms;
            total.maintenance_ms += cell.maintenance_ms;
            for (t, c) in total.by_level_ms.iter_mut().zip(cell.by_level_ms) {
                *t += c;
            }
            total.outage_ms += cell.outage_ms;
            total.downtime_ms += cell.downtime_ms;
            total.incidents += cell.incidents;
            rows.push(availability::row(
                *scope,
                vendor,
                *component,
                &month.label,
                cell,
                target,
            ));
        }
        rows.push(availability::row(
            *scope, vendor, *component, "all", total, target,
        ));
    }
    let by_key = |a: &AvailabilityRow, b: &AvailabilityRow| {
        (a.scope.as_str() == "component", &a.vendor, &a.component).cmp(&(
            b.scope.as_str() == "component",
            &b.vendor,
            &b.component,
        ))
    };
    rows.sort_by(by_key);
    before_rows.sort_by(by_key);
    let d = days.len();
    let mut daily_rows: Vec<DailyRow> = keys
        .iter()
        .enumerate()
        .map(|(k, (scope, vendor, component))| DailyRow {
            scope: *scope,
            vendor: vendor.to_string(),
            component: component.map(str::to_string),
            downtime_min: per_day.downtime_ms[k * d..(k + 1) * d]
                .iter()
                .map(|ms| ms / MS_PER_MIN as f64)
                .collect(),
            window_min: day_window[k * d..(k + 1) * d]
                .iter()
                .map(|ms| *ms as f64 / MS_PER_MIN as f64)
                .collect(),
        })
        .collect();
    daily_rows.sort_by(|a, b| {
        (a.scope == AvailScope::Component, &a.vendor, &a.component).cmp(&(
            b.scope == AvailScope::Component,
            &b.vendor,
            &b.component,
        ))
    });
    Ok(Availability {
        rows,
        month_before: before_rows,
        daily: Daily {
            days: days.iter().map(|s| s.label.clone()).collect(),
            day_min: days.iter().map(|s| s.minutes()).collect(),
            rows: daily_rows,
        },
        windows: kept_windows,
    })
}

#[cfg(test)]
mod tests;
