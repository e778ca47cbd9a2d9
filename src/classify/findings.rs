//! Findings: weak protocols and ciphers on any hop, and a boundary without TLS.

use crate::hop::Hop;

use super::{Finding, Verdict};

/// Parts of a cipher suite name that make it weak: RC4 (RFC 7465), single and triple DES,
/// export-grade suites, NULL encryption, anonymous key exchange, and MD5 MACs.
const WEAK_CIPHER_PARTS: &[&str] = &[
    "RC4",
    "ARCFOUR",
    "DES",
    "3DES",
    "DES3",
    "CBC3",
    "DES40",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT1024",
    "NULL",
    "ADH",
    "AECDH",
    "ANON",
    "MD5",
];

/// True when the cipher suite name (OpenSSL `DES-CBC3-SHA` or IANA
/// `TLS_RSA_WITH_3DES_EDE_CBC_SHA` style) contains a weak part.
pub fn is_weak_cipher(cipher: &str) -> bool {
    cipher
        .as_bytes()
        .split(|&b| b == b'-' || b == b'_')
        .any(is_weak_part)
}

fn is_weak_part(part: &[u8]) -> bool {
    // Every weak part is 3 to 10 bytes long, so most parts are ruled out by length.
    (3..=10).contains(&part.len())
        && WEAK_CIPHER_PARTS
            .iter()
            .any(|weak| part.eq_ignore_ascii_case(weak.as_bytes()))
}

/// Returns the findings for hops in chronological order and the boundary verdict. A hop
/// whose version is not reported gives no protocol finding.
pub fn findings(hops: &[Hop], boundary: Option<usize>, verdict: Verdict) -> Vec<Finding> {
    let mut out = Vec::new();
    for hop in hops {
        if let Some(version) = hop.tls_version.filter(|v| v.is_weak()) {
            out.push(Finding::WeakProtocol {
                header_index: hop.header_index,
                version,
            });
        }
        if let Some(cipher) = hop.tls_cipher.as_deref().filter(|c| is_weak_cipher(c)) {
            out.push(Finding::WeakCipher {
                header_index: hop.header_index,
                cipher: cipher.to_string(),
            });
        }
    }
    if let Some(header_index) = boundary {
        match verdict {
            Verdict::Plaintext => out.push(Finding::PlaintextBoundary { header_index }),
            Verdict::Unverified => out.push(Finding::UnverifiedBoundary { header_index }),
            Verdict::Encrypted | Verdict::None => {}
        }
    }
    out
}

/// Returns, for each hop in chronological order, the seconds since the closest earlier hop
/// that has a date. `None` for the first dated hop and for hops without a date. A negative
/// delay means the two servers' clocks disagree (clock skew).
pub fn delays(hops: &[Hop]) -> Vec<Option<i64>> {
    delays_between(hops.iter().map(|hop| hop.date.map(|d| d.utc)))
}

/// Returns the delays for a sequence of hop times (seconds since the epoch, UTC).
pub fn delays_between(times: impl Iterator<Item = Option<i64>>) -> Vec<Option<i64>> {
    let mut previous: Option<i64> = None;
    times
        .map(|time| {
            let date = time?;
            let delay = previous.map(|p| date - p);
            previous = Some(date);
            delay
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_parts_fit_the_length_filter() {
        for weak in WEAK_CIPHER_PARTS {
            assert!((3..=10).contains(&weak.len()), "{weak}");
        }
    }
}
