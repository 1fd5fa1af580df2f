//! `mttx chart KIND INPUT... -o FILE.svg|png`: one chart of a report, as SVG or PNG (chosen by
//! the file's extension), computed exactly as `mttx report` computes it.

use std::path::PathBuf;

use super::{emit, exit};
use crate::chart::{self, Kind};
use crate::commands::report::{ReportArgs, build};
use crate::error::{Error, Result};
use crate::output;

#[derive(Debug, Clone)]
pub struct ChartArgs {
    /// Inputs, window, weights and target, as for `report` (its `out` and `formats` unused).
    pub report: ReportArgs,
    pub kind: Kind,
    pub out: PathBuf,
}

pub fn run(args: &ChartArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let png = match ext.as_deref() {
        Some("png") => true,
        Some("svg") => false,
        _ => {
            return Err(Error::Usage(format!(
                "-o {}: the file name must end in .svg or .png",
                args.out.display()
            )));
        }
    };
    // Charts need the windows and days that only chart-writing reports compute.
    let report = build(&ReportArgs {
        formats: super::report::Formats::default(),
        ..args.report.clone()
    })?;
    let drawing = chart::of_report(&report, args.kind);
    let bytes = if png {
        drawing.png()?
    } else {
        drawing.svg()?.into_bytes()
    };
    output::write_file(&args.out, &bytes)?;
    if !args.report.quiet {
        emit(
            out,
            &format!("Wrote {} ({})\n", args.out.display(), report.period.label()),
        )?;
    }
    Ok(exit::OK)
}
