//! Downtime and availability (contract section 3): the sweep of every component's and vendor's
//! impact windows over the report's months (and its last days), each key's window cut to its
//! SLA's business hours, the incidents started per month, and the rows that [`super::sla`]
//! completes with targets and budgets.

use super::explode::Exploded;
use super::options::{Options, UPTIME_DAYS};
use super::sla;
use super::sweep::{self, Span};
use crate::error::Result;
use crate::model::{AvailScope, AvailabilityRow, PeriodLabel, WindowRow};
use crate::period::{PeriodSpan, ReportWindow};
use crate::table::{ComponentWindows, Daily, DailyRow, ImpactTable, IncidentTable};
use crate::time::MS_PER_MIN;

/// `availability.csv`: every vendor and every component of the input, for every month of the
/// window and `all`.
pub fn availability_rows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    opts: &Options,
) -> Result<Vec<AvailabilityRow>> {
    let shared = Exploded::new(incidents, impacts);
    Ok(sweep_all(opts, false, false, &shared)?.rows)
}

/// What the sweep gives: the availability rows, the daily downtime and the windows swept.
#[derive(Debug, Clone)]
pub struct Availability {
    pub rows: Vec<AvailabilityRow>,
    /// The rows of the month before the window, when asked for.
    pub period_before: Vec<AvailabilityRow>,
    pub daily: Daily,
    pub windows: ComponentWindows,
}

/// The impact windows of one incident (by vendor and id) inside `period`, by component and
/// start: what its retrospective chart draws.
pub fn incident_windows(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    vendor: &str,
    id: &str,
    period: &ReportWindow,
) -> Vec<WindowRow> {
    let shared = Exploded::new(incidents, impacts);
    let mut rows = shared.window_rows(&shared.windows(period, 0), period.start);
    rows.retain(|w| w.vendor == vendor && w.id == id);
    rows
}

/// The sweep over every component and vendor: monthly rows, daily downtime, windows.
pub fn availability(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    opts: &Options,
) -> Result<Availability> {
    let shared = Exploded::new(incidents, impacts);
    sweep_all(opts, true, false, &shared)
}

/// A key of the sweep: a component (ids 0..C) or a vendor over all its components (C..C+V).
type Key<'a> = (AvailScope, &'a str, Option<&'a str>);

/// The sweep; without `detail`, the monthly rows only (no days, no windows kept). With
/// `period_before`, the period before the window is swept in the same pass, its rows
/// kept apart (they count in no `all` row).
pub(super) fn sweep_all(
    opts: &Options,
    detail: bool,
    period_before: bool,
    shared: &Exploded,
) -> Result<Availability> {
    let period = &opts.period;
    // The months swept: the window's, after the month before when asked for.
    let swept = if period_before {
        period.with_period_before()?
    } else {
        period.clone()
    };
    let lead = usize::from(period_before);
    let mut laps = crate::laps::Laps::nested(2);
    let n_comp = shared.comp_name.len();
    let keys: Vec<Key> = (shared.comp_vendor.iter().zip(&shared.comp_name))
        .map(|(v, c)| (AvailScope::Component, v.as_str(), Some(c.as_str())))
        .chain(
            shared
                .table
                .vendor
                .values
                .iter()
                .map(|v| (AvailScope::Vendor, v.as_str(), None)),
        )
        .collect();
    let hours: Vec<Option<&crate::hours::Hours>> = keys
        .iter()
        .map(|(_, v, c)| opts.sla.rule(v, *c).and_then(|r| r.hours.as_ref()))
        .collect();
    // Vendors' ids follow the components'.
    let win = shared.windows(&swept, n_comp as u32);
    // Kept for the charts from the window's start (without the month before).
    let kept_windows = if detail {
        shared.component_windows(&win, period.start)
    } else {
        ComponentWindows::default()
    };
    laps.lap("window rows");
    let days = if detail {
        period.last_days(UPTIME_DAYS)
    } else {
        Vec::new()
    };
    let month_spans = KeySpans::new(&swept.periods, &hours);
    let day_spans = KeySpans::new(&days, &hours);
    let (sums, per_day) = sweep_months_and_days(&win, keys.len(), &month_spans, &day_spans, opts);
    drop(win);
    laps.lap("events, sweeps");
    let started = started_per_month(shared, period, &swept.periods, lead, keys.len());
    laps.lap("counts");
    let cells = Cells {
        months: &swept.periods,
        lead,
        window_ms: month_spans.windows(),
        sums: &sums,
        started: &started,
    };
    let (rows, period_before) = monthly_rows(&keys, &cells, &opts.sla);
    Ok(Availability {
        rows,
        period_before,
        daily: daily_rows(&keys, &days, &per_day, &day_spans.windows()),
        windows: kept_windows,
    })
}

