//! Output: the one module that writes files. A report is a list of `(relative name, bytes)`
//! put under one folder; every name is checked to stay inside it (no `..`, no absolute path),
//! and names made from vendor or component names go through [`slug`] first. Files an earlier
//! run left that this run no longer writes (a `rejects.csv`, a vendor's chart) are removed.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

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

/// `dir/name`, refused unless `name` is a relative path of plain names.
fn inside(dir: &Path, name: &str) -> Result<PathBuf> {
    let rel = Path::new(name);
    let plain = !name.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(Error::Write {
            path: dir.join(name),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an output name must stay inside the output folder",
            ),
        });
    }
    Ok(dir.join(rel))
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Writes `files` under `dir`. `stale` names files to remove when this run did not write them;
/// a `*` in an entry's file name matches any text (`charts/*.svg`).
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)], stale: &[&str]) -> Result<()> {
    let mut paths = Vec::with_capacity(files.len());
    for (name, _) in files {
        paths.push(inside(dir, name)?);
    }
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    for (path, (_, bytes)) in paths.iter().zip(files) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        std::fs::write(path, bytes).map_err(write_err(path))?;
    }
    for pattern in stale {
        let (folder, name) = match pattern.rsplit_once('/') {
            Some((f, n)) => (dir.join(f), n),
            None => (dir.to_path_buf(), *pattern),
        };
        let (prefix, suffix) = name.split_once('*').unwrap_or((name, ""));
        let exact = !name.contains('*');
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().to_string();
            let matches = if exact {
                file == name
            } else {
                file.len() >= prefix.len() + suffix.len()
                    && file.starts_with(prefix)
                    && file.ends_with(suffix)
            };
            let path = entry.path();
            if matches && path.is_file() && !paths.contains(&path) {
                std::fs::remove_file(&path).map_err(write_err(&path))?;
            }
        }
    }
    Ok(())
}

/// Writes one file (the generator's output, one chart), creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_err(parent))?;
    }
    std::fs::write(path, bytes).map_err(write_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_file_names() {
        assert_eq!(slug("Acme Cloud"), "acme-cloud");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("..."), "unnamed");
        assert_eq!(slug("Zürich / Core API"), "z-rich-core-api");
        assert_eq!(slug(&"x".repeat(100)).len(), 60);
        assert_eq!(slug("C:\\Windows"), "c-windows");
    }

    #[test]
    fn names_that_leave_the_folder_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for bad in ["../evil.txt", "/tmp/evil.txt", "charts/../../evil.txt", ""] {
            let files = vec![
                ("ok.txt".to_string(), b"1".to_vec()),
                (bad.to_string(), b"2".to_vec()),
            ];
            assert!(write_files(&out, &files, &[]).is_err(), "{bad}");
        }
        assert!(!out.exists());
        assert!(!dir.path().join("evil.txt").exists());
    }

    #[test]
    fn stale_files_of_an_earlier_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let files = |names: &[&str]| -> Vec<(String, Vec<u8>)> {
            names
                .iter()
                .map(|n| (n.to_string(), b"x".to_vec()))
                .collect()
        };
        let stale = ["rejects.csv", "charts/uptime-*.svg"];
        write_files(
            d,
            &files(&["rejects.csv", "charts/uptime-a.svg", "charts/uptime-b.svg"]),
            &stale,
        )
        .unwrap();
        std::fs::write(d.join("charts/mine.txt"), b"keep").unwrap();
        write_files(d, &files(&["charts/uptime-a.svg"]), &stale).unwrap();
        assert!(!d.join("rejects.csv").exists());
        assert!(!d.join("charts/uptime-b.svg").exists());
        assert!(d.join("charts/uptime-a.svg").exists());
        assert!(d.join("charts/mine.txt").exists());
    }
}
