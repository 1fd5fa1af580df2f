//! The report folder's swap: a new content is written into `.NAME.mttx-new-PID` beside the
//! folder and put in its place in one step, so that at every instant the folder holds the
//! previous report or the new one, whole, and every file of the user's.
//!
//! The steps of [`Staging::commit`], each a point a kill or a failure may stop at
//! ([`Step`]; the tests stop at every one):
//! 1. the user's files (everything the previous report did not write) are *hard-linked* into
//!    the new folder (copied where the file system has no hard links), never moved: until the
//!    end they are in both, so a leftover folder removed later takes only links with it;
//! 2. every file was synced as it was written; the new folder's directories are synced too,
//!    so a power loss cannot leave empty files behind a finished swap;
//! 3. the swap: one `renameat2(RENAME_EXCHANGE)` of the two folders on Linux (the folder never
//!    goes missing), else (another system, a file system without it) the old folder aside
//!    and the new one in, and the next run's [`recover`] puts the old one back if a kill
//!    came between the two renames; the parent directory is synced;
//! 4. files the user added while the run was committing are linked across too;
//! 5. the previous content (now beside the folder) is removed.
//!
//! A lock file `.NAME.mttx-lock` beside the folder is held (an advisory `flock`, let go by the
//! system when the process dies) from [`Staging::begin`] to the end, and removed then: a
//! second run into the same folder stops at once with a clear message, and leftovers are only
//! cleared by the run holding the lock, never another live run's. A symbolic link in the folder (to a file or a
//! folder) is one of the user's files: linked as the link itself, never followed or moved.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::content::{Content, inside, write_content, write_err};
use crate::error::{Error, Result};

/// A point of [`Staging::commit`] at which a test can stop it, as a kill would (nothing after
/// it runs, not even the cleanup of a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// After the user's files are linked into the new folder.
    Linked,
    /// After the new folder's directories are synced.
    Synced,
    /// Between the two renames of a swap without `RENAME_EXCHANGE`.
    MovedAside,
    /// After the swap.
    Swapped,
    /// After the late files are linked back.
    LinkedLate,
    /// Part-way through removing the previous content.
    Removing,
}

/// A test's hook at each step of a commit (see [`Staging::with_hook`]).
pub(crate) type Hook = dyn Fn(Step) -> bool + Send + Sync;

/// Every step, in order.
#[cfg(test)]
pub const STEPS: [Step; 6] = [
    Step::Linked,
    Step::Synced,
    Step::MovedAside,
    Step::Swapped,
    Step::LinkedLate,
    Step::Removing,
];

/// A report folder being written, for [`super::write_atomically`] or for a caller that writes
/// some files early (`incidents.csv` while the rest of the report is computed, from another
/// thread): files go into `.NAME.mttx-new-PID` beside `dir`, and [`Staging::commit`] swaps it
/// into place. Dropped uncommitted (an error, a panic), it removes what it wrote and `dir` is
/// left as it was.
pub struct Staging {
    dir: PathBuf,
    new: PathBuf,
    pid: u32,
    committed: bool,
    /// Held while the staging lives.
    _lock: Lock,
    /// For tests: called at each step, a kill there when it returns true.
    hook: Option<Box<Hook>>,
    /// For tests: swap with two renames even where the system exchanges.
    two_renames: bool,
}

impl Staging {
    /// Starts a new content for `dir`: its parent created, the folder's lock taken, leftovers
    /// of a killed run recovered, the temporary folder made.
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
        let lock = Lock::take(dir)?;
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
            _lock: lock,
            hook: None,
            two_renames: false,
        })
    }

    /// The folder this content is for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file of the new content (`name` relative, checked to stay inside), synced
    /// to disk before it returns.
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
    /// patterns) go, any other file in the folder is kept (the steps are in the module's
    /// documentation).
    pub fn commit(mut self, owned_names: &[&str]) -> Result<()> {
        self.committed = true;
        let (dir, new) = (self.dir.clone(), self.new.clone());
        if !dir.exists() {
            sync_tree(&new).map_err(write_err(&new))?;
            std::fs::rename(&new, &dir).map_err(write_err(&dir))?;
            return sync_parent(&dir).map_err(write_err(&dir));
        }
        let fail = |e: Error| {
            let _ = std::fs::remove_dir_all(&new);
            left(&dir, e)
        };
        link_users(&dir, &new, owned_names).map_err(fail)?;
        if self.stop(Step::Linked) {
            return Ok(());
        }
        sync_tree(&new).map_err(|e| fail(write_err(&new)(e)))?;
        if self.stop(Step::Synced) {
            return Ok(());
        }
        let before = if !self.two_renames && exchange(&dir, &new).is_ok() {
            new.clone()
        } else {
            let old = sibling(&dir, "old", self.pid);
            std::fs::rename(&dir, &old).map_err(|e| fail(write_err(&dir)(e)))?;
            if self.stop(Step::MovedAside) {
                return Ok(());
            }
            if let Err(e) = std::fs::rename(&new, &dir) {
                let _ = std::fs::rename(&old, &dir);
                return Err(fail(write_err(&dir)(e)));
            }
            old
        };
        sync_parent(&dir).map_err(write_err(&dir))?;
        if self.stop(Step::Swapped) {
            return Ok(());
        }
        // The report is in place; what is left is tidying. The previous content is kept if a
        // late file of the user's cannot be carried over.
        link_users(&before, &dir, owned_names).map_err(|e| Error::Left {
            cause: Box::new(e),
            left: format!(
                "the new report is in place; the previous folder is kept as {}",
                before.display()
            ),
        })?;
        if self.stop(Step::LinkedLate) {
            return Ok(());
        }
        if self.stop(Step::Removing) {
            // A kill part-way: some of the previous content gone, some left.
            #[cfg(test)]
            remove_some(&before);
            return Ok(());
        }
        std::fs::remove_dir_all(&before).map_err(write_err(&before))
    }

    /// Whether a test stops the commit at `step` (its hook may also act there, as a user
    /// would, before saying).
    fn stop(&self, step: Step) -> bool {
        self.hook.as_ref().is_some_and(|h| h(step))
    }

    /// For tests: `hook` is called at each [`Step`] of [`Staging::commit`], which stops there
    /// as a kill would when it returns true; `two_renames` swaps without `RENAME_EXCHANGE`.
    #[cfg(test)]
    pub(crate) fn with_hook(mut self, hook: Box<Hook>, two_renames: bool) -> Staging {
        self.hook = Some(hook);
        self.two_renames = two_renames;
        self
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.new);
        }
    }
}

