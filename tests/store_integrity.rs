//! Store integrity against real database files: forward migration from schema 1, a
//! database from a newer build, the single-writer lock, a full disk, a read-only file and
//! runs that never finished.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::store::{count, folder, hop, message, message_with_hops, start, window};
use hopaudit::store::{ScanOutcome, ScanStatus, SqliteStore, Store, StoreError};
use rusqlite::Connection;

const SCHEMA_V1: &str = include_str!("../src/store/sqlite/schema_v1.sql");
const V1_ROWS: &str = include_str!("fixtures/store_v1_rows.sql");

fn make_v1_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA_V1).unwrap();
    conn.execute_batch(V1_ROWS).unwrap();
}

#[test]
fn v1_database_migrates_forward() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    make_v1_database(&path);
    assert_eq!(count(&path, "PRAGMA user_version"), 1);

    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(
        count(&path, "PRAGMA user_version"),
        SqliteStore::schema_version()
    );
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 2);
    assert_eq!(count(&path, "SELECT count(*) FROM hops"), 3);
    assert_eq!(count(&path, "SELECT count(*) FROM findings"), 1);
    assert_eq!(count(&path, "SELECT count(*) FROM errors"), 1);
    assert_eq!(count(&path, "SELECT highest_uid FROM folders"), 3);
    let raw: Vec<u8> = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT raw FROM hops WHERE message_id = 2 AND header_index = 0",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(raw, b"\x00\xff\x1b[0m");
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM messages WHERE header_sha256 IS NULL"
        ),
        2
    );

    // Opening again applies nothing and changes nothing.
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(
        count(&path, "PRAGMA user_version"),
        SqliteStore::schema_version()
    );
    assert_eq!(count(&path, "SELECT count(*) FROM hops"), 3);
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].check, "unfinished_scan");

    // The next run marks the v1 scan that never finished.
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM scans WHERE status = 'interrupted'"
        ),
        1
    );
    assert_eq!(
        count(&path, "SELECT interrupted_by FROM scans WHERE id = 2"),
        scan.0
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM scans WHERE id = 2 AND finished_at IS NULL"
        ),
        1
    );
}

#[test]
fn reader_migrates_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    make_v1_database(&path);
    let reader = SqliteStore::open_reader(&path).unwrap();
    assert_eq!(
        count(&path, "PRAGMA user_version"),
        SqliteStore::schema_version()
    );
    assert_eq!(reader.verify().unwrap().folders[0].messages, 2);
}

#[test]
fn newer_schema_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let newer = SqliteStore::schema_version() + 1;
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    for result in [SqliteStore::open(&path), SqliteStore::open_reader(&path)] {
        let error = result.err().expect("a newer schema must be rejected");
        assert!(matches!(error, StoreError::TooNew { found, .. } if found == newer));
        let text = error.to_string();
        assert!(text.contains("newer hopaudit"), "{text}");
        assert!(text.contains("upgrade hopaudit"), "{text}");
    }
    assert_eq!(count(&path, "PRAGMA user_version"), newer);
}

#[test]
fn second_writer_waits_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut first = SqliteStore::open(&path).unwrap();
    let scan = first.begin_scan(&start()).unwrap();

    let began = Instant::now();
    let error = SqliteStore::open_waiting(&path, Duration::from_millis(400))
        .err()
        .expect("a second writer must be refused");
    assert!(began.elapsed() >= Duration::from_millis(400));
    assert!(matches!(error, StoreError::Busy { .. }));
    assert!(
        error
            .to_string()
            .contains("another hopaudit process is writing")
    );

    // Readers take no lock.
    let reader = SqliteStore::open_reader(&path).unwrap();
    let report = reader.verify().unwrap();
    assert!(report.writer_active);
    assert!(report.is_clean(), "{:?}", report.problems);

    first
        .finish_scan(scan, &outcome(ScanStatus::Complete))
        .unwrap();
    drop(first);
    assert!(!SqliteStore::writer_active(&path));
    SqliteStore::open_waiting(&path, Duration::ZERO).unwrap();
}

#[test]
fn second_process_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("audit.sqlite");
    let config = dir.path().join("hopaudit.toml");
    std::fs::write(&config, "database = \"audit.sqlite\"\n").unwrap();
    let mbox = dir.path().join("box.mbox");
    std::fs::write(
        &mbox,
        "From a@example.org Thu Mar  7 09:15:02 2024\nSubject: x\n\n",
    )
    .unwrap();
    let _writer = SqliteStore::open(&database).unwrap();

    let began = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "import", "--config"])
        .arg(&config)
        .arg(&mbox)
        .output()
        .unwrap();
    let waited = began.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another hopaudit process is writing"),
        "{stderr}"
    );
    assert!(waited >= Duration::from_secs(4), "waited only {waited:?}");
    assert_eq!(count(&database, "SELECT count(*) FROM scans"), 0);
}

