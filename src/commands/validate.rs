//! `mttx validate`: reads inputs and lists every reject and warning with its file and line;
//! exits 3 when anything was rejected.

use std::fmt::Write;

use super::{Source, emit, exit};
use crate::error::Result;

pub fn run(source: &Source, out: &mut dyn std::io::Write) -> Result<u8> {
    let ing = source.read()?;
    let mut s = String::new();
    for r in &ing.rejects {
        let _ = writeln!(s, "{}:{}: rejected: {}", r.source, r.line, r.reason);
    }
    for w in &ing.warnings {
        let _ = writeln!(s, "{}:{}: warning: {}", w.source, w.line, w.message);
    }
    for n in &ing.notes {
        let _ = writeln!(s, "note: {n}");
    }
    let c = ing.counts;
    let _ = writeln!(
        s,
        "{} rows read: {} accepted, {} rejected; {} warnings{}",
        c.read,
        c.accepted,
        c.rejected,
        ing.warnings.len(),
        if c.duplicates > 0 {
            format!("; {} superseded by a later duplicate", c.duplicates)
        } else {
            String::new()
        }
    );
    emit(out, &s)?;
    Ok(if c.rejected > 0 {
        exit::REJECTED
    } else {
        exit::OK
    })
}
