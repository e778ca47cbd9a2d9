//! Marker phrases searched for anywhere in a header, found in one pass.
//!
//! Each phrase is matched ignoring ASCII case. One automaton, built on first use, finds
//! them all, so a header is scanned once however many phrases there are.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

/// A phrase that means something wherever it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Marker {
    /// Postfix pickup: `(Postfix, from userid 1002)`.
    FromUserid,
    /// smail: `via smail from stdin`.
    FromStdin,
    /// IIS: `from mail pickup service by host`.
    PickupService,
    /// OpenSMTPD: `(host [local])`.
    LocalSocket,
    /// Cyrus: `([unix socket])`.
    UnixSocket,
    /// sendmail: `(localhost [[UNIX: localhost]])`.
    UnixColon,
    /// Webmail: `(via HTTP)`, `via HTTP`.
    ViaHttp,
    /// sendmail `(authenticated bits=0)`, Postfix `(Authenticated sender: x)`.
    Authenticated,
    /// `(AUTH: LOGIN user)`.
    AuthColon,
    /// CommuniGate: `(account user HELO x)`.
    Account,
    /// Yahoo: `(user@192.0.2.1 with plain)`.
    WithPlain,
    /// Yahoo: `(user@192.0.2.1 with login)`.
    WithLogin,
    /// Microsoft: `with Microsoft SMTPSVC over TLS secured channel`.
    TlsSecuredChannel,
    /// Mimecast: `with ESMTP with STARTTLS`.
    WithStarttls,
}

const PATTERNS: [(Marker, &str); 14] = [
    (Marker::FromUserid, "from userid"),
    (Marker::FromStdin, "from stdin"),
    (Marker::PickupService, "pickup service"),
    (Marker::LocalSocket, "[local]"),
    (Marker::UnixSocket, "[unix socket]"),
    (Marker::UnixColon, "[unix:"),
    (Marker::ViaHttp, "via http"),
    (Marker::Authenticated, "authenticated"),
    (Marker::AuthColon, "auth:"),
    (Marker::Account, "(account "),
    (Marker::WithPlain, " with plain)"),
    (Marker::WithLogin, " with login)"),
    (Marker::TlsSecuredChannel, "tls secured channel"),
    (Marker::WithStarttls, "with starttls"),
];

static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(PATTERNS.map(|(_, pattern)| pattern))
        .expect("the marker patterns are valid")
});

/// The markers found in one header, with where each first starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Found {
    bits: u32,
    starts: [u32; PATTERNS.len()],
}

impl Found {
    /// Returns true when `marker` occurs.
    pub fn has(&self, marker: Marker) -> bool {
        self.bits & (1 << marker as u8) != 0
    }

    /// Returns where the first occurrence of `marker` starts.
    pub fn start(&self, marker: Marker) -> Option<usize> {
        self.has(marker)
            .then(|| self.starts[marker as usize] as usize)
    }
}

/// Finds every marker in `text`. `authenticated` counts only as a word of its own, so
/// `unauthenticated` is not an authentication note.
pub fn scan(text: &str) -> Found {
    let mut found = Found::default();
    let bytes = text.as_bytes();
    for hit in AUTOMATON.find_overlapping_iter(text) {
        let index = hit.pattern().as_usize();
        let marker = PATTERNS[index].0;
        let glued = marker == Marker::Authenticated
            && hit.start() > 0
            && bytes[hit.start() - 1].is_ascii_alphabetic();
        if glued || found.has(marker) {
            continue;
        }
        found.bits |= 1 << index;
        found.starts[index] = u32::try_from(hit.start()).unwrap_or(u32::MAX);
    }
    found
}
