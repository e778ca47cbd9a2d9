//! The read-only IMAP client: connection and TLS ([`transport`]), the protocol loop over
//! imap-next ([`driver`]), login ([`session`]), folder selection ([`folders`]) and the
//! mailbox commands a scan needs ([`mailbox`]).
//!
//! A [`Session`] never changes a mailbox: folders are opened with EXAMINE and headers are
//! fetched with `BODY.PEEK`. Every network step has a timeout, every tagged NO or BAD is
//! an error, and any error leaves the session unusable: callers drop it and open a new one.

mod auth;
mod driver;
mod error;
pub mod folders;
mod mailbox;
mod responses;
mod session;
mod transport;
mod uidset;
pub mod utf7;

pub use error::ImapError;
pub use folders::{Folder, choose};
pub use mailbox::{Examined, FIELDS, Fetched, HeaderItem};
pub use session::{Limits, Session};
pub use transport::tls_config;
pub use uidset::runs;
