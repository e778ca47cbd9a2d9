//! One `Received` header turned into a hop: who handed the message to whom, how, and
//! whether the receiving server wrote down that the hand-off used TLS.
//!
//! Parsing is pure: it takes the header's raw bytes and returns a [`Hop`]. It never fails,
//! because a header that cannot be read is evidence too: it becomes a hop of kind
//! [`HopKind::Unknown`] with `parsed == false` and its raw text kept.

mod address;
mod baseline;
mod claim;
mod clause;
mod date;
mod kind;
mod lex;
mod markers;
mod parse;
mod protocol;
mod tls_facts;
mod tls_note;

use serde::Serialize;

pub use kind::Reason as KindReason;
pub use parse::{ParsedHop, parse_hop};

/// TLS or SSL protocol version that a Received header states.
///
/// A header that records TLS without a version (sendmail's `TLSv1/SSLv3`, Postfix's
/// `using TLS with cipher ...`, a bare `ESMTPS`) has no version: callers hold
/// `Option<TlsVersion>` and `None` means "not reported", never a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TlsVersion {
    #[serde(rename = "SSLv2")]
    Ssl2,
    #[serde(rename = "SSLv3")]
    Ssl3,
    #[serde(rename = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// Every version, oldest first.
    pub const ALL: [TlsVersion; 6] = [
        TlsVersion::Ssl2,
        TlsVersion::Ssl3,
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    /// Returns the label used in JSON, CSV and the database (`"TLSv1.2"`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Ssl2 => "SSLv2",
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }

    /// Parses a label written by [`TlsVersion::as_str`].
    pub fn from_label(label: &str) -> Option<TlsVersion> {
        TlsVersion::ALL.into_iter().find(|v| v.as_str() == label)
    }

    /// True for the versions that current guidance (RFC 6176, RFC 7568, RFC 8996) forbids:
    /// SSLv2, SSLv3, TLS 1.0 and TLS 1.1.
    pub fn is_weak(self) -> bool {
        self < TlsVersion::Tls12
    }
}

/// What kind of hand-off a hop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HopKind {
    /// Inside one machine: loopback, `localhost`, the same host on both sides,
    /// `from userid`, LMTP over a local socket.
    Local,
    /// A client handing mail to its own server: authenticated SMTP (`ESMTPSA`), webmail,
    /// HTTP APIs, MAPI.
    Submission,
    /// Server to server.
    Relay,
    /// The header could not be read well enough to tell.
    Unknown,
}

impl HopKind {
    /// Returns the label used in JSON, CSV and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Local => "local",
            HopKind::Submission => "submission",
            HopKind::Relay => "relay",
            HopKind::Unknown => "unknown",
        }
    }

    /// Parses a label written by [`HopKind::as_str`].
    pub fn from_label(label: &str) -> Option<HopKind> {
        [
            HopKind::Local,
            HopKind::Submission,
            HopKind::Relay,
            HopKind::Unknown,
        ]
        .into_iter()
        .find(|k| k.as_str() == label)
    }
}

/// The moment a receiving server stamped on its Received header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HopDate {
    /// Seconds since the Unix epoch, UTC.
    pub utc: i64,
    /// The offset the server wrote, in minutes east of UTC (`-0400` is -240).
    pub offset_minutes: i32,
}

/// One hand-off, read from one Received header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Position of the header in the message: 0 is the topmost, written last.
    pub header_index: usize,
    /// The sending host as the receiving server recorded it (HELO name or reverse DNS).
    pub from_host: Option<String>,
    /// The sending IP address, as written (IPv6 keeps its `IPv6:` prefix stripped).
    pub from_ip: Option<String>,
    /// The receiving host: the server that wrote this header.
    pub by_host: Option<String>,
    /// The `with` protocol exactly as written (`ESMTPS`, `esmtps`, `Microsoft SMTP Server`).
    pub protocol: Option<String>,
    /// True when the header records that this hand-off used TLS or SSL.
    pub tls: bool,
    /// The negotiated version, or `None` when the header does not state one.
    pub tls_version: Option<TlsVersion>,
    /// The cipher suite as written.
    pub tls_cipher: Option<String>,
    /// The text that showed TLS (`with ESMTPS`, `using TLSv1.3 with cipher ...`).
    pub tls_evidence: Option<String>,
    pub kind: HopKind,
    pub date: Option<HopDate>,
    /// False when the header could not be read as a Received header at all.
    pub parsed: bool,
    /// The header value exactly as received, without the `Received:` name. Kept byte for
    /// byte as evidence; display it escaped.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// Reads one Received header value (without the `Received:` name) at position
/// `header_index` (0 is the topmost). Never fails; see [`parse_hop`] for the extra facts.
pub fn parse(raw: &[u8], header_index: usize) -> Hop {
    parse_hop(raw, header_index).hop
}

/// Reads a date stamp as written in a Received header (`Mon, 19 Aug 2019 10:41:21 -0400`).
pub fn parse_date(text: &str) -> Option<HopDate> {
    date::parse(text)
}

/// Returns true when `address` is a loopback address (127.0.0.0/8, `::1`, or IPv4-mapped
/// loopback).
pub fn is_loopback_address(address: &str) -> bool {
    address::is_loopback(address)
}

/// Returns true when `address` is not routed on the public internet (RFC 1918, RFC 6598,
/// link-local, IPv6 unique-local).
pub fn is_private_address(address: &str) -> bool {
    address::is_private(address)
}

/// Like [`is_private_address`], for a parsed address.
pub fn is_private_ip(address: std::net::IpAddr) -> bool {
    address::is_private_ip(address)
}
