//! `hopaudit import` on mbox files, Maildir folders and `.eml` folders made by the tests:
//! what is stored, what a second import adds, and how failures are counted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::store::count;
use hopaudit::import::{self, ImportRequest};
use hopaudit::store::{ScanStatus, SqliteStore};

const CONFIG: &str = r#"
database = "audit.sqlite"

[organization]
domains = ["example.org"]

[scan]
window = 2
max_header_bytes = 4096
"#;

fn setup() -> (tempfile::TempDir, hopaudit::config::Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hopaudit.toml");
    std::fs::write(&path, CONFIG).unwrap();
    let config = hopaudit::config::load(&path).unwrap();
    (dir, config)
}

/// Renders one mbox message with a postmark, a Received header and a short body.
fn mbox_message(n: u32, newline: &str) -> String {
    [
        format!("From sender{n}@mail.example Thu Mar  7 09:15:{n:02} 2024"),
        format!("Received: from mail.example by mx.example.org with ESMTPS id m{n}; Thu, 7 Mar 2024 09:15:{n:02} +0000"),
        format!("Message-ID: <{n}@mail.example>"),
        format!("Subject: message {n}"),
        String::new(),
        "Body line.".to_string(),
        String::new(),
    ]
    .join(newline)
        + newline
}

/// Returns the header block of [`mbox_message`] `n`, as the importer stores it.
fn header_of(n: u32, newline: &str) -> Vec<u8> {
    let text = mbox_message(n, newline);
    let header = text.split(&format!("{newline}{newline}")).next().unwrap();
    let without_postmark = header.split_once(newline).unwrap().1;
    format!("{without_postmark}{newline}").into_bytes()
}

/// Returns the UID of the stored message whose header block is `header`.
fn uid_of(db: &Path, header: &[u8]) -> i64 {
    let digest = hopaudit::store::HeaderDigest::of(header);
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT uid FROM messages WHERE header_sha256 = ?1",
            [&digest.0[..]],
            |row| row.get(0),
        )
        .unwrap()
}

fn import_paths(config: &hopaudit::config::Config, paths: &[&Path]) -> import::ImportSummary {
    let mut store = SqliteStore::open(&config.database).unwrap();
    let request = ImportRequest {
        account: "archive".to_string(),
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
    };
    import::run(config, &mut store, &request).unwrap()
}

#[test]
fn mbox_reimport_adds_only_appended() {
    let (dir, config) = setup();
    let mbox = dir.path().join("archive.mbox");
    let mut text = mbox_message(1, "\n");
    // A body line that starts with "From " but is no postmark, right after an empty line,
    // and one that is a postmark but not after an empty line.
    text.push_str(
        "\nFrom here on, the body goes on.\nFrom x@mail.example Thu Mar  7 09:15:02 2024\n\n",
    );
    text.push_str(&mbox_message(2, "\n"));
    text.push_str(&mbox_message(3, "\n"));
    std::fs::write(&mbox, &text).unwrap();

    let first = import_paths(&config, &[&mbox]);
    assert_eq!(
        (first.messages_seen, first.messages_new, first.errors),
        (3, 3, 0)
    );
    assert_eq!(first.status, ScanStatus::Complete);
    let again = import_paths(&config, &[&mbox]);
    assert_eq!((again.messages_seen, again.messages_new), (3, 0));

    text.push_str(&mbox_message(4, "\n"));
    text.push_str(&mbox_message(5, "\n"));
    std::fs::write(&mbox, &text).unwrap();
    let appended = import_paths(&config, &[&mbox]);
    assert_eq!((appended.messages_seen, appended.messages_new), (5, 2));

    let db = &config.database;
    assert_eq!(count(db, "SELECT count(*) FROM messages"), 5);
    assert_eq!(count(db, "SELECT max(uid) FROM messages"), 5);
    assert_eq!(count(db, "SELECT highest_uid FROM folders"), 5);
    assert_eq!(uid_of(db, &header_of(1, "\n")), 1);
    assert_eq!(uid_of(db, &header_of(4, "\n")), 4);
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM scans WHERE command = 'import' AND status = 'complete' AND finished_at IS NOT NULL"
        ),
        3
    );
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM scans WHERE length(config_digest) = 64"
        ),
        3
    );
    assert_eq!(count(db, "SELECT sum(messages_new) FROM scan_folders"), 5);
    let folder: String = rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT account || ' ' || name FROM folders", [], |row| {
            row.get(0)
        })
        .unwrap();
    let canonical = std::fs::canonicalize(&mbox).unwrap();
    assert_eq!(folder, format!("archive {}", canonical.display()));
}

