//! Shared harness for the integration tests: a private Dovecot per test
//! ([`dovecot`]), running the hopaudit binary and reading its database ([`run`]), a
//! scripted hostile IMAP server ([`hostile`]), a proxy that cuts connections
//! ([`proxy`]) and a generator for large mailboxes ([`mailgen`]).

#![allow(dead_code)]

pub mod dovecot;
pub mod hostile;
pub mod mailgen;
pub mod proxy;
pub mod run;
pub mod store;

use std::path::PathBuf;

/// Returns the shared folder that holds the labelled corpus: `HOPAUDIT_SHARED` when set,
/// else `shared` beside the repository, else `/work/shared`.
pub fn shared_dir() -> PathBuf {
    let candidates = [
        std::env::var_os("HOPAUDIT_SHARED").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|dir| dir.join("corpus/received.jsonl").is_file())
        .unwrap_or_else(|| {
            panic!(
                "the labelled corpus is missing: no corpus/received.jsonl under $HOPAUDIT_SHARED, \
                 {}/../shared or /work/shared; set HOPAUDIT_SHARED to the folder that holds corpus/",
                env!("CARGO_MANIFEST_DIR")
            )
        })
}

/// Folds a test line the way a CRLF message does.
pub fn to_crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Reads the expected per-folder results of the sample mailbox, from expected.toml.
pub fn expected_folders() -> Vec<(String, i64, i64)> {
    let text =
        std::fs::read_to_string(dovecot::repo().join("tests/fixtures/mailbox/expected.toml"))
            .expect("expected.toml");
    let value: toml::Value = toml::from_str(&text).expect("expected.toml parses");
    let mut rows: Vec<(String, i64, i64)> = value["folders"]
        .as_table()
        .expect("[folders]")
        .iter()
        .map(|(name, v)| {
            (
                name.clone(),
                v["messages"].as_integer().unwrap(),
                v["hops"].as_integer().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Reads the expected messages and boundary verdict per sender domain from expected.toml.
pub fn expected_domains() -> Vec<(String, i64, String)> {
    let text =
        std::fs::read_to_string(dovecot::repo().join("tests/fixtures/mailbox/expected.toml"))
            .expect("expected.toml");
    let value: toml::Value = toml::from_str(&text).expect("expected.toml parses");
    let mut rows: Vec<(String, i64, String)> = value["domains"]
        .as_table()
        .expect("[domains]")
        .iter()
        .map(|(name, v)| {
            let messages = v["messages"].as_integer().expect("messages");
            let verdict = v["verdict"].as_str().expect("verdict").to_string();
            (name.clone(), messages, verdict)
        })
        .collect();
    rows.sort();
    rows
}
