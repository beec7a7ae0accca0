//! The note a running server leaves in its store folder, `pactlog-server`, saying where
//! it listens: a CLI command that finds the store locked reads it to name the server
//! (see `cli::Globals`). Created fresh (never through a link, never over a file of
//! someone else's), removed when the server stops. One left by a server that was killed
//! is replaced: while this server runs, it holds the store's lock, so no other does.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The file's name in the store folder.
pub const FILE: &str = "pactlog-server";
/// The most of it a reader reads.
const MAX_BYTES: u64 = 4096;

/// The note, removed when dropped.
pub struct Marker {
    path: PathBuf,
}

impl Marker {
    /// Writes the note for a server listening on `addr`.
    ///
    /// # Errors
    /// A message when the folder holds something else of that name, or the write fails.
    pub fn create(store: &Path, addr: SocketAddr) -> Result<Marker, String> {
        let path = store.join(FILE);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => std::fs::remove_file(&path)
                .map_err(|e| format!("cannot replace {}: {e}", path.display()))?,
            Ok(_) => {
                return Err(format!(
                    "{} is not a file pactlog wrote (a link or a folder): remove it",
                    path.display()
                ));
            }
            Err(_) => {}
        }
        // O_CREAT | O_EXCL: fails on anything already there, a link included.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        writeln!(file, "http://{addr}\npid {}", std::process::id())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Marker { path })
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where the server holding `store` listens, as its note says (`None` when there is no
/// readable note).
pub fn serving_at(store: &Path) -> Option<String> {
    let path = store.join(FILE);
    if !std::fs::symlink_metadata(&path).ok()?.file_type().is_file() {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(&path)
        .ok()?
        .take(MAX_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    let url = text.lines().next()?.trim();
    (url.starts_with("http://") && url.chars().all(|c| c.is_ascii_graphic()))
        .then(|| url.to_string())
}
