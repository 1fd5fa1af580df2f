//! Duplicate `(vendor, id)` pairs (contract section 1): a cheap hash check says whether any can
//! exist; when some do, each key keeps its richest record (the later row among equals) and the
//! winner's warnings name every line of the pair.

use std::borrow::Cow;
use std::collections::HashMap;

use polars::prelude::*;

use super::validate::text;
use crate::error::Result;
use crate::model::{col, window_source};

/// A row's `(vendor, id)`.
type Key<'a> = (Option<&'a str>, Option<&'a str>);

/// Whether two rows may share `(vendor, id)`: false for certain when no two rows' keys hash
/// alike (one sorted vector of 64-bit hashes: 8 MB for a million rows, where grouping the
/// names themselves holds hundreds). A shared hash sends the frame to the exact check.
pub(crate) fn maybe_duplicates(df: &DataFrame) -> Result<bool> {
    use std::hash::BuildHasher;
    let (Some(vendor), Some(id)) = (text(df, col::VENDOR)?, text(df, col::ID)?) else {
        return Ok(true);
    };
    let state = foldhash::fast::FixedState::default();
    let mut hashes: Vec<u64> = vendor
        .iter()
        .zip(id.iter())
        .map(|key| state.hash_one(key))
        .collect();
    hashes.sort_unstable();
    Ok(hashes.windows(2).any(|w| w[0] == w[1]))
}

/// Keeps the last row of each `(vendor, id)` in input order; the winner's warnings name every
/// line of the pair. Returns the frame and how many rows were superseded.
pub(crate) fn dedupe(all: DataFrame) -> Result<(DataFrame, u64)> {
    if !maybe_duplicates(&all)? {
        return Ok((all, 0));
    }
    let (Some(vendor), Some(id)) = (text(&all, col::VENDOR)?, text(&all, col::ID)?) else {
        return Ok((all, 0));
    };
    // Each key's winning row and how many rows it has, keys in order of first appearance: the
    // richest record (windows from updates with components, then stated windows, then the
    // rest), the later row among equals.
    let richness = richness(&all)?;
    let mut last: HashMap<Key, (usize, usize)> = HashMap::new();
    let mut first_seen = Vec::new();
    for (r, key) in vendor.iter().zip(id.iter()).enumerate() {
        let e = last.entry(key).or_insert_with(|| {
            first_seen.push(key);
            (r, 0)
        });
        let winner = if richness[r] >= richness[e.0] { r } else { e.0 };
        *e = (winner, e.1 + 1);
    }
    if last.len() == all.height() {
        return Ok((all, 0));
    }
    let superseded = (all.height() - last.len()) as u64;
    let notes = duplicate_notes(&all, (vendor, id), &last, first_seen)?;
    let keep: BooleanChunked = vendor
        .iter()
        .zip(id.iter())
        .enumerate()
        .map(|(r, key)| last[&key].0 == r)
        .collect();
    let warnings: StringChunked = all
        .column(col::WARNINGS)?
        .str()?
        .iter()
        .enumerate()
        .map(|(r, w)| match (w, notes.get(&r)) {
            (Some(w), Some(n)) => Some(Cow::Owned(format!("{w}; {n}"))),
            (None, Some(n)) => Some(Cow::Borrowed(n.as_str())),
            (w, None) => w.map(Cow::Borrowed),
        })
        .collect();
    let mut out = all.clone();
    out.with_column(warnings.with_name(col::WARNINGS.into()).into_column())?;
    Ok((out.filter(&keep)?, superseded))
}

/// The note of each duplicated key's winning row (by row), naming every line of the key and
/// why the winner won; `last` holds each key's winner and its number of rows.
fn duplicate_notes(
    all: &DataFrame,
    (vendor, id): (&StringChunked, &StringChunked),
    last: &HashMap<Key, (usize, usize)>,
    first_seen: Vec<Key>,
) -> Result<HashMap<usize, String>> {
    let (source, line) = (
        all.column(col::SOURCE)?.str()?,
        all.column(col::LINE)?.u64()?,
    );
    let mut places: HashMap<Key, Vec<String>> = HashMap::new();
    for (r, key) in vendor.iter().zip(id.iter()).enumerate() {
        if last[&key].1 > 1 {
            let place = format!(
                "{}:{}",
                source.get(r).unwrap_or_default(),
                line.get(r).unwrap_or(0)
            );
            places.entry(key).or_default().push(place);
        }
    }
    // The winner of each duplicated key: its warnings, then the note naming every line.
    let mut notes: HashMap<usize, String> = HashMap::new();
    for key in first_seen {
        if let Some(p) = places.get(&key) {
            let winner = last[&key].0;
            let at = format!(
                "{}:{}",
                source.get(winner).unwrap_or_default(),
                line.get(winner).unwrap_or(0)
            );
            let others: Vec<&str> = (p.iter())
                .filter(|x| **x != at)
                .map(String::as_str)
                .collect();
            let why = if p.last() == Some(&at) {
                "the later row wins"
            } else {
                "the record with the richer windows wins"
            };
            let note = format!(
                "duplicate id: {} superseded by {at} ({why})",
                others.join(", ")
            );
            notes.insert(last[&key].0, note);
        }
    }
    Ok(notes)
}

/// How rich each row's windows are: 2 for windows from updates or an impacts table with
/// components named, 1 for windows stated in a report's text, 0 otherwise (a record's own
/// timestamps, or a page's text). An Atom entry and the same incident from `incidents.json`
/// share the id; the JSON's component updates win.
fn richness(df: &DataFrame) -> Result<Vec<u8>> {
    let (Some(source), Some(components)) =
        (text(df, col::WINDOW_SOURCE)?, text(df, col::COMPONENTS)?)
    else {
        return Ok(vec![0; df.height()]);
    };
    Ok(source
        .iter()
        .zip(components.iter())
        .map(|(s, c)| match s {
            Some(window_source::UPDATES | window_source::IMPACTS)
                if c.is_some_and(|c| !c.is_empty()) =>
            {
                2
            }
            Some(window_source::STATED) => 1,
            _ => 0,
        })
        .collect())
}
