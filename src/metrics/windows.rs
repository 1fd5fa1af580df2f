//! Impact windows (contract section 3): one `[start, end)` per incident and component, ended by
//! `mitigated_at`, else `resolved_at`, else the report's end (open); inverted windows are
//! empty; everything is clipped to the report window. Times are integer milliseconds.

use polars::prelude::*;

use super::time_to_x::explode_components;
use crate::model::{Level, col};
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

fn level_code() -> Expr {
    let mut e = lit(Level::MajorOutage.code() as i32);
    for level in Level::ALL.into_iter().rev() {
        e = when(col(col::IMPACT).eq(lit(level.as_str())))
            .then(lit(level.code() as i32))
            .otherwise(e);
    }
    e.cast(DataType::Int32).alias(LEVEL)
}

/// Columns `vendor, component, id, level (i32 code), start, end (i64 ms)`: the non-empty, clipped
/// windows of the incidents.
pub fn impact_windows(incidents: LazyFrame, period: &Period) -> LazyFrame {
    let ms = |c: &str| col(c).cast(DataType::Int64);
    let raw_end = coalesce(&[ms(col::MITIGATED_AT), ms(col::RESOLVED_AT)]);
    // An end before the start is an empty window, never an open one.
    let end = when(raw_end.clone().is_null())
        .then(lit(period.end))
        .otherwise(raw_end);
    explode_components(incidents)
        .select([
            col(col::VENDOR),
            col(col::COMPONENT),
            col(col::ID),
            level_code(),
            greater(ms(col::STARTED_AT), lit(period.start)).alias(START),
            lesser(end, lit(period.end)).alias(END),
        ])
        .filter(col(END).gt(col(START)))
}
