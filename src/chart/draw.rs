//! Drawing primitives in pixels shared by the lane and bar charts: rectangles, lines, dashed
//! lines, aligned text, swatch legends, tick choice for value and time axes, and the labels of
//! durations. Everything returns plotters' errors as text.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{FAMILY, GRID, INK};
pub use crate::report::format::duration as duration_label;
use crate::time::{local_datetime, local_midnight_ms, local_to_utc_ms};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

fn derr<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A filled rectangle between two corners.
pub(crate) fn rect<DB: DrawingBackend>(
    a: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    style: ShapeStyle,
) -> Result<(), String> {
    a.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))
        .map_err(derr)
}

/// A straight line.
pub(crate) fn line<DB: DrawingBackend>(
    a: &Area<DB>,
    from: (i32, i32),
    to: (i32, i32),
    style: ShapeStyle,
) -> Result<(), String> {
    a.draw(&PathElement::new(vec![from, to], style))
        .map_err(derr)
}

/// A dashed vertical or horizontal line (5 px dashes, 4 px gaps).
pub(crate) fn dashed<DB: DrawingBackend>(
    a: &Area<DB>,
    from: (i32, i32),
    to: (i32, i32),
    style: ShapeStyle,
) -> Result<(), String> {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.abs().max(dy.abs());
    let mut s = 0;
    while s < len {
        let e = (s + 5).min(len);
        let at = |k: i32| (from.0 + dx * k / len.max(1), from.1 + dy * k / len.max(1));
        line(a, at(s), at(e), style)?;
        s += 9;
    }
    Ok(())
}

/// Text of `size` px anchored at `at` by `h` and `v`. The text is drawn after one space:
/// plotters' bitmap text lets a narrow first glyph (the `i` of `iPaper`) run into the next one,
/// and SVG readers drop the leading space.
pub(crate) fn write<DB: DrawingBackend>(
    a: &Area<DB>,
    text: &str,
    at: (i32, i32),
    size: u32,
    (h, v): (HPos, VPos),
    colour: RGBColor,
) -> Result<(), String> {
    let style = (FAMILY, size)
        .into_font()
        .color(&colour)
        .pos(Pos::new(h, v));
    a.draw(&Text::new(format!(" {text}"), at, style))
        .map_err(derr)
}

pub(crate) const LEFT: (HPos, VPos) = (HPos::Left, VPos::Center);
pub(crate) const RIGHT: (HPos, VPos) = (HPos::Right, VPos::Center);
pub(crate) const CENTRE: (HPos, VPos) = (HPos::Center, VPos::Center);
pub(crate) const TOP: (HPos, VPos) = (HPos::Center, VPos::Top);

/// A chart's title (bold-sized) and a smaller line under it.
pub(crate) fn heading<DB: DrawingBackend>(
    a: &Area<DB>,
    title: &str,
    subtitle: &str,
) -> Result<(), String> {
    write(a, title, (16, 20), 20, LEFT, INK)?;
    if !subtitle.is_empty() {
        write(a, subtitle, (16, 44), 13, LEFT, RGBColor(0x57, 0x60, 0x6a))?;
    }
    Ok(())
}

/// Colour swatches with their labels in one row from `(x, y)`; returns the x after the last.
pub(crate) fn swatches<DB: DrawingBackend>(
    a: &Area<DB>,
    items: &[(String, ShapeStyle)],
    (x, y): (i32, i32),
) -> Result<i32, String> {
    let mut x = x;
    for (label, style) in items {
        rect(a, (x, y - 6), (x + 14, y + 6), *style)?;
        write(a, label, (x + 20, y), 12, LEFT, INK)?;
        x += 20 + text_width(label, 12) + 18;
    }
    Ok(x)
}

/// A close estimate of the width of `text` at `size` px in the embedded font.
pub(crate) fn text_width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * size as f64 * 0.58).ceil() as i32
}

/// `text` cut to at most `max` characters by an ellipsis in the middle, so both the start (the
/// vendor, a group) and the end (the component) stay readable.
pub(crate) fn fit(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep * 2 / 5;
    let tail = keep - head;
    let mut s: String = text.chars().take(head).collect();
    s.push('…');
    s.extend(text.chars().skip(n - tail));
    s
}

/// Round tick values from 0 to at least `max`, about `target` of them (1, 2 or 5 times a
/// power of ten apart).
pub(crate) fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// A horizontal value axis under a panel from `x0` to `x1`: grid lines from `top` down to
/// `bottom` at about `ticks` round values from 0 to `max`, their labels, the axis and its
/// `label`. Returns the scale that places a value on the panel, and the axis's top value.
pub(crate) fn value_axis<DB: DrawingBackend>(
    a: &Area<DB>,
    (x0, x1, label): (i32, i32, &str),
    (max, ticks): (f64, usize),
    (top, bottom): (i32, i32),
) -> Result<(impl Fn(f64) -> i32 + Copy, f64), String> {
    let ticks = nice_ticks(max, ticks);
    let top_value = ticks.last().copied().unwrap_or(1.0).max(1e-9);
    let x = move |v: f64| x0 + ((v.min(top_value) / top_value) * (x1 - x0) as f64).round() as i32;
    for t in &ticks {
        line(a, (x(*t), top - 4), (x(*t), bottom), GRID.stroke_width(1))?;
        write(a, &tick_label(*t), (x(*t), bottom + 6), 12, TOP, INK)?;
    }
    line(a, (x0, bottom), (x1, bottom), INK.stroke_width(1))?;
    write(a, label, ((x0 + x1) / 2, bottom + 30), 13, TOP, INK)?;
    Ok((x, top_value))
}

