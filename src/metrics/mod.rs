//! Metrics: pure transforms of the canonical incident frame into the contract's numbers:
//! time-to-x aggregates ([`time_to_x`]), impact windows ([`windows`]), the weighted interval
//! sweep ([`sweep`]) and availability with SLA ([`availability`]). Results leave this module as
//! plain rows of [`crate::model`]; no dataframe goes further.

pub mod availability;
pub mod sweep;
pub mod time_to_x;
pub mod windows;

use polars::prelude::*;

use crate::error::Result;
use crate::model::{
    Anchor, AvailScope, AvailabilityRow, Daily, DailyRow, GroupKey, IncidentRow, Incidents, Level,
    Metric, MetricRow, PLAUSIBLE_MS, Stats, TextColumn, Weights, WindowRow, col,
};
use crate::period::Period;
use crate::time::MS_PER_MIN;
pub use availability::SlaTargets;
use sweep::Span;
use time_to_x::MONTH;

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
    pub windows: Vec<WindowRow>,
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
    let mut laps = crate::laps::Laps::nested(1);
    let shared = Exploded::new(incidents, impacts)?;
    laps.lap("explode");
    let mut swept = sweep_all(incidents, impacts, opts, detail, true, &shared)?;
    let labels: Vec<String> = opts.period.months.iter().map(|m| m.label.clone()).collect();
    if let Some(before) = swept.month_before.first() {
        let before_label = before.month.clone();
        availability::link_previous(&mut swept.rows, &labels, &swept.month_before, &before_label);
    }
    laps.lap("sweep, availability");
    let incident_rows = incident_table(incidents, opts.anchor, Some(&opts.period))?;
    laps.lap("incident rows");
    let metrics = metric_rows_of(
        incidents,
        shared.members.clone().lazy(),
        &opts.period,
        opts.anchor,
    )?;
    drop(shared);
    laps.lap("time to x");
    Ok(Computed {
        incidents: incident_rows,
        metrics,
        availability: swept.rows,
        month_before: swept.month_before,
        daily: swept.daily,
        windows: swept.windows,
    })
}

/// The incidents exploded into components, once per report: the sweep and the time-to-x
/// figures both start from it.
pub struct Exploded {
    /// [`time_to_x::exploded`]: the listed components, for the incidents' own windows.
    exploded: DataFrame,
    /// [`time_to_x::memberships_of`]: the components each incident counts for.
    members: DataFrame,
}

impl Exploded {
    pub fn new(incidents: &DataFrame, impacts: &DataFrame) -> Result<Exploded> {
        // Only the columns the figures use are exploded.
        let mut keep: Vec<Expr> = [
            col::VENDOR,
            col::ID,
            col::SEVERITY,
            col::IMPACT,
            col::COMPONENTS,
            col::WINDOW_SOURCE,
        ]
        .into_iter()
        .map(col)
        .collect();
        keep.extend(col::TIMESTAMPS.iter().map(|c| col(*c)));
        let exploded = time_to_x::exploded(
            incidents.clone().lazy().select(keep),
            impacts.clone().lazy(),
        )
        .collect()?;
        let members =
            time_to_x::memberships_of(exploded.clone().lazy(), impacts.clone().lazy()).collect()?;
        Ok(Exploded { exploded, members })
    }
}

fn ms(c: &str) -> Expr {
    col(c).cast(DataType::Int64)
}

