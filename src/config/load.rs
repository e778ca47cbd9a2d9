//! Reading and checking a config file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Account, AuthMethod, Config, Security};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the config file: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: invalid configuration: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Reads, parses and checks the config file at `path`, and resolves relative paths in it
/// against the file's folder.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let mut config: Config =
        toml::from_str(&text).map_err(|e| invalid(describe_toml_error(&text, &e)))?;
    let base_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    config.database = resolve(&base_dir, &config.database);
    config.report.out_dir = resolve(&base_dir, &config.report.out_dir);
    for account in &mut config.accounts {
        if let Some(ca) = &account.ca_file {
            account.ca_file = Some(resolve(&base_dir, ca));
        }
    }
    config.base_dir = base_dir;
    config.source = Some(path.to_path_buf());
    check(&config).map_err(invalid)?;
    warn_inline_secrets(path, &config);
    Ok(config)
}

fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Turns a toml error into one line: the message, then the line and column.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end().to_string();
    let Some(span) = error.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.len() - line_start + 1;
    // The line itself names the key, which toml's type errors leave out.
    let line_text = text[line_start..].lines().next().unwrap_or("").trim();
    format!("{message} (line {line}, column {column}: `{line_text}`)")
}

fn check(config: &Config) -> Result<(), String> {
    let mut names = HashSet::new();
    for account in &config.accounts {
        if !names.insert(account.name.as_str()) {
            return Err(format!(
                "account name {:?} is used twice; give each [[accounts]] entry its own name",
                account.name
            ));
        }
        check_account(account)?;
    }
    for rule in &config.receivers {
        globset::Glob::new(&rule.host)
            .map_err(|e| format!("[[receivers]] host pattern {:?} is invalid: {e}", rule.host))?;
    }
    if !(0.0..=100.0).contains(&config.report.pass_threshold) {
        return Err(format!(
            "report.pass_threshold = {} is out of range; use a percentage from 0 to 100",
            config.report.pass_threshold
        ));
    }
    for (key, value) in [
        ("scan.window", u64::from(config.scan.window)),
        ("scan.max_connections", config.scan.max_connections as u64),
        ("scan.timeout_seconds", config.scan.timeout_seconds),
        ("scan.max_header_bytes", config.scan.max_header_bytes as u64),
    ] {
        if value == 0 {
            return Err(format!("{key} = 0 is invalid; it must be at least 1"));
        }
    }
    Ok(())
}

fn check_account(account: &Account) -> Result<(), String> {
    let name = &account.name;
    if name.trim().is_empty() {
        return Err("an [[accounts]] entry has an empty name".to_string());
    }
    let sources = [
        account.password.is_some(),
        account.password_env.is_some(),
        account.password_command.is_some(),
        account.oauth2_token_command.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if sources == 0 {
        return Err(format!(
            "account {name:?} has no credential; set password_env, password_command or oauth2_token_command"
        ));
    }
    if sources > 1 {
        return Err(format!(
            "account {name:?} sets more than one of password, password_env, password_command and oauth2_token_command; keep one"
        ));
    }
    let oauth = matches!(account.auth, AuthMethod::Xoauth2 | AuthMethod::Oauthbearer);
    if oauth != account.oauth2_token_command.is_some() {
        return Err(format!(
            "account {name:?}: auth = \"xoauth2\" or \"oauthbearer\" goes with oauth2_token_command, and password methods with a password source"
        ));
    }
    if account.security == Security::Plain && !is_loopback(&account.host) {
        return Err(format!(
            "account {name:?}: security = \"plain\" sends the password unencrypted and is allowed only for a loopback host (127.0.0.1, ::1, localhost), not {:?}; use \"tls\" or \"starttls\"",
            account.host
        ));
    }
    for pattern in account.folders.iter().chain(&account.exclude_folders) {
        if pattern.starts_with('\\') && !is_special_use(pattern) {
            return Err(format!(
                "account {name:?}: folder selector {pattern:?} is not a special-use attribute; use one of {}",
                SPECIAL_USE.join(", ")
            ));
        }
        if !pattern.starts_with('\\') {
            globset::Glob::new(pattern).map_err(|e| {
                format!("account {name:?}: folder pattern {pattern:?} is invalid: {e}")
            })?;
        }
    }
    Ok(())
}

/// Special-use mailbox attributes: RFC 6154 (`\All` ... `\Trash`) and RFC 8457
/// (`\Important`).
const SPECIAL_USE: &[&str] = &[
    "\\All",
    "\\Archive",
    "\\Drafts",
    "\\Flagged",
    "\\Important",
    "\\Junk",
    "\\Sent",
    "\\Trash",
];

fn is_special_use(pattern: &str) -> bool {
    SPECIAL_USE
        .iter()
        .any(|known| known.eq_ignore_ascii_case(pattern))
}

/// True for host names and addresses that never leave this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// Warns when the file holds a secret: always, and louder when others can read it.
fn warn_inline_secrets(path: &Path, config: &Config) {
    let inline: Vec<&str> = config
        .accounts
        .iter()
        .filter(|a| a.password.is_some())
        .map(|a| a.name.as_str())
        .collect();
    if inline.is_empty() {
        return;
    }
    tracing::warn!(
        config = %path.display(),
        accounts = ?inline,
        "the config file holds an inline password; prefer password_env or password_command"
    );
    if let Some(mode) = readable_by_others(path) {
        tracing::warn!(
            config = %path.display(),
            mode = format!("{mode:o}"),
            "the config file holds a password and is readable by group or others; run: chmod 600 {}",
            path.display()
        );
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<u32> {
    None
}
