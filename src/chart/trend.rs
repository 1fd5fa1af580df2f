//! The monthly trend of MTTD, MTTM and MTTR: the median as a line, the band up to the p90
//! shaded behind it, on a log scale (detection takes minutes, resolution hours).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, GRID, SERIES, legend, legend_line, month_label, text};
use crate::model::{Metric, MetricRow};

/// One metric's monthly median and p90 (`None`: no incident that month had it).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub metric: Metric,
    pub median: Vec<Option<f64>>,
    pub p90: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub months: Vec<String>,
    /// What one of `months` is (`month`, `quarter`, ...).
    pub unit: &'static str,
    pub lines: Vec<Line>,
}

impl Trend {
    /// From `metrics.csv` rows (scope `all`, MTTD, MTTM and MTTR) over the window's `months`,
    /// months without incidents included so the axis keeps calendar spacing.
    pub fn from_rows(rows: &[MetricRow], months: &[String]) -> Trend {
        let of =
            |r: &&MetricRow| r.scope == "all" && r.period.as_ref().is_some_and(|m| !m.is_whole());
        let months = months.to_vec();
        let lines = [Metric::Mttd, Metric::Mttm, Metric::Mttr]
            .into_iter()
            .map(|metric| {
                let mut line = Line {
                    metric,
                    median: vec![None; months.len()],
                    p90: vec![None; months.len()],
                };
                for r in rows.iter().filter(of).filter(|r| r.metric == metric) {
                    let month = r.period.as_ref().and_then(|m| m.period());
                    if let Some(i) = months.iter().position(|m| Some(m.as_str()) == month) {
                        line.median[i] = r.stats.median;
                        line.p90[i] = r.stats.p90;
                    }
                }
                line
            })
            .collect();
        Trend {
            months,
            unit: "month",
            lines,
        }
    }
}

/// Splits points (in month order) into runs of consecutive months.
fn runs_of<T: Copy>(points: &[T], x: impl Fn(&T) -> f64) -> Vec<Vec<T>> {
    let mut runs: Vec<Vec<T>> = Vec::new();
    for p in points {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|q| x(p) - x(q) < 1.5) => run.push(*p),
            _ => runs.push(vec![*p]),
        }
    }
    runs
}

impl Trend {
    /// The title, with how often the points come.
    fn caption(&self) -> String {
        format!(
            "Time to detect, mitigate, resolve: {} median (line) and p90 (band)",
            match self.unit {
                "week" => "weekly",
                "quarter" => "quarterly",
                "year" => "yearly",
                _ => "monthly",
            }
        )
    }

    /// The log axis's range: the smallest value halved to the largest with headroom above it
    /// for the legend; 0.1 to 100 minutes with no value.
    fn y_range(&self) -> (f64, f64) {
        let values = (self.lines.iter())
            .flat_map(|l| l.median.iter().chain(&l.p90).flatten().copied())
            .filter(|v| *v > 0.0);
        let (lo, hi) = values.fold((f64::MAX, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        if hi == 0.0 {
            (0.1, 100.0)
        } else {
            ((lo / 2.0).max(0.01), hi * 6.0)
        }
    }
}

/// A point of a band: the period, the median and the p90.
type BandPoint = (f64, f64, f64);

/// A line's medians as points `(period, minutes)`, and its band where both figures are.
fn points(line: &Line) -> (Vec<(f64, f64)>, Vec<BandPoint>) {
    let median = (line.median.iter().enumerate())
        .filter_map(|(i, v)| v.filter(|v| *v > 0.0).map(|v| (i as f64, v)))
        .collect();
    let both = (line.median.iter().zip(&line.p90).enumerate())
        .filter_map(|(i, (m, p))| match (m, p) {
            (Some(m), Some(p)) if *m > 0.0 => Some((i as f64, *m, p.max(*m))),
            _ => None,
        })
        .collect();
    (median, both)
}

impl Chart for Trend {
    const NAME: &'static str = "trend";

    fn size(&self) -> (u32, u32) {
        (960, 480)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |x: &dyn std::fmt::Display| x.to_string();
        let n = self.months.len().max(1);
        let (lo, hi) = self.y_range();
        let mut chart = ChartBuilder::on(root)
            .caption(self.caption(), text(20))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo..hi).log_scale())
            .map_err(|x| e(&x))?;
        let months = self.months.clone();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(n.min(24))
            .y_labels(12)
            .x_label_formatter(&|x| month_label(&months, *x))
            .y_label_formatter(&|y| {
                if *y >= 1.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y:.2}")
                }
            })
            .y_desc("minutes (log scale)")
            .x_desc(format!("{} the incidents started", self.unit))
            .label_style(text(13))
            .axis_desc_style(text(14))
            .draw()
            .map_err(|x| e(&x))?;
        for (k, line) in self.lines.iter().enumerate() {
            let colour = SERIES[k % SERIES.len()];
            let (median, both) = points(line);
            // Band: median up to p90, where both exist, one polygon per run of months.
            for run in runs_of(&both, |b| b.0) {
                if run.len() < 2 {
                    continue;
                }
                let mut band: Vec<(f64, f64)> = run.iter().map(|&(x, _, p)| (x, p)).collect();
                band.extend(run.iter().rev().map(|&(x, m, _)| (x, m)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        colour.mix(0.18).filled(),
                    )))
                    .map_err(|x| e(&x))?;
            }
            let label = line.metric.as_str().to_uppercase();
            // One line per run of consecutive months: no line across a month without data.
            for run in runs_of(&median, |p| p.0) {
                chart
                    .draw_series(LineSeries::new(run, colour.stroke_width(2)))
                    .map_err(|x| e(&x))?;
            }
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(|x| e(&x))?
                .label(format!(" {label} median (band: to p90)"))
                .legend(legend_line(colour));
            chart
                .draw_series(
                    median
                        .iter()
                        .map(|&(x, y)| Circle::new((x, y), 3, colour.filled())),
                )
                .map_err(|x| e(&x))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}
