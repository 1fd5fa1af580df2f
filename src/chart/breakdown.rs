//! The report's breakdown (`--by`) over the whole window: one row per group, its median time
//! to resolve as a bar with the p90 as a lighter bar behind it (left), and its weighted
//! downtime (right). Past the first [`TOP`] groups, breakdown.csv has the rest.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{self, LEFT, RIGHT, heading, rect, swatches};
use super::{Chart, INK, SERIES};
use crate::model::{BreakdownRow, Metric};

/// Groups drawn at most.
pub const TOP: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub incidents: u64,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub downtime: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub by: String,
    pub window: String,
    pub groups: Vec<Group>,
    /// Groups left out (past [`TOP`]).
    pub more: usize,
}

impl Breakdown {
    /// From the breakdown's rows over the whole window (`period = all`).
    pub fn from_rows(by: &[String], rows: &[BreakdownRow], window: &str) -> Breakdown {
        let whole: Vec<&BreakdownRow> = rows.iter().filter(|r| r.period == "all").collect();
        let mttr = Metric::Mttr.index();
        Breakdown {
            by: by.join(", "),
            window: window.to_string(),
            groups: (whole.iter().take(TOP))
                .map(|r| Group {
                    label: r.values.join(" / "),
                    incidents: r.incidents,
                    median: r.stats[mttr].median,
                    p90: r.stats[mttr].p90,
                    downtime: r.downtime_min,
                })
                .collect(),
            more: whole.len().saturating_sub(TOP),
        }
    }
}

const ROW: i32 = 24;
const PLOT_TOP: i32 = 96;
const LABEL_RIGHT: i32 = 262;

impl Breakdown {
    /// The largest value of each panel: the longest p90 (or median) to resolve, the most
    /// downtime.
    fn maxes(&self) -> [f64; 2] {
        [
            (self.groups.iter())
                .map(|g| g.p90.or(g.median).unwrap_or(0.0))
                .fold(0.0f64, f64::max),
            (self.groups.iter())
                .map(|g| g.downtime)
                .fold(0.0f64, f64::max),
        ]
    }
}

impl Chart for Breakdown {
    const NAME: &'static str = "breakdown";

    fn size(&self) -> (u32, u32) {
        (
            1100,
            (PLOT_TOP + ROW * self.groups.len().max(1) as i32 + 64) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (w, _) = self.size();
        let more = if self.more > 0 {
            format!("; {} more groups in breakdown.csv", self.more)
        } else {
            String::new()
        };
        heading(
            root,
            &format!("By {}, {}", self.by, self.window),
            &format!("time to resolve (median, p90 behind it) and weighted downtime{more}"),
        )?;
        let (ttr, p90, down) = (SERIES[0], SERIES[0].mix(0.3), SERIES[1]);
        let legend = [
            ("median TTR".to_string(), ttr.filled()),
            ("p90 TTR".to_string(), p90.filled()),
            ("downtime".to_string(), down.filled()),
        ];
        swatches(root, &legend, (LABEL_RIGHT + 10, 72))?;
        // Two panels: time to resolve, then downtime, each on its own scale.
        let bottom = PLOT_TOP + ROW * self.groups.len().max(1) as i32;
        let split = LABEL_RIGHT + 10 + (w as i32 - LABEL_RIGHT - 40) / 2;
        let panels = [
            (LABEL_RIGHT + 10, split - 30, "time to resolve, minutes"),
            (split + 10, w as i32 - 30, "weighted downtime, minutes"),
        ];
        let maxes = self.maxes();
        let mut scales = Vec::new();
        for (&panel, &max) in panels.iter().zip(&maxes) {
            scales.push(draw::value_axis(root, panel, (max, 5), (PLOT_TOP, bottom))?.0);
        }
        if self.groups.is_empty() {
            draw::write(
                root,
                "no incident in the window",
                (LABEL_RIGHT, PLOT_TOP + 12),
                13,
                LEFT,
                INK,
            )?;
        }
        for (i, g) in self.groups.iter().enumerate() {
            let cy = PLOT_TOP + ROW * i as i32 + ROW / 2;
            let label = format!("{} ({})", draw::fit(&g.label, 32), g.incidents);
            draw::write(root, &label, (LABEL_RIGHT, cy), 12, RIGHT, INK)?;
            let (t, d) = (scales[0], scales[1]);
            if let Some(p) = g.p90 {
                rect(
                    root,
                    (t(0.0), cy - 8),
                    (t(p).max(t(0.0) + 1), cy + 8),
                    p90.filled(),
                )?;
            }
            if let Some(m) = g.median {
                rect(
                    root,
                    (t(0.0), cy - 5),
                    (t(m).max(t(0.0) + 1), cy + 5),
                    ttr.filled(),
                )?;
            }
            if g.downtime > 0.0 {
                rect(
                    root,
                    (d(0.0), cy - 8),
                    (d(g.downtime).max(d(0.0) + 1), cy + 8),
                    down.filled(),
                )?;
            }
        }
        Ok(())
    }
}
