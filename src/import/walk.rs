//! The files an import reads: files as given, folders walked for `*.toml`.
//!
//! A walk reads each real folder once (folders are compared by device and inode, so
//! `a -> .` and `b -> .` cannot make it loop or repeat) and never leaves the folder it
//! was given (`up -> ..` is not followed). The links it does not follow are reported,
//! not treated as errors. What is not a folder is listed whatever its kind: reading it
//! ([`crate::input`]) refuses anything but a regular file, with a message.
//!
//! Its cost is linear in the entries it lists: it never resolves a whole path except a
//! link's target, and it refuses folders nested deeper than [`MAX_DEPTH`] (long before
//! the system's path limit), so a deep tree cannot make it slow or silent.

use super::ImportError;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The deepest folder a walk reads, counting the folder given as depth 0. Event
/// folders are a few levels deep; a deeper one is refused with its path, and can be
/// imported by naming it.
pub const MAX_DEPTH: usize = 64;

/// A file or folder's identity: device and inode, as the system compares them.
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<FileId> {
    None
}

/// The files an import reads, and the links its folder walks did not follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files {
    /// The files, in the order they are read.
    pub files: Vec<PathBuf>,
    /// Links skipped while walking folders (not an error: they are reported as notes).
    pub skipped: Vec<SkippedLink>,
}

/// A symbolic link a folder walk did not follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedLink {
    /// The link.
    pub path: PathBuf,
    /// Why it was not followed.
    pub why: SkipReason,
}

/// Why a folder walk did not follow a link.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// It leads out of the folder given to the import.
    Outside {
        /// Where it leads.
        target: PathBuf,
        /// The folder given.
        root: PathBuf,
    },
    /// It leads to a folder the walk has read already (a loop such as `a -> .`).
    Again {
        /// Where it leads.
        target: PathBuf,
    },
    /// It leads nowhere.
    Broken,
}

impl fmt::Display for SkippedLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.why {
            SkipReason::Outside { target, root } => write!(
                f,
                "skipped the link {path}: it leads to {}, outside {} (name a file outside the folder on the command line to import it)",
                target.display(),
                root.display()
            ),
            SkipReason::Again { target } => write!(
                f,
                "skipped the link {path}: it leads to {}, a folder already read",
                target.display()
            ),
            SkipReason::Broken => write!(f, "skipped the link {path}: it leads nowhere"),
        }
    }
}

/// Lists the files an import of `paths` reads: files as given, folders recursively
/// (`*.toml`, sorted, hidden entries skipped), each file once.
///
/// A folder walk reads each real folder once and never leaves the folder given: links
/// to a folder already read (`a -> .`) or to anything outside it (`up -> ..`) are not
/// followed, and are listed in [`Files::skipped`]. Whatever is not a folder is listed
/// whatever its kind; reading it refuses anything but a regular file.
///
/// # Errors
/// [`ImportError::Read`] for a path that does not exist or cannot be listed;
/// [`ImportError::NoFiles`] for a folder without event files.
pub fn collect_files(paths: &[PathBuf]) -> Result<Files, ImportError> {
    let mut found = Files::default();
    for p in paths {
        let read_error = |e: std::io::Error| read_error(p, e);
        let meta = std::fs::metadata(p).map_err(read_error)?;
        if meta.is_dir() {
            let root = std::fs::canonicalize(p).map_err(read_error)?;
            let before = found.files.len();
            let mut walk = Walk {
                seen: HashSet::new(),
                root,
                found: &mut found,
            };
            walk.seen.extend(file_id(&meta));
            walk.dir(p, 0)?;
            if found.files.len() == before {
                return Err(ImportError::NoFiles { path: p.clone() });
            }
        } else {
            found.files.push(p.clone());
        }
    }
    // A file named twice (`events/ events/a.toml`) is read once: compare identities.
    let mut seen = HashSet::new();
    found.files.retain(
        |f| match std::fs::metadata(f).ok().as_ref().and_then(file_id) {
            Some(id) => seen.insert(id),
            None => true,
        },
    );
    Ok(found)
}