/// Each key's spans over some cells (months or days): the cells themselves, or cut to the
/// key's business hours where its SLA has them.
struct KeySpans {
    cells: usize,
    plain: Vec<Span>,
    cut: Vec<Option<Vec<Span>>>,
}

impl KeySpans {
    fn new(base: &[PeriodSpan], hours: &[Option<&crate::hours::Hours>]) -> KeySpans {
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
                let h = (*h)?;
                let within = |s: &Span| {
                    let cell = s.cell;
                    h.intervals(s.start, s.end)
                        .into_iter()
                        .map(move |(start, end)| Span { start, end, cell })
                };
                Some(plain.iter().flat_map(within).collect())
            })
            .collect();
        KeySpans {
            cells: base.len(),
            plain,
            cut,
        }
    }

    fn of(&self, key: usize) -> &[Span] {
        self.cut[key].as_deref().unwrap_or(&self.plain)
    }

    /// The window of each key and cell: its spans' length.
    fn windows(&self) -> Vec<i64> {
        let mut w = vec![0i64; self.cut.len() * self.cells];
        for k in 0..self.cut.len() {
            for s in self.of(k) {
                w[k * self.cells + s.cell] += s.end - s.start;
            }
        }
        w
    }
}

/// The weighted downtime, outage and maintenance of every key, by month and by day.
/// Components, then vendors: each its own events (half the memory of both at once), their
/// sums added into the same cells.
fn sweep_months_and_days(
    win: &super::windows::Windows,
    n_keys: usize,
    months: &KeySpans,
    days: &KeySpans,
    opts: &Options,
) -> (sweep::Sums, sweep::Sums) {
    let mut per_month = sweep::Sums::new(n_keys, months.cells);
    let mut per_day = sweep::Sums::new(n_keys, days.cells);
    for keys in [&win.cid, &win.vid] {
        let windows = sweep::Windows {
            key: keys,
            level: &win.level,
            start: &win.start,
            end: &win.end,
        };
        let events = sweep::Events::new(&[windows], n_keys);
        for (sums, spans) in [(&mut per_month, months), (&mut per_day, days)] {
            let of = |k: usize| spans.of(k);
            sums.add(&sweep::sweep(&events, spans.cells, &of, &opts.weights));
        }
    }
    (per_month, per_day)
}

/// Incidents started in each swept month, per key (`n_keys` x months). A start counts when it
/// is in the window or in the month before (not in a gap between them).
fn started_per_month(
    shared: &Exploded,
    period: &ReportWindow,
    months: &[PeriodSpan],
    lead: usize,
    n_keys: usize,
) -> Vec<u64> {
    let m = months.len();
    let mut started = vec![0u64; n_keys * m];
    let period_of = |t: Option<i64>| -> Option<usize> {
        let t = t?;
        let counted =
            period.contains(t) || months[..lead].iter().any(|mo| mo.start <= t && t < mo.end);
        counted.then(|| months[1..].partition_point(|mo| mo.start <= t))
    };
    let month_of_row: Vec<Option<usize>> =
        shared.table.timestamps[0].iter().map(period_of).collect();
    // Memberships are unique per incident and component: a count is a number of incidents.
    for (&row, &cid) in shared.member_row.iter().zip(&shared.member_cid) {
        if let Some(mi) = month_of_row[row as usize] {
            started[cid as usize * m + mi] += 1;
        }
    }
    let n_comp = shared.comp_name.len();
    for (&vid, mi) in shared.table.vendor.codes.iter().zip(&month_of_row) {
        if let Some(mi) = mi {
            started[(n_comp + vid as usize) * m + mi] += 1;
        }
    }
    started
}

