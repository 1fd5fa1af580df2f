//! Stage timings for performance work: with `MTTX_TIMINGS` set, each [`Laps::lap`] prints on
//! stderr the time since the previous one (docs/performance.md); otherwise nothing happens.

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
                "mttx timing: {name:<24} {:>8.3} s",
                t.elapsed().as_secs_f64()
            );
            self.since = Some(std::time::Instant::now());
        }
    }
}
