//! Time zone abbreviations as status pages print them (`CET`, `PDT`, `IST`, ...), mapped to
//! UTC offsets by a built-in table that `--tz-abbrev ABBR=+HH:MM` can extend or override.
//!
//! Ambiguous abbreviations follow the table: `IST` is India (+05:30, not Irish or Israel),
//! `CST` is US Central (-06:00, not China), `BST` is British Summer Time (+01:00), `AST` is
//! Atlantic (-04:00), `GST` is Gulf (+04:00).

use std::collections::HashMap;

/// `(abbreviation, offset in minutes east of UTC)`.
const TABLE: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("IST", 330),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("SAST", 120),
    ("CAT", 120),
    ("EAT", 180),
    ("WAT", 60),
    ("GST", 240),
    ("PKT", 300),
    ("NPT", 345),
    ("ICT", 420),
    ("WIB", 420),
    ("SGT", 480),
    ("HKT", 480),
    ("PHT", 480),
    ("AWST", 480),
    ("JST", 540),
    ("KST", 540),
    ("ACST", 570),
    ("ACDT", 630),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("HST", -600),
    ("AKST", -540),
    ("AKDT", -480),
    ("PST", -480),
    ("PDT", -420),
    ("MST", -420),
    ("MDT", -360),
    ("CST", -360),
    ("CDT", -300),
    ("EST", -300),
    ("EDT", -240),
    ("AST", -240),
    ("ADT", -180),
    ("NST", -210),
    ("NDT", -150),
    ("BRT", -180),
    ("ART", -180),
];

/// The abbreviations in force: the built-in table plus the user's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviations(HashMap<String, i32>);

impl Default for Abbreviations {
    fn default() -> Self {
        Abbreviations(TABLE.iter().map(|(a, o)| (a.to_string(), *o)).collect())
    }
}

impl Abbreviations {
    /// Offset in minutes east of UTC.
    pub fn offset(&self, abbr: &str) -> Option<i32> {
        self.0.get(&abbr.to_ascii_uppercase()).copied()
    }

    /// Adds or replaces one, from `ABBR=+HH:MM` (or `ABBR=-H`, `ABBR=+HHMM`).
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let bad = || format!("--tz-abbrev '{spec}': expected ABBR=+HH:MM, e.g. IST=+05:30");
        let (abbr, off) = spec.split_once('=').ok_or_else(bad)?;
        let abbr = abbr.trim().to_ascii_uppercase();
        if abbr.is_empty() || !abbr.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let off = off.trim();
        let sign = match off.chars().next() {
            Some('+') => 1,
            Some('-') => -1,
            _ => return Err(bad()),
        };
        let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().map_err(|_| bad())?, 0),
            3 | 4 => {
                let (h, m) = digits.split_at(digits.len() - 2);
                (
                    h.parse::<i32>().map_err(|_| bad())?,
                    m.parse::<i32>().map_err(|_| bad())?,
                )
            }
            _ => return Err(bad()),
        };
        if h > 14 || m > 59 {
            return Err(format!("--tz-abbrev '{spec}': offset out of range"));
        }
        self.0.insert(abbr, sign * (h * 60 + m));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_its_documented_choices() {
        let a = Abbreviations::default();
        assert_eq!(a.offset("CEST"), Some(120));
        assert_eq!(a.offset("pdt"), Some(-420));
        assert_eq!(a.offset("IST"), Some(330));
        assert_eq!(a.offset("CST"), Some(-360));
        assert_eq!(a.offset("BST"), Some(60));
        assert_eq!(a.offset("ACST"), Some(570));
        assert_eq!(a.offset("XYZ"), None);
    }

    #[test]
    fn overrides_replace_and_extend() {
        let mut a = Abbreviations::default();
        a.set("IST=+01:00").unwrap();
        a.set("xyz=-0330").unwrap();
        a.set("ABC=+5").unwrap();
        assert_eq!(a.offset("IST"), Some(60));
        assert_eq!(a.offset("XYZ"), Some(-210));
        assert_eq!(a.offset("ABC"), Some(300));
        assert!(a.set("IST").is_err());
        assert!(a.set("IST=05:30").is_err());
        assert!(a.set("IST=+25:00").is_err());
    }
}
