//! The `with` protocol as written, and what its name states.
//!
//! RFC 3848 registers `ESMTPS` (TLS), `ESMTPA` (authenticated), `ESMTPSA` (both), and the
//! same suffixes for `LMTP` and `UTF8SMTP` (RFC 6531). Servers write them in any letter case.
//! Others write product names (`with Microsoft SMTP Server`, `with Microsoft SMTPSVC(6.0)`,
//! `with [XMail 1.20 ESMTP Server]`), or put the cipher in front of the protocol (qmail:
//! `with (DHE-RSA-AES256-SHA encrypted) SMTP`, MessageLabs: `with ECDHE-RSA-AES256-SHA
//! encrypted SMTP`, Cisco: `with ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384`).

use std::borrow::Cow;

use smallvec::SmallVec;

use super::lex::Item;

/// The protocol of a `with` clause and what it states about TLS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct With<'a> {
    /// The protocol as written; words of a product name joined by one space.
    pub protocol: Option<Cow<'a, str>>,
    /// A cipher written inside the protocol words.
    pub cipher: Option<&'a str>,
    /// The words that show TLS (`ESMTP/TLS/...`, `ECDHE-... encrypted SMTP`).
    pub tls_words: Option<&'a str>,
}

/// Reads the first `with` clause.
pub fn read<'a>(body: &[Item<'a>]) -> With<'a> {
    let words: SmallVec<[&'a str; 8]> = body
        .iter()
        .skip_while(|item| matches!(item, Item::Comment(_)))
        .map_while(|item| match item {
            Item::Word(word) => Some(*word),
            _ => None,
        })
        .collect();
    let Some(&first) = words.first() else {
        return With::default();
    };
    if first.starts_with('[') {
        return With {
            protocol: Some(join_until_close(&words)),
            ..With::default()
        };
    }
    let mut slashes = first.splitn(3, '/');
    if let (Some(name), Some(marker)) = (slashes.next(), slashes.next())
        && marker.eq_ignore_ascii_case("TLS")
    {
        return With {
            protocol: Some(Cow::Borrowed(name)),
            cipher: slashes.next().filter(|c| !c.is_empty()),
            tls_words: Some(first),
        };
    }
    if words.len() >= 3 && words[1].eq_ignore_ascii_case("encrypted") {
        return With {
            protocol: Some(Cow::Borrowed(words[2])),
            cipher: Some(first),
            tls_words: Some(first),
        };
    }
    With {
        protocol: Some(product_name(&words)),
        ..With::default()
    }
}

/// Joins `[XMail 1.20 ESMTP Server]` back into one name.
fn join_until_close<'a>(words: &[&'a str]) -> Cow<'a, str> {
    let end = words
        .iter()
        .position(|w| w.ends_with(']'))
        .map_or(words.len(), |i| i + 1);
    if end == 1 {
        Cow::Borrowed(words[0])
    } else {
        Cow::Owned(words[..end].join(" "))
    }
}

/// Keeps the words that continue a product name (`Microsoft SMTP Server`,
/// `IBM ESMTP SMTP Gateway: Authorized Use Only`), stopping at a word ending in `:` and at
/// words that are not protocol words (`with gg login`).
fn product_name<'a>(words: &[&'a str]) -> Cow<'a, str> {
    let mut end = 1;
    let mut last_trimmed = None;
    for word in &words[1..] {
        let continues = ["smtp", "server", "gateway"]
            .iter()
            .any(|part| contains_ignore_case(word, part));
        if !continues {
            break;
        }
        end += 1;
        if let Some(stripped) = word.strip_suffix(':') {
            last_trimmed = Some(stripped);
            break;
        }
    }
    if end == 1 {
        return Cow::Borrowed(words[0]);
    }
    let mut name = words[..end - 1].join(" ");
    name.push(' ');
    name.push_str(last_trimmed.unwrap_or(words[end - 1]));
    Cow::Owned(name)
}

fn contains_ignore_case(word: &str, part: &str) -> bool {
    super::tls_note::find_ignore_case(word, part).is_some()
}

/// The facts a protocol name states, per RFC 3848 and common non-standard names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meaning {
    /// The name says the hand-off used TLS (`ESMTPS`, `LMTPS`, `UTF8SMTPSA`, `HTTPS`,
    /// Gmail's and Zoho's `SMTPS`, CommuniGate's `ESMTP-TLS`, Exim's `local-esmtps`).
    pub tls: bool,
    /// The name says the client authenticated (`ESMTPA`, `ESMTPSA`, IceWarp's `ASMTP`).
    pub authenticated: bool,
    /// Web or API submission (`HTTP`, `HTTPS`, Gmail's `HTTPREST`) or Outlook's `mapi`.
    // NOTE: Exchange Online also writes `with HTTPS` between its own mailbox servers; such
    // hops are read as submissions, not relays. Both sides sit in one provider group, so
    // the boundary and path verdicts do not change.
    pub client_api: bool,
    /// Delivery inside one host (Exim's `local`, `local-esmtp`; LISTSERV's `spool`).
    pub local: bool,
    /// Mail fetched from a mailbox (fetchmail's `POP3`, `IMAP`), not a hand-off.
    pub retrieval: bool,
}

/// Returns what `protocol` states. Names are compared ignoring ASCII case.
pub fn meaning(protocol: &str) -> Meaning {
    let name = protocol.as_bytes();
    let local_prefixed = starts_with_ignore_case(name, b"LOCAL-");
    let local = local_prefixed || is(name, "LOCAL") || is(name, "SPOOL");
    let name = if local_prefixed { &name[6..] } else { name };
    let (base, authenticated) = match name.split_last() {
        Some((last, base)) if last.eq_ignore_ascii_case(&b'A') && is_rfc3848_base(base) => {
            (base, true)
        }
        _ => (name, is(name, "ASMTP")),
    };
    let tls = is(base, "ESMTP-TLS")
        || is(base, "HTTPS")
        || matches!(base.split_last(), Some((last, rest)) if last.eq_ignore_ascii_case(&b'S') && is_smtp_family(rest));
    Meaning {
        tls,
        authenticated,
        client_api: starts_with_ignore_case(name, b"HTTP") || is(name, "MAPI"),
        local,
        retrieval: is(name, "POP3") || is(name, "IMAP"),
    }
}

fn is(name: &[u8], expected: &str) -> bool {
    name.eq_ignore_ascii_case(expected.as_bytes())
}

fn starts_with_ignore_case(name: &[u8], prefix: &[u8]) -> bool {
    name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn is_smtp_family(name: &[u8]) -> bool {
    ["SMTP", "ESMTP", "LMTP", "UTF8SMTP", "UTF8LMTP"]
        .iter()
        .any(|family| is(name, family))
}

fn is_rfc3848_base(name: &[u8]) -> bool {
    is_smtp_family(name)
        || matches!(name.split_last(), Some((last, rest)) if last.eq_ignore_ascii_case(&b'S') && is_smtp_family(rest))
}
