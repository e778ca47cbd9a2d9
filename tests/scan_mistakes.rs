//! Configuration mistakes that real users make, against a real Dovecot: each one stops
//! with a message that names the value and the fix, and a folder selection that matches
//! nothing never passes as a complete audit of nothing.

mod common;

use common::dovecot::Dovecot;
use common::run::{AccountSpec, Workspace, describe};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn selection_matching_nothing_fails() {
    let dovecot = Dovecot::with_sample();
    for (folders, exclude) in [("[\"NoSuchFolder*\"]", "[]"), ("[\"*\"]", "[\"*\"]")] {
        let ws = Workspace::new();
        let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
        account.extra = format!("folders = {folders}\nexclude_folders = {exclude}\n");
        ws.write_config("", &[account]);
        for command in ["scan", "check"] {
            let output = ws.run(&[command], dovecot.password(), &[]);
            let log = stderr(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command}: {}",
                describe(&output)
            );
            assert!(
                log.contains("no folder matches folders"),
                "{command}: {log}"
            );
            assert!(
                log.contains("the server has: \"INBOX\""),
                "{command}: {log}"
            );
        }
    }
}

#[test]
fn missing_named_folder_lists_server_folders() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    account.extra = "folders = [\"INBOX\", \"Does/Not/Exist\"]\n".to_string();
    ws.write_config("", &[account]);
    let output = ws.run(&["check"], dovecot.password(), &[]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        log.contains("folder \"Does/Not/Exist\" does not exist"),
        "{log}"
    );
    assert!(log.contains("\"Archive/2024\""), "{log}");
}

#[test]
fn tls_on_plain_port_names_starttls() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "retries = 0",
        &[AccountSpec::tls(dovecot.imap_port(), dovecot.ca_file())],
    );
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(log.contains("did not answer with TLS"), "{log}");
    assert!(log.contains("security = \"starttls\""), "{log}");
}

#[test]
fn starttls_on_tls_port_names_tls() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    account.security = "starttls";
    ws.write_config("retries = 0\ntimeout_seconds = 2", &[account]);
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(log.contains("waiting for the server greeting"), "{log}");
    assert!(log.contains("set security = \"tls\""), "{log}");
}

#[test]
fn closed_stdout_keeps_exit_code() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    for command in ["check", "scan"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hopaudit"))
            .args([
                command,
                "--config",
                ws.path().join("config.toml").to_str().unwrap(),
            ])
            .env("HOPAUDIT_TEST_PASSWORD", dovecot.password())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{command}: {log}");
        assert!(!log.contains("panicked"), "{command}: {log}");
        assert!(!log.contains("Broken pipe"), "{command}: {log}");
    }
    assert_eq!(
        ws.count("SELECT count(*) FROM scans WHERE status = 'complete'"),
        1
    );
}
