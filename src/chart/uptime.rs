//! Uptime strips, the way status pages show their last 90 days: one row per vendor or
//! component, one cell per day coloured by that day's availability, and the availability over
//! the days shown at the right.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{self, LEFT, RIGHT, TOP as ANCHOR_TOP, heading, rect, swatches};
use super::{Chart, INK};
use crate::model::AvailScope;
use crate::table::{Daily, DailyRow};

/// Rows drawn at most; an overview with more shows the vendors only.
pub const TOP: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    /// A vendor's row (bold-ish, not indented) or one of its components.
    pub vendor_row: bool,
    /// Availability per day, percent.
    pub days: Vec<f64>,
    /// Availability over all the days shown, percent.
    pub overall: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Uptime {
    pub title: String,
    /// `YYYY-MM-DD`, oldest first.
    pub days: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows left out for size.
    pub hidden: usize,
}

/// The colour bands of a day's availability, best first: `(lowest availability, colour, label)`.
pub const BANDS: [(f64, RGBColor, &str); 5] = [
    (100.0, RGBColor(0x2f, 0xa8, 0x4f), "100%"),
    (99.9, RGBColor(0xa6, 0xc8, 0x3c), "99.9% or more"),
    (99.0, RGBColor(0xe6, 0xc2, 0x00), "99% or more"),
    (95.0, RGBColor(0xf0, 0x8c, 0x00), "95% or more"),
    (0.0, RGBColor(0xd7, 0x3a, 0x49), "less than 95%"),
];

/// The band colour of an availability.
pub fn band(availability: f64) -> RGBColor {
    BANDS
        .iter()
        .find(|(low, _, _)| availability >= *low - 1e-9)
        .map(|b| b.1)
        .unwrap_or(BANDS[4].1)
}

fn row(r: &DailyRow, vendor_row: bool) -> Row {
    // Each day against the minutes it counts (all of it, or its business hours).
    let days = r
        .downtime_min
        .iter()
        .zip(&r.window_min)
        .map(|(d, len)| availability(*d, *len))
        .collect();
    let overall = availability(r.downtime_min.iter().sum(), r.window_min.iter().sum());
    Row {
        label: if vendor_row {
            r.vendor.clone()
        } else {
            r.component.clone().unwrap_or_default()
        },
        vendor_row,
        days,
        overall,
    }
}

fn availability(down: f64, len: f64) -> f64 {
    if len > 0.0 {
        (100.0 * (1.0 - down / len)).clamp(0.0, 100.0)
    } else {
        100.0
    }
}

fn rows_of<'a>(daily: &'a Daily, vendor: &str) -> impl Iterator<Item = &'a DailyRow> {
    daily
        .rows
        .iter()
        .filter(move |r| r.scope == AvailScope::Component && r.vendor == vendor)
}

impl Uptime {
    /// Every vendor followed by its components; with more than [`TOP`] rows, vendors only.
    pub fn overview(daily: &Daily) -> Uptime {
        let vendors: Vec<&DailyRow> = daily
            .rows
            .iter()
            .filter(|r| r.scope == AvailScope::Vendor)
            .collect();
        let all = daily.rows.len();
        let mut rows = Vec::new();
        let mut hidden = 0;
        for v in &vendors {
            rows.push(row(v, true));
            if all <= TOP {
                rows.extend(rows_of(daily, &v.vendor).map(|c| row(c, false)));
            } else {
                hidden += rows_of(daily, &v.vendor).count();
            }
        }
        if rows.len() > TOP {
            // Even the vendors alone are too many: the least available ones.
            rows.sort_by(|a, b| a.overall.total_cmp(&b.overall));
            hidden += rows.len() - TOP;
            rows.truncate(TOP);
        }
        Uptime {
            title: "Daily uptime".into(),
            days: daily.days.clone(),
            rows,
            hidden,
        }
    }

    /// One vendor and its components (the least available [`TOP`] - 1 when there are more).
    pub fn vendor(daily: &Daily, vendor: &str) -> Uptime {
        let mut rows: Vec<Row> = daily
            .rows
            .iter()
            .filter(|r| r.scope == AvailScope::Vendor && r.vendor == vendor)
            .map(|r| row(r, true))
            .collect();
        let mut comps: Vec<Row> = rows_of(daily, vendor).map(|c| row(c, false)).collect();
        let mut hidden = 0;
        if comps.len() > TOP - 1 {
            comps.sort_by(|a, b| a.overall.total_cmp(&b.overall));
            hidden = comps.len() - (TOP - 1);
            comps.truncate(TOP - 1);
            comps.sort_by(|a, b| a.label.cmp(&b.label));
        }
        rows.extend(comps);
        Uptime {
            title: format!("Daily uptime of {vendor}"),
            days: daily.days.clone(),
            rows,
            hidden,
        }
    }
}

