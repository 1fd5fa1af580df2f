//! `mttx metrics`: the quick analysis. Time-to-x aggregates for one grouping, to stdout as a
//! table, CSV or JSON.

use serde_json::{Value, json};

use super::{Source, WindowSpec, emit, exit};
use crate::error::Result;
use crate::metrics;
use crate::model::{GroupKey, When};
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
    pub format: OutFormat,
    /// CSV cells as they are, formula-like text included.
    pub raw_csv: bool,
}

pub fn run(args: &MetricsArgs, out: &mut dyn std::io::Write) -> Result<u8> {
    let ingested = args.source.read()?;
    let span = metrics::data_span(&ingested.incidents, &ingested.impacts);
    let period = args.window.resolve(args.source.tz, span)?;
    let rows = metrics::metric_rows(
        &ingested.incidents,
        &ingested.impacts,
        &args.by,
        &period,
        args.source.anchor,
    );
    let keys = metrics::time_to_x::key_columns(&args.by);
    let text = match args.format {
        OutFormat::Table => {
            let mut s = format!(
                "time to x in minutes over {} ({}), incidents started in the window; {} accepted, {} rejected\n",
                period.label(),
                period.tz.name(),
                ingested.counts.accepted,
                ingested.counts.rejected
            );
            s.push_str(&report::terminal::metrics_table(&rows, &keys));
            s
        }
        OutFormat::Csv => {
            String::from_utf8_lossy(&report::csv::metrics(&rows, args.raw_csv)).into_owned()
        }
        OutFormat::Json => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut o = serde_json::Map::new();
                    for k in &keys {
                        let v = match *k {
                            "vendor" => r.vendor.as_deref(),
                            "component" => r.component.as_deref(),
                            "severity" => r.severity.as_deref(),
                            _ => r.month.as_ref().map(When::label),
                        };
                        o.insert(k.to_string(), json!(v));
                    }
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