fn outcome(status: ScanStatus) -> ScanOutcome {
    ScanOutcome {
        finished_at: 1_700_000_100,
        status,
        messages_seen: 0,
        messages_new: 0,
        errors: 0,
    }
}

/// Builds a window of `n` messages from `first_uid` on, each with seven hops of 200-byte
/// raw text.
fn big_window(
    scan: hopaudit::store::ScanId,
    first_uid: u32,
    n: u32,
) -> hopaudit::store::WindowCommit {
    let messages = (first_uid..first_uid + n)
        .map(|uid| {
            let hops = (0..7)
                .map(|i| {
                    let mut h = hop(i, "mx.org.example", i % 2 == 0);
                    h.raw = vec![b'r'; 200];
                    h
                })
                .collect();
            message_with_hops(uid, hops)
        })
        .collect();
    window(scan, 7, messages)
}

#[test]
fn size_limit_keeps_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    store.commit_window(&big_window(scan, 1, 10)).unwrap();
    let pages = count(&path, "PRAGMA page_count") as u64;
    store.limit_pages(pages + 2).unwrap();

    let error = store
        .commit_window(&big_window(scan, 11, 500))
        .expect_err("the window does not fit");
    assert!(matches!(error, StoreError::Full { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("last committed window is kept"), "{text}");

    drop(store);
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 10);
    assert_eq!(count(&path, "SELECT count(*) FROM hops"), 70);
    assert_eq!(count(&path, "SELECT highest_uid FROM folders"), 10);
    let reader = SqliteStore::open_reader(&path).unwrap();
    let report = reader.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].check, "unfinished_scan");
}

/// Returns whether a setup command ran and succeeded; otherwise prints why the test is
/// skipped (it needs root on a file system that supports the operation).
fn succeeded(what: &str, output: std::io::Result<std::process::Output>) -> bool {
    match output {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            eprintln!("skipped: {what} is not permitted here ({})", stderr.trim());
            false
        }
        Err(e) => {
            eprintln!("skipped: cannot run {what}: {e}");
            false
        }
    }
}

/// Unmounts the tmpfs when the test ends, also on failure.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_disk_keeps_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mount_point = dir.path().join("small");
    std::fs::create_dir(&mount_point).unwrap();
    let mount = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mount_point)
        .output();
    if !succeeded("mount -t tmpfs", mount) {
        return;
    }
    let _unmount = Mounted(mount_point.clone());
    let path = mount_point.join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    let mut committed = 0u32;
    let error = loop {
        match store.commit_window(&big_window(scan, committed + 1, 20)) {
            Ok(_) => committed += 20,
            Err(error) => break error,
        }
        assert!(committed < 100_000, "the small disk never filled up");
    };
    assert!(matches!(error, StoreError::Full { .. }), "{error:?}");
    assert!(committed > 0);
    drop(store);
    let reader =
        Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let stored: i64 = reader
        .query_row("SELECT count(*) FROM messages", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, i64::from(committed));
}

/// Clears the immutable flag when the test ends, also on failure.
struct Immutable(std::path::PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Commits one message and drops the store without `finish_scan`, as a run killed with
/// `kill -9` after its first window leaves the database.
fn commit_one_and_stop(path: &Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    store
        .commit_window(&window(scan, 7, vec![message(1, "mx.org.example", true)]))
        .unwrap();
}

#[test]
fn read_only_file_gives_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    commit_one_and_stop(&path);
    // Root ignores permission bits, so the file is made immutable instead (ext4, xfs,
    // btrfs; needs CAP_LINUX_IMMUTABLE).
    let flag = Command::new("chattr").arg("+i").arg(&path).output();
    if !succeeded("chattr +i", flag) {
        return;
    }
    let _clear = Immutable(path.clone());
    let error = SqliteStore::open(&path)
        .err()
        .expect("an immutable database cannot be opened for writing");
    assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("read-only"), "{text}");
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 1);
}

#[test]
fn unfinished_scan_marked_by_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    commit_one_and_stop(&path);
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    assert_eq!(report.problems.len(), 1);
    assert!(report.problems[0].detail.contains("never finished"));

    let mut store = SqliteStore::open(&path).unwrap();
    let next = store.begin_scan(&start()).unwrap();
    assert_eq!(
        count(
            &path,
            "SELECT status = 'interrupted' FROM scans WHERE id = 1"
        ),
        1
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM scan_folders WHERE status = 'interrupted'"
        ),
        1
    );
    // The killed run's totals come from the window it committed.
    assert_eq!(
        count(&path, "SELECT messages_new FROM scans WHERE id = 1"),
        1
    );
    assert_eq!(
        count(&path, "SELECT messages_seen FROM scans WHERE id = 1"),
        1
    );
    store
        .finish_scan(next, &outcome(ScanStatus::Complete))
        .unwrap();
    assert_eq!(store.mark_interrupted(next).unwrap(), 0);
    let report = SqliteStore::open_reader(&path).unwrap().verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}
