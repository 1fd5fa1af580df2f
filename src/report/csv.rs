//! The CSV files of contract section 5 (`incidents.csv`, `metrics.csv`, `availability.csv`,
//! `rejects.csv`), rendered to bytes with fixed column order and number formatting. Cells that
//! a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) get a leading `'` unless `raw`; numbers (`-64.8`) are left alone, and mttx
//! strips the `'` again when it reads such a file back.

use super::format::{minutes, num, opt_minutes, pct, push_minutes_of_ms};
use crate::model::{
    AvailabilityRow, BreakdownRow, GroupRow, ImpactRow, Metric, MetricRow, Reject, Stats, col,
};
use crate::output::Parts;
use crate::table::{IncidentTable, Incidents, Millis};

/// A cell made safe to open in a spreadsheet: `'` before text that would run as a formula
/// ([`crate::model::runs_as_formula`]).
pub fn neutral(cell: &str) -> std::borrow::Cow<'_, str> {
    if crate::model::runs_as_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A header and rows of cells, written as [`Record`]s (the header as it is).
fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>, raw: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut record = Record {
        out: &mut out,
        raw: true,
        first: true,
        utc: Default::default(),
    };
    for h in header {
        record.text(h);
    }
    record.end();
    record.raw = raw;
    for r in rows {
        for c in &r {
            record.text(c);
        }
        record.end();
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

pub const INCIDENTS_HEADER: [&str; 18] = [
    "vendor",
    "id",
    "title",
    "severity",
    "components",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "identified_at",
    "mitigated_at",
    "resolved_at",
    "ttd_min",
    "tta_min",
    "tti_min",
    "ttm_min",
    "ttr_min",
    "window_source",
    "warnings",
];

/// `incidents.csv`: the contract's columns, then `impact`.
pub fn incidents(all: &Incidents, raw: bool) -> Parts<'_> {
    let t = &all.table;
    let mut header = INCIDENTS_HEADER.to_vec();
    header.push("impact");
    header.extend(t.dims.iter().map(|(name, _)| name.as_str()));
    table(&header, t.len(), raw, |w, i, cell| {
        w.text(t.vendor.text(i));
        for c in [&t.id, &t.title] {
            w.text(c.text(i));
        }
        w.text(t.severity.text(i));
        w.text(t.components.text(i));
        w.times(&t.timestamps, i);
        for d in &all.durations_ms {
            cell.clear();
            if let Some(ms) = d.get(i) {
                push_minutes_of_ms(cell, ms);
            }
            w.bytes(cell);
        }
        for c in [&t.window_source, &t.warnings, &t.impact] {
            w.text(c.text(i));
        }
        dims(w, t, i);
    })
}

/// The dimensions of row `i`, after the canonical columns.
fn dims(w: &mut Record, t: &IncidentTable, i: usize) {
    for (_, keys) in &t.dims {
        w.text(keys.text(i));
    }
}

/// One CSV record being written straight into a buffer, as the `csv` crate writes it (a cell
/// is quoted when it holds a comma, a quote or a line break, its quotes doubled; a test
/// compares the two); each text cell neutralised unless `raw`.
struct Record<'a> {
    out: &'a mut Vec<u8>,
    raw: bool,
    first: bool,
    utc: crate::time::UtcWriter,
}

impl Record<'_> {
    fn text(&mut self, cell: &str) {
        if self.raw {
            self.field(cell.as_bytes());
        } else {
            self.field(neutral(cell).as_bytes());
        }
    }

    /// The six timestamps of row `i`, in UTC, written in place (never quoted).
    fn times(&mut self, timestamps: &[Millis; 6], i: usize) {
        for ts in timestamps {
            self.comma();
            if let Some(ms) = ts.get(i) {
                self.utc.push(self.out, ms);
            }
        }
    }

    /// A cell mttx formatted (a number or a time: never a formula, never quoted).
    fn bytes(&mut self, cell: &[u8]) {
        self.comma();
        self.out.extend_from_slice(cell);
    }

    /// The separator before a cell, but the first.
    fn comma(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn field(&mut self, cell: &[u8]) {
        self.comma();
        // Every byte looked at, without an early exit: the compiler checks many at once.
        let special = |b: u8| u8::from(b == b',' || b == b'"' || b == b'\r' || b == b'\n');
        if cell.iter().fold(0u8, |acc, &b| acc | special(b)) != 0 {
            self.out.push(b'"');
            for &b in cell {
                if b == b'"' {
                    self.out.push(b'"');
                }
                self.out.push(b);
            }
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(cell);
        }
    }

    fn end(&mut self) {
        self.out.push(b'\n');
        self.first = true;
    }
}

/// Rows per part of a large table (about 1 MB of `incidents.csv`).
const PART_ROWS: usize = 4096;

