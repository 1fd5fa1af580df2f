//! Report: the finished result of a run as plain values ([`Report`]) and its renderers, each
//! returning bytes or text and never touching the file system: [`csv`] (the contract's files),
//! [`json`] (`summary.json`) and [`terminal`] (what a person reads after a run).

pub mod csv;
pub mod format;
pub mod json;
pub mod terminal;

use crate::metrics::Computed;
use crate::model::{Anchor, Counts, Reject, Warning, Weights};
use crate::period::Period;

/// Everything one `report` run produced.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    pub weights: Weights,
    pub anchor: Anchor,
    pub sla_default: f64,
    pub counts: Counts,
    pub computed: Computed,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Warning>,
}
