//! The `pactlog` command: parse arguments once, run one command, map the outcome to an
//! exit code (0 ok, 1 bad input or usage, 2 internal or storage error, 3 verification
//! failed). Under `--json`, errors are a JSON object on standard error.

mod cli;
mod server;
mod view;
mod web;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let json = cli::wants_json(std::env::args_os());
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return cli::usage(&e, json).into(),
    };
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(err) => cli::fail(&err, json).into(),
    }
}
