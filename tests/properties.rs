//! Invariants of the downtime sweep over random incidents (proptest): downtime never exceeds
//! outage nor the window, availability stays in [0, 100], a vendor's downtime lies between the
//! largest and the sum of its components', months add up to the whole window, and the order of
//! input rows changes nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use mttx::ingest::{self, Format, IngestOptions, Input};
use mttx::metrics::{self, Options, SlaTargets};
use mttx::model::{Anchor, AvailScope, AvailabilityRow, WeightPreset, Weights};
use mttx::period::ReportWindow;
use mttx::time::format_utc;
use proptest::prelude::*;

const LEVELS: [&str; 4] = [
    "major_outage",
    "partial_outage",
    "degraded_performance",
    "under_maintenance",
];
const COMPONENTS: [&str; 4] = ["A", "B", "C", ""];

/// `(scope, vendor, component)` of an availability row.
type Key = (AvailScope, String, Option<String>);

#[derive(Debug, Clone)]
struct Inc {
    vendor: usize,
    component: usize,
    level: usize,
    start_min: i64,
    /// None: open. Negative lengths make inverted windows.
    len_min: Option<i64>,
}

fn inc() -> impl Strategy<Value = Inc> {
    (
        0..2usize,
        0..4usize,
        0..4usize,
        -2_000i64..90_000,
        prop::option::weighted(0.9, -60i64..20_000),
    )
        .prop_map(|(vendor, component, level, start_min, len_min)| Inc {
            vendor,
            component,
            level,
            start_min,
            len_min,
        })
}

fn csv_of(incs: &[Inc], base: i64) -> String {
    let mut s = String::from("id,vendor,impact,components,started_at,resolved_at\n");
    for (i, x) in incs.iter().enumerate() {
        let start = base + x.start_min * 60_000;
        let end = x
            .len_min
            .map(|l| format_utc(start + l * 60_000))
            .unwrap_or_default();
        s.push_str(&format!(
            "i{i},V{},{},{},{},{}\n",
            x.vendor,
            LEVELS[x.level],
            COMPONENTS[x.component],
            format_utc(start),
            end
        ));
    }
    s
}

