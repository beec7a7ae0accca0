//! Where a follower reads a log from: the [`TileSource`] trait, and a folder
//! ([`DirSource`]). The `pactlog` binary implements it over HTTP.

use crate::checkpoint::MAX_NOTE_FILE_BYTES;
use crate::tlog::{CHECKPOINT_PATH, MAX_ENTRY_BYTES, TileKind, TilePath};
use std::path::{Path, PathBuf};

/// A published log's resources, by path (`checkpoint`, `tile/...`).
pub trait TileSource {
    /// The bytes of the resource at `path` (relative to the log's prefix), at most
    /// `limit` bytes; `Ok(None)` when the log does not have it (a 404, a missing file).
    ///
    /// # Errors
    /// The source cannot be read (a network or file system failure, a resource larger
    /// than `limit`), said for a person.
    fn fetch(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String>;

    /// The source, for messages (a folder or a URL).
    fn describe(&self) -> String;
}

/// The most bytes resource `path` can hold: a checkpoint note, a hash tile of `width`
/// hashes, a bundle of `width` entries of at most [`MAX_ENTRY_BYTES`].
pub fn limit_of(path: Option<&TilePath>) -> u64 {
    match path {
        None => MAX_NOTE_FILE_BYTES,
        Some(p) => {
            let width = u64::from(p.width());
            match p.kind() {
                TileKind::Hashes { .. } => 32 * width,
                TileKind::Entries => (2 + MAX_ENTRY_BYTES as u64) * width,
            }
        }
    }
}

/// A log published into a folder (by `pactlog publish`, or copied from a host).
#[derive(Clone, Debug)]
pub struct DirSource {
    dir: PathBuf,
}

impl DirSource {
    /// The log in folder `dir`.
    pub fn new(dir: &Path) -> DirSource {
        DirSource {
            dir: dir.to_path_buf(),
        }
    }
}

impl TileSource for DirSource {
    fn fetch(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        // Only the paths a log has: the checkpoint, and tile paths, parsed strictly (no
        // `..`), so nothing outside the folder is read.
        if path != CHECKPOINT_PATH {
            TilePath::parse(path).map_err(|e| e.to_string())?;
        }
        let file = self.dir.join(path);
        match crate::input::read(&file, limit) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => match &e.refusal {
                crate::input::Refusal::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                    Ok(None)
                }
                r => Err(format!("{}: {r}", crate::input::shown(&file))),
            },
        }
    }

    fn describe(&self) -> String {
        crate::input::shown(&self.dir)
    }
}
