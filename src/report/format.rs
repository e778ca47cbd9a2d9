//! How values are written in every report file: dates in UTC ISO 8601 and TLS versions
//! with "not reported" kept apart from "no TLS".

use chrono::DateTime;

use super::source::HopRow;

/// Label for a hop that recorded TLS without naming the version.
pub const VERSION_NOT_REPORTED: &str = "not_reported";

/// Formats seconds since the epoch as `2026-03-01T14:05:09Z`.
pub fn iso_utc(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Formats seconds since the epoch as the UTC day, `2026-03-01`.
pub fn iso_day(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The TLS version cell of a hop: empty without TLS, [`VERSION_NOT_REPORTED`] when TLS was
/// recorded without a version, else the stored label (`TLSv1.2`).
pub fn tls_version(hop: Option<&HopRow>) -> &str {
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