/// What each key's monthly rows are made of, key by key (`key * months + month`).
struct Cells<'a> {
    months: &'a [PeriodSpan],
    /// How many of `months` come before the window (the month before: 0 or 1).
    lead: usize,
    window_ms: Vec<i64>,
    sums: &'a sweep::Sums,
    started: &'a [u64],
}

impl Cells<'_> {
    fn cell(&self, k: usize, mi: usize) -> sla::Cell {
        let i = k * self.months.len() + mi;
        sla::Cell {
            window_ms: self.window_ms[i],
            outage_ms: self.sums.outage_ms[i],
            downtime_ms: self.sums.downtime_ms[i],
            by_level_ms: self.sums.by_level_ms[i],
            maintenance_ms: self.sums.maintenance_ms[i],
            incidents: self.started[i],
        }
    }
}

/// One row per key and month of the window, then the key over the whole window (`all`); and
/// apart, the rows of the month before. Vendors first, then components, each by name.
fn monthly_rows(
    keys: &[Key],
    cells: &Cells,
    sla: &sla::SlaTargets,
) -> (Vec<AvailabilityRow>, Vec<AvailabilityRow>) {
    let m = cells.months.len();
    let mut rows = Vec::with_capacity(keys.len() * (m + 1 - cells.lead));
    let mut before_rows = Vec::with_capacity(keys.len() * cells.lead);
    for (k, &(scope, vendor, component)) in keys.iter().enumerate() {
        let target = sla.target(vendor, component);
        let row = |when, cell| sla::row(scope, vendor, component, when, cell, target);
        let mut total = sla::Cell::default();
        for (mi, month) in cells.months.iter().enumerate() {
            let cell = cells.cell(k, mi);
            if mi < cells.lead {
                before_rows.push(row(PeriodLabel::Period(month.label.clone()), cell));
            } else {
                total.add(&cell);
                rows.push(row(PeriodLabel::Period(month.label.clone()), cell));
            }
        }
        rows.push(row(PeriodLabel::Whole, total));
    }
    let by_key = |a: &AvailabilityRow, b: &AvailabilityRow| {
        (a.scope == AvailScope::Component, &a.vendor, &a.component).cmp(&(
            b.scope == AvailScope::Component,
            &b.vendor,
            &b.component,
        ))
    };
    rows.sort_by(by_key);
    before_rows.sort_by(by_key);
    (rows, before_rows)
}

/// Downtime and window per key and day (the uptime strips), vendors first.
fn daily_rows(keys: &[Key], days: &[PeriodSpan], per_day: &sweep::Sums, window: &[i64]) -> Daily {
    let d = days.len();
    let min = MS_PER_MIN as f64;
    let mut rows: Vec<DailyRow> = keys
        .iter()
        .enumerate()
        .map(|(k, (scope, vendor, component))| DailyRow {
            scope: *scope,
            vendor: vendor.to_string(),
            component: component.map(str::to_string),
            downtime_min: per_day.downtime_ms[k * d..(k + 1) * d]
                .iter()
                .map(|ms| ms / min)
                .collect(),
            window_min: window[k * d..(k + 1) * d]
                .iter()
                .map(|ms| *ms as f64 / min)
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.scope == AvailScope::Component, &a.vendor, &a.component).cmp(&(
            b.scope == AvailScope::Component,
            &b.vendor,
            &b.component,
        ))
    });
    Daily {
        days: days.iter().map(|s| s.label.clone()).collect(),
        day_min: days.iter().map(|s| s.minutes()).collect(),
        rows,
    }
}
