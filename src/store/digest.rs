//! The key that makes imports idempotent: SHA-256 of a message's header block.
//!
//! Files have no IMAP UID, and positions in an mbox shift when a message is deleted, so an
//! imported message is known by the digest of its header bytes. The same header block met
//! again (a second import, a Maildir file renamed when its flags change, an `.eml` copied
//! twice) is stored once per folder.

use sha2::{Digest, Sha256};

/// SHA-256 of one message's header block, byte for byte as read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderDigest(pub [u8; 32]);

impl HeaderDigest {
    /// Hashes a header block.
    pub fn of(header: &[u8]) -> HeaderDigest {
        HeaderDigest(Sha256::digest(header).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_known_sha256() {
        // SHA-256 of "abc" from FIPS 180-2, appendix B.1.
        let digest = HeaderDigest::of(b"abc");
        assert_eq!(digest.0[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(digest.0[28..], [0xf2, 0x00, 0x15, 0xad]);
    }
}
