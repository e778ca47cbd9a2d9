//! The scan pipeline: crawl every configured account and folder read-only, classify each
//! header block, and store the results, incrementally by default.
//!
//! Accounts and folders run in parallel (each account within its connection limit).
//! Per folder: fetch windows of UIDs (async) -> classify (blocking pool) -> commit (one
//! store thread), joined by bounded channels. Each window commits atomically together with
//! the folder's highest UID, so a crash at any moment loses at most the windows in flight,
//! and the next run fetches exactly those again.

mod account;
mod commit;
mod folder;
mod pool;
mod progress;
mod report;
mod run;
mod stop;
mod window;
mod writer;

use std::sync::Arc;

use crate::classify::ConfiguredReceivers;
use crate::classify::Policy;
use crate::config::ScanSettings;
use crate::imap::{HeaderItem, Limits};
use crate::store::{FolderKey, RunError, ScanId};

pub use account::{AccountError, prepare};
pub use folder::{Plan, plan};
pub use progress::write_log;
pub use report::{AccountFailure, FolderReport, FolderStatus, ScanSummary};
pub use run::run;
pub use stop::StopFlag;

/// Options from the command line.
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

/// The header part a scan fetches. The README's scan section gives the measurement.
pub const HEADER_ITEM: HeaderItem = HeaderItem::Fields;

/// One window per core classifying plus one committing keeps the cores busy, and
/// bounds memory to a few windows whatever the number of folders.
fn windows_in_flight() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) + 1
}

/// Returns the largest response accepted: one header at the limit plus room for the FETCH
/// framing, and never below what a UID SEARCH over 100,000 UIDs needs.
fn response_limit(max_header_bytes: usize) -> u32 {
    let wanted = max_header_bytes
        .saturating_add(64 * 1024)
        .max(2 * 1024 * 1024);
    u32::try_from(wanted).unwrap_or(u32::MAX)
}
