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
        (false, _) => "trace",
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
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_filter(filter)
        .with_filter(no_secrets);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
