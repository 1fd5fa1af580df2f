//! What a report file holds ([`Content`]: bytes, or [`Parts`] rendered as they are written)
//! and how one is written and synced; the check that keeps a name inside its folder.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// `dir/name`, refused unless `name` is a relative path of plain names.
pub(crate) fn inside(dir: &Path, name: &str) -> Result<PathBuf> {
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

/// Writes `content` to `path` (a new file) and syncs it to disk.
pub(crate) fn write_content(path: &Path, content: &Content) -> std::io::Result<()> {
    match content {
        Content::Bytes(b) => {
            let mut f = std::fs::File::create(path)?;
            std::io::Write::write_all(&mut f, b)?;
            f.sync_all()
        }
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
                Ok::<(), std::io::Error>(())
            })?;
            f.sync_all()
        }
    }
}

pub(crate) fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        source: e,
    }
}
