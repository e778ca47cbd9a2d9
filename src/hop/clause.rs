//! Groups the lexer's items into the RFC 5322 clauses `from`, `by`, `via`, `with`, `id` and
//! `for`, plus the date after the last top-level semicolon.
//!
//! A keyword counts only as a whole top-level word: `mail.example.id` and a queue id ending
//! in `-By` are values, and the `from` in `(Postfix, from userid 1002)` sits in a comment.

use std::ops::Range;

use super::lex::{Comment, Item};

/// A clause keyword of RFC 5322 §3.6.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    From,
    By,
    Via,
    With,
    Id,
    For,
}

impl Keyword {
    fn parse(word: &str) -> Option<Keyword> {
        let keyword = match word.len() {
            2 if word.eq_ignore_ascii_case("by") => Keyword::By,
            2 if word.eq_ignore_ascii_case("id") => Keyword::Id,
            3 if word.eq_ignore_ascii_case("via") => Keyword::Via,
            3 if word.eq_ignore_ascii_case("for") => Keyword::For,
            4 if word.eq_ignore_ascii_case("from") => Keyword::From,
            4 if word.eq_ignore_ascii_case("with") => Keyword::With,
            _ => return None,
        };
        Some(keyword)
    }
}

/// The clauses of one header. Each slice holds the items after the keyword, up to the next
/// keyword or top-level semicolon. The first `from`, `by` and `via` win; later ones
/// (`for <a@example.org> from <b@example.net>`) name envelope addresses, not hosts.
#[derive(Debug, Default)]
pub struct Clauses<'i, 'a> {
    pub leading: &'i [Item<'a>],
    pub from: Option<&'i [Item<'a>]>,
    pub by: Option<&'i [Item<'a>]>,
    pub via: Option<&'i [Item<'a>]>,
    pub with: Vec<&'i [Item<'a>]>,
    pub id: Option<&'i [Item<'a>]>,
    /// Whether the header holds any clause keyword at all.
    pub any_keyword: bool,
}

impl<'i, 'a> Clauses<'i, 'a> {
    /// Groups `items` into clauses. Items in `claimed` (see [`super::claim`]) belong to the
    /// `from` clause whatever they contain.
    pub fn split(items: &'i [Item<'a>], claimed: Range<usize>) -> Clauses<'i, 'a> {
        let mut clauses = Clauses::default();
        let mut current: Option<(Keyword, usize)> = None;
        let mut leading_end = items.len();
        for (index, item) in items.iter().enumerate() {
            if claimed.contains(&index) {
                continue;
            }
            let keyword = match item {
                Item::Word(word) => Keyword::parse(word),
                Item::Semicolon => {
                    if let Some((keyword, start)) = current.take() {
                        clauses.store(keyword, &items[start..index]);
                    }
                    leading_end = leading_end.min(index);
                    continue;
                }
                Item::Comment(_) => None,
            };
            let Some(keyword) = keyword else { continue };
            if let Some((previous, start)) = current.take() {
                clauses.store(previous, &items[start..index]);
            }
            leading_end = leading_end.min(index);
            current = Some((keyword, index + 1));
        }
        if let Some((keyword, start)) = current {
            clauses.store(keyword, &items[start..]);
        }
        clauses.leading = &items[..leading_end];
        clauses
    }

    fn store(&mut self, keyword: Keyword, body: &'i [Item<'a>]) {
        self.any_keyword = true;
        match keyword {
            Keyword::From => {
                self.from.get_or_insert(body);
            }
            Keyword::By => {
                self.by.get_or_insert(body);
            }
            Keyword::Via => {
                self.via.get_or_insert(body);
            }
            Keyword::Id => {
                self.id.get_or_insert(body);
            }
            Keyword::With => self.with.push(body),
            Keyword::For => {}
        }
    }

    /// Returns the first `with` clause: the protocol of the hand-off.
    pub fn with_first(&self) -> &'i [Item<'a>] {
        self.with.first().copied().unwrap_or(&[])
    }

    /// Returns a comment before any clause whose first word is `from`: sendmail writes
    /// `(from user@localhost) by host.example (8.17.1/Submit)` for local submissions.
    pub fn leading_from_comment(&self) -> Option<Comment<'a>> {
        self.leading.iter().find_map(|item| match item {
            Item::Comment(comment)
                if comment
                    .first_word()
                    .is_some_and(|w| w.eq_ignore_ascii_case("from")) =>
            {
                Some(*comment)
            }
            _ => None,
        })
    }
}

/// Returns the first top-level word of a clause body.
pub fn first_word<'a>(body: &[Item<'a>]) -> Option<&'a str> {
    match body.first() {
        Some(Item::Word(word)) => Some(word),
        _ => None,
    }
}

/// Returns the comments of a clause body.
pub fn comments<'i, 'a>(body: &'i [Item<'a>]) -> impl Iterator<Item = Comment<'a>> + 'i {
    body.iter().filter_map(|item| match item {
        Item::Comment(comment) => Some(*comment),
        _ => None,
    })
}

/// Returns the text that holds the date: after the last top-level semicolon (at byte
/// `last_semicolon`, as the lexer found it), or, when a server wrote none (`with SMTP id
/// x\n 2018-03-26 13:35:36 +0000 UTC`), after the value of the last clause.
pub fn date_text<'a>(
    text: &'a str,
    last_semicolon: Option<usize>,
    items: &[Item<'_>],
) -> Option<&'a str> {
    if let Some(index) = last_semicolon {
        return Some(&text[index + 1..]);
    }
    let mut after_keyword = false;
    let mut value_end = None;
    for item in items {
        if let Item::Word(word) = item {
            if Keyword::parse(word).is_some() {
                after_keyword = true;
            } else if after_keyword {
                value_end = Some(offset_in(text, word) + word.len());
                after_keyword = false;
            }
        }
    }
    value_end.map(|end| &text[end..])
}

/// Returns true when `word` is a clause keyword (`from`, `by`, `via`, `with`, `id`, `for`).
pub fn is_keyword(word: &str) -> bool {
    Keyword::parse(word).is_some()
}

/// Returns where `part`, a slice of `text`, starts inside it.
pub fn offset_in(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}
