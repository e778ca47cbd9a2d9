//! The selection of messages a report covers: the period, accounts and sender domains chosen on the
//! command line, and the previous period used for comparison.

use chrono::{Datelike, Months, NaiveDate};

use super::ReportError;

/// A half-open range of days, UTC: `since` inclusive, `before` exclusive. Either end may
/// be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub before: Option<NaiveDate>,
}

impl Period {
    /// Parses `--since` and `--before` values (`YYYY-MM-DD`).
    pub fn parse(since: Option<&str>, before: Option<&str>) -> Result<Period, ReportError> {
        let period = Period {
            since: since.map(|s| parse_day("--since", s)).transpose()?,
            before: before.map(|s| parse_day("--before", s)).transpose()?,
        };
        if let (Some(since), Some(before)) = (period.since, period.before)
            && since >= before
        {
            return Err(ReportError::Invalid(format!(
                "--since {since} is not before --before {before}; the period would be empty"
            )));
        }
        Ok(period)
    }

    /// Returns the first second of the period, in seconds since the Unix epoch.
    pub fn start_utc(&self) -> Option<i64> {
        self.since.map(day_start)
    }

    /// Returns the first second after the period.
    pub fn end_utc(&self) -> Option<i64> {
        self.before.map(day_start)
    }

    pub fn is_bounded(&self) -> bool {
        self.since.is_some() || self.before.is_some()
    }

    /// Returns the period of the same length just before this one, when both ends are set. When
    /// both ends fall on the first of a month, the previous period is the same number of
    /// calendar months (November compares with October, not with the 30 days before).
    pub fn previous(&self) -> Option<Period> {
        let (since, before) = (self.since?, self.before?);
        let months = whole_months(since, before);
        let start = match months {
            Some(months) => since.checked_sub_months(Months::new(months))?,
            None => since - (before - since),
        };
        Some(Period {
            since: Some(start),
            before: Some(since),
        })
    }
}

fn parse_day(option: &str, value: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|e| {
        ReportError::Invalid(format!(
            "{option} {value:?} is not a date ({e}); write it as YYYY-MM-DD, for example 2026-01-31"
        ))
    })
}

fn day_start(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default()
}

/// Counts the calendar months from `since` to `before` when both are the first of a
/// month.
fn whole_months(since: NaiveDate, before: NaiveDate) -> Option<u32> {
    if since.day() != 1 || before.day() != 1 {
        return None;
    }
    let count = (before.year() - since.year()) * 12 + before.month() as i32 - since.month() as i32;
    u32::try_from(count).ok().filter(|&n| n > 0)
}

/// Everything that selects messages for a report.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub period: Period,
    /// Account names; empty means every account.
    pub accounts: Vec<String>,
    /// Sender domains, lowercased; empty means every domain.
    pub domains: Vec<String>,
    /// Count each Message-ID once per account (`scan.dedupe_message_id`).
    pub dedupe_message_id: bool,
}

impl Scope {
    /// True when `account` is one of the selected accounts.
    pub fn includes_account(&self, account: &str) -> bool {
        self.accounts.is_empty() || self.accounts.iter().any(|a| a == account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn calendar_months_compare_with_months() {
        let period = Period::parse(Some("2026-03-01"), Some("2026-04-01")).unwrap();
        let previous = period.previous().unwrap();
        assert_eq!(previous.since, day("2026-02-01"));
        assert_eq!(previous.before, day("2026-03-01"));
    }

    #[test]
    fn other_periods_compare_with_same_length() {
        let period = Period::parse(Some("2026-03-10"), Some("2026-03-20")).unwrap();
        let previous = period.previous().unwrap();
        assert_eq!(previous.since, day("2026-02-28"));
        assert_eq!(previous.before, day("2026-03-10"));
    }

    #[test]
    fn open_period_has_no_previous() {
        let period = Period::parse(Some("2026-03-10"), None).unwrap();
        assert_eq!(period.previous(), None);
        assert_eq!(period.start_utc(), Some(1_773_100_800));
    }

    #[test]
    fn invalid_dates_are_rejected() {
        assert!(Period::parse(Some("2026-13-01"), None).is_err());
        assert!(Period::parse(Some("2026-03-02"), Some("2026-03-01")).is_err());
    }
}
