//! Scanning one folder: EXAMINE, decide which UIDs to read, then fetch, classify and commit
//! them window by window through a short pipeline.
//!
//! Fetching runs here, and classification runs on the blocking pool, off the async
//! threads. A committer task awaits each classified window in order and hands it to the
//! store thread. The channels between them hold two windows, so memory stays flat at any
//! folder size.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::imap::{Examined, Folder, ImapError};
use crate::store::FolderOpen;

use super::FolderContext;
use super::commit::{Classified, classify_job, commit_loop};
use super::pool::Lease;
use super::report::{FolderReport, FolderStatus};
use super::window::fetch_window;

/// The reason a folder scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("cannot write to the store: {0}")]
    Store(String),
}

/// UIDs per UID SEARCH, so one response stays far below the response size limit.
const SEARCH_SPAN: u32 = 100_000;

/// The UID range to read in a folder, and how far the stored state may advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub first_uid: u32,
    /// Highest UID to store after each window; `None` advances it to the window's end.
    pub fixed_highest: Option<u32>,
}

/// Decides the UID range. A date-limited sweep reads from UID 1 and never advances the
/// stored highest UID, because messages outside the dates were not read: the next
/// incremental run must still see them.
pub fn plan(open: FolderOpen, full: bool, dated: bool) -> Plan {
    let stored = match open {
        FolderOpen::Resume(state) => state.highest_uid,
        FolderOpen::New | FolderOpen::Reset { .. } => 0,
    };
    Plan {
        first_uid: if full || dated {
            1
        } else {
            stored.saturating_add(1)
        },
        fixed_highest: dated.then_some(stored),
    }
}

/// Scans `folder` with the leased session. The lease goes back to the pool only when
/// the folder ended cleanly.
pub async fn scan_folder(cx: FolderContext<'_>, mut lease: Lease, folder: Folder) -> FolderReport {
    let mut report = FolderReport::new(&cx.key);
    match scan_inner(&cx, &mut lease, &folder, &mut report).await {
        Ok(()) => cx.pool.release(lease),
        Err(error) => {
            report.status = FolderStatus::Failed;
            report.error = Some(error.to_string());
            cx.record_error(None, &error.to_string()).await;
        }
    }
    cx.progress.finish(&report);
    report
}

async fn scan_inner(
    cx: &FolderContext<'_>,
    lease: &mut Lease,
    folder: &Folder,
    report: &mut FolderReport,
) -> Result<(), FolderError> {
    let examined = match lease.session.examine(folder).await {
        // A pooled session may have been closed by the server while idle.
        Err(error) if !error.is_permanent() && !matches!(error, ImapError::Rejected { .. }) => {
            tracing::debug!(account = %cx.key.account, folder = %cx.key.folder, "{error}; opening a new session");
            cx.pool.renew(lease).await?;
            lease.session.examine(folder).await?
        }
        other => other?,
    };
    report.uid_validity = Some(examined.uid_validity);
    let open = cx
        .run
        .store
        .open_folder(cx.run.scan, cx.key.clone(), examined.uid_validity)
        .await
        .map_err(store_failed)?;
    if let FolderOpen::Reset { old_uid_validity } = open {
        tracing::warn!(account = %cx.key.account, folder = %cx.key.folder,
            "UIDVALIDITY changed from {old_uid_validity} to {}; the folder's stored messages were replaced", examined.uid_validity);
    }
    let dated = cx.run.options.since.is_some() || cx.run.options.before.is_some();
    let plan = plan(open, cx.run.options.full, dated);
    let uids = search_all(cx, lease, plan.first_uid, &examined).await?;
    tracing::info!(account = %cx.key.account, folder = %cx.key.folder, messages = examined.exists, to_fetch = uids.len(), "scanning folder");
    cx.progress.start(uids.len() as u64);
    fetch_all(
        cx,
        lease,
        folder,
        examined.uid_validity,
        &uids,
        plan,
        report,
    )
    .await?;
    if cx.run.options.full && !dated && report.status == FolderStatus::Complete {
        let marked = cx
            .run
            .store
            .mark_missing(cx.key.clone(), examined.uid_validity, uids)
            .await
            .map_err(store_failed)?;
        report.marked_missing = marked;
    }
    Ok(())
}

