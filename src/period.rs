//! The report window ([`ReportWindow`]): a half-open span of instants `[start, end)` in a report
//! time zone, and the periods it is cut into ([`PeriodSpan`]: calendar months unless `--period`
//! says weeks, quarters or years; cut at local midnight, so a DST month has its true length).
//! Every per-period number in mttx is computed over these spans.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::{MS_PER_MIN, local_date, local_midnight_ms};

/// One period of the window (a week, month, quarter or year), clipped to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSpan {
    /// `YYYY-MM`, `YYYY-Www`, `YYYY-Qn` or `YYYY`.
    pub label: String,
    pub start: i64,
    pub end: i64,
}

impl PeriodSpan {
    pub fn minutes(&self) -> f64 {
        (self.end - self.start) as f64 / MS_PER_MIN as f64
    }
}

/// How a window is cut into periods (`--period`): ISO-8601 weeks (Monday first, labelled by
/// their week-year: `2025-W01` starts on 2024-12-30), calendar months, quarters, years, or the
/// whole window (`all`). Each cut is at local midnight in the report time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cut {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
    All,
}

impl Cut {
    pub const NAMES: [&str; 5] = ["week", "month", "quarter", "year", "all"];

    pub fn parse(s: &str) -> Option<Cut> {
        let all = [Cut::Week, Cut::Month, Cut::Quarter, Cut::Year, Cut::All];
        let i = Cut::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s.trim()))?;
        Some(all[i])
    }

    /// The first day of the period holding `d`, and the period's label.
    fn first(self, d: NaiveDate) -> (NaiveDate, String) {
        match self {
            Cut::Week => {
                let w = d.iso_week();
                let monday = d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()));
                (monday, format!("{:04}-W{:02}", w.year(), w.week()))
            }
            Cut::Month | Cut::All => (
                first_of_month(d),
                format!("{:04}-{:02}", d.year(), d.month()),
            ),
            Cut::Quarter => {
                let q = (d.month() - 1) / 3;
                let first =
                    NaiveDate::from_ymd_opt(d.year(), q * 3 + 1, 1).expect("a quarter's first day");
                (first, format!("{:04}-Q{}", d.year(), q + 1))
            }
            Cut::Year => (
                NaiveDate::from_ymd_opt(d.year(), 1, 1).expect("1 January"),
                format!("{:04}", d.year()),
            ),
        }
    }

    /// The first day of the period after the one starting on `first`.
    fn next(self, first: NaiveDate) -> NaiveDate {
        match self {
            Cut::Week => first + chrono::Days::new(7),
            Cut::Month | Cut::All => first_of_next_month(first),
            Cut::Quarter => first_of_next_month(first_of_next_month(first_of_next_month(first))),
            Cut::Year => NaiveDate::from_ymd_opt(first.year() + 1, 1, 1).expect("1 January"),
        }
    }
}

/// The report window and its periods: calendar months unless [`ReportWindow::recut`] (`--period`)
/// made them weeks, quarters or years.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportWindow {
    pub tz: Tz,
    pub start: i64,
    pub end: i64,
    /// The periods the figures are given for (named months, as they usually are).
    pub periods: Vec<PeriodSpan>,
    pub cut: Cut,
}

fn first_of_next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month exists")
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

impl ReportWindow {
    /// The window `[start, end)` in `tz`; empty or inverted windows are a usage error.
    pub fn new(tz: Tz, start: i64, end: i64) -> Result<ReportWindow> {
        if end <= start {
            return Err(Error::Usage(format!(
                "the report window is empty: it ends ({}) before it starts ({})",
                crate::time::format_utc(end),
                crate::time::format_utc(start)
            )));
        }
        let mut months = Vec::new();
        let mut month = first_of_month(local_date(&tz, start));
        loop {
            let next = first_of_next_month(month);
            let m_start = local_midnight_ms(&tz, month).max(start);
            let m_end = local_midnight_ms(&tz, next).min(end);
            if m_start >= end {
                break;
            }
            if m_end > m_start {
                months.push(PeriodSpan {
                    label: format!("{:04}-{:02}", month.year(), month.month()),
                    start: m_start,
                    end: m_end,
                });
            }
            month = next;
        }
        Ok(ReportWindow {
            tz,
            start,
            end,
            periods: months,
            cut: Cut::Month,
        })
    }

    /// This window cut into weeks, quarters or years instead of months (`all` keeps the
    /// months).
    pub fn recut(mut self, cut: Cut) -> ReportWindow {
        if cut != Cut::All {
            self.periods = self.cells(cut);
            self.cut = cut;
        }
        self
    }

