//! The acknowledged-size witness: a small file beside the sled files saying how many
//! records the store had made durable, and the chain hash of the last of them.
//!
//! Why it exists: sled checks its log entries with CRCs, and in a store without a sled
//! snapshot its recovery treats a damaged entry as the end of the log, silently dropping
//! everything after it. The store then opens with fewer records, a shorter chain that is
//! valid on its own. The witness lives outside sled, so such a loss shows: the ledger
//! compares the store with it on every `verify` (and before every append).
//!
//! The store keeps the file; the ledger decides what it says (see the ledger's
//! `witness` module): it writes it only after a flush of sled returned, with the records'
//! end as it was before that flush, so it never claims more than sled made durable, and
//! never moves it back. It is written to a temporary file, synced, renamed over the old
//! one, and the folder is synced: a crash leaves the old witness or the new one, never a
//! torn one. It is no defence against someone who can rewrite both the sled files and
//! the witness; signed checkpoints are.
//!
//! Format (ASCII, three lines, each ending in `\n`):
//! ```text
//! pactlog witness v1
//! size 56
//! head 94bddf28f4ae1e4af5b75b04f323c23efb2f760588e4456ec96dc71a481e6a6b
//! ```

use super::StoreError;
use crate::codec::ChainHash;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The witness file's name in the store folder.
pub const WITNESS_FILE: &str = "pactlog-witness";

/// The start of the name of a new witness, written before it is renamed over
/// [`WITNESS_FILE`]: `pactlog-witness.<random>.tmp`, created fresh each time.
const TEMP_PREFIX: &str = "pactlog-witness.";

/// The most bytes read of a witness: one is under 120 bytes; anything much longer is
/// not one, and a link to a device must not be read without end.
const MAX_WITNESS_BYTES: u64 = 4 << 10;

/// The first line of a witness of this format.
const MAGIC: &str = "pactlog witness v1";

/// What a store's witness file says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Witness {
    /// `size` records were durable when the file was written; the last had chain hash
    /// `head` (zeros for 0 records).
    Acknowledged {
        /// The witness file.
        file: PathBuf,
        /// Records acknowledged.
        size: u64,
        /// Chain hash of record `size - 1`.
        head: ChainHash,
    },
    /// The file is there but is not a witness this build reads: damage, since pactlog
    /// only ever renames a complete witness into place.
    Unreadable {
        /// The witness file.
        file: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

/// The text of a witness.
fn render(size: u64, head: ChainHash) -> String {
    format!("{MAGIC}\nsize {size}\nhead {}\n", head.to_hex())
}

/// Parses a witness strictly: the three lines of [`render`], nothing else.
fn parse(bytes: &[u8]) -> Result<(u64, ChainHash), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let mut lines = text.split('\n');
    let magic = lines.next().unwrap_or_default();
    if magic != MAGIC {
        return Err(if magic.starts_with("pactlog witness ") {
            format!("{magic:?} is a format this build does not read")
        } else {
            format!("its first line is not {MAGIC:?}")
        });
    }
    let size = lines
        .next()
        .and_then(|l| l.strip_prefix("size "))
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or("its second line is not `size N`")?;
    let head = lines
        .next()
        .and_then(|l| l.strip_prefix("head "))
        .and_then(ChainHash::from_hex)
        .ok_or("its third line is not `head` and 64 hex digits")?;
    // The one spelling render gives (no leading zeros, lower-case hex, one final newline).
    if render(size, head) != text {
        return Err("it is not in the canonical form pactlog writes".into());
    }
    Ok((size, head))
}

/// Reads the witness in `dir`, if there is one.
fn read(dir: &Path) -> Result<Option<Witness>, StoreError> {
    let file = dir.join(WITNESS_FILE);
    use crate::input::Refusal;
    let bytes = match crate::input::read(&file, MAX_WITNESS_BYTES) {
        Ok(b) => b,
        Err(e) => match e.refusal {
            Refusal::Io(io) if io.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            too_large @ Refusal::TooLarge { .. } => {
                let why = format!("it is not a witness: {too_large}");
                return Ok(Some(Witness::Unreadable { file, why }));
            }
            refusal => {
                return Err(StoreError::Open {
                    path: dir.to_path_buf(),
                    detail: format!("cannot read its witness {}: {refusal}", file.display()),
                });
            }
        },
    };
    Ok(Some(match parse(&bytes) {
        Ok((size, head)) => Witness::Acknowledged { file, size, head },
        Err(why) => Witness::Unreadable { file, why },
    }))
}

/// Replaces the witness in `dir` with `text`: a crash leaves the old file or the new one.
/// The text goes to a new file of a fresh name (never one already there, never through
/// a link), which is then renamed over the witness.
fn write_atomically(dir: &Path, text: &str) -> std::io::Result<()> {
    let (mut file, temp) = create_temp(dir)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, dir.join(WITNESS_FILE))
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)
}

