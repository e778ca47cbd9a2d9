//! Reads one Received header into a [`Hop`]. mail-parser reads it first. Its `by` host is
//! used where this crate's clause reader finds none, and its date unless the date shows
//! one of the errors listed in [`super::baseline`]. TLS comes only from this crate's note
//! reader (see [`super::tls_facts`]).
//!
//! This crate's layer reads the bytes once ([`Lexed`]); every later step works on the
//! words and comments that pass found.

use std::borrow::Cow;
use std::net::IpAddr;

use super::address::{self, Ends};
use super::claim;
use super::clause::{self, Clauses};
use super::kind::{self, Reason, Signals};
use super::lex::{Item, Lexed};
use super::markers::{Found, Marker};
use super::protocol::{self, Meaning};
use super::tls_facts::tls_facts;
use super::tls_note;
use super::{Hop, HopDate, baseline, date};

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
    /// `hop.from_ip`, parsed.
    pub from_addr: Option<IpAddr>,
    pub kind_reason: Reason,
}

/// Reads the Received header value `raw` (without the field name), found at position
/// `header_index` (0 is the topmost). Never fails: unreadable input gives an unparsed hop.
pub fn parse_hop(raw: &[u8], header_index: usize) -> ParsedHop {
    let text = match std::str::from_utf8(raw) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    };
    let base = baseline::read(raw);
    let lexed = Lexed::new(&text);
    let items = lexed.items();
    let claim = claim::find(&text, &items);
    let claimed_items = claim.as_ref().map_or(0..0, |c| c.items.clone());
    // After the date nothing is evidence: a line of the message that starts with white
    // space would continue the header there.
    let after_date = lexed.last_semicolon.map_or(text.len(), |at| at + 1)..text.len();
    let dated_items = items
        .iter()
        .rposition(|item| matches!(item, Item::Semicolon))
        .unwrap_or(items.len());
    let found = lexed.found.outside(&after_date);
    let found = match &claim {
        Some(claim) => found.outside(&claim.bytes),
        None => found,
    };
    let clauses = Clauses::split(&items, claimed_items.clone());
    let connection = claim.as_ref().and_then(|c| c.connection_comment(&items));
    let ends = address::ends(&clauses, connection);
    let with = protocol::read(clauses.with_first());
    let meaning = with.protocol.as_deref().map(protocol::meaning);
    let note = tls_note::find(&text, &items[..dated_items], claimed_items);
    let tls = tls_facts(&text, &found, note, &with, meaning);
    let qmail = qmail_invocation(&clauses);
    let parsed = clauses.any_keyword || qmail.is_some();
    let facts = Facts {
        lexed: &lexed,
        found: &found,
        client_items: claim.as_ref().map_or(0..0, claim::Claim::client_items),
        dated_items,
        has_connection: connection.is_some(),
        items: &items,
        clauses: &clauses,
        ends: &ends,
    };
    let signals = signals(&facts, meaning, parsed, qmail);
    let (kind, kind_reason) = kind::decide(&signals);
    let date = read_date(&text, &lexed, &items, &base);

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
        from_addr: ends.from_addr,
        kind_reason,
    }
}

/// Returns mail-parser's date when it can be trusted and the date text contains the same
/// four-digit zone offset (mail-parser also reads a cut-off `+03`), else the date read by
/// this crate, else mail-parser's.
fn read_date(
    text: &str,
    lexed: &Lexed<'_>,
    items: &[Item<'_>],
    base: &baseline::Baseline<'_>,
) -> Option<HopDate> {
    let date_text = clause::date_text(text, lexed.last_semicolon, items);
    match (base.trusted_date(), date_text) {
        (Some(trusted), Some(date_text)) if date::has_offset(date_text, trusted.offset_minutes) => {
            Some(trusted)
        }
        _ => date_text.and_then(date::parse).or(base.date),
    }
}

/// Returns true for `(qmail N invoked by uid N)`, false for `(qmail N invoked from
/// network)`, None for anything else. A header with either counts as parsed even without
/// a clause keyword.
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

/// The results of the single pass and of the clause reader for one header.
struct Facts<'f, 'a> {
    lexed: &'f Lexed<'a>,
    /// The marker phrases outside the client's claim.
    found: &'f Found,
    /// Indexes of the items only the client wrote (see [`claim::Claim::client_items`]).
    client_items: std::ops::Range<usize>,
    /// How many items come before the date's semicolon.
    dated_items: usize,
    /// The server recorded the connection in a comment, so the first word of the `from`
    /// clause is the client's HELO argument, even when it looks like a mailbox.
    has_connection: bool,
    items: &'f [Item<'f>],
    clauses: &'f Clauses<'f, 'f>,
    ends: &'f Ends<'f>,
}

