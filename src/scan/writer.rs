//! The one writer: a dedicated thread owns the store, and async tasks send it requests
//! over a bounded channel and await the reply. SQLite sees one connection and one
//! transaction per window, and a slow disk slows the fetchers instead of filling memory.

use tokio::sync::{mpsc, oneshot};

use crate::classify::ReceiverKnowledge;
use crate::store::{
    CommitCounts, FolderKey, FolderOpen, RunError, ScanId, ScanOutcome, ScanStart, Store,
    StoreError, WindowCommit,
};

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Request {
    Begin(Box<ScanStart>, Reply<ScanId>),
    Open(ScanId, FolderKey, u32, Reply<FolderOpen>),
    Commit(Box<WindowCommit>, Reply<CommitCounts>),
    MarkMissing(FolderKey, u32, Vec<u32>, Reply<u64>),
    Error(ScanId, Box<RunError>, Reply<()>),
    Resolve(Box<dyn ReceiverKnowledge + Send>, Reply<u64>),
    Finish(ScanId, ScanOutcome, Reply<()>),
}

/// A cloneable handle to the writer thread.
#[derive(Clone)]
pub struct StoreHandle {
    sender: mpsc::Sender<Request>,
}

/// Starts the writer thread with `store`. The thread ends when every handle is dropped.
pub fn spawn(store: Box<dyn Store + Send>) -> (StoreHandle, std::thread::JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel(4);
    let thread = std::thread::Builder::new()
        .name("hopaudit-store".to_string())
        .spawn(move || serve(store, receiver))
        .expect("the store thread starts");
    (StoreHandle { sender }, thread)
}

fn serve(mut store: Box<dyn Store + Send>, mut receiver: mpsc::Receiver<Request>) {
    while let Some(request) = receiver.blocking_recv() {
        // A dropped reply means the asking task gave up; the write itself still counts.
        match request {
            Request::Begin(start, reply) => drop(reply.send(store.begin_scan(&start))),
            Request::Open(scan, key, validity, reply) => {
                drop(reply.send(store.open_folder(scan, &key, validity)))
            }
            Request::Commit(window, reply) => {
                let started = std::time::Instant::now();
                let result = store.commit_window(&window);
                tracing::debug!(
                    ms = started.elapsed().as_millis() as u64,
                    messages = window.messages.len(),
                    "store wrote window"
                );
                drop(reply.send(result))
            }
            Request::MarkMissing(key, validity, uids, reply) => {
                drop(reply.send(store.mark_missing(&key, validity, &uids)))
            }
            Request::Error(scan, error, reply) => {
                drop(reply.send(store.record_error(scan, &error)))
            }
            Request::Resolve(knowledge, reply) => {
                drop(reply.send(store.resolve_verdicts(knowledge.as_ref())))
            }
            Request::Finish(scan, outcome, reply) => {
                drop(reply.send(store.finish_scan(scan, &outcome)))
            }
        }
    }
}

impl StoreHandle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Open {
            path: "store".to_string(),
            message: "the store thread stopped after an earlier error".to_string(),
        };
        self.sender.send(make(reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    pub async fn begin_scan(&self, start: ScanStart) -> Result<ScanId, StoreError> {
        self.ask(|r| Request::Begin(Box::new(start), r)).await
    }

    pub async fn open_folder(
        &self,
        scan: ScanId,
        key: FolderKey,
        validity: u32,
    ) -> Result<FolderOpen, StoreError> {
        self.ask(|r| Request::Open(scan, key, validity, r)).await
    }

    pub async fn commit(&self, window: WindowCommit) -> Result<CommitCounts, StoreError> {
        self.ask(|r| Request::Commit(Box::new(window), r)).await
    }

    pub async fn mark_missing(
        &self,
        key: FolderKey,
        validity: u32,
        uids: Vec<u32>,
    ) -> Result<u64, StoreError> {
        self.ask(|r| Request::MarkMissing(key, validity, uids, r))
            .await
    }

    pub async fn record_error(&self, scan: ScanId, error: RunError) -> Result<(), StoreError> {
        self.ask(|r| Request::Error(scan, Box::new(error), r)).await
    }

    pub async fn resolve_verdicts(
        &self,
        knowledge: Box<dyn ReceiverKnowledge + Send>,
    ) -> Result<u64, StoreError> {
        self.ask(|r| Request::Resolve(knowledge, r)).await
    }

    pub async fn finish_scan(&self, scan: ScanId, outcome: ScanOutcome) -> Result<(), StoreError> {
        self.ask(|r| Request::Finish(scan, outcome, r)).await
    }
}
