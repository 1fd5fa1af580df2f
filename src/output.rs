//! Output: the one module that writes files. A report is a list of `(file name, bytes)` put
//! into one folder; a stale `rejects.csv` from an earlier run is removed when nothing was
//! rejected this time.

use std::path::Path;

use crate::error::{Error, Result};

pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)], stale: &[&str]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::Write { path, source: e })?;
    }
    for name in stale {
        let path = dir.join(name);
        if path.exists() && !files.iter().any(|(n, _)| n == name) {
            std::fs::remove_file(&path).map_err(|e| Error::Write { path, source: e })?;
        }
    }
    Ok(())
}

/// Writes one file (the generator's output), creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::Write {
            path: parent.to_path_buf(),
            source: e,
        })?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e,
    })
}
