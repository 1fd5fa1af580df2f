//! Published vs measured uptime: a status page's own figure for each component beside the one
//! mttx measures from the incidents it read, over the same days.
//!
//! Statuspage's N-day figure (N = 90, 60, 30; the 90 is the one the page displays) is
//! `100 * (1 - sum(m + 0.3 p) / (86400 * D))` truncated to 2 decimals, over the last N + 1 days
//! of the page's data (all of them for N = 90) from the component's start date when later, `m`
//! and `p` being each day's seconds of major and partial outage and `D` the days counted. Better
//! Stack's figure is the downtime of its "downtime" days over the seconds from the first day's
//! midnight (the page's zone) to the page's `updated_at`. The measured figure is mttx's
//! availability of the same vendor and component over the same span (Statuspage's days UTC
//! midnight to midnight), with the report's weights; empty when no incident of that vendor was
//! read.

use super::downtime::{availability, availability_rows};
use super::options::Options;
use crate::error::Result;
use crate::model::{AvailScope, PeriodLabel, PublishedComponent, PublishedRule};
use crate::period::ReportWindow;
use crate::table::{ImpactTable, IncidentTable};
use crate::time::MS_PER_MIN;

/// Statuspage's weight of a partial outage in its own figures (the platform's rule).
pub use crate::sources::statuspage::STATUSPAGE_PARTIAL;

/// One row of `published_uptime.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    pub vendor: String,
    pub component: String,
    pub period_days: usize,
    /// Inclusive dates.
    pub start: String,
    pub end: String,
    /// What the page displays (its 90-day figure).
    pub published_pct: Option<f64>,
    pub recomputed_pct: f64,
    pub measured_pct: Option<f64>,
}

/// One row of `published_daily.csv`: a day's downtime as the page counts it (major plus 0.3
/// partial) and as mttx measures it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedDailyRow {
    pub vendor: String,
    pub component: String,
    pub date: String,
    pub published_downtime_min: f64,
    pub measured_downtime_min: Option<f64>,
}

/// The page's own figure over `days` (each `(major s, partial s)`), a partial outage weighing
/// `partial` (Statuspage: 0.3), truncated to 2 decimals.
pub fn recomputed(days: &[(f64, f64)], partial: f64) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    let down: f64 = days.iter().map(|(m, p)| m + partial * p).sum();
    let pct = 100.0 * (1.0 - down / (86_400.0 * days.len() as f64));
    // Truncated, as the page does; the epsilon keeps 99.87 from reading as 99.8699999.
    Some(((pct * 100.0) + 1e-9).floor() / 100.0)
}

/// The midnight (UTC) starting `date` (`YYYY-MM-DD`).
fn midnight(date: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// Every published component's 90, 60 and 30-day rows, and its days.
pub fn compare(
    incidents: &IncidentTable,
    impacts: &ImpactTable,
    published: &[PublishedComponent],
    opts: &Options,
    partial_of: &dyn Fn(&str) -> f64,
) -> Result<(Vec<PublishedRow>, Vec<PublishedDailyRow>)> {
    let mut rows = Vec::new();
    let mut daily = Vec::new();
    for c in published {
        let measure = Measure {
            incidents,
            impacts,
            opts,
            c,
            read: incidents.vendor.values.contains(&c.vendor),
        };
        let partial = partial_of(&c.vendor);
        if let PublishedRule::BetterStack { from, to } = c.rule {
            rows.extend(better_stack_row(c, from, to, &measure)?);
        } else {
            rows.extend(statuspage_rows(c, partial, &measure)?);
        }
        daily.extend(daily_rows(c, partial, measure.days()?));
    }
    Ok((rows, daily))
}

/// mttx's measure of one published component.
struct Measure<'a> {
    incidents: &'a IncidentTable,
    impacts: &'a ImpactTable,
    opts: &'a Options,
    c: &'a PublishedComponent,
    /// Whether any incident of the component's vendor was read (else nothing is measured).
    read: bool,
}

impl Measure<'_> {
    /// The report's options over the span `s..e` (UTC).
    fn options(&self, s: i64, e: i64) -> Result<Options> {
        Ok(Options {
            period: ReportWindow::new(chrono_tz::Tz::UTC, s, e)?,
            anchor: self.opts.anchor,
            weights: self.opts.weights,
            sla: self.opts.sla.clone(),
        })
    }

    /// The component's availability over `s..e`: 100 when it had no incident, none when the
    /// vendor's incidents were not read.
    fn over(&self, s: i64, e: i64) -> Result<Option<f64>> {
        if !self.read || e <= s {
            return Ok(None);
        }
        let avail = availability_rows(self.incidents, self.impacts, &self.options(s, e)?)?;
        let c = self.c;
        Ok(Some(
            (avail.iter())
                .find(|a| {
                    a.scope == AvailScope::Component
                        && a.vendor == c.vendor
                        && a.component.as_deref() == Some(c.component.as_str())
                        && a.period == PeriodLabel::Whole
                })
                .map_or(100.0, |a| a.availability_pct),
        ))
    }

    /// The dates of the component's days and mttx's downtime of each (none for a component
    /// without incidents), when the vendor's incidents were read.
    fn days(&self) -> Result<Option<MeasuredDays>> {
        let c = self.c;
        let (Some(s), Some(e)) = (
            c.days.first().and_then(|d| midnight(&d.date)),
            c.days.last().and_then(|d| midnight(&d.date)),
        ) else {
            return Ok(None);
        };
        if !self.read {
            return Ok(None);
        }
        let options = self.options(s, e + 1440 * MS_PER_MIN)?;
        let a = availability(self.incidents, self.impacts, &options)?;
        let row = (a.daily.rows.iter()).find(|r| {
            r.scope == AvailScope::Component
                && r.vendor == c.vendor
                && r.component.as_deref() == Some(c.component.as_str())
        });
        Ok(Some((
            a.daily.days.clone(),
            row.map(|r| r.downtime_min.clone()),
        )))
    }
}

