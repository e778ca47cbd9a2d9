//! What `hopaudit verify` finds in a store: problems in plain words, and counts per folder.

use std::fmt;

/// One integrity problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Short name of the check that found it (`integrity`, `foreign_key`, `hop_count`, ...).
    pub check: &'static str,
    /// What is wrong, where, and what follows from it.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.detail)
    }
}

/// Stored rows of one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderCounts {
    pub account: String,
    pub folder: String,
    pub uid_validity: u32,
    pub highest_uid: u32,
    pub messages: u64,
    /// Rows in `hops` for the folder's messages.
    pub hop_rows: u64,
    /// Sum of the messages' `hop_count`; equals `hop_rows` in a healthy store.
    pub hop_count_sum: u64,
}

/// The result of checking a store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub problems: Vec<Problem>,
    pub folders: Vec<FolderCounts>,
    /// True when another process held the writer lock during the check; its scan is then
    /// running and not reported as interrupted.
    pub writer_active: bool,
}

impl VerifyReport {
    /// True when no check found a problem.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}
