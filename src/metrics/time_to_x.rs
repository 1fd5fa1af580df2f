//! Time-to-x (contract section 2): per-incident durations in minutes from the anchor, and their
//! aggregates `n, mean, median, p90, max` (type-7 percentiles) over any grouping.

use polars::prelude::*;

use crate::model::{ALL_COMPONENTS, Anchor, GroupKey, Metric, col, window_source};
use crate::period::Period;

/// Name of the month column: the index of the window's month `started_at` falls in.
pub const MONTH: &str = "month";

/// Minutes between two datetime columns; negative or missing is null.
fn minutes_between(from: &str, to: &str) -> Expr {
    let d = (col(to).cast(DataType::Int64) - col(from).cast(DataType::Int64))
        .cast(DataType::Float64)
        / lit(60_000.0);
    when(d.clone().gt_eq(lit(0.0)))
        .then(d)
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The column a metric's duration runs from: `detected_at` for all but TTD with
/// `Anchor::Detected`, else `started_at`.
pub fn anchor_column(m: Metric, anchor: Anchor) -> &'static str {
    if anchor == Anchor::Detected && m != Metric::Mttd {
        col::DETECTED_AT
    } else {
        col::STARTED_AT
    }
}

/// Adds `ttd_min` .. `ttr_min`. With `Anchor::Detected`, all but TTD run from `detected_at`.
pub fn with_durations(lf: LazyFrame, anchor: Anchor) -> LazyFrame {
    let exprs: Vec<Expr> = Metric::ALL
        .into_iter()
        .map(|m| {
            minutes_between(anchor_column(m, anchor), m.phase_column()).alias(m.duration_column())
        })
        .collect();
    lf.with_columns(exprs)
}

/// Adds [`MONTH`]: the index of the window's month `started_at` falls in (`Int32`; months are
/// cut at local midnight in the report zone, so this compares instants with the period's month
/// starts instead of formatting a label per row). For incidents started in the window.
pub fn with_month(lf: LazyFrame, period: &Period) -> LazyFrame {
    lf.with_column(month_index(period).alias(MONTH))
}

/// The month index of `started_at` within `period` (0 for the first month).
pub fn month_index(period: &Period) -> Expr {
    period
        .months
        .iter()
        .skip(1)
        .map(|m| {
            col(col::STARTED_AT)
                .cast(DataType::Int64)
                .gt_eq(lit(m.start))
                .cast(DataType::Int32)
        })
        .fold(lit(0i32), |a, b| a + b)
}

/// One row per incident and listed component (`(all)` when none is listed).
pub fn explode_components(lf: LazyFrame) -> LazyFrame {
    lf.with_column(
        col(col::COMPONENTS)
            .str()
            .split(lit(";"))
            .alias(col::COMPONENT),
    )
    .explode(
        cols([col::COMPONENT]),
        ExplodeOptions {
            empty_as_null: true,
            keep_nulls: true,
        },
    )
    .with_column(
        when(
            col(col::COMPONENT)
                .is_null()
                .or(col(col::COMPONENT).eq(lit(""))),
        )
        .then(lit(ALL_COMPONENTS))
        .otherwise(col(col::COMPONENT))
        .alias(col::COMPONENT),
    )
    .unique_stable(
        Some(cols([col::VENDOR, col::ID, col::COMPONENT])),
        UniqueKeepStrategy::First,
    )
}

/// Marks (in [`HAS_ROWS`]) the incidents the impacts table has rows for.
pub const HAS_ROWS: &str = "__has_rows";

