//! `pactlog man DIR`: one roff man page per command, from the command tree.
//!
//! Pages are named as man expects (`pactlog.1`, `pactlog-state.1`, `pactlog-key-generate.1`).
//! DIR is created when missing. A file of the same name is replaced only when it is a
//! man page of the same command (its `.TH` line names it): regenerating pages updates
//! them, and nothing else is overwritten. Every page is checked before any is written,
//! and each is written whole (a temporary file renamed into place).

use super::export::replace_file;
use super::{Cli, CliError, Code};
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a man page for every command into DIR
///
/// Writes pactlog.1 and one page per command (pactlog-state.1, pactlog-key-generate.1,
/// ...), creating DIR if needed. An existing file with one of those names is replaced
/// only if it is a man page of that command (written by an earlier `pactlog man`);
/// anything else there is refused before any page is written (exit 1).
///
/// Examples:
///   pactlog man ~/.local/share/man/man1
///   pactlog man target/man && man -l target/man/pactlog-state.1
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// The folder to write the pages into
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

/// The largest existing file read to see whether it is one of our pages.
const MAX_PAGE_BYTES: u64 = 1 << 20;

pub fn run_man(args: ManArgs) -> Result<Code, CliError> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    render(&cmd, &mut pages)?;
    refuse_store_folder(&args.dir)?;
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CliError::user(format!("cannot create {}: {e}", args.dir.display())))?;
    for (title, _) in &pages {
        may_replace(&args.dir.join(format!("{title}.1")), title)?;
    }
    for (title, page) in &pages {
        let path = args.dir.join(format!("{title}.1"));
        replace_file(&path, |out| {
            out.write_all(page)
                .map_err(|e| CliError::internal(format!("cannot write {}: {e}", path.display())))
        })?;
    }
    outln!("wrote {} man pages to {}", pages.len(), args.dir.display())?;
    Ok(Code::Ok)
}

/// Refuses a folder that is, or is inside, a store: pages written there would sit among
/// sled's files (and a store is no place for anything else).
fn refuse_store_folder(dir: &Path) -> Result<(), CliError> {
    let Some(existing) = dir.ancestors().find(|a| a.exists()) else {
        return Ok(());
    };
    let Ok(real) = std::fs::canonicalize(existing) else {
        return Ok(());
    };
    match real.ancestors().find(|a| super::is_store(a)) {
        Some(store) => Err(CliError::user(format!(
            "{} is inside the store {}: write the man pages to another folder",
            pactlog::model::escape(&dir.display().to_string()),
            pactlog::model::escape(&store.display().to_string())
        ))),
        None => Ok(()),
    }
}

/// The page of `cmd` and of every command below it: (title, roff text).
fn render(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<(), CliError> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)
        .map_err(|e| CliError::internal(format!("cannot render a man page: {e}")))?;
    let title = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    pages.push((title, page));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render(sub, pages)?;
    }
    Ok(())
}

/// Refuses (exit 1) to replace `path` unless it is missing or a man page titled `title`.
fn may_replace(path: &Path, title: &str) -> Result<(), CliError> {
    let refuse = |why: &str| {
        CliError::user(format!(
            "refusing to replace {}: {why}; move it away or choose another folder",
            path.display()
        ))
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(&e.to_string())),
        Ok(m) if !m.file_type().is_file() => return Err(refuse("it is not a regular file")),
        Ok(_) => {}
    }
    let text = pactlog::input::read_text(path, MAX_PAGE_BYTES)
        .map_err(|e| refuse(&e.refusal.to_string()))?;
    if is_page_of(&text, title) {
        Ok(())
    } else {
        Err(refuse(&format!("it is not a man page of {title}")))
    }
}

/// Whether `text` is a roff page whose `.TH` line names `title`.
fn is_page_of(text: &str, title: &str) -> bool {
    text.lines()
        .find_map(|l| l.strip_prefix(".TH "))
        .and_then(|args| args.split_whitespace().next())
        .is_some_and(|name| name.trim_matches('"') == title)
}

#[cfg(test)]
mod tests {
    use super::is_page_of;

    #[test]
    fn a_page_is_ours_only_when_its_title_line_names_the_command() {
        let page = ".ie \\n(.g .ds Aq \\(aq\n.TH pactlog-state 1  \"pactlog-state 0.1.0\"\n";
        assert!(is_page_of(page, "pactlog-state"));
        assert!(!is_page_of(page, "pactlog-log"));
        assert!(!is_page_of("notes\n.TH\n", "pactlog-state"));
        assert!(!is_page_of(
            "# my notes about pactlog-state\n",
            "pactlog-state"
        ));
    }
}
