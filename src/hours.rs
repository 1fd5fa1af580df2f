//! Business hours of an SLA (`hours = "Mon-Fri 08:00-18:00"` in `mttx.toml`): the weekly
//! wall-clock hours, in their own time zone, that a contract counts. Turns a span of instants
//! into the intervals inside those hours, so downtime and the window are both measured there;
//! wall-clock hours keep their local meaning across DST changes.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use crate::time::{local_date, local_to_utc_ms};

/// Weekly hours: the days they apply on and one daily span `[start, end)` in minutes after
/// local midnight (`end` may be 1440).
#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    pub text: String,
    /// Monday first.
    pub days: [bool; 7],
    pub start_min: u32,
    pub end_min: u32,
    pub tz: Tz,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day(s: &str) -> Result<usize, String> {
    let d = s.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|x| d.starts_with(x) && x.len() <= d.len())
        .ok_or_else(|| format!("'{}' is not a day (Mon, Tue, ... Sun)", s.trim()))
}

fn clock(s: &str) -> Result<u32, String> {
    let (h, m) = s
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("'{}' is not a time (HH:MM)", s.trim()))?;
    let (h, m): (u32, u32) = (
        h.parse()
            .map_err(|_| format!("'{}' is not a time (HH:MM)", s.trim()))?,
        m.parse()
            .map_err(|_| format!("'{}' is not a time (HH:MM)", s.trim()))?,
    );
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(format!("'{}' is not a time of day", s.trim()));
    }
    Ok(h * 60 + m)
}

impl Hours {
    /// Parses `Mon-Fri 08:00-18:00`, `Mon,Wed,Fri 09:00-17:00` or `Sat-Sun 00:00-24:00`.
    pub fn parse(text: &str, tz: Tz) -> Result<Hours, String> {
        let (days_text, times) = text.trim().rsplit_once(' ').ok_or_else(|| {
            format!("'{text}': expected days and hours, like 'Mon-Fri 08:00-18:00'")
        })?;
        let mut days = [false; 7];
        for part in days_text.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    let mut d = a;
                    loop {
                        days[d] = true;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                None => days[day(part)?] = true,
            }
        }
        let (a, b) = times
            .split_once('-')
            .ok_or_else(|| format!("'{times}': expected hours like 08:00-18:00"))?;
        let (start_min, end_min) = (clock(a)?, clock(b)?);
        if end_min <= start_min {
            return Err(format!(
                "'{times}': the hours must end after they start (no overnight spans)"
            ));
        }
        Ok(Hours {
            text: text.trim().to_string(),
            days,
            start_min,
            end_min,
            tz,
        })
    }

    /// The parts of `[start, end)` inside these hours, in order.
    pub fn intervals(&self, start: i64, end: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        if end <= start {
            return out;
        }
        let mut d: NaiveDate = local_date(&self.tz, start) - Duration::days(1);
        let last = local_date(&self.tz, end - 1) + Duration::days(1);
        while d <= last {
            let wd = d.weekday().num_days_from_monday() as usize;
            if self.days[wd] {
                let at = |min: u32| {
                    local_to_utc_ms(
                        &self.tz,
                        d.and_hms_opt(0, 0, 0).expect("midnight exists")
                            + Duration::minutes(min as i64),
                    )
                };
                let (a, b) = (at(self.start_min).max(start), at(self.end_min).min(end));
                if b > a {
                    out.push((a, b));
                }
            }
            d += Duration::days(1);
        }
        out
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
    fn weekdays_and_hours_parse() {
        let h = Hours::parse("Mon-Fri 08:00-18:00", Tz::UTC).unwrap();
        assert_eq!(h.days, [true, true, true, true, true, false, false]);
        assert_eq!((h.start_min, h.end_min), (480, 1080));
        let w = Hours::parse("Sat-Sun 00:00-24:00", Tz::UTC).unwrap();
        assert_eq!(w.days, [false, false, false, false, false, true, true]);
        let list = Hours::parse("Mon,Wed,Fri 09:00-17:30", Tz::UTC).unwrap();
        assert_eq!(list.days, [true, false, true, false, true, false, false]);
        // Wrapping range: Fri-Mon.
        let wrap = Hours::parse("Fri-Mon 10:00-11:00", Tz::UTC).unwrap();
        assert_eq!(wrap.days, [true, false, false, false, true, true, true]);
        for bad in [
            "Mon-Fri",
            "Funday 08:00-18:00",
            "Mon 18:00-08:00",
            "Mon 25:00-26:00",
        ] {
            assert!(Hours::parse(bad, Tz::UTC).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_week_has_fifty_business_hours() {
        let h = Hours::parse("Mon-Fri 08:00-18:00", Tz::UTC).unwrap();
        // 2024-06-03 is a Monday.
        let iv = h.intervals(ts("2024-06-03T00:00:00Z"), ts("2024-06-10T00:00:00Z"));
        assert_eq!(iv.len(), 5);
        let total: i64 = iv.iter().map(|(a, b)| b - a).sum();
        assert_eq!(total, 50 * 3_600_000);
        // A span from Monday 17:00 to Tuesday 09:00 has two business hours.
        let iv = h.intervals(ts("2024-06-03T17:00:00Z"), ts("2024-06-04T09:00:00Z"));
        assert_eq!(
            iv,
            vec![
                (ts("2024-06-03T17:00:00Z"), ts("2024-06-03T18:00:00Z")),
                (ts("2024-06-04T08:00:00Z"), ts("2024-06-04T09:00:00Z")),
            ]
        );
    }

    #[test]
    fn local_hours_hold_across_a_dst_change() {
        // Berlin moves to summer time on Sunday 2024-03-31. Business hours stay 08:00-18:00
        // local: 07:00-17:00 UTC on Friday the 29th, 06:00-16:00 UTC on Monday 1 April.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let h = Hours::parse("Mon-Fri 08:00-18:00", berlin).unwrap();
        let iv = h.intervals(ts("2024-03-29T00:00:00Z"), ts("2024-04-02T00:00:00Z"));
        assert_eq!(
            iv,
            vec![
                (ts("2024-03-29T07:00:00Z"), ts("2024-03-29T17:00:00Z")),
                (ts("2024-04-01T06:00:00Z"), ts("2024-04-01T16:00:00Z")),
            ]
        );
    }
}
