//! mttx: incident reliability metrics. The pipeline, stage by stage: [`sync`] (status pages ->
//! [`store`], the local vendor history), [`ingest`] (files and the store -> the typed [`table`]s,
//! rejects) -> [`metrics`] (time-to-x, downtime,
//! availability) -> [`report`] (rows -> CSV, JSON, terminal text) -> [`output`] (files).
//! [`cli`] turns arguments and [`config`] (`mttx.toml`) into settings; [`commands`] runs one
//! subcommand each.

pub mod chart;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod generate;
pub mod hours;
pub mod http;
pub mod ingest;
pub mod laps;
pub mod maps;
pub mod markup;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod output;
pub mod parallel;
pub mod period;
pub mod report;
pub mod sources;
pub mod store;
pub mod sync;
pub mod table;
pub mod time;
