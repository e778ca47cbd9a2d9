//! `hopaudit verify`: check the store and list its problems, one per line.

use super::ConfigArg;
use crate::config;
use crate::exit;
use crate::store::{Problem, SqliteStore, StoreError, VerifyReport};

/// Checks the store read-only and prints the result on standard output. Exits with
/// [`exit::STORE_DAMAGED`] when a check found a problem.
pub fn run(args: &ConfigArg) -> anyhow::Result<u8> {
    let config = config::load(&args.config)?;
    let report = match SqliteStore::open_reader(&config.database) {
        Ok(store) => store.verify()?,
        Err(StoreError::Corrupt { source, .. }) => VerifyReport {
            problems: vec![Problem {
                check: "integrity",
                detail: format!(
                    "{source}; restore the database from a backup, or delete it and scan again"
                ),
            }],
            ..VerifyReport::default()
        },
        Err(error) => return Err(error.into()),
    };
    super::output::emit(&render(&config.database.display().to_string(), &report))?;
    Ok(if report.is_clean() {
        exit::SUCCESS
    } else {
        exit::STORE_DAMAGED
    })
}

/// Renders the report as plain lines: folders first, then problems, then the verdict.
pub fn render(database: &str, report: &VerifyReport) -> String {
    let mut out = format!("database: {database}\n");
    for folder in &report.folders {
        out.push_str(&format!(
            "folder {}/{}: uidvalidity {}, highest uid {}, {} messages, {} hop rows (hop_count sum {})\n",
            folder.account,
            folder.folder,
            folder.uid_validity,
            folder.highest_uid,
            folder.messages,
            folder.hop_rows,
            folder.hop_count_sum
        ));
    }
    if report.writer_active {
        out.push_str("note: a scan or import is writing to this database now\n");
    }
    for problem in &report.problems {
        out.push_str(&format!("problem: {problem}\n"));
    }
    match report.problems.len() {
        0 => out.push_str("ok: no problems found\n"),
        1 => out.push_str("not ok: 1 problem found\n"),
        n => out.push_str(&format!("not ok: {n} problems found\n")),
    }
    out
}
