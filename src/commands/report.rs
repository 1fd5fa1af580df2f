//! `mttx report`: the full pipeline, inputs to the contract's files plus a terminal summary.
//! With no input it reports on the sample data shipped in `data/` (embedded in the binary).

use std::borrow::Cow;
use std::path::PathBuf;

use super::progress::Progress;
use super::{Source, WindowSpec, emit, exit};
use crate::error::Result;
use crate::ingest::{Format, Ingested, Input};
use crate::metrics::{self, SlaTargets};
use crate::model::{GroupKey, Weights};
use crate::period::{Cut, ReportWindow};
use crate::report::{self, Report};
use crate::table::Incidents;
use crate::{chart, output};

/// The sample incidents in `data/`, embedded so that `mttx report` works anywhere.
pub const SAMPLE: &[u8] = include_bytes!("../../data/incidents.csv");
pub const SAMPLE_NAME: &str = "data/incidents.csv";

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `incidents.csv`, `metrics.csv`, `availability.csv`, `rejects.csv`.
    pub csv: bool,
    /// `summary.json`.
    pub json: bool,
    /// `report.html`.
    pub html: bool,
    /// `charts/*.svg` and `charts/*.png`.
    pub charts: bool,
    /// CSV cells written as they are, formula-like text included (`--raw-csv`).
    pub raw_csv: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            csv: true,
            json: true,
            html: true,
            charts: true,
            raw_csv: false,
        }
    }
}

const INCIDENTS_CSV: &str = "incidents.csv";

/// The files a report folder holds that mttx wrote (replaced as a whole by the next run);
/// anything else in the folder is the user's and is kept.
pub const OWNED: [&str; 11] = [
    INCIDENTS_CSV,
    "metrics.csv",
    "availability.csv",
    "breakdown.csv",
    "published_uptime.csv",
    "published_daily.csv",
    "rejects.csv",
    "summary.json",
    "report.html",
    "charts/*.svg",
    "charts/*.png",
];

#[derive(Debug, Clone)]
pub struct ReportArgs {
    pub source: Source,
    pub window: WindowSpec,
    pub weights: Weights,
    pub sla: SlaTargets,
    /// Output folder; default `reports/<window>/`.
    pub out: Option<PathBuf>,
    pub formats: Formats,
    pub quiet: bool,
    /// The configuration read (shown in the report's definitions).
    pub config: crate::config::Config,
    /// `--by`: the breakdown's keys (none: no breakdown).
    pub by: Vec<GroupKey>,
    /// `--period`: the report's periods (`all` keeps the months).
    pub cut: Cut,
}

/// The inputs, or the bundled sample when none is given.
pub fn read_or_sample(source: &super::Source) -> Result<crate::ingest::Ingested> {
    if source.inputs.is_empty() && source.store.is_none() {
        source.read_inputs(&[Input::Bytes {
            name: SAMPLE_NAME.into(),
            format: Format::Csv,
            bytes: Cow::Borrowed(SAMPLE),
        }])
    } else {
        source.read()
    }
}

/// Reads, computes and renders; no file is written here.
pub fn build(args: &ReportArgs) -> Result<Report> {
    build_beside(args, |_, _| ()).map(|(r, ())| r)
}

/// A one-period report's headline compares with the period before: its availability comes
/// from the same sweep as the window's; its time-to-x figures are computed here (label and
/// rows), before the incidents go to `compute_beside`. `None` for a longer window.
fn before_metrics(
    ingested: &Ingested,
    period: &ReportWindow,
    anchor: crate::model::Anchor,
) -> Result<Option<(String, Vec<crate::model::MetricRow>)>> {
    if period.periods.len() != 1 {
        return Ok(None);
    }
    let before = period.period_before()?;
    let metrics =
        metrics::report_metric_rows(&ingested.incidents, &ingested.impacts, &before, anchor)?;
    Ok(Some((before.periods[0].label.clone(), metrics)))
}

