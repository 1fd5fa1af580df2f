//! Number formatting shared by every renderer: minutes with at most 3 decimals, percentages
//! with at most 6, trailing zeros dropped, never `-0`.

/// `x` rounded to `decimals` places (at most 9), without trailing zeros: `12.5`, `60`, `0.333`.
///
/// The value is first snapped to 9 decimals, so float noise (`37.23749999999999`) cannot decide
/// a tie, then rounded half away from zero: the decimal a person computing by hand would write,
/// whatever order an implementation summed in.
pub fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let decimals = decimals.min(9);
    let Some(units) = nano_units(x.abs()) else {
        return num_by_text(x, decimals);
    };
    let q = 10u128.pow(9 - decimals as u32);
    let r = (units + q / 2) / q;
    let scale = 10u128.pow(decimals as u32);
    let (int, mut frac) = (r / scale, r % scale);
    let mut out = String::with_capacity(24);
    if x < 0.0 && r != 0 {
        out.push('-');
    }
    out.push_str(&int.to_string());
    if frac != 0 {
        // The decimals without trailing zeros.
        let mut width = decimals;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        out.push('.');
        let digits = frac.to_string();
        out.extend(std::iter::repeat_n('0', width - digits.len()));
        out.push_str(&digits);
    }
    out
}

/// `a` (finite, not negative) in billionths, as `format!("{a:.9}")` writes it (the exact
/// binary value rounded half to even), worked out with integers: `a` is `m * 2^e` exactly, so
/// `a * 10^9` is `m * 10^9` shifted. `None` when that does not fit in 128 bits (`a` above
/// about 10^21).
fn nano_units(a: f64) -> Option<u128> {
    let bits = a.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | 1u64 << 52, exp - 1075)
    };
    let n = u128::from(m) * 1_000_000_000; // below 2^83
    if e >= 0 {
        return (e <= 44).then(|| n << e);
    }
    let s = e.unsigned_abs();
    if s > 100 {
        // Below half a billionth.
        return Some(0);
    }
    let q = n >> s;
    let rem = n - (q << s);
    let half = 1u128 << (s - 1);
    Some(if rem > half || (rem == half && q % 2 == 1) {
        q + 1
    } else {
        q
    })
}

