//! Number formatting shared by every renderer: minutes with at most 3 decimals, percentages
//! with at most 6, trailing zeros dropped, never `-0`.

/// `x` rounded to `decimals` places, without trailing zeros: `12.5`, `60`, `0.333`.
pub fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
