//! One account: get the credential, log in, list and choose folders, then scan the
//! folders in parallel within the account's connection limit.

use std::sync::Arc;

use tokio::task::JoinSet;

use crate::config::Account;
use crate::imap::{self, Folder, ImapError, Limits};
use crate::store::FolderKey;

use super::folder::scan_folder;
use super::pool::Pool;
use super::report::{AccountFailure, FolderReport, FolderStatus};
use super::{FolderContext, RunContext};

/// Why an account could not be scanned at all.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("{0}")]
    Folders(String),
}

/// Connects and logs in to `account`, returning the pool and the folders a scan reads.
pub async fn prepare(
    account: &Account,
    run_limits: Limits,
    retries: u32,
    max_connections: usize,
) -> Result<(Arc<Pool>, Vec<Folder>), AccountError> {
    let for_credential = account.clone();
    let credential =
        tokio::task::spawn_blocking(move || for_credential.credential(run_limits.timeout))
            .await
            .map_err(|e| AccountError::Folders(format!("credential lookup failed: {e}")))?
            .map_err(ImapError::from)?;
    let tls = imap::tls_config(account.ca_file.as_deref())?;
    let limit = account.max_connections.unwrap_or(max_connections);
    let pool = Arc::new(Pool::new(
        account.clone(),
        credential,
        tls,
        run_limits,
        retries,
        limit,
    ));
    let mut lease = pool.acquire_first().await?;
    let listed = lease.session.list_folders().await?;
    pool.release(lease);
    let chosen = imap::choose(&listed, &account.folders, &account.exclude_folders)
        .map_err(AccountError::Folders)?;
    check_named_folders(account, &listed)?;
    if chosen.is_empty() {
        let excluded = if account.exclude_folders.is_empty() {
            String::new()
        } else {
            format!(" minus exclude_folders = {:?}", account.exclude_folders)
        };
        return Err(AccountError::Folders(format!(
            "no folder matches folders = {:?}{excluded}; the server has: {}",
            account.folders,
            folder_names(&listed)
        )));
    }
    Ok((pool, chosen))
}

/// Lists the selectable folders for an error message, at most 30 of them.
fn folder_names(listed: &[Folder]) -> String {
    const SHOWN: usize = 30;
    let mut selectable: Vec<&str> = listed
        .iter()
        .filter(|f| f.selectable())
        .map(|f| f.name.as_str())
        .collect();
    selectable.sort_by_key(|name| (*name != "INBOX", *name));
    let names: Vec<String> = selectable.iter().map(|name| format!("{name:?}")).collect();
    if names.len() > SHOWN {
        format!(
            "{} and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        )
    } else {
        names.join(", ")
    }
}

/// A `folders` entry that names one folder exactly (no wildcard, no special-use) must
/// exist, so a typo fails loudly instead of auditing nothing.
fn check_named_folders(account: &Account, listed: &[Folder]) -> Result<(), AccountError> {
    for pattern in &account.folders {
        let literal = !pattern.starts_with('\\') && !pattern.contains(['*', '?', '[', '{']);
        if literal
            && !listed.iter().any(|f| {
                f.name == *pattern || (pattern.eq_ignore_ascii_case("INBOX") && f.name == "INBOX")
            })
        {
            return Err(AccountError::Folders(format!(
                "folder {pattern:?} does not exist on the server; fix `folders` (the server has: {})",
                folder_names(listed)
            )));
        }
    }
    Ok(())
}

/// Scans every chosen folder of one account; folder tasks share the account's pool.
pub async fn scan_account(
    run: Arc<RunContext>,
    account: Account,
) -> Result<Vec<FolderReport>, AccountFailure> {
    let limits = run.limits;
    let prepared = prepare(
        &account,
        limits,
        run.settings.retries,
        run.settings.max_connections,
    )
    .await;
    let (pool, folders) = prepared.map_err(|error| {
        let text = format!("account {:?}: {error}", account.name);
        tracing::error!("{text}");
        AccountFailure {
            account: account.name.clone(),
            error: error.to_string(),
        }
    })?;
    tracing::info!(account = %account.name, folders = folders.len(), "logged in; scanning folders");
    let mut tasks = JoinSet::new();
    for folder in folders {
        let (run, pool) = (run.clone(), pool.clone());
        tasks.spawn(async move { scan_one(run, pool, folder).await });
    }
    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(report) => reports.push(report),
            Err(error) => tracing::error!(account = %account.name, "a folder task failed: {error}"),
        }
    }
    pool.close().await;
    reports.sort_by(|a, b| (a.folder != "INBOX", &a.folder).cmp(&(b.folder != "INBOX", &b.folder)));
    Ok(reports)
}

async fn scan_one(run: Arc<RunContext>, pool: Arc<Pool>, folder: Folder) -> FolderReport {
    let key = FolderKey {
        account: pool.account.name.clone(),
        folder: folder.name.clone(),
    };
    let progress = run
        .progress
        .folder(format!("{}/{}", key.account, key.folder));
    let cx = FolderContext {
        run: &run,
        pool: &pool,
        key,
        progress,
    };
    let mut report = FolderReport::new(&cx.key);
    if run.stop.requested() {
        report.status = FolderStatus::Interrupted;
        return report;
    }
    match pool.acquire().await {
        Ok(lease) if run.stop.requested() => {
            pool.release(lease);
            report.status = FolderStatus::Interrupted;
            report
        }
        Ok(lease) => scan_folder(cx, lease, folder).await,
        Err(error) => {
            report.status = FolderStatus::Failed;
            report.error = Some(error.to_string());
            cx.record_error(None, &error.to_string()).await;
            report
        }
    }
}
