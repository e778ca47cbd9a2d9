//! Splits a Received header value into words and comments, the two things every server
//! family agrees on, in one pass over its bytes.
//!
//! RFC 5322 §3.6.7 defines `Received: [from ...] [by ...] [via ...] [with ...] [id ...]
//! [for ...] ; date-time`, with comments in parentheses anywhere. Real servers add words
//! outside the grammar (`from x (HELO y) [192.0.2.1]`, `with Microsoft SMTP Server`), so the
//! lexer only separates top-level words, top-level comments and top-level semicolons; the
//! clause reader decides what they mean.
//!
//! The same pass splits every comment into its words, keeps the position of the last
//! top-level semicolon (the date follows it), counts `@` signs and finds the marker phrases
//! of [`super::markers`], so no later step reads the bytes again.

use smallvec::SmallVec;

use super::markers::{self, Found};

/// One top-level element of a Received header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// A run of characters outside any comment, split at white space, parentheses and
    /// semicolons (`[192.0.2.1]`, `mx.example.org`, `helo=relay.example`).
    Word(&'a str),
    /// A parenthesised comment, with nested comments kept inside `inner`.
    Comment(Comment<'a>),
    /// A semicolon outside any comment: in RFC 5322 it introduces the date.
    Semicolon,
}

/// A top-level comment: the text between its outer parentheses, and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment<'a> {
    pub inner: &'a str,
    /// The words of `inner`, with nested parentheses and white space as separators.
    pub words: &'a [&'a str],
    /// The comment contains `version=` (any letter case), as TLS notes do.
    pub has_version_key: bool,
    /// The comment contains `tls:` (any letter case), as Courier's TLS note does.
    pub has_tls_colon: bool,
}

impl<'a> Comment<'a> {
    /// Returns the comment's words.
    pub fn words(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.words.iter().copied()
    }

    /// Returns the first word, if any.
    pub fn first_word(&self) -> Option<&'a str> {
        self.words.first().copied()
    }
}

/// A top-level element as the lexer records it: comment words are an index range into
/// [`Lexed::comment_words`], turned into slices by [`Lexed::items`].
#[derive(Debug, Clone, Copy)]
enum Span<'t> {
    Word(&'t str),
    Comment {
        inner: &'t str,
        words: (usize, usize),
        has_version_key: bool,
        has_tls_colon: bool,
    },
    Semicolon,
}

