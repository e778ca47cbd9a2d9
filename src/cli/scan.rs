//! `hopaudit scan`: load the config, open the store, run the scan, print the summary.

use anyhow::{Context, bail};

use super::ScanArgs;
use crate::config::Config;
use crate::scan::{ScanOptions, StopFlag};
use crate::store::SqliteStore;

pub fn run(args: &ScanArgs, quiet: bool) -> anyhow::Result<u8> {
    let config = crate::config::load(&args.config.config)?;
    let options = ScanOptions {
        full: args.full,
        since: args
            .since
            .as_deref()
            .map(|d| parse_date("--since", d))
            .transpose()?,
        before: args
            .before
            .as_deref()
            .map(|d| parse_date("--before", d))
            .transpose()?,
        accounts: args.account.clone(),
        quiet,
    };
    if let (Some(since), Some(before)) = (options.since, options.before)
        && since >= before
    {
        bail!("--since {since} is not before --before {before}; the range selects no message");
    }
    check_accounts(&config, &options.accounts)?;
    let store = SqliteStore::open(&config.database)?;
    let digest = Some(crate::config::digest(&config));
    let runtime = super::runtime()?;
    let summary = runtime.block_on(async {
        let stop = StopFlag::default();
        stop.listen_for_signals();
        crate::scan::run(&config, Box::new(store), options, digest, stop).await
    })?;
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&summary)?)
    } else {
        super::output::escape_lines(&summary.to_text())
    };
    super::output::emit(&text)?;
    Ok(summary.exit_code())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(flag: &str, text: &str) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{flag} {text:?}: not a date; write it as YYYY-MM-DD"))
}

fn check_accounts(config: &Config, wanted: &[String]) -> anyhow::Result<()> {
    if config.accounts.is_empty() {
        bail!("the config has no [[accounts]]; add one (see config.example.toml)");
    }
    for name in wanted {
        if !config.accounts.iter().any(|a| &a.name == name) {
            let known: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
            bail!(
                "--account {name:?}: no such account in the config (it has: {})",
                known.join(", ")
            );
        }
    }
    Ok(())
}