/// A header and `rows` records written by `row` (given the record, the row and a scratch
/// buffer), as parts: the header, then [`PART_ROWS`] rows each, rendered when written (on
/// every core, while the parts before are written: a million incidents are a quarter of a
/// gigabyte, never held at once).
fn table<'a>(
    header: &[&str],
    rows: usize,
    raw: bool,
    row: impl Fn(&mut Record, usize, &mut Vec<u8>) + Sync + 'a,
) -> Parts<'a> {
    let head = write(header, std::iter::empty(), raw);
    let part = move |k: usize, out: &mut Vec<u8>| {
        if k == 0 {
            out.extend_from_slice(&head);
            return;
        }
        let from = (k - 1) * PART_ROWS;
        let to = (from + PART_ROWS).min(rows);
        let mut cell = Vec::with_capacity(32);
        let mut record = Record {
            out,
            raw,
            first: true,
            utc: Default::default(),
        };
        for i in from..to {
            row(&mut record, i, &mut cell);
            record.end();
        }
    };
    Parts {
        count: 1 + rows.div_ceil(PART_ROWS),
        part: Box::new(part),
    }
}

pub fn metrics(rows: &[MetricRow], raw: bool) -> Vec<u8> {
    write(
        &[
            "scope",
            "vendor",
            "component",
            "severity",
            "month",
            "metric",
            "n",
            "mean_min",
            "median_min",
            "p90_min",
            "max_min",
        ],
        rows.iter().map(|r| {
            let mut v = vec![
                r.scope.clone(),
                opt(&r.vendor),
                opt(&r.component),
                opt(&r.severity),
                r.period
                    .as_ref()
                    .map(|m| m.label().to_string())
                    .unwrap_or_default(),
            ];
            v.extend(stat_cells(r.metric, &r.stats));
            v
        }),
        raw,
    )
}

pub fn availability(rows: &[AvailabilityRow], raw: bool) -> Vec<u8> {
    write(
        &[
            "scope",
            "vendor",
            "component",
            "month",
            "window_min",
            "outage_min",
            "downtime_min",
            "availability_pct",
            "sla_target_pct",
            "sla_met",
            "budget_min",
            "budget_used_pct",
            "incidents",
            "mtbf_min",
            "budget_remaining_min",
            "maintenance_min",
            "previous_availability_pct",
            "change_pct",
        ],
        rows.iter().map(|r| {
            vec![
                r.scope.as_str().to_string(),
                r.vendor.clone(),
                opt(&r.component),
                r.period.label().to_string(),
                minutes(r.window_min),
                minutes(r.outage_min),
                minutes(r.downtime_min),
                pct(r.availability_pct),
                pct(r.sla_target_pct),
                r.sla_met.to_string(),
                minutes(r.budget_min),
                r.budget_used_pct.map(pct).unwrap_or_default(),
                r.incidents.to_string(),
                opt_minutes(r.mtbf_min),
                minutes(r.budget_remaining_min),
                minutes(r.maintenance_min),
                r.previous_pct.map(pct).unwrap_or_default(),
                r.previous_pct
                    .map(|p| pct(r.availability_pct - p))
                    .unwrap_or_default(),
            ]
        }),
        raw,
    )
}

pub fn rejects(rows: &[Reject], raw: bool) -> Vec<u8> {
    write(
        &["source", "line", "column", "reason", "raw"],
        rows.iter().map(|r| {
            vec![
                r.source.clone(),
                r.line.to_string(),
                r.column.clone(),
                r.reason.clone(),
                r.raw.clone(),
            ]
        }),
        raw,
    )
}

/// A grouping by any keys (`mttx metrics --format csv`, `breakdown.csv`): the grouping's
/// columns, then `period,metric,n,mean_min,median_min,p90_min,max_min`.
pub fn groups(columns: &[String], rows: &[GroupRow], raw: bool) -> Vec<u8> {
    let mut header: Vec<&str> = columns.iter().map(String::as_str).collect();
    header.extend([
        "period",
        "metric",
        "n",
        "mean_min",
        "median_min",
        "p90_min",
        "max_min",
    ]);
    write(
        &header,
        rows.iter().map(|r| {
            let mut v = r.values.clone();
            v.push(r.period.clone());
            v.extend(stat_cells(r.metric, &r.stats));
            v
        }),
        raw,
    )
}

/// `breakdown.csv`: the grouping's columns, the period (`all`: the whole window), then the
/// incidents started, each metric's median, MTTR's p90, the downtime and the availability.
pub fn breakdown(columns: &[String], rows: &[BreakdownRow], raw: bool) -> Vec<u8> {
    let mut header: Vec<&str> = columns.iter().map(String::as_str).collect();
    header.extend([
        "period",
        "incidents",
        "mttd_median_min",
        "mtta_median_min",
        "mtti_median_min",
        "mttm_median_min",
        "mttr_median_min",
        "mttr_p90_min",
        "downtime_min",
        "availability_pct",
    ]);
    write(
        &header,
        rows.iter().map(|r| {
            let mut v = r.values.clone();
            v.push(r.period.clone());
            v.push(r.incidents.to_string());
            v.extend(r.stats.iter().map(|s| opt_minutes(s.median)));
            v.push(opt_minutes(r.stats[Metric::Mttr.index()].p90));
            v.push(num(r.downtime_min, 3));
            v.push(pct(r.availability_pct));
            v
        }),
        raw,
    )
}

