//! The facts of a report, as `report.json` carries them and `report.html` shows them.
//! Every text value here is already escaped with [`super::text::visible`].

use serde::{Serialize, Serializer};

use super::exceptions::Exception;
use super::tally::{ExclusionCounts, Share, VerdictCounts, format_change};

/// Version of the `report.json` layout; raised when a field changes meaning or goes away.
pub const FORMAT_VERSION: u32 = 1;

impl Serialize for Share {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.percent())
    }
}

/// A change in percentage points, kept in tenths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change(pub i64);

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0 as f64 / 10.0)
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_change(self.0))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    /// UTC, ISO 8601; from `SOURCE_DATE_EPOCH` when set.
    pub generated_at: String,
    pub hopaudit_version: String,
    pub organization: OrganizationFacts,
    pub period: PeriodFacts,
    pub selection: SelectionFacts,
    pub coverage: Vec<AccountCoverage>,
    /// Configured accounts with no stored folder.
    pub accounts_not_scanned: Vec<String>,
    pub messages: MessageCounts,
    pub scans: Vec<ScanFacts>,
    pub summary: Summary,
    pub months: Vec<MonthFacts>,
    /// Every sender domain, most messages first.
    pub domains: Vec<DomainFacts>,
    pub exceptions: ExceptionFacts,
    pub sign_off: SignOff,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganizationFacts {
    /// `organization.name`, else the domains joined with commas.
    pub name: String,
    pub domains: Vec<String>,
    pub gateways: Vec<String>,
}

/// Days are `YYYY-MM-DD`; `before` is the first day after the period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFacts {
    pub since: Option<String>,
    pub before: Option<String>,
    /// Date of the oldest and newest counted message.
    pub first_message: Option<String>,
    pub last_message: Option<String>,
    pub previous_since: Option<String>,
    pub previous_before: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelectionFacts {
    /// `--account` values; empty means all.
    pub accounts: Vec<String>,
    /// `--domain` values; empty means all.
    pub sender_domains: Vec<String>,
    pub dedupe_message_id: bool,
    pub accounts_redacted: bool,
    /// Folder patterns of the configured accounts when the report was written; a scan
    /// may have run with other patterns.
    pub folder_rules: Vec<FolderRuleFacts>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FolderRuleFacts {
    pub account: String,
    pub folders: Vec<String>,
    pub exclude_folders: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountCoverage {
    pub account: String,
    pub folders: Vec<FolderFacts>,
    /// Failures of the account as a whole (login, folder list).
    pub account_errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FolderFacts {
    pub name: String,
    pub uid_validity: u32,
    pub highest_uid: u32,
    pub last_scan_id: Option<i64>,
    /// Messages in the period and domain selection, present or not.
    pub selected: u64,
    pub counted: u64,
    pub unreadable_messages: u64,
    pub folder_errors: u64,
}

/// Counts of stored messages by outcome: `stored` equals the sum of the other counts except
/// `unreadable_messages` and `other_errors`, which count failures that never became rows.
#[derive(Debug, Clone, Serialize)]
pub struct MessageCounts {
    pub stored: u64,
    pub other_accounts: u64,
    pub other_sender_domains: u64,
    pub outside_period: u64,
    #[serde(flatten)]
    pub excluded: ExclusionCounts,
    pub counted: u64,
    pub unreadable_messages: u64,
    pub other_errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanFacts {
    pub id: i64,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub version: String,
    pub config_digest: Option<String>,
    pub messages_seen: u64,
    pub messages_new: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// No message counted, so there is no share to judge.
    NoData,
}

impl Outcome {
    /// Returns the CSS class and JSON label.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NoData => "no_data",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::NoData => "NO DATA",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub counted: u64,
    pub verdicts: VerdictCounts,
    pub encrypted_percent: Option<Share>,
    pub plaintext_percent: Option<Share>,
    pub unverified_percent: Option<Share>,
    pub none_percent: Option<Share>,
    /// Boundary hops by TLS version, with "not reported", "no TLS" and "no boundary".
    pub tls_versions: Vec<MixEntry>,
    pub weak_protocol_findings: u64,
    pub weak_cipher_findings: u64,
    pub messages_with_weak_findings: u64,
    pub pass_threshold: f64,
    pub result: Outcome,
    pub previous_counted: Option<u64>,
    pub previous_encrypted_percent: Option<Share>,
    pub encrypted_percent_change: Option<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MixEntry {
    pub label: &'static str,
    pub messages: u64,
    pub percent: Option<Share>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthFacts {
    /// `YYYY-MM` of the Date header.
    pub month: String,
    pub verdicts: VerdictCounts,
    pub encrypted_percent: Option<Share>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainFacts {
    /// `None` for messages without a readable From domain.
    pub domain: Option<String>,
    pub counts: VerdictCounts,
    pub tls_percent: Option<Share>,
    pub min_tls_version: Option<&'static str>,
    pub max_tls_version: Option<&'static str>,
    pub most_common_tls_version: Option<&'static str>,
    pub tls_version_not_reported: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub weak_protocol_findings: u64,
    pub weak_cipher_findings: u64,
    pub previous_messages: Option<u64>,
    pub previous_tls_percent: Option<Share>,
    pub tls_percent_change: Option<Change>,
}

impl DomainFacts {
    pub fn messages(&self) -> u64 {
        self.counts.total()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionFacts {
    /// Every exception; `findings.csv` lists them all.
    pub total: u64,
    /// The most listed here.
    pub limit: usize,
    pub listed: Vec<Exception>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SignOff {
    pub prepared_by: Option<String>,
    pub reviewed_by: Option<String>,
    pub approved_by: Option<String>,
}
