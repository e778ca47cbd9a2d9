//! Hostile header text end to end: control characters, NUL bytes, invalid UTF-8, 8-bit
//! host names, right-to-left overrides, very long and folded lines. The store keeps such
//! bytes exactly as evidence and interprets none of them.

mod common;

use common::store::{folder, hop, message_with_hops, start, window};
use hopaudit::classify::{self, NoKnowledge, Policy};
use hopaudit::import::{self, ImportRequest};
use hopaudit::store::{HeaderDigest, SqliteStore, Store};
use rusqlite::Connection;

/// Received header values that must survive byte for byte.
fn samples() -> Vec<Vec<u8>> {
    let mut long = b"from relay.example by mx.example.org with ESMTP id ".to_vec();
    long.extend(std::iter::repeat_n(b'A', 200_000));
    vec![
        b"from a.example (\x00\x01\x07\x08\x1b[31m) by mx.example.org with ESMTP".to_vec(),
        b"from b.example by mx.example.org\x00 with ESMTPS; Thu, 7 Mar 2024 09:15:02 +0000"
            .to_vec(),
        b"from \xff\xfe\xc3\x28 ([192.0.2.1]) by mx.example.org".to_vec(),
        b"from m\xe4il.\xfcber.example by mx.example.org with SMTP".to_vec(),
        "from evil.example by mx.example.org with ESMTPS (\u{202e}SPTMSE\u{202c}) id x"
            .as_bytes()
            .to_vec(),
        b"from c.example\r\n\tby mx.example.org\r\n with ESMTPS\r\n (TLS1.3)\r\n; Thu, 7 Mar 2024"
            .to_vec(),
        b"from d.example by mx.example.org\rwith\x0b ESMTP\x7f".to_vec(),
        long,
    ]
}

/// raw, from_host, by_host, tls_cipher as read back from `hops`.
type StoredHop = (Vec<u8>, Option<String>, Option<String>, Option<String>);

#[test]
fn hostile_raw_stored_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    let scan = store.begin_scan(&start()).unwrap();
    store.open_folder(scan, &folder(), 7).unwrap();
    let policy = Policy::default();

    let mut messages = Vec::new();
    for (uid, raw) in (1u32..).zip(samples()) {
        // The whole header block goes through the classifier; its hops keep their raw
        // bytes. One hop with every text field hostile is added, so the store is tested
        // even where the classifier finds nothing.
        let mut block = b"Received: ".to_vec();
        block.extend_from_slice(&raw);
        block.extend_from_slice(b"\r\n");
        let mut classification = classify::classify(&block, &policy, &NoKnowledge);
        let next = classification
            .hops
            .iter()
            .map(|h| h.header_index + 1)
            .max()
            .unwrap_or(0);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let mut hostile = hop(next, &text, false);
        hostile.from_host = Some(text.clone());
        hostile.tls_cipher = Some(text);
        hostile.raw = raw.clone();
        classification.hops.push(hostile);
        let mut message = message_with_hops(uid, Vec::new());
        message.classification = classification;
        messages.push(message);
    }
    let expected: Vec<_> = messages
        .iter()
        .map(|m| m.classification.hops.clone())
        .collect();
    store.commit_window(&window(scan, 7, messages)).unwrap();

    let conn = Connection::open(&path).unwrap();
    let mut select = conn
        .prepare(
            "SELECT h.raw, h.from_host, h.by_host, h.tls_cipher FROM hops h
             JOIN messages m ON m.id = h.message_id WHERE m.uid = ?1 ORDER BY h.header_index",
        )
        .unwrap();
    for (uid, hops) in (1u32..).zip(&expected) {
        let stored: Vec<StoredHop> = select
            .query_map([uid], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored.len(), hops.len(), "message {uid}");
        for (row, hop) in stored.iter().zip(hops) {
            assert_eq!(row.0, hop.raw, "raw bytes of message {uid}");
            assert_eq!(row.1, hop.from_host, "from_host of message {uid}");
            assert_eq!(row.2, hop.by_host, "by_host of message {uid}");
            assert_eq!(row.3, hop.tls_cipher, "tls_cipher of message {uid}");
        }
    }
    let typed: String = conn
        .query_row("SELECT DISTINCT typeof(raw) FROM hops", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(
        typed, "blob",
        "raw must be stored as a BLOB, never converted to text"
    );
}

#[test]
fn hostile_eml_imported_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("hopaudit.toml");
    std::fs::write(&config_path, "database = \"audit.sqlite\"\n").unwrap();
    let config = hopaudit::config::load(&config_path).unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    let mut headers = Vec::new();
    for (n, raw) in samples().into_iter().enumerate() {
        let mut header = b"Received: ".to_vec();
        header.extend_from_slice(&raw);
        header.extend_from_slice(b"\r\nSubject: \xe9t\xe9\r\n");
        let mut file = header.clone();
        file.extend_from_slice(b"\r\nbody\r\n");
        std::fs::write(export.join(format!("{n}.eml")), &file).unwrap();
        headers.push(header);
    }
    let mut store = SqliteStore::open(&config.database).unwrap();
    let request = ImportRequest {
        account: "import".into(),
        paths: vec![export],
    };
    let summary = import::run(&config, &mut store, &request).unwrap();
    assert_eq!(summary.messages_new, headers.len() as u64);
    let conn = Connection::open(&config.database).unwrap();
    for header in &headers {
        let digest = HeaderDigest::of(header);
        let size: i64 = conn
            .query_row(
                "SELECT header_bytes FROM messages WHERE header_sha256 = ?1",
                [&digest.0[..]],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(size, header.len() as i64);
    }
}
