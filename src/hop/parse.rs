//! Reads one Received header into a [`Hop`]. mail-parser reads it first; its `by` host,
//! TLS version, cipher and date are used where this crate's clause reader finds none. Where
//! the two differ, the clause reader wins, because of the mail-parser errors listed in
//! [`super::baseline`].

use std::borrow::Cow;

use super::address::{self, Ends};
use super::clause::{self, Clauses};
use super::kind::{self, Reason, Signals};
use super::lex::{self, Item};
use super::markers::{self, Found, Marker};
use super::protocol::{self, Meaning, With};
use super::tls_note::{self, Note, VersionWord};
use super::{Hop, baseline, date};

/// A hop with the facts the classifier uses beyond the stored fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHop {
    pub hop: Hop,
    /// The reverse-DNS name of the sender from the TCP-info comment.
    pub from_rdns: Option<String>,
    /// The receiving server's own address, when written.
    pub by_ip: Option<String>,
    /// The name the client gave in HELO/EHLO, when the receiver recorded it.
    pub helo: Option<String>,
    pub kind_reason: Reason,
}

/// Reads the Received header value `raw` (without the field name), found at position
/// `header_index` (0 is the topmost). Never fails: unreadable input gives an unparsed hop.
pub fn parse_hop(raw: &[u8], header_index: usize) -> ParsedHop {
    let base = baseline::read(raw);

    let text = String::from_utf8_lossy(raw);
    let items = lex::items(&text);
    let clauses = Clauses::split(&items);
    let ends = address::ends(&clauses);
    let with = protocol::read(clauses.with_first());
    let meaning = with.protocol.as_deref().map(protocol::meaning);
    let note = tls_note::find(&items);
    let found = markers::scan(&text);
    let tls = tls_facts(&text, &found, note, &with, meaning, &base);
    let parsed = is_parsed(&clauses);
    let signals = signals(&text, &found, &clauses, &ends, meaning, parsed);
    let (kind, kind_reason) = kind::decide(&signals);
    let date = clause::date_text(&text, &items)
        .and_then(date::parse)
        .or(base.date);

    let hop = Hop {
        header_index,
        from_host: ends.from_host.map(str::to_string),
        from_ip: ends.from_ip.map(str::to_string),
        by_host: ends
            .by_host
            .map(str::to_string)
            .or(base.by_name.map(Cow::into_owned)),
        protocol: with.protocol.map(Cow::into_owned),
        tls: tls.evidence.is_some(),
        tls_version: tls.version,
        tls_cipher: tls.cipher,
        tls_evidence: tls.evidence,
        kind,
        date,
        parsed,
        raw: raw.to_vec(),
    };
    ParsedHop {
        hop,
        from_rdns: ends.from_rdns.map(str::to_string),
        by_ip: ends.by_ip.map(str::to_string),
        helo: ends.helo.map(str::to_string),
        kind_reason,
    }
}

struct TlsFacts {
    version: Option<super::TlsVersion>,
    cipher: Option<String>,
    evidence: Option<String>,
}

/// Combines the TLS statements: a TLS note in a comment, TLS words in the protocol, a TLS
/// phrase, an RFC 3848 protocol name, and, last, a version mail-parser saw in a comment.
fn tls_facts(
    text: &str,
    found: &Found,
    note: Option<Note<'_>>,
    with: &With<'_>,
    meaning: Option<Meaning>,
    base: &baseline::Baseline<'_>,
) -> TlsFacts {
    let mut evidence: Vec<Cow<'_, str>> = Vec::new();
    if let Some(protocol) = with
        .protocol
        .as_deref()
        .filter(|_| meaning.is_some_and(|m| m.tls))
    {
        evidence.push(Cow::Owned(format!("with {protocol}")));
    }
    if let Some(words) = with.tls_words {
        evidence.push(Cow::Owned(format!("with {words}")));
    }
    if let Some(note) = note {
        evidence.push(Cow::Owned(format!("({})", note.evidence)));
    } else if let Some(phrase) = tls_phrase(text, found) {
        evidence.push(Cow::Borrowed(phrase));
    }
    // mail-parser reads `TLSv1/SSLv3` as TLS 1.0; the note reader recognizes a family label.
    let version = match note.and_then(|n| n.version) {
        Some(VersionWord::Stated(version)) => Some(version),
        Some(VersionWord::Family | VersionWord::Unstated) => None,
        None if evidence.is_empty() => base.tls_version,
        None => None,
    };
    if evidence.is_empty()
        && let Some(version) = version
    {
        evidence.push(Cow::Owned(format!("{} in a comment", version.as_str())));
    }
    let cipher = note
        .and_then(|n| n.cipher)
        .or(with.cipher)
        .map(str::to_string)
        .or_else(|| base.cipher.as_deref().map(str::to_string))
        .filter(|_| !evidence.is_empty());
    let evidence = (!evidence.is_empty()).then(|| collapse_space(&evidence.join("; ")));
    TlsFacts {
        version,
        cipher,
        evidence,
    }
}

