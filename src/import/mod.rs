//! `hopaudit import`: header blocks from mbox files, Maildir folders and folders of `.eml`
//! files, classified and stored like a scan's.
//!
//! Each source path becomes one store folder under the chosen account, named by its
//! absolute path. Files have no IMAP UID, so each imported message is keyed by the
//! SHA-256 of its header block ([`crate::store::HeaderDigest`]): importing a path again
//! stores only header blocks the folder does not hold yet, whether they were appended to
//! the mbox, added to the Maildir, or moved between `new/` and `cur/`. New messages get
//! UIDs counting up from the folder's highest UID, under a fixed UIDVALIDITY of
//! [`IMPORT_UID_VALIDITY`]. The same header block twice in one folder is stored once.
//!
//! Only the header section of each message is read (up to the first empty line), and
//! bodies are skipped, so memory stays at one window of headers.

mod lines;
mod mbox;
mod receivers;
mod run;
mod source;

use std::path::PathBuf;

use serde::Serialize;

pub use receivers::ConfiguredReceivers;
pub use run::run;

use crate::exit;
use crate::store::{ScanId, ScanStatus};

/// UIDVALIDITY of every imported folder; its messages are keyed by header digest.
pub const IMPORT_UID_VALIDITY: u32 = 1;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Account name the folders are filed under.
    pub account: String,
    /// mbox files, Maildir folders or folders of `.eml` files.
    pub paths: Vec<PathBuf>,
}

/// Totals of one import, printed like a scan's summary.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub messages_seen: u64,
    pub messages_new: u64,
    /// Source paths read without a path-level error.
    pub folders: u64,
    pub errors: u64,
    pub seconds: f64,
    #[serde(skip)]
    pub status: ScanStatus,
    #[serde(skip)]
    pub scan: ScanId,
}

impl ImportSummary {
    /// Returns the exit code: 0 when everything was read, 1 when some files or messages
    /// failed, 2 when nothing could be read.
    pub fn exit_code(&self) -> u8 {
        match self.status {
            ScanStatus::Complete => exit::SUCCESS,
            ScanStatus::Partial => exit::PARTIAL,
            ScanStatus::Failed | ScanStatus::Interrupted => exit::FAILURE,
        }
    }
}
