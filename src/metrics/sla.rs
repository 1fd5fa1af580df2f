//! Availability and SLA (contract section 3): turns swept downtime and outage per key and month
//! into `availability.csv` rows with the SLA target, budget, budget used, incidents and MTBF.

use crate::model::{AvailScope, AvailabilityRow, PeriodLabel};
use crate::time::MS_PER_MIN;

/// A name pattern of an SLA rule: exact, or a glob with `*` (any text) and `?` (one character).
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(pub String);

impl Pattern {
    pub fn is_glob(&self) -> bool {
        self.0.contains(['*', '?'])
    }

    pub fn matches(&self, name: &str) -> bool {
        fn go(p: &[char], s: &[char]) -> bool {
            match p.split_first() {
                None => s.is_empty(),
                Some(('*', rest)) => (0..=s.len()).any(|k| go(rest, &s[k..])),
                Some(('?', rest)) => !s.is_empty() && go(rest, &s[1..]),
                Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
            }
        }
        let p: Vec<char> = self.0.chars().collect();
        let s: Vec<char> = name.chars().collect();
        go(&p, &s)
    }

    /// How specific: exact beats glob; among globs, more literal characters win.
    fn rank(&self) -> (u8, usize) {
        (
            u8::from(!self.is_glob()),
            self.0.chars().filter(|c| !matches!(c, '*' | '?')).count(),
        )
    }
}

/// One `[[sla]]` entry: a target for a vendor (and its components), or for components.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaRule {
    pub vendor: Pattern,
    pub component: Option<Pattern>,
    pub target: f64,
    /// Counted only inside these hours (downtime and window both).
    pub hours: Option<crate::hours::Hours>,
    /// Line of the entry in the config file.
    pub line: u64,
}

/// SLA targets in percent: a default and the rules of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaTargets {
    pub default: f64,
    pub rules: Vec<SlaRule>,
}

impl Default for SlaTargets {
    fn default() -> Self {
        SlaTargets {
            default: 99.9,
            rules: Vec::new(),
        }
    }
}

impl SlaTargets {
    pub fn new(default: f64) -> SlaTargets {
        SlaTargets {
            default,
            rules: Vec::new(),
        }
    }

    /// The rule for a vendor (`component` None) or a component: the most specific match. A
    /// rule naming a component beats a vendor's rule; an exact name beats a glob; a longer glob
    /// beats a shorter one; on a tie the first rule in the file wins. A vendor row only takes
    /// rules without a component.
    pub fn rule(&self, vendor: &str, component: Option<&str>) -> Option<&SlaRule> {
        type Rank = ((u8, usize), (u8, usize));
        let mut best: Option<(&SlaRule, Rank)> = None;
        for r in &self.rules {
            if !r.vendor.matches(vendor) {
                continue;
            }
            let comp_rank = match (&r.component, component) {
                (None, _) => (0, 0),
                (Some(p), Some(c)) if p.matches(c) => {
                    let (exact, len) = p.rank();
                    (1 + exact, len)
                }
                _ => continue,
            };
            let rank = (comp_rank, r.vendor.rank());
            if best.as_ref().is_none_or(|(_, b)| rank > *b) {
                best = Some((r, rank));
            }
        }
        best.map(|(r, _)| r)
    }

    pub fn target(&self, vendor: &str, component: Option<&str>) -> f64 {
        self.rule(vendor, component)
            .map_or(self.default, |r| r.target)
    }
}

/// Fills `previous_pct` of every monthly row with the same key's availability in the month
/// before: from `rows` themselves, or for the window's first month from `before` (the rows of
/// the calendar month before the window, labelled `before_label`).
pub fn link_previous(
    rows: &mut [AvailabilityRow],
    months: &[String],
    before: &[AvailabilityRow],
    before_label: &str,
) {
    use std::collections::HashMap;
    let key = |r: &AvailabilityRow, m: &str| {
        (
            r.scope,
            r.vendor.clone(),
            r.component.clone(),
            m.to_string(),
        )
    };
    let mut by_month: HashMap<(AvailScope, String, Option<String>, String), f64> = HashMap::new();
    let before = before
        .iter()
        .filter(|r| r.period.period() == Some(before_label));
    for r in before.chain(rows.iter()) {
        if let Some(m) = r.period.period() {
            by_month.insert(key(r, m), r.availability_pct);
        }
    }
    for r in rows.iter_mut() {
        let Some(i) = months.iter().position(|m| r.period.period() == Some(m)) else {
            continue;
        };
        let prev = if i == 0 {
            before_label
        } else {
            months[i - 1].as_str()
        };
        r.previous_pct = by_month.get(&key(r, prev)).copied();
    }
}