/// Returns a phrase that states TLS without a version: Microsoft's `over TLS secured
/// channel`, or Mimecast's `with ESMTP with STARTTLS`.
fn tls_phrase<'a>(text: &'a str, found: &Found) -> Option<&'a str> {
    [(Marker::TlsSecuredChannel, 19), (Marker::WithStarttls, 13)]
        .into_iter()
        .find_map(|(marker, length)| found.start(marker).map(|at| &text[at..at + length]))
}

/// Replaces folds and runs of white space with one space.
fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Returns true when the header has a clause keyword, or is qmail's clause-less
/// `(qmail 1234 invoked by uid 89)` or `(qmail 1234 invoked from network)`.
fn is_parsed(clauses: &Clauses<'_, '_>) -> bool {
    clauses.any_keyword || qmail_invocation(clauses).is_some()
}

/// Returns true for `(qmail N invoked by uid N)`, false for `(qmail N invoked from
/// network)`, None for anything else.
fn qmail_invocation(clauses: &Clauses<'_, '_>) -> Option<bool> {
    let comment = clauses.leading.iter().find_map(|item| match item {
        Item::Comment(c)
            if c.first_word()
                .is_some_and(|w| w.eq_ignore_ascii_case("qmail")) =>
        {
            Some(*c)
        }
        _ => None,
    })?;
    let by_uid = tls_note::find_ignore_case(comment.inner, "invoked by uid").is_some();
    let from_network = tls_note::find_ignore_case(comment.inner, "invoked from").is_some();
    (by_uid || from_network).then_some(by_uid)
}

