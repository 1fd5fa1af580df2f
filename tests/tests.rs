//! Integration tests: one binary (every extra test binary would link polars again).

mod apis;
mod bad;
mod charts;
mod cli;
mod common;
mod config;
mod crosscheck;
mod html;
mod layers;
mod mutations;
mod pages;
mod platforms;
mod properties;
mod server;
mod size;
mod snapshots;
mod sources;
mod statuspage;
mod sync;
