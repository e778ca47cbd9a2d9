//! Plain-language words for stored labels: verdict rules, finding kinds, and where a hop
//! sits relative to the boundary.

use serde::Serialize;

/// Position of a hop relative to the boundary hop (header index 0 is the topmost header,
/// written last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Written by the organization's servers after the message entered it.
    Inside,
    /// The hop where the message entered the organization.
    Boundary,
    /// Written before the message reached the organization, by servers outside its
    /// control; such a header can be forged.
    Outside,
}

impl Position {
    /// Returns the position of `header_index`, or `None` when the message has no boundary.
    pub fn of(header_index: u32, boundary_index: Option<u32>) -> Option<Position> {
        let boundary = boundary_index?;
        Some(match header_index.cmp(&boundary) {
            std::cmp::Ordering::Less => Position::Inside,
            std::cmp::Ordering::Equal => Position::Boundary,
            std::cmp::Ordering::Greater => Position::Outside,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Position::Inside => "inside",
            Position::Boundary => "boundary",
            Position::Outside => "outside",
        }
    }
}

/// Returns the reason behind a stored verdict rule in words.
pub fn verdict_rule(label: &str) -> &'static str {
    match label {
        "tls_recorded" => "The boundary server recorded TLS for this hand-off.",
        "no_tls_configured_receiver" => {
            "No TLS recorded, and the configuration says this receiving server records TLS when it is used."
        }
        "no_tls_learned_receiver" => {
            "No TLS recorded, and this receiving server recorded TLS on other stored messages."
        }
        "no_tls_unknown_receiver" => {
            "No TLS recorded, and nothing shows that this receiving server would have recorded it."
        }
        "no_tls_receiver_does_not_record" => {
            "No TLS recorded, and the configuration says this receiving server never records TLS."
        }
        "no_received_header" => "The message has no Received header.",
        "no_boundary_found" => {
            "No Received header was written by the organization's servers, so the point of entry is unknown."
        }
        _ => "Verdict rule not known to this version of hopaudit.",
    }
}

/// Subject of an exception row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    PlaintextBoundary,
    UnverifiedBoundary,
    NoBoundary,
    WeakProtocol,
    WeakCipher,
}

impl ExceptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::PlaintextBoundary => "plaintext_boundary",
            ExceptionKind::UnverifiedBoundary => "unverified_boundary",
            ExceptionKind::NoBoundary => "no_boundary",
            ExceptionKind::WeakProtocol => "weak_protocol",
            ExceptionKind::WeakCipher => "weak_cipher",
        }
    }

    /// Parses a kind stored in the findings table.
    pub fn from_stored(kind: &str) -> Option<ExceptionKind> {
        match kind {
            "weak_protocol" => Some(ExceptionKind::WeakProtocol),
            "weak_cipher" => Some(ExceptionKind::WeakCipher),
            _ => None,
        }
    }

    /// Returns a sentence about a weak finding with its `detail` (version or cipher).
    pub fn describe_weak(self, detail: &str) -> String {
        match self {
            ExceptionKind::WeakProtocol => format!(
                "The hand-off used {detail}, a protocol version that {} forbids.",
                forbidding_rfc(detail)
            ),
            ExceptionKind::WeakCipher => {
                format!("The hand-off used the weak cipher suite {detail}.")
            }
            _ => String::new(),
        }
    }
}

/// Returns the RFC that forbids a weak protocol version.
fn forbidding_rfc(version: &str) -> &'static str {
    match version {
        "SSLv2" => "RFC 6176",
        "SSLv3" => "RFC 7568",
        _ => "RFC 8996",
    }
}
