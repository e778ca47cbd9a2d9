//! A password and an OAuth token never reach the database, the logs or any report file:
//! a real scan over TLS with three credential sources, trace-level logging, then a report.

mod common;

use base64::Engine;
use common::dovecot::Dovecot;
use common::run::{AccountSpec, Workspace, describe};

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn secrets_absent_from_every_output() {
    let dovecot = Dovecot::with_sample();
    let password = dovecot.password().to_string();
    let token = dovecot.get("token").to_string();
    let base64 = |text: String| base64::engine::general_purpose::STANDARD.encode(text);
    let secrets = [
        password.clone(),
        token.clone(),
        base64(format!("\0auditor\0{password}")),
        base64(format!("user=auditor\x01auth=Bearer {token}\x01\x01")),
    ];

    let ws = Workspace::new();
    let mut from_env = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    from_env.name = "from-env".into();
    let mut inline = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    inline.name = "inline".into();
    inline.credential = format!("password = \"{password}\"");
    let mut oauth = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    oauth.name = "oauth".into();
    oauth.auth = "xoauth2";
    oauth.credential = format!("oauth2_token_command = \"echo {token}\"");
    ws.write_config("window = 10", &[from_env, inline, oauth]);

    let trace = [("HOPAUDIT_LOG", "trace")];
    let scan = ws.run(&["scan"], &password, &trace);
    assert_eq!(scan.status.code(), Some(0), "{}", describe(&scan));
    assert_eq!(ws.count("SELECT count(DISTINCT account) FROM folders"), 3);
    let out = ws.path().join("report");
    let report = ws.run(
        &["report", "--out", out.to_str().unwrap()],
        &password,
        &trace,
    );
    assert_eq!(report.status.code(), Some(0), "{}", describe(&report));

    let mut checked = vec![
        ("scan log".to_string(), scan.stderr.clone()),
        ("scan output".to_string(), scan.stdout.clone()),
        ("report log".to_string(), report.stderr.clone()),
    ];
    for path in files_under(ws.path()) {
        if path.file_name().is_some_and(|name| name == "config.toml") {
            continue;
        }
        checked.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    let report_files = checked
        .iter()
        .filter(|(name, _)| name.contains("/report/"))
        .count();
    assert!(
        report_files >= 7,
        "expected the report files, checked: {report_files}"
    );
    assert!(
        checked
            .iter()
            .any(|(name, _)| name.ends_with("audit.sqlite"))
    );
    for (name, bytes) in &checked {
        for secret in &secrets {
            assert!(!contains(bytes, secret), "{name} contains a secret");
        }
    }
}