#[test]
fn crlf_mbox_header_bytes_exact() {
    let (dir, config) = setup();
    let mbox = dir.path().join("crlf.mbox");
    let text = mbox_message(1, "\r\n") + &mbox_message(2, "\r\n");
    std::fs::write(&mbox, &text).unwrap();
    let summary = import_paths(&config, &[&mbox]);
    assert_eq!(summary.messages_new, 2);
    let header = "Received: from mail.example by mx.example.org with ESMTPS id m1; Thu, 7 Mar 2024 09:15:01 +0000\r\nMessage-ID: <1@mail.example>\r\nSubject: message 1\r\n";
    assert_eq!(header_of(1, "\r\n"), header.as_bytes());
    let stored: (i64, Vec<u8>) = rusqlite::Connection::open(&config.database)
        .unwrap()
        .query_row(
            "SELECT header_bytes, header_sha256 FROM messages WHERE uid = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored.0, header.len() as i64);
    assert_eq!(
        stored.1,
        hopaudit::store::HeaderDigest::of(header.as_bytes()).0
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Renders a message file without postmark: header and body.
fn message_file(n: u32) -> String {
    mbox_message(n, "\n")
        .split_once('\n')
        .unwrap()
        .1
        .to_string()
}

#[test]
fn maildir_rename_is_not_new() {
    let (dir, config) = setup();
    let maildir = dir.path().join("Maildir");
    write(
        &maildir.join("cur/1700000001.M1P1.host.test:2,S"),
        &message_file(1),
    );
    write(
        &maildir.join("cur/1700000002.M2P1.host.test:2,"),
        &message_file(2),
    );
    write(
        &maildir.join("new/1700000003.M3P1.host.test"),
        &message_file(3),
    );
    write(
        &maildir.join("tmp/1700000004.M4P1.host.test"),
        &message_file(4),
    );
    std::fs::create_dir_all(maildir.join(".Sent/cur")).unwrap();

    let first = import_paths(&config, &[&maildir]);
    assert_eq!(
        (first.messages_seen, first.messages_new, first.folders),
        (3, 3, 1)
    );

    // A mail client reads message 3: it moves from new/ to cur/ with flags.
    std::fs::rename(
        maildir.join("new/1700000003.M3P1.host.test"),
        maildir.join("cur/1700000003.M3P1.host.test:2,S"),
    )
    .unwrap();
    write(
        &maildir.join("new/1700000005.M5P1.host.test"),
        &message_file(5),
    );
    let second = import_paths(&config, &[&maildir]);
    assert_eq!((second.messages_seen, second.messages_new), (4, 1));
    assert_eq!(count(&config.database, "SELECT count(*) FROM messages"), 4);
    assert_eq!(uid_of(&config.database, &header_of(3, "\n")), 3);
    assert_eq!(uid_of(&config.database, &header_of(5, "\n")), 4);
}

#[test]
fn eml_folder_reads_only_eml_files() {
    let (dir, config) = setup();
    let folder = dir.path().join("export");
    write(&folder.join("a.eml"), &message_file(1));
    write(&folder.join("B.EML"), &mbox_message(2, "\r\n"));
    write(&folder.join("notes.txt"), &message_file(3));
    write(&folder.join("nested/c.eml"), &message_file(4));
    let summary = import_paths(&config, &[&folder]);
    assert_eq!(
        (summary.messages_seen, summary.messages_new, summary.errors),
        (2, 2, 0)
    );
    assert_eq!(count(&config.database, "SELECT count(*) FROM messages"), 2);
    // Files are read in byte order of their paths: "B.EML" sorts before "a.eml".
    assert_eq!(uid_of(&config.database, &header_of(2, "\r\n")), 1);
    assert_eq!(uid_of(&config.database, &header_of(1, "\n")), 2);
}

#[test]
fn bad_files_counted_rest_imported() {
    let (dir, config) = setup();
    let folder = dir.path().join("export");
    write(&folder.join("a.eml"), &message_file(1));
    write(&folder.join("c.eml"), &message_file(3));
    std::os::unix::fs::symlink(dir.path().join("gone"), folder.join("b.eml")).unwrap();
    let huge = format!("Subject: {}\n\nbody\n", "x".repeat(5000));
    write(&folder.join("d.eml"), &huge);
    write(&folder.join("e.eml"), "\nonly a body\n");

    let summary = import_paths(&config, &[&folder, &dir.path().join("missing.mbox")]);
    assert_eq!(
        (summary.messages_new, summary.errors, summary.folders),
        (2, 4, 1)
    );
    assert_eq!(summary.status, ScanStatus::Partial);
    assert_eq!(summary.exit_code(), 1);
    let errors = texts(&config.database, "SELECT message FROM errors ORDER BY id");
    assert_eq!(errors.len(), 4);
    assert!(errors[0].contains("b.eml: cannot read"), "{errors:?}");
    assert!(
        errors[1].contains("d.eml: header is 5010 bytes, more than scan.max_header_bytes = 4096"),
        "{errors:?}"
    );
    assert!(errors[2].contains("e.eml: no header fields"), "{errors:?}");
    assert!(
        errors[3].contains("missing.mbox: cannot read"),
        "{errors:?}"
    );
    assert_eq!(count(&config.database, "SELECT errors FROM scans"), 4);
    assert_eq!(
        count(&config.database, "SELECT status = 'partial' FROM scans"),
        1
    );
}

fn texts(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut select = conn.prepare(sql).unwrap();
    select
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn run_cli(dir: &Path, args: &[&str], paths: &[PathBuf]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "import", "--config"])
        .arg(dir.join("hopaudit.toml"))
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn cli_exit_codes_and_json() {
    let (dir, _config) = setup();
    let mbox = dir.path().join("box.mbox");
    std::fs::write(&mbox, mbox_message(1, "\n") + &mbox_message(2, "\n")).unwrap();

    let (code, stdout) = run_cli(dir.path(), &["--json"], std::slice::from_ref(&mbox));
    assert_eq!(code, Some(0), "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["messages_seen"], 2);
    assert_eq!(summary["messages_new"], 2);
    assert_eq!(summary["folders"], 1);
    assert_eq!(summary["errors"], 0);
    assert!(summary["seconds"].as_f64().unwrap() >= 0.0);

    let missing = dir.path().join("missing.mbox");
    let (code, stdout) = run_cli(dir.path(), &[], &[mbox.clone(), missing.clone()]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.starts_with("import: 2 messages seen, 0 new, 1 folders, 1 error"),
        "{stdout}"
    );

    let (code, stdout) = run_cli(dir.path(), &["--json"], &[missing]);
    assert_eq!(code, Some(2), "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["messages_seen"], 0);
    assert_eq!(summary["errors"], 1);
    assert_eq!(
        count(
            &dir.path().join("audit.sqlite"),
            "SELECT count(*) FROM scans WHERE status = 'failed'"
        ),
        1
    );
}

#[test]
fn killed_import_resumes_without_duplicates() {
    let (dir, config) = setup();
    let mbox = dir.path().join("large.mbox");
    let total = 20_000u32;
    let mut text = String::new();
    for n in 1..=total {
        text.push_str(&format!(
            "From a@mail.example Thu Mar  7 09:15:02 2024\nMessage-ID: <{n}@mail.example>\n\nx\n\n"
        ));
    }
    std::fs::write(&mbox, text).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "import", "--account", "archive", "--config"])
        .arg(dir.path().join("hopaudit.toml"))
        .arg(&mbox)
        .spawn()
        .unwrap();
    // Wait for the first committed window, then kill the import as `kill -9` would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while stored_messages(&config.database) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no window was committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = stored_messages(&config.database);
    assert!(
        kept < i64::from(total),
        "the import finished before it was killed"
    );

    let verify = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "verify", "--config"])
        .arg(dir.path().join("hopaudit.toml"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(4), "{report}");
    assert!(
        report.contains("problem: unfinished_scan: import 1 started"),
        "{report}"
    );

    let resumed = import_paths(&config, &[&mbox]);
    assert_eq!(resumed.messages_seen, u64::from(total));
    assert_eq!(resumed.messages_new, u64::from(total) - kept as u64);
    let db = &config.database;
    assert_eq!(count(db, "SELECT count(*) FROM messages"), i64::from(total));
    assert_eq!(count(db, "SELECT max(uid) FROM messages"), i64::from(total));
    assert_eq!(
        count(db, "SELECT status = 'interrupted' FROM scans WHERE id = 1"),
        1
    );
    assert_eq!(
        count(db, "SELECT interrupted_by FROM scans WHERE id = 1"),
        2
    );
    assert!(
        SqliteStore::open_reader(db)
            .unwrap()
            .verify()
            .unwrap()
            .is_clean()
    );
}

/// Counts stored messages, or 0 before the importer has created the tables.
fn stored_messages(db: &Path) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM messages", [], |row| row.get(0))
        .unwrap_or(0)
}

#[test]
fn single_eml_joins_its_folder() {
    let (dir, config) = setup();
    let folder = dir.path().join("export");
    write(&folder.join("1.eml"), &message_file(1));
    write(&folder.join("2.eml"), &message_file(2));

    let one = import_paths(&config, &[&folder.join("1.eml")]);
    assert_eq!((one.messages_seen, one.messages_new, one.errors), (1, 1, 0));
    let all = import_paths(&config, &[&folder]);
    assert_eq!((all.messages_seen, all.messages_new, all.errors), (2, 1, 0));
    let folders = texts(&config.database, "SELECT name FROM folders");
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert!(folders[0].ends_with("/export"), "{folders:?}");
}

#[test]
fn two_spellings_of_one_folder_count_once() {
    let (dir, _config) = setup();
    let mail = dir.path().join("mail");
    std::fs::create_dir(&mail).unwrap();
    std::fs::write(
        mail.join("1.eml"),
        mbox_message(1, "\r\n").split_once('\n').unwrap().1,
    )
    .unwrap();
    let spelled = std::path::PathBuf::from(format!("{}/./", mail.display()));
    let (code, stdout) = run_cli(dir.path(), &["--json"], &[mail, spelled]);
    assert_eq!(code, Some(0), "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["folders"], 1);
    assert_eq!(summary["messages_new"], 1);
}
