//! `mttx retro INPUT --incident ID [-o FILE]`: one incident for its retrospective. Draws its
//! milestones and affected components on one time axis (SVG and PNG) and prints the phases
//! with their durations.

use std::path::PathBuf;

use super::report::read_or_sample;
use super::{Source, emit, exit};
use crate::chart::retro::{MILESTONES, Retro};
use crate::chart::{self, Chart};
use crate::error::{Error, Result};
use crate::model::IncidentRow;
use crate::period::ReportWindow;
use crate::report::format::duration;
use crate::report::terminal::table;
use crate::time::{MS_PER_MIN, local_datetime, parse_timestamp};
use crate::{metrics, output};

#[derive(Debug, Clone)]
pub struct RetroArgs {
    pub source: Source,
    /// An incident id, or `VENDOR:ID` when several vendors use the id.
    pub incident: String,
    /// `.svg` or `.png`; without it both, as `reports/retro/<vendor>-<id>.{svg,png}`.
    pub out: Option<PathBuf>,
    pub quiet: bool,
}

/// The one incident `wanted` names: its id, or `vendor:id`.
fn find<'a>(rows: &'a [IncidentRow], wanted: &str) -> Result<&'a IncidentRow> {
    let by_id: Vec<&IncidentRow> = rows.iter().filter(|r| r.id == wanted).collect();
    match by_id.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|r| format!("'{}:{}'", r.vendor, r.id))
                .collect();
            return Err(Error::Usage(format!(
                "--incident {wanted}: {} vendors have an incident with this id; name one: {}",
                many.len(),
                names.join(", ")
            )));
        }
    }
    if let Some((vendor, id)) = wanted.split_once(':')
        && let Some(r) = rows.iter().find(|r| r.vendor == vendor && r.id == id)
    {
        return Ok(r);
    }
    let sample: Vec<&str> = rows.iter().take(5).map(|r| r.id.as_str()).collect();
    Err(Error::NoData(format!(
        "--incident {wanted}: no such incident among the {} accepted (ids look like: {})",
        rows.len(),
        sample.join(", ")
    )))
}

pub fn run(args: &RetroArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let ing = read_or_sample(&args.source)?;
    let all = metrics::incidents(ing.incidents.clone(), args.source.anchor, None);
    let rows: Vec<IncidentRow> = all.rows().collect();
    let inc = find(&rows, &args.incident)?;
    let tz = args.source.tz;
    let milestones: [Option<i64>; 6] = std::array::from_fn(|k| {
        inc.timestamps[k]
            .as_deref()
            .and_then(|s| parse_timestamp(s, &chrono_tz::Tz::UTC).ok())
    });
    let known: Vec<i64> = milestones.iter().flatten().copied().collect();
    let first = known.iter().copied().min().unwrap_or(0);
    let last = known.iter().copied().max().unwrap_or(first);
    // Windows are looked at from a day before the first milestone to a day after the last;
    // an open incident's windows run to the last milestone plus an hour.
    let day = 1440 * MS_PER_MIN;
    let end = if milestones[5].is_some() {
        last + day
    } else {
        last + 60 * MS_PER_MIN
    };
    let period = ReportWindow::new(tz, first - day, end)?;
    let windows =
        metrics::incident_windows(&ing.incidents, &ing.impacts, &inc.vendor, &inc.id, &period);
    let retro = Retro::new(
        &inc.vendor,
        &inc.id,
        inc.title.as_deref(),
        tz,
        milestones,
        &windows,
    );

    let targets: Vec<(PathBuf, bool)> = match &args.out {
        Some(path) => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            match ext.as_deref() {
                Some("png") => vec![(path.clone(), true)],
                Some("svg") => vec![(path.clone(), false)],
                _ => {
                    return Err(Error::Usage(format!(
                        "-o {}: the file name must end in .svg or .png",
                        path.display()
                    )));
                }
            }
        }
        None => {
            let stem = format!("{}-{}", output::slug(&inc.vendor), output::slug(&inc.id));
            let dir = PathBuf::from("reports").join("retro");
            vec![
                (dir.join(format!("{stem}.svg")), false),
                (dir.join(format!("{stem}.png")), true),
            ]
        }
    };
    for (path, png) in &targets {
        let bytes = if *png {
            chart::png(&retro)?
        } else {
            chart::svg(&retro)?.into_bytes()
        };
        output::write_file(path, &bytes)?;
    }
    if !args.quiet {
        emit(out, &summary(&retro, inc, &targets))?;
    }
    Ok(exit::OK)
}

/// The phases as a table: each milestone, its local time, the time since the start and since
/// the milestone before.
fn summary(retro: &Retro, inc: &IncidentRow, wrote: &[(PathBuf, bool)]) -> String {
    let mut s = format!(
        "{} {}{}\n",
        inc.vendor,
        inc.id,
        inc.title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    );
    s.push_str(&format!(
        "impact {}, components {}, windows from {}\n\n",
        inc.impact,
        if inc.components.is_empty() {
            "(all)"
        } else {
            &inc.components
        },
        inc.window_source
    ));
    let start = retro.milestones[0];
    let mut prev: Option<i64> = None;
    let rows: Vec<Vec<String>> = retro
        .ordered()
        .into_iter()
        .map(|(m, t)| {
            let since = |a: Option<i64>| {
                a.map(|a| duration((t - a) as f64 / MS_PER_MIN as f64))
                    .unwrap_or_default()
            };
            let row = vec![
                MILESTONES[m].to_string(),
                local_datetime(&retro.tz, t)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                if m == 0 { String::new() } else { since(start) },
                since(prev),
            ];
            prev = Some(t);
            row
        })
        .collect();
    s.push_str(&table(
        &[
            "milestone",
            &format!("time ({})", retro.tz.name()),
            "since start",
            "since previous",
        ],
        &rows,
        2,
    ));
    let missing: Vec<&str> = MILESTONES
        .iter()
        .zip(&retro.milestones)
        .filter(|(_, t)| t.is_none())
        .map(|(m, _)| *m)
        .collect();
    if !missing.is_empty() {
        s.push_str(&format!("  not recorded: {}\n", missing.join(", ")));
    }
    let names: Vec<String> = wrote.iter().map(|(p, _)| p.display().to_string()).collect();
    s.push_str(&format!(
        "\nWrote {} ({}x{} px)\n",
        names.join(", "),
        retro.size().0,
        retro.size().1
    ));
    s
}
