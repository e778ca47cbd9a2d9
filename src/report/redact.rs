//! Masking the recipient in Received lines of a redacted report.
//!
//! A receiving server often names the envelope recipient in a `for` clause (RFC 5321
//! section 4.4), for example
//! `from a.example by mx.org.example with ESMTPS id 4Q1; for <jane.doe@org.example>; ...`.
//! With `--redact-accounts` the report masks the local part of that address, so
//! `for <[redacted]@org.example>` still shows which domain received the message while the
//! person stays unnamed. The store keeps the header bytes unchanged.

use std::borrow::Cow;

/// The text that replaces the local part of a recipient address.
pub const MASK: &[u8] = b"[redacted]";

/// Returns `raw` with the local part of every `for` clause's address replaced by [`MASK`].
/// A line without such a clause is borrowed unchanged.
pub fn mask_recipients(raw: &[u8]) -> Cow<'_, [u8]> {
    let mut masked: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = find_for(raw, at) {
        let local = local_part(raw, found);
        at = found + 3;
        let Some((start, end)) = local else {
            continue;
        };
        let out = masked.get_or_insert_with(|| Vec::with_capacity(raw.len()));
        out.extend_from_slice(&raw[copied..start]);
        out.extend_from_slice(MASK);
        copied = end;
        at = end;
    }
    match masked {
        Some(mut out) => {
            out.extend_from_slice(&raw[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(raw),
    }
}

/// Returns the position of the next word `for`, in any case, at or after `from`.
fn find_for(raw: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 3 <= raw.len() {
        let word = &raw[i..i + 3];
        let starts_word = i == 0 || !is_word_byte(raw[i - 1]);
        let ends_word = raw.get(i + 3).is_none_or(|&b| !is_word_byte(b));
        if word.eq_ignore_ascii_case(b"for") && starts_word && ends_word {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'
}

/// Returns the byte range of the local part of the address after the `for` at `start`:
/// `for` and folding white space, an optional `<`, then non-space bytes up to an `@`.
fn local_part(raw: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut i = start + 3;
    let spaces = raw[i..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    if spaces == 0 {
        return None;
    }
    i += spaces;
    if raw.get(i) == Some(&b'<') {
        i += 1;
    }
    let length = raw[i..]
        .iter()
        .take_while(|&&b| !matches!(b, b'@' | b'>' | b';' | b'<' | b',') && b > b' ')
        .count();
    let at_sign = raw.get(i + length) == Some(&b'@');
    (length > 0 && at_sign).then_some((i, i + length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_table() {
        let cases: &[(&str, &str)] = &[
            (
                "from a.example by mx.org.example with ESMTPS id 1 for <jane.doe@org.example>; Mon, 2 Feb 2026",
                "from a.example by mx.org.example with ESMTPS id 1 for <[redacted]@org.example>; Mon, 2 Feb 2026",
            ),
            (
                "by mx.org.example (Postfix) with ESMTP id 2\r\n\tfor <records@org.example>; Tue",
                "by mx.org.example (Postfix) with ESMTP id 2\r\n\tfor <[redacted]@org.example>; Tue",
            ),
            (
                "by mx.org.example with LMTP id 3 FOR bob+tag@org.example; Wed",
                "by mx.org.example with LMTP id 3 FOR [redacted]@org.example; Wed",
            ),
            (
                "by a.test for <x@a.test>, by b.test for <y@b.test>",
                "by a.test for <[redacted]@a.test>, by b.test for <[redacted]@b.test>",
            ),
            // No address, or `for` inside another word: nothing to mask.
            (
                "from forward.example by mx.org.example for <postmaster>; Thu",
                "from forward.example by mx.org.example for <postmaster>; Thu",
            ),
            (
                "from a.example (comment for later) by mx.org.example; Fri",
                "from a.example (comment for later) by mx.org.example; Fri",
            ),
            ("platform.example for", "platform.example for"),
            ("", ""),
        ];
        for (raw, expected) in cases {
            let masked = mask_recipients(raw.as_bytes());
            assert_eq!(String::from_utf8_lossy(&masked), *expected, "input {raw:?}");
        }
    }

    #[test]
    fn unchanged_line_is_borrowed() {
        let raw = b"from a.example by mx.org.example; Mon";
        assert!(matches!(mask_recipients(raw), Cow::Borrowed(_)));
    }
}