fn signals(
    text: &str,
    found: &Found,
    clauses: &Clauses<'_, '_>,
    ends: &Ends<'_>,
    meaning: Option<Meaning>,
    parsed: bool,
) -> Signals {
    let meaning = meaning.unwrap_or(protocol::meaning(""));
    // IIS writes `from mail pickup service by host` for its pickup folder, and Mercury/32
    // `from Spooler by host` for its own queue.
    let spooler = ends.from_ip.is_none()
        && ends
            .from_host
            .is_some_and(|h| h.eq_ignore_ascii_case("spooler"));
    let local_program = found.has(Marker::FromUserid)
        || found.has(Marker::FromStdin)
        || found.has(Marker::PickupService)
        || spooler
        || qmail_invocation(clauses) == Some(true)
        || local_mailbox(ends);
    let pickup = clauses.from.is_none()
        && clauses.with.is_empty()
        && clauses
            .by
            .is_some_and(|body| clause::comments(body).any(|c| c.inner.starts_with("Postfix")));
    // Exim records a message that a local user submitted as `from LOGIN by host ... (Exim
    // 4.51)`: a bare login name, no address, whatever protocol name the submitter chose.
    let exim_comment =
        |body: &[Item<'_>]| clause::comments(body).any(|c| c.inner.starts_with("Exim"));
    let exim_login = ends.from_ip.is_none()
        && ends.from_host.is_some_and(|h| !h.contains('.'))
        && (clauses.by.is_some_and(exim_comment) || clauses.with.iter().any(|b| exim_comment(b)));
    let localhost = |h: &str| {
        h.eq_ignore_ascii_case("localhost") || h.eq_ignore_ascii_case("localhost.localdomain")
    };
    Signals {
        parsed,
        mapi: protocol_is(clauses, "mapi"),
        loopback_sender: ends.from_ip.is_some_and(address::is_loopback),
        local_socket: [Marker::LocalSocket, Marker::UnixSocket, Marker::UnixColon]
            .into_iter()
            .any(|m| found.has(m)),
        local_program: local_program || pickup || exim_login,
        retrieval: meaning.retrieval,
        same_host: same_host(ends),
        local_protocol: meaning.local,
        localhost_without_address: ends.from_ip.is_none() && ends.from_host.is_some_and(localhost),
        authenticated: meaning.authenticated
            || auth_note(text, found)
            || mailbox_sender(ends, clauses),
        client_api: meaning.client_api || found.has(Marker::ViaHttp),
        has_sender: ends.from_host.is_some()
            || ends.from_ip.is_some()
            || ends.from_mailbox.is_some()
            || clauses.from.is_some(),
    }
}

fn protocol_is(clauses: &Clauses<'_, '_>, name: &str) -> bool {
    clause::first_word(clauses.with_first()).is_some_and(|w| w.eq_ignore_ascii_case(name))
}

/// `(from user@localhost)`, or a list server's `(majordomo@lists.example) by lists.example`.
fn local_mailbox(ends: &Ends<'_>) -> bool {
    let Some(domain) = ends
        .from_mailbox
        .and_then(|m| m.rsplit_once('@'))
        .map(|(_, d)| d)
    else {
        return false;
    };
    domain.eq_ignore_ascii_case("localhost")
        || ends
            .by_host
            .is_some_and(|by| by.eq_ignore_ascii_case(domain))
}

/// AOL and others write the authenticated user where the host belongs:
/// `from user@example.org by mx.example.org`.
fn mailbox_sender(ends: &Ends<'_>, clauses: &Clauses<'_, '_>) -> bool {
    ends.from_mailbox.is_some() && clauses.from.is_some()
}

/// Authentication notes: sendmail `(authenticated bits=0)`, Postfix `(Authenticated
/// sender: user)`, `(AUTH: LOGIN user)`, CommuniGate `(account user HELO x)`, qmail-auth
/// `(user@example.org@192.0.2.1)`, Yahoo `(user@192.0.2.1 with plain)`.
fn auth_note(text: &str, found: &Found) -> bool {
    let noted = [
        Marker::Authenticated,
        Marker::AuthColon,
        Marker::Account,
        Marker::WithPlain,
        Marker::WithLogin,
    ]
    .into_iter()
    .any(|m| found.has(m));
    noted
        || (text.bytes().filter(|&b| b == b'@').count() >= 2
            && text.split(['(', ')', ' ']).any(|word| {
                word.matches('@').count() >= 2
                    && word
                        .rsplit('@')
                        .next()
                        .is_some_and(|ip| address::literal_ip(ip).is_some())
            }))
}

/// True when both sides name the same machine: the same host name, the sender named as a
/// service of the receiver (`conversion-daemon.mail.example` by `mail.example`), or the same
/// address on both sides.
fn same_host(ends: &Ends<'_>) -> bool {
    let Some(by) = ends.by_host else { return false };
    let by = by.trim_end_matches('.');
    let names_match = [ends.from_host, ends.from_rdns]
        .into_iter()
        .flatten()
        .any(|from| {
            let from = from.trim_end_matches('.');
            from.eq_ignore_ascii_case(by)
                || (from.len() > by.len() + 1
                    && by.contains('.')
                    && from.as_bytes()[from.len() - by.len() - 1] == b'.'
                    && from.as_bytes()[from.len() - by.len()..].eq_ignore_ascii_case(by.as_bytes()))
        });
    let addresses_match = matches!((ends.from_ip, ends.by_ip), (Some(a), Some(b)) if a == b);
    names_match || addresses_match
}
