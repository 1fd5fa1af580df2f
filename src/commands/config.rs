//! `mttx config`: the configuration in force (which file was read and what it sets, after
//! checking), or with `--example` a commented `mttx.toml` to start from.

use super::{emit, exit};
use crate::config::{Config, EXAMPLE};
use crate::error::Result;

pub fn example(out: &mut dyn std::io::Write) -> Result<u8> {
    emit(out, EXAMPLE)?;
    Ok(exit::OK)
}

pub fn show(config: &Config, out: &mut dyn std::io::Write) -> Result<u8> {
    emit(out, &config.describe())?;
    Ok(exit::OK)
}
