//! Output: the one module that writes files. A report is a list of `(relative name, content)`
//! put under one folder (content is bytes, or [`Parts`] rendered as they are written: a large
//! table is never whole in memory); every name is checked to stay inside it (no `..`, no absolute path),
//! and names made from vendor or component names go through [`slug`] first.
//!
//! [`write_atomically`] (or a [`Staging`] filled file by file) writes the whole set into a
//! temporary folder beside the target and swaps it into place at the end, so a run killed at
//! any moment leaves the previous report or the new one, never a mix; files of the user's in
//! the folder are carried over.

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

/// What a file holds: its bytes, or parts rendered on demand.
pub enum Content<'a> {
    Bytes(Vec<u8>),
    Parts(Parts<'a>),
}

/// A file in `count` parts, one after the other, each rendered by `part` (appending to the
/// buffer it is given) when it is written: a large table rendered a chunk at a time on every
/// core while the chunks before it are written, never whole in memory. The few buffers in
/// flight are reused from part to part, so a large file costs no fresh memory per part.
pub struct Parts<'a> {
    pub count: usize,
    pub part: Box<RenderPart<'a>>,
}

/// Renders part `i` of a [`Parts`], appending it to the buffer.
pub type RenderPart<'a> = dyn Fn(usize, &mut Vec<u8>) + Sync + 'a;

impl Parts<'_> {
    /// Every part, joined (for tests and benchmarks).
    pub fn join(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..self.count {
            (self.part)(i, &mut out);
        }
        out
    }
}

impl From<Vec<u8>> for Content<'_> {
    fn from(bytes: Vec<u8>) -> Self {
        Content::Bytes(bytes)
    }
}

impl<'a> From<Parts<'a>> for Content<'a> {
    fn from(parts: Parts<'a>) -> Self {
        Content::Parts(parts)
    }
}

/// Writes `content` to `path` (a new file).
fn write_content(path: &Path, content: &Content) -> std::io::Result<()> {
    match content {
        Content::Bytes(b) => std::fs::write(path, b),
        Content::Parts(p) => {
            let mut f = std::fs::File::create(path)?;
            let spare = std::sync::Mutex::new(Vec::<Vec<u8>>::new());
            let take = || {
                spare
                    .lock()
                    .ok()
                    .and_then(|mut s| s.pop())
                    .unwrap_or_default()
            };
            let render = |i| {
                let mut buf = take();
                buf.clear();
                (p.part)(i, &mut buf);
                buf
            };
            crate::parallel::ordered(p.count, render, |buf: Vec<u8>| {
                std::io::Write::write_all(&mut f, &buf)?;
                if let Ok(mut s) = spare.lock() {
                    s.push(buf);
                }
                Ok(())
            })
        }
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Whether `rel` (a `/`-separated path under the report folder) is one of `patterns`, where a
/// `*` in a pattern's file name matches any text.
fn owned(rel: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| {
        let (pf, pn) = p.rsplit_once('/').unwrap_or(("", p));
        let (rf, rn) = rel.rsplit_once('/').unwrap_or(("", rel));
        if pf != rf {
            return false;
        }
        match pn.split_once('*') {
            Some((pre, suf)) => {
                rn.len() >= pre.len() + suf.len() && rn.starts_with(pre) && rn.ends_with(suf)
            }
            None => rn == pn,
        }
    })
}

/// Files under `root`, as `/`-separated relative paths.
fn files_under(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.path().is_dir() {
            files_under(root, &r, out);
        } else {
            out.push(r);
        }
    }
}

/// The sibling folders a run uses: `.NAME.mttx-new-PID` and `.NAME.mttx-old-PID`.
fn sibling(dir: &Path, kind: &str, pid: u32) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    dir.with_file_name(format!(".{name}.mttx-{kind}-{pid}"))
}