/// [`build`], running `beside` with the report's period and incident table on another thread
/// while the rest is computed (see [`metrics::compute_beside`]).
fn build_beside<T: Send>(
    args: &ReportArgs,
    beside: impl FnOnce(&ReportWindow, &Incidents) -> T + Send,
) -> Result<(Report, T)> {
    let mut laps = crate::laps::Laps::start();
    let ingested = read_or_sample(&args.source)?;
    laps.lap("read and validate");
    let span = metrics::data_span(&ingested.incidents, &ingested.impacts);
    let period = args.window.resolve(args.source.tz, span)?.recut(args.cut);
    let opts = metrics::Options {
        period: period.clone(),
        anchor: args.source.anchor,
        weights: args.weights,
        sla: args.sla.clone(),
    };
    let before = before_metrics(&ingested, &period, opts.anchor)?;
    laps.lap("month before");
    let breakdown = if args.by.is_empty() {
        Vec::new()
    } else {
        metrics::grouping::breakdown(&ingested.incidents, &ingested.impacts, &args.by, &opts)?
    };
    laps.lap("breakdown");
    let (published, published_daily) = metrics::published::compare(
        &ingested.incidents,
        &ingested.impacts,
        &ingested.published,
        &opts,
        &|vendor| args.config.published_partial(vendor),
    )?;
    laps.lap("published uptime");
    // Daily downtime and the windows are drawn, never written as data.
    let detail = args.formats.html || args.formats.charts;
    let (computed, besides) = metrics::compute_beside(
        ingested.incidents,
        &ingested.impacts,
        &opts,
        detail,
        |table| beside(&period, table),
    )?;
    laps.lap("compute");
    let previous = before.map(|(label, metrics)| {
        (
            label,
            metrics::Computed {
                metrics,
                availability: computed.period_before.clone(),
                ..metrics::Computed::default()
            },
        )
    });
    let report = Report {
        previous,
        period,
        weights: args.weights,
        anchor: args.source.anchor,
        sla_default: args.sla.default,
        config: args.config.clone(),
        filters: args.source.filters.clone(),
        by: metrics::group_columns(&args.by),
        breakdown,
        published,
        published_daily,
        counts: ingested.counts,
        computed,
        rejects: ingested.rejects,
        warnings: ingested.warnings,
        notes: ingested.notes,
    };
    Ok((report, besides))
}

/// The charts of a report with their file stems made safe (and unique) for `charts/`.
pub fn charts(r: &Report) -> Vec<chart::Named> {
    let mut named = chart::report_charts(r);
    let mut used: Vec<String> = Vec::new();
    for n in &mut named {
        let base = output::slug(&n.stem);
        let mut stem = base.clone();
        let mut k = 2;
        while used.contains(&stem) {
            stem = format!("{base}-{k}");
            k += 1;
        }
        used.push(stem.clone());
        n.stem = stem;
    }
    named
}

/// The files of a report, as `(name, parts)`; each chart drawn is a step of `progress`.
pub fn render<'r>(
    r: &'r Report,
    formats: Formats,
    progress: &Progress,
) -> Result<Vec<(String, output::Content<'r>)>> {
    let mut files = Vec::new();
    if formats.csv {
        files.push((
            INCIDENTS_CSV.into(),
            report::csv::incidents(&r.computed.incidents, formats.raw_csv).into(),
        ));
    }
    if !(formats.charts || formats.html) {
        files.extend(
            data_files(r, formats)
                .into_iter()
                .map(|(name, bytes)| (name, bytes.into())),
        );
        return Ok(files);
    }
    // The data files are rendered beside the charts.
    std::thread::scope(|s| {
        let data = s.spawn(|| data_files(r, formats));
        let drawn = draw(r, formats, progress);
        let data = data.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        files.extend(data.into_iter().map(|(name, bytes)| (name, bytes.into())));
        files.extend(drawn?);
        Ok(files)
    })
}

/// `metrics.csv`, `availability.csv`, `rejects.csv` (when rows were rejected) and
/// `summary.json`, as the formats ask.
fn data_files(r: &Report, formats: Formats) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if formats.csv {
        // The two tables side by side (tens of thousands of rows each at 1M incidents).
        let (metrics, availability) = std::thread::scope(|s| {
            let availability =
                s.spawn(|| report::csv::availability(&r.computed.availability, formats.raw_csv));
            let metrics = report::csv::metrics(&r.computed.metrics, formats.raw_csv);
            let availability = availability
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (metrics, availability)
        });
        files.push(("metrics.csv".into(), metrics));
        files.push(("availability.csv".into(), availability));
        if !r.by.is_empty() {
            let csv = report::csv::breakdown(&r.by, &r.breakdown, formats.raw_csv);
            files.push(("breakdown.csv".into(), csv));
        }
        if !r.published.is_empty() {
            let (uptime, daily) =
                report::csv::published(&r.published, &r.published_daily, formats.raw_csv);
            files.push(("published_uptime.csv".into(), uptime));
            files.push(("published_daily.csv".into(), daily));
        }
        if !r.rejects.is_empty() {
            files.push((
                "rejects.csv".into(),
                report::csv::rejects(&r.rejects, formats.raw_csv),
            ));
        }
    }
    if formats.json {
        files.push(("summary.json".into(), report::json::summary(r).into_bytes()));
    }
    files
}

