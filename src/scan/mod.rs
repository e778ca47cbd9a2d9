//! The scan pipeline: crawl every configured account and folder read-only, classify each
//! header block, and store the results, incrementally by default.
//!
//! Accounts and folders run in parallel (each account within its connection limit).
//! Per folder: fetch windows of UIDs (async) -> classify (blocking pool) -> commit (one
//! store thread), joined by bounded channels. Each window commits atomically together with
//! the folder's highest UID, so a crash at any moment loses at most the windows in flight,
//! and the next run fetches exactly those again.

mod account;
mod folder;
mod pool;
mod progress;
mod receivers;
mod report;
mod stop;
mod window;
mod writer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::classify::Policy;
use crate::config::{Config, ScanSettings};
use crate::imap::{HeaderItem, Limits};
use crate::store::{FolderKey, RunError, ScanId, ScanOutcome, ScanStart, Store, StoreError};

pub use account::{AccountError, prepare};
pub use folder::{Plan, plan};
pub use receivers::ConfiguredReceivers;
pub use report::{AccountFailure, FolderReport, FolderStatus, ScanSummary};
pub use stop::StopFlag;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Ignore stored state; mark expunged messages as not present.
    pub full: bool,
    /// UID SEARCH SINCE (internal date, inclusive).
    pub since: Option<chrono::NaiveDate>,
    /// UID SEARCH BEFORE (internal date, exclusive).
    pub before: Option<chrono::NaiveDate>,
    /// Account names to scan; empty means all.
    pub accounts: Vec<String>,
    /// No progress bars.
    pub quiet: bool,
}

/// Shared by every task of one run.
pub struct RunContext {
    store: writer::StoreHandle,
    scan: ScanId,
    policy: Policy,
    knowledge: Arc<ConfiguredReceivers>,
    settings: ScanSettings,
    limits: Limits,
    item: HeaderItem,
    options: ScanOptions,
    stop: StopFlag,
    progress: progress::Progress,
    /// Windows between fetch and commit, across all folders.
    in_flight: Arc<tokio::sync::Semaphore>,
}

/// One folder task's view.
pub struct FolderContext<'a> {
    run: &'a Arc<RunContext>,
    pool: &'a pool::Pool,
    key: FolderKey,
    progress: progress::FolderBar,
}

impl FolderContext<'_> {
    fn warn_uid(&self, uid: u32, reason: &str) {
        tracing::warn!(account = %self.key.account, folder = %self.key.folder, uid, "message skipped: {reason}");
    }

    /// Logs a folder failure and records it in the store's error trail.
    async fn record_error(&self, uid: Option<u32>, message: &str) {
        tracing::warn!(account = %self.key.account, folder = %self.key.folder, "folder failed: {message}");
        let error = RunError {
            account: Some(self.key.account.clone()),
            folder: Some(self.key.folder.clone()),
            uid_validity: None,
            uid,
            at: chrono::Utc::now().timestamp(),
            message: message.to_string(),
        };
        if let Err(e) = self.run.store.record_error(self.run.scan, error).await {
            tracing::error!("cannot record the error in the store: {e}");
        }
    }
}

/// Which header part to fetch; see the README's scan section for the measurement.
pub const HEADER_ITEM: HeaderItem = HeaderItem::Fields;

