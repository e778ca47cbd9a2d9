//! Statistics over streamed message rows: verdict counts, the TLS version mix, per-domain
//! and per-month tallies, and which messages count at all. Pure: rows in, numbers out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike};
use serde::Serialize;

use super::source::MessageRow;
use crate::classify::Verdict;
use crate::hop::TlsVersion;

/// Messages by the verdict on their boundary hop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub encrypted: u64,
    pub plaintext: u64,
    pub unverified: u64,
    /// No boundary hop was found.
    pub none: u64,
}

impl VerdictCounts {
    pub fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Encrypted => self.encrypted += 1,
            Verdict::Plaintext => self.plaintext += 1,
            Verdict::Unverified => self.unverified += 1,
            Verdict::None => self.none += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.encrypted + self.plaintext + self.unverified + self.none
    }

    /// Returns the encrypted share of all messages, or `None` when there are none.
    pub fn encrypted_share(&self) -> Option<Share> {
        Share::of(self.encrypted, self.total())
    }
}

/// A percentage in tenths of a percent, rounded down, so a shown value never overstates:
/// 949 is 94.9 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Share(pub u32);

impl Share {
    /// Returns `part` of `whole`, or `None` when `whole` is zero.
    pub fn of(part: u64, whole: u64) -> Option<Share> {
        (whole > 0).then(|| Share((part.min(whole) * 1000 / whole) as u32))
    }

    /// Returns the share as a number with one decimal, for JSON.
    pub fn percent(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// Returns the change from `earlier` in tenths of a percentage point.
    pub fn change_since(self, earlier: Share) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Formats a change in tenths of a percentage point: `-2.5`, `0.0`, `3.1`.
pub fn format_change(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let magnitude = tenths.unsigned_abs();
    format!("{sign}{}.{}", magnitude / 10, magnitude % 10)
}

/// TLS notes of the boundary hops of counted messages, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TlsMix {
    /// Indexed like [`TlsVersion::ALL`].
    pub versions: [u64; 6],
    /// TLS recorded without a version (sendmail's `TLSv1/SSLv3`, a bare `ESMTPS`).
    pub not_reported: u64,
    /// No TLS recorded by a receiving server known to record it (verdict plaintext).
    pub no_tls_plaintext: u64,
    /// No TLS recorded, and nothing shows the receiving server would have (unverified).
    pub no_tls_unverified: u64,
    pub no_boundary: u64,
}

impl TlsMix {
    fn add(&mut self, row: &MessageRow<'_>) {
        match &row.boundary {
            None => self.no_boundary += 1,
            Some(hop) if !hop.tls && row.verdict == Verdict::Plaintext => {
                self.no_tls_plaintext += 1;
            }
            Some(hop) if !hop.tls => self.no_tls_unverified += 1,
            Some(hop) => match hop.version() {
                Some(version) => self.versions[version_slot(version)] += 1,
                None => self.not_reported += 1,
            },
        }
    }
}

fn version_slot(version: TlsVersion) -> usize {
    TlsVersion::ALL
        .iter()
        .position(|v| *v == version)
        .unwrap_or_default()
}

/// Counted messages from one sender domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainTally {
    pub counts: VerdictCounts,
    pub mix: TlsMix,
    pub weak_protocol: u64,
    pub weak_cipher: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl DomainTally {
    /// The oldest TLS version the domain's boundary hops reported.
    pub fn min_version(&self) -> Option<TlsVersion> {
        self.reported().next()
    }

    pub fn max_version(&self) -> Option<TlsVersion> {
        self.reported().last()
    }

    /// The version reported most often; a tie goes to the newer version.
    pub fn most_common_version(&self) -> Option<TlsVersion> {
        self.reported()
            .max_by_key(|v| (self.mix.versions[version_slot(*v)], *v))
    }

    fn reported(&self) -> impl Iterator<Item = TlsVersion> + '_ {
        TlsVersion::ALL
            .into_iter()
            .filter(|v| self.mix.versions[version_slot(*v)] > 0)
    }
}

/// Reason a message in the selection is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// A later full scan found it expunged from the server.
    NotPresent,
    /// No Received header: never transmitted to the organization (drafts, local copies).
    NoReceivedHeader,
    /// Another copy with the same Message-ID in the same account is counted.
    Duplicate,
}

impl Exclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::NotPresent => "not_present",
            Exclusion::NoReceivedHeader => "no_received_header",
            Exclusion::Duplicate => "duplicate_message_id",
        }
    }
}

