//! The audit store: messages, hops, verdicts, findings, folder state and the scan trail.
//!
//! Callers see the narrow [`Store`] trait; all SQL lives in the backend modules. SQLite
//! ([`SqliteStore`]) is the embedded default. A shared backend for sweeps run by many hosts
//! can implement the same trait.

mod digest;
mod sqlite;
mod verify;

pub use digest::HeaderDigest;
pub use sqlite::SqliteStore;
pub use verify::{FolderCounts, Problem, VerifyReport};

use std::collections::HashSet;

use crate::classify::{Classification, ReceiverKnowledge};

/// Row id of a scan in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanId(pub i64);

/// An account and one of its folders (decoded name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderKey {
    pub account: String,
    pub folder: String,
}

/// What the store remembers of a folder between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    /// Every UID up to and including this one is stored or recorded as an error.
    pub highest_uid: u32,
}

/// The start of a run, for the evidence trail.
#[derive(Debug, Clone)]
pub struct ScanStart {
    /// `scan` or `import`.
    pub command: String,
    pub started_at: i64,
    pub version: String,
    /// SHA-256 of the configuration with secrets removed.
    pub config_digest: Option<String>,
    pub accounts: Vec<String>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    /// Every folder was read completely.
    Complete,
    /// The run finished, but some folders or messages failed.
    Partial,
    /// Nothing could be scanned.
    Failed,
    /// Stopped by a signal after the last committed window, or found still running by a
    /// later run after its process died.
    Interrupted,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Complete => "complete",
            ScanStatus::Partial => "partial",
            ScanStatus::Failed => "failed",
            ScanStatus::Interrupted => "interrupted",
        }
    }
}

/// Totals written when a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOutcome {
    pub finished_at: i64,
    pub status: ScanStatus,
    pub messages_seen: u64,
    pub messages_new: u64,
    pub errors: u64,
}

/// A message the server listed but did not return, or returned unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFailure {
    pub uid: u32,
    pub reason: String,
}

/// One complete UID window of a folder, classified and ready to commit atomically.
#[derive(Debug, Clone)]
pub struct WindowCommit {
    pub scan: ScanId,
    pub folder: FolderKey,
    pub uid_validity: u32,
    /// After this commit, every UID up to this one is accounted for.
    pub highest_uid: u32,
    pub messages: Vec<ClassifiedMessage>,
    pub failures: Vec<MessageFailure>,
}

/// A message with its classification.
#[derive(Debug, Clone)]
pub struct ClassifiedMessage {
    pub uid: u32,
    /// Size of the fetched header block in bytes.
    pub header_bytes: usize,
    pub classification: Classification,
}

/// Counts from one committed window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitCounts {
    /// Messages in the window that the store did not hold before.
    pub new: u64,
    /// Failures recorded.
    pub errors: u64,
}

/// What happened when a folder was opened for a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderOpen {
    /// First scan of this folder.
    New,
    /// Same UIDVALIDITY: resume after the stored highest UID.
    Resume(FolderState),
    /// UIDVALIDITY changed: the old rows were removed and the folder starts over.
    Reset { old_uid_validity: u32 },
}

/// A failure that is not one message's: a folder that could not be opened, a login error.
#[derive(Debug, Clone)]
pub struct RunError {
    pub account: Option<String>,
    pub folder: Option<String>,
    pub uid_validity: Option<u32>,
    pub uid: Option<u32>,
    pub at: i64,
    pub message: String,
}

/// Errors of the store. Each message names the database file and the next step.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {message}")]
    Open { path: String, message: String },
    #[error(
        "{path}: another hopaudit process is writing to this database (lock file {lock}); wait for it to finish, or use another `database`"
    )]
    Busy { path: String, lock: String },
    #[error("{path}: database error: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path}: the database file is damaged ({source}); run `hopaudit verify` for details, then restore it from a backup or delete it and scan again"
    )]
    Corrupt {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path}: the disk or the database size limit is full; the last committed window is kept. Free space or move `database` to a larger disk, then run the same command again: it resumes after the last committed window"
    )]
    Full {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path}: the database is read-only for this user; SQLite must write the file and create the -wal and -shm files beside it. Make the file and its folder writable, or point `database` at a writable place"
    )]
    ReadOnly { path: String },
    #[error(
        "{path}: the database was written by a newer hopaudit (schema {found}, this build knows up to {supported}); upgrade hopaudit"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
}

/// The audit store, as the crawler, importer and verdict resolution see it.
pub trait Store {
    /// Records the start of a run and returns its id. Runs still marked running from
    /// earlier processes are marked interrupted (see [`Store::mark_interrupted`]).
    fn begin_scan(&mut self, start: &ScanStart) -> Result<ScanId, StoreError>;

    /// Records how a run ended, on the run and on its folders that are still running.
    fn finish_scan(&mut self, scan: ScanId, outcome: &ScanOutcome) -> Result<(), StoreError>;

    /// Returns the folder's stored state, if it was scanned before.
    fn folder_state(&self, folder: &FolderKey) -> Result<Option<FolderState>, StoreError>;

    /// Registers a folder for this scan with the UIDVALIDITY the server reports. When it
    /// differs from the stored one, removes the folder's old messages, hops and findings
    /// in the same transaction, so nothing is counted twice.
    fn open_folder(
        &mut self,
        scan: ScanId,
        folder: &FolderKey,
        uid_validity: u32,
    ) -> Result<FolderOpen, StoreError>;

    /// Stores a window's messages, hops and findings and advances the folder's highest UID,
    /// all in one transaction. Messages already stored are left as they are.
    fn commit_window(&mut self, window: &WindowCommit) -> Result<CommitCounts, StoreError>;

    /// After a full scan, marks stored messages of the folder that the server no longer
    /// lists as not present. Returns how many were marked.
    fn mark_missing(
        &mut self,
        folder: &FolderKey,
        uid_validity: u32,
        listed_uids: &[u32],
    ) -> Result<u64, StoreError>;

    fn record_error(&mut self, scan: ScanId, error: &RunError) -> Result<(), StoreError>;

    /// Recomputes the verdict of every stored message whose boundary hop has no TLS note,
    /// from `configured` rules and the receiving hosts that recorded TLS elsewhere in the
    /// store. Returns how many verdicts changed.
    fn resolve_verdicts(&mut self, configured: &dyn ReceiverKnowledge) -> Result<u64, StoreError>;

    /// Marks every scan still recorded as running, other than `current`, as interrupted:
    /// a writer holds the database's lock, so no other scan can still be running. The
    /// scans keep `finished_at` empty, which shows they never finished. Returns how many
    /// were marked. [`Store::begin_scan`] calls it for the scan it starts.
    fn mark_interrupted(&mut self, current: ScanId) -> Result<u64, StoreError>;

    /// Returns the digests of the header blocks stored in an imported folder.
    fn header_digests(&self, folder: &FolderKey) -> Result<HashSet<HeaderDigest>, StoreError>;

    /// Commits a window like [`Store::commit_window`] and stores `digests[i]` beside
    /// `window.messages[i]`, so a later import of the same source skips those messages.
    fn commit_imported(
        &mut self,
        window: &WindowCommit,
        digests: &[HeaderDigest],
    ) -> Result<CommitCounts, StoreError>;
}
