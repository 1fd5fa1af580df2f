//! The SLA view: availability of each vendor per month, with the target as a dashed line and
//! every month below it marked, so misses stand out before anyone reads a number.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, GRID, MISS, SERIES, legend, legend_line, month_label, text};
use crate::model::{AvailScope, AvailabilityRow};

/// One vendor's monthly availability.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub vendor: String,
    /// Per month, in `months` order; `None` where the vendor has no row.
    pub availability: Vec<Option<f64>>,
    pub target: f64,
}

/// Availability by vendor per month.
#[derive(Debug, Clone, PartialEq)]
pub struct Sla {
    pub months: Vec<String>,
    /// What one of `months` is (`month`, `quarter`, ...).
    pub unit: &'static str,
    pub series: Vec<Series>,
    /// Vendors left out (past the [`TOP`] least available).
    pub hidden: usize,
}

/// Vendors drawn at most: the least available over the window.
pub const TOP: usize = 10;

impl Sla {
    /// From `availability.csv` rows: vendor scope, calendar months only.
    pub fn from_rows(rows: &[AvailabilityRow]) -> Sla {
        let mut months: Vec<String> = rows
            .iter()
            .filter(|r| !r.period.is_whole())
            .filter_map(|r| r.period.period().map(str::to_string))
            .collect();
        months.sort();
        months.dedup();
        let mut series: Vec<Series> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| r.scope == AvailScope::Vendor && !r.period.is_whole())
        {
            let i = months
                .iter()
                .position(|m| r.period.period() == Some(m))
                .unwrap_or(0);
            match series.iter_mut().find(|s| s.vendor == r.vendor) {
                Some(s) => s.availability[i] = Some(r.availability_pct),
                None => {
                    let mut availability = vec![None; months.len()];
                    availability[i] = Some(r.availability_pct);
                    series.push(Series {
                        vendor: r.vendor.clone(),
                        availability,
                        target: r.sla_target_pct,
                    });
                }
            }
        }
        let mut hidden = 0;
        if series.len() > TOP {
            let overall = |v: &str| {
                rows.iter()
                    .find(|r| r.scope == AvailScope::Vendor && r.period.is_whole() && r.vendor == v)
                    .map_or(100.0, |r| r.availability_pct)
            };
            series.sort_by(|a, b| {
                overall(&a.vendor)
                    .total_cmp(&overall(&b.vendor))
                    .then_with(|| a.vendor.cmp(&b.vendor))
            });
            hidden = series.len() - TOP;
            series.truncate(TOP);
            series.sort_by(|a, b| a.vendor.cmp(&b.vendor));
        }
        Sla {
            unit: "month",
            months,
            series,
            hidden,
        }
    }

    fn y_range(&self) -> (f64, f64) {
        let low = self
            .series
            .iter()
            .flat_map(|s| s.availability.iter().flatten().copied().chain([s.target]))
            .fold(100.0f64, f64::min);
        // Leave room below the lowest point; never a flat axis.
        let span = (100.0 - low).max(0.05);
        ((low - span * 0.15).max(0.0), 100.0 + span * 0.05)
    }
}

impl Sla {
    /// The title: every vendor, or the least available ones when some are left out.
    fn caption(&self) -> String {
        if self.hidden > 0 {
            format!(
                "Availability by vendor per {}: the {} least available of {}",
                self.unit,
                self.series.len(),
                self.series.len() + self.hidden
            )
        } else {
            format!("Availability by vendor per {}", self.unit)
        }
    }
}

impl Chart for Sla {
    const NAME: &'static str = "sla";

    fn size(&self) -> (u32, u32) {
        (960, 480 + 18 * (self.series.len().saturating_sub(8) as u32))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |x: &dyn std::fmt::Display| x.to_string();
        let n = self.months.len().max(1);
        let (lo, hi) = self.y_range();
        let mut chart = ChartBuilder::on(root)
            .caption(self.caption(), text(22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
            .map_err(|x| e(&x))?;
        let months = self.months.clone();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(n.min(24))
            .x_label_formatter(&|x| month_label(&months, *x))
            .y_label_formatter(&|y| format!("{y:.2}%"))
            .y_desc("availability")
            .x_desc(self.unit)
            .label_style(text(13))
            .axis_desc_style(text(14))
            .draw()
            .map_err(|x| e(&x))?;
        for (k, s) in self.series.iter().enumerate() {
            let colour = SERIES[k % SERIES.len()];
            let points: Vec<(f64, f64)> = s
                .availability
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.map(|a| (i as f64, a)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(|x| e(&x))?
                .label(format!(" {}", s.vendor))
                .legend(legend_line(colour));
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(x, y)| Circle::new((x, y), 3, colour.filled())),
                )
                .map_err(|x| e(&x))?;
            // Misses: a larger red ring around the month.
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|(_, y)| *y < s.target)
                        .map(|&(x, y)| Circle::new((x, y), 7, MISS.stroke_width(2))),
                )
                .map_err(|x| e(&x))?;
        }
        // The targets (usually one), dashed.
        let mut targets: Vec<f64> = self.series.iter().map(|s| s.target).collect();
        targets.sort_by(f64::total_cmp);
        targets.dedup();
        for t in targets {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(-0.5, t), (n as f64 - 0.5, t)],
                    6,
                    4,
                    MISS.stroke_width(1),
                ))
                .map_err(|x| e(&x))?
                .label(format!("target {t}% (ringed: missed)"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], MISS.stroke_width(1)));
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::sla::{Cell, row};

    #[test]
    fn many_vendors_keep_the_least_available() {
        // Twelve vendors, vendor k down k minutes in June: the ten most down are drawn.
        let cell = |down: f64| Cell {
            window_ms: 43_200 * 60_000,
            outage_ms: (down * 60_000.0) as i64,
            downtime_ms: down * 60_000.0,
            by_level_ms: [down * 60_000.0, 0.0, 0.0, 0.0],
            maintenance_ms: 0,
            incidents: 1,
        };
        let mut rows = Vec::new();
        for k in 0..12 {
            let v = format!("V{k:02}");
            for m in ["2024-06", "all"] {
                rows.push(row(
                    AvailScope::Vendor,
                    &v,
                    None,
                    m.into(),
                    cell(k as f64),
                    99.9,
                ));
            }
        }
        let sla = Sla::from_rows(&rows);
        assert_eq!(sla.hidden, 2);
        let names: Vec<&str> = sla.series.iter().map(|s| s.vendor.as_str()).collect();
        assert_eq!(names.first(), Some(&"V02"));
        assert_eq!(names.last(), Some(&"V11"));
        assert_eq!(sla.months, ["2024-06"]);
    }
}
