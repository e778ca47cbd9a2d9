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

use super::{
    Account, AuthMethod, Config, Organization, ProviderGroup, ReceiverRule, ReportSettings,
    ScanSettings, Security,
};

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
///
/// Every struct is taken apart field by field, so a field added to the configuration does
/// not compile here until it is either hashed or left out on purpose.
pub fn canonical(config: &Config) -> String {
    let Config {
        database: _,
        organization,
        accounts,
        receivers,
        provider_groups,
        scan,
        report,
        base_dir: _,
        source: _,
    } = config;
    let mut out = Lines(format!("{FORMAT}\n"));
    let Organization {
        name,
        domains,
        gateways,
    } = organization;
    out.put("organization.name", name);
    out.put("organization.domains", domains);
    out.put("organization.gateways", gateways);
    for (i, ProviderGroup { name, domains }) in provider_groups.iter().enumerate() {
        out.put(&format!("provider_groups.{i}.name"), name);
        out.put(&format!("provider_groups.{i}.domains"), domains);
    }
    for (i, ReceiverRule { host, records_tls }) in receivers.iter().enumerate() {
        out.put(&format!("receivers.{i}.host"), host);
        out.put(&format!("receivers.{i}.records_tls"), records_tls);
    }
    for (i, account) in accounts.iter().enumerate() {
        put_account(&mut out, &format!("accounts.{i}"), account);
    }
    put_scan(&mut out, scan);
    put_report(&mut out, report);
    out.0
}

fn put_scan(out: &mut Lines, scan: &ScanSettings) {
    let ScanSettings {
        window,
        max_connections,
        timeout_seconds,
        retries,
        max_header_bytes,
        dedupe_message_id,
    } = scan;
    out.put("scan.window", window);
    out.put("scan.max_connections", max_connections);
    out.put("scan.timeout_seconds", timeout_seconds);
    out.put("scan.retries", retries);
    out.put("scan.max_header_bytes", max_header_bytes);
    out.put("scan.dedupe_message_id", dedupe_message_id);
}

fn put_report(out: &mut Lines, report: &ReportSettings) {
    let ReportSettings {
        out_dir: _,
        pass_threshold,
        redact_accounts,
        prepared_by,
        reviewed_by,
        approved_by,
    } = report;
    out.put("report.pass_threshold", pass_threshold);
    out.put("report.redact_accounts", redact_accounts);
    out.put("report.prepared_by", prepared_by);
    out.put("report.reviewed_by", reviewed_by);
    out.put("report.approved_by", approved_by);
}

fn put_account(out: &mut Lines, prefix: &str, account: &Account) {
    let Account {
        name,
        host,
        port: _,
        security,
        username,
        auth,
        password: _,
        password_env: _,
        password_command: _,
        oauth2_token_command: _,
        ca_file,
        folders,
        exclude_folders,
        max_connections,
    } = account;
    let key = |field: &str| format!("{prefix}.{field}");
    out.put(&key("name"), name);
    out.put(&key("host"), host);
    // The effective port, so `port = 993` and no port with `security = "tls"` agree.
    out.put(&key("port"), account.port());
    out.put(&key("security"), security_label(*security));
    out.put(&key("username"), username);
    out.put(&key("auth"), auth_label(*auth));
    out.put(&key("credential"), credential_kind(account));
    out.put(&key("ca_file"), ca_file);
    out.put(&key("folders"), folders);
    out.put(&key("exclude_folders"), exclude_folders);
    out.put(&key("max_connections"), max_connections);
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
