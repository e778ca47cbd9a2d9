//! hopaudit: audit mailboxes for transport encryption.
//!
//! The stages are separate modules with narrow types between them:
//! - [`imap`] is a read-only IMAP client; [`scan`] drives it per account and folder, and
//!   hands on each UID window of raw header blocks with its account, folder,
//!   UIDVALIDITY and UIDs; [`import`] does the same for mbox, Maildir and `.eml` files;
//! - [`header`], [`hop`] and [`classify`] turn a header block into hops, a boundary and a
//!   verdict, without I/O;
//! - [`store`] owns all SQL, behind the [`store::Store`] trait;
//! - [`report`] reads only the store and renders CSV, HTML and JSON.

pub mod classify;
pub mod cli;
pub mod config;
pub mod exit;
pub mod header;
pub mod hop;
pub mod imap;
pub mod import;
pub mod report;
pub mod scan;
pub mod secret;
pub mod store;
