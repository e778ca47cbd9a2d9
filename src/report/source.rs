//! The narrow read interface a report needs from the store. The store implements it in
//! `store::sqlite::report`, so the report module contains no SQL.
//!
//! Messages and hops are streamed folder by folder in a fixed order, so a report over
//! millions of messages never holds them all in memory.

use std::borrow::Cow;

use crate::classify::Verdict;
use crate::hop::TlsVersion;

use super::ReportError;

/// One stored folder of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// Row id in the store, used to ask for the folder's messages.
    pub id: i64,
    pub account: String,
    pub name: String,
    pub uid_validity: u32,
    pub highest_uid: u32,
    pub last_scan_id: Option<i64>,
}

/// Selection of a folder's messages to stream.
#[derive(Debug, Clone, Copy)]
pub struct MessageFilter<'a> {
    /// Only messages whose Date header is at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Only messages whose Date header is before this time.
    pub before: Option<i64>,
    /// Only these sender domains; empty means all.
    pub domains: &'a [String],
}

/// How many stored messages of a folder a filter leaves out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilteredCounts {
    /// Every stored message of the folder.
    pub stored: u64,
    /// Messages whose sender domain is not selected.
    pub other_domains: u64,
    /// Messages of the selected domains dated outside the period, or without a Date header
    /// while a period is set.
    pub outside_period: u64,
}

/// One Received header as stored. Text borrows from the database row while a pass streams
/// hops, so millions of rows cost no allocation; [`HopRow::into_owned`] keeps one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HopRow<'a> {
    pub header_index: u32,
    pub from_host: Option<Cow<'a, str>>,
    pub from_ip: Option<Cow<'a, str>>,
    pub by_host: Option<Cow<'a, str>>,
    pub protocol: Option<Cow<'a, str>>,
    pub tls: bool,
    /// The label stored for the version (`TLSv1.2`), `None` when not reported.
    pub tls_version: Option<Cow<'a, str>>,
    pub tls_cipher: Option<Cow<'a, str>>,
    pub tls_evidence: Option<Cow<'a, str>>,
    pub kind: Cow<'a, str>,
    pub parsed: bool,
    pub date_utc: Option<i64>,
    /// Minutes east of UTC, as the server wrote it.
    pub date_offset: Option<i32>,
    /// The header value, byte for byte.
    pub raw: Cow<'a, [u8]>,
}

impl HopRow<'_> {
    /// The stored version, parsed; `None` when not reported or not a known label.
    pub fn version(&self) -> Option<TlsVersion> {
        self.tls_version.as_deref().and_then(TlsVersion::from_label)
    }

    /// Copies the borrowed text, so the row outlives the database row it came from.
    pub fn into_owned(self) -> HopRow<'static> {
        let own = |text: Option<Cow<'_, str>>| text.map(|t| Cow::Owned(t.into_owned()));
        HopRow {
            header_index: self.header_index,
            from_host: own(self.from_host),
            from_ip: own(self.from_ip),
            by_host: own(self.by_host),
            protocol: own(self.protocol),
            tls: self.tls,
            tls_version: own(self.tls_version),
            tls_cipher: own(self.tls_cipher),
            tls_evidence: own(self.tls_evidence),
            kind: Cow::Owned(self.kind.into_owned()),
            parsed: self.parsed,
            date_utc: self.date_utc,
            date_offset: self.date_offset,
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

/// A weak-protocol or weak-cipher finding as stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredFinding {
    pub header_index: Option<u32>,
    /// `weak_protocol` or `weak_cipher`.
    pub kind: String,
    /// The version or cipher suite.
    pub detail: Option<String>,
}

/// One stored message with its boundary hop and findings. Text borrows from the database
/// row, like [`HopRow`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow<'a> {
    /// Row id in the store, used to look up other hops of the message.
    pub row_id: i64,
    pub uid_validity: u32,
    pub uid: u32,
    pub scan_id: i64,
    pub present: bool,
    pub message_id: Option<Cow<'a, str>>,
    pub date_utc: Option<i64>,
    pub sender_domain: Option<Cow<'a, str>>,
    pub hop_count: u32,
    pub boundary_index: Option<u32>,
    pub verdict: Verdict,
    /// The stored [`crate::classify::VerdictRule`] label.
    pub verdict_rule: Cow<'a, str>,
    pub path_verdict: Verdict,
    pub boundary: Option<HopRow<'a>>,
    /// Sorted by header index, kind and detail.
    pub findings: Vec<StoredFinding>,
}

/// One hop with the key of its message, for `hops.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHop<'a> {
    pub uid_validity: u32,
    pub uid: u32,
    pub boundary_index: Option<u32>,
    pub hop: HopRow<'a>,
}

/// One run of `scan` or `import` from the evidence trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRow {
    pub id: i64,
    pub command: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: String,
    pub version: String,
    pub config_digest: Option<String>,
    pub messages_seen: u64,
    pub messages_new: u64,
    pub errors: u64,
}

/// Failures recorded for one account and folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCount {
    pub account: Option<String>,
    pub folder: Option<String>,
    /// Distinct messages that could not be read and were never stored later.
    pub unreadable_messages: u64,
    /// Failures that concern the folder or account as a whole (no UID).
    pub other_errors: u64,
}

/// Called once per streamed message, which borrows from the database row; an error stops
/// the stream and is returned.
pub type MessageVisit<'a> = dyn for<'row> FnMut(MessageRow<'row>) -> Result<(), ReportError> + 'a;

/// Called once per streamed hop, which borrows from the database row.
pub type HopVisit<'a> = dyn for<'row> FnMut(ListedHop<'row>) -> Result<(), ReportError> + 'a;

/// Read access a report needs from the store.
pub trait ReportSource {
    /// Returns every stored folder, ordered by account name and folder name.
    fn folders(&self) -> Result<Vec<FolderInfo>, ReportError>;

    /// Counts the folder's stored messages that `filter` leaves out.
    fn filtered_counts(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
    ) -> Result<FilteredCounts, ReportError>;

    /// Streams the folder's messages that pass `filter`, present or not, ordered by
    /// UIDVALIDITY and UID. Each row has its boundary hop when `with_boundary` is set, and
    /// none otherwise, which saves looking it up in the hops table.
    fn messages(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
        with_boundary: bool,
        visit: &mut MessageVisit<'_>,
    ) -> Result<(), ReportError>;

    /// Streams every hop of the folder's messages that pass `filter`, ordered by
    /// UIDVALIDITY, UID and header index.
    fn hops(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
        visit: &mut HopVisit<'_>,
    ) -> Result<(), ReportError>;

    /// Returns one hop of a message given by [`MessageRow::row_id`].
    fn hop(
        &self,
        message_row: i64,
        header_index: u32,
    ) -> Result<Option<HopRow<'static>>, ReportError>;

    /// Returns the scans with these ids, ordered by id.
    fn scans(&self, ids: &[i64]) -> Result<Vec<ScanRow>, ReportError>;

    /// Counts recorded failures per account and folder, ordered by account and folder.
    fn errors(&self) -> Result<Vec<ErrorCount>, ReportError>;

    /// Opens a second, independent reader of the same store, for a pass on another
    /// thread.
    fn open_reader(&self) -> Result<Box<dyn ReportSource + Send>, ReportError>;
}
