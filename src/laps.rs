//! Stage timings for performance work: with `MTTX_TIMINGS` set, each [`Laps::lap`] prints on
//! stderr the time since the previous one, and on Linux the resident memory at its end and the
//! peak so far (docs/performance.md); otherwise nothing happens.

/// A stopwatch of named stages, indented by nesting depth.
pub struct Laps {
    since: Option<std::time::Instant>,
    indent: usize,
}

impl Laps {
    /// Top-level stages.
    pub fn start() -> Laps {
        Laps::nested(0)
    }

    /// Stages inside another stage, printed indented.
    pub fn nested(indent: usize) -> Laps {
        Laps {
            since: std::env::var_os("MTTX_TIMINGS").map(|_| std::time::Instant::now()),
            indent,
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if let Some(t) = self.since {
            let name = format!("{}{stage}", "  ".repeat(self.indent));
            eprintln!(
                "mttx timing: {name:<24} {:>8.3} s{}",
                t.elapsed().as_secs_f64(),
                memory()
            );
            self.since = Some(std::time::Instant::now());
        }
    }
}

/// `  rss N MB, peak N MB` from `/proc/self/status`; empty where there is none.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let mb = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    };
    match (mb("VmRSS:"), mb("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("  rss {rss:>5} MB, peak {peak:>5} MB"),
        _ => String::new(),
    }
}