/// Dates, and the minutes of downtime of each when there were any.
type MeasuredDays = (Vec<String>, Option<Vec<f64>>);

/// Better Stack's one figure: from the first day's midnight to the page's update.
fn better_stack_row(
    c: &PublishedComponent,
    from: i64,
    to: i64,
    measure: &Measure,
) -> Result<Option<PublishedRow>> {
    let down: f64 = c.days.iter().map(|d| d.major_s).sum();
    let secs = (to - from) as f64 / 1000.0;
    let (Some(first), Some(end)) = (c.days.first(), c.days.last()) else {
        return Ok(None);
    };
    Ok(Some(PublishedRow {
        vendor: c.vendor.clone(),
        component: c.component.clone(),
        period_days: c.days.len(),
        start: first.date.clone(),
        end: end.date.clone(),
        published_pct: c.displayed_pct,
        recomputed_pct: if secs > 0.0 {
            ((100.0 * (1.0 - down / secs)) * 10_000.0).round() / 10_000.0
        } else {
            100.0
        },
        measured_pct: measure.over(from, to)?,
    }))
}

/// Statuspage's 90, 60 and 30-day rows: the page's 90 days (all a page shows; the newest 90
/// of a longer history kept by sync), else the last N + 1, from the component's start date.
fn statuspage_rows(
    c: &PublishedComponent,
    partial: f64,
    measure: &Measure,
) -> Result<Vec<PublishedRow>> {
    let from = c.start_date.as_deref().unwrap_or("");
    let mut rows = Vec::new();
    for n in [90usize, 60, 30] {
        let last: Vec<_> = (c.days.iter().rev())
            .take(if n == 90 { 90 } else { n + 1 })
            .collect();
        let days: Vec<_> = (last.into_iter().rev())
            .filter(|d| d.date.as_str() >= from)
            .collect();
        let (Some(first), Some(end)) = (days.first(), days.last()) else {
            continue;
        };
        let pairs: Vec<(f64, f64)> = days.iter().map(|d| (d.major_s, d.partial_s)).collect();
        let Some(recomputed) = recomputed(&pairs, partial) else {
            continue;
        };
        let measured = match (midnight(&first.date), midnight(&end.date)) {
            (Some(s), Some(e)) => measure.over(s, e + 1440 * MS_PER_MIN)?,
            _ => None,
        };
        rows.push(PublishedRow {
            vendor: c.vendor.clone(),
            component: c.component.clone(),
            period_days: n,
            start: first.date.clone(),
            end: end.date.clone(),
            published_pct: if n == 90 { c.displayed_pct } else { None },
            recomputed_pct: recomputed,
            measured_pct: measured,
        });
    }
    Ok(rows)
}

/// The component's days, each with the page's downtime and mttx's (when measured).
fn daily_rows(
    c: &PublishedComponent,
    partial: f64,
    measured: Option<MeasuredDays>,
) -> Vec<PublishedDailyRow> {
    (c.days.iter())
        .map(|d| PublishedDailyRow {
            vendor: c.vendor.clone(),
            component: c.component.clone(),
            date: d.date.clone(),
            published_downtime_min: (d.major_s + partial * d.partial_s) / 60.0,
            measured_downtime_min: measured.as_ref().map(|(dates, mins)| {
                let at = dates.iter().position(|x| *x == d.date);
                match (at, mins) {
                    (Some(i), Some(m)) => m.get(i).copied().unwrap_or(0.0),
                    _ => 0.0,
                }
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_figure_is_truncated_to_two_decimals() {
        // 90 days, one with 1 hour major and one with 2 hours partial: (3600 + 0.3 * 7200) /
        // (86400 * 90) = 0.0740741%, 99.925926% truncated to 99.92.
        let mut days = vec![(0.0, 0.0); 88];
        days.push((3600.0, 0.0));
        days.push((0.0, 7200.0));
        assert_eq!(recomputed(&days, STATUSPAGE_PARTIAL), Some(99.92));
        // Counting a partial outage fully (incident.io): (3600 + 7200) / 7776000, 99.86.
        assert_eq!(recomputed(&days, 1.0), Some(99.86));
        assert_eq!(recomputed(&[(0.0, 0.0); 30], 0.3), Some(100.0));
        assert_eq!(recomputed(&[], 0.3), None);
    }
}
