//! Splits a Received header value into words and comments, the two things every server
//! family agrees on.
//!
//! RFC 5322 §3.6.7 defines `Received: [from ...] [by ...] [via ...] [with ...] [id ...]
//! [for ...] ; date-time`, with comments in parentheses anywhere. Real servers add words
//! outside the grammar (`from x (HELO y) [192.0.2.1]`, `with Microsoft SMTP Server`), so the
//! lexer only separates top-level words, top-level comments and top-level semicolons; the
//! clause reader decides what they mean.

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

/// A top-level comment: the text between its outer parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment<'a> {
    pub inner: &'a str,
}

impl<'a> Comment<'a> {
    /// Returns the comment's words, with nested parentheses and white space as separators.
    pub fn words(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.inner
            .split(|c: char| c.is_ascii_whitespace() || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
    }

    /// Returns the first word, if any.
    pub fn first_word(&self) -> Option<&'a str> {
        self.words().next()
    }
}

/// Splits `text` into top-level items. Unbalanced `)` are ignored; an unclosed `(` runs to
/// the end of the text, as a reader of the header would see it.
pub fn items(text: &str) -> Vec<Item<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(24);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' | b')' => i += 1,
            b';' => {
                out.push(Item::Semicolon);
                i += 1;
            }
            b'(' => {
                let end = comment_end(bytes, i);
                let inner_end = if end > i + 1 && bytes[end - 1] == b')' {
                    end - 1
                } else {
                    end
                };
                out.push(Item::Comment(Comment {
                    inner: &text[i + 1..inner_end],
                }));
                i = end;
            }
            _ => {
                let start = i;
                while i < bytes.len() && !is_word_end(bytes[i]) {
                    i += 1;
                }
                out.push(Item::Word(&text[start..i]));
            }
        }
    }
    out
}

fn is_word_end(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b';')
}

/// Returns the index just past the `)` that closes the comment opened at `open`, or the
/// text length when it never closes.
fn comment_end(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (offset, byte) in bytes[open..].iter().enumerate() {
        match byte {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return open + offset + 1;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_comments_and_semicolons() {
        let got = items("from a.example (b [192.0.2.1] (x)) by c;\r\n\tMon");
        assert_eq!(got.len(), 7);
        assert_eq!(got[0], Item::Word("from"));
        assert_eq!(
            got[2],
            Item::Comment(Comment {
                inner: "b [192.0.2.1] (x)"
            })
        );
        assert_eq!(got[4], Item::Word("c"));
        assert_eq!(got[5], Item::Semicolon);
        assert_eq!(got[6], Item::Word("Mon"));
    }

    #[test]
    fn unclosed_comment_runs_to_end() {
        let got = items("by x (never closed");
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[2],
            Item::Comment(Comment {
                inner: "never closed"
            })
        );
    }
}
