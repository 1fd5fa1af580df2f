//! A hint from the pipeline to the binary's allocator. While files are read, memory is freed
//! and taken again chunk after chunk; keeping the freed pages for the next chunk spares the
//! system clearing them again, and they are given back once everything is read. The binary
//! installs the hook ([`install`]; `main.rs` drives jemalloc with it); without one (the
//! library's own tests), the hints do nothing.

use std::sync::OnceLock;

/// Where the pipeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading and validating large inputs (a few chunks of CSV at least): freed pages are
    /// worth keeping.
    Reading,
    /// Done reading: what was kept goes back, and freed pages go back at once from now on.
    Read,
}

static HOOK: OnceLock<fn(Phase)> = OnceLock::new();

/// Installs the allocator's hook, once (later calls are ignored).
pub fn install(hook: fn(Phase)) {
    let _ = HOOK.set(hook);
}

/// Tells the hook, if any, where the pipeline is.
pub(crate) fn phase(p: Phase) {
    if let Some(hook) = HOOK.get() {
        hook(p);
    }
}
