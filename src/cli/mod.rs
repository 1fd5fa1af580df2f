//! The command line: clap's derive types, and their translation into the plain settings the
//! commands take. This is the only module that knows clap.

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::chart::Kind;
use crate::commands::metrics::{MetricsArgs, OutFormat};
use crate::commands::report::{Formats, ReportArgs};
use crate::commands::{self, Source, WindowSpec};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::generate::GenOptions;
use crate::metrics::SlaTargets;
use crate::model::{Anchor, Filter, GroupKey, WeightPreset, Weights};
use crate::period::Cut;

mod settings;

#[derive(Debug, Parser)]
#[command(
    name = "mttx",
    version,
    about = "Incident reliability metrics: MTTD, MTTA, MTTI, MTTM, MTTR, downtime, availability and SLA",
    long_about = None,
    after_help = "Examples:\n  mttx report                          report on the bundled sample data\n  mttx report incidents.csv --month 2024-06 --sla 99.95\n  mttx metrics exports/ --by vendor,month\n  mttx validate incidents.csv\n  mttx chart downtime incidents.csv -o downtime.png\n  mttx retro incidents.csv --incident INC-42\n  mttx sync && mttx report --store vendors.db   vendors' status-page history, your incident tool's incidents\n\nExit codes: 0 ok, 1 input error or nothing to report, 2 usage error,\n3 rows rejected (validate), 4 output could not be written,\n5 sync: a vendor or source failed (the others were stored); 1 also when the store cannot be used."
)]
pub struct Cli {
    /// Configuration file [default: ./mttx.toml when present]. Flags override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute every metric and write incidents.csv, metrics.csv, availability.csv,
    /// rejects.csv, summary.json, report.html and charts/, with a short summary in the terminal.
    #[command(
        after_help = "Examples:\n  mttx report                                  the bundled sample, into reports/<window>/\n  mttx report incidents.csv --out out/         a whole export, window from the data\n  mttx report data/ --month 2024-06 --tz Europe/Berlin --sla 99.95\n  mttx report incidents.ndjson --from 2024-01-01 --to 2024-07-01 --weights strict\n  mttx report incidents.csv --formats csv      CSV files only (no report.html, no charts/)"
    )]
    Report(ReportCmd),
    /// Time-to-x aggregates (n, median, mean, p90, max) for a grouping, to stdout.
    #[command(
        after_help = "Examples:\n  mttx metrics incidents.csv\n  mttx metrics incidents.csv --by vendor,month\n  mttx metrics exports/ --by component --format csv > mttx.csv\n  mttx metrics incidents.json --by severity --anchor detected --format json"
    )]
    Metrics(MetricsCmd),
    /// Read inputs and list every rejected row and warning with file:line.
    /// Exits 3 when any row was rejected.
    #[command(
        after_help = "Examples:\n  mttx validate incidents.csv\n  mttx validate exports/ --tz America/New_York"
    )]
    Validate(ValidateCmd),
    /// Draw one chart of a report as SVG or PNG (by the file's extension).
    #[command(
        after_help = "Examples:\n  mttx chart sla -o sla.png                       the bundled sample\n  mttx chart timeline incidents.csv --month 2024-06 -o timeline.svg\n  mttx chart trend incidents.csv --tz Europe/Berlin -o trend.svg\n  mttx chart sla exports/ --from 2024-01-01 --to 2025-01-01 --sla 99.95 -o sla-2024.png"
    )]
    Chart(ChartCmd),
    /// One incident for its retrospective: milestones, phases and affected components on one
    /// time axis (SVG and PNG), and the phases with their durations in the terminal.
    #[command(
        after_help = "Examples:\n  mttx retro --incident INC-0042                  from the bundled sample\n  mttx retro incidents.csv --incident 1234 --tz Europe/Berlin -o retro.png\n  mttx retro exports/ --incident 'Acme Cloud:17'   an id several vendors use"
    )]
    Retro(RetroCmd),
    /// Show the configuration in force (the file read and what it sets), or print a commented
    /// example mttx.toml with --example.
    #[command(
        after_help = "Examples:\n  mttx config --example > mttx.toml      start a config from the example\n  mttx config                            what ./mttx.toml sets\n  mttx config --config sla.toml          what another file sets"
    )]
    Config(ConfigCmd),
    /// Read any input (canonical files, Statuspage JSON, report pages) and write it as
    /// canonical incidents.csv, plus impacts.csv for precise windows, to review and correct.
    #[command(
        after_help = "Examples:\n  mttx import saved-pages/ --out imported/      then: mttx report imported/\n  mttx import vendor.json --tz-abbrev IST=+01:00 --out vendor/"
    )]
    Import(ImportCmd),
    /// Write seeded sample incidents as canonical CSV (the generator behind data/).
    #[command(
        after_help = "Examples:\n  mttx generate -o data/incidents.csv                 the shipped sample\n  mttx generate --incidents 100000 --seed 1 -o big.csv\n  mttx generate --incidents 50 --start 2024-06 --months 2 | head"
    )]
    Generate(GenerateCmd),
    /// Bring the history of every status page in mttx.toml's [[vendor]] tables, and the
    /// incidents of every incident tool in its [[source]] tables (PagerDuty, incident.io,
    /// FireHydrant, Rootly, Jira; tokens from the environment), into the local store. Exits 5
    /// when one failed (the others are stored), 2 when a token's variable is not set, 1 when the
    /// store cannot be used.
    #[command(
        after_help = "Examples:\n  mttx sync                                  the vendors and sources of ./mttx.toml, into its store (or vendors.db)\n  mttx sync --config vendors.toml --store history/vendors.db\n  mttx report --store vendors.db --from 2025-01-01 --to 2026-01-01\n  PAGERDUTY_TOKEN=... mttx sync && mttx report --store vendors.db --month previous\n\nExit codes: 0 everything synced, 5 at least one vendor or source failed (the rest stored),\n1 the store cannot be opened or used, 2 a mistake in mttx.toml or a token's variable not set."
    )]
    Sync(SyncCmd),
}

