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

/// Appends [`iso_utc`] to `out`; nothing for a time outside chrono's range. Written by
/// hand because `chrono`'s format strings cost several times more, and report files hold
/// millions of dates.
pub fn push_iso_utc(out: &mut String, seconds: i64) {
    if let Some(t) = DateTime::from_timestamp(seconds, 0) {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
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
