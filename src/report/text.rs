//! Making header text safe to show: visible escapes for characters a reader cannot see or
//! that reorder a line, and neutralized spreadsheet formulas.
//!
//! Every text value from a header, the store or the configuration goes through
//! [`visible`] before it reaches any report file, so CSV, JSON and HTML show the same text.
//! The escapes are unambiguous, because a backslash is itself written as `\\`:
//! - a control character other than tab becomes `\u{1B}` (NUL is `\u{0}`);
//! - a bidirectional or invisible formatting character becomes `\u{202E}`;
//! - a byte that is not valid UTF-8 becomes `\xFF`.
//!
//! Header folding is undone first (RFC 5322 section 2.2.3: a CRLF followed by a space or
//! tab is removed, the space or tab kept), so a folded Received line reads as one line.

use std::borrow::Cow;
use std::fmt::Write;

/// Returns `bytes` unfolded and with the escapes described in the module overview.
pub fn visible(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.iter().all(|&b| is_plain_ascii(b)) {
        // Plain printable ASCII needs no work; this is nearly every value.
        return Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default());
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    push_visible(&mut out, bytes);
    Cow::Owned(out)
}

/// Same as [`visible`], for text that is already a `str`.
pub fn visible_str(text: &str) -> Cow<'_, str> {
    visible(text.as_bytes())
}

/// True for a byte that [`visible`] copies unchanged: printable ASCII except the backslash.
pub const fn is_plain_ascii(byte: u8) -> bool {
    byte >= 0x20 && byte < 0x7f && byte != b'\\'
}

/// Appends [`visible`] of `bytes` to `out` in one pass: runs of plain ASCII are copied at
/// once, and each other byte is a fold, an escape or the start of a UTF-8 character.
pub fn push_visible(out: &mut String, bytes: &[u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .position(|&b| !is_plain_ascii(b))
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            // Plain ASCII is valid UTF-8, so the conversion cannot fail.
            out.push_str(std::str::from_utf8(&bytes[i..i + run]).unwrap_or_default());
            i += run;
            continue;
        }
        i += push_special(out, &bytes[i..]);
    }
}

/// Appends the visible form of the fold, control character, backslash or UTF-8 sequence
/// at the start of `bytes`, and returns how many bytes it consumed.
fn push_special(out: &mut String, bytes: &[u8]) -> usize {
    match bytes {
        [b'\r', b'\n', b' ' | b'\t', ..] => return 2,
        [b'\n', b' ' | b'\t', ..] => return 1,
        _ => {}
    }
    let width = match bytes[0] {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    let decoded = bytes
        .get(..width)
        .and_then(|sequence| std::str::from_utf8(sequence).ok())
        .and_then(|text| text.chars().next());
    match decoded {
        Some(c) => {
            push_char(out, c);
            width
        }
        None => {
            // An invalid sequence is escaped byte by byte, so a continuation byte after
            // a bad lead byte is escaped too, never decoded on its own.
            let _ = write!(out, "\\x{:02X}", bytes[0]);
            1
        }
    }
}

fn push_char(out: &mut String, c: char) {
    if c == '\\' {
        out.push_str("\\\\");
    } else if c != '\t' && (c.is_control() || is_format_char(c)) {
        let _ = write!(out, "\\u{{{:X}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// True for characters that change text direction or are invisible: Unicode bidirectional
/// controls (UAX #9), zero-width characters, the byte order mark, and the line and
/// paragraph separators that break lines in scripts.
fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Returns `cell` ready for a CSV file that Excel or LibreOffice may open. A value starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe, so the
/// spreadsheet shows it as text instead of running it as a formula. A plain number such as
/// `-2.5` stays as it is, because spreadsheets read it as a number.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if is_formula(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// True when [`spreadsheet_safe`] adds an apostrophe before `cell`.
pub fn is_formula(cell: &[u8]) -> bool {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    risky && !is_plain_number(cell)
}

/// True for `-12` or `-2.5`: an optional minus, digits, and at most one decimal point.
fn is_plain_number(cell: &[u8]) -> bool {
    let digits = cell.strip_prefix(b"-").unwrap_or(cell);
    let mut parts = digits.splitn(2, |&b| b == b'.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    all_digits(whole) && fraction.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(visible(b"mx.example.org"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"a\\b", "a\\\\b"),
            (b"nul\0byte", "nul\\u{0}byte"),
            (b"esc\x1b[31m", "esc\\u{1B}[31m"),
            ("evil\u{202E}gpj.exe".as_bytes(), "evil\\u{202E}gpj.exe"),
            ("zero\u{200B}width".as_bytes(), "zero\\u{200B}width"),
            (b"bad \xff\xfe utf8", "bad \\xFF\\xFE utf8"),
            (b"from a\r\n\tby b", "from a\tby b"),
            (b"from a\n by b", "from a by b"),
            (b"line\r\nbreak", "line\\u{D}\\u{A}break"),
            (b"tab\tkept", "tab\tkept"),
            ("caf\u{e9}".as_bytes(), "caf\u{e9}"),
        ];
        for (input, expected) in cases {
            assert_eq!(visible(input), *expected, "input {input:?}");
        }
    }

    /// Applies the escapes the straightforward way, chunk by chunk, to check the one-pass
    /// [`push_visible`] against.
    fn reference(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.utf8_chunks() {
            let text = chunk.valid();
            let mut chars = text.char_indices().peekable();
            while let Some((at, c)) = chars.next() {
                let rest = &text.as_bytes()[at..];
                if rest.starts_with(b"\r\n ") || rest.starts_with(b"\r\n\t") {
                    chars.next();
                    continue;
                }
                if rest.starts_with(b"\n ") || rest.starts_with(b"\n\t") {
                    continue;
                }
                push_char(&mut out, c);
            }
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02X}"));
            }
        }
        out
    }

    #[test]
    fn one_pass_matches_reference() {
        // Bytes drawn from the ones that need care: folds, controls, backslashes, the lead
        // and continuation bytes of UTF-8, and a bidirectional override.
        let alphabet: &[&[u8]] = &[
            b"a",
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\\",
            b"\0",
            b"\x7f",
            b"\x80",
            b"\xbf",
            b"\xc0",
            b"\xc3",
            b"\xa9",
            b"\xe2",
            b"\x80\xae",
            b"\xed\xa0",
            b"\xf0\x9f",
            b"\x98\x80",
            b"\xff",
            "\u{202E}".as_bytes(),
            "\u{85}".as_bytes(),
        ];
        let mut state: u64 = 7;
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut input = Vec::new();
            for _ in 0..(state % 12) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                input.extend_from_slice(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            assert_eq!(visible(&input), reference(&input), "input {input:?}");
            checked += 1;
        }
        assert_eq!(checked, 20_000);
    }

    #[test]
    fn formulas_are_neutralized() {
        for cell in [
            "=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "-1e5",
        ] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"), "cell {cell:?}");
        }
    }

    #[test]
    fn numbers_and_text_pass() {
        for cell in ["-2.5", "-12", "12.0", "mx.example.org", "", "'quoted"] {
            assert_eq!(spreadsheet_safe(cell), cell, "cell {cell:?}");
        }
    }
}
