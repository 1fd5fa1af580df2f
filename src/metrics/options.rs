//! What the numbers depend on besides the incidents: the report window, the anchor, the
//! weights and the SLA targets.

use super::sla::SlaTargets;
use crate::model::{Anchor, Weights};
use crate::period::ReportWindow;

/// What the numbers depend on besides the incidents.
#[derive(Debug, Clone)]
pub struct Options {
    pub period: ReportWindow,
    pub anchor: Anchor,
    pub weights: Weights,
    pub sla: SlaTargets,
}

/// Days of downtime a report keeps per vendor and component, as status pages show them.
pub const UPTIME_DAYS: usize = 90;
