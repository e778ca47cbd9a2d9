//! Host names and addresses from the `from` and `by` clauses, as the receiving server wrote
//! them.
//!
//! The sending side is written in many shapes. The receiver's own view of the connection
//! (the TCP-info comment) is preferred over the name the client claimed:
//! - Postfix, sendmail: `from helo.example (rdns.example [192.0.2.1])`
//! - Exim: `from helo.example ([192.0.2.1]:4711 helo=helo.example)`
//! - Microsoft: `from helo.example (192.0.2.1)`
//! - qmail: `from rdns.example (HELO helo.example) (user@192.0.2.1)`
//! - address literals: `from [192.0.2.1] (rdns.example [192.0.2.2])`

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::clause::{self, Clauses};
use super::lex::{Comment, Item};

/// What the `from` and `by` clauses say about the two ends of the hand-off.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ends<'a> {
    /// The name after `from`, unless it is an address literal or a mailbox.
    pub from_host: Option<&'a str>,
    /// The sending address as written, without brackets, `IPv6:` prefix, port or zone.
    pub from_ip: Option<&'a str>,
    /// `from_ip`, parsed.
    pub from_addr: Option<IpAddr>,
    /// The reverse-DNS name from the TCP-info comment (`(rdns.example [192.0.2.1])`).
    pub from_rdns: Option<&'a str>,
    /// The name the client gave in HELO/EHLO, from `(HELO name)` or `helo=name`.
    pub helo: Option<&'a str>,
    /// A mailbox written where the sending host belongs (`from user@example.org`).
    pub from_mailbox: Option<&'a str>,
    pub by_host: Option<&'a str>,
    /// The receiving server's own address, when it wrote one (`by mx.example (192.0.2.9)`).
    pub by_ip: Option<&'a str>,
}

/// Reads both ends of the hand-off from the clauses.
///
/// `connection` is the comment in which the receiving server recorded the connection (see
/// [`super::claim`]). Comments before it are the client's words, so it gives the address.
pub fn ends<'a>(clauses: &Clauses<'_, 'a>, connection: Option<Comment<'a>>) -> Ends<'a> {
    let mut ends = Ends::default();
    if let Some(body) = clauses.from {
        read_from_clause(body, connection, &mut ends);
    } else if let Some(comment) = clauses.leading_from_comment() {
        read_from_comment(comment, &mut ends);
    } else {
        // A list server's `(majordomo@lists.example) by lists.example via listexpand`.
        ends.from_mailbox = clauses.leading.iter().find_map(|item| match item {
            Item::Comment(c) if c.words.len() == 1 => c.first_word().filter(|w| w.contains('@')),
            _ => None,
        });
    }
    if let Some(body) = clauses.by {
        ends.by_host = clause::first_word(body).map(trim_host);
        ends.by_ip = clause::comments(body)
            .find_map(comment_ip)
            .map(|(text, _)| text);
    }
    ends
}

fn read_from_clause<'a>(body: &[Item<'a>], connection: Option<Comment<'a>>, ends: &mut Ends<'a>) {
    let word = clause::first_word(body);
    let literal = word.and_then(literal_address);
    if let Some(word) = word {
        set_from_name(word, literal.is_some(), ends);
    }
    let after_name = if word.is_some() { &body[1..] } else { body };
    let bare_literal = || {
        after_name.iter().find_map(|item| match item {
            Item::Word(w) => literal_address(w),
            _ => None,
        })
    };
    let commented = match connection {
        Some(comment) => comment_ip(comment),
        None => clause::comments(after_name).find_map(comment_ip),
    };
    let address = commented.or_else(bare_literal).or(literal);
    set_from_address(address, ends);
    ends.from_rdns = connection
        .or_else(|| clause::comments(after_name).next())
        .and_then(rdns_name);
    ends.helo = clause::comments(after_name).find_map(helo_name);
}