/// Leftovers of a run that was killed: a previous report moved aside but not back comes back
/// to `dir` (when `dir` is missing); unfinished new reports are removed.
fn recover(dir: &Path) -> Result<()> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Ok(());
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.mttx-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        let Some(rest) = n.strip_prefix(&prefix) else {
            continue;
        };
        let path = e.path();
        if rest.starts_with("old-") && !dir.exists() {
            std::fs::rename(&path, dir).map_err(write_err(dir))?;
        } else {
            std::fs::remove_dir_all(&path).map_err(write_err(&path))?;
        }
    }
    Ok(())
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

/// A report folder being written, for [`write_atomically`] or for a caller that writes some
/// files early (`incidents.csv` while the rest of the report is computed, from another
/// thread): files go into `.NAME.mttx-new-PID` beside `dir`, and [`Staging::commit`] swaps it
/// into place. Dropped uncommitted (an error, a panic), it removes what it wrote and `dir` is
/// left as it was.
pub struct Staging {
    dir: PathBuf,
    new: PathBuf,
    pid: u32,
    committed: bool,
}

impl Staging {
    /// Starts a new content for `dir`: its parent created, leftovers of a killed run
    /// recovered, the temporary folder made.
    pub fn begin(dir: &Path) -> Result<Staging> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Write {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file is in the way of the output folder",
                ),
            });
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        recover(dir)?;
        let pid = std::process::id();
        let new = sibling(dir, "new", pid);
        std::fs::create_dir_all(&new)
            .map_err(write_err(&new))
            .map_err(|e| left(dir, e))?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            new,
            pid,
            committed: false,
        })
    }

    /// The folder this content is for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file of the new content (`name` relative, checked to stay inside).
    pub fn write(&self, name: &str, content: &Content) -> Result<()> {
        let path = inside(&self.new, name)?;
        let write = || -> Result<()> {
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(write_err(p))?;
            }
            write_content(&path, content).map_err(write_err(&path))
        };
        write().map_err(|e| left(&self.dir, e))
    }

    /// Writes `files` on every core (a full report is some sixty charts and a page); the first
    /// error, in the files' order, is returned.
    pub fn write_all<'c>(
        &self,
        files: impl Iterator<Item = (&'c str, &'c Content<'c>)>,
    ) -> Result<()> {
        let files: Vec<(&str, &Content)> = files.collect();
        crate::parallel::map(&files, |(name, content)| self.write(name, content))
            .into_iter()
            .collect()
    }

    /// Swaps the new content into place: the report files of the previous run (`owned`
    /// patterns) go, any other file in the folder is kept.
    pub fn commit(mut self, owned_names: &[&str]) -> Result<()> {
        self.committed = true;
        let (dir, new) = (self.dir.as_path(), self.new.as_path());
        if !dir.exists() {
            return std::fs::rename(new, dir).map_err(write_err(dir));
        }
        // Swap: the previous folder aside, the new one in, then the user's files back.
        let old = sibling(dir, "old", self.pid);
        std::fs::rename(dir, &old).map_err(write_err(dir))?;
        if let Err(e) = std::fs::rename(new, dir) {
            let _ = std::fs::rename(&old, dir);
            let _ = std::fs::remove_dir_all(new);
            return Err(left(dir, write_err(dir)(e)));
        }
        let mut theirs = Vec::new();
        files_under(&old, "", &mut theirs);
        for rel in theirs {
            let target = dir.join(&rel);
            if owned(&rel, owned_names) || target.exists() {
                continue;
            }
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p).map_err(write_err(p))?;
            }
            std::fs::rename(old.join(&rel), &target).map_err(write_err(&target))?;
        }
        std::fs::remove_dir_all(&old).map_err(write_err(&old))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.new);
        }
    }
}

