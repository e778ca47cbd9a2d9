//! Opening a logged-in session: TCP, TLS (implicit or STARTTLS), capabilities, login.
//!
//! STARTTLS (RFC 3501 6.2.1): when the server does not advertise it, the session is
//! refused instead of continuing in plaintext. Capabilities seen before the upgrade are
//! discarded and asked for again over TLS (RFC 3501 6.2.1, RFC 2595 3.1).

use std::sync::Arc;
use std::time::Duration;

use imap_next::imap_types::command::CommandBody;
use imap_next::imap_types::response::{Code, Data};
use tokio_rustls::rustls::ClientConfig;

use super::auth::{LoginPlan, plan};
use super::driver::{Connection, Untagged};
use super::error::ImapError;
use super::transport::{self, Transport};
use crate::config::{Account, Credential, Security, is_loopback};

/// Limits that apply to every session.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bound on each network step.
    pub timeout: Duration,
    /// Largest single response accepted, in bytes.
    pub max_response: u32,
}

/// A logged-in IMAP session.
pub struct Session {
    pub(super) conn: Connection,
    pub(super) capabilities: Vec<String>,
}

impl Session {
    /// Connects to `account`'s server, secures the connection and logs in.
    pub async fn open(
        account: &Account,
        credential: &Credential,
        tls: Arc<ClientConfig>,
        limits: Limits,
    ) -> Result<Session, ImapError> {
        let host = account.host.as_str();
        let tcp = transport::connect_tcp(host, account.port(), limits.timeout).await?;
        let conn = match account.security {
            Security::Tls => {
                let transport = transport::start_tls(tcp, host, tls, limits.timeout).await?;
                greeted(transport, limits, false).await?
            }
            Security::Starttls => {
                let mut plain = greeted(Transport::Plain(tcp), limits, false)
                    .await
                    .map_err(|e| hint_implicit_tls_port(e, account.port()))?;
                upgrade(&mut plain, host).await?;
                // Bytes the server sent after its STARTTLS OK stay in the plaintext
                // client, which is dropped here, so none of them can pose as TLS data.
                let Transport::Plain(tcp) = plain.into_transport() else {
                    unreachable!("the connection was plain before STARTTLS");
                };
                let transport = transport::start_tls(tcp, host, tls, limits.timeout).await?;
                Connection::new(transport, limits.timeout, limits.max_response, true)
            }
            Security::Plain => {
                // The config check allows this only for loopback; check again right here,
                // where the password would leave.
                if !is_loopback(host) {
                    return Err(ImapError::PlainRefused {
                        host: host.to_string(),
                    });
                }
                greeted(Transport::Plain(tcp), limits, false).await?
            }
        };
        let mut session = Session {
            conn,
            capabilities: Vec::new(),
        };
        session.capabilities = capabilities(&mut session.conn).await?;
        session
            .login(account, credential)
            .await
            .map_err(|e| name_login_target(e, account))?;
        Ok(session)
    }

    async fn login(&mut self, account: &Account, credential: &Credential) -> Result<(), ImapError> {
        let login_plan = plan(
            account.auth,
            &account.username,
            credential,
            &self.capabilities,
        )
        .map_err(|offered| ImapError::NoMechanism {
            wanted: format!("{:?}", account.auth).to_lowercase(),
            offered,
        })?;
        match login_plan {
            LoginPlan::Login => {
                let Credential::Password(password) = credential else {
                    unreachable!("plan() picks LOGIN only for passwords");
                };
                self.conn.login(&account.username, password.expose()).await
            }
            LoginPlan::Sasl {
                mechanism,
                first,
                abort_reply,
            } => {
                let sasl_ir = self.capabilities.iter().any(|c| c == "SASL-IR");
                self.conn
                    .authenticate(mechanism, first, sasl_ir, abort_reply)
                    .await
            }
        }?;
        tracing::debug!(account = %account.name, "logged in");
        Ok(())
    }

    /// Logs out and closes the connection.
    pub async fn logout(self) {
        self.conn.logout().await;
    }
}

/// A server on an implicit-TLS port waits for a TLS handshake and never sends a plaintext
/// greeting, so a greeting timeout under STARTTLS usually means the wrong port or mode.
fn hint_implicit_tls_port(error: ImapError, port: u16) -> ImapError {
    match error {
        ImapError::Timeout { step, seconds } => ImapError::Timeout {
            step: format!(
                "{step} (if port {port} is an implicit-TLS port, usually 993, set security = \"tls\")"
            ),
            seconds,
        },
        other => other,
    }
}

/// Adds the user name and server to a failed login, so the line says which login failed.
fn name_login_target(error: ImapError, account: &Account) -> ImapError {
    match error {
        ImapError::LoginFailed { mechanism, text } => ImapError::LoginFailed {
            mechanism: format!(
                "{mechanism} as {:?} on {}:{}",
                account.username,
                account.host,
                account.port()
            ),
            text,
        },
        other => other,
    }
}

async fn greeted(
    transport: Transport,
    limits: Limits,
    after_starttls: bool,
) -> Result<Connection, ImapError> {
    let mut conn = Connection::new(
        transport,
        limits.timeout,
        limits.max_response,
        after_starttls,
    );
    let greeting = conn.greeting().await?;
    if greeting.kind == imap_next::imap_types::response::GreetingKind::Bye {
        return Err(ImapError::Bye {
            step: "waiting for the server greeting".to_string(),
            text: greeting.text.to_string(),
        });
    }
    Ok(conn)
}

/// Asks for STARTTLS, refusing servers that do not offer it.
async fn upgrade(conn: &mut Connection, host: &str) -> Result<(), ImapError> {
    let caps = capabilities(conn).await?;
    if !caps.iter().any(|c| c == "STARTTLS") {
        return Err(ImapError::StartTlsMissing {
            host: host.to_string(),
        });
    }
    conn.execute("STARTTLS", CommandBody::StartTLS, 10, |_| Ok(()))
        .await?;
    Ok(())
}

/// Runs CAPABILITY and returns the names uppercased.
async fn capabilities(conn: &mut Connection) -> Result<Vec<String>, ImapError> {
    let mut names = Vec::new();
    let status = conn
        .execute("CAPABILITY", CommandBody::Capability, 100, |response| {
            if let Untagged::Data(Data::Capability(list)) = response {
                names.extend(
                    list.as_ref()
                        .iter()
                        .map(|c| c.to_string().to_ascii_uppercase()),
                );
            }
            Ok(())
        })
        .await?;
    if let Some(Code::Capability(list)) = status.code {
        names.extend(
            list.as_ref()
                .iter()
                .map(|c| c.to_string().to_ascii_uppercase()),
        );
    }
    Ok(names)
}
