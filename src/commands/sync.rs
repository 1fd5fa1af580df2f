//! `mttx sync`: brings every `[[vendor]]` status page's history and every `[[source]]` incident
//! tool's incidents into the local store, with a progress bar on a terminal and a summary at
//! the end, a row per vendor and source (new, updated, unchanged, failed, oldest incident).
//! Exit 0 when everything synced, 5 when one failed and the others were stored, 2 when a
//! source's token variable is not set (before any request), 1 when the store cannot be used.

use std::fmt::Write;
use std::path::PathBuf;

use super::progress::Progress;
use super::{emit, exit};
use crate::error::{Error, Result};
use crate::sources::{Credentials, Source};
use crate::sync::{self, Event, SourceJob, Summary, Vendor};

/// The store's file when neither `--store` nor the config's `store` names one.
pub const DEFAULT_STORE: &str = "vendors.db";

#[derive(Debug, Clone)]
pub struct SyncArgs {
    pub store: PathBuf,
    pub vendors: Vec<Vendor>,
    pub sources: Vec<Source>,
    /// The config file read (for the message when it names no vendor).
    pub config_path: Option<PathBuf>,
    pub quiet: bool,
}

pub fn run(args: &SyncArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    if args.vendors.is_empty() && args.sources.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no [[vendor]] or [[source]] to sync; add one per status page or incident tool, e.g.\n\n[[vendor]]\nname = \"GitHub\"\nurl = \"https://www.githubstatus.com\"\n\n(`mttx config --example` shows every key)",
            args.config_path
                .as_ref()
                .map_or("no mttx.toml".to_string(), |p| p.display().to_string())
        )));
    }
    // Every token is read before the first request: a variable not set stops the sync.
    let mut jobs = Vec::with_capacity(args.sources.len());
    for source in &args.sources {
        let creds = Credentials::from_env(source).map_err(|var| {
            Error::Usage(format!(
                "[[source]] '{}' (line {}): the environment variable {var} is not set (it holds the {} {}); nothing was fetched",
                source.name,
                source.line,
                source.tool,
                if source.user_env.as_deref() == Some(var.as_str()) {
                    "account's e-mail"
                } else {
                    "API token"
                }
            ))
        })?;
        jobs.push(SourceJob {
            source: source.clone(),
            creds,
        });
    }
    let bar = Progress::new(args.quiet, (args.vendors.len() + jobs.len()) as u64);
    bar.step("vendors synced");
    let fetched = std::cell::Cell::new(0usize);
    let progress = |e: Event| match e {
        Event::Fetched(n) => {
            fetched.set(fetched.get() + n);
            bar.step(&format!(
                "vendors synced, {} incidents fetched",
                fetched.get()
            ));
        }
        Event::VendorDone(_) => bar.done(0),
    };
    let summary = sync::run(
        &args.store,
        &args.vendors,
        &jobs,
        crate::http::Limits::from_env(),
        &progress,
    );
    bar.finish();
    let summary = summary?;
    if !args.quiet {
        emit(out, &render(&summary, &args.store))?;
    }
    for o in summary.outcomes.iter().filter(|o| o.error.is_some()) {
        eprintln!(
            "mttx: sync: {}: {}",
            o.vendor,
            o.error.as_deref().unwrap_or_default()
        );
    }
    Ok(if summary.failed() > 0 {
        exit::SYNC_FAILED
    } else {
        exit::OK
    })
}

/// The summary a person reads: a row per vendor, its notes, the totals.
pub fn render(s: &Summary, store: &std::path::Path) -> String {
    let mut rows = vec![vec![
        "vendor".to_string(),
        "new".into(),
        "updated".into(),
        "unchanged".into(),
        "failed".into(),
        "stored".into(),
        "oldest incident".into(),
        "status".into(),
    ]];
    for o in &s.outcomes {
        rows.push(vec![
            o.vendor.clone(),
            o.saved.new.to_string(),
            o.saved.updated.to_string(),
            o.saved.unchanged.to_string(),
            o.failed.to_string(),
            o.incidents.to_string(),
            o.oldest
                .as_deref()
                .map_or("-".to_string(), |t| t.chars().take(10).collect()),
            if o.error.is_some() { "FAILED" } else { "ok" }.into(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for r in &rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 || c >= 6 {
                let _ = write!(line, " {cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(line, " {}{cell}", " ".repeat(pad));
            }
        }
        let _ = writeln!(text, "{}", line.trim_end());
    }
    for o in &s.outcomes {
        for n in &o.notes {
            let _ = writeln!(text, "  {}: {n}", o.vendor);
        }
        if let Some(e) = &o.error {
            let _ = writeln!(text, "  {}: failed: {e}", o.vendor);
        }
    }
    let failed = s.failed();
    let _ = writeln!(
        text,
        "synced {} of {} {} into {} ({} requests, {} retried){}",
        s.outcomes.len() - failed,
        s.outcomes.len(),
        if s.sources == 0 {
            "vendors"
        } else {
            "vendors and sources"
        },
        store.display(),
        s.requests,
        s.retries,
        if failed > 0 {
            format!("; {failed} failed: what they had stored is kept")
        } else {
            String::new()
        }
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Saved;
    use crate::sync::Outcome;

    #[test]
    fn the_summary_has_a_row_per_vendor_then_notes_and_totals() {
        let s = Summary {
            outcomes: vec![
                Outcome {
                    vendor: "Contoso Cloud".into(),
                    saved: Saved {
                        new: 1250,
                        updated: 2,
                        unchanged: 48,
                    },
                    oldest: Some("2023-01-02T04:10:00.000Z".into()),
                    incidents: 1300,
                    ..Outcome::default()
                },
                Outcome {
                    vendor: "Northwind".into(),
                    saved: Saved {
                        new: 0,
                        updated: 0,
                        unchanged: 50,
                    },
                    notes: vec!["no history index (404 for /history.json): synced from incidents.json alone".into()],
                    oldest: Some("2024-10-01T00:00:00Z".into()),
                    incidents: 50,
                    ..Outcome::default()
                },
                Outcome {
                    vendor: "Down Inc".into(),
                    error: Some("http://127.0.0.1:9/api/v2/incidents.json: HTTP 500 (after 5 attempts)".into()),
                    ..Outcome::default()
                },
            ],
            sources: 0,
            requests: 1272,
            retries: 4,
        };
        insta::assert_snapshot!(render(&s, std::path::Path::new("vendors.db")));
    }
}
