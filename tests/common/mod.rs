//! Helpers shared by the integration tests.

#![allow(dead_code)]

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
