//! Impact windows (contract section 3): one `[start, end)` per incident and component, ended by
//! `mitigated_at`, else `resolved_at`, else the report's end (open); inverted windows are
//! empty; everything is clipped to the report window. Times are integer milliseconds.

use polars::prelude::*;

use crate::model::{IMPACT_NONE, Level, col, window_source};
use crate::period::Period;

pub const START: &str = "start";
pub const END: &str = "end";
pub const LEVEL: &str = "level";

/// The larger of two expressions (null if either is null).
pub fn greater(a: Expr, b: Expr) -> Expr {
    when(a.clone().gt_eq(b.clone())).then(a).otherwise(b)
}

/// The smaller of two expressions.
pub fn lesser(a: Expr, b: Expr) -> Expr {
    when(a.clone().lt_eq(b.clone())).then(a).otherwise(b)
}

/// The level's code; `-1` for impact `none` (no window).
fn level_code() -> Expr {
    let mut e = when(col(col::IMPACT).eq(lit(IMPACT_NONE)))
        .then(lit(-1i32))
        .otherwise(lit(Level::MajorOutage.code() as i32));
    for level in Level::ALL.into_iter().rev() {
        e = when(col(col::IMPACT).eq(lit(level.as_str())))
            .then(lit(level.code() as i32))
            .otherwise(e);
    }
    e.cast(DataType::Int32).alias(LEVEL)
}

/// Columns `vendor, component, id, level (i32 code), start, end (i64 ms)`: the non-empty,
/// clipped windows of the incidents. An incident with precise impact rows gets those rows
/// instead of its own window; an impact row without an end runs to the incident's
/// `resolved_at`, else to the report's end.
pub fn impact_windows(incidents: LazyFrame, impacts: LazyFrame, period: &Period) -> LazyFrame {
    let exploded = super::time_to_x::exploded(incidents.clone(), impacts.clone());
    impact_windows_of(exploded, incidents, impacts, period)
}

/// [`impact_windows`] from the incidents already [`exploded`](super::time_to_x::exploded).
pub fn impact_windows_of(
    exploded: LazyFrame,
    incidents: LazyFrame,
    impacts: LazyFrame,
    period: &Period,
) -> LazyFrame {
    let ms = |c: &str| col(c).cast(DataType::Int64);
    let open_to_end = |e: Expr| when(e.clone().is_null()).then(lit(period.end)).otherwise(e);
    // Precise windows: every window source but the record's own timestamps.
    let precise = col(col::WINDOW_SOURCE).neq(lit(window_source::RECORD));
    // An end before the start is an empty window, never an open one.
    let own = exploded.filter(precise.not()).select([
        col(col::VENDOR),
        col(col::COMPONENT),
        col(col::ID),
        level_code(),
        ms(col::STARTED_AT).alias(START),
        open_to_end(coalesce(&[ms(col::MITIGATED_AT), ms(col::RESOLVED_AT)])).alias(END),
    ]);
    let from_impacts = impacts
        .join(
            incidents.select([col(col::VENDOR), col(col::ID), col(col::RESOLVED_AT)]),
            [col(col::VENDOR), col(col::ID)],
            [col(col::VENDOR), col(col::ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([
            col(col::VENDOR),
            col(col::COMPONENT),
            col(col::ID),
            level_code(),
            ms(col::START).alias(START),
            open_to_end(coalesce(&[ms(col::END), ms(col::RESOLVED_AT)])).alias(END),
        ]);
    concat([own, from_impacts], UnionArgs::default())
        .expect("same columns")
        // Impact `none`: no window at all.
        .filter(col(LEVEL).gt_eq(lit(0)))
        .with_columns([
            greater(col(START), lit(period.start)).alias(START),
            lesser(col(END), lit(period.end)).alias(END),
        ])
        .filter(col(END).gt(col(START)))
}