fn signals(
    facts: &Facts<'_, '_>,
    meaning: Option<Meaning>,
    parsed: bool,
    qmail: Option<bool>,
) -> Signals {
    let (found, clauses, ends) = (facts.found, facts.clauses, facts.ends);
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
        || qmail == Some(true)
        || (!facts.has_connection && local_mailbox(ends));
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
        loopback_sender: ends.from_addr.is_some_and(address::is_loopback_ip),
        local_socket: [Marker::LocalSocket, Marker::UnixSocket, Marker::UnixColon]
            .into_iter()
            .any(|m| found.has(m)),
        local_program: local_program || pickup || exim_login,
        retrieval: meaning.retrieval,
        same_host: same_host(ends, facts.has_connection),
        local_protocol: meaning.local,
        localhost_without_address: ends.from_ip.is_none() && ends.from_host.is_some_and(localhost),
        authenticated: meaning.authenticated
            || auth_note(facts)
            || (!facts.has_connection && mailbox_sender(ends, clauses)),
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
fn auth_note(facts: &Facts<'_, '_>) -> bool {
    let found = facts.found;
    let noted = [
        Marker::Authenticated,
        Marker::AuthColon,
        Marker::Account,
        Marker::WithPlain,
        Marker::WithLogin,
    ]
    .into_iter()
    .any(|m| found.has(m));
    let user_at_address = |word: &str| {
        word.matches('@').count() >= 2
            && word
                .rsplit('@')
                .next()
                .is_some_and(|ip| address::literal_ip(ip).is_some())
    };
    noted || (facts.lexed.at_signs >= 2 && all_words(facts.server_items()).any(user_at_address))
}

impl<'f> Facts<'f, '_> {
    /// Returns the items before the date, outside the text only the client wrote.
    fn server_items(&self) -> impl Iterator<Item = &'f Item<'f>> + 'f {
        let client = self.client_items.clone();
        self.items[..self.dated_items]
            .iter()
            .enumerate()
            .filter(move |(index, _)| !client.contains(index))
            .map(|(_, item)| item)
    }
}

/// Returns every word of `items`: top-level words and the words of comments.
fn all_words<'a>(items: impl Iterator<Item = &'a Item<'a>>) -> impl Iterator<Item = &'a str> {
    items.flat_map(|item| {
        let (word, comment_words): (Option<&'a str>, &'a [&'a str]) = match item {
            Item::Word(word) => (Some(word), &[]),
            Item::Comment(comment) => (None, comment.words),
            Item::Semicolon => (None, &[]),
        };
        word.into_iter().chain(comment_words.iter().copied())
    })
}

/// True when both sides name the same machine: the same host name, the sender named as a
/// service of the receiver (`conversion-daemon.mail.example` by `mail.example`), or the same
/// address on both sides. When the server recorded the connection, the first word of the
/// `from` clause is the client's HELO claim. It counts only from a private or loopback
/// address, which does not reach the server from the internet; otherwise only the
/// reverse-DNS name counts.
fn same_host(ends: &Ends<'_>, has_connection: bool) -> bool {
    let Some(by) = ends.by_host else { return false };
    let by = by.trim_end_matches('.');
    let inside = ends
        .from_addr
        .is_some_and(|ip| address::is_private_ip(ip) || address::is_loopback_ip(ip));
    let claimed = if has_connection && !inside {
        None
    } else {
        ends.from_host
    };
    let names_match = [claimed, ends.from_rdns].into_iter().flatten().any(|from| {
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
