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

/// The pipeline's memory hints ([`mttx::memory`]) as jemalloc settings: while large inputs are
/// read, freed pages are kept for the next chunk (`dirty_decay_ms` -1: at 1M incidents 56,000
/// fewer page faults, the read's peak 300 MB to 325 MB, under the report's 410 MB); once read,
/// they are given back and freed pages go back at once again.
fn memory_phase(phase: mttx::memory::Phase) {
    use tikv_jemalloc_sys::mallctl;
    let mut decay: isize = match phase {
        mttx::memory::Phase::Reading => -1,
        mttx::memory::Phase::Read => 0,
    };
    let len = std::mem::size_of::<isize>();
    let set = |name: &str, decay: &mut isize| {
        let name = format!("{name}\0");
        // SAFETY: a NUL-terminated name and a value of the type jemalloc documents for it
        // (ssize_t); nothing is read back.
        unsafe {
            mallctl(
                name.as_ptr().cast(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                (decay as *mut isize).cast(),
                len,
            )
        }
    };
    // New arenas, then every arena made so far (an arena not made yet refuses: ignored).
    set("arenas.dirty_decay_ms", &mut decay);
    let mut narenas: u32 = 0;
    let mut size = std::mem::size_of::<u32>();
    // SAFETY: reads an unsigned int into a buffer of its size.
    let read = unsafe {
        mallctl(
            c"arenas.narenas".as_ptr(),
            (&mut narenas as *mut u32).cast(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    if read == 0 {
        for i in 0..narenas {
            set(&format!("arena.{i}.dirty_decay_ms"), &mut decay);
        }
    }
    if phase == mttx::memory::Phase::Read {
        // SAFETY: a command without data, on every arena (MALLCTL_ARENAS_ALL).
        unsafe {
            mallctl(
                c"arena.4096.purge".as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
            );
        }
    }
}

fn main() -> ExitCode {
    mttx::memory::install(memory_phase);
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
