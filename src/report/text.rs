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
    if bytes.iter().all(|&b| is_plain_ascii(b))
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        // Plain printable ASCII needs no work; this is nearly every value.
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        push_valid(&mut out, chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
    Cow::Owned(out)
}

/// Same as [`visible`], for text that is already a `str`.
pub fn visible_str(text: &str) -> Cow<'_, str> {
    if text.bytes().all(is_plain_ascii) {
        return Cow::Borrowed(text);
    }
    visible(text.as_bytes())
}

fn is_plain_ascii(byte: u8) -> bool {
    (0x20..0x7f).contains(&byte) && byte != b'\\'
}

/// Appends valid UTF-8 text with folding removed and escapes applied. Runs of plain ASCII
/// are copied at once; folding only involves ASCII bytes, so it never spans two chunks.
fn push_valid(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|&&b| is_plain_ascii(b))
            .count();
        if run > 0 {
            out.push_str(&text[i..i + run]);
            i += run;
            continue;
        }
        let fold = match &bytes[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => 2,
            [b'\n', b' ' | b'\t', ..] => 1,
            _ => 0,
        };
        if fold > 0 {
            i += fold;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        push_char(out, c);
        i += c.len_utf8();
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
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// True for `-12` or `-2.5`: an optional minus, digits, and at most one decimal point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
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
