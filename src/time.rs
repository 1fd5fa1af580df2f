//! Instants as integer milliseconds since the Unix epoch (UTC): parsing the timestamps of the
//! contract (RFC 3339 with `T` or a space, optional fraction, `Z` or an offset, or naive local
//! times read in the report time zone) with messages that name what is wrong, and printing
//! them back as RFC 3339 UTC.

use chrono::{LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

pub const MS_PER_MIN: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: `(year, month, day)`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Formats an instant as RFC 3339 UTC: `2024-06-03T14:05:00Z`, with `.mmm` only when the
/// instant has milliseconds.
pub fn format_utc(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

/// [`format_utc`] appended to `out`, without allocating (the writers of large files use it).
pub fn push_utc(out: &mut Vec<u8>, ms: i64) {
    UtcWriter::default().push(out, ms);
}

/// [`push_utc`] remembering the last day it wrote: a large file's times fall on a few days
/// each (a row's six, and rows in time order), whose date is then copied, not worked out.
#[derive(Debug, Clone, Copy)]
pub struct UtcWriter {
    day: i64,
    /// `YYYY-MM-DDT` of `day`.
    date: [u8; 11],
}

impl Default for UtcWriter {
    fn default() -> UtcWriter {
        UtcWriter {
            day: i64::MIN,
            date: [0; 11],
        }
    }
}

impl UtcWriter {
    pub fn push(&mut self, out: &mut Vec<u8>, ms: i64) {
        let days = ms.div_euclid(MS_PER_DAY);
        let rem = ms.rem_euclid(MS_PER_DAY);
        let digit = |v: i64| b'0' + v as u8;
        if days != self.day {
            let (y, m, d) = civil_from_days(days);
            if !(0..=9999).contains(&y) {
                out.extend_from_slice(format_utc(ms).as_bytes());
                return;
            }
            let (m, d) = (i64::from(m), i64::from(d));
            self.date = [
                digit(y / 1000),
                digit(y / 100 % 10),
                digit(y / 10 % 10),
                digit(y % 10),
                b'-',
                digit(m / 10),
                digit(m % 10),
                b'-',
                digit(d / 10),
                digit(d % 10),
                b'T',
            ];
            self.day = days;
        }
        out.extend_from_slice(&self.date);
        let (h, mi, s) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60);
        out.extend_from_slice(&[
            digit(h / 10),
            digit(h % 10),
            b':',
            digit(mi / 10),
            digit(mi % 10),
            b':',
            digit(s / 10),
            digit(s % 10),
        ]);
        let milli = rem % 1000;
        if milli != 0 {
            out.extend_from_slice(&[
                b'.',
                digit(milli / 100),
                digit(milli / 10 % 10),
                digit(milli % 10),
            ]);
        }
        out.push(b'Z');
    }
}

/// The instant of a timestamp written exactly as [`format_utc`] writes a whole second
/// (`2024-06-03T14:05:00Z`, 20 bytes, year 0001 to 9999), or `None` for any other text: the
/// fast path of the CSV reader, whose text for such a value is then the value's own.
pub fn parse_canonical_utc(b: &[u8]) -> Option<i64> {
    let b: &[u8; 20] = b.try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[19] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if y == 0 || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(i64::from(y), mo) {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    Some(days * MS_PER_DAY + (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1000)
}

/// The UTC instant of a local wall-clock time in `tz`. An ambiguous time (the hour repeated when
/// clocks go back) is read as the earlier instant; a time the clocks skip (spring forward) is
/// read with the offset in force just before the change.
pub fn local_to_utc_ms(tz: &Tz, local: NaiveDateTime) -> i64 {
    let utc_guess = local.and_utc().timestamp_millis();
    if *tz == Tz::UTC {
        return utc_guess;
    }
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp_millis(),
        LocalResult::Ambiguous(a, b) => a.timestamp_millis().min(b.timestamp_millis()),
        LocalResult::None => {
            let before = local - chrono::Duration::days(1);
            let offset = tz.offset_from_utc_datetime(&before).fix();
            utc_guess - offset.local_minus_utc() as i64 * 1000
        }
    }
}

/// Local midnight at the start of `date` in `tz`, as a UTC instant.
pub fn local_midnight_ms(tz: &Tz, date: NaiveDate) -> i64 {
    local_to_utc_ms(tz, date.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(tz: &Tz, ms: i64) -> NaiveDate {
    let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    utc.with_timezone(tz).date_naive()
}

/// The local wall-clock time of an instant in `tz`.
pub fn local_datetime(tz: &Tz, ms: i64) -> NaiveDateTime {
    let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    utc.with_timezone(tz).naive_local()
}

/// A cursor over the bytes of one timestamp.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as u32;
        }
        self.i += n;
        Some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn not_a_timestamp() -> String {
    "not a timestamp (expected RFC 3339 such as 2024-06-03T14:05:00Z, or YYYY-MM-DD HH:MM[:SS])"
        .to_string()
}

/// A timestamp's offset in minutes east of UTC: `Z`, `UTC`, `GMT` (0), `+HH[:MM]` or
/// `-HH[:MM]`; `None` for no offset (the report time zone's local time).
#[inline]
fn offset_minutes(rest: &str) -> Result<Option<i64>, String> {
    Ok(match rest {
        "" => None,
        "Z" | "z" | "UTC" | "GMT" => Some(0),
        r if r.starts_with('+') || r.starts_with('-') => {
            let sign = if r.starts_with('-') { -1 } else { 1 };
            let mut oc = Cur {
                b: &r.as_bytes()[1..],
                i: 0,
            };
            let oh = oc.digits(2).ok_or_else(not_a_timestamp)?;
            oc.eat(b':');
            let om = if oc.i < oc.b.len() {
                oc.digits(2).ok_or_else(not_a_timestamp)?
            } else {
                0
            };
            if oc.i != oc.b.len() {
                return Err(not_a_timestamp());
            }
            if oh > 23 || om > 59 {
                return Err(format!("offset {r} does not exist"));
            }
            Some(sign * (oh as i64 * 60 + om as i64))
        }
        _ => return Err(not_a_timestamp()),
    })
}

/// Parses one timestamp into UTC milliseconds; naive timestamps are read in `tz`.
///
/// Accepted: `YYYY-MM-DD`, then `T`, `t` or a space, `HH:MM`, optional `:SS`, optional `.fff`
/// (any number of digits; milliseconds kept), then `Z`, `±HH:MM`, `±HHMM`, `±HH`, ` UTC` or
/// nothing (naive). A bare date is midnight. The error says what is wrong, e.g.
/// `month 13 does not exist`.
pub fn parse_timestamp(s: &str, tz: &Tz) -> Result<i64, String> {
    let t = s.trim();
    let mut c = Cur {
        b: t.as_bytes(),
        i: 0,
    };
    let y = c.digits(4).ok_or_else(not_a_timestamp)?;
    if !c.eat(b'-') {
        return Err(not_a_timestamp());
    }
    let mo = c.digits(2).ok_or_else(not_a_timestamp)?;
    if !c.eat(b'-') {
        return Err(not_a_timestamp());
    }
    let d = c.digits(2).ok_or_else(not_a_timestamp)?;
    if y == 0 {
        return Err("year 0 does not exist".into());
    }
    if !(1..=12).contains(&mo) {
        return Err(format!("month {mo} does not exist"));
    }
    let dim = days_in_month(y as i64, mo);
    if d == 0 || d > dim {
        return Err(format!(
            "day {d} does not exist in {} {y}",
            MONTH_NAMES[mo as usize - 1]
        ));
    }
    let (mut h, mut mi, mut sec, mut milli) = (0u32, 0u32, 0u32, 0u32);
    if matches!(c.peek(), Some(b'T' | b't' | b' ')) {
        c.i += 1;
        h = c.digits(2).ok_or_else(not_a_timestamp)?;
        if !c.eat(b':') {
            return Err(not_a_timestamp());
        }
        mi = c.digits(2).ok_or_else(not_a_timestamp)?;
        if c.eat(b':') {
            sec = c.digits(2).ok_or_else(not_a_timestamp)?;
            if c.eat(b'.') || c.eat(b',') {
                let start = c.i;
                let mut scale = 100;
                while let Some(ch) = c.peek().filter(u8::is_ascii_digit) {
                    milli += (ch - b'0') as u32 * scale;
                    scale /= 10;
                    c.i += 1;
                }
                if c.i == start {
                    return Err(not_a_timestamp());
                }
            }
        }
        if h > 23 {
            return Err(format!("hour {h} does not exist"));
        }
        if mi > 59 {
            return Err(format!("minute {mi} does not exist"));
        }
        if sec > 59 {
            return Err(format!("second {sec} does not exist"));
        }
    }
    // Offset: optional single space, then Z / UTC / GMT / ±HH[:MM] / nothing.
    let rest = &t[c.i..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let offset_min = offset_minutes(rest)?;
    let local_ms = days_from_civil(y as i64, mo, d) * MS_PER_DAY
        + (h as i64 * 3600 + mi as i64 * 60 + sec as i64) * 1000
        + milli as i64;
    Ok(match offset_min {
        Some(off) => local_ms - off * MS_PER_MIN,
        None if *tz == Tz::UTC => local_ms,
        None => {
            let naive = chrono::DateTime::from_timestamp_millis(local_ms)
                .expect("year 1..9999 is in range")
                .naive_utc();
            local_to_utc_ms(tz, naive)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64, String> {
        parse_timestamp(s, &Tz::UTC)
    }

    const T0: i64 = 1_717_423_500_000; // 2024-06-03T14:05:00Z

    #[test]
    fn push_utc_writes_what_format_utc_does() {
        let mut ms = -70_000_000_000_000i64;
        while ms < 300_000_000_000_000 {
            for d in [0, 1, 999, 1000, 59_999, 86_399_999] {
                let mut v = Vec::new();
                push_utc(&mut v, ms + d);
                assert_eq!(String::from_utf8(v).unwrap(), format_utc(ms + d));
            }
            ms += 987_654_321_017;
        }
        let mut v = Vec::new();
        push_utc(&mut v, T0 + 7);
        assert_eq!(v, b"2024-06-03T14:05:00.007Z");
        // One writer across days, back and forth, and out of range and back: each time as
        // format_utc writes it.
        let mut w = UtcWriter::default();
        for ms in [
            T0,
            T0 + 1,
            T0 + 86_400_000,
            T0,
            -70_000_000_000_000,
            T0 - 1,
            300_000_000_000_000,
            T0 + 86_399_999,
        ] {
            let mut v = Vec::new();
            w.push(&mut v, ms);
            assert_eq!(String::from_utf8(v).unwrap(), format_utc(ms), "{ms}");
        }
    }

    #[test]
    fn canonical_text_parses_as_the_general_parser_does_and_nothing_else() {
        for text in [
            "2024-06-03T14:05:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T12:00:59Z",
        ] {
            let ms = parse_canonical_utc(text.as_bytes()).unwrap();
            assert_eq!(Ok(ms), p(text), "{text}");
            assert_eq!(format_utc(ms), text);
        }
        // Other forms (valid or not) are left to the general parser.
        for text in [
            "2024-06-03T14:05:00.5Z",
            "2024-06-03 14:05:00Z",
            "2024-06-03T14:05:00+00",
            " 2024-06-03T14:05:00Z",
            "2023-02-29T12:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-06-03T24:00:00Z",
            "2024-06-03T00:60:00Z",
            "2024-06-03T00:00:60Z",
            "0000-06-03T00:00:00Z",
            "2024-06-0xT00:00:00Z",
            "2024-06-03T14:05:00z",
        ] {
            assert_eq!(parse_canonical_utc(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
    }

    #[test]
    fn rfc3339_variants_are_the_same_instant() {
        for s in [
            "2024-06-03T14:05:00Z",
            "2024-06-03 14:05:00Z",
            "2024-06-03t14:05:00z",
            "2024-06-03T14:05Z",
            "2024-06-03T16:05:00+02:00",
            "2024-06-03T16:05:00+0200",
            "2024-06-03T16:05:00+02",
            "2024-06-03T09:05:00-05:00",
            "2024-06-03 14:05:00+00:00",
            "2024-06-03 14:05:00 UTC",
            "2024-06-03 14:05",
            "2024-06-03 14:05:00",
            "  2024-06-03T14:05:00.000Z ",
        ] {
            assert_eq!(p(s), Ok(T0), "{s}");
        }
    }

    #[test]
    fn fractional_seconds_keep_milliseconds() {
        assert_eq!(p("2024-06-03T14:05:00.5Z"), Ok(T0 + 500));
        assert_eq!(p("2024-06-03T14:05:00.123456789Z"), Ok(T0 + 123));
        assert_eq!(p("2024-06-03T14:05:00,25Z"), Ok(T0 + 250));
    }

    #[test]
    fn bare_date_is_midnight() {
        assert_eq!(p("2024-06-03"), Ok(T0 - (14 * 60 + 5) * MS_PER_MIN));
    }

    #[test]
    fn impossible_values_are_named() {
        assert_eq!(p("2024-13-01"), Err("month 13 does not exist".into()));
        assert_eq!(p("2024-00-01"), Err("month 0 does not exist".into()));
        assert_eq!(
            p("2023-02-29 10:00"),
            Err("day 29 does not exist in February 2023".into())
        );
        assert!(p("2024-02-29 10:00").is_ok());
        assert_eq!(
            p("2024-06-03T25:00:00Z"),
            Err("hour 25 does not exist".into())
        );
        assert_eq!(
            p("2024-06-03T10:60:00Z"),
            Err("minute 60 does not exist".into())
        );
        assert_eq!(
            p("0000-06-03T10:00:00Z"),
            Err("year 0 does not exist".into())
        );
        assert_eq!(
            p("2024-06-03T10:00:00+25:00"),
            Err("offset +25:00 does not exist".into())
        );
        for bad in [
            "yesterday",
            "2024/06/03 10:00",
            "2024-06-03T10",
            "2024-06-03T10:00 PDT",
            "",
        ] {
            assert!(p(bad).unwrap_err().starts_with("not a timestamp"), "{bad}");
        }
    }

    #[test]
    fn naive_times_are_read_in_the_report_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Summer: CEST = UTC+2.
        assert_eq!(parse_timestamp("2024-06-03 16:05", &berlin), Ok(T0));
        // An explicit offset wins over the zone.
        assert_eq!(parse_timestamp("2024-06-03T14:05:00Z", &berlin), Ok(T0));
        // 2024-10-27 02:30 happens twice in Berlin: the earlier (CEST, 00:30 UTC) is taken.
        assert_eq!(
            parse_timestamp("2024-10-27 02:30", &berlin),
            p("2024-10-27T00:30:00Z")
        );
        // 2024-03-31 02:30 never happens in Berlin: read with the offset before (CET, +1).
        assert_eq!(
            parse_timestamp("2024-03-31 02:30", &berlin),
            p("2024-03-31T01:30:00Z")
        );
    }

    #[test]
    fn format_is_rfc3339_utc() {
        assert_eq!(format_utc(T0), "2024-06-03T14:05:00Z");
        assert_eq!(format_utc(T0 + 7), "2024-06-03T14:05:00.007Z");
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    }
}
