//! Compliance reports from the store: `report.html` for people, `report.json` for
//! automation, four CSV files with every row, and `SHA256SUMS` over them all.
//!
//! The store is read through [`ReportSource`] only. Messages stream folder by folder: one
//! pass tallies them and writes `messages.csv` and `findings.csv`, a second on another
//! thread writes `hops.csv` and hands the boundary hops to the first, and each CSV file is
//! written and hashed on a thread of its own. Memory stays flat however large the store
//! is. Statistics come from the verdicts stored with each message. HTML and JSON are
//! rendered from one [`Report`] value; the same store and options give byte-identical
//! files apart from the generation time.

mod accounts;
mod background;
mod boundary;
mod build;
mod collect;
mod csv;
mod exceptions;
mod explain;
mod format;
mod html;
mod model;
mod output;
mod redact;
mod scope;
mod source;
mod svg;
mod tables;
mod tally;
mod text;

use std::path::{Path, PathBuf};

pub use accounts::AccountNames;
pub use model::{Outcome, Report, SignOff};
pub use output::choose_dir;
pub use scope::{Period, Scope};
pub use source::{
    ErrorCount, FilteredCounts, FolderInfo, HopRow, HopVisit, ListedHop, MessageFilter, MessageRow,
    MessageVisit, ReportSource, ScanRow, StoredFinding,
};
pub use tally::Share;
pub use text::{spreadsheet_safe, visible};

use crate::config::Organization;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{path}: cannot write the report file: {source}; check that the folder is writable and the disk has space"
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rendering report.html failed: {0}")]
    Render(#[from] askama::Error),
    #[error("{0}")]
    Invalid(String),
}

/// Batches of boundary hops that may wait between the hop pass and the message pass.
const BOUNDARY_BATCHES_QUEUED: usize = 8;

/// Everything a report needs besides the store.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub scope: Scope,
    pub organization: Organization,
    /// Account names in the configuration, to list those never scanned.
    pub configured_accounts: Vec<String>,
    /// Folder patterns of each configured account, shown on the cover.
    pub folder_rules: Vec<FolderRules>,
    pub redact_accounts: bool,
    /// The encrypted share, in percent, at or above which the summary shows PASS.
    pub pass_threshold: f64,
    pub sign_off: SignOff,
    /// Seconds since the epoch, UTC.
    pub generated_at: i64,
    pub version: String,
}

/// The `folders` and `exclude_folders` patterns of one configured account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderRules {
    pub account: String,
    pub folders: Vec<String>,
    pub exclude_folders: Vec<String>,
}

/// The files a finished report run wrote, and its result.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    pub dir: PathBuf,
    /// Every file written, `SHA256SUMS` last.
    pub files: Vec<PathBuf>,
    pub counted: u64,
    pub encrypted: u64,
    pub encrypted_percent: Option<Share>,
    pub result: Outcome,
    /// The `--domain` values that no counted message comes from.
    pub unmatched_domains: Vec<String>,
}

/// Writes every report file into `dir` (created when missing).
pub fn write_report(
    source: &dyn ReportSource,
    options: &ReportOptions,
    dir: &Path,
) -> Result<ReportOutcome, ReportError> {
    let folders = source.folders()?;
    check_accounts(options, &folders)?;
    let names = AccountNames::new(
        folders
            .iter()
            .map(|f| f.account.as_str())
            .chain(options.configured_accounts.iter().map(String::as_str)),
        options.redact_accounts,
    );
    let mut out = output::OutputDir::create(dir)?;
    let collected = stream_rows(source, &options.scope, &names, folders, &mut out)?;

    let previous = collect::previous(source, &options.scope, &collected.folders)?;
    let scan_ids: Vec<i64> = collected.scan_ids.iter().copied().collect();
    let inputs = build::Inputs {
        collected,
        previous,
        scans: source.scans(&scan_ids)?,
        errors: source.errors()?,
        names: &names,
    };
    let report = build::report(options, inputs);
    write_summaries(&report, &mut out)?;

    let dir = out.path().to_path_buf();
    let files = out.close()?;
    tracing::info!(dir = %dir.display(), "report written");
    Ok(ReportOutcome {
        dir,
        files,
        counted: report.summary.counted,
        encrypted: report.summary.verdicts.encrypted,
        encrypted_percent: report.summary.encrypted_percent,
        result: report.summary.result,
        unmatched_domains: unmatched_domains(&options.scope.domains, &report.domains),
    })
}