/// The first `started_at` and the last instant any impact window reaches (its end, or its
/// start when it has none): the span a report without `--from/--to` covers.
pub fn data_span(incidents: &DataFrame, impacts: &DataFrame) -> Result<Option<(i64, i64)>> {
    if incidents.height() == 0 {
        return Ok(None);
    }
    // Implausible instants (a typo year) are warned about at ingest and left out here.
    let ms = |c: &str| {
        let e = col(c).cast(DataType::Int64);
        when(
            e.clone()
                .gt_eq(lit(PLAUSIBLE_MS.0))
                .and(e.clone().lt(lit(PLAUSIBLE_MS.1))),
        )
        .then(e)
        .otherwise(lit(NULL).cast(DataType::Int64))
    };
    let end = coalesce(&[
        ms(col::MITIGATED_AT),
        ms(col::RESOLVED_AT),
        ms(col::STARTED_AT),
    ]);
    let df = incidents
        .clone()
        .lazy()
        .select([
            ms(col::STARTED_AT).min().alias("first"),
            windows::greater(end.max(), ms(col::STARTED_AT).max()).alias("last"),
        ])
        .collect()?;
    let first = df.column("first")?.i64()?.get(0);
    let mut last = df.column("last")?.i64()?.get(0);
    if impacts.height() > 0 {
        let imp = impacts
            .clone()
            .lazy()
            .select([coalesce(&[ms(col::END), ms(col::START)])
                .max()
                .alias("last")])
            .collect()?;
        last = last.max(imp.column("last")?.i64()?.get(0));
    }
    Ok(first.zip(last))
}

fn in_period(period: &Period) -> Expr {
    ms(col::STARTED_AT)
        .gt_eq(lit(period.start))
        .and(ms(col::STARTED_AT).lt(lit(period.end)))
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
    // Durations in integer milliseconds (the minutes of the time-to-x figures are these over
    // 60,000), negative ones null.
    let durations: Vec<Expr> = Metric::ALL
        .into_iter()
        .map(|m| {
            let d = ms(m.phase_column()) - ms(time_to_x::anchor_column(m, anchor));
            when(d.clone().gt_eq(lit(0i64)))
                .then(d)
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(m.duration_column())
        })
        .collect();
    let mut select: Vec<Expr> = [
        col::VENDOR,
        col::ID,
        col::TITLE,
        col::SEVERITY,
        col::IMPACT,
        col::COMPONENTS,
        col::WINDOW_SOURCE,
        col::WARNINGS,
    ]
    .into_iter()
    .map(col)
    .collect();
    select.extend(col::TIMESTAMPS.iter().map(|c| ms(c)));
    select.extend(durations);
    let df = incidents.clone().lazy().select(select).collect()?;
    // The order: by `started_at`, vendor, id (stable). Exports are mostly in time order
    // already, which the merge sort finds; names are compared only on equal times.
    let text_of =
        |c: &str| -> Result<StringChunked> { Ok(df.column(c)?.str()?.rechunk().into_owned()) };
    let started: Vec<Option<i64>> = df.column(col::STARTED_AT)?.i64()?.iter().collect();
    let (vendor, id) = (text_of(col::VENDOR)?, text_of(col::ID)?);
    let mut order: Vec<usize> = (0..df.height()).collect();
    order.sort_by(|&a, &b| {
        started[a]
            .cmp(&started[b])
            .then_with(|| vendor.get(a).cmp(&vendor.get(b)))
            .then_with(|| id.get(a).cmp(&id.get(b)))
    });
    let text = |c: &str| -> Result<TextColumn> {
        let ca = text_of(c)?;
        let bytes = ca.iter().map(|v| v.map_or(0, str::len)).sum();
        let mut out = TextColumn::with_capacity(ca.len(), bytes);
        let arr = ca.downcast_iter().next();
        for &i in &order {
            out.push(arr.and_then(|a| a.get(i)));
        }
        Ok(out)
    };
    let ints = |c: &str| -> Result<Vec<Option<i64>>> {
        let v: Vec<Option<i64>> = df.column(c)?.i64()?.iter().collect();
        Ok(order.iter().map(|&i| v[i]).collect())
    };
    let timestamps: [Vec<Option<i64>>; 6] = [
        ints(col::TIMESTAMPS[0])?,
        ints(col::TIMESTAMPS[1])?,
        ints(col::TIMESTAMPS[2])?,
        ints(col::TIMESTAMPS[3])?,
        ints(col::TIMESTAMPS[4])?,
        ints(col::TIMESTAMPS[5])?,
    ];
    let d = |m: Metric| ints(m.duration_column());
    let in_window = timestamps[0]
        .iter()
        .map(|t| period.is_none_or(|p| t.is_some_and(|t| p.contains(t))))
        .collect();
    Ok(Incidents {
        vendor: text(col::VENDOR)?,
        id: text(col::ID)?,
        title: text(col::TITLE)?,
        severity: text(col::SEVERITY)?,
        impact: text(col::IMPACT)?,
        components: text(col::COMPONENTS)?,
        durations_ms: [
            d(Metric::Mttd)?,
            d(Metric::Mtta)?,
            d(Metric::Mtti)?,
            d(Metric::Mttm)?,
            d(Metric::Mttr)?,
        ],
        timestamps,
        window_source: text(col::WINDOW_SOURCE)?,
        warnings: text(col::WARNINGS)?,
        in_window,
    })
}

