//! What reading any part of `mttx.toml` needs: the file's name and text, an error naming the
//! key's line, and the checks every section shares (a time zone, a weight, a target).

use chrono_tz::Tz;
use toml::Spanned;

use crate::error::{Error, Result};

/// Line (1-based) of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> u64 {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
}

pub(super) struct Reader<'a> {
    pub(super) name: String,
    pub(super) text: &'a str,
}

impl Reader<'_> {
    pub(super) fn err<T>(&self, span: std::ops::Range<usize>, message: String) -> Result<T> {
        Err(Error::Config {
            source_name: self.name.clone(),
            line: line_of(self.text, span.start),
            message,
        })
    }

    pub(super) fn tz(&self, key: &str, v: &Spanned<String>) -> Result<Tz> {
        v.get_ref().parse().or_else(|_| {
            self.err(
                v.span(),
                format!(
                    "{key} '{}': not an IANA time zone name (e.g. UTC, Europe/Berlin)",
                    v.get_ref()
                ),
            )
        })
    }

    pub(super) fn weight(&self, key: &str, v: &Spanned<f64>) -> Result<f64> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            self.err(
                v.span(),
                format!("{key} = {x}: a weight is between 0 and 1"),
            )
        }
    }

    pub(super) fn target(&self, key: &str, v: &Spanned<f64>) -> Result<f64> {
        let t = *v.get_ref();
        if t > 0.0 && t <= 100.0 {
            Ok(t)
        } else {
            self.err(
                v.span(),
                format!("{key} = {t}: a target is a percentage above 0 and at most 100"),
            )
        }
    }
}
