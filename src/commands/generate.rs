//! `mttx generate`: writes seeded sample incidents as canonical CSV (to a file or stdout) or
//! Parquet (a `.parquet` file: the same rows, timestamps typed).

use std::path::PathBuf;

use super::{emit, exit};
use crate::error::{Error, Result};
use crate::generate::{GenOptions, generate_csv};
use crate::output;

#[derive(Debug, Clone)]
pub struct GenerateArgs {
    pub options: GenOptions,
    pub out: Option<PathBuf>,
}

/// Writes CSV, or Parquet for a `.parquet` file. Any other extension is refused before any
/// work: a `.json` file holding CSV would be misread by every later run.
pub fn run(args: &GenerateArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let parquet = match &args.out {
        None => false,
        Some(path) => match path.extension().map(|e| e.to_string_lossy().to_lowercase()) {
            Some(e) if e == "csv" => false,
            Some(e) if e == "parquet" => true,
            _ => {
                return Err(Error::Usage(format!(
                    "{}: mttx generate writes a .csv or .parquet file (or CSV to standard output without -o)",
                    path.display()
                )));
            }
        },
    };
    let csv = generate_csv(&args.options);
    match &args.out {
        Some(path) if parquet => {
            output::write_file(path, &crate::ingest::parquet_of_canonical_csv(&csv)?)?
        }
        Some(path) => output::write_file(path, csv.as_bytes())?,
        None => emit(out, &csv)?,
    }
    Ok(exit::OK)
}