/// The incidents started in the window, with durations and month.
fn prepared(incidents: &DataFrame, period: &Period, anchor: Anchor) -> Result<LazyFrame> {
    let lf = time_to_x::with_durations(incidents.clone().lazy(), anchor).filter(in_period(period));
    Ok(time_to_x::with_month(lf, period))
}

/// Reads an aggregate frame into rows; `keys` are the key columns present in it; month
/// indexes become the labels of `period`.
fn read_metric_rows(
    df: &DataFrame,
    scope: &str,
    keys: &[&str],
    period: &Period,
) -> Result<Vec<MetricRow>> {
    let text = |c: &str| -> Result<Option<StringChunked>> {
        Ok(if keys.contains(&c) {
            Some(df.column(c)?.str()?.clone())
        } else {
            None
        })
    };
    let month: Option<StringChunked> = if keys.contains(&MONTH) {
        let idx = df.column(MONTH)?.i32()?;
        Some(
            idx.iter()
                .map(|i| {
                    i.and_then(|i| period.months.get(i as usize))
                        .map(|m| m.label.as_str())
                })
                .collect(),
        )
    } else {
        None
    };
    let (vendor, component, severity) = (
        text(col::VENDOR)?,
        text(col::COMPONENT)?,
        text(col::SEVERITY)?,
    );
    let metric = df.column("metric")?.str()?;
    let n = df.column("n")?.u64()?;
    let f = |c: &str| -> Result<Float64Chunked> { Ok(df.column(c)?.f64()?.clone()) };
    let (mean, median, p90, max) = (
        f("mean_min")?,
        f("median_min")?,
        f("p90_min")?,
        f("max_min")?,
    );
    let get = |ca: &Option<StringChunked>, i: usize| {
        ca.as_ref().and_then(|c| c.get(i)).map(str::to_string)
    };
    Ok((0..df.height())
        .map(|i| {
            let n = n.get(i).unwrap_or(0);
            let some = |v: Option<f64>| if n == 0 { None } else { v };
            MetricRow {
                scope: scope.to_string(),
                vendor: get(&vendor, i),
                component: get(&component, i),
                severity: get(&severity, i),
                month: get(&month, i),
                metric: Metric::from_str_opt(metric.get(i).unwrap_or_default())
                    .unwrap_or(Metric::Mttr),
                stats: Stats {
                    n,
                    mean: some(mean.get(i)),
                    median: some(median.get(i)),
                    p90: some(p90.get(i)),
                    max: some(max.get(i)),
                },
            }
        })
        .collect())
}

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
    let mut lf = prepared(incidents, period, anchor)?;
    if keys.contains(&GroupKey::Component) {
        lf = time_to_x::memberships(lf, impacts.clone().lazy());
    }
    let key_cols = time_to_x::key_columns(keys);
    let mut lf = lf;
    if keys.contains(&GroupKey::Severity) {
        lf = lf.filter(col(col::SEVERITY).is_not_null());
    }
    let df = time_to_x::aggregate(lf, &key_cols)?.collect()?;
    let scope = if keys.is_empty() {
        "all".to_string()
    } else {
        keys.iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join("+")
    };
    let mut rows = read_metric_rows(&df, &scope, &key_cols, period)?;
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
    let members = time_to_x::memberships(
        incidents.clone().lazy().filter(in_period(period)),
        impacts.clone().lazy(),
    );
    metric_rows_of(incidents, members, period, anchor)
}