/// Every incident exploded into its listed components (`(all)` when none), marked with
/// [`HAS_ROWS`]: what both the memberships ([`memberships_of`]) and the incidents' own windows
/// (`windows::impact_windows_of`) start from, so that the explode is done once.
pub fn exploded(lf: LazyFrame, impacts: LazyFrame) -> LazyFrame {
    let with_rows = impacts
        .select([col(col::VENDOR), col(col::ID)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_column(lit(true).alias(HAS_ROWS));
    explode_components(lf.join(
        with_rows,
        [col(col::VENDOR), col(col::ID)],
        [col(col::VENDOR), col(col::ID)],
        JoinArgs::new(JoinType::Left),
    ))
}

/// One row per incident and component it affected: the listed components (`(all)` when none),
/// or, for an incident whose windows come from impact rows, the components of those rows (an
/// incident with precise sources but no rows keeps its listed components).
pub fn memberships(lf: LazyFrame, impacts: LazyFrame) -> LazyFrame {
    memberships_of(exploded(lf, impacts.clone()), impacts)
}

/// [`memberships`] from the [`exploded`] incidents.
pub fn memberships_of(exploded: LazyFrame, impacts: LazyFrame) -> LazyFrame {
    let components = impacts
        .select([col(col::VENDOR), col(col::ID), col(col::COMPONENT)])
        .unique_stable(None, UniqueKeepStrategy::First);
    // Precise windows: every window source but the record's own timestamps.
    let from_rows = col(col::WINDOW_SOURCE)
        .neq(lit(window_source::RECORD))
        .and(col(HAS_ROWS).is_not_null());
    let own = exploded
        .clone()
        .filter(from_rows.clone().not())
        .drop(cols([HAS_ROWS]));
    let from_impacts = exploded
        .filter(from_rows)
        .drop(cols([col::COMPONENT, HAS_ROWS]))
        .unique_stable(
            Some(cols([col::VENDOR, col::ID])),
            UniqueKeepStrategy::First,
        )
        .join(
            components,
            [col(col::VENDOR), col(col::ID)],
            [col(col::VENDOR), col(col::ID)],
            JoinArgs::new(JoinType::Inner),
        );
    concat([own, from_impacts], UnionArgs::default()).expect("same columns")
}

/// Aggregates the five durations per group: columns `keys.., metric, n, mean_min, median_min,
/// p90_min, max_min`. `lf` must carry the key columns (explode first for `component`). One
/// grouping computes all 25 figures side by side; only the small result is reshaped to one row
/// per metric.
pub fn aggregate(lf: LazyFrame, keys: &[&str]) -> PolarsResult<LazyFrame> {
    const ALL: &str = "__all";
    let mut aggs = Vec::with_capacity(25);
    for m in Metric::ALL {
        let (d, p) = (col(m.duration_column()), m.as_str());
        aggs.extend([
            d.clone()
                .count()
                .cast(DataType::UInt64)
                .alias(format!("{p}_n")),
            d.clone().mean().alias(format!("{p}_mean")),
            d.clone().median().alias(format!("{p}_median")),
            d.clone()
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias(format!("{p}_p90")),
            d.max().alias(format!("{p}_max")),
        ]);
    }
    // Without keys, one group, and none at all when there are no rows.
    let (lf, by): (LazyFrame, Vec<Expr>) = if keys.is_empty() {
        (lf.with_column(lit(true).alias(ALL)), vec![col(ALL)])
    } else {
        (lf, keys.iter().map(|k| col(*k)).collect())
    };
    let wide = lf.group_by(by).agg(aggs).cache();
    let parts: Vec<LazyFrame> = Metric::ALL
        .into_iter()
        .map(|m| {
            let p = m.as_str();
            let mut sel: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            sel.extend([
                lit(p).alias("metric"),
                col(format!("{p}_n")).alias("n"),
                col(format!("{p}_mean")).alias("mean_min"),
                col(format!("{p}_median")).alias("median_min"),
                col(format!("{p}_p90")).alias("p90_min"),
                col(format!("{p}_max")).alias("max_min"),
            ]);
            wide.clone().select(sel)
        })
        .collect();
    concat(parts, UnionArgs::default())
}

/// Column names of a grouping.
pub fn key_columns(keys: &[GroupKey]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for k in keys {
        match k {
            GroupKey::Vendor => out.push(col::VENDOR),
            GroupKey::Component => {
                if !out.contains(&col::VENDOR) {
                    out.push(col::VENDOR);
                }
                out.push(col::COMPONENT);
            }
            GroupKey::Severity => out.push(col::SEVERITY),
            GroupKey::Month => out.push(MONTH),
        }
    }
    let mut seen = Vec::new();
    out.retain(|c| {
        let new = !seen.contains(c);
        seen.push(*c);
        new
    });
    out
}
