//! The seeded sample-data generator behind `mttx generate` and `data/incidents.csv`: canonical
//! CSV with realistic shapes (log-normal phase durations, bursts of overlapping incidents,
//! multi-component and vendor-wide incidents, month-crossing and a few open incidents). The
//! same seed always gives the same bytes, on every platform.

use std::fmt::Write;

use crate::time::{MS_PER_MIN, days_from_civil, format_utc};

/// Fictional vendors and their components.
pub const CATALOG: [(&str, &[&str]); 4] = [
    (
        "Acme Cloud",
        &["API", "Dashboard", "Object Storage", "Compute"],
    ),
    ("Globex Payments", &["Checkout", "Payouts", "Webhooks"]),
    ("Initech Identity", &["Login", "SSO", "MFA"]),
    ("Umbrella CDN", &["Edge Network", "DNS", "Purge API"]),
];

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub incidents: usize,
    pub seed: u64,
    pub start_year: i32,
    pub start_month: u32,
    pub months: u32,
    /// Vendors: 4 is the fictional catalog; more are `Vendor 001`.. with 3 to 8 services each,
    /// the first ones having most of the incidents (a fleet).
    pub vendors: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            incidents: 360,
            seed: 7,
            start_year: 2025,
            start_month: 1,
            months: 12,
            vendors: 4,
        }
    }
}

/// Vendors with their components, and how likely each is to have the next incident.
fn catalog(vendors: usize) -> (Vec<(String, Vec<String>)>, Vec<f64>) {
    if vendors <= CATALOG.len() {
        let c = CATALOG
            .iter()
            .take(vendors.max(1))
            .map(|(v, cs)| (v.to_string(), cs.iter().map(|c| c.to_string()).collect()))
            .collect();
        let w = [0.35, 0.25, 0.22, 0.18][..vendors.max(1)].to_vec();
        return (c, w);
    }
    let c = (0..vendors)
        .map(|k| {
            let n = 3 + (k * 7 + 3) % 6;
            (
                format!("Vendor {:03}", k + 1),
                (1..=n).map(|j| format!("Service {j}")).collect(),
            )
        })
        .collect();
    let w = (0..vendors).map(|k| 1.0 / (k as f64 + 2.0)).collect();
    (c, w)
}

/// SplitMix64: tiny, fast, and stable across versions (unlike a library RNG's stream).
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    /// Log-normal with the given median (minutes) and shape.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

fn month_start_ms(year: i32, month0: u32) -> i64 {
    let y = year as i64 + (month0 / 12) as i64;
    let m = month0 % 12 + 1;
    days_from_civil(y, m, 1) * 86_400_000
}

const LEVELS: [&str; 4] = [
    "major_outage",
    "partial_outage",
    "degraded_performance",
    "under_maintenance",
];

fn title(rng: &mut Rng, level: usize, component: &str) -> String {
    let t: &[&str] = match level {
        0 => &[
            "{} unavailable",
            "Outage affecting {}",
            "{} is down for most customers",
        ],
        1 => &[
            "Elevated error rates on {}",
            "Some requests to {} failing",
            "Intermittent {} failures",
        ],
        2 => &[
            "Increased latency for {}",
            "Degraded performance of {}",
            "Delays in {} processing",
        ],
        _ => &["Scheduled maintenance of {}", "Planned {} upgrade"],
    };
    t[rng.below(t.len())].replace("{}", component)
}

/// Rounds to the second, as incident tools export.
fn secs(ms: f64) -> i64 {
    (ms / 1000.0).round() as i64 * 1000
}

/// An incident's start (ms after the window's start) and vendor, before its times are drawn.
struct Draft {
    start: f64,
    vendor: usize,
    crosses_month: bool,
}

/// The incidents' starts, in order: uniform, with bursts that follow an earlier incident of
/// the same vendor, and a few that straddle a month end (23:10 on the last day of a month).
/// `(start, span)`: the window's first instant and its length in ms.
fn drafts(
    opts: &GenOptions,
    rng: &mut Rng,
    weights: &[f64],
    (start, span): (i64, f64),
) -> Vec<Draft> {
    let n = opts.incidents;
    let mut drafts: Vec<Draft> = Vec::with_capacity(n);
    for i in 0..n {
        if i > 0 && rng.unit() < 0.15 {
            let prev = &drafts[rng.below(drafts.len())];
            let s = prev.start + rng.lognormal(40.0, 1.0) * MS_PER_MIN as f64;
            let vendor = prev.vendor;
            drafts.push(Draft {
                start: s.min(span - 3_600_000.0),
                vendor,
                crosses_month: false,
            });
        } else {
            drafts.push(Draft {
                start: rng.unit() * (span - 3_600_000.0),
                vendor: rng.pick(weights),
                crosses_month: false,
            });
        }
    }
    for k in 1..=3usize {
        let i = k * n / 4;
        let month = (k as u32 * 3).min(opts.months.saturating_sub(1));
        if i < n && month > 0 {
            drafts[i].start = (month_start_ms(opts.start_year, opts.start_month - 1 + month)
                - start
                - 50 * MS_PER_MIN) as f64;
            drafts[i].crosses_month = true;
        }
    }
    drafts.sort_by(|a, b| a.start.total_cmp(&b.start));
    drafts
}