/// [`report_metric_rows`] given the incidents' memberships.
fn metric_rows_of(
    incidents: &DataFrame,
    members: LazyFrame,
    period: &Period,
    anchor: Anchor,
) -> Result<Vec<MetricRow>> {
    const SCOPES: [(&str, &[&str]); 4] = [
        ("all", &[]),
        ("vendor", &[col::VENDOR]),
        ("component", &[col::VENDOR, col::COMPONENT]),
        ("severity", &[col::SEVERITY]),
    ];
    let base = prepared(incidents, period, anchor)?.cache();
    let exploded = time_to_x::with_month(
        time_to_x::with_durations(members, anchor).filter(in_period(period)),
        period,
    )
    .cache();
    let mut rows = Vec::new();
    for (scope, keys) in SCOPES {
        let mut lf = if keys.contains(&col::COMPONENT) {
            exploded.clone()
        } else {
            base.clone()
        };
        if keys.contains(&col::SEVERITY) {
            lf = lf.filter(col(col::SEVERITY).is_not_null());
        }
        let mut by_month: Vec<&str> = keys.to_vec();
        by_month.push(MONTH);
        let monthly = time_to_x::aggregate(lf.clone(), &by_month)?.collect()?;
        rows.extend(read_metric_rows(&monthly, scope, &by_month, period)?);
        let whole = time_to_x::aggregate(lf, keys)?.collect()?;
        let mut whole_rows = read_metric_rows(&whole, scope, keys, period)?;
        for r in &mut whole_rows {
            r.month = Some("all".into());
        }
        rows.extend(whole_rows);
    }
    let rank = |s: &str| SCOPES.iter().position(|(n, _)| *n == s).unwrap_or(9);
    sort_metric_rows(&mut rows, rank);
    Ok(rows)
}