/// Lists the UIDs from `first` up, in spans of [`SEARCH_SPAN`].
async fn search_all(
    cx: &FolderContext<'_>,
    lease: &mut Lease,
    first: u32,
    examined: &Examined,
) -> Result<Vec<u32>, ImapError> {
    let (since, before) = (cx.run.options.since, cx.run.options.before);
    let Some(uid_next) = examined.uid_next else {
        return lease.session.search_uids(first, None, since, before).await;
    };
    let mut uids = Vec::new();
    let mut start = first;
    while start < uid_next {
        let end = start.saturating_add(SEARCH_SPAN - 1).min(uid_next - 1);
        uids.extend(
            lease
                .session
                .search_uids(start, Some(end), since, before)
                .await?,
        );
        start = end.saturating_add(1);
    }
    Ok(uids)
}

/// Fetches every window in order and feeds the committer, then waits until all are
/// committed.
async fn fetch_all(
    cx: &FolderContext<'_>,
    lease: &mut Lease,
    folder: &Folder,
    uid_validity: u32,
    uids: &[u32],
    plan: Plan,
    report: &mut FolderReport,
) -> Result<(), FolderError> {
    let (sender, receiver) = mpsc::channel::<JoinHandle<Classified>>(2);
    let committer = tokio::spawn(commit_loop(cx.run.clone(), receiver, cx.progress.clone()));
    let mut reconnects = 0;
    let mut outcome = Ok(());
    for chunk in uids.chunks(cx.run.settings.window as usize) {
        if cx.run.stop.requested() {
            report.status = FolderStatus::Interrupted;
            break;
        }
        // A permit per window from fetch to commit bounds memory across all folders.
        let permit = cx
            .run
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        let fetch_started = std::time::Instant::now();
        let raw = match fetch_window(cx, lease, folder, uid_validity, chunk, &mut reconnects).await
        {
            Ok(raw) => raw,
            Err(error) => {
                outcome = Err(error);
                break;
            }
        };
        tracing::debug!(folder = %cx.key.folder, ms = fetch_started.elapsed().as_millis() as u64, messages = chunk.len(), "window fetched");
        let highest = plan
            .fixed_highest
            .unwrap_or(*chunk.last().expect("chunks are not empty"));
        let job = classify_job(
            cx.run.clone(),
            cx.key.clone(),
            uid_validity,
            highest,
            raw,
            permit,
        );
        if sender.send(tokio::task::spawn_blocking(job)).await.is_err() {
            break;
        }
    }
    drop(sender);
    let totals = committer.await.map_err(store_failed)?;
    report.add(&totals);
    if let Some(message) = totals.store_error {
        return Err(store_failed(message));
    }
    if report.errors > 0 && report.status == FolderStatus::Complete {
        report.status = FolderStatus::Partial;
    }
    outcome.map_err(FolderError::from)
}

fn store_failed(error: impl std::fmt::Display) -> FolderError {
    FolderError::Store(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FolderState;

    #[test]
    fn incremental_resumes_after_the_stored_uid() {
        let resume = FolderOpen::Resume(FolderState {
            uid_validity: 7,
            highest_uid: 41,
        });
        assert_eq!(
            plan(resume, false, false),
            Plan {
                first_uid: 42,
                fixed_highest: None
            }
        );
        assert_eq!(
            plan(FolderOpen::New, false, false),
            Plan {
                first_uid: 1,
                fixed_highest: None
            }
        );
        assert_eq!(
            plan(
                FolderOpen::Reset {
                    old_uid_validity: 3
                },
                false,
                false
            )
            .first_uid,
            1
        );
    }

    #[test]
    fn full_and_dated_sweeps_start_at_one() {
        let resume = FolderOpen::Resume(FolderState {
            uid_validity: 7,
            highest_uid: 41,
        });
        assert_eq!(
            plan(resume, true, false),
            Plan {
                first_uid: 1,
                fixed_highest: None
            }
        );
        assert_eq!(
            plan(resume, false, true),
            Plan {
                first_uid: 1,
                fixed_highest: Some(41)
            }
        );
        assert_eq!(
            plan(FolderOpen::New, false, true),
            Plan {
                first_uid: 1,
                fixed_highest: Some(0)
            }
        );
    }
}
