//! Progress on stderr for long reads and renders: a bar with the current step, drawn only when
//! stderr is a terminal and the run is not `--quiet`, and cleared when the run ends, so pipes,
//! logs and CI see nothing of it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `steps` steps, or nothing when quiet or stderr is not a terminal.
    pub fn new(quiet: bool, steps: u64) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// A bar that never draws (library callers, tests).
    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// Names the step now running.
    pub fn step(&self, message: &str) {
        if let Some(b) = &self.0 {
            b.set_message(message.to_string());
        }
    }

    /// One step done; `more` steps still to come beyond those announced.
    pub fn done(&self, more: u64) {
        if let Some(b) = &self.0 {
            if more > 0 {
                b.inc_length(more);
            }
            b.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