/// One header value after the single pass.
#[derive(Debug)]
pub struct Lexed<'t> {
    spans: SmallVec<[Span<'t>; 24]>,
    comment_words: SmallVec<[&'t str; 64]>,
    /// The marker phrases in the header.
    pub found: Found,
    /// Byte offset of the last semicolon outside any comment.
    pub last_semicolon: Option<usize>,
    /// How many `@` signs the header contains outside addresses and quoted strings.
    pub at_signs: usize,
    /// Positions of `(` that never close and are read as ordinary characters, ascending
    /// (see [`Lexed::open_comment`]).
    literal_parens: Vec<usize>,
}

impl<'t> Lexed<'t> {
    /// Splits `text` into top-level items. Unbalanced `)` are ignored; an unclosed `(` runs
    /// to the end of the text, as a reader of the header would see it.
    pub fn new(text: &'t str) -> Lexed<'t> {
        let mut lexed = Lexed {
            spans: SmallVec::new(),
            comment_words: SmallVec::new(),
            found: Found::default(),
            last_semicolon: None,
            at_signs: 0,
            literal_parens: Vec::new(),
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let next = match bytes[i] {
                b';' => {
                    lexed.spans.push(Span::Semicolon);
                    lexed.last_semicolon = Some(i);
                    i + 1
                }
                b'(' if lexed.is_literal(i) => lexed.top_word(text, i),
                b'(' => lexed.open_comment(text, i),
                // White space, control characters and an unbalanced `)`.
                byte if class(byte) & ENDS_WORD != 0 => i + 1,
                _ => lexed.top_word(text, i),
            };
            // Every step reads at least one byte, whatever the input.
            i = next.max(i + 1);
        }
        lexed
    }

    /// Returns the top-level items, with each comment's words as a slice.
    pub fn items(&self) -> SmallVec<[Item<'_>; 24]> {
        self.spans
            .iter()
            .map(|span| match *span {
                Span::Word(word) => Item::Word(word),
                Span::Comment {
                    inner,
                    words: (first, end),
                    has_version_key,
                    has_tls_colon,
                } => Item::Comment(Comment {
                    inner,
                    words: &self.comment_words[first..end],
                    has_version_key,
                    has_tls_colon,
                }),
                Span::Semicolon => Item::Semicolon,
            })
            .collect()
    }

    /// Reads the comment opened at `open`, or, when it never closes and would swallow a
    /// clause keyword `by` or a `;`, reads its `(` and every other unclosed one after it as
    /// ordinary characters. A client that puts `x(` in its HELO name then cannot hide the
    /// rest of the header in a comment, while a header cut off inside its last comment
    /// keeps that comment.
    fn open_comment(&mut self, text: &'t str, open: usize) -> usize {
        let saved = (
            self.spans.len(),
            self.comment_words.len(),
            self.found,
            self.at_signs,
        );
        let (next, closed) = self.comment(text, open);
        if closed || !swallows_clauses(&text[open..]) {
            return next;
        }
        self.spans.truncate(saved.0);
        self.comment_words.truncate(saved.1);
        self.found = saved.2;
        self.at_signs = saved.3;
        // The comment reader skips quoted text and the count below does not, so the two
        // may disagree; `open` itself never closed either way.
        let mut literal = unclosed_parens(text.as_bytes(), open);
        if literal.first() != Some(&open) {
            literal.insert(0, open);
        }
        self.literal_parens = literal;
        self.top_word(text, open)
    }

    fn is_literal(&self, at: usize) -> bool {
        !self.literal_parens.is_empty() && self.literal_parens.binary_search(&at).is_ok()
    }

    /// Reads the top-level word at `start` and returns where it ends.
    fn top_word(&mut self, text: &'t str, start: usize) -> usize {
        let bytes = text.as_bytes();
        let mut end = start;
        loop {
            end = skip_to(bytes, end, ENDS_WORD | NOTED);
            if end < bytes.len() && bytes[end] == b'(' && self.is_literal(end) {
                end += 1;
                continue;
            }
            if end == bytes.len() || class(bytes[end]) & ENDS_WORD != 0 {
                break;
            }
            if let Some(close) = self.opaque(text, end) {
                end = close;
                continue;
            }
            self.note(text, end);
            end += 1;
        }
        if class(bytes[start]) & STARTS_PHRASE != 0 {
            markers::at_word(text, start, end, &mut self.found);
        }
        self.spans.push(Span::Word(&text[start..end]));
        end
    }

    /// Reads the comment opened at `open` and returns the index just past its closing `)`,
    /// or the text length when it never closes, and whether it closed.
    fn comment(&mut self, text: &'t str, open: usize) -> (usize, bool) {
        let bytes = text.as_bytes();
        let first_word = self.comment_words.len();
        let mut keys = NoteKeys::default();
        let mut depth = 0usize;
        let mut close = None;
        let mut i = open;
        while i < bytes.len() {
            let byte = bytes[i];
            if class(byte) & SPLITS_COMMENT == 0 {
                i = self.comment_word(text, i, &mut keys);
                continue;
            }
            match byte {
                b'(' => {
                    depth += 1;
                    markers::at_paren(text, i, &mut self.found);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let (inner_end, next) = match close {
            Some(close) => (close, close + 1),
            // An unclosed comment still loses a final `)`, as a reader would drop it.
            None if bytes.len() > open + 1 && bytes[bytes.len() - 1] == b')' => {
                (bytes.len() - 1, bytes.len())
            }
            None => (bytes.len(), bytes.len()),
        };
        self.spans.push(Span::Comment {
            inner: &text[open + 1..inner_end],
            words: (first_word, self.comment_words.len()),
            has_version_key: keys.version,
            has_tls_colon: keys.tls_colon,
        });
        (next, close.is_some())
    }

    /// Reads the comment word at `start` and returns where it ends.
    fn comment_word(&mut self, text: &'t str, start: usize, keys: &mut NoteKeys) -> usize {
        let bytes = text.as_bytes();
        let mut end = start;
        loop {
            end = skip_to(bytes, end, SPLITS_COMMENT | NOTED);
            if end == bytes.len() || class(bytes[end]) & SPLITS_COMMENT != 0 {
                break;
            }
            if let Some(close) = self.opaque(text, end) {
                end = close;
                continue;
            }
            match bytes[end] {
                b'=' => keys.version |= ends_with_ignore_case(&bytes[..end], b"version"),
                b':' => keys.tls_colon |= ends_with_ignore_case(&bytes[..end], b"tls"),
                _ => self.note(text, end),
            }
            end += 1;
        }
        if class(bytes[start]) & STARTS_PHRASE != 0 {
            markers::at_word(text, start, end, &mut self.found);
        }
        self.comment_words.push(&text[start..end]);
        end
    }

    /// When an address in angle brackets or a quoted local part opens at `at`, returns the
    /// index just past its end. The sender chose that text, so nothing inside it is a
    /// comment, a marker phrase or a TLS note. Inside angle brackets a quoted local part
    /// may hold `>` (`<"a>b"@example.org>`). A quoted string elsewhere counts only as a local
    /// part, followed by `@`. Text that does not close before the header line ends (a line
    /// break not followed by white space) is ordinary.
    fn opaque(&mut self, text: &str, at: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        match bytes[at] {
            b'<' => angle_end(bytes, at),
            b'"' => quote_end(bytes, at).filter(|&end| bytes.get(end) == Some(&b'@')),
            _ => None,
        }
    }

    /// Counts an `@` or checks the markers that start at a `[`.
    fn note(&mut self, text: &str, at: usize) {
        match text.as_bytes()[at] {
            b'@' => self.at_signs += 1,
            b'[' => markers::at_bracket(text, at, &mut self.found),
            _ => {}
        }
    }
}

/// The byte ends a top-level word: white space, a control character, a parenthesis or a
/// semicolon.
const ENDS_WORD: u8 = 1;
/// The byte separates the words of a comment: white space, a control character or a
/// parenthesis.
const SPLITS_COMMENT: u8 = 2;
/// The lexer looks at the byte: `@` is counted, `[`, `(`, `=` and `:` may start or end a
/// phrase it records, `<` and `"` may open text it keeps opaque.
const NOTED: u8 = 4;

/// The byte can start a word that begins a marker phrase (see [`markers::at_word`]).
const STARTS_PHRASE: u8 = 8;

/// The class bits of every byte value.
static CLASS: [u8; 256] = byte_classes();

const fn byte_classes() -> [u8; 256] {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        classes[byte] = match byte as u8 {
            // Control characters have no place in a header; a reader sees them as gaps.
            0..=0x20 | 0x7F => ENDS_WORD | SPLITS_COMMENT,
            b'(' | b')' => ENDS_WORD | SPLITS_COMMENT | NOTED,
            b';' => ENDS_WORD,
            b'@' | b'[' | b'=' | b':' | b'<' | b'"' => NOTED,
            b'a' | b'f' | b'p' | b't' | b'v' | b'w' | b'A' | b'F' | b'P' | b'T' | b'V' | b'W' => {
                STARTS_PHRASE
            }
            _ => 0,
        };
        byte += 1;
    }
    classes
}

/// The TLS note keys seen in one comment, see [`Comment`].
#[derive(Default)]
struct NoteKeys {
    version: bool,
    tls_colon: bool,
}

fn class(byte: u8) -> u8 {
    CLASS[usize::from(byte)]
}

/// Returns the index of the first byte at or after `from` whose class has one of `bits`,
/// or the length of `bytes`.
fn skip_to(bytes: &[u8], from: usize, bits: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&byte| class(byte) & bits != 0)
        .map_or(bytes.len(), |offset| from + offset)
}

/// Returns the index just past the `>` that closes the `<` at `open`, skipping quoted
/// strings, or `None` when white space or a parenthesis comes first.
fn angle_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = quote_end(bytes, i)?,
            b'>' => return Some(i + 1),
            // An address has no white space or parentheses outside its quoted local part.
            b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' => return None,
            _ => i += 1,
        }
    }
    None
}

