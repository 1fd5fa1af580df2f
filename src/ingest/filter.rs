//! `--where` and `[filter] where`: the accepted incidents a run keeps, by the values of any key
//! (`vendor`, `component`, `severity`, `impact` or a dimension). Filters run after validation,
//! duplicates and impact rows, so a filtered incident is neither rejected nor counted as a
//! duplicate: it is left out of every figure, and its impact rows with it.

use polars::prelude::*;

use super::columns::DIM;
use crate::error::{Error, Result};
use crate::model::{Filter, col};

/// The keys a filter (or a grouping) may name in `incidents`: the canonical ones, then the
/// dimensions in the inputs' order.
pub(crate) fn keys(incidents: &DataFrame) -> Vec<String> {
    let canonical = [col::VENDOR, col::COMPONENT, col::SEVERITY, col::IMPACT];
    let dims = (incidents.get_column_names().into_iter()).filter_map(|n| n.strip_prefix(DIM));
    canonical
        .into_iter()
        .chain(dims)
        .map(str::to_string)
        .collect()
}

/// `incidents` without the rows some filter drops, how many it dropped, and the standing
/// filters skipped because the inputs lack their key.
pub(super) fn apply(
    incidents: DataFrame,
    filters: &[Filter],
) -> Result<(DataFrame, usize, Vec<String>)> {
    let known = keys(&incidents);
    let mut keep = vec![true; incidents.height()];
    let mut skipped = Vec::new();
    for f in filters {
        if f.standing && !known.contains(&f.key) {
            skipped.push(f.to_string());
            continue;
        }
        if !known.contains(&f.key) {
            return Err(Error::Usage(format!(
                "--where {f}: no key '{}' in the inputs (keys: {})",
                f.key,
                known.join(", ")
            )));
        }
        let name = match f.key.as_str() {
            col::COMPONENT => col::COMPONENTS.to_string(),
            k if [col::VENDOR, col::SEVERITY, col::IMPACT].contains(&k) => k.to_string(),
            k => format!("{DIM}{k}"),
        };
        let values = incidents.column(&name)?.str()?;
        for (k, v) in keep.iter_mut().zip(values.iter()) {
            *k = *k
                && if f.key == col::COMPONENT {
                    // An incident lists its components; none listed is the vendor as a whole.
                    let list = v
                        .filter(|l| !l.is_empty())
                        .unwrap_or(crate::model::ALL_COMPONENTS);
                    f.passes(list.split(';').map(Some))
                } else {
                    f.passes(std::iter::once(v))
                };
        }
    }
    let dropped = keep.iter().filter(|k| !**k).count();
    if dropped == 0 {
        return Ok((incidents, 0, skipped));
    }
    let kept = incidents.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    Ok((kept, dropped, skipped))
}