fn unmatched_domains(selected: &[String], counted: &[model::DomainFacts]) -> Vec<String> {
    selected
        .iter()
        .filter(|wanted| !counted.iter().any(|d| d.domain.as_ref() == Some(*wanted)))
        .cloned()
        .collect()
}

/// Writes `messages.csv`, `findings.csv` and `hops.csv`. `hops.csv` is the largest file,
/// so a second store reader writes it on another thread while this one streams messages,
/// and hands over the boundary hops it reads on the way ([`boundary`]).
fn stream_rows(
    source: &dyn ReportSource,
    scope: &Scope,
    names: &AccountNames,
    folders: Vec<FolderInfo>,
    out: &mut output::OutputDir,
) -> Result<collect::Collected, ReportError> {
    let selected: Vec<FolderInfo> = folders
        .into_iter()
        .filter(|f| scope.includes_account(&f.account))
        .collect();
    let hops_source = source.open_reader()?;
    let mut hops_csv = csv::CsvTable::create(out, "hops.csv", tables::HOP_COLUMNS)?;
    let (sender, receiver) = std::sync::mpsc::sync_channel(BOUNDARY_BATCHES_QUEUED);
    let collected = std::thread::scope(|threads| {
        let (selected, hops_csv) = (&selected, &mut hops_csv);
        let boundaries = boundary::BoundarySender::new(sender);
        let hops_thread = threads.spawn(move || {
            collect::hops(&*hops_source, scope, names, selected, hops_csv, boundaries)
        });
        let mut feed = boundary::BoundaryFeed::new(receiver);
        let collected = collect::messages(source, scope, names, &mut feed, out);
        // Dropping the feed lets a hop pass blocked on a full queue finish.
        drop(feed);
        let hops_result = hops_thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The message pass's error comes first: a failed message pass also stops the
        // hand-over of boundary hops.
        collected.and_then(|collected| hops_result.map(|()| collected))
    })?;
    hops_csv.finish(out)?;
    tracing::info!(
        counted = collected.tally.counted.total(),
        exceptions = collected.exceptions.total(),
        "messages.csv, findings.csv and hops.csv written"
    );
    Ok(collected)
}

/// Writes `domains.csv`, `report.json` and `report.html` from the built report.
fn write_summaries(report: &Report, out: &mut output::OutputDir) -> Result<(), ReportError> {
    let mut domains = csv::CsvTable::create(out, "domains.csv", tables::DOMAIN_COLUMNS)?;
    for domain in &report.domains {
        tables::domain_row(&mut domains, domain)?;
    }
    domains.finish(out)?;
    let mut json =
        serde_json::to_vec_pretty(report).map_err(|e| ReportError::Invalid(e.to_string()))?;
    json.push(b'\n');
    out.write("report.json", &json)?;
    let page = html::render(report)?;
    out.write("report.html", page.as_bytes())
}

/// Rejects `--account` names that are neither stored nor configured.
fn check_accounts(options: &ReportOptions, folders: &[FolderInfo]) -> Result<(), ReportError> {
    for wanted in &options.scope.accounts {
        let known = folders.iter().any(|f| &f.account == wanted)
            || options.configured_accounts.contains(wanted);
        if !known {
            return Err(ReportError::Invalid(format!(
                "--account {wanted:?} is neither in the store nor in the configuration; check the name against the config's [[accounts]] entries"
            )));
        }
    }
    Ok(())
}

/// Returns the generation time: `SOURCE_DATE_EPOCH` when set (the reproducible-builds
/// variable, seconds since the epoch), else the current time.
pub fn generation_time(source_date_epoch: Option<&str>, now: i64) -> Result<i64, ReportError> {
    match source_date_epoch.map(str::trim) {
        None | Some("") => Ok(now),
        Some(value) => value.parse::<i64>().map_err(|_| {
            ReportError::Invalid(format!(
                "SOURCE_DATE_EPOCH={value:?} is not a number of seconds since 1970-01-01 UTC; unset it or set it to one, such as 1767225600"
            ))
        }),
    }
}

/// Formats the UTC day (`YYYY-MM-DD`) of a generation time, which names the default
/// folder.
pub fn folder_day(generated_at: i64) -> String {
    format::iso_day(generated_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_time_from_environment() {
        assert_eq!(generation_time(None, 42).unwrap(), 42);
        assert_eq!(generation_time(Some(""), 42).unwrap(), 42);
        assert_eq!(
            generation_time(Some("1767225600"), 42).unwrap(),
            1_767_225_600
        );
        assert!(generation_time(Some("yesterday"), 42).is_err());
        assert_eq!(folder_day(1_767_225_600), "2026-01-01");
    }
}
