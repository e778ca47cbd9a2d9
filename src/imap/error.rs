//! What can go wrong talking to an IMAP server. Each message names the value at fault and
//! says what to change; the scan layer adds the account and folder in front.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot resolve host {host:?}: {source}; check `host` in the config")]
    Resolve {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot connect to {host}:{port}: {source}; check `host`, `port` and that the server is up"
    )]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the certificate of {host} could not be verified ({reason}); if the server uses a private certificate authority, set `ca_file` to its PEM certificate"
    )]
    Certificate { host: String, reason: String },
    #[error(
        "{host} did not answer with TLS: the port is probably a plain IMAP port (usually 143); there use security = \"starttls\", or set `port` to the implicit-TLS port (usually 993)"
    )]
    NotTls { host: String },
    #[error("TLS handshake with {host} failed: {source}")]
    Tls {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot use `ca_file`: {message}")]
    CaFile { path: PathBuf, message: String },
    #[error(
        "{host} does not offer STARTTLS, so hopaudit will not log in over this unencrypted connection; use security = \"tls\" or a server that offers STARTTLS"
    )]
    StartTlsMissing { host: String },
    #[error(
        "refusing an unencrypted connection to {host}: security = \"plain\" is allowed only for loopback hosts"
    )]
    PlainRefused { host: String },
    #[error(
        "no answer from the server within {seconds} s while {step}; check the server or raise scan.timeout_seconds"
    )]
    Timeout { step: String, seconds: u64 },
    #[error("the server closed the connection while {step}")]
    Closed { step: String },
    #[error("the server said goodbye while {step}: {text}")]
    Bye { step: String, text: String },
    #[error("network error while {step}: {source}")]
    Io {
        step: String,
        #[source]
        source: std::io::Error,
    },
    #[error("login failed with {mechanism}: {text}; {}", login_advice(text))]
    LoginFailed { mechanism: String, text: String },
    #[error(
        "the server offers none of the login methods allowed by auth = {wanted:?} (it offers: {offered})"
    )]
    NoMechanism { wanted: String, offered: String },
    #[error("the server refused {command}: {kind} {text}")]
    Rejected {
        command: String,
        kind: &'static str,
        text: String,
    },
    #[error("the server sent a response larger than {limit} bytes while {step}{uid}; raise scan.max_header_bytes if the message is genuine", uid = uid.map(|u| format!(" (UID {u})")).unwrap_or_default())]
    TooLarge {
        step: String,
        limit: usize,
        uid: Option<u32>,
    },
    #[error("the server sent a response hopaudit cannot read while {step}: {detail}")]
    Malformed { step: String, detail: String },
    #[error("unexpected server behaviour while {step}: {detail}")]
    Protocol { step: String, detail: String },
    #[error("{source} (fetching UID {uids})")]
    Window {
        uids: String,
        #[source]
        source: Box<ImapError>,
    },
    #[error(transparent)]
    Credential(#[from] crate::config::CredentialError),
}

/// Says what to do about a refused login, from the response code (RFC 5530) when the
/// server gives one.
fn login_advice(text: &str) -> &'static str {
    let upper = text.to_ascii_uppercase();
    if upper.contains("[UNAVAILABLE]") {
        "the server could not check the credentials just now; see the server's log and try again"
    } else if upper.contains("[EXPIRED]") {
        "the password or token has expired; renew it"
    } else {
        "check `username` and the password or token"
    }
}

impl ImapError {
    /// True when the error is about the account's setup (credentials, certificates,
    /// security), so retrying the same connection cannot help.
    pub fn is_permanent(&self) -> bool {
        if let ImapError::Window { source, .. } = self {
            return source.is_permanent();
        }
        matches!(
            self,
            ImapError::Resolve { .. }
                | ImapError::Certificate { .. }
                | ImapError::CaFile { .. }
                | ImapError::StartTlsMissing { .. }
                | ImapError::PlainRefused { .. }
                | ImapError::NotTls { .. }
                | ImapError::LoginFailed { .. }
                | ImapError::NoMechanism { .. }
                | ImapError::Credential(_)
        )
    }
}