fn strings(df: &DataFrame, c: &str) -> Result<Vec<String>> {
    Ok(df
        .column(c)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

/// `availability.csv`: every vendor and every component of the input, for every month of the
/// window and `all`.
pub fn availability_rows(
    incidents: &DataFrame,
    impacts: &DataFrame,
    opts: &Options,
) -> Result<Vec<AvailabilityRow>> {
    let shared = Exploded::new(incidents, impacts)?;
    Ok(sweep_all(incidents, impacts, opts, false, false, &shared)?.rows)
}

/// What the sweep gives: the availability rows, the daily downtime and the windows swept.
#[derive(Debug, Clone)]
pub struct Availability {
    pub rows: Vec<AvailabilityRow>,
    /// The rows of the month before the window, when asked for.
    pub month_before: Vec<AvailabilityRow>,
    pub daily: Daily,
    pub windows: Vec<WindowRow>,
}

/// Reads the swept windows into rows.
fn window_rows(df: &DataFrame) -> Result<Vec<WindowRow>> {
    let (vendor, component, id) = (
        df.column(col::VENDOR)?.str()?,
        df.column(col::COMPONENT)?.str()?,
        df.column(col::ID)?.str()?,
    );
    let level = df.column(windows::LEVEL)?.i32()?;
    let (start, end) = (
        df.column(windows::START)?.i64()?,
        df.column(windows::END)?.i64()?,
    );
    Ok((0..df.height())
        .filter_map(|i| {
            Some(WindowRow {
                vendor: vendor.get(i)?.to_string(),
                component: component.get(i)?.to_string(),
                id: id.get(i)?.to_string(),
                level: Level::from_code(level.get(i)?)?,
                start: start.get(i)?,
                end: end.get(i)?,
            })
        })
        .collect())
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
    let this = col(col::VENDOR)
        .eq(lit(vendor))
        .and(col(col::ID).eq(lit(id)));
    let df = windows::impact_windows(
        incidents.clone().lazy().filter(this.clone()),
        impacts.clone().lazy().filter(this),
        period,
    )
    .sort(
        [col::COMPONENT, windows::START],
        SortMultipleOptions::default().with_maintain_order(true),
    )
    .collect()?;
    window_rows(&df)
}

/// The sweep over every component and vendor: monthly rows, daily downtime, windows.
pub fn availability(
    incidents: &DataFrame,
    impacts: &DataFrame,
    opts: &Options,
) -> Result<Availability> {
    let shared = Exploded::new(incidents, impacts)?;
    sweep_all(incidents, impacts, opts, true, false, &shared)
}

/// The sweep; without `detail`, the monthly rows only (no days, no windows kept). With
/// `month_before`, the calendar month before the window is swept in the same pass, its rows
/// kept apart (they count in no `all` row).
fn sweep_all(
    incidents: &DataFrame,
    impacts: &DataFrame,
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
    let lf = incidents.clone().lazy();
    let exploded = shared.members.clone().lazy();
    let sorted = SortMultipleOptions::default().with_maintain_order(true);

    // Dense key ids: components 0..C, then vendors C..C+V.
    let comp_keys = exploded
        .clone()
        .select([col(col::VENDOR), col(col::COMPONENT)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort([col::VENDOR, col::COMPONENT], sorted.clone())
        .with_row_index("cid", None)
        .collect()?;
    let vendor_keys = lf
        .clone()
        .select([col(col::VENDOR)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort([col::VENDOR], sorted.clone())
        .with_row_index("vid", None)
        .collect()?;
    laps.lap("keys");
    let n_comp = comp_keys.height();
    let n_keys = n_comp + vendor_keys.height();
    let comp_vendor = strings(&comp_keys, col::VENDOR)?;
    let comp_name = strings(&comp_keys, col::COMPONENT)?;
    let vendors = strings(&vendor_keys, col::VENDOR)?;
    let mut keys: Vec<(AvailScope, &str, Option<&str>)> = Vec::with_capacity(n_keys);
    keys.extend(
        comp_vendor
            .iter()
            .zip(&comp_name)
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

    let key_ids = |df: &DataFrame, on: &[&str], id: &str, offset: u32| -> LazyFrame {
        df.clone().lazy().select(
            on.iter()
                .map(|c| col(*c))
                .chain([(col(id).cast(DataType::UInt32) + lit(offset)).alias(id)])
                .collect::<Vec<_>>(),
        )
    };
    let comp_ids = key_ids(&comp_keys, &[col::VENDOR, col::COMPONENT], "cid", 0);
    let vendor_ids = key_ids(&vendor_keys, &[col::VENDOR], "vid", n_comp as u32);

    let windows = windows::impact_windows_of(
        shared.exploded.clone().lazy(),
        lf.clone(),
        impacts.clone().lazy(),
        &swept,
    )
    .join(
        comp_ids.clone(),
        [col(col::VENDOR), col(col::COMPONENT)],
        [col(col::VENDOR), col(col::COMPONENT)],
        JoinArgs::new(JoinType::Inner),
    )
    .join(
        vendor_ids.clone(),
        [col(col::VENDOR)],
        [col(col::VENDOR)],
        JoinArgs::new(JoinType::Inner),
    )
    .collect()?;
    // By component, then start: the dense component id is in (vendor, component) order, so
    // an integer sort gives the order of the names. Clipped to the window (without the month
    // before).
    let kept_windows = if detail {
        window_rows(
            &windows
                .clone()
                .lazy()
                .filter(col(windows::END).gt(lit(period.start)))
                .with_column(
                    windows::greater(col(windows::START), lit(period.start)).alias(windows::START),
                )
                .sort(["cid", windows::START], sorted.clone())
                .collect()?,
        )?
    } else {
        Vec::new()
    };
    laps.lap("window rows");
    let win = windows;
    let slice_u32 =
        |c: &str| -> Result<Vec<u32>> { Ok(win.column(c)?.u32()?.into_no_null_iter().collect()) };
    let (cid, vid) = (slice_u32("cid")?, slice_u32("vid")?);
    let level: Vec<i32> = win
        .column(windows::LEVEL)?
        .i32()?
        .into_no_null_iter()
        .collect();
    let start: Vec<i64> = win
        .column(windows::START)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let end: Vec<i64> = win
        .column(windows::END)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let (by_component, by_vendor) = (
        sweep::Windows {
            key: &cid,
            level: &level,
            start: &start,
            end: &end,
        },
        sweep::Windows {
            key: &vid,
            level: &level,
            start: &start,
            end: &end,
        },
    );
    let events = sweep::Events::new(&[by_component, by_vendor], n_keys);
    drop(win);
    laps.lap("events");
    let (month_plain, month_cut) = spans_per_key(&swept.months);
    let month_spans = |k: usize| month_cut[k].as_deref().unwrap_or(&month_plain);
    let sums = sweep::sweep(&events, swept.months.len(), &month_spans, &opts.weights);
    let days = if detail {
        period.last_days(UPTIME_DAYS)
    } else {
        Vec::new()
    };
    let (day_plain, day_cut) = spans_per_key(&days);
    let day_spans = |k: usize| day_cut[k].as_deref().unwrap_or(&day_plain);
    let per_day = sweep::sweep(&events, days.len(), &day_spans, &opts.weights);
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

    laps.lap("sweeps");
    // Incidents started in each month, per key.
    let m = swept.months.len();
    let mut started = vec![0u64; n_keys * m];
    // The month of each start as an index into the window's months: how many month starts
    // after the first it has reached (integer comparisons, no labels).
    const MI: &str = "__month";
    let month_of = swept
        .months
        .iter()
        .skip(1)
        .map(|mo| {
            ms(col::STARTED_AT)
                .gt_eq(lit(mo.start))
                .cast(DataType::Int32)
        })
        .fold(lit(0i32), |a, b| a + b)
        .alias(MI);
    // Started in the window or in the month before (not in a gap between them).
    let counted = swept.months[..lead]
        .iter()
        .fold(in_period(period), |e, mo| {
            e.or(ms(col::STARTED_AT)
                .gt_eq(lit(mo.start))
                .and(ms(col::STARTED_AT).lt(lit(mo.end))))
        });
    let with_month = |lf: LazyFrame| lf.filter(counted.clone()).with_column(month_of.clone());
    let count_into = |df: DataFrame, id: &str, started: &mut Vec<u64>| -> Result<()> {
        let ids = df.column(id)?.u32()?;
        let months = df.column(MI)?.i32()?;
        let n = df.column("n")?.cast(&DataType::UInt64)?;
        let n = n.u64()?;
        for i in 0..df.height() {
            if let (Some(k), Some(mi)) = (ids.get(i), months.get(i))
                && (0..m as i32).contains(&mi)
            {
                started[k as usize * m + mi as usize] += n.get(i).unwrap_or(0);
            }
        }
        Ok(())
    };
    // Memberships are unique per incident and component, so a count is the number of
    // incidents.
    let comp_counts = with_month(exploded)
        .join(
            comp_ids,
            [col(col::VENDOR), col(col::COMPONENT)],
            [col(col::VENDOR), col(col::COMPONENT)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col("cid"), col(MI)])
        .agg([len().alias("n")])
        .collect()?;
    count_into(comp_counts, "cid", &mut started)?;
    let vendor_counts = with_month(lf)
        .join(
            vendor_ids,
            [col(col::VENDOR)],
            [col(col::VENDOR)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col("vid"), col(MI)])
        .agg([len().alias("n")])
        .collect()?;
    count_into(vendor_counts, "vid", &mut started)?;

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
