//! `pactlog completions SHELL`: a completion script for the shell, from the command tree.

use super::{Cli, CliError, Code};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print a shell completion script
///
/// The script completes commands, options and the values of options that take one of a
/// fixed set (such as --format). Load it in the shell's start-up file, or install it
/// where the shell looks for completions.
///
/// Examples:
///   pactlog completions bash > ~/.local/share/bash-completion/completions/pactlog
///   source <(pactlog completions bash)
///   pactlog completions zsh > ~/.zfunc/_pactlog
///   pactlog completions fish > ~/.config/fish/completions/pactlog.fish
///   pactlog completions powershell >> $PROFILE
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

pub fn run_completions(args: CompletionsArgs) -> Result<Code, CliError> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "pactlog", &mut script);
    let script = String::from_utf8(script)
        .map_err(|e| CliError::internal(format!("the completion script is not UTF-8: {e}")))?;
    out!("{script}")?;
    Ok(Code::Ok)
}
