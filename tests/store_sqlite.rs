//! The SQLite store against a real database file: windows, re-runs, UIDVALIDITY changes,
//! expunged messages and learned receivers.

use hopaudit::classify::{
    Boundary, Classification, Finding, NoKnowledge, ReceiverEvidence, ReceiverKnowledge, Verdict,
    VerdictRule,
};
use hopaudit::hop::{Hop, HopKind, TlsVersion};
use hopaudit::store::{
    ClassifiedMessage, FolderKey, FolderOpen, MessageFailure, ScanId, ScanStart, SqliteStore,
    Store, WindowCommit,
};
use rusqlite::Connection;

fn hop(index: usize, by: &str, tls: bool) -> Hop {
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

/// A message with one relay hop into `by`, which is also the boundary.
fn message(uid: u32, by: &str, tls: bool) -> ClassifiedMessage {
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
            hops: vec![hop(0, by, tls)],
            boundary: Boundary {
                header_index: Some(0),
                verdict,
                rule,
            },
            path: verdict,
            findings: vec![Finding::WeakProtocol {
                header_index: 0,
                version: TlsVersion::Tls10,
            }],
        },
    }
}

fn start() -> ScanStart {
    ScanStart {
        command: "scan".into(),
        started_at: 1_700_000_000,
        version: "test".into(),
        config_digest: None,
        accounts: vec!["acct".into()],
    }
}

fn folder() -> FolderKey {
    FolderKey {
        account: "acct".into(),
        folder: "INBOX".into(),
    }
}

fn window(scan: ScanId, uid_validity: u32, messages: Vec<ClassifiedMessage>) -> WindowCommit {
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

fn count(path: &std::path::Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}

#[test]
fn window_commit_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    assert_eq!(
        store.open_folder(scan, &folder(), 7).unwrap(),
        FolderOpen::New
    );
    let first = store
        .commit_window(&window(
            scan,
            7,
            vec![
                message(1, "mx.org.example", true),
                message(2, "mx.org.example", false),
            ],
        ))
        .unwrap();
    assert_eq!(first.new, 2);
    let again = store
        .commit_window(&window(scan, 7, vec![message(1, "mx.org.example", true)]))
        .unwrap();
    assert_eq!(again.new, 0);
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 2);
    assert_eq!(count(&path, "SELECT count(*) FROM hops"), 2);
    assert_eq!(count(&path, "SELECT count(*) FROM findings"), 2);
    let state = store.folder_state(&folder()).unwrap().unwrap();
    assert_eq!(state.uid_validity, 7);
    assert_eq!(state.highest_uid, 2);
}

#[test]
fn database_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    SqliteStore::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn uidvalidity_change_replaces_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    store
        .commit_window(&window(scan, 7, vec![message(1, "mx.org.example", true)]))
        .unwrap();
    let reopened = store.open_folder(scan, &folder(), 8).unwrap();
    assert_eq!(
        reopened,
        FolderOpen::Reset {
            old_uid_validity: 7
        }
    );
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 0);
    assert_eq!(count(&path, "SELECT count(*) FROM hops"), 0);
    store
        .commit_window(&window(scan, 8, vec![message(1, "mx.org.example", true)]))
        .unwrap();
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM messages WHERE uid_validity = 8"
        ),
        1
    );
}

#[test]
fn missing_messages_stay_but_marked_absent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    let messages = (1..=3)
        .map(|uid| message(uid, "mx.org.example", true))
        .collect();
    store.commit_window(&window(scan, 7, messages)).unwrap();
    assert_eq!(store.mark_missing(&folder(), 7, &[1, 3]).unwrap(), 1);
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 3);
    assert_eq!(
        count(&path, "SELECT uid FROM messages WHERE present = 0"),
        2
    );
}

#[test]
fn failures_are_recorded_and_advance_uid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    let mut commit = window(scan, 7, vec![message(1, "mx.org.example", true)]);
    commit.failures.push(MessageFailure {
        uid: 2,
        reason: "server returned no header for UID 2".into(),
    });
    commit.highest_uid = 2;
    let counts = store.commit_window(&commit).unwrap();
    assert_eq!(counts.errors, 1);
    assert_eq!(count(&path, "SELECT uid FROM errors"), 2);
    assert_eq!(
        store.folder_state(&folder()).unwrap().unwrap().highest_uid,
        2
    );
}

#[test]
fn learned_receiver_turns_unverified_into_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    store
        .commit_window(&window(
            scan,
            7,
            vec![
                message(1, "MX.Org.example", false),
                message(2, "other.example", false),
            ],
        ))
        .unwrap();
    assert_eq!(store.resolve_verdicts(&NoKnowledge).unwrap(), 0);
    store
        .commit_window(&window(scan, 7, vec![message(3, "mx.org.example", true)]))
        .unwrap();
    assert_eq!(store.resolve_verdicts(&NoKnowledge).unwrap(), 1);
    assert_eq!(
        count(
            &path,
            "SELECT uid FROM messages WHERE verdict = 'plaintext'"
        ),
        1
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM messages WHERE verdict_rule = 'no_tls_learned_receiver'"
        ),
        1
    );
    assert_eq!(
        count(
            &path,
            "SELECT uid FROM messages WHERE sender_domain IS NOT NULL AND uid = 2 AND verdict = 'unverified'"
        ),
        2
    );
}

/// Configuration that says one host never records TLS.
struct NeverRecords;

impl ReceiverKnowledge for NeverRecords {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        (by_host == "mx.org.example").then_some((false, ReceiverEvidence::Configured))
    }
}

#[test]
fn configured_receiver_overrides_learned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    store
        .commit_window(&window(
            scan,
            7,
            vec![
                message(1, "mx.org.example", false),
                message(2, "mx.org.example", true),
            ],
        ))
        .unwrap();
    store.resolve_verdicts(&NeverRecords).unwrap();
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM messages WHERE verdict_rule = 'no_tls_receiver_does_not_record'"
        ),
        1
    );
}

#[test]
fn reopening_keeps_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(count(&path, "PRAGMA user_version"), 1);
}
