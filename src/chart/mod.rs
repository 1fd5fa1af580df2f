//! Charts: plotters renderers that turn result rows into SVG text or PNG bytes, never touching
//! the file system. One embedded font (DejaVu Sans, licence in `assets/fonts`) so no system
//! font library is needed; one palette, with a fixed colour per impact level.

pub mod sla;
pub mod trend;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::model::Level;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font once for every style plotters asks for.
fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            // The font is embedded and valid; a failure would only lose text, never panic.
            let _ = register_font(FAMILY, style, FONT);
        }
    });
}

/// A failed render (plotters' error, as text).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {chart} chart: {message}")]
pub struct ChartError {
    pub chart: &'static str,
    pub message: String,
}

/// Colour of each impact level, the same in every chart.
pub fn level_colour(level: Level) -> RGBColor {
    match level {
        Level::MajorOutage => RGBColor(0xd7, 0x3a, 0x49),
        Level::PartialOutage => RGBColor(0xf0, 0x8c, 0x00),
        Level::DegradedPerformance => RGBColor(0xe6, 0xc2, 0x00),
        Level::UnderMaintenance => RGBColor(0x3d, 0x7e, 0xc9),
    }
}

/// Categorical colours for series (vendors, metrics), colour-blind friendly (Okabe-Ito).
pub const SERIES: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0xf0, 0xe4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];

/// The colour that marks a missed SLA.
pub const MISS: RGBColor = RGBColor(0xc0, 0x1c, 0x28);
pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
pub const INK: RGBColor = RGBColor(0x24, 0x29, 0x2f);

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    const NAME: &'static str;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// The chart as SVG text.
pub fn svg<C: Chart>(chart: &C) -> Result<String, ChartError> {
    fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, chart.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err::<C>(e.to_string()))?;
        chart.draw(&root).map_err(err::<C>)?;
        root.present().map_err(|e| err::<C>(e.to_string()))?;
    }
    Ok(out)
}

/// The chart as PNG bytes.
pub fn png<C: Chart>(chart: &C) -> Result<Vec<u8>, ChartError> {
    fonts();
    let (w, h) = chart.size();
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err::<C>(e.to_string()))?;
        chart.draw(&root).map_err(err::<C>)?;
        root.present().map_err(|e| err::<C>(e.to_string()))?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| err::<C>(e.to_string()))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| err::<C>(e.to_string()))?;
    writer.finish().map_err(|e| err::<C>(e.to_string()))?;
    Ok(out)
}

fn err<C: Chart>(message: String) -> ChartError {
    ChartError {
        chart: C::NAME,
        message,
    }
}

/// Text style of the given size in the embedded font.
pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&INK)
}

/// The label of a month axis at `x` (months are at whole numbers; nothing between them).
pub(crate) fn month_label(months: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 {
        months.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// A legend's sample: a short thick line in the series' colour.
pub(crate) fn legend_line(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
}

/// Draws the legend of every labelled series, in the house style.
pub(crate) fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font(text(13))
        .draw()
        .map_err(|e| e.to_string())
}