/// Decides which copy of a Message-ID counts: the first one streamed for its account.
/// Messages stream in account, folder, UIDVALIDITY and UID order, so the choice is stable.
#[derive(Debug, Default)]
pub struct Deduper {
    enabled: bool,
    account: String,
    /// 128-bit XXH3 hashes of the Message-IDs counted so far in `account`, which keep
    /// memory small. A chance collision among a million IDs has a probability of about
    /// 10^-27 (birthday bound), so a distinct message is practically never dropped. XXH3 is
    /// not collision-resistant against IDs crafted to collide.
    seen: hashbrown::HashSet<u128>,
}

impl Deduper {
    pub fn new(enabled: bool) -> Deduper {
        Deduper {
            enabled,
            ..Deduper::default()
        }
    }

    /// Returns why the message does not count, or `None` when it counts.
    pub fn exclusion(&mut self, account: &str, row: &MessageRow<'_>) -> Option<Exclusion> {
        if !row.present {
            return Some(Exclusion::NotPresent);
        }
        if row.hop_count == 0 {
            return Some(Exclusion::NoReceivedHeader);
        }
        let id = row.message_id.as_deref().filter(|_| self.enabled)?;
        if self.account != account {
            self.account = account.to_string();
            self.seen.clear();
        }
        let hash = xxhash_rust::xxh3::xxh3_128(id.as_bytes());
        (!self.seen.insert(hash)).then_some(Exclusion::Duplicate)
    }
}

/// Counts of selected messages that do not count, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExclusionCounts {
    pub not_present: u64,
    pub no_received_header: u64,
    pub duplicate_message_id: u64,
}

/// Everything counted over one period.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub counted: VerdictCounts,
    pub mix: TlsMix,
    pub domains: hashbrown::HashMap<Option<String>, DomainTally>,
    /// Keyed by (year, month) of the Date header.
    pub months: BTreeMap<(i32, u32), VerdictCounts>,
    /// Counted messages without a Date header.
    pub undated: u64,
    pub weak_protocol: u64,
    pub weak_cipher: u64,
    /// Counted messages with at least one weak-protocol or weak-cipher finding.
    pub weak_messages: u64,
    pub excluded: ExclusionCounts,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl Tally {
    /// Adds one streamed message; `exclusion` comes from [`Deduper::exclusion`].
    pub fn add(&mut self, row: &MessageRow<'_>, exclusion: Option<Exclusion>) {
        match exclusion {
            Some(Exclusion::NotPresent) => self.excluded.not_present += 1,
            Some(Exclusion::NoReceivedHeader) => self.excluded.no_received_header += 1,
            Some(Exclusion::Duplicate) => self.excluded.duplicate_message_id += 1,
            None => self.count(row),
        }
    }

    fn count(&mut self, row: &MessageRow<'_>) {
        self.counted.add(row.verdict);
        self.mix.add(row);
        let (weak_protocol, weak_cipher) = weak_counts(row);
        self.weak_protocol += weak_protocol;
        self.weak_cipher += weak_cipher;
        self.weak_messages += u64::from(weak_protocol + weak_cipher > 0);
        widen(&mut self.first_seen, &mut self.last_seen, row.date_utc);
        match row.date_utc.and_then(|t| DateTime::from_timestamp(t, 0)) {
            Some(date) => self
                .months
                .entry((date.year(), date.month()))
                .or_default()
                .add(row.verdict),
            None => self.undated += 1,
        }
        let domain = self.domain_entry(row.sender_domain.as_deref());
        domain.counts.add(row.verdict);
        domain.mix.add(row);
        domain.weak_protocol += weak_protocol;
        domain.weak_cipher += weak_cipher;
        widen(&mut domain.first_seen, &mut domain.last_seen, row.date_utc);
    }

    fn domain_entry(&mut self, domain: Option<&str>) -> &mut DomainTally {
        // Looking up by the borrowed name avoids an allocation for every message.
        self.domains
            .entry_ref(&DomainName(domain))
            .or_insert_with(DomainTally::default)
    }
}

/// A borrowed sender domain that looks up the `Option<String>` keys of
/// [`Tally::domains`]. It hashes exactly like the key, because `String` and `str` hash
/// alike.
#[derive(Hash)]
struct DomainName<'a>(Option<&'a str>);

impl hashbrown::Equivalent<Option<String>> for DomainName<'_> {
    fn equivalent(&self, key: &Option<String>) -> bool {
        self.0 == key.as_deref()
    }
}

impl From<&DomainName<'_>> for Option<String> {
    fn from(name: &DomainName<'_>) -> Option<String> {
        name.0.map(str::to_string)
    }
}

/// Counts weak-protocol and weak-cipher findings of one message.
pub fn weak_counts(row: &MessageRow<'_>) -> (u64, u64) {
    let count = |kind: &str| row.findings.iter().filter(|f| f.kind == kind).count() as u64;
    (count("weak_protocol"), count("weak_cipher"))
}

