//! The back half of a folder's pipeline: classify a fetched window on the blocking pool,
//! then commit the classified windows in order through the store thread.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::task::JoinHandle;

use crate::store::{ClassifiedMessage, FolderKey, WindowCommit};

use super::RunContext;
use super::progress::FolderBar;
use super::window::RawWindow;

/// Returns the job that classifies `raw` into a window commit. It keeps the window's
/// in-flight `permit` until the commit is done.
pub fn classify_job(
    run: Arc<RunContext>,
    key: FolderKey,
    uid_validity: u32,
    highest_uid: u32,
    raw: RawWindow,
    permit: OwnedSemaphorePermit,
) -> impl FnOnce() -> Classified + Send + 'static {
    move || {
        let started = std::time::Instant::now();
        let messages: Vec<ClassifiedMessage> = raw
            .headers
            .into_iter()
            .map(|(uid, header)| ClassifiedMessage {
                uid,
                header_bytes: header.len(),
                classification: crate::classify::classify(
                    &header,
                    &run.policy,
                    run.knowledge.as_ref(),
                ),
            })
            .collect();
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            messages = messages.len(),
            "window classified"
        );
        let window = WindowCommit {
            scan: run.scan,
            folder: key,
            uid_validity,
            highest_uid,
            messages,
            failures: raw.failures,
        };
        (window, permit)
    }
}

/// A classified window and the in-flight permit it holds until committed.
pub type Classified = (WindowCommit, OwnedSemaphorePermit);

/// Counts from one folder's committer.
#[derive(Debug, Default)]
pub struct Totals {
    pub seen: u64,
    pub new: u64,
    pub errors: u64,
    pub store_error: Option<String>,
}

/// Awaits each classified window in order and commits it; stops at the first failure.
pub async fn commit_loop(
    run: Arc<RunContext>,
    mut receiver: mpsc::Receiver<JoinHandle<Classified>>,
    progress: FolderBar,
) -> Totals {
    let mut totals = Totals::default();
    while let Some(job) = receiver.recv().await {
        let (window, _permit) = match job.await {
            Ok(classified) => classified,
            Err(error) => {
                totals.store_error = Some(format!("classification failed: {error}"));
                break;
            }
        };
        let (seen, failed) = (window.messages.len() as u64, window.failures.len() as u64);
        let commit_started = std::time::Instant::now();
        let committed = run.store.commit(window).await;
        tracing::debug!(
            ms = commit_started.elapsed().as_millis() as u64,
            messages = seen,
            "window committed"
        );
        match committed {
            Ok(counts) => {
                totals.seen += seen;
                totals.new += counts.new;
                totals.errors += counts.errors;
                progress.advance(seen + failed);
            }
            Err(error) => {
                totals.store_error = Some(error.to_string());
                break;
            }
        }
    }
    totals
}
