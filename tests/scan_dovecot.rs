//! `hopaudit scan` against a real Dovecot with the sample mailbox: exact counts over
//! implicit TLS and STARTTLS, incremental runs, UIDVALIDITY changes, full scans, date
//! sweeps, and flags left untouched.

mod common;

use common::dovecot::Dovecot;
use common::run::{AccountSpec, Workspace, describe, folder_counts, summary};

fn scan(ws: &Workspace, dovecot: &Dovecot, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["scan", "--json"];
    all.extend_from_slice(args);
    let output = ws.run(&all, dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    summary(&output)
}

/// Returns (sender domain, messages, verdict) from the store; every domain of the sample
/// mailbox has one verdict for all its messages.
fn domain_verdicts(ws: &Workspace) -> Vec<(String, i64, String)> {
    let db = ws.db();
    let mut statement = db
        .prepare(
            "SELECT coalesce(sender_domain, ''), count(*), group_concat(DISTINCT verdict)
             FROM messages GROUP BY sender_domain ORDER BY sender_domain",
        )
        .expect("prepare");
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// Returns (sender domain, messages, verdict) from the report's domains.csv, where the
/// verdict is the one column among encrypted, plaintext and unverified that holds every
/// message of the domain, or `none` when all three are 0.
fn report_domain_verdicts(ws: &Workspace, dovecot: &Dovecot) -> Vec<(String, i64, String)> {
    let out = ws.path().join("report");
    let output = ws.run(
        &["report", "--out", out.to_str().unwrap()],
        dovecot.password(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let mut reader = csv::Reader::from_path(out.join("domains.csv")).expect("domains.csv");
    let headers = reader.headers().expect("header row").clone();
    let expected_first = [
        "sender_domain",
        "messages",
        "encrypted",
        "plaintext",
        "unverified",
        "tls_percent",
        "min_tls_version",
        "max_tls_version",
        "first_seen",
        "last_seen",
    ];
    assert_eq!(headers.iter().take(10).collect::<Vec<_>>(), expected_first);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV row");
        let number = |i: usize| record[i].parse::<i64>().expect("a count");
        let messages = number(1);
        let verdict = ["encrypted", "plaintext", "unverified"]
            .iter()
            .zip([number(2), number(3), number(4)])
            .find(|(_, count)| *count == messages)
            .map_or("none", |(name, _)| name);
        rows.push((record[0].to_string(), messages, verdict.to_string()));
    }
    rows.sort();
    rows
}

#[test]
fn implicit_tls_scan_exact_counts() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let first = scan(&ws, &dovecot, &[]);
    assert_eq!(first["status"], "complete");
    assert_eq!(first["messages_seen"], 39);
    assert_eq!(first["messages_new"], 39);
    assert_eq!(first["errors"], 0);
    assert_eq!(first["folders"].as_array().map(Vec::len), Some(7));
    assert_eq!(folder_counts(&ws), common::expected_folders());
    assert_eq!(domain_verdicts(&ws), common::expected_domains());
    // Reports leave out messages without any Received header (never transmitted), so the
    // domain whose only message has none is not in domains.csv.
    let reported: Vec<_> = common::expected_domains()
        .into_iter()
        .filter(|(_, _, verdict)| verdict != "none")
        .collect();
    assert_eq!(report_domain_verdicts(&ws, &dovecot), reported);
    // The second run finds nothing new and stores nothing twice.
    let second = scan(&ws, &dovecot, &[]);
    assert_eq!(
        (
            second["messages_seen"].as_u64(),
            second["messages_new"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(ws.count("SELECT count(*) FROM messages"), 39);
    assert_eq!(
        ws.count("SELECT count(*) FROM scans WHERE status = 'complete'"),
        2
    );
}

#[test]
fn starttls_scan_exact_counts() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(dovecot.imap_port(), dovecot.ca_file());
    account.security = "starttls";
    account.auth = "login";
    ws.write_config("", &[account]);
    let result = scan(&ws, &dovecot, &[]);
    assert_eq!(result["messages_new"], 39);
    assert_eq!(folder_counts(&ws), common::expected_folders());
    assert!(
        dovecot.log().contains("TLS"),
        "Dovecot saw no TLS session:\n{}",
        dovecot.log()
    );
}

#[test]
fn incremental_run_fetches_only_new() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "window = 5",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let flags_before = dovecot.flag_snapshot();
    scan(&ws, &dovecot, &[]);
    assert_eq!(
        dovecot.flag_snapshot(),
        flags_before,
        "a scan changed message flags"
    );
    for i in 0..3 {
        dovecot.deliver("INBOX", &format!("late{i}"), &common::mailgen::message(i));
    }
    let second = scan(&ws, &dovecot, &[]);
    assert_eq!(second["messages_seen"], 3, "{second}");
    assert_eq!(second["messages_new"], 3);
    assert_eq!(ws.count("SELECT count(*) FROM messages"), 42);
    let inbox_hops = ws.count("SELECT sum(hop_count) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.name = 'INBOX'");
    assert_eq!(
        inbox_hops,
        52 + (0..3).map(common::mailgen::hops).sum::<usize>() as i64
    );
}

#[test]
fn changed_uidvalidity_replaces_folder() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    scan(&ws, &dovecot, &[]);
    let old: i64 = ws.count("SELECT uid_validity FROM folders WHERE name = 'Sent'");
    let status = std::process::Command::new("doveadm")
        .args([
            "-c",
            &format!("{}/dovecot.conf", dovecot.rundir.path().display()),
        ])
        .args([
            "mailbox",
            "update",
            "-u",
            "auditor",
            "--uid-validity",
            "424242",
            "Sent",
        ])
        .output()
        .expect("run doveadm");
    assert!(
        status.status.success(),
        "doveadm: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let second = scan(&ws, &dovecot, &[]);
    assert_eq!(second["messages_new"], 3, "{second}");
    assert_ne!(old, 424242);
    assert_eq!(
        ws.count("SELECT uid_validity FROM folders WHERE name = 'Sent'"),
        424242
    );
    assert_eq!(folder_counts(&ws), common::expected_folders());
}

#[test]
fn full_scan_marks_expunged() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    scan(&ws, &dovecot, &[]);
    let cur = dovecot.maildir_folder("Project Files").join("cur");
    let victim = std::fs::read_dir(&cur)
        .expect("cur")
        .flatten()
        .next()
        .expect("a message")
        .path();
    std::fs::remove_file(victim).expect("expunge by hand");
    let full = scan(&ws, &dovecot, &["--full"]);
    assert_eq!(full["messages_seen"], 38, "{full}");
    assert_eq!(full["messages_new"], 0);
    assert_eq!(
        ws.count("SELECT count(*) FROM messages WHERE present = 0"),
        1
    );
    assert_eq!(ws.count("SELECT count(*) FROM messages"), 39);
}

#[test]
fn date_sweep_keeps_incremental_state() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    // Archive/2024 and Geschäftspost are dated 2024, the rest 2025.
    let dated = scan(&ws, &dovecot, &["--before", "2025-01-01"]);
    assert_eq!(dated["messages_new"], 13, "{dated}");
    let next = scan(&ws, &dovecot, &[]);
    assert_eq!(next["messages_new"], 26, "{next}");
    assert_eq!(folder_counts(&ws), common::expected_folders());
}

#[test]
fn folder_selection_globs_special_use() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    account.extra = "folders = [\"Archive/*\", \"\\\\Sent\", \"Gesch*\", \"Project Files\"]\nexclude_folders = [\"\\\\Archive\"]\n".to_string();
    ws.write_config("", &[account]);
    let result = scan(&ws, &dovecot, &[]);
    let names: Vec<&str> = result["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["folder"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Geschäftspost", "Project Files", "Sent"]);
    assert_eq!(result["messages_new"], 10);
}

#[test]
fn check_lists_folders_with_counts() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let output = ws.run(&["check"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<(String, u64)> = stdout
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split("  ").filter(|f| !f.trim().is_empty()).collect();
            (
                fields[1].trim().to_string(),
                fields[2].trim().parse().expect("a count"),
            )
        })
        .collect();
    let mut expected: Vec<(String, u64)> = common::expected_folders()
        .into_iter()
        .map(|(name, messages, _)| (name, messages as u64))
        .collect();
    expected.sort_by(|a, b| (a.0 != "INBOX", &a.0).cmp(&(b.0 != "INBOX", &b.0)));
    assert_eq!(rows, expected, "INBOX first, then by name:\n{stdout}");
    // check fetches no header and writes no database.
    assert!(!ws.database().exists());
}
