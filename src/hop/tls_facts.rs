//! The TLS fields of one hop, from every statement a header makes about TLS: a note in a
//! comment, TLS words in the protocol, a TLS phrase and an RFC 3848 protocol name.
//!
//! mail-parser's TLS version and cipher are not used. It takes them from any comment, the
//! text the sender chose included, and on the labelled corpus they add nothing to what the
//! note reader finds.

use super::TlsVersion;
use super::markers::{Found, Marker};
use super::protocol::{Meaning, With};
use super::tls_note::{Note, VersionWord};

/// The TLS fields of a hop.
pub struct TlsFacts {
    pub version: Option<TlsVersion>,
    pub cipher: Option<String>,
    /// The text that showed TLS; `None` when the header records no TLS.
    pub evidence: Option<String>,
}

/// Combines the TLS statements of one header, in the order of the module overview.
pub fn tls_facts(
    text: &str,
    found: &Found,
    note: Option<Note<'_>>,
    with: &With<'_>,
    meaning: Option<Meaning>,
) -> TlsFacts {
    let mut evidence = Evidence::default();
    if let Some(protocol) = with
        .protocol
        .as_deref()
        .filter(|_| meaning.is_some_and(|m| m.tls))
    {
        evidence.push(&["with ", protocol]);
    }
    if let Some(words) = with.tls_words {
        evidence.push(&["with ", words]);
    }
    if let Some(note) = note {
        evidence.push(&["(", note.evidence, ")"]);
    } else if let Some(phrase) = tls_phrase(text, found) {
        evidence.push(&[phrase]);
    }
    // mail-parser reads `TLSv1/SSLv3` as TLS 1.0; the note reader recognizes a family label.
    let version = match note.and_then(|n| n.version) {
        Some(VersionWord::Stated(version)) => Some(version),
        Some(VersionWord::Family | VersionWord::Unstated) => None,
        None => None,
    };
    let cipher = if evidence.is_empty() {
        None
    } else {
        note.and_then(|n| n.cipher)
            .or(with.cipher)
            .map(str::to_string)
    };
    TlsFacts {
        version,
        cipher,
        evidence: evidence.finish(),
    }
}

/// Bytes reserved for the evidence text: most are under 100 bytes, so one allocation.
const EVIDENCE_CAPACITY: usize = 96;

/// The evidence text: statements joined by `; `, with every run of white space and every
/// fold collapsed to one space.
#[derive(Default)]
struct Evidence {
    text: String,
    statements: usize,
    /// White space was seen since the last word, so the next word gets a space.
    space_pending: bool,
}

impl Evidence {
    /// Appends one statement, written as the concatenation of `parts`.
    fn push(&mut self, parts: &[&str]) {
        if self.statements > 0 {
            self.append("; ");
        }
        self.statements += 1;
        for part in parts {
            self.append(part);
        }
    }

    fn append(&mut self, part: &str) {
        for (index, word) in part.split_ascii_whitespace().enumerate() {
            let space_before = index > 0 || part.starts_with(|c: char| c.is_ascii_whitespace());
            if (self.space_pending || space_before) && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.space_pending = false;
            if self.text.capacity() == 0 {
                self.text.reserve(EVIDENCE_CAPACITY);
            }
            self.text.push_str(word);
        }
        self.space_pending |= part.ends_with(|c: char| c.is_ascii_whitespace());
    }

    fn is_empty(&self) -> bool {
        self.statements == 0
    }

    fn finish(self) -> Option<String> {
        (self.statements > 0).then_some(self.text)
    }
}

/// Returns a phrase that states TLS without a version: Microsoft's `over TLS secured
/// channel`, or Mimecast's `with ESMTP with STARTTLS`.
fn tls_phrase<'a>(text: &'a str, found: &Found) -> Option<&'a str> {
    [(Marker::TlsSecuredChannel, 19), (Marker::WithStarttls, 13)]
        .into_iter()
        .find_map(|(marker, length)| found.start(marker).map(|at| &text[at..at + length]))
}

#[cfg(test)]
mod tests {
    use super::Evidence;

    #[test]
    fn evidence_collapses_white_space() {
        let mut evidence = Evidence::default();
        evidence.push(&["with ", "ESMTPS"]);
        evidence.push(&["(", "using TLSv1.3 with\r\n\tcipher  X", ")"]);
        assert_eq!(
            evidence.finish().as_deref(),
            Some("with ESMTPS; (using TLSv1.3 with cipher X)")
        );
    }

    #[test]
    fn evidence_keeps_empty_statements() {
        let mut evidence = Evidence::default();
        evidence.push(&["(", "", ")"]);
        evidence.push(&["", ""]);
        evidence.push(&[" b "]);
        assert_eq!(evidence.finish().as_deref(), Some("(); ; b"));
    }
}
