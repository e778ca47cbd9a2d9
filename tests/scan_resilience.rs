//! Dropped connections and killed processes: a connection cut in the middle of a FETCH is
//! resumed without losing or doubling a message, and `kill -9` at any moment followed by
//! a rerun leaves exactly the rows of one clean scan.

mod common;

use std::time::Duration;

use common::dovecot::Dovecot;
use common::proxy::CuttingProxy;
use common::run::{AccountSpec, Workspace, describe, summary};

fn generated_server(n: usize) -> (Dovecot, tempfile::TempDir) {
    let seed = tempfile::tempdir().expect("seed dir");
    common::mailgen::generate(seed.path(), n);
    (Dovecot::start(Some(seed.path()), &[]), seed)
}

/// Returns every stored message and its hop count, for comparing two databases.
fn contents(ws: &Workspace) -> Vec<(String, i64, i64, i64, String, i64)> {
    let db = ws.db();
    let mut statement = db
        .prepare(
            "SELECT f.name, m.uid_validity, m.uid, m.hop_count, m.verdict,
                    (SELECT count(*) FROM hops h WHERE h.message_id = m.id)
             FROM messages m JOIN folders f ON f.id = m.folder_id ORDER BY f.name, m.uid",
        )
        .expect("prepare");
    statement
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

#[test]
fn connection_cut_mid_fetch_resumes() {
    let (dovecot, _seed) = generated_server(2000);
    let proxy = CuttingProxy::start(dovecot.imaps_port(), 150_000, 1);
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(proxy.port, dovecot.ca_file());
    account.extra = "max_connections = 1\n".to_string();
    ws.write_config("window = 200\nretries = 3", &[account]);
    let output = ws.run(&["scan", "--json"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(
        proxy.cuts.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the proxy never cut the connection"
    );
    let result = summary(&output);
    assert_eq!(
        (result["messages_new"].as_u64(), result["errors"].as_u64()),
        (Some(2000), Some(0)),
        "{result}"
    );
    assert_eq!(ws.count("SELECT count(*) FROM messages"), 2000);
    assert_eq!(
        ws.count("SELECT count(DISTINCT folder_id || ':' || uid) FROM messages"),
        2000
    );
    let hops: usize = (0..2000).map(common::mailgen::hops).sum();
    assert_eq!(ws.count("SELECT sum(hop_count) FROM messages"), hops as i64);
}

#[test]
fn kill_9_then_rerun_matches_clean_scan() {
    let (dovecot, _seed) = generated_server(20_000);
    let clean = Workspace::new();
    clean.write_config(
        "window = 500",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let output = clean.run(&["scan", "--json"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let expected = contents(&clean);
    assert_eq!(expected.len(), 20_000);

    let killed = Workspace::new();
    killed.write_config(
        "window = 500",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let mut kills = 0;
    for delay_ms in [150u64, 600, 1200, 2500] {
        let mut child = killed.spawn(&["scan"], dovecot.password(), &[]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("kill -9");
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills >= 2, "the scans finished before they could be killed");
    let output = killed.run(&["scan", "--json"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(contents(&killed), expected);
}

#[test]
fn sigterm_interrupts_then_rerun_completes() {
    let (dovecot, _seed) = generated_server(20_000);
    let ws = Workspace::new();
    ws.write_config(
        "window = 500",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let child = ws.spawn(&["scan", "--json"], dovecot.password(), &[]);
    std::thread::sleep(Duration::from_millis(800));
    let pid = child.id().to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill -TERM");
    assert!(signalled.success());
    let output = common::run::wait_with_deadline(child, Duration::from_secs(120));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let result = summary(&output);
    assert_eq!(result["status"], "interrupted", "{result}");
    let stored = ws.count("SELECT count(*) FROM messages");
    assert!(stored < 20_000, "the scan finished before the signal");
    assert_eq!(result["messages_new"].as_i64(), Some(stored));
    assert_eq!(
        ws.count("SELECT count(*) FROM scans WHERE status = 'interrupted'"),
        1
    );
    // Every UID up to each folder's highest is stored: the windows committed whole.
    let gaps = ws.count(
        "SELECT count(*) FROM folders f WHERE f.highest_uid >
            (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND m.uid <= f.highest_uid)",
    );
    assert_eq!(gaps, 0);
    let rerun = ws.run(&["scan", "--json"], dovecot.password(), &[]);
    assert_eq!(rerun.status.code(), Some(0), "{}", describe(&rerun));
    assert_eq!(
        summary(&rerun)["messages_new"].as_i64(),
        Some(20_000 - stored)
    );
    assert_eq!(ws.count("SELECT count(*) FROM messages"), 20_000);
}
