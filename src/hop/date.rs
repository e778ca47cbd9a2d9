//! The date stamp after the last semicolon, read leniently.
//!
//! RFC 5322 §3.3 writes `Mon, 19 Aug 2019 10:41:21 -0400`; servers also write two-digit
//! years (`20 Mar 03`, read per RFC 5322 §4.3: 00-49 is 20xx, 50-99 is 19xx), named zones
//! (`EDT`, `GMT`, `UT`), ctime order (`Fri Feb 07 10:18:12 2003 -0800`), fractions of a
//! second (`13:35:36.102`), ISO dates (`2018-03-26 13:35:36.27 +0000 UTC`), folds inside
//! the date, and an offset glued to the time (`17:40:44-0500`). A stamp that cannot be read
//! gives `None`; the hop is kept.

use chrono::NaiveDate;

use crate::hop::HopDate;

#[derive(Debug, Default)]
struct Parts {
    year: Option<(i32, usize)>,
    month: Option<u32>,
    day: Option<u32>,
    time: Option<(u32, u32, u32)>,
    offset_minutes: Option<i32>,
}

/// Reads the date in `text`, or `None` when it holds no complete date and time.
pub fn parse(text: &str) -> Option<HopDate> {
    let mut parts = Parts::default();
    let mut numbers: Vec<(u32, usize)> = Vec::with_capacity(4);
    for token in text.split(|c: char| c.is_ascii_whitespace() || matches!(c, ',' | '(' | ')')) {
        if token.is_empty() {
            continue;
        }
        read_token(token, &mut parts, &mut numbers);
    }
    assign_day_and_year(&mut parts, &numbers);
    let (year, digits) = parts.year?;
    let year = match (digits, year) {
        (1 | 2, 0..=49) => 2000 + year,
        (1 | 2, _) | (3, _) => 1900 + year,
        _ => year,
    };
    let (hour, minute, second) = parts.time?;
    let naive = NaiveDate::from_ymd_opt(year, parts.month?, parts.day?)?.and_hms_opt(
        hour,
        minute,
        second.min(59),
    )?;
    let offset_minutes = parts.offset_minutes.unwrap_or(0);
    let utc = naive.and_utc().timestamp() - i64::from(offset_minutes) * 60;
    Some(HopDate {
        utc,
        offset_minutes,
    })
}

fn read_token(token: &str, parts: &mut Parts, numbers: &mut Vec<(u32, usize)>) {
    if let Some(month) = month_number(token) {
        parts.month.get_or_insert(month);
    } else if token.contains(':') {
        read_time(token, parts);
    } else if let Some(offset) = numeric_offset(token) {
        if parts.time.is_some() {
            parts.offset_minutes.get_or_insert(offset);
        }
    } else if let Some(offset) = zone_name(token) {
        parts.offset_minutes.get_or_insert(offset);
    } else if token.len() == 10 && token.as_bytes()[4] == b'-' {
        read_iso_date(token, parts);
    } else if token.bytes().all(|b| b.is_ascii_digit())
        && token.len() <= 4
        && let Ok(value) = token.parse()
    {
        numbers.push((value, token.len()));
    }
}

/// Reads `10:41:21`, `10:41`, `13:35:36.102`, and `17:40:44-0500`.
fn read_time(token: &str, parts: &mut Parts) {
    if parts.time.is_some() {
        return;
    }
    let (clock, offset) = match token.find(['+', '-']) {
        Some(at) => (&token[..at], numeric_offset(&token[at..])),
        None => (token, None),
    };
    let mut fields = clock.split(':');
    let hour = fields.next().and_then(|h| h.parse().ok());
    let minute = fields.next().and_then(|m| m.parse().ok());
    let second = match fields.next() {
        Some(s) => s.split('.').next().and_then(|s| s.parse().ok()),
        None => Some(0),
    };
    if let (Some(hour), Some(minute), Some(second)) = (hour, minute, second) {
        parts.time = Some((hour, minute, second));
        if let Some(offset) = offset {
            parts.offset_minutes.get_or_insert(offset);
        }
    }
}

fn read_iso_date(token: &str, parts: &mut Parts) {
    let mut fields = token.split('-');
    let year = fields.next().and_then(|y| y.parse().ok());
    let month = fields.next().and_then(|m| m.parse().ok());
    let day = fields.next().and_then(|d| d.parse().ok());
    if let (Some(year), Some(month), Some(day)) = (year, month, day) {
        parts.year = Some((year, 4));
        parts.month = Some(month);
        parts.day = Some(day);
    }
}

/// RFC 5322 order is day, month, year; ctime order is month, day, time, year. A four-digit
/// number is the year either way.
fn assign_day_and_year(parts: &mut Parts, numbers: &[(u32, usize)]) {
    if parts.year.is_some() {
        return;
    }
    let year_at = numbers
        .iter()
        .position(|&(_, digits)| digits >= 3)
        .or_else(|| (numbers.len() >= 2).then_some(1));
    let Some(year_at) = year_at else { return };
    let (year, digits) = numbers[year_at];
    parts.year = i32::try_from(year).ok().map(|y| (y, digits));
    parts.day = numbers
        .iter()
        .enumerate()
        .find(|&(i, &(value, _))| i != year_at && (1..=31).contains(&value))
        .map(|(_, &(value, _))| value);
}

fn month_number(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if !(3..=9).contains(&token.len()) || !token.is_ascii() {
        return None;
    }
    let prefix = &token[..3];
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(prefix))?;
    Some(index as u32 + 1)
}

/// True when `text` contains a zone offset of four digits (`+0200`) worth `minutes`.
pub fn has_offset(text: &str, minutes: i32) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &sign)| {
        let digits_end = at + 5;
        matches!(sign, b'+' | b'-')
            && bytes.len() >= digits_end
            && bytes[at + 1..digits_end].iter().all(u8::is_ascii_digit)
            && !bytes.get(digits_end).is_some_and(u8::is_ascii_digit)
            && numeric_offset(&text[at..digits_end]) == Some(minutes)
    })
}

/// Reads `+0200`, `-0400`, and `-0000` (RFC 5322: UTC, local offset unknown).
fn numeric_offset(token: &str) -> Option<i32> {
    let (sign, digits) = match token.as_bytes().first()? {
        b'+' => (1, &token[1..]),
        b'-' => (-1, &token[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i32 = digits.parse().ok()?;
    let (hours, minutes) = (value / 100, value % 100);
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 60 + minutes))
}

/// The zone names of RFC 5322 §4.3, in minutes east of UTC.
fn zone_name(token: &str) -> Option<i32> {
    const ZONES: [(&str, i32); 12] = [
        ("UT", 0),
        ("UTC", 0),
        ("GMT", 0),
        ("Z", 0),
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
    ];
    ZONES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(token))
        .map(|&(_, hours)| hours * 60)
}