/// `cause`, saying that `dir` was not changed.
fn left(dir: &Path, cause: Error) -> Error {
    Error::Left {
        cause: Box::new(cause),
        left: format!("{} was not changed", dir.display()),
    }
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
                ("ok.txt".to_string(), b"1".to_vec().into()),
                (bad.to_string(), b"2".to_vec().into()),
            ];
            assert!(write_atomically(&out, &files, &[]).is_err(), "{bad}");
        }
        assert!(!out.exists());
        assert!(!dir.path().join("evil.txt").exists());
    }

    #[test]
    fn a_report_replaces_the_last_one_and_keeps_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        // Each file in parts, one byte each.
        let files = |names: &[&str], v: &'static [u8]| -> Vec<(String, Content)> {
            names
                .iter()
                .map(|n| {
                    let parts = Parts {
                        count: v.len(),
                        part: Box::new(move |i, out: &mut Vec<u8>| out.push(v[i])),
                    };
                    (n.to_string(), parts.into())
                })
                .collect()
        };
        let owned = ["a.csv", "rejects.csv", "charts/*.svg"];
        write_atomically(
            &out,
            &files(&["a.csv", "rejects.csv", "charts/x.svg"], b"1"),
            &owned,
        )
        .unwrap();
        std::fs::write(out.join("notes.md"), b"mine").unwrap();
        std::fs::write(out.join("charts/keep.txt"), b"mine").unwrap();
        write_atomically(&out, &files(&["a.csv", "charts/y.svg"], b"23"), &owned).unwrap();
        let mut got = Vec::new();
        files_under(&out, "", &mut got);
        got.sort();
        assert_eq!(
            got,
            ["a.csv", "charts/keep.txt", "charts/y.svg", "notes.md"]
        );
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"23");
        // Nothing is left beside it.
        let mut siblings = Vec::new();
        files_under(dir.path(), "", &mut siblings);
        assert!(
            siblings.iter().all(|s| s.starts_with("out/")),
            "{siblings:?}"
        );
        // A run killed between the two renames left the old report aside: it comes back.
        std::fs::rename(&out, sibling(&out, "old", 1)).unwrap();
        std::fs::create_dir_all(sibling(&out, "new", 1)).unwrap();
        recover(&out).unwrap();
        assert_eq!(std::fs::read(out.join("notes.md")).unwrap(), b"mine");
        assert!(!sibling(&out, "new", 1).exists());
        // A file in the way is refused.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, b"").unwrap();
        assert!(write_atomically(&blocked, &files(&["a.csv"], b"1"), &owned).is_err());
    }

    #[test]
    fn a_staging_written_from_another_thread_lands_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_atomically(
            &out,
            &[("a.csv".into(), b"old".to_vec().into())],
            &["a.csv"],
        )
        .unwrap();
        // Abandoned (an error after the first file): the old report stays, nothing is left.
        let staging = Staging::begin(&out).unwrap();
        staging.write("a.csv", &b"new".to_vec().into()).unwrap();
        drop(staging);
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"old");
        let mut all = Vec::new();
        files_under(dir.path(), "", &mut all);
        assert_eq!(all, ["out/a.csv"]);
        // A file written on another thread while this one writes the rest; then committed.
        let staging = Staging::begin(&out).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| staging.write("big.csv", &b"early".to_vec().into()).unwrap());
            staging
                .write("charts/c.svg", &b"<svg/>".to_vec().into())
                .unwrap();
        });
        assert!(staging.write("../evil", &b"x".to_vec().into()).is_err());
        // Many files on every core; a bad name among them is the error, the others land.
        let (ok, bad): (Content, Content) = (b"1".to_vec().into(), b"2".to_vec().into());
        let names: Vec<String> = (0..40).map(|i| format!("charts/p{i}.png")).collect();
        let mut many: Vec<(&str, &Content)> = names.iter().map(|n| (n.as_str(), &ok)).collect();
        many.insert(7, ("../../worse", &bad));
        let err = staging.write_all(many.into_iter()).unwrap_err();
        assert!(err.to_string().contains("worse"), "{err}");
        staging
            .commit(&["a.csv", "big.csv", "charts/*.svg", "charts/*.png"])
            .unwrap();
        let mut got = Vec::new();
        files_under(&out, "", &mut got);
        got.sort();
        assert_eq!(got.len(), 42);
        assert_eq!(&got[..2], ["big.csv", "charts/c.svg"]);
        assert!(got[2..].iter().all(|n| n.ends_with(".png")));
        assert!(!dir.path().join("evil").exists());
    }
}
