//! The part of a `from` clause that the sending client wrote, not the receiving server.
//!
//! Servers copy the client's HELO/EHLO argument into the `from` clause. Postfix replaces
//! spaces and parentheses in it with `?`, but other servers write it as sent, so a client
//! can put a fake TLS note there, a fake `by` or `with` clause, or a fake address comment.
//! The server writes its own record of the connection after that argument:
//! `(rdns.example [192.0.2.1])`, `(192.0.2.1)`. So the claim runs from the first word after
//! `from` up to and including the last such connection comment before the receiving
//! server's `by`. Exim is the exception: it writes `from RDNS ([192.0.2.1] helo=HELO)`,
//! with the HELO argument last, so its claim runs up to `by`. When a server writes no
//! connection comment, the claim is the first word and any comment glued to it without a
//! space.
//!
//! Nothing inside the claim counts as a TLS note, a marker phrase or a clause keyword.
//! Addresses in angle brackets and quoted local parts are the other text a sender chooses;
//! the lexer keeps those opaque.

use std::ops::Range;

use super::address::{self, is_helo_assignment};
use super::clause;
use super::lex::{Comment, Item};

/// The location of the client's claim in one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Indexes of the claimed items in the item list.
    pub items: Range<usize>,
    /// Byte range of the text only the client wrote (see [`Claim::client_items`]).
    pub bytes: Range<usize>,
    /// Index of the server's connection comment, which ends the claim, if there is one.
    pub connection: Option<usize>,
    /// True when the connection comment contains the HELO argument as `helo=x` (Exim). A HELO argument
    /// containing `)` can close that comment early, so the claim then runs up to `by`.
    pub helo_in_connection: bool,
}

impl Claim {
    /// Returns the items only the client wrote: the claim without the connection comment, in which
    /// the server also notes facts of its own (`(user@192.0.2.1 with login)`). Exim's
    /// connection comment ends with the HELO argument (`helo=x`), so it counts as the
    /// client's.
    pub fn client_items(&self) -> Range<usize> {
        if self.helo_in_connection {
            return self.items.clone();
        }
        self.items.start..self.connection.unwrap_or(self.items.end)
    }

    /// Returns the connection comment, which ends the claim.
    pub fn connection_comment<'a>(&self, items: &[Item<'a>]) -> Option<Comment<'a>> {
        match items.get(self.connection?)? {
            Item::Comment(comment) => Some(*comment),
            _ => None,
        }
    }
}

