//! Output: the one module that writes files. A report is a list of `(relative name, content)`
//! put under one folder (content is bytes, or [`Parts`] rendered as they are written: a large
//! table is never whole in memory, see [`content`]); every name is checked to stay inside it
//! (no `..`, no absolute path), and names made from vendor or component names go through
//! [`slug`] first.
//!
//! [`write_atomically`] (or a [`Staging`] filled file by file) writes the whole set into a
//! temporary folder beside the target and swaps it into place at the end ([`swap`]), so a run
//! killed at any moment leaves the previous report or the new one, never a mix, and every file
//! of the user's in the folder.

use std::path::Path;

use crate::error::Result;

mod content;
mod swap;
pub use content::{Content, Parts, RenderPart};
use content::{inside, write_err};
pub use swap::Staging;

/// A file name from any text: ASCII letters and digits kept (lower-cased), every other run of
/// characters one `-`, at most 60 characters, never empty. It cannot hold a path separator,
/// `..` or a leading dot.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s: String = s.trim_matches('-').chars().take(60).collect();
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "unnamed".into() } else { s }
}

/// Writes `files` as the new content of `dir`, all at once: into `.NAME.mttx-new-PID` beside
/// it, then swapped into place. The report files of the previous run (`owned` patterns) go;
/// any other file in `dir` is kept. If writing fails, `dir` is left as it was.
pub fn write_atomically(
    dir: &Path,
    files: &[(String, Content)],
    owned_names: &[&str],
) -> Result<()> {
    for (name, _) in files {
        inside(dir, name)?;
    }
    let staging = Staging::begin(dir)?;
    staging.write_all(files.iter().map(|(n, c)| (n.as_str(), c)))?;
    staging.commit(owned_names)
}

/// Writes one file (the generator's output, one chart), creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_err(parent))?;
    }
    std::fs::write(path, bytes).map_err(write_err(path))
}

#[cfg(test)]
mod tests;
