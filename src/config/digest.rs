//! A fingerprint of the configuration for the evidence trail, with every secret and every
//! secret source left out.
//!
//! Each scan row stores `digest(&config)`, so an auditor can tell whether two runs used the
//! same settings. The digest covers what decides the audit's results: the organization,
//! provider groups, receiver rules, each account's server, user name, folders and
//! credential kind, and the scan and report settings. It leaves out:
//! - the inline `password`, and the text of `password_env`, `password_command` and
//!   `oauth2_token_command`: only which kind of source an account uses (`inline`, `env`,
//!   `command`, `oauth2_command`) is hashed. A command line can hold a secret
//!   (`echo s3cret`), and a short secret hashed alone could be found by trying guesses, so
//!   none of that text enters the hash;
//! - paths that depend on the machine (`database`, `report.out_dir`, the config file's
//!   own location).

use std::fmt::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Account, AuthMethod, Config, Security};

/// First line of the rendering; bumped when the rendering changes, so old and new
/// digests never compare equal by accident.
const FORMAT: &str = "hopaudit-config-digest 1";

/// Returns the SHA-256 of the canonical rendering of `config`, as 64 lowercase hex digits.
pub fn digest(config: &Config) -> String {
    let hash = Sha256::digest(canonical(config).as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hash {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Renders the hashed settings as `key=json` lines in a fixed order.
pub fn canonical(config: &Config) -> String {
    let mut out = Lines(format!("{FORMAT}\n"));
    let org = &config.organization;
    out.put("organization.name", &org.name);
    out.put("organization.domains", &org.domains);
    out.put("organization.gateways", &org.gateways);
    for (i, group) in config.provider_groups.iter().enumerate() {
        out.put(&format!("provider_groups.{i}.name"), &group.name);
        out.put(&format!("provider_groups.{i}.domains"), &group.domains);
    }
    for (i, rule) in config.receivers.iter().enumerate() {
        out.put(&format!("receivers.{i}.host"), &rule.host);
        out.put(&format!("receivers.{i}.records_tls"), rule.records_tls);
    }
    for (i, account) in config.accounts.iter().enumerate() {
        put_account(&mut out, &format!("accounts.{i}"), account);
    }
    let scan = &config.scan;
    out.put("scan.window", scan.window);
    out.put("scan.max_connections", scan.max_connections);
    out.put("scan.timeout_seconds", scan.timeout_seconds);
    out.put("scan.retries", scan.retries);
    out.put("scan.max_header_bytes", scan.max_header_bytes);
    out.put("scan.dedupe_message_id", scan.dedupe_message_id);
    let report = &config.report;
    out.put("report.pass_threshold", report.pass_threshold);
    out.put("report.redact_accounts", report.redact_accounts);
    out.put("report.prepared_by", &report.prepared_by);
    out.put("report.reviewed_by", &report.reviewed_by);
    out.put("report.approved_by", &report.approved_by);
    out.0
}

fn put_account(out: &mut Lines, prefix: &str, account: &Account) {
    let key = |name: &str| format!("{prefix}.{name}");
    out.put(&key("name"), &account.name);
    out.put(&key("host"), &account.host);
    out.put(&key("port"), account.port());
    out.put(&key("security"), security_label(account.security));
    out.put(&key("username"), &account.username);
    out.put(&key("auth"), auth_label(account.auth));
    out.put(&key("credential"), credential_kind(account));
    out.put(&key("ca_file"), &account.ca_file);
    out.put(&key("folders"), &account.folders);
    out.put(&key("exclude_folders"), &account.exclude_folders);
    out.put(&key("max_connections"), account.max_connections);
}

/// Names the kind of credential source, never its value or text.
fn credential_kind(account: &Account) -> &'static str {
    if account.password.is_some() {
        "inline"
    } else if account.password_env.is_some() {
        "env"
    } else if account.password_command.is_some() {
        "command"
    } else if account.oauth2_token_command.is_some() {
        "oauth2_command"
    } else {
        "none"
    }
}

fn security_label(security: Security) -> &'static str {
    match security {
        Security::Tls => "tls",
        Security::Starttls => "starttls",
        Security::Plain => "plain",
    }
}

fn auth_label(auth: AuthMethod) -> &'static str {
    match auth {
        AuthMethod::Password => "password",
        AuthMethod::Login => "login",
        AuthMethod::Plain => "plain",
        AuthMethod::Xoauth2 => "xoauth2",
        AuthMethod::Oauthbearer => "oauthbearer",
    }
}

struct Lines(String);

impl Lines {
    fn put(&mut self, key: &str, value: impl Serialize) {
        // serde_json escapes every control character, so a value cannot forge a line.
        let json = serde_json::to_string(&value).unwrap_or_else(|_| "null".to_string());
        let _ = writeln!(self.0, "{key}={json}");
    }
}