/// Runs a scan with `store`, which moves to the writer thread. `config_digest` goes into
/// the evidence trail.
pub async fn run(
    config: &Config,
    store: Box<dyn Store + Send>,
    options: ScanOptions,
    config_digest: Option<String>,
    stop: StopFlag,
) -> Result<ScanSummary, StoreError> {
    let started = Instant::now();
    let (handle, thread) = writer::spawn(store);
    let accounts: Vec<_> = config
        .accounts
        .iter()
        .filter(|a| options.accounts.is_empty() || options.accounts.contains(&a.name))
        .cloned()
        .collect();
    let scan = handle
        .begin_scan(ScanStart {
            command: "scan".to_string(),
            started_at: chrono::Utc::now().timestamp(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            config_digest,
            accounts: accounts.iter().map(|a| a.name.clone()).collect(),
        })
        .await?;
    let settings = config.scan.clone();
    let run = Arc::new(RunContext {
        store: handle.clone(),
        scan,
        policy: Policy::from_config(config),
        knowledge: Arc::new(ConfiguredReceivers::new(&config.receivers)),
        limits: Limits {
            timeout: Duration::from_secs(settings.timeout_seconds.max(1)),
            max_response: response_limit(settings.max_header_bytes),
        },
        settings,
        item: HEADER_ITEM,
        progress: progress::Progress::new(options.quiet),
        options,
        stop: stop.clone(),
        in_flight: Arc::new(tokio::sync::Semaphore::new(windows_in_flight())),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts {
        tasks.spawn(account::scan_account(run.clone(), account));
    }
    let (mut folders, mut failed) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(reports)) => folders.extend(reports),
            Ok(Err(failure)) => failed.push(failure),
            Err(error) => tracing::error!("an account task failed: {error}"),
        }
    }
    for failure in &failed {
        let error = RunError {
            account: Some(failure.account.clone()),
            folder: None,
            uid_validity: None,
            uid: None,
            at: chrono::Utc::now().timestamp(),
            message: failure.error.clone(),
        };
        handle.record_error(scan, error).await?;
    }
    let verdicts_changed = handle
        .resolve_verdicts(Box::new(ConfiguredReceivers::new(&config.receivers)))
        .await?;
    let summary = summarize(
        scan,
        &folders,
        failed,
        stop.requested(),
        started,
        verdicts_changed,
        config,
    );
    handle
        .finish_scan(
            scan,
            ScanOutcome {
                finished_at: chrono::Utc::now().timestamp(),
                status: ScanSummary::status_of(
                    &summary.folders,
                    summary.failed_accounts.len(),
                    stop.requested(),
                ),
                messages_seen: summary.messages_seen,
                messages_new: summary.messages_new,
                errors: summary.errors,
            },
        )
        .await?;
    drop(run);
    drop(handle);
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    Ok(summary)
}

fn summarize(
    scan: ScanId,
    folders: &[FolderReport],
    failed_accounts: Vec<AccountFailure>,
    interrupted: bool,
    started: Instant,
    verdicts_changed: u64,
    config: &Config,
) -> ScanSummary {
    let mut folders = folders.to_vec();
    folders.sort_by(|a, b| (&a.account, &a.folder).cmp(&(&b.account, &b.folder)));
    let status = ScanSummary::status_of(&folders, failed_accounts.len(), interrupted);
    let failed_folders = folders
        .iter()
        .filter(|f| f.status == FolderStatus::Failed)
        .count() as u64;
    ScanSummary {
        scan_id: scan.0,
        status: status.as_str(),
        messages_seen: folders.iter().map(|f| f.messages_seen).sum(),
        messages_new: folders.iter().map(|f| f.messages_new).sum(),
        errors: folders.iter().map(|f| f.errors).sum::<u64>()
            + failed_folders
            + failed_accounts.len() as u64,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        verdicts_changed,
        database: config.database.display().to_string(),
        folders,
        failed_accounts,
    }
}

/// Two windows per core keep every core busy classifying while one commits, and bound
/// memory to a few windows whatever the number of folders.
fn windows_in_flight() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) * 2
}

/// The largest response accepted: one header at the limit plus room for the FETCH
/// framing, and never below what a UID SEARCH over 100,000 UIDs needs.
fn response_limit(max_header_bytes: usize) -> u32 {
    let wanted = max_header_bytes
        .saturating_add(64 * 1024)
        .max(2 * 1024 * 1024);
    u32::try_from(wanted).unwrap_or(u32::MAX)
}
