//! Helpers of the hostile-input tests (`hostile_files`, `hostile_outputs`): commands
//! under a time limit, assertions on their exit and messages, FIFOs and links, and a
//! store with a key, a checkpoint and a proof.

use crate::support::{TempStore, small_fixture};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The most any one command may take here; each finishes in well under a second.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Runs `cmd` under [`LIMIT`]; a command still running then is killed and fails.
pub fn run(cmd: &mut assert_cmd::Command) -> Output {
    let out = cmd.timeout(LIMIT).output().expect("run pactlog");
    assert!(
        out.status.code().is_some(),
        "pactlog was killed by a signal (or ran past {LIMIT:?}): {out:?}"
    );
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the exit code and that stderr says `wanted`.
pub fn assert_fails(out: &Output, code: i32, wanted: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    assert!(
        stderr(out).contains(wanted),
        "stderr does not say {wanted:?}:\n{}",
        stderr(out)
    );
}

pub fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

pub fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

pub fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create a symbolic link");
}

/// A copy of the small dataset in `dir/events`.
pub fn events_in(dir: &Path) -> PathBuf {
    let events = dir.join("events");
    std::fs::create_dir_all(&events).unwrap();
    for entry in std::fs::read_dir(small_fixture()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, events.join(path.file_name().unwrap())).unwrap();
    }
    events
}

/// Every file under `dir` with its bytes (links as their targets' text, special files as
/// their kind), sorted.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let to = std::fs::read_link(&path).unwrap();
                out.push((path, to.to_string_lossy().as_bytes().to_vec()));
            } else if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            } else {
                // A FIFO or device: its kind, never its contents (a read would wait).
                out.push((path, format!("{:?}", meta.file_type()).into_bytes()));
            }
        }
    }
    out.sort();
    out
}

/// A store of the small dataset with a signing key, a checkpoint and a proof.
pub struct Signed {
    pub store: TempStore,
    pub key: PathBuf,
    pub verifier: PathBuf,
    pub checkpoint: PathBuf,
    pub proof: PathBuf,
}

pub const PROVEN: &str = "2024-03-01-acme-invests-in-globex";

impl Signed {
    pub fn new() -> Signed {
        let store = TempStore::new();
        store.import(&[&small_fixture()]);
        let dir = store.dir.path();
        let key = dir.join("log.key");
        assert_ok(&run(store
            .cmd()
            .args(["key", "generate", "example.org/log", "--out"])
            .arg(&key)));
        let save = |args: &[&str], file: &str| {
            let out = run(store.cmd().args(args));
            assert_ok(&out);
            std::fs::write(dir.join(file), &out.stdout).unwrap();
            dir.join(file)
        };
        let checkpoint = save(
            &["checkpoint", "--key-file", key.to_str().unwrap()],
            "cp.txt",
        );
        let proof = save(&["proof", "inclusion", PROVEN], "proof.txt");
        Signed {
            verifier: dir.join("log.pub"),
            key,
            checkpoint,
            proof,
            store,
        }
    }

    pub fn dir(&self) -> &Path {
        self.store.dir.path()
    }

    pub fn audit(&self, proof: &Path) -> Output {
        run(self
            .store
            .cmd()
            .arg("audit")
            .arg(proof)
            .arg("--key-file")
            .arg(&self.verifier))
    }

    pub fn verify(&self, checkpoint: &Path) -> Output {
        run(self
            .store
            .cmd()
            .arg("verify")
            .arg("--checkpoint")
            .arg(checkpoint)
            .arg("--key-file")
            .arg(&self.verifier))
    }

    /// `file`'s text with every line ending in CRLF, written beside it.
    pub fn crlf(&self, file: &Path, name: &str) -> PathBuf {
        let text = std::fs::read_to_string(file).unwrap();
        let path = self.dir().join(name);
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        path
    }
}
