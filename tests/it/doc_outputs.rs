//! The outputs shown in README.md and docs/*.md are what pactlog prints.
//!
//! Every fenced block holding a line `$ pactlog ...` is checked: each such command runs,
//! and the lines under it (up to the next `$` line or the end of the block) must equal
//! what it prints (standard output, then standard error). The rules:
//!
//! - Each document runs in its own temporary folder holding a copy of the bundled
//!   `events/`, the documentation signing key `log.key` / `log.pub` (from
//!   `fixtures/docs/`, so signed checkpoints are the same on every run) and no store yet.
//!   `PACTLOG_STORE` names the store in that folder and `PACTLOG_NOW` fixes the clock, so
//!   commands are shown without `--store`. Commands run in the order the document shows
//!   them: a document imports `events/` before it queries.
//! - A command is split into words like a shell does with quotes (`'...'`, `"..."`), and
//!   nothing else: no pipes, `&&`, `;`, variables or input redirection. The one shell
//!   feature understood is a trailing `> FILE`, which writes standard output to FILE in
//!   the document's folder (the command then shows no output).
//! - Every shown command must succeed (exit 0); show failures in prose or in a block
//!   without `$ pactlog`.
//! - Trailing white space of each line and blank lines at the end of an output are
//!   ignored. A line that is exactly `...` stands for any number of lines (at most one
//!   per output), to shorten long outputs.
//! - `$ pactlog serve ARGS` starts the server on the document's store (on a free port,
//!   whatever `--addr` says) and shows the line it prints, with the address written as
//!   `http://127.0.0.1:8080`; `$ curl -s URL` (a block may show these beside pactlog
//!   commands) sends `GET` for URL's path and query to that server and shows the body.
//!   The next `$ pactlog` command stops the server first, as the store is the server's
//!   while it runs.
//! - `PACTLOG_BLESS=1 cargo test --test it doc_outputs` rewrites the shown outputs in place
//!   and fails, so the change is reviewed before it is committed (a `...` keeps as many
//!   lines before and after it as it had).
//! - A command that clap does not know (`unrecognized subcommand`) fails the check,
//!   unless `PACTLOG_DOCS_ALLOW_MISSING` is set: then it is skipped and its block kept.

use crate::support::server::Server;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The recording time of every shown command: a day after the last bundled event, so
/// shown records are not recorded before they happened.
const NOW: &str = "2026-11-26T10:00:00Z";

/// The line standing for any number of output lines.
const ELISION: &str = "...";

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// README.md and every `docs/*.md`, in name order.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![repo_path("README.md")];
    if let Ok(entries) = std::fs::read_dir(repo_path("docs")) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        more.sort();
        docs.extend(more);
    }
    docs
}

/// One shown command and the output lines shown under it.
#[derive(Debug)]
struct Shown {
    /// Index (0-based) of the `$ pactlog` line in the document.
    line: usize,
    /// The command after `$ `.
    command: String,
    /// The shown output: lines `start..end` of the document, without trailing blank lines.
    start: usize,
    end: usize,
    /// The indentation of the block's fence, which every line in it carries.
    indent: String,
}

/// The fence that opens or closes a block: its character repeated 3 or more times.
fn fence(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim_start();
    let indent = line[..line.len() - trimmed.len()].to_string();
    let marker: String = trimmed
        .chars()
        .take_while(|&c| c == '`' || c == '~')
        .collect();
    let uniform = marker.chars().all(|c| marker.starts_with(c));
    (marker.len() >= 3 && uniform).then_some((indent, marker))
}

/// Every shown command of a document, in order.
fn shown_commands(lines: &[&str]) -> Result<Vec<Shown>, String> {
    let mut shown = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, marker)) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let open = i;
        let close = (open + 1..lines.len())
            .find(|&j| fence(lines[j]).is_some_and(|(_, m)| m.starts_with(&marker)))
            .ok_or_else(|| format!("{}: this block is never closed", open + 1))?;
        shown.extend(block_commands(lines, open + 1, close, &indent)?);
        i = close + 1;
    }
    Ok(shown)
}

/// The shown commands of the block whose content is `lines[from..to]`.
fn block_commands(
    lines: &[&str],
    from: usize,
    to: usize,
    indent: &str,
) -> Result<Vec<Shown>, String> {
    let body = |j: usize| lines[j].strip_prefix(indent).unwrap_or(lines[j]);
    let prompts: Vec<usize> = (from..to).filter(|&j| body(j).starts_with("$ ")).collect();
    let checked = |c: &str| c.starts_with("pactlog ") || c.starts_with("curl ");
    if !prompts.iter().any(|&j| body(j).starts_with("$ pactlog ")) {
        return Ok(Vec::new());
    }
    let mut shown = Vec::new();
    for (k, &j) in prompts.iter().enumerate() {
        let command = body(j)[2..].trim().to_string();
        if !checked(&command) {
            return Err(format!(
                "{}: `{command}`: a block that shows pactlog commands may show only \
                 pactlog and curl commands (this one cannot be checked)",
                j + 1
            ));
        }
        let next = prompts.get(k + 1).copied().unwrap_or(to);
        let mut end = next;
        while end > j + 1 && body(end - 1).trim().is_empty() {
            end -= 1;
        }
        shown.push(Shown {
            line: j,
            command,
            start: j + 1,
            end,
            indent: indent.to_string(),
        });
    }
    Ok(shown)
}

