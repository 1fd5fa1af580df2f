//! The library's error type: every failure names the file, and where it can the line, the
//! column and the offending value, so a user can fix their input without a backtrace.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error(
        "{path}: unsupported input format (expected .csv, .json, .ndjson, .jsonl, .parquet or .pq, a report page as .txt, .html or .htm, or an Atom feed as .atom, .xml or .rss)"
    )]
    UnknownFormat { path: PathBuf },
    #[error("{source_name}:{line}: {message}")]
    Parse {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("{source_name}: {message}")]
    File {
        source_name: String,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
    /// A mistake in the configuration file.
    #[error("{source_name}:{line}: {message}")]
    Config {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("{0}")]
    NoData(String),
    /// The vendor store cannot be opened or used (exit 1).
    #[error("{path}: {message}")]
    Store { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A write failed; `left` says in what state the output was left.
    #[error("{cause}; {left}")]
    Left { cause: Box<Error>, left: String },
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("internal dataframe error: {0}")]
    Frame(#[from] polars::error::PolarsError),
}

/// A failed render (plotters' error, as text).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {chart} chart: {message}")]
pub struct ChartError {
    pub chart: &'static str,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A closed pipe (`mttx metrics ... | head`) ends the run quietly and successfully.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The process exit code documented in the README.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Config { .. } => 2,
            Error::Write { .. } | Error::Left { .. } => 4,
            _ => 1,
        }
    }
}