/// A tick value as short text: `1,500`, `2.5`, `0.25`.
pub(crate) fn tick_label(v: f64) -> String {
    if v >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}

/// Ticks of a time axis over `[start, end)` in `tz`: at most about `max` of them, on local
/// boundaries (minutes, hours, days or months), each with its label.
pub fn time_ticks(tz: &Tz, start: i64, end: i64, max: usize) -> Vec<(i64, String)> {
    const MIN: i64 = 60_000;
    let span_min = ((end - start) / MIN).max(1);
    let max = max.max(2) as i64;
    // Sub-day steps in minutes, then days.
    const STEPS: [i64; 14] = [
        1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080,
    ];
    if let Some(&step) = STEPS.iter().find(|s| span_min / **s <= max) {
        let first = local_datetime(tz, start);
        let multi_day = first.date() != local_datetime(tz, end - 1).date();
        let mut ticks = Vec::new();
        if step < 1440 {
            // Local wall-clock times that are multiples of the step after midnight.
            let day_min = first.hour() as i64 * 60 + first.minute() as i64;
            let mut t = NaiveDateTime::new(first.date(), chrono::NaiveTime::MIN)
                + Duration::minutes(day_min.div_euclid(step) * step);
            loop {
                let ms = local_to_utc_ms(tz, t);
                if ms >= end {
                    break;
                }
                if ms >= start {
                    let label = if multi_day && t.hour() == 0 && t.minute() == 0 {
                        t.format("%b %-d").to_string()
                    } else {
                        t.format("%H:%M").to_string()
                    };
                    ticks.push((ms, label));
                }
                t += Duration::minutes(step);
            }
        } else {
            let days = step / 1440;
            let mut d = first.date();
            loop {
                let ms = local_midnight_ms(tz, d);
                if ms >= end {
                    break;
                }
                if ms >= start {
                    ticks.push((ms, d.format("%b %-d").to_string()));
                }
                d += Duration::days(days);
            }
        }
        return ticks;
    }
    // Months, every 1, 2, 3, 6 or 12.
    let months = (span_min as f64 / 43_830.0).round() as i64;
    let every = [1, 2, 3, 6, 12]
        .into_iter()
        .find(|k| months / k <= max)
        .unwrap_or(12);
    let first = local_datetime(tz, start).date();
    let mut m = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
    let mut ticks = Vec::new();
    loop {
        let ms = local_midnight_ms(tz, m);
        if ms >= end {
            break;
        }
        if ms >= start && (m.month0() as i64) % every == 0 {
            ticks.push((ms, m.format("%Y-%m").to_string()));
        }
        let (y, mo) = if m.month() == 12 {
            (m.year() + 1, 1)
        } else {
            (m.year(), m.month() + 1)
        };
        match NaiveDate::from_ymd_opt(y, mo, 1) {
            Some(next) => m = next,
            None => break,
        }
    }
    ticks
}

/// Vertical grid lines and labels of a time axis under a plot spanning `x0..x1` px.
pub(crate) struct TimeAxis {
    pub start: i64,
    pub end: i64,
    pub x0: i32,
    pub x1: i32,
}

impl TimeAxis {
    pub fn x(&self, t: i64) -> i32 {
        let f = (t - self.start) as f64 / (self.end - self.start).max(1) as f64;
        self.x0 + (f.clamp(0.0, 1.0) * (self.x1 - self.x0) as f64).round() as i32
    }

    /// Grid from `top` to `bottom` and labels under `bottom`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        a: &Area<DB>,
        ticks: &[(i64, String)],
        top: i32,
        bottom: i32,
    ) -> Result<(), String> {
        for (t, label) in ticks {
            let x = self.x(*t);
            line(a, (x, top), (x, bottom), GRID.stroke_width(1))?;
            write(a, label, (x, bottom + 6), 12, TOP, INK)?;
        }
        line(a, (self.x0, bottom), (self.x1, bottom), INK.stroke_width(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_cover_the_maximum() {
        assert_eq!(
            nice_ticks(1718.0, 5),
            vec![0.0, 500.0, 1000.0, 1500.0, 2000.0]
        );
        assert_eq!(nice_ticks(7.0, 4), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 0.5, 1.0]);
        assert_eq!(tick_label(1500.0), "1,500");
        assert_eq!(tick_label(0.25), "0.25");
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(fit("Acme Cloud / Object Storage", 12), "Acme…Storage");
        assert_eq!(fit("Acme", 12), "Acme");
    }

    #[test]
    fn time_ticks_fall_on_local_boundaries() {
        let utc = Tz::UTC;
        let t = |s: &str| crate::time::parse_timestamp(s, &utc).unwrap();
        // Two hours: every 15 minutes.
        let ticks = time_ticks(
            &utc,
            t("2024-06-03T10:07:00Z"),
            t("2024-06-03T12:07:00Z"),
            10,
        );
        assert_eq!(ticks[0].1, "10:15");
        assert_eq!(ticks.len(), 8);
        // A year: months.
        let ticks = time_ticks(
            &utc,
            t("2025-01-01T00:00:00Z"),
            t("2026-01-01T00:00:00Z"),
            12,
        );
        assert_eq!(ticks.len(), 12);
        assert_eq!(ticks[11].1, "2025-12");
        // A month in Berlin: days at local midnight.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let june = crate::period::ReportWindow::month(berlin, 2024, 6).unwrap();
        let ticks = time_ticks(&berlin, june.start, june.end, 8);
        assert_eq!(ticks[0], (june.start, "Jun 1".to_string()));
        assert_eq!(ticks[1].1, "Jun 8");
    }
}