/// Returns the HELO/EHLO argument of a comment: `(HELO relay.example)`, `(EHLO x)`,
/// `([192.0.2.1] helo=relay.example)`.
fn helo_name(comment: Comment<'_>) -> Option<&str> {
    let mut words = comment.words();
    while let Some(word) = words.next() {
        let name = if is_helo_keyword(word) {
            words.next()
        } else if starts_with_ignore_case(word, "helo=") {
            Some(&word[5..])
        } else {
            None
        };
        if let Some(name) = name.filter(|n| n.contains('.') && literal_ip(n).is_none()) {
            return Some(name);
        }
    }
    None
}

fn read_from_comment<'a>(comment: Comment<'a>, ends: &mut Ends<'a>) {
    let mut words = comment.words().skip(1);
    if let Some(word) = words.next() {
        let literal = literal_address(word);
        set_from_name(word, literal.is_some(), ends);
        set_from_address(words.find_map(literal_address).or(literal), ends);
    }
}

fn set_from_address<'a>(address: Option<Address<'a>>, ends: &mut Ends<'a>) {
    ends.from_ip = address.map(|(text, _)| text);
    ends.from_addr = address.map(|(_, ip)| ip);
}

fn set_from_name<'a>(word: &'a str, is_address: bool, ends: &mut Ends<'a>) {
    if is_address {
        return;
    }
    if word.starts_with('[') && word.contains('@') {
        // `from [<user@example.org>]`: neither a host nor a plain mailbox.
        return;
    }
    if word.contains('@') {
        ends.from_mailbox = Some(word);
    } else {
        ends.from_host = Some(trim_host(word));
    }
}

/// Strips punctuation that servers glue to a host name (`by st.example, id 1`).
fn trim_host(word: &str) -> &str {
    let trimmed = word.trim_end_matches([',', ';']);
    if trimmed.is_empty() { word } else { trimmed }
}

/// Returns the address a comment gives for the connection. A bracketed literal counts
/// anywhere in the comment; a bare address only as the first word (`(192.0.2.1)`,
/// `(user@192.0.2.1)`, `(/192.0.2.1)`). The argument of `HELO`/`EHLO` and `helo=` is what
/// the client claimed, not where it connected from, so it is skipped.
fn comment_ip<'a>(comment: Comment<'a>) -> Option<Address<'a>> {
    let mut previous_was_helo = false;
    for (position, word) in comment.words().enumerate() {
        if is_helo_assignment(word) {
            // Exim writes the HELO argument last, as sent, spaces included.
            break;
        }
        let is_helo_argument = previous_was_helo;
        previous_was_helo = is_helo_keyword(word);
        if is_helo_argument {
            continue;
        }
        if let Some(ip) = bracketed_ip(word) {
            return Some(ip);
        }
        if position == 0 {
            let bare = word.rsplit('@').next().unwrap_or(word);
            if let Some(ip) = bare_ip(bare.trim_start_matches('/').trim_end_matches(',')) {
                return Some(ip);
            }
        }
    }
    None
}

/// True when a comment gives the address the client connected from.
pub fn comment_has_ip(comment: Comment<'_>) -> bool {
    comment_ip(comment).is_some()
}

/// Returns true for Exim's `helo=NAME` word.
pub fn is_helo_assignment(word: &str) -> bool {
    starts_with_ignore_case(word, "helo=")
}

