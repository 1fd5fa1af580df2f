//! The optional impacts table (contract section 1): precise windows
//! `incident_id, [vendor,] component, impact, start, end`. Rows are validated like incidents,
//! then attached to the accepted incidents; a row whose incident is unknown (or, without a
//! vendor column, ambiguous) is rejected with its line.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use super::validate::{
    Checked, Problems, clean_text, clean_vendor_and_id, parse_ts_column, raw_record, text, ts_dtype,
};
use super::{IngestOptions, RawTable};
use crate::error::Result;
use crate::model::{ALL_COMPONENTS, Reject, Warning, col, window_source};

/// Validates one impacts table into typed rows: `source, line, vendor (may be null), id,
/// component, impact, start, end`.
pub(crate) fn validate(table: RawTable, opts: &IngestOptions) -> Result<Checked> {
    let RawTable {
        source,
        frame: df,
        lines,
        broken,
        ..
    } = table;
    let n = df.height();
    let mut problems = Problems::new(n);
    problems.require(&df, col::INCIDENT_ID, "missing incident_id")?;
    problems.require(&df, col::START, "missing start")?;
    let start = parse_ts_column(&df, col::START, opts, &mut problems)?;
    let end = parse_ts_column(&df, col::END, opts, &mut problems)?;
    let levels = problems.levels(&df)?;
    let read = (n + broken.len()) as u64;
    let (rejects, keep) = problems.rejects(&source, &lines, &df, broken);
    let warnings: Vec<Warning> = (0..n)
        .filter(|&i| keep[i])
        .filter(|&i| matches!((start.get(i), end.get(i)), (Some(s), Some(e)) if e < s))
        .map(|i| Warning {
            source: source.clone(),
            line: lines[i],
            message: "impact window ends before it starts: counted as empty".into(),
        })
        .collect();
    let text_or_null = |name: &str| -> Result<Column> {
        Ok(match text(&df, name)? {
            Some(ca) => ca.clone().into_column(),
            None => Column::full_null(name.into(), n, &DataType::String),
        })
    };
    let all = DataFrame::new(
        n,
        vec![
            StringChunked::full(col::SOURCE.into(), &source, n).into_column(),
            UInt64Chunked::from_vec(col::LINE.into(), lines).into_column(),
            text_or_null(col::VENDOR)?,
            text_or_null(col::INCIDENT_ID)?.with_name(col::ID.into()),
            text_or_null(col::COMPONENT)?,
            StringChunked::from_iter_values(col::IMPACT.into(), levels.iter().copied())
                .into_column(),
            start.into_series().cast(&ts_dtype())?.into_column(),
            end.into_series().cast(&ts_dtype())?.into_column(),
        ],
    )?;
    let mut frame = all.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    clean_vendor_and_id(&mut frame, opts)?;
    let component = clean_text(
        frame.column(col::COMPONENT)?.str()?,
        false,
        Some(ALL_COMPONENTS),
    );
    frame.with_column(component.into_column())?;
    Ok(Checked {
        frame,
        rejects,
        warnings,
        read,
    })
}

/// Attaches impact rows to the accepted incidents. Returns the matched rows (vendor filled in)
/// and the rejects of rows whose incident is unknown or ambiguous.
pub(crate) fn attach(
    impacts: DataFrame,
    incidents: &DataFrame,
) -> Result<(DataFrame, Vec<Reject>)> {
    if impacts.height() == 0 {
        return Ok((impacts, Vec::new()));
    }
    // Each incident id's vendors (the first, and how many), and every accepted key.
    let (inc_vendor, inc_id) = (
        incidents.column(col::VENDOR)?.str()?,
        incidents.column(col::ID)?.str()?,
    );
    let mut by_id: HashMap<&str, (&str, u64)> = HashMap::new();
    let mut known: HashSet<(&str, &str)> = HashSet::new();
    for (v, i) in inc_vendor.iter().zip(inc_id.iter()) {
        let (v, i) = (v.unwrap_or_default(), i.unwrap_or_default());
        by_id.entry(i).or_insert((v, 0)).1 += 1;
        known.insert((v, i));
    }
    // A row without a vendor takes its incident's, when only one vendor has that id.
    let (vendor, id) = (
        impacts.column(col::VENDOR)?.str()?,
        impacts.column(col::ID)?.str()?,
    );
    let mut given = Vec::with_capacity(impacts.height());
    let mut vendors = Vec::with_capacity(impacts.height());
    let filled: StringChunked = vendor
        .iter()
        .zip(id.iter())
        .map(|(v, i)| {
            let of_id = i.and_then(|i| by_id.get(i)).copied();
            given.push(v.is_some());
            vendors.push(of_id.map(|(_, n)| n));
            v.or(of_id.filter(|(_, n)| *n == 1).map(|(only, _)| only))
        })
        .collect();
    let is_known: BooleanChunked = filled
        .iter()
        .zip(id.iter())
        .map(|(v, i)| v.zip(i).is_some_and(|k| known.contains(&k)))
        .collect();
    let mut joined = impacts.select([
        col::SOURCE,
        col::LINE,
        col::VENDOR,
        col::ID,
        col::COMPONENT,
        col::IMPACT,
        col::START,
        col::END,
    ])?;
    joined.with_column(filled.with_name(col::VENDOR.into()).into_column())?;
    let matched = joined.filter(&is_known)?;
    let bad = joined.filter(&!is_known.clone())?;
    let rejects = unmatched(&bad, &is_known, &given, &vendors)?;
    Ok((matched, rejects))
}

