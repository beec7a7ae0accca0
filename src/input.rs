//! Reading input files: the one way pactlog reads a file it was handed (event files,
//! exports, proof files, checkpoint notes, key files).
//!
//! Inputs are hostile until read. Every read here:
//! - refuses what is not a regular file (a FIFO would block forever, a device such as
//!   `/dev/zero` never ends, a directory or socket is not text), whether named directly
//!   or through a symbolic link; standard input is read only when named as `-` (where a
//!   command accepts it);
//! - reads at most `limit + 1` bytes and refuses past `limit`, whatever size the file
//!   system reports (it may lie: `/proc` files report 0, a file may grow while read);
//! - for line-oriented input ([`BoundedLines`]), holds at most one line of bounded length.
//!
//! Each kind of input has its limit where its format is defined, with its reason: event
//! files and export lines in [`crate::import`], proofs, notes and keys in
//! [`crate::checkpoint`]. This module depends on nothing else in the crate.
//!
//! One race is left: a regular file swapped for a FIFO between the check and the open
//! makes the open wait for a writer. Only someone who can write the folder can do that.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

/// The name that means standard input, where a command accepts it.
pub const STDIN: &str = "-";

/// Whether `path` names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// An input that was refused or could not be read, and which.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {refusal}", shown(path))]
pub struct InputError {
    /// The path as given (`-` for standard input).
    pub path: PathBuf,
    /// What is wrong with it.
    pub refusal: Refusal,
}

/// Why an input was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// It does not exist, or reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// It is not a regular file (after following links).
    #[error("{0}, not a regular file: only regular files are read")]
    NotRegular(FileKind),
    /// It is larger than the limit; `size` is the size reported, when there was one.
    #[error("{}", too_large(*.size, *.limit))]
    TooLarge {
        /// The size the file system reported, when it was over the limit.
        size: Option<u64>,
        /// The limit, in bytes.
        limit: u64,
    },
    /// It is not UTF-8 text.
    #[error("file is not valid UTF-8 (byte {} of the file): save it as UTF-8", .offset + 1)]
    NotUtf8 {
        /// The 0-based offset of the first byte that is not UTF-8.
        offset: usize,
        /// The 1-based line it is on.
        line: usize,
    },
    /// Its line endings are neither all Unix (LF) nor all Windows (CRLF).
    #[error("{0}")]
    LineEndings(&'static str),
}

/// What kind of thing a refused path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A folder.
    Directory,
    /// A named pipe.
    Fifo,
    /// A character device (`/dev/zero`, a terminal).
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix socket.
    Socket,
    /// Anything else that is not a regular file.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "a special file",
        })
    }
}

impl FileKind {
    /// The kind of a file that is not regular (`None` for a regular file).
    pub fn of(file_type: std::fs::FileType) -> Option<FileKind> {
        if file_type.is_file() {
            return None;
        }
        if file_type.is_dir() {
            return Some(FileKind::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Some(FileKind::Fifo);
            }
            if file_type.is_char_device() {
                return Some(FileKind::CharDevice);
            }
            if file_type.is_block_device() {
                return Some(FileKind::BlockDevice);
            }
            if file_type.is_socket() {
                return Some(FileKind::Socket);
            }
        }
        Some(FileKind::Other)
    }
}

/// The name of an input in messages: its path, or "standard input" for `-`.
pub fn shown(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

fn too_large(size: Option<u64>, limit: u64) -> String {
    let human = if limit.is_multiple_of(1 << 20) {
        format!(" ({} MiB)", limit >> 20)
    } else if limit.is_multiple_of(1 << 10) {
        format!(" ({} KiB)", limit >> 10)
    } else {
        String::new()
    };
    match size {
        Some(size) => format!("file is {size} bytes; the limit is {limit} bytes{human}"),
        None => format!("file is larger than the limit of {limit} bytes{human}"),
    }
}

/// Opens `path` for reading if it is, or links to, a regular file.
///
/// The kind is checked before the open (a FIFO must not be opened: that waits for a
/// writer) and again on the open handle (the path may have changed in between).
///
/// # Errors
/// [`Refusal::Io`] when it does not exist or cannot be opened,
/// [`Refusal::NotRegular`] for anything but a regular file.
pub fn open(path: &Path) -> Result<File, InputError> {
    let refuse = |refusal: Refusal| InputError {
        path: path.to_path_buf(),
        refusal,
    };
    let before = std::fs::metadata(path).map_err(|e| refuse(e.into()))?;
    if let Some(kind) = FileKind::of(before.file_type()) {
        return Err(refuse(Refusal::NotRegular(kind)));
    }
    let file = File::open(path).map_err(|e| refuse(e.into()))?;
    let after = file.metadata().map_err(|e| refuse(e.into()))?;
    if let Some(kind) = FileKind::of(after.file_type()) {
        return Err(refuse(Refusal::NotRegular(kind)));
    }
    Ok(file)
}

/// Reads all of `path` (standard input for `-`), refusing past `limit` bytes.
///
/// # Errors
/// As [`open`], and [`Refusal::TooLarge`] when the file reports, or turns out to
/// hold, more than `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let refuse = |refusal: Refusal| InputError {
        path: path.to_path_buf(),
        refusal,
    };
    if is_stdin(path) {
        return read_limited(io::stdin().lock(), limit, 0).map_err(refuse);
    }
    let file = open(path)?;
    let reported = file.metadata().map_err(|e| refuse(e.into()))?.len();
    if reported > limit {
        return Err(refuse(Refusal::TooLarge {
            size: Some(reported),
            limit,
        }));
    }
    read_limited(file, limit, reported).map_err(refuse)
}

