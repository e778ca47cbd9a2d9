//! Arbitrary header bytes through the whole path: classification, a committed window in a
//! real SQLite file, and the rows read back.
//!
//! Checks that nothing panics, that every hop is stored with its raw bytes unchanged, and
//! that the message row agrees with its hop rows. Besides the classifier's hops, each
//! input also becomes one hop whose raw bytes and text fields are the input itself, so the
//! store sees hostile text even when the classifier finds no Received header.

#![no_main]

use std::path::PathBuf;
use std::sync::Mutex;

use hopaudit::classify::{self, NoKnowledge, Policy};
use hopaudit::hop::{Hop, HopKind};
use hopaudit::store::{ClassifiedMessage, FolderKey, ScanId, ScanStart, SqliteStore, Store, WindowCommit};
use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;

/// Inputs stored before the database is started over, to keep the file small.
const INPUTS_PER_DATABASE: u32 = 5_000;

struct Harness {
    path: PathBuf,
    store: SqliteStore,
    reader: Connection,
    scan: ScanId,
    next_uid: u32,
    policy: Policy,
}

impl Harness {
    fn new() -> Harness {
        let path = std::env::temp_dir().join(format!("hopaudit-fuzz-{}.sqlite", std::process::id()));
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
        let mut store = SqliteStore::open(&path).expect("open the fuzz database");
        let scan = store
            .begin_scan(&ScanStart {
                command: "fuzz".into(),
                started_at: 0,
                version: "fuzz".into(),
                config_digest: None,
                accounts: vec!["fuzz".into()],
            })
            .expect("begin scan");
        store.open_folder(scan, &folder(), 1).expect("open folder");
        let reader = Connection::open(&path).expect("open reader");
        Harness {
            path,
            store,
            reader,
            scan,
            next_uid: 1,
            policy: Policy {
                org_domains: vec!["example.org".into()],
                ..Policy::default()
            },
        }
    }
}

fn folder() -> FolderKey {
    FolderKey {
        account: "fuzz".into(),
        folder: "INBOX".into(),
    }
}

/// A hop whose every text field comes from the input.
fn hostile_hop(index: usize, data: &[u8]) -> Hop {
    let text = String::from_utf8_lossy(data).into_owned();
    let half = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
    Hop {
        header_index: index,
        from_host: Some(text[..half].to_string()),
        from_ip: None,
        by_host: Some(text[half..].to_string()),
        protocol: Some(text.clone()),
        tls: data.first().is_some_and(|b| b & 1 == 1),
        tls_version: None,
        tls_cipher: Some(text),
        tls_evidence: None,
        kind: HopKind::Unknown,
        date: None,
        parsed: false,
        raw: data.to_vec(),
    }
}

static HARNESS: Mutex<Option<Harness>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut guard = HARNESS.lock().unwrap();
    if guard.as_ref().is_none_or(|h| h.next_uid > INPUTS_PER_DATABASE) {
        *guard = None;
        *guard = Some(Harness::new());
    }
    let h = guard.as_mut().unwrap();
    let mut classification = classify::classify(data, &h.policy, &NoKnowledge);
    let index = classification.hops.iter().map(|hop| hop.header_index + 1).max().unwrap_or(0);
    classification.hops.push(hostile_hop(index, data));
    let uid = h.next_uid;
    h.next_uid += 1;
    let expected = classification.hops.clone();
    let window = WindowCommit {
        scan: h.scan,
        folder: folder(),
        uid_validity: 1,
        highest_uid: uid,
        messages: vec![ClassifiedMessage { uid, header_bytes: data.len(), classification }],
        failures: vec![],
    };
    let counts = h.store.commit_window(&window).expect("commit window");
    assert_eq!(counts.new, 1);

    let (message_row, hop_count): (i64, i64) = h
        .reader
        .query_row("SELECT id, hop_count FROM messages WHERE uid = ?1", [uid], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("message row");
    assert_eq!(hop_count as usize, expected.len());
    let mut select = h
        .reader
        .prepare("SELECT header_index, raw, from_host, by_host, tls_cipher FROM hops WHERE message_id = ?1 ORDER BY header_index")
        .unwrap();
    let stored: Vec<(i64, Vec<u8>, Option<String>, Option<String>, Option<String>)> = select
        .query_map([message_row], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut wanted = expected;
    wanted.sort_by_key(|hop| hop.header_index);
    assert_eq!(stored.len(), wanted.len());
    for (row, hop) in stored.iter().zip(&wanted) {
        assert_eq!(row.0 as usize, hop.header_index);
        assert_eq!(row.1, hop.raw, "raw bytes changed in the store");
        assert_eq!(row.2, hop.from_host);
        assert_eq!(row.3, hop.by_host);
        assert_eq!(row.4, hop.tls_cipher);
    }
    let _ = &h.path;
});
