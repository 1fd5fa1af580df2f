//! `mttx generate`: writes seeded sample incidents as canonical CSV (to a file or stdout) or
//! Parquet (a `.parquet` file: the same rows, timestamps typed).

use std::path::PathBuf;

use super::{emit, exit};
use crate::error::Result;
use crate::generate::{GenOptions, generate_csv};
use crate::output;

#[derive(Debug, Clone)]
pub struct GenerateArgs {
    pub options: GenOptions,
    pub out: Option<PathBuf>,
}

pub fn run(args: &GenerateArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let csv = generate_csv(&args.options);
    match &args.out {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet")) =>
        {
            output::write_file(path, &crate::ingest::parquet_of_canonical_csv(&csv)?)?
        }
        Some(path) => output::write_file(path, csv.as_bytes())?,
        None => emit(out, &csv)?,
    }
    Ok(exit::OK)
}