/// Reads `path` as UTF-8 text, as [`read`] does.
///
/// # Errors
/// As [`read`], and [`Refusal::NotUtf8`].
pub fn read_text(path: &Path, limit: u64) -> Result<String, InputError> {
    text_of(path, read(path, limit)?, limit)
}

/// `bytes` received from elsewhere (a request body) as the text of `path`, with the
/// checks of [`read_text`]: at most `limit` bytes, UTF-8.
///
/// # Errors
/// [`Refusal::TooLarge`] or [`Refusal::NotUtf8`] (with the line of the first bad byte).
pub fn text_of(path: &Path, bytes: Vec<u8>, limit: u64) -> Result<String, InputError> {
    if bytes.len() as u64 > limit {
        return Err(InputError {
            path: path.to_path_buf(),
            refusal: Refusal::TooLarge {
                size: Some(bytes.len() as u64),
                limit,
            },
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        InputError {
            path: path.to_path_buf(),
            refusal: Refusal::NotUtf8 { offset, line },
        }
    })
}

/// At most `limit` bytes of `reader`; `expected` (the reported size) only sizes the
/// first allocation, and is never trusted beyond `limit`.
fn read_limited(reader: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, Refusal> {
    let capacity = usize::try_from(expected.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// `text` with Windows line endings (CRLF) turned into Unix ones (LF), when every line
/// ends in CRLF; unchanged when none does.
///
/// This is for formats whose lines end in LF and that allow no carriage return
/// anywhere, such as C2SP signed notes and the proofs that carry them. A signature in
/// such a format is over the LF text: no valid signature can be over CRLF text (a note
/// with a carriage return is malformed), so the LF text is the only thing a CRLF copy
/// can be a copy of, and checking it is checking the exact bytes that were signed.
/// A file that mixes both, or has a carriage return elsewhere, was edited, not
/// converted: it is refused rather than guessed at.
///
/// # Errors
/// [`Refusal::LineEndings`] for mixed line endings or a stray carriage return.
pub fn unix_newlines(text: String) -> Result<String, Refusal> {
    if !text.contains('\r') {
        return Ok(text);
    }
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    let cr = text.matches('\r').count();
    if crlf == lf && cr == crlf {
        return Ok(text.replace("\r\n", "\n"));
    }
    Err(Refusal::LineEndings(if crlf > 0 && cr == crlf {
        "some lines end in Windows line endings (CRLF) and others in Unix ones (LF): \
         convert the whole file to one kind (dos2unix)"
    } else {
        "it contains a carriage return (U+000D) that does not end a line"
    }))
}

/// The lines of a reader (without their `\n` or `\r\n`), each at most `max` bytes.
///
/// A longer line is an error ([`io::ErrorKind::InvalidData`], naming the line) and
/// ends the iteration: no more of it is read or held than `max` bytes and one fill of
/// the reader's buffer. A line that is not UTF-8 is an error too.
pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    line: usize,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// The lines of `reader`, each at most `max` bytes.
    pub fn new(reader: R, max: usize) -> BoundedLines<R> {
        BoundedLines {
            reader,
            max,
            line: 0,
            done: false,
        }
    }

    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "line {} is longer than {} bytes, the most a line of this input can be",
                self.line, self.max
            ),
        )
    }

    /// The next line's bytes without its `\n` or `\r\n`; `None` at the end.
    fn next_bytes(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return match line.len() {
                    0 => Ok(None),
                    n if n > self.max => Err(self.too_long()),
                    _ => Ok(Some(line)),
                };
            }
            let newline = buf.iter().position(|&b| b == b'\n');
            let take = newline.map_or(buf.len(), |i| i + 1);
            line.extend_from_slice(&buf[..take]);
            self.reader.consume(take);
            if newline.is_some() {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return if line.len() > self.max {
                    Err(self.too_long())
                } else {
                    Ok(Some(line))
                };
            }
            // Held: at most `max` bytes, a carriage return, and one buffer.
            if line.len() > self.max + 1 {
                return Err(self.too_long());
            }
        }
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<io::Result<String>> {
        if self.done {
            return None;
        }
        self.line += 1;
        let line = self.line;
        let result = self.next_bytes().and_then(|bytes| {
            bytes
                .map(|b| {
                    String::from_utf8(b).map_err(|_| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("line {line} is not valid UTF-8"),
                        )
                    })
                })
                .transpose()
        });
        self.done = !matches!(result, Ok(Some(_)));
        result.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn lines(text: &[u8], max: usize) -> Vec<Result<String, String>> {
        BoundedLines::new(Cursor::new(text.to_vec()), max)
            .map(|l| l.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn lines_end_in_lf_or_crlf_and_may_be_exactly_the_limit() {
        assert_eq!(
            lines(b"abc\r\nde\n\nxyz", 3),
            [
                Ok("abc".into()),
                Ok("de".into()),
                Ok(String::new()),
                Ok("xyz".into())
            ]
        );
    }

    #[test]
    fn a_line_past_the_limit_ends_the_reading_with_its_line_number() {
        let got = lines(b"ok\nabcd\nnever read\n", 3);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], Ok("ok".into()));
        let err = got[1].clone().unwrap_err();
        assert!(err.starts_with("line 2 is longer than 3 bytes"), "{err}");
        assert!(lines(b"abcd", 3)[0].is_err(), "a last line without newline");
    }

    #[test]
    fn an_endless_line_is_refused_after_the_limit_not_read_to_its_end() {
        // io::repeat never ends: only the bound stops the reading.
        let reader = io::BufReader::new(io::repeat(b'x'));
        let mut it = BoundedLines::new(reader, 1 << 20);
        assert!(it.next().is_some_and(|l| l.is_err()));
        assert!(it.next().is_none());
    }

    #[test]
    fn reads_stop_at_the_limit_whatever_the_source_claims() {
        let endless = io::repeat(0);
        let Err(Refusal::TooLarge { size: None, limit }) = read_limited(endless, 1000, 0) else {
            panic!("an endless source was not refused");
        };
        assert_eq!(limit, 1000);
        assert_eq!(read_limited(&b"12345"[..], 5, 99).unwrap(), b"12345");
        assert!(read_limited(&b"123456"[..], 5, 0).is_err());
    }

    #[test]
    fn crlf_text_becomes_lf_and_mixed_text_is_refused() {
        assert_eq!(unix_newlines("a\r\nb\r\n".into()).unwrap(), "a\nb\n");
        assert_eq!(unix_newlines("a\nb\n".into()).unwrap(), "a\nb\n");
        let mixed = unix_newlines("a\r\nb\n".into()).unwrap_err().to_string();
        assert!(mixed.contains("Windows line endings (CRLF)"), "{mixed}");
        let stray = unix_newlines("a\rb\n".into()).unwrap_err().to_string();
        assert!(stray.contains("carriage return"), "{stray}");
    }

    #[test]
    fn directories_and_missing_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), 10).unwrap_err();
        assert!(
            matches!(err.refusal, Refusal::NotRegular(FileKind::Directory)),
            "{err}"
        );
        let err = read(&dir.path().join("missing"), 10).unwrap_err();
        assert!(matches!(err.refusal, Refusal::Io(_)), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_links_to_them_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("x.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        for path in [Path::new("/dev/zero"), &link] {
            let err = read(path, 1 << 30).unwrap_err();
            assert!(
                matches!(err.refusal, Refusal::NotRegular(FileKind::CharDevice)),
                "{err}"
            );
        }
        let file = dir.path().join("real.toml");
        std::fs::write(&file, "x").unwrap();
        let good = dir.path().join("good.toml");
        std::os::unix::fs::symlink(&file, &good).unwrap();
        assert_eq!(read(&good, 1).unwrap(), b"x");
    }
}