const ROW_H: i32 = 22;
const PLOT_TOP: i32 = 96;
const LABEL_RIGHT: i32 = 232;

impl Chart for Uptime {
    const NAME: &'static str = "uptime";

    fn size(&self) -> (u32, u32) {
        (
            1100,
            (PLOT_TOP + ROW_H * self.rows.len().max(1) as i32 + 40) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (w, _) = self.size();
        let n = self.days.len();
        let range = match (self.days.first(), self.days.last()) {
            (Some(a), Some(b)) => format!("{a} to {b}, {n} days"),
            _ => "no day in the window".into(),
        };
        let mut sub = format!(
            "{range}; each cell is one day, coloured by its availability (weighted downtime); right: over these days"
        );
        if self.hidden > 0 {
            sub.push_str(&format!("; {} more rows not shown", self.hidden));
        }
        heading(root, &self.title, &sub)?;
        let legend: Vec<(String, ShapeStyle)> = BANDS
            .iter()
            .map(|(_, c, l)| (l.to_string(), c.filled()))
            .collect();
        swatches(root, &legend, (LABEL_RIGHT + 10, 72))?;
        let (x0, x1) = (LABEL_RIGHT + 10, w as i32 - 100);
        let cell = (x1 - x0) as f64 / n.max(1) as f64;
        let gap = if cell >= 5.0 { 1 } else { 0 };
        let bottom = PLOT_TOP + ROW_H * self.rows.len().max(1) as i32;
        for (i, r) in self.rows.iter().enumerate() {
            let top = PLOT_TOP + ROW_H * i as i32;
            let label = if r.vendor_row {
                draw::fit(&r.label, 32)
            } else {
                format!("  {}", draw::fit(&r.label, 30))
            };
            let colour = if r.vendor_row {
                INK
            } else {
                RGBColor(0x57, 0x60, 0x6a)
            };
            draw::write(
                root,
                &label,
                (LABEL_RIGHT, top + ROW_H / 2),
                12,
                RIGHT,
                colour,
            )?;
            for (d, a) in r.days.iter().enumerate() {
                let cx0 = x0 + (d as f64 * cell).round() as i32;
                let cx1 = x0 + ((d + 1) as f64 * cell).round() as i32 - gap;
                rect(
                    root,
                    (cx0, top + 3),
                    (cx1.max(cx0 + 1), top + ROW_H - 3),
                    band(*a).filled(),
                )?;
            }
            draw::write(
                root,
                &format!("{:.3}%", r.overall),
                (x1 + 10, top + ROW_H / 2),
                12,
                LEFT,
                colour,
            )?;
        }
        self.dates(root, (x0, cell), bottom)
    }
}

impl Uptime {
    /// Dates under the strips: the first day, every 1st of a month, the last day (a label
    /// too close to the one before left out). `(x0, cell)`: where the first day starts, and
    /// each day's width.
    fn dates<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x0, cell): (i32, f64),
        bottom: i32,
    ) -> Result<(), String> {
        let n = self.days.len();
        let mut last_x = i32::MIN / 2;
        for (d, label) in self.days.iter().enumerate() {
            let first_of_month = label.ends_with("-01");
            if d != 0 && d + 1 != n && !first_of_month {
                continue;
            }
            let x = x0 + ((d as f64 + 0.5) * cell).round() as i32;
            let text = chrono::NaiveDate::parse_from_str(label, "%Y-%m-%d")
                .map(|t| t.format("%b %-d").to_string())
                .unwrap_or_else(|_| label.clone());
            if x - last_x < 56 {
                continue;
            }
            draw::line(root, (x, bottom), (x, bottom + 4), INK.stroke_width(1))?;
            draw::write(root, &text, (x, bottom + 8), 12, ANCHOR_TOP, INK)?;
            last_x = x;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_take_the_colour_of_their_band() {
        assert_eq!(band(100.0), BANDS[0].1);
        assert_eq!(band(99.95), BANDS[1].1);
        assert_eq!(band(99.9), BANDS[1].1);
        assert_eq!(band(98.0), BANDS[3].1);
        assert_eq!(band(10.0), BANDS[4].1);
        // A 1440-minute day with 72 minutes down is at 95%.
        assert_eq!(availability(72.0, 1440.0), 95.0);
    }
}