/// A command line split into words, and the file of a trailing `> FILE`.
fn parse_command(command: &str) -> Result<(Vec<String>, Option<String>), String> {
    let mut words: Vec<(String, bool)> = Vec::new(); // (word, quoted anywhere)
    let mut chars = command.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let (mut word, mut quoted) = (String::new(), false);
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' | '"' => {
                    quoted = true;
                    loop {
                        match chars.next() {
                            Some(q) if q == c => break,
                            Some(q) => word.push(q),
                            None => return Err(format!("a `{c}` is never closed")),
                        }
                    }
                }
                '|' | '&' | ';' | '<' | '`' | '$' | '(' | ')' | '\\' | '*' | '?' => {
                    return Err(format!(
                        "`{c}` is a shell feature the check does not run; keep shown commands plain"
                    ));
                }
                _ => word.push(c),
            }
        }
        words.push((word, quoted));
    }
    let redirect = match words.iter().position(|(w, q)| w == ">" && !q) {
        Some(at) if at + 2 == words.len() => words.pop().map(|(w, _)| w),
        Some(_) => return Err("`>` is understood only as a trailing `> FILE`".into()),
        None => None,
    };
    words.truncate(words.len() - usize::from(redirect.is_some()));
    if words.iter().any(|(w, q)| !q && w.contains('>')) {
        return Err("`>` is understood only as a trailing `> FILE`".into());
    }
    Ok((words.into_iter().map(|(w, _)| w).collect(), redirect))
}

/// The address shown for the server a document starts.
const SHOWN_URL: &str = "http://127.0.0.1:8080";

/// The temporary folder one document's commands run in, and the server it started.
struct Sandbox {
    dir: tempfile::TempDir,
    server: std::cell::RefCell<Option<Server>>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        copy_tree(&repo_path("events"), &dir.path().join("events"));
        for name in ["log.key", "log.pub", "witness.key"] {
            std::fs::copy(repo_path("fixtures/docs").join(name), dir.path().join(name))
                .unwrap_or_else(|e| panic!("copy fixtures/docs/{name}: {e}"));
        }
        Sandbox {
            dir,
            server: std::cell::RefCell::new(None),
        }
    }

    /// Runs a shown command: `pactlog serve`, `curl` or another `pactlog` command.
    fn run_shown(&self, args: &[String], redirect: Option<&str>) -> Outcome {
        match (args[0].as_str(), args.get(1).map(String::as_str)) {
            ("curl", _) => self.curl(&args[1..]),
            (_, Some("serve")) => self.serve(&args[2..]),
            _ => {
                self.server.replace(None).map(Server::stop);
                self.run(&args[1..], redirect)
            }
        }
    }

    /// `pactlog serve ARGS` on this folder's store, on a free port.
    fn serve(&self, args: &[String]) -> Outcome {
        self.server.replace(None).map(Server::stop);
        let mut kept: Vec<&str> = Vec::new();
        let mut words = args.iter();
        while let Some(w) = words.next() {
            match w.as_str() {
                "--addr" => {
                    words.next();
                }
                _ => kept.push(w),
            }
        }
        let server = Server::start_in(self.dir.path(), &self.dir.path().join("pactlog.db"), &kept);
        self.server.replace(Some(server));
        Outcome::Printed(format!("listening on {SHOWN_URL}\n"))
    }

    /// `curl -s URL`: the body of `GET` URL from the server this document started.
    fn curl(&self, args: &[String]) -> Outcome {
        let failed = |why: String| Outcome::Failed {
            status: "curl".into(),
            stderr: why,
        };
        let [flag, url] = args else {
            return failed("show curl as `curl -s URL`".into());
        };
        let Some(path) = url.strip_prefix(SHOWN_URL).filter(|_| flag == "-s") else {
            return failed(format!("show curl as `curl -s {SHOWN_URL}/...`"));
        };
        let server = self.server.borrow();
        let Some(server) = server.as_ref() else {
            return failed("no `pactlog serve` before this curl".into());
        };
        let answer = server.get(path);
        if answer.status >= 400 {
            return failed(format!("HTTP {}: {}", answer.status, answer.text()));
        }
        Outcome::Printed(answer.text())
    }

    /// Runs `pactlog ARGS` here; what it shows (stdout, then stderr) or why it failed.
    fn run(&self, args: &[String], redirect: Option<&str>) -> Outcome {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pactlog"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("PACTLOG_") {
                cmd.env_remove(name);
            }
        }
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .env("PACTLOG_STORE", self.dir.path().join("pactlog.db"))
            .env("PACTLOG_NOW", NOW)
            .env("NO_COLOR", "1")
            .output()
            .expect("run pactlog");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            return Outcome::Failed {
                status: out.status.to_string(),
                stderr,
            };
        }
        let shown = match redirect {
            Some(file) => {
                let path = self.dir.path().join(file);
                std::fs::write(&path, &stdout).unwrap_or_else(|e| panic!("write {file}: {e}"));
                stderr
            }
            None => stdout + &stderr,
        };
        Outcome::Printed(shown)
    }
}

