//! The TLS notes that receiving servers write, by family (made-up samples):
//! - Postfix: `(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))`, and
//!   `(using TLS with cipher ...)` with no version;
//! - sendmail, Proofpoint, Gmail, Barracuda: `(version=TLSv1.2 cipher=AES256-SHA bits=256
//!   verify=NOT)`, `(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)`;
//! - Microsoft: `(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)` and `(TLS)`;
//! - Exim: `(TLS1.3) tls TLS_AES_256_GCM_SHA384`, older `(TLSv1:DES-CBC3-SHA:168)` and
//!   `(TLS-1.0:RSA_AES_256_CBC_SHA:32)`;
//! - Courier: `(TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA)`;
//! - qmail and MessageLabs: `with (DHE-RSA-AES256-SHA encrypted) SMTP`;
//! - Mimecast: `(Using TLS)`; Gmail: `(Google Transport Security)`.
//!
//! sendmail and Courier print OpenSSL's protocol family label `TLSv1/SSLv3`, which means
//! "some SSL or TLS version": TLS was used, the version is not reported.

use std::ops::Range;

use crate::hop::TlsVersion;

use super::clause;
use super::lex::{Comment, Item};

/// The version a version word states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionWord {
    Stated(TlsVersion),
    /// `TLSv1/SSLv3`: a family label, not the negotiated version.
    Family,
    /// `TLS` or `SSL` alone.
    Unstated,
}

/// A TLS note found in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note<'a> {
    pub version: Option<VersionWord>,
    pub cipher: Option<&'a str>,
    /// The text that shows TLS, as written.
    pub evidence: &'a str,
}

/// Finds the first TLS note among the top-level items outside `claimed`, the items the
/// sending client wrote (see [`super::claim`]). `text` is the header value the items were
/// read from. A comment glued to the word before it (`a(version=TLS1_2)@example.org`) is
/// part of that word, and a bare version (`(TLS1.3) tls CIPHER`, `(TLS)`) counts only in a
/// `with` clause, where Exim and Microsoft write it.
pub fn find<'a>(text: &str, items: &[Item<'a>], claimed: Range<usize>) -> Option<Note<'a>> {
    let mut in_with = false;
    for (index, item) in items.iter().enumerate() {
        if claimed.contains(&index) {
            continue;
        }
        match item {
            Item::Word(word) if clause::is_keyword(word) => {
                in_with = word.eq_ignore_ascii_case("with");
            }
            Item::Semicolon => in_with = false,
            Item::Comment(comment) if !glued(text, comment) => {
                let note = comment_note(*comment, &items[index + 1..]);
                if let Some(note) = note.filter(|n| in_with || !is_bare_version(comment, n)) {
                    return Some(note);
                }
            }
            _ => {}
        }
    }
    None
}

/// True when the byte before the comment's `(` belongs to a word.
fn glued(text: &str, comment: &Comment<'_>) -> bool {
    let open = clause::offset_in(text, comment.inner).saturating_sub(1);
    open > 0
        && !matches!(
            text.as_bytes()[open - 1],
            b' ' | b'\t' | b'\r' | b'\n' | b')'
        )
}

/// True for a note that is a version word alone, such as `(TLS1.3)` or `(TLS)`.
fn is_bare_version(comment: &Comment<'_>, note: &Note<'_>) -> bool {
    comment.words.len() == 1 && note.version.is_some() && !comment.has_version_key
}