fn read_error(path: &Path, e: std::io::Error) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// One folder walk: the folder given (canonical), and the real folders read so far.
struct Walk<'a> {
    root: PathBuf,
    seen: HashSet<FileId>,
    found: &'a mut Files,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, depth: usize) -> Result<(), ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::TooDeep {
                path: dir.to_path_buf(),
            });
        }
        let read = std::fs::read_dir(dir).map_err(|e| read_error(dir, e))?;
        let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            // An entry that vanished since the listing is not there to read.
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                self.link(path, depth)?;
            } else if meta.is_dir() {
                self.subdir(&path, &meta, None, depth)?;
            } else if is_toml(&path) {
                self.found.files.push(path);
            }
        }
        Ok(())
    }

    /// A link: followed when it leads inside the folder given, to a file or to a folder
    /// not read yet.
    fn link(&mut self, path: PathBuf, depth: usize) -> Result<(), ImportError> {
        let (Ok(target), Ok(meta)) = (std::fs::canonicalize(&path), std::fs::metadata(&path))
        else {
            if is_toml(&path) {
                self.skip(path, SkipReason::Broken);
            }
            return Ok(());
        };
        let is_dir = meta.is_dir();
        if !is_dir && !is_toml(&path) {
            return Ok(());
        }
        if !target.starts_with(&self.root) {
            let root = self.root.clone();
            self.skip(path, SkipReason::Outside { target, root });
        } else if is_dir {
            self.subdir(&path, &meta, Some(target), depth)?;
        } else {
            self.found.files.push(path);
        }
        Ok(())
    }

    /// A folder, walked unless it was read already (through another link).
    fn subdir(
        &mut self,
        path: &Path,
        meta: &std::fs::Metadata,
        target: Option<PathBuf>,
        depth: usize,
    ) -> Result<(), ImportError> {
        match file_id(meta) {
            Some(id) if !self.seen.insert(id) => {
                let target = match target {
                    Some(t) => t,
                    None => std::fs::canonicalize(path).map_err(|e| read_error(path, e))?,
                };
                self.skip(path.to_path_buf(), SkipReason::Again { target });
                Ok(())
            }
            _ => self.dir(path, depth + 1),
        }
    }

    fn skip(&mut self, path: PathBuf, why: SkipReason) {
        self.found.skipped.push(SkippedLink { path, why });
    }
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// Twenty links to the folder itself would make a walk that follows them visit
    /// 20^depth folders; each real folder is read once, and every link not followed is
    /// named with its reason.
    #[test]
    fn a_walk_reads_each_folder_once_and_stays_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("events");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.toml"), "").unwrap();
        std::fs::write(root.join("sub/b.toml"), "").unwrap();
        std::fs::write(dir.path().join("outside.toml"), "").unwrap();
        for i in 0..20 {
            symlink(".", root.join(format!("loop{i:02}"))).unwrap();
        }
        symlink("..", root.join("sub/up")).unwrap();
        symlink("../outside.toml", root.join("out.toml")).unwrap();
        symlink("sub/b.toml", root.join("same.toml")).unwrap();
        symlink("missing.toml", root.join("broken.toml")).unwrap();

        let found = collect_files(std::slice::from_ref(&root)).unwrap();
        let names: Vec<_> = found
            .files
            .iter()
            .map(|f| f.strip_prefix(&root).unwrap().to_path_buf())
            .collect();
        // `same.toml` is `sub/b.toml` again: listed once, under the name met first.
        assert_eq!(
            names,
            [PathBuf::from("a.toml"), PathBuf::from("same.toml")],
            "{found:?}"
        );
        let again = |s: &&SkippedLink| matches!(s.why, SkipReason::Again { .. });
        let outside = |s: &&SkippedLink| matches!(s.why, SkipReason::Outside { .. });
        assert_eq!(found.skipped.iter().filter(again).count(), 21, "{found:?}");
        assert_eq!(found.skipped.iter().filter(outside).count(), 1, "{found:?}");
        assert!(
            found
                .skipped
                .iter()
                .any(|s| s.why == SkipReason::Broken && s.path.ends_with("broken.toml"))
        );
    }
}
