//! Standard output and standard error of every command.
//!
//! Every write to standard output goes through [`print`] (the `out!` and `outln!`
//! macros) or, for a stream such as an export, through a [`Pipe`]. When the reader
//! closes the pipe early (`pactlog log | head -1`), the write fails with EPIPE (Rust
//! ignores SIGPIPE) and the command ends quietly, exit 0 and nothing on standard error,
//! as other Unix tools do: see [`CliError::closed`]. Any other write error is an
//! internal error (exit 2). Notes and errors go to standard error through [`note`],
//! which never fails a command.

use super::CliError;
use std::fmt;
use std::io::{self, Write};

/// `print!` to standard output, as a `Result` (`out!(...)?`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::print(format_args!($($arg)*))
    };
}

/// `println!` to standard output, as a `Result` (`outln!(...)?`).
macro_rules! outln {
    () => {
        $crate::cli::out::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics: a note on standard error.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::note(format_args!($($arg)*))
    };
}

/// Writes to standard output.
///
/// # Errors
/// [`CliError::closed`] when the reader has gone, an internal error for any other
/// failure.
pub fn print(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    io::stdout().lock().write_fmt(args).map_err(stdout_error)
}

/// Flushes standard output (what is left of a line without its newline).
///
/// # Errors
/// As [`print`].
pub fn flush() -> Result<(), CliError> {
    io::stdout().lock().flush().map_err(stdout_error)
}

/// The error for a failed write to standard output.
pub fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::closed()
    } else {
        CliError::internal(format!("cannot write to standard output: {e}"))
    }
}

/// One line on standard error. A failure to write it is ignored: there is nowhere left
/// to report it, and it must not turn a finished command into a failed one.
pub fn note(args: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{args}");
}

/// Standard output as a buffered [`Pipe`], for a long stream of writes.
pub fn pipe() -> Pipe<io::BufWriter<io::StdoutLock<'static>>> {
    Pipe::new(io::BufWriter::new(io::stdout().lock()))
}

/// A writer that remembers whether its reader went away, for outputs written through
/// a library function that only reports that writing failed (an export).
pub struct Pipe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Pipe<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Pipe<W> {
        Pipe {
            inner,
            closed: false,
        }
    }

    /// Whether a write failed because the reader closed the pipe.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn seen<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        r
    }
}

impl<W: Write> Write for Pipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.seen(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.seen(r)
    }
}