/// The charts (`charts/*.svg` and `.png` when asked for) and `report.html` (when asked for).
fn draw<'r>(
    r: &'r Report,
    formats: Formats,
    progress: &Progress,
) -> Result<Vec<(String, output::Content<'r>)>> {
    let mut files = Vec::new();
    let mut laps = crate::laps::Laps::nested(1);
    let charts = charts(r);
    laps.lap("chart data");
    progress.done(1);
    // Charts are drawn on every core (one step of `progress`), then listed in order.
    progress.step(&format!("drawing {} charts", charts.len()));
    // The page's text around the charts is rendered beside them.
    let (drawn, sections) = std::thread::scope(|s| {
        let sections = formats.html.then(|| s.spawn(|| report::html::sections(r)));
        let drawn = crate::parallel::map(&charts, |c| -> Result<(String, Option<Vec<u8>>)> {
            let svg = c.drawing.svg()?;
            let png = if formats.charts {
                Some(c.drawing.png()?)
            } else {
                None
            };
            Ok((svg, png))
        });
        let sections = sections.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (drawn, sections)
    });
    laps.lap("charts");
    let mut svgs = Vec::with_capacity(charts.len());
    for (c, d) in charts.iter().zip(drawn) {
        let (svg, png) = d?;
        if let Some(png) = png {
            files.push((
                format!("charts/{}.svg", c.stem),
                svg.clone().into_bytes().into(),
            ));
            files.push((format!("charts/{}.png", c.stem), png.into()));
        }
        if c.in_page {
            svgs.push((c.title.clone(), svg));
        }
    }
    progress.done(0);
    if let Some(sections) = sections {
        files.push((
            "report.html".into(),
            report::html::assemble(sections, &svgs).into_bytes().into(),
        ));
        progress.done(0);
        laps.lap("report.html");
    }
    Ok(files)
}

pub fn run(args: &ReportArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let progress = Progress::new(args.quiet, 2);
    progress.step("reading and computing");
    // The output folder is started, and `incidents.csv` written into it, as soon as the
    // incident table stands, while the rest is computed; the other files follow, and the
    // folder is swapped into place at the end (a failure anywhere leaves the old one).
    let (report, staged) = build_beside(args, |period, table| -> Result<output::Staging> {
        let dir = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("reports").join(period.label()));
        let staging = output::Staging::begin(&dir)?;
        if args.formats.csv {
            let content = report::csv::incidents(table, args.formats.raw_csv).into();
            staging.write(INCIDENTS_CSV, &content)?;
        }
        Ok(staging)
    })?;
    let staging = staged?;
    progress.done(0);
    let mut laps = crate::laps::Laps::start();
    let files = render(&report, args.formats, &progress)?;
    laps.lap("render");
    progress.step("writing files");
    // `incidents.csv` was written beside the computation already.
    staging.write_all(
        files
            .iter()
            .filter(|(name, _)| name != INCIDENTS_CSV)
            .map(|(name, content)| (name.as_str(), content)),
    )?;
    let dir = staging.dir().to_path_buf();
    staging.commit(&OWNED)?;
    laps.lap("write");
    progress.finish();
    if !args.quiet {
        let mut names: Vec<String> = files
            .iter()
            .filter(|(n, _)| !n.starts_with("charts/"))
            .map(|(n, _)| n.clone())
            .collect();
        let charts = files
            .iter()
            .filter(|(n, _)| n.starts_with("charts/"))
            .count();
        if charts > 0 {
            names.push(format!("charts/ ({charts} files)"));
        }
        let dir_text = format!("{}/", dir.display());
        emit(
            out,
            &report::terminal::summary(&report, Some((&dir_text, &names))),
        )?;
    }
    Ok(exit::OK)
}
