//! Time-to-x (contract section 2): which instant each duration runs from, and the key columns
//! of a grouping. The memberships of incidents in components are [`super::explode`]; the
//! statistics [`super::stats`].

use crate::model::{Anchor, GroupKey, Metric, col};

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