fn is_helo_keyword(word: &str) -> bool {
    ["HELO", "EHLO", "LHLO", "HELLO"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

fn starts_with_ignore_case(word: &str, prefix: &str) -> bool {
    word.len() >= prefix.len()
        && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Returns the reverse-DNS name that Postfix and sendmail put first in the TCP-info
/// comment: `(rdns.example [192.0.2.1])`. `unknown` means the lookup failed.
fn rdns_name(comment: Comment<'_>) -> Option<&str> {
    // sendmail marks a name whose forward lookup did not confirm it: the sender's own DNS
    // chose it.
    if super::tls_note::find_ignore_case(comment.inner, "may be forged").is_some() {
        return None;
    }
    let mut words = comment.words();
    let name = words.next()?;
    let next = words.next()?;
    bracketed_ip(next)?;
    let name = name.trim_end_matches('.');
    let plausible = name.contains('.')
        && !name.contains(['@', '=', ':', '['])
        && !name.eq_ignore_ascii_case("unknown");
    plausible.then_some(name)
}

/// Returns the address of a word that is entirely an address: `192.0.2.1`, `[192.0.2.1]`,
/// `[IPv6:2001:db8::1]`, `[192.0.2.1]:25`, or Exim 3's `[192.0.2.1.4711]`.
pub fn literal_ip(word: &str) -> Option<&str> {
    literal_address(word).map(|(text, _)| text)
}

/// An address as written (see [`Ends::from_ip`]) and parsed.
type Address<'a> = (&'a str, IpAddr);

/// Like [`literal_ip`], with the parsed address.
fn literal_address(word: &str) -> Option<Address<'_>> {
    let word = word.trim_end_matches(',');
    if word.starts_with('[') {
        let close = word.find(']')?;
        let rest = &word[close + 1..];
        let port_only = rest.is_empty()
            || (rest.starts_with(':') && rest[1..].bytes().all(|b| b.is_ascii_digit()));
        return if port_only {
            inside_brackets(&word[1..close])
        } else {
            None
        };
    }
    bare_ip(word)
}

/// Returns the address inside the first `[...]` of a word (`unknown[192.0.2.1]`,
/// `user@[192.0.2.1]`).
fn bracketed_ip(word: &str) -> Option<Address<'_>> {
    let open = word.bytes().position(|b| b == b'[')?;
    let close = open + word[open..].bytes().position(|b| b == b']')?;
    inside_brackets(&word[open + 1..close])
}

fn inside_brackets(inner: &str) -> Option<Address<'_>> {
    let inner = strip_prefix_ignore_case(inner, "IPv6:");
    bare_ip(inner).or_else(|| exim3_address(inner))
}

/// Exim 3 appended the client port with a dot: `[192.0.2.1.4711]`.
fn exim3_address(inner: &str) -> Option<Address<'_>> {
    let (address, port) = inner.rsplit_once('.')?;
    let v4 = address.parse::<Ipv4Addr>().ok()?;
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        .then_some((address, IpAddr::V4(v4)))
}

/// Returns `text` without an IPv4 port (`192.0.2.1:25`) or IPv6 zone (`fe80::1%6`) when what
/// remains is an address.
fn bare_ip(text: &str) -> Option<Address<'_>> {
    let text = match memchr::memchr(b'%', text.as_bytes()) {
        Some(zone) => &text[..zone],
        None => text,
    };
    // An address is hex digits, dots and colons, with a dot or a colon; most words are
    // rejected here without a parse.
    let (mut dots, mut colons) = (false, false);
    for &byte in text.as_bytes() {
        match byte {
            b'.' => dots = true,
            b':' => colons = true,
            _ if byte.is_ascii_hexdigit() => {}
            _ => return None,
        }
    }
    if !colons {
        let v4 = text.parse::<Ipv4Addr>().ok().filter(|_| dots)?;
        return Some((text, IpAddr::V4(v4)));
    }
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return Some((text, IpAddr::V6(v6)));
    }
    let (address, port) = text.rsplit_once(':')?;
    let v4 = address.parse::<Ipv4Addr>().ok()?;
    port.bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((address, IpAddr::V4(v4)))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> &'a str {
    if starts_with_ignore_case(text, prefix) {
        &text[prefix.len()..]
    } else {
        text
    }
}

/// True for 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.0.0.1`).
pub fn is_loopback(ip: &str) -> bool {
    ip.parse().is_ok_and(is_loopback_ip)
}

/// Like [`is_loopback`], for a parsed address.
pub fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// True for addresses that are not routed on the public internet: RFC 1918, carrier-grade
/// NAT (RFC 6598), link-local, and IPv6 unique-local (RFC 4193) and link-local.
pub fn is_private(ip: &str) -> bool {
    ip.parse().is_ok_and(is_private_ip)
}

/// Like [`is_private`], for a parsed address.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}
