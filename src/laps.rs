//! Stage timings for performance work: with `MTTX_TIMINGS` set, each [`Laps::lap`] prints on
//! stderr the time since the previous one, and on Linux the resident memory at its end, the
//! peak so far, the page faults so far and the CPU time so far (docs/performance.md); otherwise
//! nothing happens.

/// A stopwatch of named stages, indented by nesting depth.
pub struct Laps {
    since: Option<std::time::Instant>,
    indent: usize,
    /// Stages that repeat (one per chunk of a file): added up, printed by [`print_sums`].
    summed: bool,
}

/// The added-up stages of [`Laps::summed`], in the order first seen.
static SUMS: std::sync::Mutex<Vec<(String, f64)>> = std::sync::Mutex::new(Vec::new());

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
            summed: false,
        }
    }

    /// Stages run once per chunk: each lap's time is added to the stage's sum, and
    /// [`print_sums`] prints the sums.
    pub fn summed(indent: usize) -> Laps {
        Laps {
            summed: true,
            ..Laps::nested(indent)
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if let Some(t) = self.since {
            let name = format!("{}{stage}", "  ".repeat(self.indent));
            if self.summed {
                let mut sums = SUMS.lock().unwrap_or_else(|e| e.into_inner());
                match sums.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, sum)) => *sum += t.elapsed().as_secs_f64(),
                    None => sums.push((name, t.elapsed().as_secs_f64())),
                }
                self.since = Some(std::time::Instant::now());
                return;
            }
            eprintln!(
                "mttx timing: {name:<24} {:>8.3} s{}",
                t.elapsed().as_secs_f64(),
                memory()
            );
            self.since = Some(std::time::Instant::now());
        }
    }
}

/// Prints the sums of [`Laps::summed`] stages (with the memory now) and clears them.
pub fn print_sums() {
    let sums = std::mem::take(&mut *SUMS.lock().unwrap_or_else(|e| e.into_inner()));
    for (name, secs) in sums {
        eprintln!("mttx timing: {name:<24} {secs:>8.3} s (sum){}", memory());
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
    // Minor page faults so far (field 10 of /proc/self/stat, after the command's parentheses):
    // each is a page of memory touched for the first time since it was mapped, which the
    // system must find and clear (about a microsecond each).
    // And the CPU time so far, user and system (fields 14 and 15, in ticks of 10 ms): against
    // the wall time it says how busy the cores were.
    let faults = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest: Vec<&str> = s[s.rfind(')')? + 1..].split_whitespace().collect();
            let n = |i: usize| rest.get(i)?.parse::<u64>().ok();
            Some((n(7)?, n(11)?, n(12)?))
        })
        .map(|(f, user, sys)| {
            format!(
                ", faults {:>4}k, cpu {:.2}+{:.2} s",
                f / 1000,
                user as f64 / 100.0,
                sys as f64 / 100.0
            )
        })
        .unwrap_or_default();
    match (mb("VmRSS:"), mb("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("  rss {rss:>5} MB, peak {peak:>5} MB{faults}"),
        _ => String::new(),
    }
}
