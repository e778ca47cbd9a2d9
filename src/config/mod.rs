//! The TOML configuration: which accounts to crawl, what the organization is, where the
//! store lives, and how reports look. Every key is documented in `config.example.toml`.
//!
//! Unknown keys are errors, so a typo cannot silently change an audit.

mod credentials;
mod digest;
mod load;

use std::path::PathBuf;

use serde::Deserialize;

use crate::secret::Secret;

pub use credentials::{Credential, CredentialError};
pub use digest::{canonical, digest};
pub use load::{ConfigError, is_loopback, load};

/// Default database file name, created beside the configuration file.
pub const DEFAULT_DATABASE: &str = "hopaudit.sqlite";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// SQLite database path. Relative paths are resolved against the config file's folder.
    #[serde(default = "default_database")]
    pub database: PathBuf,
    #[serde(default)]
    pub organization: Organization,
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Receiving servers whose TLS recording is known in advance.
    #[serde(default)]
    pub receivers: Vec<ReceiverRule>,
    /// Extra provider groups: several domains that belong to one organization.
    #[serde(default)]
    pub provider_groups: Vec<ProviderGroup>,
    #[serde(default)]
    pub scan: ScanSettings,
    #[serde(default)]
    pub report: ReportSettings,
    /// The folder holding the config file; relative paths were resolved against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The config file itself, when loaded from one.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

fn default_database() -> PathBuf {
    PathBuf::from(DEFAULT_DATABASE)
}

/// The recipient organization whose inbound mail is audited.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Name shown on report covers.
    #[serde(default)]
    pub name: Option<String>,
    /// The organization's own domains. A host is inside the organization when its name is
    /// one of these or ends with `.` followed by one of these.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Third-party inbound gateways that act for the organization (for example a hosted
    /// filtering service). Hops received by these count as received by the organization.
    #[serde(default)]
    pub gateways: Vec<String>,
}

/// Several domains run by one provider, counted as one organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderGroup {
    pub name: String,
    pub domains: Vec<String>,
}

/// What is known in advance about a receiving server's habit of recording TLS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverRule {
    /// Host name or glob pattern (`mx*.example.org`, `*.mail.example.net`), matched
    /// case-insensitively against the hop's `by` host.
    pub host: String,
    /// True when this server writes a TLS note whenever a hand-off uses TLS.
    pub records_tls: bool,
}

/// How an account is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Implicit TLS (IMAPS, usually port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (usually port 143). Refused if the server
    /// does not offer it.
    Starttls,
    /// No encryption; allowed only for loopback addresses, for local test servers.
    Plain,
}

/// How hopaudit logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// AUTHENTICATE PLAIN when the server offers it, LOGIN otherwise.
    #[default]
    Password,
    /// IMAP LOGIN command.
    Login,
    /// AUTHENTICATE PLAIN (RFC 4616).
    Plain,
    /// AUTHENTICATE XOAUTH2 (Gmail, Microsoft 365).
    Xoauth2,
    /// AUTHENTICATE OAUTHBEARER (RFC 7628).
    Oauthbearer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Short name used in the store, logs and reports.
    pub name: String,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    pub security: Security,
    pub username: String,
    #[serde(default)]
    pub auth: AuthMethod,
    /// Discouraged: a password written into the config file.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Name of an environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Shell command that prints the password on standard output.
    #[serde(default)]
    pub password_command: Option<String>,
    /// Shell command that prints an OAuth 2.0 access token (for `xoauth2`/`oauthbearer`).
    #[serde(default)]
    pub oauth2_token_command: Option<String>,
    /// PEM file with extra trusted CA certificates (for a private certificate authority).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Folders to scan: glob patterns on decoded names (`INBOX`, `Archive/*`), or
    /// special-use attributes (`\Sent`, `\All`). Default: every selectable folder.
    #[serde(default = "default_folders")]
    pub folders: Vec<String>,
    /// Folders to skip, same syntax as `folders`; exclusion wins.
    #[serde(default)]
    pub exclude_folders: Vec<String>,
    /// Maximum simultaneous connections to this account's server.
    #[serde(default)]
    pub max_connections: Option<usize>,
}

fn default_folders() -> Vec<String> {
    vec!["*".to_string()]
}

impl Account {
    /// Returns the configured port, or the usual one for the security mode.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::Starttls | Security::Plain => 143,
        })
    }
}

/// Settings for `hopaudit scan`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanSettings {
    /// Messages requested per UID FETCH command.
    pub window: u32,
    /// Default connection limit per server.
    pub max_connections: usize,
    /// Seconds to wait for any single network step before giving up on it.
    pub timeout_seconds: u64,
    /// Reconnect attempts after a dropped connection, with exponential backoff.
    pub retries: u32,
    /// Largest header accepted per message, in bytes; larger ones are recorded as errors.
    pub max_header_bytes: usize,
    /// Count each Message-ID once per account in statistics (Gmail's All Mail holds a
    /// second copy of every message).
    pub dedupe_message_id: bool,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            window: 2000,
            max_connections: 4,
            timeout_seconds: 60,
            retries: 5,
            max_header_bytes: 1024 * 1024,
            dedupe_message_id: true,
        }
    }
}

/// Settings for `hopaudit report`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// Output folder; each report goes into a dated subfolder. Relative to the config file.
    pub out_dir: PathBuf,
    /// The encrypted share (percent) below which the summary says FAIL.
    pub pass_threshold: f64,
    /// Replace account names with `account-1`, `account-2`, ... in reports.
    pub redact_accounts: bool,
    pub prepared_by: Option<String>,
    pub reviewed_by: Option<String>,
    pub approved_by: Option<String>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            out_dir: PathBuf::from("reports"),
            pass_threshold: 95.0,
            redact_accounts: false,
            prepared_by: None,
            reviewed_by: None,
            approved_by: None,
        }
    }
}
