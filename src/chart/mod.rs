//! Charts: plotters renderers that turn result rows into SVG text or PNG bytes, never touching
//! the file system. One embedded font (DejaVu Sans, licence in `assets/fonts`) so no system
//! font library is needed; one palette, with a fixed colour per impact level.

pub mod breakdown;
pub mod distribution;
pub mod downtime;
pub mod draw;
mod raster;
pub mod retro;
pub mod sla;
pub mod timeline;
pub mod trend;
pub mod uptime;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::model::{AvailScope, Level, Metric};
use crate::report::Report;

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

pub use crate::error::ChartError;

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

/// The charts a report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Downtime by component, split by level, budget marked.
    Downtime,
    /// Availability by vendor per month.
    Sla,
    /// Monthly MTTD, MTTM and MTTR medians with the p90 band.
    Trend,
    /// Distribution of the time to resolve.
    Distribution,
    /// Components as lanes, incidents as bars.
    Timeline,
    /// One cell per day per vendor and component.
    Uptime,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Sla,
        Kind::Downtime,
        Kind::Trend,
        Kind::Distribution,
        Kind::Timeline,
        Kind::Uptime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Downtime => "downtime",
            Kind::Sla => "sla",
            Kind::Trend => "trend",
            Kind::Distribution => "distribution",
            Kind::Timeline => "timeline",
            Kind::Uptime => "uptime",
        }
    }
}

/// Any chart, ready to render.
#[derive(Debug, Clone)]
pub enum Drawing {
    Downtime(downtime::Downtime),
    Sla(sla::Sla),
    Trend(trend::Trend),
    Distribution(distribution::Distribution),
    Timeline(timeline::Timeline),
    Uptime(uptime::Uptime),
    Retro(retro::Retro),
    Breakdown(breakdown::Breakdown),
}

macro_rules! each {
    ($d:expr, $c:ident => $e:expr) => {
        match $d {
            Drawing::Downtime($c) => $e,
            Drawing::Sla($c) => $e,
            Drawing::Trend($c) => $e,
            Drawing::Distribution($c) => $e,
            Drawing::Timeline($c) => $e,
            Drawing::Uptime($c) => $e,
            Drawing::Retro($c) => $e,
            Drawing::Breakdown($c) => $e,
        }
    };
}

impl Drawing {
    pub fn svg(&self) -> Result<String, ChartError> {
        each!(self, c => svg(c))
    }

    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        each!(self, c => png(c))
    }
}

/// A chart of a report with the file stem it is written under (`charts/<stem>.svg`) and the
/// heading the HTML report gives it.
#[derive(Debug, Clone)]
pub struct Named {
    pub stem: String,
    pub title: String,
    pub drawing: Drawing,
    /// Shown in `report.html` too (a vendor's uptime only when the overview leaves its
    /// components out).
    pub in_page: bool,
}

/// One chart of a report (the overview, for `uptime`).
pub fn of_report(r: &Report, kind: Kind) -> Drawing {
    let c = &r.computed;
    let window = r.period.title();
    match kind {
        Kind::Downtime => Drawing::Downtime(downtime::Downtime::from_rows(
            &c.availability,
            &window,
            r.weights,
        )),
        Kind::Sla => Drawing::Sla(sla::Sla {
            unit: r.period.unit().0,
            ..sla::Sla::from_rows(&c.availability)
        }),
        Kind::Trend => Drawing::Trend(trend::Trend {
            unit: r.period.unit().0,
            ..trend::Trend::from_rows(
                &c.metrics,
                &(r.period.periods.iter())
                    .map(|m| m.label.clone())
                    .collect::<Vec<_>>(),
            )
        }),
        Kind::Distribution => Drawing::Distribution(distribution::Distribution::from_rows(
            &c.incidents,
            &c.metrics,
            Metric::Mttr,
            &window,
        )),
        Kind::Timeline => Drawing::Timeline(timeline::Timeline::from_rows(
            &c.windows,
            &c.availability,
            &r.period,
        )),
        Kind::Uptime => Drawing::Uptime(uptime::Uptime::overview(&c.daily)),
    }
}

/// Vendors that get an uptime chart of their own, at most.
pub const VENDOR_CHARTS: usize = 25;

/// Every chart of a report: each kind, then one uptime chart per vendor when there are several
/// (the least available [`VENDOR_CHARTS`]). Stems of vendor charts carry the vendor's name as
/// given; the output module makes file names of them.
pub fn report_charts(r: &Report) -> Vec<Named> {
    let titles = |k: Kind| match k {
        Kind::Sla => format!("Availability by vendor per {}", r.period.unit().0),
        Kind::Downtime => "Downtime by component".into(),
        Kind::Trend => format!(
            "Time to detect, mitigate and resolve by {}",
            r.period.unit().0
        ),
        Kind::Distribution => "How long incidents took to resolve".into(),
        Kind::Timeline => "Incident timeline".into(),
        Kind::Uptime => "Daily uptime".into(),
    };
    // Each kind's data gathered on every core (the timeline's lanes are a million windows).
    let drawings = crate::parallel::map(&Kind::ALL, |k| of_report(r, *k));
    let mut out: Vec<Named> = Kind::ALL
        .iter()
        .zip(drawings)
        .map(|(k, drawing)| Named {
            stem: k.as_str().to_string(),
            title: titles(*k),
            drawing,
            in_page: true,
        })
        .collect();
    let overview_complete = matches!(
        out.iter().find(|n| n.stem == Kind::Uptime.as_str()).map(|n| &n.drawing),
        Some(Drawing::Uptime(u)) if u.hidden == 0
    );
    let mut vendors: Vec<_> = r
        .computed
        .availability
        .iter()
        .filter(|a| a.scope == AvailScope::Vendor && a.period.is_whole())
        .collect();
    if vendors.len() > 1 {
        vendors.sort_by(|a, b| {
            a.availability_pct
                .total_cmp(&b.availability_pct)
                .then_with(|| a.vendor.cmp(&b.vendor))
        });
        vendors.truncate(VENDOR_CHARTS);
        vendors.sort_by(|a, b| a.vendor.cmp(&b.vendor));
        for v in vendors {
            out.push(Named {
                stem: format!("uptime-{}", v.vendor),
                title: format!("Daily uptime of {}", v.vendor),
                drawing: Drawing::Uptime(uptime::Uptime::vendor(&r.computed.daily, &v.vendor)),
                in_page: !overview_complete,
            });
        }
    }
    if !r.by.is_empty() {
        out.push(Named {
            stem: "breakdown".into(),
            title: format!("Breakdown by {}", r.by.join(", ")),
            drawing: Drawing::Breakdown(breakdown::Breakdown::from_rows(
                &r.by,
                &r.breakdown,
                &r.period.title(),
            )),
            in_page: true,
        });
    }
    out
}

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
        let root = raster::Raster(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err::<C>(e.to_string()))?;
        chart.draw(&root).map_err(err::<C>)?;
        root.present().map_err(|e| err::<C>(e.to_string()))?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Flat colours and text compress far better with a filter chosen per row. The default
    // level: `Best` made the 30 charts of a large report 6% smaller at a third more time.
    enc.set_compression(png::Compression::Default);
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
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

/// The label of a month axis at `x` (months are at whole numbers; nothing between them). With
/// more than 12 months, every second, third, ... month is labelled so labels never overlap.
pub(crate) fn month_label(months: &[String], x: f64) -> String {
    let i = x.round();
    let every = months.len().div_ceil(12).max(1);
    if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize).is_multiple_of(every) {
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