/// A new file `pactlog-witness.<random>.tmp` in `dir` (`O_CREAT | O_EXCL`: it fails on
/// anything already there, a link included, and another name is tried).
fn create_temp(dir: &Path) -> std::io::Result<(std::fs::File, PathBuf)> {
    let mut last = None;
    for _ in 0..8 {
        let mut random = [0u8; 8];
        getrandom::getrandom(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{TEMP_PREFIX}{suffix}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name was free")))
}

/// Makes the rename durable. (Windows cannot open a folder as a file; there the rename
/// is as durable as the file system makes it.)
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The witness of one open store, shared by its clones: what the file said when the
/// store was opened, or was last written.
#[derive(Debug)]
pub(super) struct Keeper {
    dir: PathBuf,
    current: Mutex<Option<Witness>>,
}

impl Keeper {
    /// Reads the witness of the store folder `dir` (a store without one gets one when
    /// the ledger first acknowledges records).
    pub(super) fn load(dir: &Path) -> Result<Keeper, StoreError> {
        Ok(Keeper {
            dir: dir.to_path_buf(),
            current: Mutex::new(read(dir)?),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Option<Witness>>, StoreError> {
        self.current
            .lock()
            .map_err(|_| StoreError::Io("the witness lock is poisoned".into()))
    }

    /// The witness as last read or written.
    pub(super) fn current(&self) -> Result<Option<Witness>, StoreError> {
        Ok(self.lock()?.clone())
    }

    /// Replaces the witness with `size` records ending in `head`.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the file cannot be written.
    pub(super) fn write(&self, size: u64, head: ChainHash) -> Result<(), StoreError> {
        let mut current = self.lock()?;
        write_atomically(&self.dir, &render(size, head)).map_err(|e| {
            StoreError::Io(format!(
                "cannot write the witness {}: {e}",
                self.dir.join(WITNESS_FILE).display()
            ))
        })?;
        *current = Some(Witness::Acknowledged {
            file: self.dir.join(WITNESS_FILE),
            size,
            head,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(b: u8) -> ChainHash {
        ChainHash::from_bytes([b; 32])
    }

    fn on_disk(dir: &Path) -> Option<Witness> {
        read(dir).unwrap()
    }

    #[test]
    fn the_format_is_pinned_and_round_trips() {
        let text = render(56, hash(0xab));
        assert_eq!(
            text,
            format!("pactlog witness v1\nsize 56\nhead {}\n", "ab".repeat(32))
        );
        assert_eq!(parse(text.as_bytes()), Ok((56, hash(0xab))));
    }

    #[test]
    fn anything_but_the_canonical_text_is_refused_with_a_reason() {
        let good = render(7, hash(0xab));
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "first line"),
            (
                "pactlog witness v2\n".into(),
                "format this build does not read",
            ),
            (good.replace("size 7", "size seven"), "size N"),
            (good.replace("size 7", "size 07"), "canonical"),
            (good.replace("size 7", "size -7"), "size N"),
            (good.replace("head ab", "head a"), "64 hex"),
            (
                good.replace(&"ab".repeat(32), &"AB".repeat(32)),
                "canonical",
            ),
            (good.trim_end().to_string(), "canonical"),
            (format!("{good}extra\n"), "canonical"),
        ];
        for (text, why) in cases {
            let err = parse(text.as_bytes()).expect_err(&text);
            assert!(err.contains(why), "{text:?}: {err}");
        }
        assert!(parse(b"\xff\xfe").unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn a_witness_is_written_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let keeper = Keeper::load(dir.path()).unwrap();
        assert_eq!(keeper.current().unwrap(), None);
        keeper.write(3, hash(3)).unwrap();
        let three = Witness::Acknowledged {
            file: dir.path().join(WITNESS_FILE),
            size: 3,
            head: hash(3),
        };
        assert_eq!(on_disk(dir.path()), Some(three.clone()));
        assert_eq!(keeper.current().unwrap(), Some(three.clone()));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [WITNESS_FILE], "no temporary file left");
        assert_eq!(
            Keeper::load(dir.path()).unwrap().current().unwrap(),
            Some(three)
        );
    }

    /// The temporary file is a fresh one: a link planted where an older build wrote its
    /// temporary file, or at any name, is not written through.
    #[cfg(unix)]
    #[test]
    fn a_witness_is_never_written_through_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"mine").unwrap();
        let store = dir.path().join("st");
        std::fs::create_dir(&store).unwrap();
        std::os::unix::fs::symlink(&victim, store.join("pactlog-witness.tmp")).unwrap();
        let keeper = Keeper::load(&store).unwrap();
        keeper.write(1, hash(1)).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"mine");
        assert!(std::fs::symlink_metadata(store.join(WITNESS_FILE)).unwrap().is_file());
    }

    #[test]
    fn an_unreadable_witness_is_reported_with_why() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WITNESS_FILE), b"garbage").unwrap();
        let keeper = Keeper::load(dir.path()).unwrap();
        assert!(matches!(
            keeper.current().unwrap(),
            Some(Witness::Unreadable { ref why, .. }) if why.contains("first line")
        ));
    }
}
