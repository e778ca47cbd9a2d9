//! Hostile and broken servers: each misbehaviour in INBOX costs bounded time and memory,
//! is reported with the account, folder and UID, and the folder `Good` is still stored.

mod common;

use common::hostile::{Behaviour, HostileServer};
use common::run::{AccountSpec, Workspace, describe, summary};

/// Scans the hostile server and returns (summary, stderr, workspace).
fn scan_hostile(
    behaviour: Behaviour,
    scan_settings: &str,
) -> (serde_json::Value, String, Workspace) {
    let server = HostileServer::start(behaviour, &["127.0.0.1"]);
    let ws = Workspace::new();
    ws.write_config(
        scan_settings,
        &[AccountSpec::tls(server.port, server.ca_file.clone())],
    );
    let output = ws.run(&["scan", "--json"], "any-password", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (summary(&output), stderr, ws)
}

fn folder<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["folder"] == name)
        .unwrap_or_else(|| panic!("no folder {name} in {summary}"))
}

fn assert_good_folder_stored(summary: &serde_json::Value, ws: &Workspace) {
    assert_eq!(folder(summary, "Good")["status"], "complete", "{summary}");
    assert_eq!(ws.count("SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.name = 'Good'"), 3);
}

#[test]
fn oversized_header_recorded_as_failure() {
    let (summary, stderr, ws) =
        scan_hostile(Behaviour::OversizedHeader, "max_header_bytes = 100000");
    let inbox = folder(&summary, "INBOX");
    assert_eq!(
        (
            inbox["status"].as_str(),
            inbox["messages_seen"].as_u64(),
            inbox["errors"].as_u64()
        ),
        (Some("partial"), Some(2), Some(1)),
        "{summary}"
    );
    assert!(
        stderr.contains("folder=INBOX") && stderr.contains("uid=2"),
        "{stderr}"
    );
    let reason: String = ws
        .db()
        .query_row(
            "SELECT message FROM errors WHERE uid = 2 AND folder = 'INBOX'",
            [],
            |r| r.get(0),
        )
        .expect("error row for UID 2");
    assert!(reason.contains("exceeds"), "{reason}");
    assert_good_folder_stored(&summary, &ws);
}

#[test]
fn huge_literal_claim_times_out_with_bounded_memory() {
    let (summary, stderr, ws) =
        scan_hostile(Behaviour::HugeLiteral, "timeout_seconds = 2\nretries = 1");
    let inbox = folder(&summary, "INBOX");
    assert_eq!(inbox["status"], "failed", "{summary}");
    let error = inbox["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("UID") && (error.contains("no answer") || error.contains("larger than")),
        "{error}"
    );
    assert!(
        stderr.contains("account=compliance") && stderr.contains("folder=INBOX"),
        "{stderr}"
    );
    assert_good_folder_stored(&summary, &ws);
}

#[test]
fn endless_untagged_responses_are_cut_off() {
    let (summary, _, ws) = scan_hostile(Behaviour::EndlessUntagged, "retries = 1\nwindow = 10");
    let inbox = folder(&summary, "INBOX");
    assert_eq!(inbox["status"], "failed", "{summary}");
    assert!(
        inbox["error"]
            .as_str()
            .unwrap_or_default()
            .contains("untagged responses"),
        "{summary}"
    );
    assert_good_folder_stored(&summary, &ws);
}

#[test]
fn stalled_server_times_out() {
    let (summary, _, ws) = scan_hostile(Behaviour::Stall, "timeout_seconds = 1\nretries = 1");
    let inbox = folder(&summary, "INBOX");
    assert_eq!(inbox["status"], "failed", "{summary}");
    assert!(
        inbox["error"]
            .as_str()
            .unwrap_or_default()
            .contains("no answer from the server within 1 s"),
        "{summary}"
    );
    assert_good_folder_stored(&summary, &ws);
}

#[test]
fn omitted_message_is_retried_then_recorded() {
    let (summary, stderr, ws) = scan_hostile(Behaviour::OmitsMessage, "");
    let inbox = folder(&summary, "INBOX");
    assert_eq!(
        (
            inbox["status"].as_str(),
            inbox["messages_seen"].as_u64(),
            inbox["errors"].as_u64()
        ),
        (Some("partial"), Some(2), Some(1)),
        "{summary}"
    );
    assert!(stderr.contains("uid=2"), "{stderr}");
    assert_eq!(ws.count("SELECT count(*) FROM errors WHERE uid = 2"), 1);
    // Every listed UID is accounted for, so the next run does not ask again.
    assert_eq!(
        ws.count("SELECT highest_uid FROM folders WHERE name = 'INBOX'"),
        3
    );
    assert_good_folder_stored(&summary, &ws);
}
