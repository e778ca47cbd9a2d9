//! The SQLite store against a real database file: windows, re-runs, UIDVALIDITY changes,
//! expunged messages and learned receivers.

mod common;

use common::store::{count, folder, message, start, window};
use hopaudit::classify::{NoKnowledge, ReceiverEvidence, ReceiverKnowledge};
use hopaudit::store::{FolderOpen, MessageFailure, SqliteStore, Store};

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
    let lock = dir.path().join("audit.sqlite.lock");
    let mode = std::fs::metadata(&lock).unwrap().permissions().mode() & 0o777;
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
    assert_eq!(
        count(&path, "PRAGMA user_version"),
        SqliteStore::schema_version()
    );
}
