//! The fields mail-parser 0.11 reads from a Received header, before this crate's
//! corrections.
//!
//! mail-parser reads every header first. Measured against labelled real headers,
//! it gets these kinds of input wrong, and `hop::parse` corrects each:
//! - the family label `version=TLSv1/SSLv3` (sendmail, Courier) comes back as TLS 1.0;
//! - protocol names outside its fixed list are dropped (Gmail's `with SMTPS`, `with mapi`),
//!   product names shrink to a keyword (`Microsoft SMTP Server` comes back as SMTP), and
//!   letter case is lost (`esmtps` comes back as ESMTPS);
//! - a `from` inside a comment is read as the sending host (`(Postfix, from userid 0)`
//!   gives `userid`, `(qmail 1 invoked from network)` gives `network`);
//! - an address literal or a mailbox after `from` is returned as a host name;
//! - two-digit years are read as 19xx, and named zones (`EDT`) as UTC;
//! - cipher names outside its prefix list are missed (`RC4-MD5`, `OTHER`);
//! - it takes a TLS version from any comment, including text the sender chose (an
//!   envelope address, a HELO name), so only its `by` host and date are kept here.

use std::borrow::Cow;

use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Host};

use crate::hop::HopDate;

/// The values mail-parser read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline<'a> {
    pub by_name: Option<Cow<'a, str>>,
    pub date: Option<HopDate>,
    /// mail-parser's date can stand as it is: see [`Baseline::trusted_date`].
    date_is_plain: bool,
}

impl Baseline<'_> {
    /// Returns mail-parser's date when it has none of the errors listed above: a year of
    /// 2000 or later (a two-digit year comes back as 19xx) and a numeric zone (a named
    /// zone, or none, comes back as `-0000`). Otherwise the date is read again.
    pub fn trusted_date(&self) -> Option<HopDate> {
        self.date.filter(|_| self.date_is_plain)
    }
}

/// Runs mail-parser's Received parser over one header value.
pub fn read(raw: &[u8]) -> Baseline<'_> {
    let HeaderValue::Received(received) = MessageStream::new(raw).parse_received() else {
        return Baseline::default();
    };
    let received = *received;
    let by_name = match received.by {
        Some(Host::Name(name)) => Some(name),
        _ => None,
    };
    let valid_date = received.date.as_ref().filter(|d| d.is_valid());
    let date_is_plain = valid_date.is_some_and(|d| {
        let named_or_no_zone = d.tz_before_gmt && d.tz_hour == 0 && d.tz_minute == 0;
        d.year >= 2000 && !named_or_no_zone
    });
    let date = valid_date.map(|d| {
        let sign = if d.tz_before_gmt { -1 } else { 1 };
        HopDate {
            utc: d.to_timestamp(),
            offset_minutes: sign * (i32::from(d.tz_hour) * 60 + i32::from(d.tz_minute)),
        }
    });
    Baseline {
        by_name,
        date,
        date_is_plain,
    }
}
