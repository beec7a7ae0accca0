//! The `pactlog` command: parse arguments once, run one command, map the outcome to an
//! exit code (0 ok, 1 bad input or usage, 2 internal or storage error, 3 verification
//! failed).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // --help and --version are not errors; every usage error is the user's (1).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("{err}");
            err.exit_code().into()
        }
    }
}