/// Finds the claim of a header whose first clause is `from`, or `None` when there is none.
pub fn find(text: &str, items: &[Item<'_>]) -> Option<Claim> {
    let (first, by) = from_clause_bounds(items)?;
    let (connection, helo_in_connection) = connection_comment(items, first, by);

    let end = match connection {
        Some(_) if helo_in_connection => by,
        Some(index) => index + 1,
        None => first + glued_len(text, &items[first..by]),
    };
    if end == first {
        return None;
    }

    let covered = covered_bytes(text, &items[first..end]);
    let client_end = match connection {
        Some(index) if !helo_in_connection => span(text, &items[index]).start,
        _ => covered.end,
    };
    Some(Claim {
        items: first..end,
        bytes: covered.start..client_end,
        connection,
        helo_in_connection,
    })
}

/// Returns the index of the first item after `from` and the index of the receiving
/// server's `by` (the last one before the date), when the first clause is `from`.
fn from_clause_bounds(items: &[Item<'_>]) -> Option<(usize, usize)> {
    let from = items.iter().position(is_keyword)?;
    if !matches!(items[from], Item::Word(word) if word.eq_ignore_ascii_case("from")) {
        return None;
    }
    let first = from + 1;
    let date = items
        .iter()
        .rposition(|item| matches!(item, Item::Semicolon))
        .filter(|&semicolon| semicolon > first)
        .unwrap_or(items.len());
    let by = items[first..date]
        .iter()
        .rposition(|item| matches!(item, Item::Word(w) if w.eq_ignore_ascii_case("by")))
        .map_or(date, |offset| first + offset);
    Some((first, by))
}

/// Returns the index of the server's connection comment and whether it contains the
/// HELO argument as `helo=x`.
fn connection_comment(items: &[Item<'_>], first: usize, by: usize) -> (Option<usize>, bool) {
    if let Some(exim) = exim_connection(items, first, by) {
        return (Some(exim), true);
    }
    let connection = items[first..by]
        .iter()
        .rposition(is_connection_comment)
        .map(|offset| first + offset);
    let helo = connection.is_some_and(|index| match items[index] {
        Item::Comment(comment) => comment.words().any(is_helo_assignment),
        _ => false,
    });
    (connection, helo)
}

/// Returns the bytes from the start of the first item that covers any to the furthest
/// item end. A semicolon covers no bytes (see `span`).
fn covered_bytes(text: &str, items: &[Item<'_>]) -> Range<usize> {
    let start = items
        .iter()
        .map(|item| span(text, item))
        .find(|covered| !covered.is_empty())
        .map_or(0, |covered| covered.start);
    let end = items
        .iter()
        .map(|item| span(text, item).end)
        .fold(start, usize::max);
    start..end
}

fn is_keyword(item: &Item<'_>) -> bool {
    matches!(item, Item::Word(word) if clause::is_keyword(word))
}

/// Returns the index of Exim's connection comment, in a header whose receiving side names
/// Exim: the comment right after the first word of the `from` clause, containing `helo=`.
/// Anything after it may be the HELO argument's own text.
fn exim_connection(items: &[Item<'_>], first: usize, by: usize) -> Option<usize> {
    let names_exim = items[by..].iter().any(|item| {
        matches!(item, Item::Comment(c) if c.inner.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("exim")))
    });
    let candidate = first + 1;
    let holds_helo = candidate < by
        && matches!(items[candidate], Item::Comment(c) if c.words().any(is_helo_assignment));
    (names_exim && holds_helo).then_some(candidate)
}

/// Returns true for a comment in which the server recorded the connection: it contains the client's address
/// or the HELO argument as the server labels it (`helo=x`, `HELO x`).
fn is_connection_comment(item: &Item<'_>) -> bool {
    let Item::Comment(comment) = item else {
        return false;
    };
    address::comment_has_ip(*comment)
        || comment.words().any(|word| {
            word.get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("helo="))
                || ["HELO", "EHLO"]
                    .iter()
                    .any(|k| word.eq_ignore_ascii_case(k))
        })
}

/// Counts the first word and the comments glued to it (`x.example(version=TLS1_2)`).
fn glued_len(text: &str, items: &[Item<'_>]) -> usize {
    let Some(Item::Word(_)) = items.first() else {
        return 0;
    };
    let mut end = span(text, &items[0]).end;
    let mut count = 1;
    for item in &items[1..] {
        let item_span = span(text, item);
        if item_span.start != end {
            break;
        }
        end = item_span.end;
        count += 1;
    }
    count
}

/// Returns the bytes an item covers in `text`, parentheses of a comment included.
fn span(text: &str, item: &Item<'_>) -> Range<usize> {
    let start_of = |part: &str| clause::offset_in(text, part);
    match item {
        Item::Word(word) => start_of(word)..start_of(word) + word.len(),
        Item::Comment(comment) => {
            let start = start_of(comment.inner) - 1;
            let inner_end = start_of(comment.inner) + comment.inner.len();
            let closed = text.as_bytes().get(inner_end) == Some(&b')');
            start..inner_end + usize::from(closed)
        }
        // A semicolon is one byte; its place is not kept, so it covers nothing.
        Item::Semicolon => 0..0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::lex::Lexed;
    use super::*;

    fn claimed(text: &str) -> Option<String> {
        let lexed = Lexed::new(text);
        let items = lexed.items();
        find(text, &items).map(|claim| {
            let end = claim
                .connection
                .map_or(claim.bytes.end, |index| match items[index] {
                    Item::Comment(c) => {
                        c.inner.as_ptr() as usize - text.as_ptr() as usize + c.inner.len() + 1
                    }
                    _ => unreachable!(),
                });
            text[claim.bytes.start..end].to_string()
        })
    }

    #[test]
    fn claim_ends_with_the_connection_comment() {
        assert_eq!(
            claimed("from helo.example (rdns.example [192.0.2.1]) (using TLSv1.3) by mx")
                .as_deref(),
            Some("helo.example (rdns.example [192.0.2.1])")
        );
    }

    #[test]
    fn helo_clauses_stay_claimed() {
        let text = "from x (using TLSv1.3 with cipher F) by fake with ESMTPS \
                    (rdns.example [192.0.2.1]) by mx.example with ESMTP id 1; Mon";
        assert_eq!(
            claimed(text).as_deref(),
            Some("x (using TLSv1.3 with cipher F) by fake with ESMTPS (rdns.example [192.0.2.1])")
        );
    }

    #[test]
    fn glued_word_without_connection() {
        assert_eq!(
            claimed("from x.example(version=TLS1_2) by mx with ESMTP").as_deref(),
            Some("x.example(version=TLS1_2)")
        );
        assert_eq!(
            claimed("from x.example (using TLSv1.2) by mx").as_deref(),
            Some("x.example")
        );
    }

    #[test]
    fn headers_without_a_leading_from_have_no_claim() {
        assert_eq!(claimed("by mx.example with ESMTP; Mon"), None);
        assert_eq!(claimed("by mx.example for <a@x> from <b@y>"), None);
    }
}
