//! Classification of a whole header block: the hops in order, the hop where the message
//! entered the recipient's organization (the boundary), and the verdict on that hop.
//!
//! Everything here is pure. What the audit knows about receiving servers from outside the
//! message (configuration, other stored messages) comes in through [`ReceiverKnowledge`].

mod analyze;
mod boundary;
mod findings;
pub mod org;
mod receivers;

use serde::Serialize;

use crate::hop::{Hop, TlsVersion};

pub use analyze::{Analysis, HopDetail, analyze};
pub use findings::{delays, is_weak_cipher};
pub use receivers::{ConfiguredReceivers, Layered, LearnedReceivers};

/// What the audit concludes about one hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The receiving server recorded TLS for this hand-off.
    Encrypted,
    /// No TLS recorded, and the receiving server is known to record TLS when it is used.
    Plaintext,
    /// No TLS recorded, and nothing shows that the receiving server would have recorded it.
    Unverified,
    /// There is no hop to judge (no Received header, or no boundary found).
    None,
}

impl Verdict {
    /// Returns the label used in JSON, CSV and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Encrypted => "encrypted",
            Verdict::Plaintext => "plaintext",
            Verdict::Unverified => "unverified",
            Verdict::None => "none",
        }
    }

    /// Parses a label written by [`Verdict::as_str`].
    pub fn from_label(label: &str) -> Option<Verdict> {
        [
            Verdict::Encrypted,
            Verdict::Plaintext,
            Verdict::Unverified,
            Verdict::None,
        ]
        .into_iter()
        .find(|v| v.as_str() == label)
    }
}

/// Why a receiving server is believed to record TLS when it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverEvidence {
    /// A `[[receivers]]` entry in the configuration says so.
    Configured,
    /// The same receiving host recorded TLS on other stored messages.
    Learned,
}

/// What the audit knows about receiving servers beyond the message being classified.
pub trait ReceiverKnowledge {
    /// Returns whether `by_host` is known to record TLS when a hand-off uses it:
    /// `Some((true, evidence))`, `Some((false, evidence))` when configured as not
    /// recording it, or `None` when nothing is known.
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)>;
}

/// Knowledge that knows nothing: every hop without a TLS note is unverified.
pub struct NoKnowledge;

impl ReceiverKnowledge for NoKnowledge {
    fn records_tls(&self, _by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        None
    }
}

/// The rule that produced a verdict, stored beside it so a report can say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictRule {
    /// The boundary hop's header records TLS.
    TlsRecorded,
    /// No TLS note, and configuration says the receiving server records TLS.
    NoTlsConfiguredReceiver,
    /// No TLS note, and the receiving host recorded TLS on other stored messages.
    NoTlsLearnedReceiver,
    /// No TLS note, and nothing is known about the receiving server.
    NoTlsUnknownReceiver,
    /// No TLS note, and configuration says the receiving server never records TLS.
    NoTlsReceiverDoesNotRecord,
    /// The message has no Received header.
    NoReceivedHeader,
    /// No hop was received by the organization.
    NoBoundaryFound,
}

impl VerdictRule {
    /// Returns the label stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictRule::TlsRecorded => "tls_recorded",
            VerdictRule::NoTlsConfiguredReceiver => "no_tls_configured_receiver",
            VerdictRule::NoTlsLearnedReceiver => "no_tls_learned_receiver",
            VerdictRule::NoTlsUnknownReceiver => "no_tls_unknown_receiver",
            VerdictRule::NoTlsReceiverDoesNotRecord => "no_tls_receiver_does_not_record",
            VerdictRule::NoReceivedHeader => "no_received_header",
            VerdictRule::NoBoundaryFound => "no_boundary_found",
        }
    }
}

/// The hop where the message entered the recipient's organization, and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Boundary {
    /// Index of the boundary's Received header (0 is the topmost), or `None`.
    pub header_index: Option<usize>,
    pub verdict: Verdict,
    pub rule: VerdictRule,
}

/// A problem worth an officer's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A hop used SSLv2, SSLv3, TLS 1.0 or TLS 1.1.
    WeakProtocol {
        header_index: usize,
        version: TlsVersion,
    },
    /// A hop used a cipher suite with RC4, DES, 3DES, EXPORT, NULL, anonymous key exchange
    /// or MD5 MACs.
    WeakCipher { header_index: usize, cipher: String },
    /// The boundary hop recorded no TLS at a server known to record it.
    PlaintextBoundary { header_index: usize },
    /// The boundary hop recorded no TLS, and the server may not record it.
    UnverifiedBoundary { header_index: usize },
}

/// Everything the audit reads out of one message's header block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// Domain of the From address as written, lowercased (`lists.example.com` stays whole).
    pub sender_domain: Option<String>,
    pub message_id: Option<String>,
    /// The Date header, seconds since the Unix epoch, UTC.
    pub date_utc: Option<i64>,
    /// Hops in chronological order: the sending side first.
    pub hops: Vec<Hop>,
    pub boundary: Boundary,
    /// Whether every hop that crosses between organizations recorded TLS.
    pub path: Verdict,
    pub findings: Vec<Finding>,
}

/// What the classifier needs to know about the recipient's side: its domains, the gateways
/// that act for it, and which domains belong together.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The organization's own domains, lowercased, without a trailing dot.
    pub org_domains: Vec<String>,
    /// Third-party inbound gateways acting for the organization.
    pub gateways: Vec<String>,
    /// Groups of domains that count as one organization.
    pub provider_groups: Vec<Vec<String>>,
}

impl Policy {
    /// Builds the policy from the configuration's `[organization]` and `[[provider_groups]]`.
    pub fn from_config(config: &crate::config::Config) -> Policy {
        Policy {
            org_domains: normalize_domains(&config.organization.domains),
            gateways: normalize_domains(&config.organization.gateways),
            provider_groups: config
                .provider_groups
                .iter()
                .map(|group| normalize_domains(&group.domains))
                .collect(),
        }
    }
}

fn normalize_domains(domains: &[String]) -> Vec<String> {
    domains
        .iter()
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Returns the verdict and rule for a boundary hop received by `by_host` that recorded no
/// TLS.
pub fn verdict_without_tls(
    by_host: Option<&str>,
    knowledge: &dyn ReceiverKnowledge,
) -> (Verdict, VerdictRule) {
    let known = by_host.and_then(|host| knowledge.records_tls(&host.to_ascii_lowercase()));
    match known {
        Some((true, ReceiverEvidence::Configured)) => {
            (Verdict::Plaintext, VerdictRule::NoTlsConfiguredReceiver)
        }
        Some((true, ReceiverEvidence::Learned)) => {
            (Verdict::Plaintext, VerdictRule::NoTlsLearnedReceiver)
        }
        Some((false, _)) => (Verdict::Unverified, VerdictRule::NoTlsReceiverDoesNotRecord),
        None => (Verdict::Unverified, VerdictRule::NoTlsUnknownReceiver),
    }
}

/// Classifies one header block: a whole message or its header fields, LF or CRLF. Reading
/// stops at the first empty line. Never fails; a block without Received headers gives no
/// hops and the verdict `none`.
pub fn classify(
    header: &[u8],
    policy: &Policy,
    knowledge: &dyn ReceiverKnowledge,
) -> Classification {
    analyze::classify(header, policy, knowledge)
}
