//! Progress on standard error for the long commands (import, restore, verify, export).
//!
//! A bar (or a spinner, while the total is unknown) with the count and the rate. It is
//! drawn only when standard error is a terminal, `--quiet` is not given, and the work has
//! run for [`DELAY`] (or `PACTLOG_PROGRESS_DELAY` seconds): short runs and pipes see
//! nothing, and the commands' own output is the same with or without it. The bar is
//! cleared before the command prints its summary. The library reports counts through
//! plain callbacks; only this module knows indicatif.

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::fmt;
use std::io::IsTerminal;
use std::time::Duration;

/// How long work runs before its progress is shown, unless `PACTLOG_PROGRESS_DELAY`
/// says otherwise.
const DELAY: Duration = Duration::from_secs(2);

/// The delay before progress shows: `PACTLOG_PROGRESS_DELAY` in seconds (0 shows it at
/// once, up to an hour), else [`DELAY`].
fn delay() -> Duration {
    match std::env::var("PACTLOG_PROGRESS_DELAY") {
        Ok(s) => delay_of(&s).unwrap_or_else(|why| {
            super::out::note(format_args!(
                "note: PACTLOG_PROGRESS_DELAY {:?} {why}; using {} seconds",
                pactlog::model::escape(&s),
                DELAY.as_secs()
            ));
            DELAY
        }),
        Err(_) => DELAY,
    }
}

/// `PACTLOG_PROGRESS_DELAY` read: seconds from 0 to 3600, else why not.
fn delay_of(s: &str) -> Result<Duration, &'static str> {
    let seconds = s
        .trim()
        .parse::<f64>()
        .map_err(|_| "is not a number of seconds")?;
    if (0.0..=3600.0).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err("is not between 0 and 3600 seconds")
    }
}

/// Draws `bar` on standard error from now on, starting at once (work shorter than the
/// first tick still shows its bar).
fn reveal(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.tick();
    bar.enable_steady_tick(Duration::from_millis(120));
}

/// The progress of one command.
pub struct Progress {
    bar: ProgressBar,
}

/// Whether progress may be drawn: on a terminal, unless asked to be quiet.
fn shown(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

impl Progress {
    /// Progress of `what` (a verb phrase, "verifying"), hidden unless [`shown`]; it
    /// appears once the work has lasted [`DELAY`].
    pub fn start(quiet: bool, what: &str, total: Option<u64>) -> Progress {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let progress = Progress { bar };
        progress.phase(what, total);
        if shown(quiet, std::io::stderr().is_terminal()) {
            let delay = delay();
            if delay.is_zero() {
                reveal(&progress.bar);
                return progress;
            }
            let bar = progress.bar.clone();
            // Detached: it only ever reveals the bar, and ends once it has or the work is
            // done.
            std::thread::spawn(move || {
                let step = Duration::from_millis(100).min(delay);
                let mut waited = Duration::ZERO;
                while waited < delay {
                    if bar.is_finished() {
                        return;
                    }
                    std::thread::sleep(step);
                    waited += step;
                }
                if !bar.is_finished() {
                    reveal(&bar);
                }
            });
        }
        progress
    }

    /// Starts the next stage of the work: `what`, counted from zero to `total` (when
    /// known).
    pub fn phase(&self, what: &str, total: Option<u64>) {
        let template = if total.is_some() {
            "{msg} [{bar:30}] {human_pos}/{human_len} records ({rate}, {eta} left)"
        } else {
            "{spinner} {msg}: {human_pos} records ({rate})"
        };
        self.bar.reset();
        match total {
            Some(n) => self.bar.set_length(n),
            None => self.bar.unset_length(),
        }
        self.bar.set_message(what.to_string());
        if let Ok(style) = ProgressStyle::with_template(template) {
            let style = style.progress_chars("=> ").with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn fmt::Write| {
                    let _ = write!(w, "{}/s", HumanCount(state.per_sec() as u64));
                },
            );
            self.bar.set_style(style);
        }
    }

    /// `n` records done in this stage.
    pub fn set(&self, n: u64) {
        self.bar.set_position(n);
    }

    /// Removes the bar (before the command prints its summary).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_and_never_when_quiet() {
        assert!(shown(false, true));
        assert!(!shown(false, false));
        assert!(!shown(true, true));
        assert!(!shown(true, false));
    }

    /// A hidden bar still counts: a command may finish it at any stage.
    #[test]
    fn a_hidden_bar_counts_and_finishes() {
        let p = Progress::start(true, "checking", None);
        p.set(5);
        assert_eq!(p.bar.position(), 5);
        p.phase("appending", Some(10));
        assert_eq!((p.bar.position(), p.bar.length()), (0, Some(10)));
        p.finish();
        assert!(p.bar.is_finished());
    }

    /// A delay that is not a number of seconds in range is refused with the reason (and
    /// the default used), not taken silently.
    #[test]
    fn the_progress_delay_must_be_seconds_in_range() {
        assert_eq!(delay_of("0"), Ok(Duration::ZERO));
        assert_eq!(delay_of(" 1.5 "), Ok(Duration::from_millis(1500)));
        assert_eq!(delay_of("abc"), Err("is not a number of seconds"));
        assert_eq!(delay_of("-1"), Err("is not between 0 and 3600 seconds"));
        assert_eq!(delay_of("NaN"), Err("is not between 0 and 3600 seconds"));
    }
}