/// Rounds to 6 decimals, the printed precision of percentages.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Inputs of one availability row, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cell {
    pub window_ms: i64,
    pub outage_ms: i64,
    pub downtime_ms: f64,
    /// `downtime_ms` by the heaviest level open (`Level::code` order).
    pub by_level_ms: [f64; 4],
    pub maintenance_ms: i64,
    pub incidents: u64,
}

impl Cell {
    /// Adds `other`'s figures to this cell's (a month into the whole window).
    pub fn add(&mut self, other: &Cell) {
        self.window_ms += other.window_ms;
        self.maintenance_ms += other.maintenance_ms;
        for (t, c) in self.by_level_ms.iter_mut().zip(other.by_level_ms) {
            *t += c;
        }
        self.outage_ms += other.outage_ms;
        self.downtime_ms += other.downtime_ms;
        self.incidents += other.incidents;
    }
}

/// One row from its sums. `sla_met` compares the availability at its printed precision, so a
/// row never reads `99.900000` and `false`.
pub fn row(
    scope: AvailScope,
    vendor: &str,
    component: Option<&str>,
    period: PeriodLabel,
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
        period,
        window_min,
        outage_min,
        downtime_min,
        downtime_by_level_min: cell.by_level_ms.map(|ms| ms / min),
        availability_pct,
        sla_target_pct: target,
        sla_met: round6(availability_pct) >= target,
        budget_min,
        budget_remaining_min: budget_min - downtime_min,
        maintenance_min: cell.maintenance_ms as f64 / min,
        previous_pct: None,
        budget_used_pct: (budget_min > 0.0).then(|| 100.0 * downtime_min / budget_min),
        incidents: cell.incidents,
        mtbf_min: (cell.incidents > 0).then(|| (window_min - outage_min) / cell.incidents as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(vendor: &str, component: Option<&str>, target: f64) -> SlaRule {
        SlaRule {
            vendor: Pattern(vendor.into()),
            component: component.map(|c| Pattern(c.into())),
            target,
            hours: None,
            line: 0,
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let t = SlaTargets {
            default: 99.9,
            rules: vec![
                rule("Acme*", None, 99.5),
                rule("Acme Cloud", None, 99.95),
                rule("Acme Cloud", Some("API"), 99.99),
                rule("*", Some("Web*"), 99.0),
                rule("Acme Cloud", Some("Web*"), 99.8),
            ],
        };
        // Exact vendor beats the glob; a vendor's target covers its components.
        assert_eq!(t.target("Acme Cloud", None), 99.95);
        assert_eq!(t.target("Acme Cloud", Some("Storage")), 99.95);
        assert_eq!(t.target("Acme Mail", Some("SMTP")), 99.5);
        // A component entry overrides the vendor's.
        assert_eq!(t.target("Acme Cloud", Some("API")), 99.99);
        // Two component globs: the one with the exact vendor wins.
        assert_eq!(t.target("Acme Cloud", Some("Webhooks")), 99.8);
        assert_eq!(t.target("Globex", Some("Website")), 99.0);
        // A vendor row ignores component rules; nothing matching: the default.
        assert_eq!(t.target("Globex", None), 99.9);
        assert!(Pattern("A?me*".into()).matches("Acme Cloud"));
        assert!(!Pattern("Acme".into()).matches("Acme Cloud"));
    }

    #[test]
    fn a_thirty_day_month_with_one_hour_down() {
        // 30 days = 43 200 min; 60 min of downtime; 90 min of outage; 2 incidents; 99.9 target.
        let r = row(
            AvailScope::Component,
            "Acme",
            Some("API"),
            "2024-06".into(),
            Cell {
                window_ms: 43_200 * MS_PER_MIN,
                outage_ms: 90 * MS_PER_MIN,
                downtime_ms: (60 * MS_PER_MIN) as f64,
                by_level_ms: [0.0; 4],
                maintenance_ms: 0,
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
            PeriodLabel::Whole,
            Cell {
                window_ms: 43_200 * MS_PER_MIN,
                outage_ms: 0,
                downtime_ms: 43.2 * MS_PER_MIN as f64,
                by_level_ms: [0.0; 4],
                maintenance_ms: 0,
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
            PeriodLabel::Whole,
            Cell {
                window_ms: 1_000 * MS_PER_MIN,
                outage_ms: 0,
                downtime_ms: 0.0,
                by_level_ms: [0.0; 4],
                maintenance_ms: 0,
                incidents: 0,
            },
            100.0,
        );
        assert_eq!(r.budget_min, 0.0);
        assert_eq!(r.budget_used_pct, None);
        assert!(r.sla_met);
    }
}
