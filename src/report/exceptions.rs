//! Exceptions: counted messages whose boundary hop was plaintext, unverified or missing,
//! or that carry a weak-protocol or weak-cipher finding. `findings.csv` lists all of
//! them; the HTML and JSON reports keep the first [`ExceptionList::limit`] in a fixed order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::explain::{self, ExceptionKind, Position};
use super::source::{MessageRow, StoredFinding};
use crate::classify::Verdict;

/// One reason a message is an exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionLine<'a> {
    pub kind: ExceptionKind,
    pub header_index: Option<u32>,
    /// Version or cipher of a weak finding.
    pub detail: Option<&'a str>,
    pub reason: String,
}

/// Returns the reasons `row` is an exception, the boundary verdict first; empty when it is
/// not one.
pub fn lines<'r>(row: &'r MessageRow<'_>) -> Vec<ExceptionLine<'r>> {
    let boundary_kind = match row.verdict {
        Verdict::Plaintext => Some(ExceptionKind::PlaintextBoundary),
        Verdict::Unverified => Some(ExceptionKind::UnverifiedBoundary),
        Verdict::None => Some(ExceptionKind::NoBoundary),
        Verdict::Encrypted => None,
    };
    let boundary = boundary_kind.map(|kind| ExceptionLine {
        kind,
        header_index: row.boundary_index,
        detail: None,
        reason: explain::verdict_rule(&row.verdict_rule).to_string(),
    });
    let weak = row.findings.iter().filter_map(weak_line);
    boundary.into_iter().chain(weak).collect()
}

fn weak_line(finding: &StoredFinding) -> Option<ExceptionLine<'_>> {
    let kind = ExceptionKind::from_stored(&finding.kind)?;
    let detail = finding.detail.as_deref();
    Some(ExceptionLine {
        kind,
        header_index: finding.header_index,
        detail,
        reason: kind.describe_weak(detail.unwrap_or("?")),
    })
}

/// One Received line shown as evidence for an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub header_index: u32,
    pub position: Option<Position>,
    pub from_host: Option<String>,
    pub from_ip: Option<String>,
    pub by_host: Option<String>,
    /// The header value, unfolded and escaped.
    pub raw: String,
}

impl Evidence {
    pub fn is_boundary(&self) -> bool {
        self.position == Some(Position::Boundary)
    }
}

/// An exception as the HTML and JSON reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub kinds: Vec<ExceptionKind>,
    pub date: Option<String>,
    pub sender_domain: Option<String>,
    pub message_id: Option<String>,
    pub account: String,
    pub folder: String,
    pub uid_validity: u32,
    pub uid: u32,
    pub verdict: Verdict,
    pub verdict_rule: String,
    pub reasons: Vec<String>,
    /// The boundary hop first, then other hops named by weak findings.
    pub evidence: Vec<Evidence>,
    /// Left empty for the officer: accepted risk, sender contacted, remediated, false
    /// positive.
    pub disposition: String,
}

/// Orders exceptions: plaintext, unverified, no boundary, weak only; then by date (undated
/// last), account, folder, UIDVALIDITY and UID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    pub rank: u8,
    pub undated: bool,
    pub date: i64,
    pub account: String,
    pub folder: String,
    pub uid_validity: u32,
    pub uid: u32,
}

impl SortKey {
    pub fn new(row: &MessageRow<'_>, account: &str, folder: &str) -> SortKey {
        let rank = match row.verdict {
            Verdict::Plaintext => 0,
            Verdict::Unverified => 1,
            Verdict::None => 2,
            Verdict::Encrypted => 3,
        };
        SortKey {
            rank,
            undated: row.date_utc.is_none(),
            date: row.date_utc.unwrap_or_default(),
            account: account.to_string(),
            folder: folder.to_string(),
            uid_validity: row.uid_validity,
            uid: row.uid,
        }
    }
}

struct Entry<T> {
    key: SortKey,
    value: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// The first `limit` exceptions in [`SortKey`] order, kept while streaming any number.
pub struct ExceptionList<T> {
    limit: usize,
    total: u64,
    /// A max-heap, so the entry to drop when a better one arrives is on top.
    kept: BinaryHeap<Entry<T>>,
}

impl<T> ExceptionList<T> {
    pub fn new(limit: usize) -> ExceptionList<T> {
        ExceptionList {
            limit,
            total: 0,
            kept: BinaryHeap::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Returns the number of exceptions offered, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Counts an exception and returns whether one with `key` would be kept, so callers
    /// build the value only then.
    pub fn wants(&mut self, key: &SortKey) -> bool {
        self.total += 1;
        self.kept.len() < self.limit || self.kept.peek().is_some_and(|top| *key < top.key)
    }

    /// Keeps `value` after [`ExceptionList::wants`] returned true.
    pub fn keep(&mut self, key: SortKey, value: T) {
        self.kept.push(Entry { key, value });
        if self.kept.len() > self.limit {
            self.kept.pop();
        }
    }

    /// Returns the kept values in order.
    pub fn into_sorted(self) -> Vec<T> {
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|entry| entry.value)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rank: u8, uid: u32) -> SortKey {
        SortKey {
            rank,
            undated: false,
            date: 0,
            account: "a".into(),
            folder: "INBOX".into(),
            uid_validity: 1,
            uid,
        }
    }

    #[test]
    fn keeps_first_in_order() {
        let mut list = ExceptionList::new(2);
        for (rank, uid) in [(3, 1), (0, 9), (1, 2), (0, 3), (2, 4)] {
            let key = key(rank, uid);
            if list.wants(&key) {
                list.keep(key, uid);
            }
        }
        assert_eq!(list.total(), 5);
        assert_eq!(list.into_sorted(), vec![3, 9]);
    }
}
