//! tracing setup: logs go to standard error, standard output carries only data.

use tracing_subscriber::EnvFilter;

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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