/// Returns the index just past the `"` that closes the quoted string at `open` (a
/// backslash escapes the next byte), or `None` when it does not close before the header
/// line ends.
fn quote_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'\r' | b'\n' => i = fold_end(bytes, i)?,
            _ => i += 1,
        }
    }
    None
}

/// Returns the index after the line break at `at` when a space or tab follows it, so the
/// header continues there (RFC 5322 folding), or `None` when the header line ends.
fn fold_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut next = at + 1;
    if bytes[at] == b'\r' && bytes.get(next) == Some(&b'\n') {
        next += 1;
    }
    matches!(bytes.get(next), Some(b' ' | b'\t')).then_some(next)
}

/// True when `rest` contains a `;` or the word `by`, which an unclosed comment would hide.
fn swallows_clauses(rest: &str) -> bool {
    rest.contains(';')
        || rest
            .split(|c: char| c.is_ascii_whitespace() || c == '(' || c == ')')
            .any(|word| word.eq_ignore_ascii_case("by"))
}

/// Returns the positions of the `(` at or after `from` that no `)` closes, ascending.
fn unclosed_parens(bytes: &[u8], from: usize) -> Vec<usize> {
    let mut open = Vec::new();
    for (offset, byte) in bytes[from..].iter().enumerate() {
        match byte {
            b'(' => open.push(from + offset),
            b')' => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

fn ends_with_ignore_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes.len() >= suffix.len() && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_comments_and_semicolons() {
        let lexed = Lexed::new("from a.example (b [192.0.2.1] (x)) by c;\r\n\tMon");
        let got = lexed.items();
        assert_eq!(got.len(), 7);
        assert_eq!(got[0], Item::Word("from"));
        let Item::Comment(comment) = got[2] else {
            panic!("not a comment: {:?}", got[2]);
        };
        assert_eq!(comment.inner, "b [192.0.2.1] (x)");
        assert_eq!(comment.words, ["b", "[192.0.2.1]", "x"]);
        assert_eq!(got[4], Item::Word("c"));
        assert_eq!(got[5], Item::Semicolon);
        assert_eq!(got[6], Item::Word("Mon"));
        assert_eq!(lexed.last_semicolon, Some(39));
    }

    #[test]
    fn unclosed_comment_runs_to_end() {
        let lexed = Lexed::new("by x (never closed");
        let got = lexed.items();
        assert_eq!(got.len(), 3);
        let Item::Comment(comment) = got[2] else {
            panic!("not a comment: {:?}", got[2]);
        };
        assert_eq!(comment.inner, "never closed");
        assert_eq!(comment.words, ["never", "closed"]);
    }

    #[test]
    fn unclosed_comment_drops_final_paren() {
        let lexed = Lexed::new("by x ((a)");
        let Item::Comment(comment) = lexed.items()[2] else {
            panic!("not a comment");
        };
        assert_eq!(comment.inner, "(a");
        assert_eq!(comment.words, ["a"]);
    }

    #[test]
    fn unclosed_paren_before_clauses_is_literal() {
        let lexed = Lexed::new("from x( (a [192.0.2.1]) by mx.example; Mon");
        let items = lexed.items();
        assert_eq!(items[1], Item::Word("x"));
        assert_eq!(items[2], Item::Word("("));
        assert_eq!(items[4], Item::Word("by"));
        assert_eq!(items[5], Item::Word("mx.example"));
        assert_eq!(lexed.last_semicolon, Some(37));
    }

    #[test]
    fn semicolon_in_comment_is_not_top_level() {
        let lexed = Lexed::new("by x; id 1 (a; b)");
        assert_eq!(lexed.last_semicolon, Some(4));
    }

    #[test]
    fn tls_note_keys_and_at_signs() {
        let lexed = Lexed::new("from a (u@b@192.0.2.1) (Version=TLS1_2) (TLS: TLSv1/SSLv3)");
        let items = lexed.items();
        let flags: Vec<(bool, bool)> = items
            .iter()
            .filter_map(|item| match item {
                Item::Comment(c) => Some((c.has_version_key, c.has_tls_colon)),
                _ => None,
            })
            .collect();
        assert_eq!(flags, [(false, false), (true, false), (false, true)]);
        assert_eq!(lexed.at_signs, 2);
    }
}
