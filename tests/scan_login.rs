//! Logging in, and each way it can fail with one clear line: XOAUTH2 and OAUTHBEARER
//! against Dovecot, wrong password, wrong CA, wrong host name, no STARTTLS, a refused
//! connection, a missing folder; and no secret in a trace-level log.

mod common;

use base64::Engine;
use common::dovecot::Dovecot;
use common::hostile::{Behaviour, HostileServer};
use common::run::{AccountSpec, Workspace, describe, summary};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn oauth_mechanisms_log_in_with_the_token_command() {
    let dovecot = Dovecot::with_sample();
    for auth in ["xoauth2", "oauthbearer"] {
        let ws = Workspace::new();
        let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
        account.auth = auth;
        account.credential = format!("oauth2_token_command = \"echo {}\"", dovecot.get("token"));
        ws.write_config("", &[account]);
        let output = ws.run(&["scan", "--json"], "", &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{auth}: {}",
            describe(&output)
        );
        assert_eq!(summary(&output)["messages_new"], 39);
        // An expired or wrong token is one clear error and exit code 2.
        let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
        account.auth = auth;
        account.credential = "oauth2_token_command = \"echo expired-token\"".to_string();
        ws.write_config("", &[account]);
        let output = ws.run(&["scan"], "", &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{auth}: {}",
            describe(&output)
        );
        assert!(
            stderr(&output).contains("account \"compliance\": login failed"),
            "{}",
            describe(&output)
        );
    }
}

#[test]
fn wrong_password_is_one_line_and_exit_2() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    ws.write_config(
        "retries = 0",
        &[AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file())],
    );
    let output = ws.run(&["scan"], "not-the-password", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let errors: Vec<&str> = std::str::from_utf8(&output.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains("ERROR"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", describe(&output));
    assert!(
        errors[0].contains("account \"compliance\": login failed")
            && errors[0].contains("as \"auditor\" on 127.0.0.1:")
            && errors[0].contains("check `username`"),
        "{}",
        errors[0]
    );
}

#[test]
fn certificate_problems_name_ca_file_or_the_host() {
    let dovecot = Dovecot::with_sample();
    let other = HostileServer::start(Behaviour::Normal, &["127.0.0.1"]);
    let ws = Workspace::new();
    // Dovecot's certificate checked against another CA.
    ws.write_config(
        "",
        &[AccountSpec::tls(
            dovecot.imaps_port(),
            other.ca_file.clone(),
        )],
    );
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("could not be verified") && stderr(&output).contains("ca_file"),
        "{}",
        describe(&output)
    );
    // A certificate for another host name.
    let wrong_name = HostileServer::start(Behaviour::Normal, &["mail.other.example"]);
    ws.write_config(
        "",
        &[AccountSpec::tls(
            wrong_name.port,
            wrong_name.ca_file.clone(),
        )],
    );
    let output = ws.run(&["scan"], "x", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("for another host name"),
        "{}",
        describe(&output)
    );
}

#[test]
fn missing_starttls_is_refused() {
    let server = HostileServer::start(Behaviour::NoStartTls, &["127.0.0.1"]);
    let ws = Workspace::new();
    let mut account = AccountSpec::tls(server.port, server.ca_file.clone());
    account.security = "starttls";
    ws.write_config("", &[account]);
    let output = ws.run(&["scan"], "secret-never-sent", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("does not offer STARTTLS"),
        "{}",
        describe(&output)
    );
}

#[test]
fn refused_connection_and_missing_folder_fail_clearly() {
    let dovecot = Dovecot::with_sample();
    let ws = Workspace::new();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    ws.write_config(
        "retries = 0",
        &[AccountSpec::tls(closed_port, dovecot.ca_file())],
    );
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains(&format!("cannot connect to 127.0.0.1:{closed_port}")),
        "{}",
        describe(&output)
    );
    let mut unknown = AccountSpec::tls(993, dovecot.ca_file());
    unknown.host = "mail.nonexistent.invalid".to_string();
    ws.write_config("retries = 0\ntimeout_seconds = 10", &[unknown]);
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("cannot resolve host \"mail.nonexistent.invalid\""),
        "{}",
        describe(&output)
    );
    let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
    account.extra = "folders = [\"INBOX\", \"Nope\"]\n".to_string();
    ws.write_config("", &[account]);
    let output = ws.run(&["scan"], dovecot.password(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("folder \"Nope\" does not exist"),
        "{}",
        describe(&output)
    );
}

#[test]
fn trace_log_never_shows_password_or_token() {
    let dovecot = Dovecot::with_sample();
    let password = dovecot.password().to_string();
    let token = dovecot.get("token").to_string();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let forbidden = [
        password.clone(),
        token.clone(),
        b64(format!("\0auditor\0{password}")),
        b64(format!("user=auditor\x01auth=Bearer {token}\x01\x01")),
        b64(format!("n,a=auditor,\x01auth=Bearer {token}\x01\x01")),
    ];
    for auth in ["login", "plain", "xoauth2", "oauthbearer"] {
        let ws = Workspace::new();
        let mut account = AccountSpec::tls(dovecot.imaps_port(), dovecot.ca_file());
        account.auth = auth;
        if auth.starts_with('x') || auth.starts_with('o') {
            account.credential = format!("oauth2_token_command = \"echo {token}\"");
        }
        ws.write_config("window = 10", &[account]);
        let output = ws.run(&["scan"], &password, &[("HOPAUDIT_LOG", "trace")]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{auth}: {}",
            describe(&output)
        );
        let log = stderr(&output);
        assert!(
            log.contains("C: ") && log.contains("redacted"),
            "{auth}: the trace log shows no protocol text:\n{log}"
        );
        for secret in &forbidden {
            assert!(
                !log.contains(secret.as_str()),
                "{auth}: the trace log contains a secret"
            );
        }
    }
}

#[test]
fn usage_errors_exit_2_before_connecting() {
    let ws = Workspace::new();
    ws.write_config("", &[AccountSpec::tls(1, ws.path().join("no-ca.pem"))]);
    let output = ws.run(&["scan", "--account", "nobody"], "x", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("--account \"nobody\": no such account"),
        "{}",
        describe(&output)
    );
    let output = ws.run(&["scan", "--since", "2024-13-01"], "x", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("write it as YYYY-MM-DD"),
        "{}",
        describe(&output)
    );
    assert!(
        !ws.database().exists(),
        "a usage error created the database"
    );
}
