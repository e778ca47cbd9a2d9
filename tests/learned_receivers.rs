//! What the store learns about receiving servers changes verdicts: a boundary hop with no
//! TLS note becomes plaintext once the same server is seen recording TLS on another
//! message, both in the store and in `hopaudit classify --config`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn hopaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(args)
        .output()
        .expect("start hopaudit")
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/messages/luxsci-ppe.eml")
}

/// A message that the filtering service received over TLS, which teaches the store that
/// this receiving host records TLS.
const TLS_AT_GATEWAY: &str = "Received: from mx.luxsci.com ([192.0.2.1]) by abc.luxsci.com (8.14.4/8.13.8) with ESMTP id r1 (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NOT); Tue, 20 Aug 2019 09:41:19 -0500\r
Received: from unknown [198.51.100.7] (EHLO mail.sender.example) by dispatch1-us1.ppe-hosted.com.ppe-hosted.com with ESMTPS (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384); Tue, 20 Aug 2019 08:41:18 -0600\r
From: someone@sender.example\r
Message-ID: <tls-at-gateway@sender.example>\r
\r
";

fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("hopaudit.toml");
    std::fs::write(
        &path,
        "database = \"audit.sqlite\"\n[organization]\ndomains = [\"luxsci.com\", \"ppe-hosted.com\"]\n",
    )
    .unwrap();
    path
}

fn classify(config: &Path) -> Value {
    let output = hopaudit(&[
        "classify",
        "--json",
        "--config",
        config.to_str().unwrap(),
        example().to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn import(config: &Path, folder: &Path) {
    let output = hopaudit(&[
        "-q",
        "import",
        "--config",
        config.to_str().unwrap(),
        folder.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn stored_verdict(database: &Path, sender_domain: &str) -> (String, String) {
    let conn = rusqlite::Connection::open(database).unwrap();
    conn.query_row(
        "SELECT verdict, verdict_rule FROM messages WHERE sender_domain = ?1",
        [sender_domain],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .unwrap()
}

#[test]
fn store_knowledge_turns_unverified_into_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let mail = dir.path().join("mail");
    std::fs::create_dir(&mail).unwrap();
    std::fs::copy(example(), mail.join("1.eml")).unwrap();

    let alone = classify(&config);
    assert_eq!(alone["boundary"]["header_index"], 4);
    assert_eq!(alone["boundary"]["verdict"], "unverified");
    assert_eq!(alone["boundary"]["rule"], "no_tls_unknown_receiver");

    import(&config, &mail);
    let database = dir.path().join("audit.sqlite");
    let example_sender = "hotmail.com";
    let before = stored_verdict(&database, example_sender);
    assert_eq!(
        before,
        (
            "unverified".to_string(),
            "no_tls_unknown_receiver".to_string()
        )
    );

    std::fs::write(mail.join("2.eml"), TLS_AT_GATEWAY).unwrap();
    import(&config, &mail);
    let after = stored_verdict(&database, example_sender);
    assert_eq!(
        after,
        (
            "plaintext".to_string(),
            "no_tls_learned_receiver".to_string()
        )
    );

    let learned = classify(&config);
    assert_eq!(learned["boundary"]["header_index"], 4);
    assert_eq!(learned["boundary"]["verdict"], "plaintext");
    assert_eq!(learned["boundary"]["rule"], "no_tls_learned_receiver");

    // The stored path verdict follows the revised boundary, as classify prints it.
    let conn = rusqlite::Connection::open(&database).unwrap();
    let path: String = conn
        .query_row(
            "SELECT path_verdict FROM messages WHERE sender_domain = ?1",
            [example_sender],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(path, "plaintext");
    assert_eq!(learned["path_verdict"], "plaintext");
}
