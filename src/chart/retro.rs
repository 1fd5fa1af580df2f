//! One incident for its retrospective: the milestones from start to detection,
//! acknowledgement, identification, mitigation and resolution on one time axis, each with its
//! time and its distance from the start, the phases between them as a band, and the affected
//! components as lanes with their impact windows.

use chrono_tz::Tz;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{self, CENTRE, LEFT, RIGHT, TimeAxis, heading, rect, swatches, time_ticks};
use super::timeline::{Lane, Painted, draw_lanes, level_legend, paint};
use super::{Chart, INK, SERIES};
use crate::model::WindowRow;
use crate::time::local_datetime;

/// The milestones in their nominal order.
pub const MILESTONES: [&str; 6] = [
    "started",
    "detected",
    "acknowledged",
    "identified",
    "mitigated",
    "resolved",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Retro {
    pub vendor: String,
    pub id: String,
    pub title: Option<String>,
    pub tz: Tz,
    /// UTC milliseconds of each of [`MILESTONES`], where known.
    pub milestones: [Option<i64>; 6],
    pub lanes: Vec<Lane>,
    /// The time axis.
    pub start: i64,
    pub end: i64,
}

impl Retro {
    /// The chart of one incident: its milestones and its windows (one lane per component).
    pub fn new(
        vendor: &str,
        id: &str,
        title: Option<&str>,
        tz: Tz,
        milestones: [Option<i64>; 6],
        windows: &[WindowRow],
    ) -> Retro {
        let mut lanes: Vec<Lane> = Vec::new();
        for w in windows {
            let bar = (w.start, w.end, w.level);
            match lanes.iter_mut().find(|l| l.label == w.component) {
                Some(l) => l.bars.push(bar),
                None => lanes.push(Lane {
                    label: w.component.clone(),
                    bars: vec![bar],
                }),
            }
        }
        let instants = milestones
            .iter()
            .flatten()
            .copied()
            .chain(windows.iter().flat_map(|w| [w.start, w.end]));
        let (lo, hi) = instants.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
        let (lo, hi) = if lo > hi { (0, 60_000) } else { (lo, hi) };
        let pad = ((hi - lo) / 25).max(60_000);
        Retro {
            vendor: vendor.to_string(),
            id: id.to_string(),
            title: title.map(str::to_string),
            tz,
            milestones,
            lanes,
            start: lo - pad,
            end: hi + pad,
        }
    }

    /// The known milestones in time order: `(index in MILESTONES, instant)`.
    pub fn ordered(&self) -> Vec<(usize, i64)> {
        let mut m: Vec<(usize, i64)> = self
            .milestones
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (i, t)))
            .collect();
        m.sort_by_key(|(i, t)| (*t, *i));
        m
    }
}

const PHASE_TOP: i32 = 128;
const PHASE_H: i32 = 28;
const LANES_TOP: i32 = 186;
const LANE: i32 = 26;
const LABEL_RIGHT: i32 = 262;

impl Chart for Retro {
    const NAME: &'static str = "retro";

    fn size(&self) -> (u32, u32) {
        (
            1100,
            (LANES_TOP + LANE * self.lanes.len().max(1) as i32 + 64) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (w, _) = self.size();
        self.head(root)?;
        let axis = TimeAxis {
            start: self.start,
            end: self.end,
            x0: LABEL_RIGHT + 10,
            x1: w as i32 - 30,
        };
        let bottom = LANES_TOP + LANE * self.lanes.len().max(1) as i32;
        let ticks = time_ticks(&self.tz, self.start, self.end, 12);
        axis.draw(root, &ticks, PHASE_TOP - 4, bottom)?;
        let ordered = self.ordered();
        phases(root, &axis, &ordered)?;
        self.milestone_lines(root, &axis, &ordered, bottom)?;
        self.components(root, &axis, bottom)
    }
}

impl Retro {
    /// The title (vendor, id, incident title) and when it started and how long it ran.
    fn head<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let title = match &self.title {
            Some(t) => format!("{} {}: {}", self.vendor, self.id, draw::fit(t, 70)),
            None => format!("{} {}", self.vendor, self.id),
        };
        let sub = match (self.milestones[0], self.milestones[5]) {
            (Some(s), Some(r)) => format!(
                "started {}, resolved after {}; times in {}",
                local_datetime(&self.tz, s).format("%Y-%m-%d %H:%M"),
                draw::duration_label((r - s) as f64 / 60_000.0),
                self.tz.name()
            ),
            (Some(s), None) => format!(
                "started {}, not resolved; times in {}",
                local_datetime(&self.tz, s).format("%Y-%m-%d %H:%M"),
                self.tz.name()
            ),
            _ => String::new(),
        };
        heading(root, &title, &sub)
    }

