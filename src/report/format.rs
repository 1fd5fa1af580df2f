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

pub fn opt_minutes(x: Option<f64>) -> String {
    x.map(minutes).unwrap_or_default()
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
    use super::*;

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
