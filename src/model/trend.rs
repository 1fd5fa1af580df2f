//! Trend verdicts: whether the last period's change from the one before is distinguishable
//! from noise (computed by `metrics::trend`).

use super::rows::{AvailScope, AvailabilityRow};

/// Whether a change from the period before is distinguishable from noise
/// (`metrics::trend`): with its p-value, or no verdict for too few incidents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Changed(f64),
    Noise(f64),
    TooFew,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Changed(_) => "distinguishable",
            Verdict::Noise(_) => "noise",
            Verdict::TooFew => "too_few_incidents",
        }
    }

    pub fn p(self) -> Option<f64> {
        match self {
            Verdict::Changed(p) | Verdict::Noise(p) => Some(p),
            Verdict::TooFew => None,
        }
    }

    /// For readers: `beyond noise (p = 0.012)`, `within noise (p = 0.43)`, `too few incidents`.
    pub fn describe(self) -> String {
        let p = |p: f64| {
            if p < 0.001 {
                "p < 0.001".to_string()
            } else {
                format!("p = {p:.3}")
            }
        };
        match self {
            Verdict::Changed(x) => format!("beyond noise ({})", p(x)),
            Verdict::Noise(x) => format!("within noise ({})", p(x)),
            Verdict::TooFew => "too few incidents".into(),
        }
    }
}

/// The verdicts of a report's last period against the one before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub last: String,
    pub before: String,
    pub mttd: Verdict,
    pub mttr: Verdict,
    /// All vendors' downtime.
    pub downtime: Verdict,
    /// Each vendor's and component's availability.
    pub availability: Vec<(AvailKey, Verdict)>,
}

/// A vendor or component of the availability rows: `(scope, vendor, component)`.
pub type AvailKey = (AvailScope, String, Option<String>);

impl Trend {
    /// The verdict of a row's availability change.
    pub fn of(&self, a: &AvailabilityRow) -> Option<Verdict> {
        (self.availability.iter())
            .find(|((s, v, c), _)| *s == a.scope && *v == a.vendor && *c == a.component)
            .map(|(_, verdict)| *verdict)
    }
}