fn widen(first: &mut Option<i64>, last: &mut Option<i64>, date: Option<i64>) {
    if let Some(date) = date {
        *first = Some(first.map_or(date, |f| f.min(date)));
        *last = Some(last.map_or(date, |l| l.max(date)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::source::{HopRow, StoredFinding};

    fn row(uid: u32, verdict: Verdict, version: Option<&str>) -> MessageRow<'static> {
        MessageRow {
            row_id: i64::from(uid),
            uid_validity: 1,
            uid,
            scan_id: 1,
            present: true,
            message_id: Some(format!("<{uid}@a.example>").into()),
            date_utc: Some(1_767_225_600 + i64::from(uid) * 86_400),
            sender_domain: Some("a.example".into()),
            hop_count: 2,
            boundary_index: Some(0),
            verdict,
            verdict_rule: "tls_recorded".into(),
            path_verdict: verdict,
            boundary: Some(HopRow {
                tls: verdict == Verdict::Encrypted,
                tls_version: version.map(|v| std::borrow::Cow::Owned(v.to_string())),
                ..HopRow::default()
            }),
            findings: vec![],
        }
    }

    #[test]
    fn share_rounds_down() {
        assert_eq!(Share::of(2, 3).unwrap().to_string(), "66.6");
        assert_eq!(Share::of(999, 1000).unwrap().to_string(), "99.9");
        assert_eq!(Share::of(1, 1).unwrap().to_string(), "100.0");
        assert_eq!(Share::of(0, 0), None);
        assert_eq!(format_change(-25), "-2.5");
        assert_eq!(format_change(-5), "-0.5");
        assert_eq!(format_change(31), "3.1");
    }

    #[test]
    fn duplicates_count_once_per_account() {
        let mut deduper = Deduper::new(true);
        let first = row(1, Verdict::Encrypted, None);
        let mut copy = row(2, Verdict::Encrypted, None);
        copy.message_id = first.message_id.clone();
        assert_eq!(deduper.exclusion("a", &first), None);
        assert_eq!(deduper.exclusion("a", &copy), Some(Exclusion::Duplicate));
        assert_eq!(deduper.exclusion("b", &copy), None);
        let mut off = Deduper::new(false);
        assert_eq!(off.exclusion("a", &first), None);
        assert_eq!(off.exclusion("a", &copy), None);
    }

    #[test]
    fn absent_and_headerless_are_excluded() {
        let mut deduper = Deduper::new(true);
        let mut gone = row(1, Verdict::Encrypted, None);
        gone.present = false;
        let mut draft = row(2, Verdict::None, None);
        draft.hop_count = 0;
        assert_eq!(deduper.exclusion("a", &gone), Some(Exclusion::NotPresent));
        assert_eq!(
            deduper.exclusion("a", &draft),
            Some(Exclusion::NoReceivedHeader)
        );
    }

    #[test]
    fn domain_versions_and_weak_findings() {
        let mut tally = Tally::default();
        let mut weak = row(1, Verdict::Encrypted, Some("TLSv1.0"));
        weak.findings.push(StoredFinding {
            header_index: Some(0),
            kind: "weak_protocol".into(),
            detail: Some("TLSv1.0".into()),
        });
        tally.add(&weak, None);
        tally.add(&row(2, Verdict::Encrypted, Some("TLSv1.2")), None);
        tally.add(&row(3, Verdict::Encrypted, Some("TLSv1.3")), None);
        tally.add(&row(4, Verdict::Encrypted, Some("TLSv1.3")), None);
        tally.add(&row(5, Verdict::Unverified, None), None);
        tally.add(
            &row(6, Verdict::Encrypted, None),
            Some(Exclusion::Duplicate),
        );
        let domain = &tally.domains[&Some("a.example".to_string())];
        assert_eq!(tally.domains.len(), 1);
        assert_eq!(domain.counts.total(), 5);
        assert_eq!(domain.min_version(), Some(TlsVersion::Tls10));
        assert_eq!(domain.max_version(), Some(TlsVersion::Tls13));
        assert_eq!(domain.most_common_version(), Some(TlsVersion::Tls13));
        assert_eq!(domain.weak_protocol, 1);
        assert_eq!(tally.mix.no_tls_plaintext + tally.mix.no_tls_unverified, 1);
        assert_eq!(tally.weak_messages, 1);
        assert_eq!(tally.excluded.duplicate_message_id, 1);
        assert_eq!(tally.counted.encrypted_share().unwrap().to_string(), "80.0");
    }
}
