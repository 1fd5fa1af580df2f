//! Report: the finished result of a run as plain values ([`Report`]) and its renderers, each
//! returning bytes or text and never touching the file system: [`csv`] (the contract's files),
//! [`json`] (`summary.json`), [`html`] (`report.html`) and [`terminal`] (what a person reads
//! after a run).

pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod terminal;

use crate::metrics::Computed;
use crate::model::{
    Anchor, AvailScope, AvailabilityRow, Counts, Metric, PeriodLabel, Reject, Warning, Weights,
};
use crate::period::ReportWindow;

/// Everything one `report` run produced.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: ReportWindow,
    pub weights: Weights,
    pub anchor: Anchor,
    pub sla_default: f64,
    /// The configuration in force (empty when no file was read).
    pub config: crate::config::Config,
    /// The filters in force (`[filter] where`, then `--where`).
    pub filters: Vec<crate::model::Filter>,
    /// The breakdown's columns (`--by`; empty: no breakdown) and its rows.
    pub by: Vec<String>,
    pub breakdown: Vec<crate::model::BreakdownRow>,
    /// Status pages' published uptime beside mttx's measured figures, and their days.
    pub published: Vec<crate::metrics::published::PublishedRow>,
    pub published_daily: Vec<crate::metrics::published::PublishedDailyRow>,
    pub counts: Counts,
    pub computed: Computed,
    /// The calendar month before a one-month window, computed the same way (for the headline's
    /// month-over-month change); `None` for longer windows, whose months are all in `computed`.
    pub previous: Option<(String, Computed)>,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Warning>,
    /// Notes on the inputs (a stored vendor without data), printed in the terminal summary.
    pub notes: Vec<String>,
}

/// The headline figures of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthFigures {
    pub label: String,
    /// Incidents started in the month.
    pub incidents: u64,
    pub mttd_median: Option<f64>,
    pub mttr_median: Option<f64>,
    /// Weighted downtime summed over the vendors, minutes.
    pub downtime_min: f64,
    pub vendors_met: usize,
    pub vendors: usize,
}

fn figures(c: &Computed, when: PeriodLabel) -> Option<MonthFigures> {
    let vendors: Vec<_> = c
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Vendor && a.period == when)
        .collect();
    if vendors.is_empty() {
        return None;
    }
    let median = |m: Metric| {
        c.metrics
            .iter()
            .find(|r| r.scope == "all" && r.period.as_ref() == Some(&when) && r.metric == m)
            .and_then(|r| r.stats.median)
    };
    Some(MonthFigures {
        label: when.label().to_string(),
        incidents: vendors.iter().map(|a| a.incidents).sum(),
        mttd_median: median(Metric::Mttd),
        mttr_median: median(Metric::Mttr),
        downtime_min: vendors.iter().map(|a| a.downtime_min).sum(),
        vendors_met: vendors.iter().filter(|a| a.sla_met).count(),
        vendors: vendors.len(),
    })
}

/// Components of one vendor listed in the SLA table of the last period at most; the rest are
/// counted (and in report.html listed under a fold). `availability.csv` has every row.
pub const SLA_COMPONENTS: usize = 10;

/// The SLA table of the window's last period.
#[derive(Debug)]
pub struct SlaPeriod<'r> {
    /// The last period's label.
    pub label: String,
    /// The label of the period before it.
    pub before: String,
    pub vendors: Vec<VendorSla<'r>>,
}

/// One vendor's rows of [`SlaPeriod`]: the components that missed worst first (lowest
/// availability, then name), then the met ones by name. All of them are listed when they are
/// at most [`SLA_COMPONENTS`]; otherwise the missed ones up to that limit, and the rest folded.
#[derive(Debug)]
pub struct VendorSla<'r> {
    pub vendor: &'r AvailabilityRow,
    pub listed: Vec<&'r AvailabilityRow>,
    /// The components not listed, in the same order.
    pub folded: Vec<&'r AvailabilityRow>,
}

impl VendorSla<'_> {
    /// How many of the folded components missed their target, and how many met it.
    pub fn folded_counts(&self) -> (usize, usize) {
        let missed = self.folded.iter().filter(|a| !a.sla_met).count();
        (missed, self.folded.len() - missed)
    }

    /// What the fold holds, in words: `and 128 more missed, 200 met`.
    pub fn folded_text(&self) -> String {
        let (missed, met) = self.folded_counts();
        let mut parts = Vec::new();
        if missed > 0 {
            parts.push(format!("{missed} more missed"));
        }
        if met > 0 {
            parts.push(format!("{met} met"));
        }
        format!("and {}", parts.join(", "))
    }
}

/// `comps` (one vendor's component rows) in the order of [`VendorSla`], split at the limit.
fn split_components(
    mut comps: Vec<&AvailabilityRow>,
    limit: usize,
) -> (Vec<&AvailabilityRow>, Vec<&AvailabilityRow>) {
    comps.sort_by(|a, b| {
        a.sla_met
            .cmp(&b.sla_met)
            .then_with(|| {
                if a.sla_met {
                    std::cmp::Ordering::Equal
                } else {
                    a.availability_pct.total_cmp(&b.availability_pct)
                }
            })
            .then_with(|| a.component.cmp(&b.component))
    });
    if comps.len() <= limit {
        return (comps, Vec::new());
    }
    let missed = comps.iter().filter(|a| !a.sla_met).count();
    let folded = comps.split_off(missed.min(limit));
    (comps, folded)
}

impl Report {
    /// The SLA of the window's last period, with the period before's label (from the window,
    /// or from [`Report::previous`]).
    pub fn sla_period(&self) -> Option<SlaPeriod<'_>> {
        let label = self.period.periods.last()?.label.clone();
        let before = match self.period.periods.len() {
            1 => self
                .previous
                .as_ref()
                .map(|(l, _)| l.clone())
                .unwrap_or_default(),
            n => self.period.periods[n - 2].label.clone(),
        };
        let of = |scope: AvailScope| {
            self.computed
                .availability
                .iter()
                .filter(|a| a.scope == scope && a.period.period() == Some(label.as_str()))
                .collect::<Vec<_>>()
        };
        let comps = of(AvailScope::Component);
        let vendors = of(AvailScope::Vendor)
            .into_iter()
            .map(|v| {
                let mine = comps.iter().copied().filter(|a| a.vendor == v.vendor);
                let (listed, folded) = split_components(mine.collect(), SLA_COMPONENTS);
                VendorSla {
                    vendor: v,
                    listed,
                    folded,
                }
            })
            .collect();
        Some(SlaPeriod {
            label,
            before,
            vendors,
        })
    }

    /// The whole window's figures (month `all`).
    pub fn window_figures(&self) -> Option<MonthFigures> {
        figures(&self.computed, PeriodLabel::Whole).map(|mut f| {
            f.label = self.period.label();
            f
        })
    }

    /// The last month of the window and the month before it (from the window, or from
    /// [`Report::previous`]).
    pub fn last_two_months(&self) -> (Option<MonthFigures>, Option<MonthFigures>) {
        let months = &self.period.periods;
        let last = months
            .last()
            .and_then(|m| figures(&self.computed, PeriodLabel::Period(m.label.clone())));
        let prev = if months.len() >= 2 {
            figures(
                &self.computed,
                PeriodLabel::Period(months[months.len() - 2].label.clone()),
            )
        } else {
            self.previous
                .as_ref()
                .and_then(|(label, c)| figures(c, PeriodLabel::Period(label.clone())))
        };
        (last, prev)
    }
}