enum Outcome {
    Printed(String),
    Failed { status: String, stderr: String },
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("read a folder entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

/// The lines of an output, each without trailing white space, without trailing blank lines.
fn output_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Whether `actual` is what `shown` shows; `shown` holds at most one `...` line.
fn matches(shown: &[String], actual: &[String]) -> bool {
    match shown.iter().position(|l| l == ELISION) {
        None => shown == actual,
        Some(k) => {
            let tail = &shown[k + 1..];
            actual.len() >= k + tail.len()
                && actual[..k] == shown[..k]
                && actual[actual.len() - tail.len()..] == *tail
        }
    }
}

/// What blessing writes for `actual`: the whole output, or, where `shown` elides, as many
/// lines before and after the `...` as `shown` had.
fn blessed(shown: &[String], actual: &[String]) -> Vec<String> {
    match shown.iter().position(|l| l == ELISION) {
        Some(k) if actual.len() > k + (shown.len() - k - 1) => {
            let tail = shown.len() - k - 1;
            let mut out = actual[..k].to_vec();
            out.push(ELISION.to_string());
            out.extend_from_slice(&actual[actual.len() - tail..]);
            out
        }
        _ => actual.to_vec(),
    }
}

/// A line diff of `shown` (`-`) against `actual` (`+`), by longest common subsequence.
fn diff(shown: &[String], actual: &[String]) -> String {
    let (n, m) = (shown.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if shown[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && shown[i] == actual[j] {
            out += &format!("   {}\n", shown[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!(" - {}\n", shown[i]);
            i += 1;
        } else {
            out += &format!(" + {}\n", actual[j]);
            j += 1;
        }
    }
    out
}

/// What checking one shown command found.
enum Check {
    /// The output is as shown, or the command was skipped.
    Ok,
    /// The command cannot be checked, or failed.
    Problem(String),
    /// The output differs: the problem, and the lines blessing writes.
    Differs(String, Vec<String>),
}

/// Runs the shown command `s` of a document (`lines`, named `name`) in `sandbox`.
fn check_shown(sandbox: &Sandbox, name: &str, lines: &[String], s: &Shown) -> Check {
    let at = format!("{name}:{}: `{}`", s.line + 1, s.command);
    let (args, redirect) = match parse_command(&s.command) {
        Ok(parsed) => parsed,
        Err(e) => return Check::Problem(format!("{at}: {e}")),
    };
    let printed = match sandbox.run_shown(&args, redirect.as_deref()) {
        Outcome::Printed(printed) => printed,
        Outcome::Failed { stderr, .. }
            if std::env::var_os("PACTLOG_DOCS_ALLOW_MISSING").is_some()
                && stderr.contains("unrecognized subcommand") =>
        {
            let why = stderr.lines().next().unwrap_or_default();
            eprintln!("{at}: skipped (PACTLOG_DOCS_ALLOW_MISSING): {why}");
            return Check::Ok;
        }
        Outcome::Failed { status, stderr } => {
            return Check::Problem(format!(
                "{at}: {status}; a shown command must succeed:\n{}",
                stderr.trim_end()
            ));
        }
    };
    let body = |l: &String| {
        l.strip_prefix(&s.indent)
            .unwrap_or(l)
            .trim_end()
            .to_string()
    };
    let want: Vec<String> = lines[s.start..s.end].iter().map(body).collect();
    let got = output_lines(&printed);
    if want.iter().filter(|l| *l == ELISION).count() > 1 {
        return Check::Problem(format!(
            "{at}: an output may hold one `{ELISION}` line at most"
        ));
    }
    if matches(&want, &got) {
        return Check::Ok;
    }
    let problem = format!(
        "{at}: the output differs (- shown, + printed):\n{}",
        diff(&want, &got)
    );
    let new = blessed(&want, &got)
        .iter()
        .map(|l| format!("{}{l}", s.indent).trim_end().to_string())
        .collect();
    Check::Differs(problem, new)
}

/// Runs every shown command of the document at `path`. Returns its problems and, when
/// `bless` is on and an output differs, the document's new text.
fn check_document(path: &Path, bless: bool) -> (Vec<String>, Option<String>) {
    let name = path
        .strip_prefix(repo_path(""))
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {name}: {e}"));
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let borrowed: Vec<&str> = lines.iter().map(String::as_str).collect();
    let shown = match shown_commands(&borrowed) {
        Ok(shown) => shown,
        Err(e) => return (vec![format!("{name}:{e}")], None),
    };
    let sandbox = Sandbox::new();
    let mut problems = Vec::new();
    let mut rewrites: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for s in &shown {
        match check_shown(&sandbox, &name, &lines, s) {
            Check::Ok => {}
            Check::Problem(problem) => problems.push(problem),
            Check::Differs(problem, new) => {
                problems.push(problem);
                rewrites.push((s.start, s.end, new));
            }
        }
    }
    if !bless || rewrites.is_empty() {
        return (problems, None);
    }
    for (start, end, new) in rewrites.into_iter().rev() {
        lines.splice(start..end, new);
    }
    (problems, Some(lines.join("\n")))
}

#[test]
fn shown_outputs_are_what_pactlog_prints() {
    let bless = crate::support::blessing();
    let mut problems = Vec::new();
    let mut written = Vec::new();
    for path in documents() {
        let (found, rewritten) = check_document(&path, bless);
        problems.extend(found);
        if let Some(text) = rewritten {
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            written.push(path.display().to_string());
        }
    }
    if !written.is_empty() {
        panic!(
            "wrote the printed outputs into {}: review them, commit them, and run the tests \
             again without PACTLOG_BLESS",
            written.join(", ")
        );
    }
    assert!(
        problems.is_empty(),
        "{} shown command(s) do not print what the documents show \
         (PACTLOG_BLESS=1 cargo test --test it doc_outputs rewrites the outputs):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn commands_are_split_like_a_shell_and_refuse_shell_features() {
    let (args, redirect) = parse_command("pactlog log --pair 'OpenAI Group PBC' \"a b\"").unwrap();
    assert_eq!(
        args,
        ["pactlog", "log", "--pair", "OpenAI Group PBC", "a b"]
    );
    assert_eq!(redirect, None);
    let (args, redirect) =
        parse_command("pactlog checkpoint --key-file log.key > checkpoint.txt").unwrap();
    assert_eq!(args, ["pactlog", "checkpoint", "--key-file", "log.key"]);
    assert_eq!(redirect.as_deref(), Some("checkpoint.txt"));
    for bad in [
        "pactlog log | head",
        "pactlog import events/ && pactlog verify",
        "pactlog log; pactlog verify",
        "pactlog show $ID",
        "pactlog verify > a > b",
        "pactlog verify >a",
        "pactlog audit - < proof.txt",
        "pactlog show 'unclosed",
    ] {
        assert!(parse_command(bad).is_err(), "{bad} must be refused");
    }
}

#[test]
fn blocks_are_found_with_their_outputs_and_elisions_match_any_lines() {
    let doc = "text\n```console\n$ pactlog verify\nok\n\n$ pactlog log\nA\n```\n\n```sh\ncargo test\n```\n  ~~~\n  $ pactlog show x\n  y\n  ~~~";
    let lines: Vec<&str> = doc.split('\n').collect();
    let shown = shown_commands(&lines).unwrap();
    let got: Vec<(usize, &str, usize, usize)> = shown
        .iter()
        .map(|s| (s.line, s.command.as_str(), s.start, s.end))
        .collect();
    assert_eq!(
        got,
        [
            (2, "pactlog verify", 3, 4),
            (5, "pactlog log", 6, 7),
            (13, "pactlog show x", 14, 15)
        ]
    );
    assert_eq!(shown[2].indent, "  ");
    assert!(shown_commands(&["```", "$ pactlog verify", "$ cat x", "```"]).is_err());
    assert!(shown_commands(&["```", "$ pactlog verify"]).is_err());

    let v = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(matches(&v(&["a", "...", "z"]), &v(&["a", "b", "c", "z"])));
    assert!(matches(&v(&["a", "...", "z"]), &v(&["a", "z"])));
    assert!(!matches(&v(&["a", "...", "z"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["a", "b"]), &v(&["a", "c"])));
    assert_eq!(
        blessed(&v(&["a", "...", "z"]), &v(&["A", "b", "c", "Z"])),
        v(&["A", "...", "Z"])
    );
    assert_eq!(blessed(&v(&["a", "...", "z"]), &v(&["A"])), v(&["A"]));
    assert_eq!(diff(&v(&["a", "b"]), &v(&["a", "c"])), "   a\n - b\n + c\n");
}
