//! `mttx report`: the full pipeline, inputs to the contract's files plus a terminal summary.
//! With no input it reports on the sample data shipped in `data/` (embedded in the binary).

use std::borrow::Cow;
use std::path::PathBuf;

use super::{Source, WindowSpec, emit, exit};
use crate::error::Result;
use crate::ingest::{Format, Input};
use crate::metrics::{self, SlaTargets};
use crate::model::Weights;
use crate::output;
use crate::report::{self, Report};

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
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            csv: true,
            json: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReportArgs {
    pub source: Source,
    pub window: WindowSpec,
    pub weights: Weights,
    pub sla: f64,
    /// Output folder; default `reports/<window>/`.
    pub out: Option<PathBuf>,
    pub formats: Formats,
    pub quiet: bool,
}

/// Reads, computes and renders; no file is written here.
pub fn build(args: &ReportArgs) -> Result<Report> {
    let ingested = if args.source.inputs.is_empty() {
        args.source.read_inputs(&[Input::Bytes {
            name: SAMPLE_NAME.into(),
            format: Format::Csv,
            bytes: Cow::Borrowed(SAMPLE),
        }])?
    } else {
        args.source.read()?
    };
    let span = metrics::data_span(&ingested.incidents, &ingested.impacts)?;
    let period = args.window.resolve(args.source.tz, span)?;
    let opts = metrics::Options {
        period: period.clone(),
        anchor: args.source.anchor,
        weights: args.weights,
        sla: SlaTargets { default: args.sla },
    };
    let computed = metrics::compute(&ingested.incidents, &ingested.impacts, &opts)?;
    Ok(Report {
        period,
        weights: args.weights,
        anchor: args.source.anchor,
        sla_default: args.sla,
        counts: ingested.counts,
        computed,
        rejects: ingested.rejects,
        warnings: ingested.warnings,
    })
}

/// The files of a report, as `(name, bytes)`.
pub fn render(r: &Report, formats: Formats) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if formats.csv {
        files.push((
            "incidents.csv".into(),
            report::csv::incidents(&r.computed.incidents),
        ));
        files.push((
            "metrics.csv".into(),
            report::csv::metrics(&r.computed.metrics),
        ));
        files.push((
            "availability.csv".into(),
            report::csv::availability(&r.computed.availability),
        ));
        if !r.rejects.is_empty() {
            files.push(("rejects.csv".into(), report::csv::rejects(&r.rejects)));
        }
    }
    if formats.json {
        files.push(("summary.json".into(), report::json::summary(r).into_bytes()));
    }
    files
}

pub fn run(args: &ReportArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let report = build(args)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(report.period.label()));
    let files = render(&report, args.formats);
    output::write_files(&dir, &files, &["rejects.csv"])?;
    if !args.quiet {
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let dir_text = format!("{}/", dir.display());
        emit(
            out,
            &report::terminal::summary(&report, Some((&dir_text, &names))),
        )?;
    }
    Ok(exit::OK)
}
