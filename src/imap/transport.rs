//! The byte pipe under an IMAP session: a TCP connection, optionally wrapped in TLS, with a
//! timeout on every step. Certificate verification is always on: the webpki root set plus
//! the account's `ca_file`, and the certificate must name the configured host.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::error::ImapError;

/// A connected socket, plain (before STARTTLS, or loopback-only `plain`) or TLS.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Transport {
    pub async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf).await,
            Transport::Tls(s) => s.read(buf).await,
        }
    }

    pub async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Transport::Plain(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Transport::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }

    /// Closes the write side; errors are irrelevant because the session is over.
    pub async fn shutdown(&mut self) {
        let _ = match self {
            Transport::Plain(s) => s.shutdown().await,
            Transport::Tls(s) => s.shutdown().await,
        };
    }
}

/// Builds the TLS settings for one account: webpki roots plus the certificates in `ca_file`.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, ImapError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let ca_error = |message: String| ImapError::CaFile {
            path: path.to_path_buf(),
            message,
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| ca_error(format!("{e}; point it at a readable PEM file")))?
            .collect::<Result<_, _>>()
            .map_err(|e| ca_error(format!("not a valid PEM certificate file: {e}")))?;
        if certs.is_empty() {
            return Err(ca_error(
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_string(),
            ));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| ca_error(format!("certificate rejected: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::CaFile {
            path: ca_file.map(Path::to_path_buf).unwrap_or_default(),
            message: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Opens a TCP connection to `host:port` within `timeout`.
pub async fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, ImapError> {
    let step = format!("connecting to {host}:{port}");
    let addrs = within(timeout, &step, tokio::net::lookup_host((host, port)))
        .await?
        .map_err(|source| ImapError::Resolve {
            host: host.to_string(),
            source,
        })?;
    let mut last_error = None;
    for addr in addrs {
        match within(timeout, &step, TcpStream::connect(addr)).await? {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(ImapError::Connect {
        host: host.to_string(),
        port,
        source: last_error.unwrap_or_else(|| std::io::Error::other("no address found")),
    })
}

/// Runs the TLS handshake over `tcp`, verifying that the certificate names `host`.
pub async fn start_tls(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<Transport, ImapError> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| ImapError::Tls {
        host: host.to_string(),
        source: std::io::Error::other(format!("{host:?} is not a valid server name: {e}")),
    })?;
    let step = format!("the TLS handshake with {host}");
    let connector = TlsConnector::from(config);
    let stream = within(timeout, &step, connector.connect(name, tcp))
        .await?
        .map_err(|source| describe_tls_error(host, source))?;
    Ok(Transport::Tls(Box::new(stream)))
}

/// Picks certificate failures out of handshake errors, so the message can point at
/// `ca_file` and the host name.
fn describe_tls_error(host: &str, source: std::io::Error) -> ImapError {
    let rustls_error = source
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(reason)) => ImapError::Certificate {
            host: host.to_string(),
            reason: describe_certificate_error(reason),
        },
        // A plaintext IMAP greeting (`* OK ...`) read as a TLS record has no valid content
        // type.
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => {
            ImapError::NotTls {
                host: host.to_string(),
            }
        }
        _ => ImapError::Tls {
            host: host.to_string(),
            source,
        },
    }
}

fn describe_certificate_error(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match reason {
        E::UnknownIssuer => "issued by an unknown certificate authority".to_string(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "the certificate is for another host name".to_string()
        }
        E::Expired | E::ExpiredContext { .. } => "the certificate has expired".to_string(),
        // A self-signed certificate made with `openssl req -x509` defaults to CA:TRUE,
        // which webpki refuses for a server.
        other if format!("{other:?}").contains("CaUsedAsEndEntity") => {
            "the server presents a CA certificate as its own; issue it a server certificate (basicConstraints CA:FALSE)".to_string()
        }
        other => format!("{other:?}"),
    }
}

/// Awaits `future` for at most `timeout`, naming `step` when it runs out.
pub async fn within<F: std::future::Future>(
    timeout: Duration,
    step: &str,
    future: F,
) -> Result<F::Output, ImapError> {
    tokio::time::timeout(timeout, future)
        .await
        .map_err(|_| ImapError::Timeout {
            step: step.to_string(),
            seconds: timeout.as_secs(),
        })
}
