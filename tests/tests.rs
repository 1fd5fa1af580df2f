//! Integration tests: one binary (every extra test binary would link polars again).

mod cli;
mod common;
mod properties;
mod snapshots;
