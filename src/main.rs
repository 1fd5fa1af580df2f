//! The `mttx` binary: parse the command line, run it, print the error chain, exit with the
//! documented code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mttx::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match mttx::cli::run(cli, &mut stdout) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mttx: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