    /// Milestones: a line through every lane, labelled above in up to three rows.
    fn milestone_lines<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        axis: &TimeAxis,
        ordered: &[(usize, i64)],
        bottom: i32,
    ) -> Result<(), String> {
        let started = self.milestones[0];
        let mut row_end = [i32::MIN / 2; 3];
        for (k, (m, t)) in ordered.iter().enumerate() {
            let x = axis.x(*t);
            draw::dashed(root, (x, PHASE_TOP - 6), (x, bottom), INK.stroke_width(1))?;
            let since = started
                .filter(|_| *m != 0)
                .map(|s| format!(" +{}", draw::duration_label((*t - s) as f64 / 60_000.0)))
                .unwrap_or_default();
            let text = format!(
                "{} {}{since}",
                MILESTONES[*m],
                local_datetime(&self.tz, *t).format("%H:%M")
            );
            let width = draw::text_width(&text, 12);
            let right_side = x + width + 6 < axis.x1 + 20;
            let (from, to) = if right_side {
                (x + 4, x + 4 + width)
            } else {
                (x - 4 - width, x - 4)
            };
            let row = (0..3).find(|r| row_end[*r] + 6 < from).unwrap_or(k % 3);
            row_end[row] = to;
            let y = PHASE_TOP - 46 + row as i32 * 15;
            draw::line(root, (x, y), (x, PHASE_TOP), INK.stroke_width(1))?;
            if right_side {
                draw::write(root, &text, (x + 4, y), 12, LEFT, INK)?;
            } else {
                draw::write(root, &text, (x - 4, y), 12, RIGHT, INK)?;
            }
        }
        Ok(())
    }

    /// Components and their windows, one lane each, with the levels' legend.
    fn components<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        axis: &TimeAxis,
        bottom: i32,
    ) -> Result<(), String> {
        draw::write(
            root,
            "affected components",
            (16, LANES_TOP - 14),
            13,
            LEFT,
            INK,
        )?;
        let legend = level_legend(&self.lanes);
        swatches(root, &legend, (LABEL_RIGHT + 10, bottom + 44))?;
        if self.lanes.is_empty() {
            draw::write(
                root,
                "no impact window (impact none, or no time inside the report)",
                (axis.x0, LANES_TOP + LANE / 2),
                12,
                LEFT,
                INK,
            )?;
        }
        let painted: Vec<Painted> = self.lanes.iter().map(|l| paint(axis, l)).collect();
        draw_lanes(
            root,
            axis,
            &self.lanes,
            &painted,
            LANES_TOP,
            LANE,
            LABEL_RIGHT,
        )
    }
}

/// Phases: the band between consecutive milestones, named by the one it ends at.
fn phases<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    ordered: &[(usize, i64)],
) -> Result<(), String> {
    draw::write(
        root,
        "phases",
        (LABEL_RIGHT, PHASE_TOP + PHASE_H / 2),
        12,
        RIGHT,
        INK,
    )?;
    for (k, pair) in ordered.windows(2).enumerate() {
        let ((_, a), (m, b)) = (pair[0], pair[1]);
        let (xa, xb) = (axis.x(a), axis.x(b));
        let colour = SERIES[k % SERIES.len()];
        rect(
            root,
            (xa, PHASE_TOP),
            (xb.max(xa + 1), PHASE_TOP + PHASE_H),
            colour.mix(0.35).filled(),
        )?;
        let verb = match MILESTONES[m] {
            "detected" => "detect",
            "acknowledged" => "acknowledge",
            "identified" => "identify",
            "mitigated" => "mitigate",
            "resolved" => "resolve",
            other => other,
        };
        let text = format!(
            "{verb}: {}",
            draw::duration_label((b - a) as f64 / 60_000.0)
        );
        if draw::text_width(&text, 12) + 8 < xb - xa {
            draw::write(
                root,
                &text,
                ((xa + xb) / 2, PHASE_TOP + PHASE_H / 2),
                12,
                CENTRE,
                INK,
            )?;
        }
    }
    Ok(())
}
