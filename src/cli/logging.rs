//! tracing setup: logs go to standard error, standard output carries only data.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

/// Installs the global subscriber. `HOPAUDIT_LOG` (a tracing filter such as
/// `hopaudit=debug`) overrides the level chosen by `--quiet` and `-v`.
pub fn init(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn,hopaudit=info",
        (false, 1) => "warn,hopaudit=debug",
        (false, _) => "warn,hopaudit=trace",
    };
    let filter = std::env::var("HOPAUDIT_LOG")
        .ok()
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(level));
    // imap-next traces every fragment it writes, LOGIN passwords and SASL tokens
    // included; its target is dropped whatever the filter says. hopaudit's own protocol
    // trace redacts authentication data.
    let no_secrets = filter_fn(|meta| !meta.target().starts_with("imap_next"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(|| LogWriter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_filter(filter)
        .with_filter(no_secrets);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Standard error, printing above the scan's progress bars while they are shown.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, record: &[u8]) -> std::io::Result<usize> {
        crate::scan::write_log(record)?;
        Ok(record.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
