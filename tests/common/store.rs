//! Builders shared by the store, import and verify tests: hops, classified messages,
//! windows, and a query helper on a separate connection.

use std::path::Path;

use hopaudit::classify::{Boundary, Classification, Finding, Verdict, VerdictRule};
use hopaudit::hop::{Hop, HopKind, TlsVersion};
use hopaudit::store::{ClassifiedMessage, FolderKey, ScanId, ScanStart, WindowCommit};
use rusqlite::Connection;

pub fn hop(index: usize, by: &str, tls: bool) -> Hop {
    Hop {
        header_index: index,
        from_host: Some("mail.sender.example".into()),
        from_ip: Some("192.0.2.10".into()),
        by_host: Some(by.into()),
        protocol: Some(if tls { "ESMTPS" } else { "ESMTP" }.into()),
        tls,
        tls_version: tls.then_some(TlsVersion::Tls12),
        tls_cipher: None,
        tls_evidence: tls.then(|| "with ESMTPS".into()),
        kind: HopKind::Relay,
        date: None,
        parsed: true,
        raw: format!("from mail.sender.example by {by}").into_bytes(),
    }
}

/// Builds a message with one relay hop into `by`, which is also the boundary.
pub fn message(uid: u32, by: &str, tls: bool) -> ClassifiedMessage {
    message_with_hops(uid, vec![hop(0, by, tls)])
}

/// Builds a message whose boundary is its first hop.
pub fn message_with_hops(uid: u32, hops: Vec<Hop>) -> ClassifiedMessage {
    let tls = hops.first().is_some_and(|h| h.tls);
    let verdict = if tls {
        Verdict::Encrypted
    } else {
        Verdict::Unverified
    };
    let rule = if tls {
        VerdictRule::TlsRecorded
    } else {
        VerdictRule::NoTlsUnknownReceiver
    };
    ClassifiedMessage {
        uid,
        header_bytes: 100,
        classification: Classification {
            sender_domain: Some("sender.example".into()),
            message_id: Some(format!("<{uid}@sender.example>")),
            date_utc: Some(1_700_000_000),
            boundary: Boundary {
                header_index: (!hops.is_empty()).then_some(0),
                verdict,
                rule,
            },
            hops,
            path: verdict,
            findings: vec![Finding::WeakProtocol {
                header_index: 0,
                version: TlsVersion::Tls10,
            }],
        },
    }
}

pub fn start() -> ScanStart {
    ScanStart {
        command: "scan".into(),
        started_at: 1_700_000_000,
        version: "test".into(),
        config_digest: None,
        accounts: vec!["acct".into()],
    }
}

pub fn folder() -> FolderKey {
    FolderKey {
        account: "acct".into(),
        folder: "INBOX".into(),
    }
}

pub fn window(scan: ScanId, uid_validity: u32, messages: Vec<ClassifiedMessage>) -> WindowCommit {
    let highest_uid = messages.iter().map(|m| m.uid).max().unwrap_or(0);
    WindowCommit {
        scan,
        folder: folder(),
        uid_validity,
        highest_uid,
        messages,
        failures: vec![],
    }
}

/// Runs a query returning one integer on a connection of its own.
pub fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}
