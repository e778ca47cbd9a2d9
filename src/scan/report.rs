//! The run's result: per folder, per account and in total, as a text table or one JSON
//! object on standard output, and the exit code it implies.

use serde::Serialize;

use crate::exit;
use crate::store::{FolderKey, ScanStatus};

use super::commit::Totals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderStatus {
    Complete,
    /// Read to the end, but some messages failed.
    Partial,
    Failed,
    Interrupted,
}

#[derive(Debug, Clone, Serialize)]
pub struct FolderReport {
    pub account: String,
    pub folder: String,
    pub status: FolderStatus,
    pub uid_validity: Option<u32>,
    pub messages_seen: u64,
    pub messages_new: u64,
    pub errors: u64,
    /// Stored messages marked not present by a full scan.
    pub marked_missing: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FolderReport {
    pub fn new(key: &FolderKey) -> FolderReport {
        FolderReport {
            account: key.account.clone(),
            folder: key.folder.clone(),
            status: FolderStatus::Complete,
            uid_validity: None,
            messages_seen: 0,
            messages_new: 0,
            errors: 0,
            marked_missing: 0,
            error: None,
        }
    }

    pub fn add(&mut self, totals: &Totals) {
        self.messages_seen += totals.seen;
        self.messages_new += totals.new;
        self.errors += totals.errors;
    }
}

/// An account that could not be scanned at all (credentials, connection, login, LIST).
#[derive(Debug, Clone, Serialize)]
pub struct AccountFailure {
    pub account: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    pub scan_id: i64,
    pub status: &'static str,
    pub messages_seen: u64,
    pub messages_new: u64,
    /// Failed messages, folders and accounts.
    pub errors: u64,
    pub seconds: f64,
    pub verdicts_changed: u64,
    pub database: String,
    pub folders: Vec<FolderReport>,
    pub failed_accounts: Vec<AccountFailure>,
}

impl ScanSummary {
    /// Totals the folders and decides the run's status.
    pub fn status_of(
        folders: &[FolderReport],
        failed_accounts: usize,
        interrupted: bool,
    ) -> ScanStatus {
        let scanned = folders.iter().any(|f| f.status != FolderStatus::Failed);
        if interrupted {
            ScanStatus::Interrupted
        } else if !scanned && (failed_accounts > 0 || !folders.is_empty()) {
            ScanStatus::Failed
        } else if failed_accounts > 0 || folders.iter().any(|f| f.status != FolderStatus::Complete)
        {
            ScanStatus::Partial
        } else {
            ScanStatus::Complete
        }
    }

    /// 0 when everything was read, 2 when nothing could be, 1 otherwise (including an
    /// interrupted run).
    pub fn exit_code(&self) -> u8 {
        match self.status {
            "complete" => exit::SUCCESS,
            "failed" => exit::FAILURE,
            _ => exit::PARTIAL,
        }
    }

    /// The human summary: one line per folder, then the totals.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let width = self
            .folders
            .iter()
            .map(|f| f.account.len() + f.folder.len() + 1)
            .max()
            .unwrap_or(6)
            .max(6);
        out.push_str(&format!(
            "{:<width$}  {:>8}  {:>8}  {:>6}  status\n",
            "folder", "seen", "new", "errors"
        ));
        for f in &self.folders {
            let name = format!("{}/{}", f.account, f.folder);
            let status = match &f.error {
                Some(error) => format!("{:?}: {error}", f.status).to_lowercase(),
                None => format!("{:?}", f.status).to_lowercase(),
            };
            out.push_str(&format!(
                "{name:<width$}  {:>8}  {:>8}  {:>6}  {status}\n",
                f.messages_seen, f.messages_new, f.errors
            ));
        }
        for a in &self.failed_accounts {
            out.push_str(&format!("account {}: failed: {}\n", a.account, a.error));
        }
        out.push_str(&format!(
            "scan {} {}: {} messages seen, {} new, {} errors, {} stored verdicts revised from learned receivers, {:.1} s; database {}\n",
            self.scan_id, self.status, self.messages_seen, self.messages_new, self.errors, self.verdicts_changed, self.seconds, self.database
        ));
        out
    }
}
