//! Decides whether a hop is local, a submission, a relay, or unknown, and why.

use std::fmt;

use crate::hop::HopKind;

/// The facts about one header that decide its kind.
#[derive(Debug, Default, Clone, Copy)]
pub struct Signals {
    pub parsed: bool,
    /// `with mapi`: Outlook talking to its Exchange mailbox server.
    pub mapi: bool,
    pub loopback_sender: bool,
    /// `[local]` (OpenSMTPD), `[unix socket]` (Cyrus), `[[UNIX: localhost]]` (sendmail).
    pub local_socket: bool,
    /// A local program handed the message over: `(Postfix, from userid 1002)`,
    /// `(qmail 1234 invoked by uid 89)`, `(from user@localhost)`, `from stdin`.
    pub local_program: bool,
    pub retrieval: bool,
    pub same_host: bool,
    /// Exim's `local`, `local-esmtp`; LISTSERV's `spool`.
    pub local_protocol: bool,
    /// The sender is called `localhost` and no address was recorded.
    pub localhost_without_address: bool,
    pub authenticated: bool,
    pub client_api: bool,
    pub has_sender: bool,
}

/// Why a hop got its kind; shown by `hopaudit classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Unparsed,
    Mapi,
    LoopbackSender,
    LocalSocket,
    LocalProgram,
    Retrieval,
    SameHost,
    LocalProtocol,
    LocalhostSender,
    Authenticated,
    ClientApi,
    ServerToServer,
    NoSender,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::Unparsed => "not readable as a Received header",
            Reason::Mapi => "with mapi: an Outlook client submitting to its mailbox server",
            Reason::LoopbackSender => "the sending address is a loopback address",
            Reason::LocalSocket => "delivered over a local socket",
            Reason::LocalProgram => "handed over by a local program or user id",
            Reason::Retrieval => "fetched from a mailbox (POP3/IMAP), not a hand-off",
            Reason::SameHost => "the same host on both sides",
            Reason::LocalProtocol => "the protocol names a local delivery",
            Reason::LocalhostSender => "the sender is localhost and no address was recorded",
            Reason::Authenticated => "the client authenticated (RFC 3848 A suffix or AUTH note)",
            Reason::ClientApi => "submitted over HTTP or an API",
            Reason::ServerToServer => "server to server",
            Reason::NoSender => "no sending side recorded",
        })
    }
}

/// Decides the kind. The order matters: `with mapi` is a client even over loopback, and a
/// loopback or same-host hand-off stays local even when the client authenticated.
pub fn decide(s: &Signals) -> (HopKind, Reason) {
    let rules: [(bool, HopKind, Reason); 12] = [
        (!s.parsed, HopKind::Unknown, Reason::Unparsed),
        (s.mapi, HopKind::Submission, Reason::Mapi),
        (s.loopback_sender, HopKind::Local, Reason::LoopbackSender),
        (s.local_socket, HopKind::Local, Reason::LocalSocket),
        (s.local_program, HopKind::Local, Reason::LocalProgram),
        (s.retrieval, HopKind::Unknown, Reason::Retrieval),
        (s.same_host, HopKind::Local, Reason::SameHost),
        (s.local_protocol, HopKind::Local, Reason::LocalProtocol),
        (
            s.localhost_without_address,
            HopKind::Local,
            Reason::LocalhostSender,
        ),
        (s.authenticated, HopKind::Submission, Reason::Authenticated),
        (s.client_api, HopKind::Submission, Reason::ClientApi),
        (s.has_sender, HopKind::Relay, Reason::ServerToServer),
    ];
    rules
        .into_iter()
        .find(|(applies, _, _)| *applies)
        .map(|(_, kind, reason)| (kind, reason))
        .unwrap_or((HopKind::Unknown, Reason::NoSender))
}