#[derive(Debug, Args)]
pub struct SyncCmd {
    /// The store file [default: `store` in mttx.toml, else vendors.db]; created when missing.
    #[arg(long, value_name = "DB")]
    pub store: Option<PathBuf>,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Time zone of the report (months) and of naive timestamps: an IANA name [default: UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Vendor for rows that have none.
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,
    /// Measure TTA, TTI, TTM and TTR from `started` or from `detected` [default: started].
    #[arg(long, value_enum)]
    pub anchor: Option<AnchorArg>,
    /// Offset of a time zone abbreviation in report pages, overriding the built-in table
    /// (repeatable), e.g. IST=+05:30.
    #[arg(long = "tz-abbrev", value_name = "ABBR=+HH:MM")]
    pub tz_abbrev: Vec<String>,
    /// Refuse inputs larger than this in all, in MB [default: what the available memory holds,
    /// planning about 3 bytes of memory per byte of CSV, 5 of JSON, 30 of Parquet].
    #[arg(long, value_name = "MB")]
    pub max_input_mb: Option<f64>,
    /// Also read every vendor kept in this store by `mttx sync` (beside any INPUT).
    #[arg(long, value_name = "DB")]
    pub store: Option<PathBuf>,
    /// Keep only incidents whose KEY (vendor, component, severity, impact or a column of the
    /// input) is one of the values; KEY!=V1,V2 drops them instead; `(none)` is no value.
    /// Repeatable: all must hold.
    #[arg(long = "where", value_name = "KEY=V1,V2")]
    pub where_: Vec<String>,
}

#[derive(Debug, Args)]
pub struct WindowArgs {
    /// First day of the window (inclusive), 00:00 in the report time zone.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "month")]
    pub from: Option<NaiveDate>,
    /// Day after the window (exclusive), 00:00 in the report time zone.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "month")]
    pub to: Option<NaiveDate>,
    /// One calendar month as the window: YYYY-MM, or `previous` (the month before today's, in
    /// the report time zone) or `current`, for scheduled runs.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportCmd {
    /// Incident files or folders (CSV, JSON, NDJSON, Parquet, Statuspage JSON, report pages as
    /// .txt/.html; impacts tables too). None: the bundled sample.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output folder [default: reports/<window>/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub measure: MeasureArgs,
    /// Outputs to write, comma-separated: csv, json, html (report.html), charts (charts/*.svg and *.png).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "csv,json,html,charts",
        value_name = "LIST"
    )]
    pub formats: Vec<String>,
    /// Write CSV cells as they are: without it, text starting with =, +, -, @ gets a leading '
    /// so that a spreadsheet shows it instead of running it.
    #[arg(long)]
    pub raw_csv: bool,
    /// Add a breakdown by any keys (report.html, breakdown.csv, the summary): vendor,
    /// component, severity, impact or any column of the input, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "KEYS")]
    pub by: Vec<String>,
    /// The report's periods: week (ISO 8601), month, quarter or year [default: month].
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
}

