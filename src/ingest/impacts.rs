//! The optional impacts table (contract section 1): precise windows
//! `incident_id, [vendor,] component, impact, start, end`. Rows are validated like incidents,
//! then attached to the accepted incidents; a row whose incident is unknown (or, without a
//! vendor column, ambiguous) is rejected with its line.

use polars::prelude::*;

use super::validate::{
    Checked, Problems, clean_text, parse_ts_column, raw_record, text, ts_dtype, vendor_and_id,
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
    let accepted = all.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    let frame = accepted
        .lazy()
        .with_columns(vendor_and_id(opts, col::ID))
        .with_columns([clean_text(col::COMPONENT)
            .fill_null(lit(ALL_COMPONENTS))
            .alias(col::COMPONENT)])
        .collect()?;
    Ok(Checked {
        frame,
        rejects,
        warnings,
        read,
    })
}

/// An empty impacts frame with the typed schema.
pub(crate) fn empty() -> Result<DataFrame> {
    let s = |name: &str| Column::new_empty(name.into(), &DataType::String);
    Ok(DataFrame::new(
        0,
        vec![
            s(col::SOURCE),
            Column::new_empty(col::LINE.into(), &DataType::UInt64),
            s(col::VENDOR),
            s(col::ID),
            s(col::COMPONENT),
            s(col::IMPACT),
            Column::new_empty(col::START.into(), &ts_dtype()),
            Column::new_empty(col::END.into(), &ts_dtype()),
        ],
    )?)
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
    const ROW: &str = "__row";
    let keys = incidents
        .clone()
        .lazy()
        .select([col(col::VENDOR), col(col::ID)]);
    let by_id = keys.clone().group_by([col(col::ID)]).agg([
        col(col::VENDOR).first().alias("__only_vendor"),
        len().alias("__vendors"),
    ]);
    let known = keys.with_column(lit(true).alias("__known"));
    let joined = impacts
        .lazy()
        .with_row_index(ROW, None)
        .with_column(col(col::VENDOR).is_not_null().alias("__given"))
        .join(
            by_id,
            [col(col::ID)],
            [col(col::ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(
                col(col::VENDOR)
                    .is_null()
                    .and(col("__vendors").eq(lit(1u32))),
            )
            .then(col("__only_vendor"))
            .otherwise(col(col::VENDOR))
            .alias(col::VENDOR),
        )
        .join(
            known,
            [col(col::VENDOR), col(col::ID)],
            [col(col::VENDOR), col(col::ID)],
            JoinArgs::new(JoinType::Left),
        )
        .sort([ROW], SortMultipleOptions::default())
        .collect()?;
    let is_known = joined.column("__known")?.is_not_null();
    let matched = joined.filter(&is_known)?.select([
        col::SOURCE,
        col::LINE,
        col::VENDOR,
        col::ID,
        col::COMPONENT,
        col::IMPACT,
        col::START,
        col::END,
    ])?;
    let bad = joined.filter(&!is_known)?;
    let mut rejects = Vec::with_capacity(bad.height());
    if bad.height() > 0 {
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
        let given = bad.column("__given")?.bool()?;
        let vendors = bad.column("__vendors")?.cast(&DataType::UInt64)?;
        let vendors = vendors.u64()?;
        for i in 0..bad.height() {
            let id = id.get(i).unwrap_or_default();
            let reason = match (given.get(i), vendors.get(i)) {
                (Some(true), _) => format!(
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
    }
    Ok((matched, rejects))
}

/// Marks record-sourced incidents that have impact rows: `window_source = impacts`.
pub(crate) fn mark_incidents(incidents: DataFrame, impacts: &DataFrame) -> Result<DataFrame> {
    if impacts.height() == 0 {
        return Ok(incidents);
    }
    let with = impacts
        .clone()
        .lazy()
        .select([col(col::VENDOR), col(col::ID)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_column(lit(window_source::IMPACTS).alias("__source"));
    Ok(incidents
        .lazy()
        .with_row_index("__row", None)
        .join(
            with,
            [col(col::VENDOR), col(col::ID)],
            [col(col::VENDOR), col(col::ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(
                col(col::WINDOW_SOURCE)
                    .eq(lit(window_source::RECORD))
                    .and(col("__source").is_not_null()),
            )
            .then(col("__source"))
            .otherwise(col(col::WINDOW_SOURCE))
            .alias(col::WINDOW_SOURCE),
        )
        .sort(["__row"], SortMultipleOptions::default())
        .drop(cols(["__row", "__source"]))
        .collect()?)
}