fn comment_note<'a>(comment: Comment<'a>, after: &[Item<'a>]) -> Option<Note<'a>> {
    if !may_be_note(&comment) {
        return None;
    }
    let text = comment.inner.trim();
    let note = |version, cipher| {
        Some(Note {
            version,
            cipher,
            evidence: text,
        })
    };
    if let Some(value) = comment
        .has_version_key
        .then(|| value_after(&comment, "version="))
        .flatten()
    {
        return note(parse_version(value), value_after(&comment, "cipher="));
    }
    if comment
        .first_word()
        .is_some_and(|w| w.eq_ignore_ascii_case("using"))
    {
        let mut words = comment.words().skip(1);
        let version = words.next().and_then(parse_version)?;
        let cipher = comment
            .words()
            .skip_while(|w| !w.eq_ignore_ascii_case("cipher"))
            .nth(1);
        return note(Some(version), cipher);
    }
    if let Some(position) = comment
        .has_tls_colon
        .then(|| key_in_words(&comment, "tls:"))
        .flatten()
    {
        let after = clause::offset_in(comment.inner, position.0) + position.1 + 4;
        let mut parts = comment.inner[after..].split(',').map(str::trim);
        let version = parts.next().and_then(parse_version);
        let cipher = parts.rfind(|p| looks_like_cipher(p));
        return note(version, cipher);
    }
    if let Some(note) = exim_triple(comment, text) {
        return Some(note);
    }
    let mut words = comment.words();
    let (first, second, rest) = (words.next()?, words.next(), words.next());
    match (second, rest) {
        (None, None) => single_word_note(first, text, after),
        (Some(second), None) if second.eq_ignore_ascii_case("encrypted") => note(None, Some(first)),
        _ if text.eq_ignore_ascii_case("Google Transport Security") => note(None, None),
        _ => None,
    }
}

/// True unless the comment surely contains no TLS note: every note has a `version=` or
/// `tls:` key, a word that starts with `TLS` or `SSL`, the form `(CIPHER encrypted)`, or is
/// Gmail's phrase.
fn may_be_note(comment: &Comment<'_>) -> bool {
    let names_protocol = |word: &&str| {
        let word = word.trim_start_matches([',', ';', '"', '.']);
        starts_with_ignore_case(word, "tls") || starts_with_ignore_case(word, "ssl")
    };
    comment.has_version_key
        || comment.has_tls_colon
        || comment.words.iter().any(names_protocol)
        || matches!(comment.words, [_, second] if second.eq_ignore_ascii_case("encrypted"))
        || matches!(comment.words, [google, ..] if google.eq_ignore_ascii_case("google"))
}

/// Exim before 4.92: `(TLSv1:DES-CBC3-SHA:168)`, also `(Cipher TLSv1:...)`.
fn exim_triple<'a>(comment: Comment<'a>, text: &'a str) -> Option<Note<'a>> {
    comment.words().find_map(|word| {
        let mut parts = word.split(':');
        let version = parse_version(parts.next()?)?;
        let cipher = parts.next().filter(|c| !c.is_empty())?;
        Some(Note {
            version: Some(version),
            cipher: Some(cipher),
            evidence: text,
        })
    })
}

/// `(TLS)` (Microsoft) and `(TLS1.3) tls CIPHER` (Exim 4.92 and later).
fn single_word_note<'a>(word: &'a str, text: &'a str, after: &[Item<'a>]) -> Option<Note<'a>> {
    let version = parse_version(word)?;
    let cipher = match after {
        [Item::Word(marker), Item::Word(cipher), ..] if marker.eq_ignore_ascii_case("tls") => {
            Some(*cipher)
        }
        _ => None,
    };
    Some(Note {
        version: Some(version),
        cipher,
        evidence: text,
    })
}

/// Reads a version word: `TLSv1.2`, `TLS1_3`, `TLS-1.0`, `TLSv1` (TLS 1.0), `SSLv3`,
/// `TLSv1/SSLv3` (a family label), `TLS` (no version).
pub fn parse_version(word: &str) -> Option<VersionWord> {
    let word = word.trim_matches(|c: char| matches!(c, ',' | ';' | '"' | '.'));
    if let Some((left, right)) = word.split_once('/') {
        let both = parse_version(left).is_some() && parse_version(right).is_some();
        return both.then_some(VersionWord::Family);
    }
    let (is_tls, rest) = if starts_with_ignore_case(word, "tls") {
        (true, &word[3..])
    } else if starts_with_ignore_case(word, "ssl") {
        (false, &word[3..])
    } else {
        return None;
    };
    let rest = rest.strip_prefix(['v', 'V']).unwrap_or(rest);
    let rest = rest.strip_prefix(['-', '_']).unwrap_or(rest);
    let version = match (is_tls, rest) {
        (_, "") => return Some(VersionWord::Unstated),
        (true, "1" | "1.0" | "1_0" | "10") => TlsVersion::Tls10,
        (true, "1.1" | "1_1" | "11") => TlsVersion::Tls11,
        (true, "1.2" | "1_2" | "12") => TlsVersion::Tls12,
        (true, "1.3" | "1_3" | "13") => TlsVersion::Tls13,
        (false, "2" | "2.0") => TlsVersion::Ssl2,
        (false, "3" | "3.0") => TlsVersion::Ssl3,
        (false, "23") => return Some(VersionWord::Family),
        _ => return None,
    };
    Some(VersionWord::Stated(version))
}

/// Returns the value after `key` in the comment's words (`version=TLS1_2,` gives
/// `TLS1_2`).
fn value_after<'a>(comment: &Comment<'a>, key: &str) -> Option<&'a str> {
    let (word, position) = key_in_words(comment, key)?;
    let rest = &word[position + key.len()..];
    let end = rest.find([',', ';', ')']).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Finds `key` in a word of the comment, skipping addresses in angle brackets and quoted
/// strings, which the sender chose. Returns the word and where in it the key starts.
fn key_in_words<'a>(comment: &Comment<'a>, key: &str) -> Option<(&'a str, usize)> {
    comment
        .words()
        .filter(|word| !word.starts_with(['<', '"']))
        .find_map(|word| find_ignore_case(word, key).map(|position| (word, position)))
}

/// True for OpenSSL and IANA cipher suite names (`DES-CBC3-SHA`, `TLS_AES_128_GCM_SHA256`).
pub fn looks_like_cipher(word: &str) -> bool {
    word.len() > 4
        && word.contains(['-', '_'])
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Finds `needle` (ASCII) in `text`, ignoring ASCII case.
pub fn find_ignore_case(text: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (text.as_bytes(), needle.as_bytes());
    let (&first, rest) = needle.split_first()?;
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = haystack.len().checked_sub(needle.len())?;
    let mut start = 0;
    while start <= last_start {
        let offset = haystack[start..=last_start]
            .iter()
            .position(|&b| b == lower || b == upper)?;
        let at = start + offset;
        if haystack[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}
