//! `mttx import`: reads any supported input (canonical files, Statuspage JSON, report pages)
//! and writes what was read as canonical `incidents.csv`, plus `impacts.csv` when there are
//! precise windows, so a person can review and correct it before reporting on it.

use std::fmt::Write;
use std::path::PathBuf;

use super::{Source, emit, exit};
use crate::error::Result;
use crate::{output, report};

#[derive(Debug, Clone)]
pub struct ImportArgs {
    pub source: Source,
    pub out: PathBuf,
    /// Write cells as they are, formula-like text included.
    pub raw_csv: bool,
}

pub fn run(args: &ImportArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let ing = args.source.read()?;
    let (incidents, impacts) = (&ing.incidents, ing.impacts.rows(&ing.incidents));
    let mut files = vec![(
        "incidents.csv".to_string(),
        report::csv::canonical_incidents(incidents, args.raw_csv).into(),
    )];
    if !impacts.is_empty() {
        files.push((
            "impacts.csv".into(),
            report::csv::impacts(&impacts, args.raw_csv).into(),
        ));
    }
    if !ing.rejects.is_empty() {
        files.push((
            "rejects.csv".into(),
            report::csv::rejects(&ing.rejects, args.raw_csv).into(),
        ));
    }
    output::write_atomically(
        &args.out,
        &files,
        &["incidents.csv", "impacts.csv", "rejects.csv"],
    )?;
    let c = ing.counts;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "rows: {} read, {} accepted, {} rejected; {} warnings (mttx validate lists them)",
        c.read,
        c.accepted,
        c.rejected,
        ing.warnings.len()
    );
    let _ = writeln!(
        s,
        "Wrote {}/: incidents.csv ({} incidents){}{}",
        args.out.display(),
        incidents.len(),
        if impacts.is_empty() {
            String::new()
        } else {
            format!(", impacts.csv ({} windows)", impacts.len())
        },
        if ing.rejects.is_empty() {
            ""
        } else {
            ", rejects.csv"
        }
    );
    emit(out, &s)?;
    Ok(exit::OK)
}
