//! Time-to-x (contract section 2): which instant each duration runs from, the memberships of
//! incidents in components (the explode of `components`, or the components of precise impact
//! rows), and the key columns of a grouping. The statistics themselves are [`super::stats`].

use polars::prelude::*;

use crate::model::{ALL_COMPONENTS, Anchor, GroupKey, Metric, col, window_source};

/// Name of the month key of a grouping.
pub const MONTH: &str = "month";

/// The column a metric's duration runs from: `detected_at` for all but TTD with
/// `Anchor::Detected`, else `started_at`.
pub fn anchor_column(m: Metric, anchor: Anchor) -> &'static str {
    if anchor == Anchor::Detected && m != Metric::Mttd {
        col::DETECTED_AT
    } else {
        col::STARTED_AT
    }
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