fn swept(text: &str, tz: Tz, preset: WeightPreset) -> metrics::Availability {
    let ing = ingest::read(
        &[Input::Bytes {
            name: "p.csv".into(),
            format: Format::Csv,
            bytes: Cow::Owned(text.as_bytes().to_vec()),
        }],
        &IngestOptions {
            tz,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    let period = ReportWindow::from_dates(
        tz,
        NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
    )
    .unwrap();
    metrics::availability(
        &ing.incidents,
        &ing.impacts,
        &Options {
            period,
            anchor: Anchor::Started,
            weights: Weights::preset(preset),
            sla: SlaTargets::default(),
        },
    )
    .unwrap()
}

fn availability(text: &str, tz: Tz, preset: WeightPreset) -> Vec<AvailabilityRow> {
    swept(text, tz, preset).rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn downtime_and_availability_stay_in_bounds(
        incs in prop::collection::vec(inc(), 1..25),
        berlin in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let tz: Tz = if berlin { "Europe/Berlin".parse().unwrap() } else { Tz::UTC };
        let preset = if strict { WeightPreset::Strict } else { WeightPreset::Statuspage };
        // 2024-03-01T00:00Z as the base.
        let rows = availability(&csv_of(&incs, 1_709_251_200_000), tz, preset);
        let eps = 1e-6;
        for r in &rows {
            prop_assert!(r.downtime_min >= 0.0);
            prop_assert!(r.downtime_min <= r.outage_min + eps, "{r:?}");
            prop_assert!(r.outage_min <= r.window_min + eps, "{r:?}");
            prop_assert!((0.0..=100.0).contains(&r.availability_pct), "{r:?}");
            let by_level: f64 = r.downtime_by_level_min.iter().sum();
            prop_assert!((by_level - r.downtime_min).abs() < eps, "{r:?}");
        }
        // Months add up to `all`, for every key.
        let mut sums: HashMap<Key, (f64, f64, f64)> = HashMap::new();
        for r in rows.iter().filter(|r| !r.period.is_whole()) {
            let e = sums.entry((r.scope, r.vendor.clone(), r.component.clone())).or_default();
            e.0 += r.downtime_min;
            e.1 += r.outage_min;
            e.2 += r.window_min;
        }
        for r in rows.iter().filter(|r| r.period.is_whole()) {
            let s = sums[&(r.scope, r.vendor.clone(), r.component.clone())];
            prop_assert!((s.0 - r.downtime_min).abs() < eps);
            prop_assert!((s.1 - r.outage_min).abs() < eps);
            prop_assert!((s.2 - r.window_min).abs() < eps);
        }
        // A vendor's downtime: at least its worst component's, at most the sum of all of them.
        for v in rows.iter().filter(|r| r.scope == AvailScope::Vendor) {
            let comps: Vec<&AvailabilityRow> = rows
                .iter()
                .filter(|c| c.scope == AvailScope::Component && c.vendor == v.vendor && c.period == v.period)
                .collect();
            let max = comps.iter().map(|c| c.downtime_min).fold(0.0, f64::max);
            let sum: f64 = comps.iter().map(|c| c.downtime_min).sum();
            prop_assert!(v.downtime_min + eps >= max, "{v:?}");
            prop_assert!(v.downtime_min <= sum + eps, "{v:?}");
        }
    }

    #[test]
    fn daily_downtime_fits_each_day_and_adds_up_to_the_window(
        incs in prop::collection::vec(inc(), 1..25),
        berlin in any::<bool>(),
    ) {
        let tz: Tz = if berlin { "Europe/Berlin".parse().unwrap() } else { Tz::UTC };
        let a = swept(&csv_of(&incs, 1_709_251_200_000), tz, WeightPreset::Strict);
        // March and April: 61 days, all within the 90 kept; one day is 23 h in Berlin.
        prop_assert_eq!(a.daily.days.len(), 61);
        let eps = 1e-6;
        for d in &a.daily.rows {
            for (v, len) in d.downtime_min.iter().zip(&a.daily.day_min) {
                prop_assert!(*v >= 0.0 && *v <= len + eps, "{d:?}");
            }
            let whole = a
                .rows
                .iter()
                .find(|r| r.scope == d.scope && r.vendor == d.vendor && r.component == d.component && r.period.is_whole())
                .unwrap();
            let sum: f64 = d.downtime_min.iter().sum();
            prop_assert!((sum - whole.downtime_min).abs() < eps, "{sum} vs {}", whole.downtime_min);
        }
    }

    #[test]
    fn weights_of_one_make_downtime_the_outage(
        incs in prop::collection::vec(inc(), 1..25),
        berlin in any::<bool>(),
    ) {
        // Strict weighs every non-maintenance level 1.0: downtime is then exactly the union of
        // the non-maintenance windows, for every key and month.
        let tz: Tz = if berlin { "Europe/Berlin".parse().unwrap() } else { Tz::UTC };
        let rows = availability(&csv_of(&incs, 1_709_251_200_000), tz, WeightPreset::Strict);
        for r in &rows {
            prop_assert!((r.downtime_min - r.outage_min).abs() < 1e-6, "{r:?}");
            prop_assert!(r.maintenance_min <= r.window_min + 1e-6, "{r:?}");
        }
    }

    #[test]
    fn the_order_of_input_rows_changes_nothing(
        incs in prop::collection::vec(inc(), 1..15),
        seed in any::<u64>(),
    ) {
        let mut shuffled = incs.clone();
        // A deterministic shuffle; ids move with their rows.
        let mut indexed: Vec<(usize, Inc)> = shuffled.drain(..).enumerate().collect();
        indexed.sort_by_key(|(i, _)| (*i as u64).wrapping_mul(seed | 1).rotate_left(17));
        let base = 1_709_251_200_000;
        let mut a = String::from("id,vendor,impact,components,started_at,resolved_at\n");
        let mut b = a.clone();
        let line = |i: usize| csv_of(&incs[i..=i], base).lines().nth(1).unwrap().replacen("i0", &format!("i{i}"), 1);
        for i in 0..incs.len() {
            a.push_str(&line(i));
            a.push('\n');
        }
        for (i, _) in &indexed {
            b.push_str(&line(*i));
            b.push('\n');
        }
        let ra = availability(&a, Tz::UTC, WeightPreset::Statuspage);
        let rb = availability(&b, Tz::UTC, WeightPreset::Statuspage);
        prop_assert_eq!(
            mttx::report::csv::availability(&ra, false),
            mttx::report::csv::availability(&rb, false)
        );
    }
}