/// `published_uptime.csv` and `published_daily.csv`: status pages' own figures beside mttx's.
pub fn published(
    rows: &[crate::metrics::published::PublishedRow],
    daily: &[crate::metrics::published::PublishedDailyRow],
    raw: bool,
) -> (Vec<u8>, Vec<u8>) {
    let o = |x: Option<f64>| x.map(pct).unwrap_or_default();
    let uptime = write(
        &[
            "vendor",
            "component",
            "period_days",
            "start",
            "end",
            "published_uptime_pct",
            "recomputed_uptime_pct",
            "measured_uptime_pct",
        ],
        rows.iter().map(|r| {
            vec![
                r.vendor.clone(),
                r.component.clone(),
                r.period_days.to_string(),
                r.start.clone(),
                r.end.clone(),
                o(r.published_pct),
                pct(r.recomputed_pct),
                o(r.measured_pct),
            ]
        }),
        raw,
    );
    let days = write(
        &[
            "vendor",
            "component",
            "date",
            "published_downtime_min",
            "measured_downtime_min",
        ],
        daily.iter().map(|d| {
            vec![
                d.vendor.clone(),
                d.component.clone(),
                d.date.clone(),
                num(d.published_downtime_min, 3),
                d.measured_downtime_min
                    .map(|m| num(m, 3))
                    .unwrap_or_default(),
            ]
        }),
        raw,
    );
    (uptime, days)
}

/// `metric,n,mean_min,median_min,p90_min,max_min` of one row.
fn stat_cells(metric: Metric, s: &Stats) -> [String; 6] {
    [
        metric.as_str().to_string(),
        s.n.to_string(),
        opt_minutes(s.mean),
        opt_minutes(s.median),
        opt_minutes(s.p90),
        opt_minutes(s.max),
    ]
}

/// Incidents as canonical input (`mttx import`): the record's columns, times in UTC, so the
/// file reads back exactly.
pub fn canonical_incidents(t: &IncidentTable, raw: bool) -> Parts<'_> {
    let mut header = col::RECORD.to_vec();
    header.extend(t.dims.iter().map(|(name, _)| name.as_str()));
    table(&header, t.len(), raw, |w, i, _| {
        w.text(t.vendor.text(i));
        for c in [&t.id, &t.title] {
            w.text(c.text(i));
        }
        w.text(t.severity.text(i));
        for c in [&t.impact, &t.components] {
            w.text(c.text(i));
        }
        w.times(&t.timestamps, i);
        dims(w, t, i);
    })
}

/// The impacts table (`mttx import`): one precise window per row.
pub fn impacts(rows: &[ImpactRow], raw: bool) -> Vec<u8> {
    write(
        &col::IMPACT_RECORD,
        rows.iter().map(|r| {
            vec![
                r.incident_id.clone(),
                r.vendor.clone(),
                r.component.clone(),
                r.impact.clone(),
                r.start.clone(),
                opt(&r.end),
            ]
        }),
        raw,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_written_as_the_csv_crate_writes_them() {
        let cells = [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\rhere",
            "=SUM(A1)",
            "-12.5",
            "+1 call",
            "@team",
            "\ttabbed",
            "Zürich, \"Core\"",
            " spaced ",
            "'quoted",
        ];
        let rows: Vec<Vec<String>> = cells
            .chunks(3)
            .map(|c| {
                let mut r: Vec<String> = c.iter().map(|s| s.to_string()).collect();
                r.resize(3, String::new());
                r
            })
            .collect();
        for raw in [false, true] {
            // What the `csv` crate writes, each cell neutralised unless `raw`.
            let mut w = ::csv::WriterBuilder::new()
                .terminator(::csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            w.write_record(["a", "b", "c"]).unwrap();
            for r in &rows {
                for c in r {
                    let c = if raw { c.into() } else { neutral(c) };
                    w.write_field(c.as_bytes()).unwrap();
                }
                w.write_record(None::<&[u8]>).unwrap();
            }
            let expected = w.into_inner().unwrap();
            assert_eq!(
                write(&["a", "b", "c"], rows.clone().into_iter(), raw),
                expected
            );
            let got = table(&["a", "b", "c"], rows.len(), raw, |w, i, _| {
                for c in &rows[i] {
                    w.text(c);
                }
            })
            .join();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