/// The impact rows that name no accepted incident, as rejects with the reason: no incident of
/// that vendor, an id several vendors share (the row needs a vendor), or no incident at all.
/// `given`: whether each row named its vendor; `vendors`: how many vendors have its id.
fn unmatched(
    bad: &DataFrame,
    is_known: &BooleanChunked,
    given: &[bool],
    vendors: &[Option<u64>],
) -> Result<Vec<Reject>> {
    let mut rejects = Vec::with_capacity(bad.height());
    if bad.height() == 0 {
        return Ok(rejects);
    }
    let raw_cols = bad.select([
        col::ID,
        col::VENDOR,
        col::COMPONENT,
        col::IMPACT,
        col::START,
        col::END,
    ])?;
    let source = bad.column(col::SOURCE)?.str()?;
    let line = bad.column(col::LINE)?.u64()?;
    let id = bad.column(col::ID)?.str()?;
    let vendor = bad.column(col::VENDOR)?.str()?;
    let unknown = (0..given.len()).filter(|&r| !is_known.get(r).unwrap_or(false));
    for (i, r) in unknown.enumerate() {
        let id = id.get(i).unwrap_or_default();
        let reason = match (given[r], vendors[r]) {
            (true, _) => format!(
                "no accepted incident '{id}' of vendor '{}'",
                vendor.get(i).unwrap_or_default()
            ),
            (_, Some(n)) if n > 1 => format!(
                "incident id '{id}' belongs to {n} vendors: add a vendor column to the impacts table"
            ),
            _ => format!("no accepted incident with id '{id}'"),
        };
        rejects.push(Reject {
            source: source.get(i).unwrap_or_default().to_string(),
            line: line.get(i).unwrap_or(0),
            column: col::INCIDENT_ID.to_string(),
            reason,
            raw: raw_record(&raw_cols, i),
        });
    }
    Ok(rejects)
}

/// Marks record-sourced incidents that have impact rows: `window_source = impacts`.
pub(crate) fn mark_incidents(incidents: DataFrame, impacts: &DataFrame) -> Result<DataFrame> {
    if impacts.height() == 0 {
        return Ok(incidents);
    }
    let keys: HashSet<(&str, &str)> = impacts
        .column(col::VENDOR)?
        .str()?
        .iter()
        .zip(impacts.column(col::ID)?.str()?.iter())
        .filter_map(|(v, i)| v.zip(i))
        .collect();
    let source: StringChunked = incidents
        .column(col::WINDOW_SOURCE)?
        .str()?
        .iter()
        .zip(incidents.column(col::VENDOR)?.str()?.iter())
        .zip(incidents.column(col::ID)?.str()?.iter())
        .map(|((s, v), i)| match v.zip(i) {
            Some(k) if s == Some(window_source::RECORD) && keys.contains(&k) => {
                Some(window_source::IMPACTS)
            }
            _ => s,
        })
        .collect();
    let mut incidents = incidents.clone();
    incidents.with_column(source.with_name(col::WINDOW_SOURCE.into()).into_column())?;
    Ok(incidents)
}
