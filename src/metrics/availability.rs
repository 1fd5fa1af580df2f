//! Availability and SLA (contract section 3): turns swept downtime and outage per key and month
//! into `availability.csv` rows with the SLA target, budget, budget used, incidents and MTBF.

use crate::model::{AvailScope, AvailabilityRow};
use crate::time::MS_PER_MIN;

/// SLA targets in percent. A single default for now; per-vendor/component rules plug in here.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaTargets {
    pub default: f64,
}

impl Default for SlaTargets {
    fn default() -> Self {
        SlaTargets { default: 99.9 }
    }
}

impl SlaTargets {
    pub fn target(&self, _vendor: &str, _component: Option<&str>) -> f64 {
        self.default
    }
}

/// Rounds to 6 decimals, the printed precision of percentages.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Inputs of one availability row, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub window_ms: i64,
    pub outage_ms: i64,
    pub downtime_ms: f64,
    /// `downtime_ms` by the heaviest level open (`Level::code` order).
    pub by_level_ms: [f64; 4],
    pub incidents: u64,
}

/// One row from its sums. `sla_met` compares the availability at its printed precision, so a
/// row never reads `99.900000` and `false`.
pub fn row(
    scope: AvailScope,
    vendor: &str,
    component: Option<&str>,
    month: &str,
    cell: Cell,
    target: f64,
) -> AvailabilityRow {
    let min = MS_PER_MIN as f64;
    let window_min = cell.window_ms as f64 / min;
    let outage_min = cell.outage_ms as f64 / min;
    let downtime_min = cell.downtime_ms / min;
    let availability_pct = if window_min > 0.0 {
        (100.0 * (1.0 - downtime_min / window_min)).clamp(0.0, 100.0)
    } else {
        100.0
    };
    let budget_min = (1.0 - target / 100.0) * window_min;
    AvailabilityRow {
        scope,
        vendor: vendor.to_string(),
        component: component.map(str::to_string),
        month: month.to_string(),
        window_min,
        outage_min,
        downtime_min,
        downtime_by_level_min: cell.by_level_ms.map(|ms| ms / min),
        availability_pct,
        sla_target_pct: target,
        sla_met: round6(availability_pct) >= target,
        budget_min,
        budget_used_pct: (budget_min > 0.0).then(|| 100.0 * downtime_min / budget_min),
        incidents: cell.incidents,
        mtbf_min: (cell.incidents > 0).then(|| (window_min - outage_min) / cell.incidents as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thirty_day_month_with_one_hour_down() {
        // 30 days = 43 200 min; 60 min of downtime; 90 min of outage; 2 incidents; 99.9 target.
        let r = row(
            AvailScope::Component,
            "Acme",
            Some("API"),
            "2024-06",
            Cell {
                window_ms: 43_200 * MS_PER_MIN,
                outage_ms: 90 * MS_PER_MIN,
                downtime_ms: (60 * MS_PER_MIN) as f64,
                by_level_ms: [0.0; 4],
                incidents: 2,
            },
            99.9,
        );
        assert_eq!(r.window_min, 43_200.0);
        assert!((r.availability_pct - 99.861_111_111).abs() < 1e-6);
        assert!((r.budget_min - 43.2).abs() < 1e-9);
        assert!((r.budget_used_pct.unwrap() - 138.888_888_9).abs() < 1e-6);
        assert!(!r.sla_met);
        assert_eq!(r.mtbf_min, Some((43_200.0 - 90.0) / 2.0));
    }

    #[test]
    fn exactly_the_budget_meets_the_target() {
        let r = row(
            AvailScope::Vendor,
            "Acme",
            None,
            "all",
            Cell {
                window_ms: 43_200 * MS_PER_MIN,
                outage_ms: 0,
                downtime_ms: 43.2 * MS_PER_MIN as f64,
                by_level_ms: [0.0; 4],
                incidents: 0,
            },
            99.9,
        );
        assert!(r.sla_met);
        assert_eq!(r.mtbf_min, None);
        assert!((r.budget_used_pct.unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_hundred_percent_target_has_no_budget_to_use() {
        let r = row(
            AvailScope::Vendor,
            "Acme",
            None,
            "all",
            Cell {
                window_ms: 1_000 * MS_PER_MIN,
                outage_ms: 0,
                downtime_ms: 0.0,
                by_level_ms: [0.0; 4],
                incidents: 0,
            },
            100.0,
        );
        assert_eq!(r.budget_min, 0.0);
        assert_eq!(r.budget_used_pct, None);
        assert!(r.sla_met);
    }
}
