//! A status page's published uptime: its days, its components, and its platform's rule.

/// One day of a status page's published uptime: its date (`YYYY-MM-DD`, the page's days) and
/// the seconds of major and of partial outage it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedDay {
    pub date: String,
    pub major_s: f64,
    pub partial_s: f64,
}

/// A component's published uptime as its status page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedComponent {
    pub vendor: String,
    pub component: String,
    /// The component's `startDate` (no figure counts days before it).
    pub start_date: Option<String>,
    /// Oldest first.
    pub days: Vec<PublishedDay>,
    /// The figure the page displays (Statuspage: its 90-day figure).
    pub displayed_pct: Option<f64>,
    /// How the platform works its figure out.
    pub rule: PublishedRule,
}

/// A platform's rule for its published uptime.
#[derive(Debug, Clone, PartialEq)]
pub enum PublishedRule {
    /// Statuspage: major plus 0.3 of partial outage over whole days, truncated to 2 decimals.
    Statuspage,
    /// Better Stack: the downtime of its "downtime" days over the seconds from the first day's
    /// midnight in the page's zone (UTC ms) to the page's `updated_at` (UTC ms).
    BetterStack { from: i64, to: i64 },
}