/// Canonical CSV of `opts.incidents` incidents.
pub fn generate_csv(opts: &GenOptions) -> String {
    let mut rng = Rng(opts.seed ^ 0x6D74_7478);
    let (catalog, weights) = catalog(opts.vendors);
    let start = month_start_ms(opts.start_year, opts.start_month - 1);
    let end = month_start_ms(opts.start_year, opts.start_month - 1 + opts.months.max(1));
    let span = (end - start) as f64;
    let n = opts.incidents;

    let drafts = drafts(opts, &mut rng, &weights, (start, span));

    let mut out = String::with_capacity(n * 260);
    out.push_str("id,vendor,title,severity,impact,components,started_at,detected_at,acknowledged_at,identified_at,mitigated_at,resolved_at\n");
    for (i, d) in drafts.iter().enumerate() {
        let (vendor, comps) = &catalog[d.vendor];
        let vendor = vendor.as_str();
        let level = rng.pick(&[0.1, 0.34, 0.48, 0.08]);
        let k = rng.pick(&[0.03, 0.65, 0.25, 0.07]);
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < k.min(comps.len()) {
            let c = comps[rng.below(comps.len())].as_str();
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        let severity = match level {
            0 => ["sev1", "sev2"][rng.below(2)],
            1 => ["sev2", "sev3"][rng.below(2)],
            2 => ["sev3", "sev4"][rng.below(2)],
            _ => "sev5",
        };
        let t0 = start as f64 + d.start;
        let min = MS_PER_MIN as f64;
        // Vendors differ: some mitigate much faster than others; maintenance is short.
        let scale = if level == 3 {
            0.3
        } else {
            [1.0, 0.6, 0.35, 0.15][d.vendor % 4]
        };
        let ttd = rng.lognormal(6.0, 0.9) * scale * min;
        let tta = ttd + rng.lognormal(4.0, 0.8) * min;
        let tti = tta + rng.lognormal(18.0, 1.0) * min;
        let ttm = tti
            + if d.crosses_month {
                150.0 * min
            } else {
                rng.lognormal(14.0, 1.1) * scale * min
            };
        let ttr = ttm + rng.lognormal(35.0, 1.0) * min;
        let open = i + 3 >= n;
        let identified_missing = rng.unit() < 0.06;
        let ts = |o: f64| format_utc(secs(t0 + o));
        let id = format!("INC-{:04}", 1001 + i);
        let component = chosen.first().copied().unwrap_or(vendor);
        let _ = writeln!(
            out,
            "{id},{vendor},{},{severity},{},{},{},{},{},{},{},{}",
            csv_field(&title(&mut rng, level, component)),
            LEVELS[level],
            csv_field(&chosen.join(";")),
            ts(0.0),
            ts(ttd),
            ts(tta),
            if identified_missing {
                String::new()
            } else {
                ts(tti)
            },
            if open && i + 1 == n {
                String::new()
            } else {
                ts(ttm)
            },
            if open { String::new() } else { ts(ttr) },
        );
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = generate_csv(&GenOptions::default());
        assert_eq!(a, generate_csv(&GenOptions::default()));
        let b = generate_csv(&GenOptions {
            seed: 8,
            ..GenOptions::default()
        });
        assert_ne!(a, b);
        assert_eq!(a.lines().count(), 361);
    }

    #[test]
    fn a_fleet_of_vendors() {
        let csv = generate_csv(&GenOptions {
            incidents: 2_000,
            vendors: 40,
            ..GenOptions::default()
        });
        let vendors: std::collections::HashSet<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1))
            .collect();
        assert!(vendors.len() > 30, "{}", vendors.len());
        assert!(vendors.contains("Vendor 001"));
    }

    #[test]
    fn lognormal_median_is_the_median() {
        let mut rng = Rng(1);
        let mut v: Vec<f64> = (0..20_001).map(|_| rng.lognormal(10.0, 1.0)).collect();
        v.sort_by(f64::total_cmp);
        assert!((v[10_000] - 10.0).abs() < 0.5, "{}", v[10_000]);
    }
}