    /// The noun of one period, and of several: `month`, `months`.
    pub fn unit(&self) -> (&'static str, &'static str) {
        match self.cut {
            Cut::Week => ("week", "weeks"),
            Cut::Quarter => ("quarter", "quarters"),
            Cut::Year => ("year", "years"),
            Cut::Month | Cut::All => ("month", "months"),
        }
    }

    /// `--from` (inclusive) and `--to` (exclusive) dates at 00:00 in `tz`.
    pub fn from_dates(tz: Tz, from: NaiveDate, to: NaiveDate) -> Result<ReportWindow> {
        if to <= from {
            return Err(Error::Usage(format!(
                "--to {to} must be after --from {from}"
            )));
        }
        ReportWindow::new(tz, local_midnight_ms(&tz, from), local_midnight_ms(&tz, to))
    }

    /// One calendar month (`--month YYYY-MM`).
    pub fn month(tz: Tz, year: i32, month: u32) -> Result<ReportWindow> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| Error::Usage(format!("--month {year:04}-{month:02} does not exist")))?;
        ReportWindow::from_dates(tz, first, first_of_next_month(first))
    }

    /// The period (a week, month, quarter or year, as the window is cut) before the one the
    /// window starts in.
    pub fn period_before(&self) -> Result<ReportWindow> {
        let first = self.cut.first(local_date(&self.tz, self.start)).0;
        let before = self.cut.first(first.pred_opt().unwrap_or(first)).0;
        Ok(ReportWindow::from_dates(self.tz, before, first)?.recut(self.cut))
    }

    /// This window with the period before it (as [`ReportWindow::period_before`]) as its first
    /// period, so that one sweep gives both. When the window starts mid-period, the days between
    /// that period and the window's start belong to no period.
    pub fn with_period_before(&self) -> Result<ReportWindow> {
        let mut periods = self.period_before()?.periods;
        let start = periods[0].start;
        periods.extend(self.periods.iter().cloned());
        Ok(ReportWindow {
            tz: self.tz,
            start,
            end: self.end,
            periods,
            cut: self.cut,
        })
    }

    /// The whole calendar months in `tz` that contain the instants `first..=last`.
    pub fn spanning(tz: Tz, first: i64, last: i64) -> Result<ReportWindow> {
        let from = first_of_month(local_date(&tz, first));
        let to = first_of_next_month(local_date(&tz, last.max(first)));
        ReportWindow::from_dates(tz, from, to)
    }

    pub fn minutes(&self) -> f64 {
        (self.end - self.start) as f64 / MS_PER_MIN as f64
    }

    /// A short name of the window for folder names and titles: `2024-06`, `2024-01_2024-12`,
    /// or the dates when the window does not fall on month boundaries. It names the window's
    /// calendar months whatever the periods it is cut into (`--period year` of June is `2024-06`).
    pub fn label(&self) -> String {
        let month = |ms: i64| local_date(&self.tz, ms).format("%Y-%m").to_string();
        let (first, last) = (month(self.start), month(self.end - 1));
        let aligned = local_midnight_ms(&self.tz, first_of_month(local_date(&self.tz, self.start)))
            == self.start
            && local_midnight_ms(&self.tz, first_of_month(local_date(&self.tz, self.end)))
                == self.end;
        if aligned {
            if first == last {
                first
            } else {
                format!("{first}_{last}")
            }
        } else {
            // The end is exclusive: name the last day inside the window.
            let last_day = local_date(&self.tz, self.end - 1);
            format!("{}_{}", local_date(&self.tz, self.start), last_day)
        }
    }

    /// The last `max` calendar days of the window (local midnight to local midnight, clipped to
    /// the window), oldest first, labelled `YYYY-MM-DD`.
    pub fn last_days(&self, max: usize) -> Vec<PeriodSpan> {
        let mut days = Vec::new();
        let mut day = local_date(&self.tz, self.end - 1);
        while days.len() < max {
            let Some(next) = day.succ_opt() else { break };
            let start = local_midnight_ms(&self.tz, day).max(self.start);
            let end = local_midnight_ms(&self.tz, next).min(self.end);
            if end > start {
                days.push(PeriodSpan {
                    label: day.to_string(),
                    start,
                    end,
                });
            }
            match day.pred_opt() {
                Some(prev) if start > self.start => day = prev,
                _ => break,
            }
        }
        days.reverse();
        days
    }

    /// The window cut into periods, each clipped to it (`all`: the window itself).
    pub fn cells(&self, cut: Cut) -> Vec<PeriodSpan> {
        match cut {
            Cut::All => {
                return vec![PeriodSpan {
                    label: "all".into(),
                    start: self.start,
                    end: self.end,
                }];
            }
            Cut::Month => return self.periods.clone(),
            _ => {}
        }
        let mut cells = Vec::new();
        let (mut first, mut label) = cut.first(local_date(&self.tz, self.start));
        loop {
            let next = cut.next(first);
            let start = local_midnight_ms(&self.tz, first).max(self.start);
            if start >= self.end {
                break;
            }
            let end = local_midnight_ms(&self.tz, next).min(self.end);
            if end > start {
                cells.push(PeriodSpan { label, start, end });
            }
            (first, label) = cut.first(next);
        }
        cells
    }

    /// Whether the instant is inside the window.
    pub fn contains(&self, ms: i64) -> bool {
        ms >= self.start && ms < self.end
    }

    /// The window for people: `2024-06`, `2024-01 to 2024-12`, `2024-05-15 to 2024-07-09`.
    pub fn title(&self) -> String {
        self.label().replace('_', " to ")
    }

    /// The month label an instant falls in, if it is inside the window.
    pub fn period_of(&self, ms: i64) -> Option<&str> {
        if ms < self.start || ms >= self.end {
            return None;
        }
        let i = self.periods.partition_point(|m| m.end <= ms);
        self.periods.get(i).map(|m| m.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn ts(s: &str) -> i64 {
        parse_timestamp(s, &Tz::UTC).unwrap()
    }

    #[test]
    fn a_window_is_named_after_its_months_whatever_its_periods() {
        for (year, month, cut, want) in [
            (2025, 1, Cut::Year, "2025-01"),
            (2025, 3, Cut::Quarter, "2025-03"),
            (2025, 6, Cut::Week, "2025-06"),
            (2025, 6, Cut::All, "2025-06"),
            (2025, 6, Cut::Month, "2025-06"),
        ] {
            let p = ReportWindow::month(Tz::UTC, year, month)
                .unwrap()
                .recut(cut);
            assert_eq!(p.label(), want, "{cut:?}");
            assert_eq!(p.title(), want);
        }
        let year = ReportWindow::from_dates(
            Tz::UTC,
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
        .unwrap()
        .recut(Cut::Quarter);
        assert_eq!(year.label(), "2025-01_2025-12");
        assert_eq!(year.title(), "2025-01 to 2025-12");
    }

    #[test]
    fn months_of_a_year_in_utc() {
        let p = ReportWindow::spanning(
            Tz::UTC,
            ts("2024-01-15T10:00:00Z"),
            ts("2024-12-31T23:59:00Z"),
        )
        .unwrap();
        assert_eq!(p.periods.len(), 12);
        assert_eq!(p.periods[1].label, "2024-02");
        assert_eq!(p.periods[1].minutes(), 29.0 * 1440.0);
        assert_eq!(p.minutes(), 366.0 * 1440.0);
        assert_eq!(p.label(), "2024-01_2024-12");
    }

    #[test]
    fn dst_months_in_berlin_have_their_true_length() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let march = ReportWindow::month(berlin, 2024, 3).unwrap();
        // March 2024 loses an hour on the 31st.
        assert_eq!(march.minutes(), 31.0 * 1440.0 - 60.0);
        assert_eq!(march.start, ts("2024-02-29T23:00:00Z"));
        assert_eq!(march.end, ts("2024-03-31T22:00:00Z"));
        let october = ReportWindow::month(berlin, 2024, 10).unwrap();
        assert_eq!(october.minutes(), 31.0 * 1440.0 + 60.0);
        assert_eq!(october.label(), "2024-10");
    }

    #[test]
    fn from_and_to_clip_the_months() {
        let p = ReportWindow::from_dates(
            Tz::UTC,
            NaiveDate::from_ymd_opt(2024, 5, 15).unwrap(),
            NaiveDate::from_ymd_opt(2024, 7, 10).unwrap(),
        )
        .unwrap();
        let labels: Vec<_> = p.periods.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["2024-05", "2024-06", "2024-07"]);
        assert_eq!(p.periods[0].minutes(), 17.0 * 1440.0);
        assert_eq!(p.periods[2].minutes(), 9.0 * 1440.0);
        assert_eq!(p.label(), "2024-05-15_2024-07-09");
        assert_eq!(p.period_of(ts("2024-06-30T23:59:59Z")), Some("2024-06"));
        assert_eq!(p.period_of(ts("2024-07-10T00:00:00Z")), None);
    }

    #[test]
    fn inverted_window_is_refused() {
        let d = NaiveDate::from_ymd_opt(2024, 5, 15).unwrap();
        assert!(ReportWindow::from_dates(Tz::UTC, d, d).is_err());
    }

    #[test]
    fn last_days_end_with_the_window_and_keep_dst_lengths() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let march = ReportWindow::month(berlin, 2024, 3).unwrap();
        let days = march.last_days(3);
        let labels: Vec<_> = days.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["2024-03-29", "2024-03-30", "2024-03-31"]);
        // The 31st has 23 hours; the days are contiguous and end with the window.
        assert_eq!(days[2].minutes(), 23.0 * 60.0);
        assert_eq!(days[1].end, days[2].start);
        assert_eq!(days[2].end, march.end);
        // Asking for more days than the window has gives the window's days only.
        let all = march.last_days(90);
        assert_eq!(all.len(), 31);
        assert_eq!(all[0].start, march.start);
        assert_eq!(
            all.iter().map(PeriodSpan::minutes).sum::<f64>(),
            march.minutes()
        );
        // A window cut mid-day: the first day is clipped.
        let cut = ReportWindow::new(
            Tz::UTC,
            ts("2024-06-01T12:00:00Z"),
            ts("2024-06-03T00:00:00Z"),
        )
        .unwrap();
        let days = cut.last_days(90);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].minutes(), 720.0);
    }

    #[test]
    fn the_month_before_a_window() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let jan = ReportWindow::month(berlin, 2025, 1)
            .unwrap()
            .period_before()
            .unwrap();
        assert_eq!(jan.label(), "2024-12");
        // A window starting mid-month: the whole month before the one it starts in.
        let cut = ReportWindow::new(
            Tz::UTC,
            ts("2024-06-15T00:00:00Z"),
            ts("2024-08-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(cut.period_before().unwrap().label(), "2024-05");
    }

    #[test]
    fn weeks_are_iso_weeks_labelled_by_their_week_year() {
        // 2024-12-30 is the Monday of 2025-W01; 2024-12-29 the Sunday ending 2024-W52.
        let p = ReportWindow::new(
            Tz::UTC,
            ts("2024-12-25T00:00:00Z"),
            ts("2025-01-08T00:00:00Z"),
        )
        .unwrap();
        let cells = p.cells(Cut::Week);
        let got: Vec<(&str, i64, i64)> = cells
            .iter()
            .map(|c| (c.label.as_str(), c.start, c.end))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2024-W52",
                    ts("2024-12-25T00:00:00Z"),
                    ts("2024-12-30T00:00:00Z")
                ),
                (
                    "2025-W01",
                    ts("2024-12-30T00:00:00Z"),
                    ts("2025-01-06T00:00:00Z")
                ),
                (
                    "2025-W02",
                    ts("2025-01-06T00:00:00Z"),
                    ts("2025-01-08T00:00:00Z")
                ),
            ]
        );
        // 2021-01-03 (a Sunday) still belongs to 2020-W53.
        let p = ReportWindow::new(
            Tz::UTC,
            ts("2021-01-03T00:00:00Z"),
            ts("2021-01-05T00:00:00Z"),
        )
        .unwrap();
        let labels: Vec<String> = p.cells(Cut::Week).into_iter().map(|c| c.label).collect();
        assert_eq!(labels, ["2020-W53", "2021-W01"]);
    }

    #[test]
    fn quarters_and_years_cut_at_local_midnight_in_a_dst_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let p = ReportWindow::from_dates(
            berlin,
            NaiveDate::from_ymd_opt(2024, 2, 15).unwrap(),
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .unwrap();
        let q = p.cells(Cut::Quarter);
        let labels: Vec<&str> = q.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]);
        // Q1 starts at the window (15 Feb, 00:00 CET); Q2 at 1 April 00:00 CEST (UTC+2), Q4
        // at 1 October 00:00 CEST; the window ends at 1 January 00:00 CET (UTC+1).
        assert_eq!(q[0].start, ts("2024-02-14T23:00:00Z"));
        assert_eq!(q[1].start, ts("2024-03-31T22:00:00Z"));
        assert_eq!(q[0].end, q[1].start);
        assert_eq!(q[3].start, ts("2024-09-30T22:00:00Z"));
        assert_eq!(q[3].end, ts("2024-12-31T23:00:00Z"));
        let y = p.cells(Cut::Year);
        assert_eq!((y.len(), y[0].label.as_str()), (1, "2024"));
        assert_eq!((y[0].start, y[0].end), (p.start, p.end));
        let all = p.cells(Cut::All);
        assert_eq!(
            (all[0].label.as_str(), all[0].start, all[0].end),
            ("all", p.start, p.end)
        );
        assert_eq!(p.cells(Cut::Month), p.periods);
        assert_eq!(Cut::parse(" Quarter "), Some(Cut::Quarter));
        assert_eq!(Cut::parse("fortnight"), None);
    }
}