/// [`num`] through the text of `{:.9}`: for values too large for [`nano_units`].
fn num_by_text(x: f64, decimals: usize) -> String {
    let nine = format!("{:.9}", x.abs());
    let (int, frac) = nine.split_once('.').unwrap_or((&nine, "0"));
    let units =
        int.parse::<i128>().unwrap_or(0) * 1_000_000_000 + frac.parse::<i128>().unwrap_or(0);
    let q = 10i128.pow(9 - decimals as u32);
    let r = (units + q / 2) / q;
    let scale = 10i128.pow(decimals as u32);
    let mut out = if decimals == 0 {
        r.to_string()
    } else {
        let s = format!("{}.{:0width$}", r / scale, r % scale, width = decimals);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if x < 0.0 && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// [`num`] as a number again (for JSON), so JSON and CSV always agree.
pub fn rounded(x: f64, decimals: usize) -> f64 {
    num(x, decimals).parse().unwrap_or(x)
}

pub fn minutes(x: f64) -> String {
    num(x, 3)
}

pub fn pct(x: f64) -> String {
    num(x, 6)
}

/// An availability as a reader compares it against its SLA: three decimals, six where three
/// would hide a miss (99.8999 is not 99.900).
pub fn availability(a: &crate::model::AvailabilityRow) -> String {
    let short = pct3(a.availability_pct);
    if !a.sla_met && short.parse::<f64>().unwrap_or(0.0) >= a.sla_target_pct {
        pct(a.availability_pct)
    } else {
        short
    }
}

/// A percentage as a reader compares it (the terminal and report.html; files keep [`pct`]'s 6
/// decimals): 3 decimals, and never `100` for less than 100 (99.9996 is `99.999`).
pub fn pct3(x: f64) -> String {
    let r = rounded(x, 3);
    if r >= 100.0 && x < 100.0 {
        "99.999".into()
    } else {
        num(x, 3)
    }
}

pub fn opt_minutes(x: Option<f64>) -> String {
    x.map(minutes).unwrap_or_default()
}

/// Milliseconds up to which [`push_minutes_of_ms`] computes with integers: 1,000,000 minutes
/// (almost two years), where a float's error is still far below the 9th decimal [`num`] snaps
/// to. Longer durations take [`num`] itself.
const FAST_MS: i64 = 1_000_000 * 60_000;

/// `minutes(ms / 60000)` for a whole number of milliseconds, appended to `out` with integer
/// arithmetic: the same text as [`minutes`] (a test compares them), without allocating.
pub fn push_minutes_of_ms(out: &mut Vec<u8>, ms: i64) {
    if !(0..=FAST_MS).contains(&ms) {
        out.extend_from_slice(minutes(ms as f64 / 60_000.0).as_bytes());
        return;
    }
    // Thousandths of a minute, half away from zero.
    let th = (ms + 30) / 60;
    push_uint(out, (th / 1000) as u64);
    let frac = th % 1000;
    if frac != 0 {
        let digits = [
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let keep = if frac % 10 != 0 {
            3
        } else if frac % 100 != 0 {
            2
        } else {
            1
        };
        out.push(b'.');
        out.extend_from_slice(&digits[..keep]);
    }
}

/// A non-negative integer's decimal digits appended to `out`.
pub fn push_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A duration in minutes as people say it: `45 s`, `12 min`, `2 h 05 min`, `3 d 4 h`.
pub fn duration(min: f64) -> String {
    if !min.is_finite() || min < 0.0 {
        return String::new();
    }
    let secs = (min * 60.0).round() as i64;
    if secs < 60 {
        return format!("{secs} s");
    }
    if min < 9.95 {
        return format!("{} min", num(min, 1));
    }
    let m = min.round() as i64;
    if m < 60 {
        format!("{m} min")
    } else if m < 1440 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        let h = (m + 30) / 60;
        format!("{} d {} h", h / 24, h % 24)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn percentages_for_readers_have_three_decimals_and_never_round_up_to_100() {
        assert_eq!(super::pct3(99.673012), "99.673");
        assert_eq!(super::pct3(99.9996), "99.999");
        assert_eq!(super::pct3(100.0), "100");
        assert_eq!(super::pct3(99.76), "99.76");
    }

    use super::*;

    #[test]
    fn numbers_worked_out_with_integers_match_the_text_of_format() {
        let check = |x: f64| {
            for d in [0, 1, 3, 6, 9] {
                assert_eq!(num(x, d), num_by_text(x, d), "{x:e} to {d} decimals");
            }
        };
        // Exact ties of the 9th decimal (k / 1024: 976562.5 billionths for k = 1), ties of the
        // rounding to fewer decimals, float noise, signs, zero, tiny and huge values.
        for k in [1i32, 3, 5, 7, 1023, 1025, 2047] {
            check(f64::from(k) / 1024.0);
            check(-f64::from(k) / 1024.0);
        }
        for x in [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.0005,
            0.0015,
            37.2375,
            37.23749999999999,
            99.9999995,
            -0.0004,
            -0.0005,
            1e-10,
            4.9e-10,
            5e-10,
            5.1e-10,
            1e-300,
            5e-324,
            123_456_789.123_456_78,
            1e15,
            9.007199254740993e15,
            1e20,
            1e22,
            1e300,
        ] {
            check(x);
            check(-x);
        }
        // A spread of values: every few thousand doubles across 1e-12 to 1e23.
        let mut x = 1e-12f64;
        while x < 1e23 {
            check(x);
            check(-x);
            check(x * 100.0 / 3.0);
            x = f64::from_bits(x.to_bits() + 9_000_000_000_049);
        }
        assert_eq!(
            num(1.0 / 1024.0, 9),
            "0.000976562",
            "half to even: ...62.5 to ...62"
        );
        assert_eq!(
            num(3.0 / 1024.0, 9),
            "0.002929688",
            "half to even: ...87.5 to ...88"
        );
        assert_eq!(num(-0.0004, 3), "0", "never -0");
        assert_eq!(num(12.5, 3), "12.5");
        assert_eq!(num(60.0, 3), "60");
    }

    #[test]
    fn minutes_of_whole_milliseconds_match_num() {
        let check = |ms: i64| {
            let mut fast = Vec::new();
            push_minutes_of_ms(&mut fast, ms);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                minutes(ms as f64 / 60_000.0),
                "{ms} ms"
            );
        };
        // Every millisecond of the first three hours (each rounding case, ties included),
        // then a spread up to and past the integer path's limit.
        for ms in 0..3 * 3_600_000 {
            check(ms);
        }
        let mut x: i64 = 1;
        while x < 4 * FAST_MS {
            for d in [-31, -30, -29, -1, 0, 1, 29, 30, 31] {
                check((x + d).max(0));
            }
            x = x * 7 / 3 + 13;
        }
        check(FAST_MS);
        check(FAST_MS + 30);
        let mut v = Vec::new();
        push_minutes_of_ms(&mut v, 90_000);
        assert_eq!(v, b"1.5", "hand-computed: 90 s is 1.5 min");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(0.5), "30 s");
        assert_eq!(duration(12.2), "12 min");
        assert_eq!(duration(3.53), "3.5 min");
        assert_eq!(duration(4.0), "4 min");
        assert_eq!(duration(125.0), "2 h 05 min");
        assert_eq!(duration(1578.6), "1 d 2 h");
    }

    #[test]
    fn at_most_the_given_decimals() {
        assert_eq!(minutes(60.0), "60");
        assert_eq!(minutes(12.5), "12.5");
        assert_eq!(minutes(1.0 / 3.0), "0.333");
        assert_eq!(minutes(2.0004), "2");
        assert_eq!(minutes(-0.0001), "0");
        assert_eq!(pct(99.861_111_111_1), "99.861111");
        assert_eq!(pct(100.0), "100");
        assert_eq!(opt_minutes(None), "");
        assert_eq!(minutes(-12.5), "-12.5");
        assert_eq!(num(1234.5, 0), "1235");
    }

    #[test]
    fn ties_round_away_from_zero_whatever_the_float_noise() {
        assert_eq!(minutes(37.2375), "37.238");
        assert_eq!(minutes(37.237_499_999_999_99), "37.238");
        assert_eq!(minutes(37.237_500_000_000_01), "37.238");
        assert_eq!(minutes(37.237_4), "37.237");
        assert_eq!(minutes(0.0005), "0.001");
        assert_eq!(pct(99.999_999_5), "100");
        assert_eq!(rounded(37.2375, 3), 37.238);
    }
}
