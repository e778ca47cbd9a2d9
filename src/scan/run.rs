//! One run from start to end: register the scan, scan the accounts in parallel, record
//! account failures, resolve verdicts, close the scan record and build the summary.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::classify::Policy;
use crate::config::{Account, Config};
use crate::imap::Limits;
use crate::store::{RunError, ScanId, ScanOutcome, ScanStart, ScanStatus, Store, StoreError};

use super::report::{AccountFailure, FolderReport, FolderStatus, ScanSummary};
use super::writer::{self, StoreHandle};
use super::{
    ConfiguredReceivers, HEADER_ITEM, RunContext, ScanOptions, StopFlag, account, progress,
};

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
    let accounts = selected_accounts(config, &options);
    let start = ScanStart {
        command: "scan".to_string(),
        started_at: chrono::Utc::now().timestamp(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        config_digest,
        accounts: accounts.iter().map(|a| a.name.clone()).collect(),
    };
    let scan = handle.begin_scan(start).await?;
    let run = run_context(config, handle.clone(), scan, options, stop.clone());

    let (folders, failed) = scan_accounts(&run, accounts).await;
    drop(run);
    record_account_failures(&handle, scan, &failed).await?;
    let knowledge = Box::new(ConfiguredReceivers::from_config(config));
    let verdicts_changed = handle.resolve_verdicts(knowledge).await?;

    let status = ScanSummary::status_of(&folders, failed.len(), stop.requested());
    let summary = summarize(
        scan,
        status,
        folders,
        failed,
        started,
        verdicts_changed,
        config,
    );
    let outcome = ScanOutcome {
        finished_at: chrono::Utc::now().timestamp(),
        status,
        messages_seen: summary.messages_seen,
        messages_new: summary.messages_new,
        errors: summary.errors,
    };
    handle.finish_scan(scan, outcome).await?;
    drop(handle);
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    Ok(summary)
}

/// The accounts named with `--account`, or all of them.
fn selected_accounts(config: &Config, options: &ScanOptions) -> Vec<Account> {
    config
        .accounts
        .iter()
        .filter(|a| options.accounts.is_empty() || options.accounts.contains(&a.name))
        .cloned()
        .collect()
}

fn run_context(
    config: &Config,
    store: StoreHandle,
    scan: ScanId,
    options: ScanOptions,
    stop: StopFlag,
) -> Arc<RunContext> {
    let settings = config.scan.clone();
    Arc::new(RunContext {
        store,
        scan,
        policy: Policy::from_config(config),
        knowledge: Arc::new(ConfiguredReceivers::from_config(config)),
        limits: Limits {
            timeout: Duration::from_secs(settings.timeout_seconds.max(1)),
            max_response: super::response_limit(settings.max_header_bytes),
        },
        settings,
        item: HEADER_ITEM,
        progress: progress::Progress::new(options.quiet),
        options,
        stop,
        in_flight: Arc::new(tokio::sync::Semaphore::new(super::windows_in_flight())),
    })
}

/// Scans every account in parallel; returns the folder reports and the accounts that
/// could not be scanned at all.
async fn scan_accounts(
    run: &Arc<RunContext>,
    accounts: Vec<Account>,
) -> (Vec<FolderReport>, Vec<AccountFailure>) {
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
    (folders, failed)
}

async fn record_account_failures(
    handle: &StoreHandle,
    scan: ScanId,
    failed: &[AccountFailure],
) -> Result<(), StoreError> {
    for failure in failed {
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
    Ok(())
}

fn summarize(
    scan: ScanId,
    status: ScanStatus,
    mut folders: Vec<FolderReport>,
    failed_accounts: Vec<AccountFailure>,
    started: Instant,
    verdicts_changed: u64,
    config: &Config,
) -> ScanSummary {
    folders.sort_by(|a, b| {
        (&a.account, a.folder != "INBOX", &a.folder).cmp(&(
            &b.account,
            b.folder != "INBOX",
            &b.folder,
        ))
    });
    let failed_folders = folders
        .iter()
        .filter(|f| f.status == FolderStatus::Failed)
        .count() as u64;
    let message_errors: u64 = folders.iter().map(|f| f.errors).sum();
    ScanSummary {
        scan_id: scan.0,
        status: status.as_str(),
        messages_seen: folders.iter().map(|f| f.messages_seen).sum(),
        messages_new: folders.iter().map(|f| f.messages_new).sum(),
        errors: message_errors + failed_folders + failed_accounts.len() as u64,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        verdicts_changed,
        database: config.database.display().to_string(),
        folders,
        failed_accounts,
    }
}
