//! The distribution of one duration (time to resolve by default) over the incidents started in
//! the window: a histogram whose bins widen with the duration (1 min, 2, 5, 10, 15, 30, 1 h,
//! 2 h, ... 30 d: a log scale in words people use), with the median and p90 of `metrics.csv`
//! marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{self, LEFT, RIGHT, TOP, heading, nice_ticks, rect};
use super::{Chart, GRID, INK, MISS, SERIES};
use crate::model::{Metric, MetricRow, PeriodLabel};
use crate::table::Incidents;

/// Bin edges in minutes; the last bin is open.
const EDGES: [f64; 18] = [
    0.0, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 720.0, 1440.0, 2880.0, 5760.0,
    10080.0, 20160.0, 43200.0,
];
const EDGE_LABELS: [&str; 18] = [
    "0", "1 min", "2 min", "5 min", "10 min", "15 min", "30 min", "1 h", "2 h", "4 h", "8 h",
    "12 h", "1 d", "2 d", "4 d", "1 w", "2 w", "30 d",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub metric: Metric,
    pub window: String,
    /// One duration per incident, minutes.
    pub durations: Vec<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

fn bin_of(v: f64) -> usize {
    EDGES.partition_point(|e| *e <= v).saturating_sub(1)
}

impl Distribution {
    /// The incidents started in the window, and the metric's whole-window figures.
    pub fn from_rows(
        incidents: &Incidents,
        metrics: &[MetricRow],
        metric: Metric,
        window: &str,
    ) -> Distribution {
        let durations = (0..incidents.len())
            .filter(|i| incidents.in_window[*i])
            .filter_map(|i| incidents.duration_min(metric, i))
            .collect();
        let whole = metrics.iter().find(|r| {
            r.scope == "all" && r.period == Some(PeriodLabel::Whole) && r.metric == metric
        });
        Distribution {
            metric,
            window: window.to_string(),
            durations,
            median: whole.and_then(|r| r.stats.median),
            p90: whole.and_then(|r| r.stats.p90),
        }
    }

    /// Counts of the bins shown: from the shortest duration's bin to the longest's (six at
    /// least).
    fn bins(&self) -> (usize, Vec<u64>) {
        let mut counts = vec![0u64; EDGES.len()];
        for d in &self.durations {
            counts[bin_of(*d)] += 1;
        }
        let first = counts.iter().position(|c| *c > 0).unwrap_or(0);
        let last = counts.iter().rposition(|c| *c > 0).unwrap_or(0);
        let last = last.max((first + 5).min(EDGES.len() - 1));
        (first, counts[first..=last].to_vec())
    }

    /// Position of a duration in bin units from the first bin shown (log inside a bin).
    fn position(&self, v: f64, first: usize) -> f64 {
        let i = bin_of(v);
        let frac = if i + 1 >= EDGES.len() {
            0.5
        } else if i == 0 {
            v / EDGES[1]
        } else {
            (v.ln() - EDGES[i].ln()) / (EDGES[i + 1].ln() - EDGES[i].ln())
        };
        (i as f64 - first as f64) + frac
    }
}

impl Chart for Distribution {
    const NAME: &'static str = "distribution";

    fn size(&self) -> (u32, u32) {
        (960, 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (w, h) = self.size();
        let name = self.metric.verb();
        heading(
            root,
            &format!(
                "Time to {name}, {}: {} incidents",
                self.window,
                self.durations.len()
            ),
            &format!(
                "incidents started in the window, by how long they took to {name}; bins widen with the duration (log scale)"
            ),
        )?;
        let (x0, x1, top, bottom) = (80, w as i32 - 40, 100, h as i32 - 64);
        let (first, counts) = self.bins();
        let n = counts.len() as f64;
        let x = |b: f64| x0 + ((b / n) * (x1 - x0) as f64).round() as i32;
        let max = counts.iter().copied().max().unwrap_or(0) as f64;
        // Counts are whole: at least 5 on the axis, so the ticks are 1 apart or more.
        let ticks = nice_ticks(max.max(5.0), 5);
        let top_value = ticks.last().copied().unwrap_or(1.0);
        let y = |v: f64| bottom - ((v / top_value) * (bottom - top) as f64).round() as i32;
        for t in &ticks {
            draw::line(root, (x0, y(*t)), (x1, y(*t)), GRID.stroke_width(1))?;
            draw::write(root, &draw::tick_label(*t), (x0 - 8, y(*t)), 12, RIGHT, INK)?;
        }
        draw::write(root, "incidents", (16, top - 20), 13, LEFT, INK)?;
        for (k, c) in counts.iter().enumerate() {
            if *c > 0 {
                rect(
                    root,
                    (x(k as f64) + 2, y(*c as f64)),
                    (x(k as f64 + 1.0) - 2, bottom),
                    SERIES[0].mix(0.75).filled(),
                )?;
            }
        }
        // Edge labels under the axis; the open last bin says so.
        for k in 0..=counts.len() {
            let i = first + k;
            let label = match EDGE_LABELS.get(i) {
                Some(l) => l.to_string(),
                None => "more".to_string(),
            };
            draw::line(
                root,
                (x(k as f64), bottom),
                (x(k as f64), bottom + 4),
                INK.stroke_width(1),
            )?;
            draw::write(root, &label, (x(k as f64), bottom + 8), 12, TOP, INK)?;
        }
        draw::line(root, (x0, bottom), (x1, bottom), INK.stroke_width(1))?;
        draw::write(
            root,
            &format!("time to {name} (each bin from its left edge to the next)"),
            ((x0 + x1) / 2, bottom + 30),
            13,
            TOP,
            INK,
        )?;
        self.markers(root, &x, (first, n), (x1, top, bottom))
    }
}

impl Distribution {
    /// The median and p90 as dashed lines, labelled at the top; the second label steps down
    /// when the two are close. `x` places a bin position; `(first, n)`: the first bin shown
    /// and how many; `(x1, top, bottom)`: the plot's right edge, top and bottom.
    fn markers<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x: &dyn Fn(f64) -> i32,
        (first, n): (usize, f64),
        (x1, top, bottom): (i32, i32, i32),
    ) -> Result<(), String> {
        let mut last_label_x = i32::MIN / 2;
        let mut row = 0;
        for (label, value, colour) in [("median", self.median, INK), ("p90", self.p90, MISS)] {
            let Some(v) = value else { continue };
            let px = x(self.position(v, first).clamp(0.0, n));
            draw::dashed(root, (px, top - 8), (px, bottom), colour.stroke_width(2))?;
            let text = format!("{label} {}", draw::duration_label(v));
            if px - last_label_x < draw::text_width(&text, 13) + 8 {
                row += 1;
            }
            let ty = top - 14 + row * 16;
            let (tx, anchor) = if px > x1 - 160 {
                (px - 6, RIGHT)
            } else {
                (px + 6, LEFT)
            };
            draw::write(root, &text, (tx, ty), 13, anchor, colour)?;
            last_label_x = px;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_in_widening_bins() {
        assert_eq!(bin_of(0.0), 0);
        assert_eq!(bin_of(0.99), 0);
        assert_eq!(bin_of(1.0), 1);
        assert_eq!(bin_of(59.9), 6);
        assert_eq!(bin_of(60.0), 7);
        assert_eq!(bin_of(1e9), EDGES.len() - 1);
        let d = Distribution {
            metric: Metric::Mttr,
            window: "2024-06".into(),
            durations: vec![3.0, 4.0, 45.0, 90.0],
            median: Some(24.5),
            p90: Some(76.5),
        };
        let (first, counts) = d.bins();
        // From the 2-5 min bin; 2-5: 2, 30-60: 1, 1-2 h: 1.
        assert_eq!(first, 2);
        assert_eq!(counts, vec![2, 0, 0, 0, 1, 1]);
        // 90 min sits log(1.5)/log(2) of the way into its 1-2 h bin, the sixth bin shown.
        let p = d.position(90.0, first);
        assert!((p - (5.0 + (1.5f64).ln() / 2f64.ln())).abs() < 1e-12);
    }
}