/// The sibling paths a run uses: `.NAME.mttx-new-PID`, `.NAME.mttx-old-PID`, `.NAME.mttx-lock`.
pub(crate) fn sibling(dir: &Path, kind: &str, pid: u32) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    if kind == "lock" {
        return dir.with_file_name(format!(".{name}.mttx-lock"));
    }
    dir.with_file_name(format!(".{name}.mttx-{kind}-{pid}"))
}

/// The folder's lock: `.NAME.mttx-lock` beside it, held with an advisory lock (which the system
/// lets go when the process dies), removed when the run ends.
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock of `dir`, or says that another run holds it. A lock file removed by the
    /// run that held it between our opening and our locking it is opened anew (its inode is
    /// no longer the path's).
    fn take(dir: &Path) -> Result<Lock> {
        let path = sibling(dir, "lock", 0);
        for _ in 0..10 {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(write_err(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Write {
                        path: dir.to_path_buf(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::WouldBlock,
                            "another mttx run is writing this folder; wait for it to end, or \
                             choose another folder with --out",
                        ),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(write_err(&path)(e)),
            }
            if same_file(&file, &path) {
                return Ok(Lock { file, path });
            }
        }
        Err(write_err(&path)(std::io::Error::other(
            "the lock file keeps being replaced",
        )))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other run holds a lock on a file that is gone.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Leftovers of a killed run (called with the lock held, so none is a live run's): a previous
/// report moved aside but not back comes back to `dir` when `dir` is missing; any other
/// leftover folder goes. The user's files are safe in either: they were linked, not moved.
pub(crate) fn recover(dir: &Path) -> Result<()> {
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
    let mut leftovers: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            let rest = n.strip_prefix(&prefix)?.to_string();
            (rest != "lock").then(|| (rest, e.path()))
        })
        .collect();
    // An `old-` folder is put back before any `new-` one is removed.
    leftovers.sort_by_key(|(rest, _)| !rest.starts_with("old-"));
    for (rest, path) in leftovers {
        if rest.starts_with("old-") && !dir.exists() {
            std::fs::rename(&path, dir).map_err(write_err(dir))?;
        } else {
            std::fs::remove_dir_all(&path).map_err(write_err(&path))?;
        }
    }
    Ok(())
}

/// Links every file of `from` that is not a report file (`owned`) and not in `into` already
/// into `into`, folders made as needed. A symbolic link is linked as itself; no folder behind
/// one is entered.
fn link_users(from: &Path, into: &Path, owned_names: &[&str]) -> Result<()> {
    let walk = walkdir::WalkDir::new(from).min_depth(1).follow_links(false);
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(from).to_path_buf();
            write_err(&path)(e.into())
        })?;
        let Ok(rel) = entry.path().strip_prefix(from) else {
            continue;
        };
        let target = into.join(rel);
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        if entry.file_type().is_dir()
            || owned(&rel_text, owned_names)
            || std::fs::symlink_metadata(&target).is_ok()
        {
            continue;
        }
        // Folders are made for the files they hold (an emptied chart folder is not kept).
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p).map_err(write_err(p))?;
        }
        link_one(entry.path(), &target, entry.path_is_symlink()).map_err(write_err(&target))?;
    }
    Ok(())
}

/// A hard link of `from` at `to`; a copy where the file system has no hard links.
fn link_one(from: &Path, to: &Path, symlink: bool) -> std::io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if symlink => copy_symlink(from, to),
        Err(_) => std::fs::copy(from, to).map(|_| ()),
    }
}

#[cfg(unix)]
fn copy_symlink(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
}

#[cfg(not(unix))]
fn copy_symlink(from: &Path, _to: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!("cannot carry over the link {}", from.display()),
    ))
}

/// Syncs every directory under (and including) `root` to disk (its files were synced as they
/// were written; a hard link is a directory entry).
fn sync_tree(root: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry?;
        if entry.file_type().is_dir() {
            File::open(entry.path())?.sync_all()?;
        }
    }
    Ok(())
}

/// Syncs the directory that holds `path` (a rename is a change of it).
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    File::open(parent.unwrap_or(Path::new(".")))?.sync_all()
}

/// Exchanges two folders in one step (Linux's `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are NUL-terminated strings that live across the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes about half of the files under `root`, as a kill during `remove_dir_all` would leave.
#[cfg(test)]
fn remove_some(root: &Path) {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    for f in files.iter().step_by(2) {
        let _ = std::fs::remove_file(f);
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

/// `cause`, saying that `dir` was not changed.
fn left(dir: &Path, cause: Error) -> Error {
    Error::Left {
        cause: Box::new(cause),
        left: format!("{} was not changed", dir.display()),
    }
}
