//! The `mttx` binary: parse the command line, run it, print the error chain, exit with the
//! documented code.

use std::process::ExitCode;

use clap::Parser;

/// jemalloc, returning freed memory to the system at once (`dirty_decay_ms:0`): a report
/// frees its large buffers stage by stage, and the next stage's peak should not stand on the
/// last one's leftovers. At 1M incidents the peak is 500 MB, against 650 to 800 MB with the
/// system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment still wins).
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 34] = b"dirty_decay_ms:0,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    let cli = mttx::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match mttx::cli::run(cli, &mut stdout) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mttx: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
