//! A message stored twice in one account (Gmail keeps a copy of every message in
//! `[Gmail]/All Mail`) is counted once in reports, by its Message-ID.

use std::path::Path;
use std::process::Command;

const MESSAGE: &str = "Received: from mx.sender.example ([192.0.2.9]) by mx.example-health.org with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000\r
From: a@sender.example\r
Message-ID: <same@sender.example>\r
Date: Mon, 1 Jan 2024 10:00:00 +0000\r
\r
";

fn hopaudit(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn write_copy(dir: &Path, folder: &str) -> String {
    let folder = dir.join(folder);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("1.eml"), MESSAGE).unwrap();
    folder.to_str().unwrap().to_string()
}

#[test]
fn same_message_id_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hopaudit.toml");
    std::fs::write(
        &config,
        "database = \"audit.sqlite\"\n[organization]\ndomains = [\"example-health.org\"]\n",
    )
    .unwrap();
    let inbox = write_copy(dir.path(), "INBOX");
    let all_mail = write_copy(dir.path(), "All Mail");
    let config = config.to_str().unwrap();
    hopaudit(&[
        "-q",
        "import",
        "--config",
        config,
        "--account",
        "gmail",
        &inbox,
        &all_mail,
    ]);

    let conn = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    let stored: Vec<String> = conn
        .prepare("SELECT message_id FROM messages")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        stored,
        vec!["<same@sender.example>", "<same@sender.example>"]
    );

    let out = dir.path().join("report");
    hopaudit(&[
        "-q",
        "report",
        "--config",
        config,
        "--out",
        out.to_str().unwrap(),
    ]);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["counted"], 1);
    let messages = std::fs::read_to_string(out.join("messages.csv")).unwrap();
    assert_eq!(
        messages.matches("<same@sender.example>").count(),
        2,
        "{messages}"
    );
}
