//! `hopaudit import`: read mbox files, Maildir folders and `.eml` folders into the store.

use anyhow::Context;

use super::ImportArgs;
use crate::config;
use crate::import::{self, ImportRequest, ImportSummary};
use crate::store::SqliteStore;

/// Runs the import and prints its summary on standard output.
pub fn run(args: &ImportArgs) -> anyhow::Result<u8> {
    let config = config::load(&args.config.config)?;
    let mut store = SqliteStore::open(&config.database)?;
    let request = ImportRequest {
        account: args.account.clone(),
        paths: args.paths.clone(),
    };
    let summary = import::run(&config, &mut store, &request)?;
    if args.json {
        let line = serde_json::to_string(&summary).context("cannot render the summary")?;
        super::output::emit(&format!("{line}\n"))?;
    } else {
        super::output::emit(&format!("{}\n", describe(&summary)))?;
    }
    Ok(summary.exit_code())
}

fn describe(summary: &ImportSummary) -> String {
    let errors = match summary.errors {
        0 => "no errors".to_string(),
        1 => "1 error (see the log above)".to_string(),
        n => format!("{n} errors (see the log above)"),
    };
    format!(
        "import: {} messages seen, {} new, {} folders, {errors}, {:.1} s",
        summary.messages_seen, summary.messages_new, summary.folders, summary.seconds
    )
}
