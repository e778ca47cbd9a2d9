//! hopaudit: audit mailboxes for transport encryption.
//!
//! The stages are separate modules with narrow types between them:
//! - [`imap`] crawls folders read-only and yields [`message::RawMessage`] header blocks;
//! - [`hop`] and [`classify`] turn a header block into hops, a boundary and a verdict,
//!   without I/O;
//! - [`store`] owns all SQL;
//! - [`report`] reads only the store and renders CSV, HTML and JSON.

pub mod classify;
pub mod cli;
pub mod config;
pub mod exit;
pub mod header;
pub mod hop;
pub mod imap;
pub mod import;
pub mod message;
pub mod report;
pub mod scan;
pub mod secret;
pub mod store;
