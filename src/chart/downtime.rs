//! Downtime by component: one horizontal bar per component, split by the impact level that
//! weighed at each instant, sorted from the most down, with the component's SLA budget marked
//! on its bar. Past the top [`TOP`] components, the rest share one "others" bar.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{self, LEFT, RIGHT, heading, rect, swatches};
use super::{Chart, INK, MISS, level_colour};
use crate::model::{AvailScope, AvailabilityRow, Level, Weights};

/// Bars drawn before the rest are summed into "others".
pub const TOP: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Weighted minutes by level (`Level::code` order).
    pub by_level: [f64; 4],
    /// The component's budget over the window, minutes (`None` on the others bar).
    pub budget: Option<f64>,
}

impl Bar {
    fn total(&self) -> f64 {
        self.by_level.iter().sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Downtime {
    pub window: String,
    pub weights: Weights,
    pub bars: Vec<Bar>,
    /// SLA targets of the components drawn (one, usually).
    pub targets: Vec<f64>,
}

impl Downtime {
    /// From `availability.csv` rows: component scope over the whole window.
    pub fn from_rows(rows: &[AvailabilityRow], window: &str, weights: Weights) -> Downtime {
        let mut comps: Vec<&AvailabilityRow> = rows
            .iter()
            .filter(|r| r.scope == AvailScope::Component && r.period.is_whole())
            .collect();
        comps.sort_by(|a, b| {
            b.downtime_min
                .total_cmp(&a.downtime_min)
                .then_with(|| (&a.vendor, &a.component).cmp(&(&b.vendor, &b.component)))
        });
        let mut bars: Vec<Bar> = comps
            .iter()
            .take(TOP)
            .map(|r| Bar {
                label: format!(
                    "{} / {}",
                    r.vendor,
                    r.component.as_deref().unwrap_or_default()
                ),
                by_level: r.downtime_by_level_min,
                budget: Some(r.budget_min),
            })
            .collect();
        let mut targets: Vec<f64> = comps.iter().take(TOP).map(|r| r.sla_target_pct).collect();
        targets.sort_by(f64::total_cmp);
        targets.dedup();
        if comps.len() > TOP {
            let mut by_level = [0.0; 4];
            for r in &comps[TOP..] {
                for (s, v) in by_level.iter_mut().zip(r.downtime_by_level_min) {
                    *s += v;
                }
            }
            bars.push(Bar {
                label: format!("{} other components", comps.len() - TOP),
                by_level,
                budget: None,
            });
        }
        Downtime {
            window: window.to_string(),
            weights,
            bars,
            targets,
        }
    }
}

const ROW: i32 = 24;
const PLOT_TOP: i32 = 92;
const LABEL_RIGHT: i32 = 282;

impl Chart for Downtime {
    const NAME: &'static str = "downtime";

    fn size(&self) -> (u32, u32) {
        (
            960,
            (PLOT_TOP + ROW * self.bars.len().max(1) as i32 + 64) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (w, _) = self.size();
        self.head(root)?;
        let x0 = LABEL_RIGHT + 10;
        let x1 = w as i32 - 150;
        let bottom = PLOT_TOP + ROW * self.bars.len().max(1) as i32;
        let label = "weighted downtime over the window, minutes";
        let (x, top_value) =
            draw::value_axis(root, (x0, x1, label), (self.scale(), 6), (PLOT_TOP, bottom))?;
        if self.bars.is_empty() {
            draw::write(
                root,
                "no component in the input",
                (x0, PLOT_TOP + 12),
                13,
                LEFT,
                INK,
            )?;
        }
        for (i, bar) in self.bars.iter().enumerate() {
            let cy = PLOT_TOP + ROW * i as i32 + ROW / 2;
            bar.draw(root, cy, &x, top_value)?;
        }
        Ok(())
    }
}

impl Downtime {
    /// The title, the weights and the legend.
    fn head<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let levels: Vec<String> = Level::ALL
            .iter()
            .filter(|l| self.weights.of(**l) > 0.0)
            .map(|l| format!("{} ×{}", l.as_str().replace('_', " "), self.weights.of(*l)))
            .collect();
        heading(
            root,
            &format!("Downtime by component, {}", self.window),
            &format!(
                "weighted minutes, split by the heaviest level open; weights {}: {}",
                self.weights.name(),
                levels.join(", ")
            ),
        )?;
        let mut legend: Vec<(String, ShapeStyle)> = Level::ALL
            .iter()
            .filter(|l| self.weights.of(**l) > 0.0)
            .map(|l| (l.as_str().replace('_', " "), level_colour(*l).filled()))
            .collect();
        let targets: Vec<String> = self.targets.iter().map(|t| format!("{t}%")).collect();
        legend.push((
            format!("SLA budget (target {})", targets.join(", ")),
            INK.filled(),
        ));
        swatches(root, &legend, (LABEL_RIGHT + 10, 70))?;
        Ok(())
    }

    /// The value the scale must reach: the named bars and their budgets (the others bar, a
    /// sum, may run off it), else the largest bar.
    fn scale(&self) -> f64 {
        let named = self.bars.iter().filter(|b| b.budget.is_some());
        let max = named
            .map(|b| b.total().max(b.budget.unwrap_or(0.0)))
            .fold(0.0f64, f64::max);
        if max > 0.0 {
            max
        } else {
            self.bars.iter().map(Bar::total).fold(0.0f64, f64::max)
        }
    }
}

impl Bar {
    /// The bar centred on `cy`: its label, its parts by level, its budget mark and its value.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        cy: i32,
        x: &dyn Fn(f64) -> i32,
        top_value: f64,
    ) -> Result<(), String> {
        draw::write(
            root,
            &draw::fit(&self.label, 40),
            (LABEL_RIGHT, cy),
            12,
            RIGHT,
            INK,
        )?;
        let mut v = 0.0;
        for level in Level::ALL {
            let part = self.by_level[level.code() as usize];
            if part <= 0.0 {
                continue;
            }
            let (a, b) = (x(v), x(v + part).max(x(v) + 1));
            rect(root, (a, cy - 8), (b, cy + 8), level_colour(level).filled())?;
            v += part;
        }
        let total = self.total();
        let over = self.budget.is_some_and(|b| total > b + 1e-9);
        let mut value = format!("{} min", draw::tick_label((total * 10.0).round() / 10.0));
        if self.budget.is_none() {
            value.push_str(" in all");
            if total > top_value {
                value.push_str(" (off the scale)");
            }
        }
        if let Some(b) = self.budget.filter(|b| *b > 0.0) {
            value.push_str(&format!(" · {:.0}% of budget", 100.0 * total / b));
            let bx = x(b);
            rect(root, (bx - 1, cy - 11), (bx + 1, cy + 11), INK.filled())?;
        }
        let end = x(total).max(x(self.budget.unwrap_or(0.0)));
        draw::write(
            root,
            &value,
            (end + 6, cy),
            11,
            LEFT,
            if over { MISS } else { INK },
        )
    }
}
