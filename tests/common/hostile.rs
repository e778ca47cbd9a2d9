//! A scripted IMAP server on 127.0.0.1 (implicit TLS with a generated certificate) that
//! misbehaves on purpose in folder `INBOX` and behaves in folder `Good`, to test that a
//! broken server costs bounded memory and time and that the rest of the run goes on.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};

/// What the server does when asked for INBOX headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers like a good server.
    Normal,
    /// Announces a 4 GB literal for UID 2, sends 3 MB of it, then goes silent.
    HugeLiteral,
    /// Sends a 1.5 MB header for UID 2.
    OversizedHeader,
    /// Answers UID FETCH with untagged lines forever.
    EndlessUntagged,
    /// Never answers UID FETCH.
    Stall,
    /// Leaves UID 2 out of every FETCH answer.
    OmitsMessage,
    /// Advertises no STARTTLS on a plain connection (used with `plain_listener`).
    NoStartTls,
}

pub struct HostileServer {
    pub port: u16,
    pub ca_file: PathBuf,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl HostileServer {
    /// Starts a TLS server whose certificate names `names` (e.g. `127.0.0.1`).
    pub fn start(behaviour: Behaviour, names: &[&str]) -> HostileServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let certified = rcgen::generate_simple_self_signed(names).expect("certificate");
        let ca_file = dir.path().join("hostile-ca.pem");
        std::fs::write(&ca_file, certified.cert.pem()).expect("write cert");
        let cert = certified.cert.der().clone();
        let key = rustls_pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .expect("key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        runtime.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if behaviour == Behaviour::NoStartTls {
                        let _ = serve(tcp, behaviour).await;
                    } else if let Ok(tls) = acceptor.accept(tcp).await {
                        let _ = serve(tls, behaviour).await;
                    }
                });
            }
        });
        HostileServer {
            port,
            ca_file,
            _dir: dir,
            _runtime: runtime,
        }
    }
}

const HEADER: &str = "Received: from a.example by mx.example-health.org with ESMTPS id X; Tue, 01 Oct 2024 08:00:00 +0000\r\nFrom: <a@sender.example>\r\n\r\n";

async fn serve<S>(stream: S, behaviour: Behaviour) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + AsyncWrite + Unpin,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read).lines();
    write
        .write_all(b"* OK hostile test server ready\r\n")
        .await?;
    let mut folder = String::new();
    while let Some(line) = lines.next_line().await? {
        let mut parts = line.splitn(3, ' ');
        let (tag, command, rest) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or("").to_ascii_uppercase(),
            parts.next().unwrap_or(""),
        );
        let reply = match command.as_str() {
            "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"),
            "LOGIN" => format!("{tag} OK logged in\r\n"),
            "AUTHENTICATE" => {
                write.write_all(b"+ \r\n").await?;
                let _ = lines.next_line().await?;
                format!("{tag} OK logged in\r\n")
            }
            "LIST" => format!(
                "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren) \"/\" Good\r\n{tag} OK done\r\n"
            ),
            "EXAMINE" => {
                folder = rest.trim_matches('"').to_string();
                format!(
                    "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 4] ok\r\n{tag} OK [READ-ONLY] done\r\n"
                )
            }
            "UID" if rest.to_ascii_uppercase().starts_with("SEARCH") => {
                format!("* SEARCH 1 2 3\r\n{tag} OK done\r\n")
            }
            "UID" => {
                let act = if folder == "Good" {
                    Behaviour::Normal
                } else {
                    behaviour
                };
                fetch(&mut write, tag, rest, act).await?;
                continue;
            }
            "LOGOUT" => {
                write
                    .write_all(format!("* BYE bye\r\n{tag} OK done\r\n").as_bytes())
                    .await?;
                return Ok(());
            }
            _ => format!("{tag} BAD unknown command\r\n"),
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

/// Answers one UID FETCH the way `behaviour` says.
async fn fetch<W: AsyncWrite + Unpin>(
    write: &mut W,
    tag: &str,
    rest: &str,
    behaviour: Behaviour,
) -> std::io::Result<()> {
    let uids: Vec<u32> = parse_uids(rest.split(' ').nth(1).unwrap_or(""));
    let section = "BODY[HEADER.FIELDS (RECEIVED FROM DATE MESSAGE-ID)]";
    match behaviour {
        Behaviour::Stall => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
        Behaviour::EndlessUntagged => loop {
            write.write_all(b"* OK still thinking\r\n").await?;
        },
        _ => {}
    }
    for uid in uids {
        let body = match (behaviour, uid) {
            (Behaviour::HugeLiteral, 2) => {
                write
                    .write_all(
                        format!("* {uid} FETCH (UID {uid} {section} {{4000000000}}\r\n").as_bytes(),
                    )
                    .await?;
                let chunk = vec![b'x'; 64 * 1024];
                for _ in 0..48 {
                    write.write_all(&chunk).await?;
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                return Ok(());
            }
            (Behaviour::OversizedHeader, 2) => {
                format!("X-Filler: {}\r\n{HEADER}", "y".repeat(1_500_000))
            }
            (Behaviour::OmitsMessage, 2) => continue,
            _ => HEADER.to_string(),
        };
        write
            .write_all(
                format!(
                    "* {uid} FETCH (UID {uid} {section} {{{}}}\r\n{body})\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .await?;
    }
    write
        .write_all(format!("{tag} OK done\r\n").as_bytes())
        .await?;
    write.flush().await
}

fn parse_uids(set: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in set.split(',') {
        match part.split_once(':') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend(a..=b);
                }
            }
            None => out.extend(part.parse::<u32>().ok()),
        }
    }
    out
}
