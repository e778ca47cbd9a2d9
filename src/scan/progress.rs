//! Progress bars on standard error, one per folder (messages, rate, ETA), shown only when
//! standard error is a terminal and `--quiet` is off, so cron mail stays clean.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::report::FolderReport;

/// The bars on screen, if any, so log lines can be printed above them instead of through
/// them.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Writes one log record to standard error, above the progress bars when they are shown.
pub fn write_log(record: &[u8]) -> std::io::Result<()> {
    let active = ACTIVE.lock().map(|multi| multi.clone()).unwrap_or(None);
    match active {
        Some(multi) => multi.suspend(|| std::io::stderr().write_all(record)),
        None => std::io::stderr().write_all(record),
    }
}

/// Creates folder bars, or does nothing when progress is off.
#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let show = !quiet && std::io::stderr().is_terminal();
        let multi = show.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        if let Ok(mut active) = ACTIVE.lock() {
            active.clone_from(&multi);
        }
        Progress { multi }
    }

    pub fn folder(&self, label: String) -> FolderBar {
        let bar = self.multi.as_ref().map(|multi| {
            let style = ProgressStyle::with_template(
                "{prefix:30!} {bar:30} {pos}/{len} {per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            let bar = multi.add(ProgressBar::new(0).with_style(style));
            bar.set_prefix(label);
            bar
        });
        FolderBar { bar }
    }
}

/// One folder's bar; every method is a no-op when progress is off.
#[derive(Clone)]
pub struct FolderBar {
    bar: Option<ProgressBar>,
}

impl FolderBar {
    pub fn start(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    pub fn advance(&self, messages: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(messages);
        }
    }

    pub fn finish(&self, report: &FolderReport) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(format!("{:?}", report.status).to_lowercase());
        }
    }
}
