//! `mttx metrics`: the quick analysis. Time-to-x aggregates grouped by any keys and periods, to
//! stdout as a table, CSV or JSON.

use serde_json::{Value, json};

use super::{Source, WindowSpec, emit, exit};
use crate::error::Result;
use crate::metrics;
use crate::model::GroupKey;
use crate::period::Cut;
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutFormat {
    #[default]
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone)]
pub struct MetricsArgs {
    pub source: Source,
    pub window: WindowSpec,
    pub by: Vec<GroupKey>,
    pub cut: Cut,
    pub format: OutFormat,
    /// CSV cells as they are, formula-like text included.
    pub raw_csv: bool,
}

pub fn run(args: &MetricsArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let ingested = args.source.read()?;
    let span = metrics::data_span(&ingested.incidents, &ingested.impacts);
    let period = args.window.resolve(args.source.tz, span)?;
    let rows = metrics::group_rows(
        &ingested.incidents,
        &ingested.impacts,
        &args.by,
        args.cut,
        &period,
        args.source.anchor,
    )?;
    let columns = metrics::group_columns(&args.by);
    let text = match args.format {
        OutFormat::Table => {
            let mut s = format!(
                "time to x in minutes over {} ({}), incidents started in the window; {} accepted, {} rejected\n",
                period.label(),
                period.tz.name(),
                ingested.counts.accepted,
                ingested.counts.rejected
            );
            for n in &ingested.notes {
                s.push_str(&format!("note: {n}\n"));
            }
            s.push_str(&report::terminal::groups_table(&columns, &rows));
            s
        }
        OutFormat::Csv => {
            String::from_utf8_lossy(&report::csv::groups(&columns, &rows, args.raw_csv))
                .into_owned()
        }
        OutFormat::Json => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut o = serde_json::Map::new();
                    for (k, v) in columns.iter().zip(&r.values) {
                        o.insert(k.clone(), json!(v));
                    }
                    o.insert("period".into(), json!(r.period));
                    o.insert("metric".into(), json!(r.metric.as_str()));
                    if let Value::Object(stats) = report::json::stats(&r.stats) {
                        o.extend(stats);
                    }
                    Value::Object(o)
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&items).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    emit(out, &text)?;
    Ok(exit::OK)
}