/// How downtime is weighed and judged, and how much is printed (`report`, `chart`).
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Downtime weights per impact level [default: statuspage].
    #[arg(long, value_enum)]
    pub weights: Option<WeightsArg>,
    /// Default SLA target in percent [default: 99.9]; [[sla]] entries of the config refine it.
    #[arg(long, value_name = "PCT")]
    pub sla: Option<f64>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MetricsCmd {
    /// Incident files or folders.
    #[arg(value_name = "INPUT", required_unless_present = "store")]
    pub inputs: Vec<PathBuf>,
    /// Group by any keys, comma-separated: vendor, component, severity, impact, or any column
    /// of the input (`Team Name` is team_name); `month` (week, quarter, year) is --period.
    #[arg(long, value_delimiter = ',', value_name = "KEYS")]
    pub by: Vec<String>,
    /// Cut the window into periods: week (ISO 8601), month, quarter, year or all [default: all].
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// With --format csv: cells as they are (see `report --raw-csv`).
    #[arg(long)]
    pub raw_csv: bool,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ValidateCmd {
    /// Incident files or folders.
    #[arg(value_name = "INPUT", required_unless_present = "store")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ChartCmd {
    /// Which chart.
    #[arg(value_enum)]
    pub kind: ChartKindArg,
    /// Incident files or folders. None: the bundled sample.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output file, .svg or .png.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub measure: MeasureArgs,
}

#[derive(Debug, Args)]
pub struct ConfigCmd {
    /// Print a commented example mttx.toml instead.
    #[arg(long)]
    pub example: bool,
}

#[derive(Debug, Args)]
pub struct RetroCmd {
    /// Incident files or folders. None: the bundled sample.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The incident: its id, or VENDOR:ID when several vendors use the id.
    #[arg(long, value_name = "ID")]
    pub incident: String,
    /// Output file, .svg or .png. Default: both, as reports/retro/<vendor>-<id>.svg and .png.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print nothing.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChartKindArg {
    /// Availability by vendor per month, target dashed, misses ringed.
    Sla,
    /// Downtime by component, split by impact level, SLA budget marked.
    Downtime,
    /// Monthly MTTD, MTTM and MTTR medians with the p90 as a band.
    Trend,
    /// Distribution of the time to resolve, median and p90 marked.
    Distribution,
    /// Components as lanes, incidents as bars coloured by level.
    Timeline,
    /// One cell per day per vendor and component (the last 90 days).
    Uptime,
}

#[derive(Debug, Args)]
pub struct ImportCmd {
    /// Files or folders of any supported input.
    #[arg(value_name = "INPUT", required_unless_present = "store")]
    pub inputs: Vec<PathBuf>,
    /// Folder for incidents.csv, impacts.csv and rejects.csv.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Write CSV cells as they are (see `report --raw-csv`).
    #[arg(long)]
    pub raw_csv: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct GenerateCmd {
    /// Number of incidents.
    #[arg(long, default_value_t = 360)]
    pub incidents: usize,
    /// Random seed: the same seed gives the same file.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// First month.
    #[arg(long, default_value = "2025-01", value_name = "YYYY-MM")]
    pub start: String,
    /// Number of months.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Number of vendors: 4 fictional ones, or more named Vendor 001.. (a fleet).
    #[arg(long, default_value_t = 4)]
    pub vendors: usize,
    /// Output file, .csv or .parquet [default: CSV to stdout].
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnchorArg {
    Started,
    Detected,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightsArg {
    Statuspage,
    Strict,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli, out: &mut dyn std::io::Write) -> Result<u8> {
    if let Command::Config(c) = &cli.command
        && c.example
    {
        return commands::config::example(out);
    }
    let config = crate::config::load(cli.config.as_deref())?;
    let config = &config;
    match cli.command {
        Command::Report(c) => commands::report::run(&c.settings(config)?, out),
        Command::Metrics(c) => commands::metrics::run(&c.settings(config)?, out),
        Command::Validate(c) => commands::validate::run(&c.source.source(&c.inputs, config)?, out),
        Command::Config(_) => commands::config::show(config, out),
        Command::Chart(c) => {
            let report = ReportCmd {
                inputs: c.inputs.clone(),
                out: None,
                window: c.window,
                source: c.source,
                measure: c.measure,
                formats: vec!["csv".into()],
                raw_csv: false,
                by: Vec::new(),
                period: None,
            }
            .settings(config)?;
            commands::chart::run(
                &commands::chart::ChartArgs {
                    report,
                    kind: match c.kind {
                        ChartKindArg::Sla => Kind::Sla,
                        ChartKindArg::Downtime => Kind::Downtime,
                        ChartKindArg::Trend => Kind::Trend,
                        ChartKindArg::Distribution => Kind::Distribution,
                        ChartKindArg::Timeline => Kind::Timeline,
                        ChartKindArg::Uptime => Kind::Uptime,
                    },
                    out: c.out,
                },
                out,
            )
        }
        Command::Retro(c) => commands::retro::run(
            &commands::retro::RetroArgs {
                source: c.source.source(&c.inputs, config)?,
                incident: c.incident,
                out: c.out,
                quiet: c.quiet,
            },
            out,
        ),
        Command::Import(c) => commands::import::run(
            &commands::import::ImportArgs {
                source: c.source.source(&c.inputs, config)?,
                out: c.out.clone(),
                raw_csv: c.raw_csv,
            },
            out,
        ),
        Command::Generate(c) => commands::generate::run(&c.settings()?, out),
        Command::Sync(c) => commands::sync::run(
            &commands::sync::SyncArgs {
                store: c
                    .store
                    .or_else(|| config.store.clone())
                    .unwrap_or_else(|| PathBuf::from(commands::sync::DEFAULT_STORE)),
                vendors: config.vendors.clone(),
                sources: config.sources.clone(),
                config_path: config.path.clone(),
                quiet: c.quiet,
            },
            out,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn month_and_range_become_window_specs() {
        let cli = Cli::try_parse_from(["mttx", "report", "x.csv", "--month", "2024-06"]).unwrap();
        let Command::Report(r) = cli.command else {
            panic!("report")
        };
        assert_eq!(
            r.settings(&Config::default()).unwrap().window,
            WindowSpec::Month {
                year: 2024,
                month: 6
            }
        );
        assert!(settings::year_month("2024-13", "--month").is_err());
        let cli = Cli::try_parse_from(["mttx", "report", "--formats", "csv,pdf"]).unwrap();
        let Command::Report(r) = cli.command else {
            panic!("report")
        };
        assert!(r.settings(&Config::default()).is_err());
    }
}
