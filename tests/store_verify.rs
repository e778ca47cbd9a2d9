//! `hopaudit verify` on a clean store and on stores damaged on purpose, through the
//! library and through the binary's exit codes.

mod common;

use std::path::Path;
use std::process::Command;

use common::store::{folder, message, start, window};
use hopaudit::store::{ScanOutcome, ScanStatus, SqliteStore, Store};
use rusqlite::Connection;

/// Writes a finished scan of one folder with three messages of one hop each.
fn clean_store(path: &Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    let messages = (1..=3)
        .map(|uid| message(uid, "mx.org.example", uid != 2))
        .collect();
    store.commit_window(&window(scan, 7, messages)).unwrap();
    let outcome = ScanOutcome {
        finished_at: 1_700_000_100,
        status: ScanStatus::Complete,
        messages_seen: 3,
        messages_new: 3,
        errors: 0,
    };
    store.finish_scan(scan, &outcome).unwrap();
}

/// Changes the database behind the store's back, with foreign keys off as a careless tool
/// would.
fn damage(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    conn.execute_batch(sql).unwrap();
}

fn checks(path: &Path) -> Vec<&'static str> {
    let report = SqliteStore::open_reader(path).unwrap().verify().unwrap();
    report.problems.iter().map(|p| p.check).collect()
}

#[test]
fn clean_store_has_no_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert!(!report.writer_active);
    assert_eq!(report.folders.len(), 1);
    let counts = &report.folders[0];
    assert_eq!(counts.messages, 3);
    assert_eq!(counts.hop_rows, 3);
    assert_eq!(counts.hop_count_sum, 3);
    assert_eq!(counts.highest_uid, 3);
}

#[test]
fn missing_hop_rows_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    damage(
        &path,
        "DELETE FROM hops WHERE message_id = (SELECT id FROM messages WHERE uid = 2);",
    );
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    let found: Vec<_> = report.problems.iter().map(|p| p.check).collect();
    assert_eq!(found, vec!["hop_count", "boundary"]);
    assert!(report.problems[0].detail.contains("acct/INBOX: 1 messages"));
    assert!(report.problems[0].detail.contains("first UID 2"));
    assert_eq!(report.folders[0].hop_rows, 2);
    assert_eq!(report.folders[0].hop_count_sum, 3);
}

#[test]
fn orphan_hops_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    damage(&path, "DELETE FROM messages WHERE uid = 3;");
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    let orphans: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.check == "foreign_key")
        .map(|p| p.detail.as_str())
        .collect();
    assert!(
        orphans.contains(&"1 rows of hops refer to rows of messages that do not exist"),
        "{orphans:?}"
    );
    assert!(
        orphans.contains(&"1 rows of findings refer to rows of messages that do not exist"),
        "{orphans:?}"
    );
}

#[test]
fn highest_uid_below_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    damage(&path, "UPDATE folders SET highest_uid = 1;");
    assert_eq!(checks(&path), vec!["highest_uid"]);
}

#[test]
fn old_uid_validity_rows_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    damage(&path, "UPDATE folders SET uid_validity = 8;");
    assert_eq!(checks(&path), vec!["uid_validity"]);
}

#[test]
fn corrupted_page_fails_integrity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    // Overwrite the middle of page 2 onward: b-tree pages of the schema's tables.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    for byte in &mut bytes[page + 8..page * 3] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    assert!(!report.problems.is_empty());
    assert!(
        report.problems.iter().all(|p| p.check == "integrity"),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems.iter().all(|p| !p.detail.contains('\n')),
        "{:?}",
        report.problems
    );
    let (code, stdout) = run_verify(dir.path());
    assert_eq!(code, Some(4), "{stdout}");
    assert!(stdout.contains("problem: integrity: "), "{stdout}");
}

fn run_verify(dir: &Path) -> (Option<i32>, String) {
    let config = dir.join("hopaudit.toml");
    std::fs::write(&config, "database = \"audit.sqlite\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "verify", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn verify_command_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    clean_store(&path);
    let (code, stdout) = run_verify(dir.path());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("folder acct/INBOX: uidvalidity 7, highest uid 3, 3 messages, 3 hop rows (hop_count sum 3)"), "{stdout}");
    assert!(stdout.ends_with("ok: no problems found\n"), "{stdout}");

    // A scan that began and never finished, as after kill -9.
    SqliteStore::open(&path)
        .unwrap()
        .begin_scan(&start())
        .unwrap();
    damage(&path, "UPDATE folders SET highest_uid = 2;");
    let (code, stdout) = run_verify(dir.path());
    assert_eq!(code, Some(4), "{stdout}");
    assert!(
        stdout.contains("problem: highest_uid: acct/INBOX: highest_uid is 2 but UID 3 is stored"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "problem: unfinished_scan: scan 2 started 2023-11-14 22:13:20 UTC never finished"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("not ok: 2 problems found\n"), "{stdout}");
}

#[test]
fn verify_without_database_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = run_verify(dir.path());
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty());
    assert!(!dir.path().join("audit.sqlite").exists());
}
