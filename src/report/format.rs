//! Value formats shared by every report file: dates in UTC ISO 8601, and TLS versions
//! with "not reported" kept apart from "no TLS".

use std::fmt::Write;

use chrono::{DateTime, Datelike, Timelike};

use super::source::HopRow;

/// Label for a hop that recorded TLS without naming the version.
pub const VERSION_NOT_REPORTED: &str = "not_reported";

/// Formats seconds since the epoch as `2026-03-01T14:05:09Z`.
pub fn iso_utc(seconds: i64) -> String {
    let mut out = String::with_capacity(20);
    push_iso_utc(&mut out, seconds);
    out
}

/// Appends [`iso_utc`] to `out`; nothing for a time outside chrono's range. The digits are
/// written by hand because `write!` costs several times more, and report files hold
/// millions of dates.
pub fn push_iso_utc(out: &mut String, seconds: i64) {
    let Some(t) = DateTime::from_timestamp(seconds, 0) else {
        return;
    };
    let year = t.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(out, "{year:04}");
    } else {
        push_digits(out, year as u32, 4);
    }
    for (separator, value) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(separator);
        push_digits(out, value, 2);
    }
    out.push('Z');
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Formats seconds since the epoch as the UTC day, `2026-03-01`.
pub fn iso_day(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The TLS version cell of a hop: empty without TLS, [`VERSION_NOT_REPORTED`] when TLS was
/// recorded without a version, else the stored label (`TLSv1.2`).
pub fn tls_version<'h>(hop: Option<&'h HopRow<'_>>) -> &'h str {
    match hop {
        Some(hop) if hop.tls => hop.tls_version.as_deref().unwrap_or(VERSION_NOT_REPORTED),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_offsets() {
        assert_eq!(iso_utc(1_772_373_909), "2026-03-01T14:05:09Z");
        assert_eq!(iso_day(1_772_373_909), "2026-03-01");
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso_utc(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(iso_utc(253_402_300_800), "10000-01-01T00:00:00Z");
        assert_eq!(iso_utc(-62_167_219_201), "-001-12-31T23:59:59Z");
    }

    #[test]
    fn version_cells() {
        let mut hop = HopRow::default();
        assert_eq!(tls_version(Some(&hop)), "");
        hop.tls = true;
        assert_eq!(tls_version(Some(&hop)), "not_reported");
        hop.tls_version = Some("TLSv1.3".into());
        assert_eq!(tls_version(Some(&hop)), "TLSv1.3");
        assert_eq!(tls_version(None), "");
    }
}
