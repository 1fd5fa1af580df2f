//! The inputs: what one is (a path or bytes) and its format (from the extension), which files
//! an input names (folders walked, links followed, loops skipped), their size against the
//! memory reading them takes, and a whole file's bytes (mapped where the system can) for the
//! readers that take a file whole.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// An input format, chosen from the file extension (and for `.json`, the content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// `.json`: a JSON array of records, or NDJSON when the content is one object per line.
    Json,
    Ndjson,
    Parquet,
    /// A Statuspage incident report page, as text or saved HTML (`.txt`, `.html`, `.htm`).
    Page,
    /// A status page's incident history as an Atom feed (`.atom`, `.xml`).
    Atom,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" | "pq" => Some(Format::Parquet),
            "txt" | "html" | "htm" => Some(Format::Page),
            "atom" | "xml" | "rss" => Some(Format::Atom),
            _ => None,
        }
    }

    /// Memory a report plans for per byte of this format on disk: the peak measured at scale
    /// with a margin of about half again (docs/performance.md, "Memory per byte of input").
    /// CSV peaks at 1.8 to 2.1 bytes per byte (1M to 10M incidents, CSV-only or full report),
    /// NDJSON and JSON arrays at 2.9 (read one record at a time), Parquet (compressed about ten
    /// times) at 19. Report pages were not measured at scale (they are small): the old, safe 16.
    pub fn memory_per_byte(self) -> u64 {
        match self {
            Format::Csv => 3,
            Format::Json | Format::Ndjson => 5,
            Format::Parquet => 30,
            Format::Page | Format::Atom => 16,
        }
    }
}

/// What a run may read, checked before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLimit {
    /// The inputs' total size on disk, in bytes (`--max-input-mb`).
    Bytes(u64),
    /// The memory the inputs are planned to need ([`Format::memory_per_byte`]), in bytes.
    Memory(u64),
}

/// Memory assumed available where the system does not say: 3 GiB (1 GiB of CSV).
pub const UNKNOWN_MEMORY: u64 = 3 << 30;

/// The default limit: the inputs' planned memory within what the system says is available.
pub fn default_input_limit() -> InputLimit {
    InputLimit::Memory(available_memory().unwrap_or(UNKNOWN_MEMORY))
}

/// One input: a path (file or directory) or bytes already in memory (the embedded sample).
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Bytes {
        name: String,
        format: Format,
        bytes: std::borrow::Cow<'static, [u8]>,
    },
}

/// Lists the files under the inputs: files as given, directories walked recursively in name
/// order, keeping files with a known extension (hidden entries skipped). Links are followed,
/// but a link back to a folder above it (a loop) is skipped: each file is read once.
pub fn expand(inputs: &[Input]) -> Result<Vec<Input>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let hidden = |e: &walkdir::DirEntry| {
            e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
        };
        let entries = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !hidden(e));
        for entry in entries {
            match entry {
                Ok(e) if e.file_type().is_file() && Format::from_path(e.path()).is_some() => {
                    out.push(e.into_path())
                }
                Ok(_) => {}
                // A loop of links: that branch is already being read.
                Err(e) if e.loop_ancestor().is_some() => {}
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    return Err(Error::Io {
                        path,
                        source: e.into_io_error().unwrap_or_else(|| {
                            std::io::Error::other("the folder cannot be walked")
                        }),
                    });
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                walk(p, &mut files)?;
                out.extend(files.into_iter().map(Input::Path));
            }
            Input::Path(p) if !p.exists() => return Err(Error::NotFound { path: p.clone() }),
            Input::Path(p) if Format::from_path(p).is_none() => {
                return Err(Error::UnknownFormat { path: p.clone() });
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out)
}

/// A whole file's bytes (Parquet, JSON, report pages; CSV is streamed in chunks instead):
/// mapped into memory where the system can (a regular, non-empty file), else read. Mapping
/// saves reading a copy: the pages are the system's file cache, used in place, not copied into
/// fresh memory (206 MB: 0.33 s to read, next to nothing to map).
pub(super) enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    pub(super) fn open(path: &Path) -> std::io::Result<FileBytes> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is only read, and only while this run holds it (inside
            // `read_one`). Another process truncating or rewriting the file during those
            // seconds is the one hazard of any memory map (ripgrep accepts it too); mttx reads
            // exports, not files being written.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(FileBytes::Mapped(map));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        Ok(FileBytes::Read(bytes))
    }

    pub(super) fn bytes(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

/// Memory the system says is available (Linux `MemAvailable`), if it says.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The inputs' total size on disk, refused before reading when beyond `limit` (mttx holds
/// its input in memory): the message names the sizes and the memory planned.
pub(super) fn check_size(files: &[Input], limit: InputLimit) -> Result<u64> {
    let (mut total, mut planned) = (0u64, 0u64);
    for f in files {
        let (size, format) = match f {
            Input::Path(p) => (
                std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
                Format::from_path(p).unwrap_or(Format::Page),
            ),
            Input::Bytes { bytes, format, .. } => (bytes.len() as u64, *format),
        };
        total += size;
        planned = planned.saturating_add(size.saturating_mul(format.memory_per_byte()));
    }
    let mb = |b: u64| (b as f64 / 1_048_576.0 * 100.0).round() / 100.0;
    let gb = |b: u64| b as f64 / 1_073_741_824.0;
    let inputs = format!(
        "the inputs are {:.1} MB in {} files",
        mb(total),
        files.len()
    );
    let rates = "about 3 bytes of memory per byte of CSV, 5 of JSON, 30 of Parquet";
    match limit {
        InputLimit::Bytes(max) if total > max => Err(Error::NoData(format!(
            "{inputs}, more than the limit of {} MB (--max-input-mb): mttx holds its input in memory ({rates}, {:.1} GB here). Raise the limit if the machine has the memory, or report on fewer files at a time",
            mb(max),
            gb(planned)
        ))),
        InputLimit::Memory(available) if planned > available => Err(Error::NoData(format!(
            "{inputs}: mttx holds its input in memory and plans for {:.1} GB to read them ({rates}), more than the {:.1} GB available. Report on fewer files at a time, or set --max-input-mb to read them anyway",
            gb(planned),
            gb(available)
        ))),
        _ => Ok(total),
    }
}
