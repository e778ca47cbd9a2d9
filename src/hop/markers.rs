//! Marker phrases searched for anywhere in a header, ignoring ASCII case.
//!
//! The lexer calls these checks as it passes each word start, `[` and `(`, so finding them
//! costs no pass of its own. A phrase counts where it begins a word (top-level or inside a
//! comment), or for the phrases that begin with `[` or `(`, wherever that byte is.

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

/// The markers found in one header, with where each first and last starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Found {
    bits: u32,
    starts: [u32; 14],
    last_starts: [u32; 14],
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

    /// Returns the markers that occur outside the byte range `skip`, which must be one
    /// contiguous stretch of the text: each start is the first one outside it, or the last
    /// one when every earlier occurrence lies inside.
    pub fn outside(&self, skip: &std::ops::Range<usize>) -> Found {
        let mut remaining = *self;
        for index in 0..self.starts.len() {
            if self.bits & (1 << index) == 0 {
                continue;
            }
            let (first, last) = (
                self.starts[index] as usize,
                self.last_starts[index] as usize,
            );
            if !skip.contains(&first) {
                continue;
            }
            if last >= skip.end {
                remaining.starts[index] = self.last_starts[index];
            } else {
                remaining.bits &= !(1 << index);
            }
        }
        remaining
    }

    /// Records `phrase` as `marker` when the text at `at` starts with it.
    fn check(&mut self, text: &[u8], at: usize, phrase: &str, marker: Marker) {
        let phrase = phrase.as_bytes();
        let found = text.len() - at >= phrase.len()
            && text[at..at + phrase.len()].eq_ignore_ascii_case(phrase)
            && (!needs_end(phrase) || ends_phrase(text.get(at + phrase.len()).copied()));
        if !found {
            return;
        }
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        if !self.has(marker) {
            self.bits |= 1 << marker as u8;
            self.starts[marker as usize] = at;
        }
        self.last_starts[marker as usize] = at;
    }
}

/// True for a phrase that could run on into a name: it ends in a letter, a digit, `]` or
/// `:`. Phrases that end in a space or `)` end by themselves.
fn needs_end(phrase: &[u8]) -> bool {
    phrase
        .last()
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b']' | b':'))
}

/// True when the byte after a phrase ends it: the end of the text, white space, a
/// parenthesis or punctuation. A phrase that runs on into a name or an address
/// (`authenticated.sender.example`, `[local]@example.org`, `auth:x@example.org`) is a
/// name the sender may have chosen, not the server's note.
fn ends_phrase(next: Option<u8>) -> bool {
    next.is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b')' | b'(' | b';' | b','))
}

/// Checks the phrases that begin with a word, at the word `text[start..end]`. A phrase
/// whose first word is followed by a space needs a word of exactly that length.
/// `authenticated` is checked only at a word start, so `unauthenticated` is not an
/// authentication note.
pub fn at_word(text: &str, start: usize, end: usize, found: &mut Found) {
    let bytes = text.as_bytes();
    match (bytes[start].to_ascii_lowercase(), end - start) {
        (b'f', 4) => {
            found.check(bytes, start, "from userid", Marker::FromUserid);
            found.check(bytes, start, "from stdin", Marker::FromStdin);
        }
        (b'p', 6) => found.check(bytes, start, "pickup service", Marker::PickupService),
        (b'v', 3) => {
            found.check(bytes, start, "via http", Marker::ViaHttp);
            found.check(bytes, start, "via https", Marker::ViaHttp);
        }
        (b'a', 5..) => {
            found.check(bytes, start, "authenticated", Marker::Authenticated);
            found.check(bytes, start, "auth:", Marker::AuthColon);
        }
        (b't', 3) => found.check(
            bytes,
            start,
            "tls secured channel",
            Marker::TlsSecuredChannel,
        ),
        (b'w', 4) => {
            found.check(bytes, start, "with starttls", Marker::WithStarttls);
            if start > 0 && bytes[start - 1] == b' ' {
                found.check(bytes, start - 1, " with plain)", Marker::WithPlain);
                found.check(bytes, start - 1, " with login)", Marker::WithLogin);
            }
        }
        _ => {}
    }
}

/// Checks the phrases that begin with `[`, at a `[` at `at`.
pub fn at_bracket(text: &str, at: usize, found: &mut Found) {
    let bytes = text.as_bytes();
    found.check(bytes, at, "[local]", Marker::LocalSocket);
    found.check(bytes, at, "[unix socket]", Marker::UnixSocket);
    found.check(bytes, at, "[unix:", Marker::UnixColon);
}

/// Checks the phrase that begins with `(`, at a `(` at `at`.
pub fn at_paren(text: &str, at: usize, found: &mut Found) {
    found.check(text.as_bytes(), at, "(account ", Marker::Account);
}

#[cfg(test)]
mod tests {
    use super::super::lex::Lexed;
    use super::*;

    #[test]
    fn markers_at_word_starts_brackets_and_parens() {
        let text = "from x (Postfix, from userid 0) (account u HELO x) ([unix socket]) \
                    (u@192.0.2.1 with plain) over TLS secured channel";
        let found = Lexed::new(text).found;
        for marker in [
            Marker::FromUserid,
            Marker::Account,
            Marker::UnixSocket,
            Marker::WithPlain,
            Marker::TlsSecuredChannel,
        ] {
            assert!(found.has(marker), "{marker:?}");
        }
        assert_eq!(found.start(Marker::TlsSecuredChannel), text.find("TLS"));
        assert!(!found.has(Marker::WithLogin));
    }

    #[test]
    fn glued_authenticated_is_not_a_note() {
        let found = Lexed::new("from x (unauthenticated) by y").found;
        assert!(!found.has(Marker::Authenticated));
        let found = Lexed::new("from x (Authenticated sender: u) by y").found;
        assert!(found.has(Marker::Authenticated));
    }

    #[test]
    fn unix_marker_inside_a_word() {
        let found = Lexed::new("from localhost (localhost [[UNIX: localhost]]) by y").found;
        assert!(found.has(Marker::UnixColon));
    }
}
