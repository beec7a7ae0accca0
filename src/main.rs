//! The `pactlog` command: parse arguments once, run one command, map the outcome to an
//! exit code (0 ok, 1 bad input or usage, 2 internal or storage error, 3 verification
//! failed).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("{err}");
            err.exit_code().into()
        }
    }
}
