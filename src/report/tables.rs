//! The columns and rows of the four CSV files. The first columns of `domains.csv` and
//! `messages.csv` are fixed because scripts rely on their order; later columns are only
//! ever appended. docs/reports.md documents every column.

use super::ReportError;
use super::csv::CsvTable;
use super::exceptions::ExceptionLine;
use super::explain::Position;
use super::format;
use super::model::DomainFacts;
use super::redact::mask_recipients;
use super::source::{HopRow, ListedHop, MessageRow};
use super::tally::{Exclusion, weak_counts};

pub const DOMAIN_COLUMNS: &[&str] = &[
    "sender_domain",
    "messages",
    "encrypted",
    "plaintext",
    "unverified",
    "tls_percent",
    "min_tls_version",
    "max_tls_version",
    "first_seen",
    "last_seen",
    "no_boundary",
    "tls_version_not_reported",
    "most_common_tls_version",
    "weak_protocol_findings",
    "weak_cipher_findings",
    "previous_messages",
    "previous_tls_percent",
    "tls_percent_change",
];

pub fn domain_row(table: &mut CsvTable, domain: &DomainFacts) -> Result<(), ReportError> {
    table.shown(domain.domain.as_deref().unwrap_or_default())?;
    table.integer(domain.counts.total())?;
    table.integer(domain.counts.encrypted)?;
    table.integer(domain.counts.plaintext)?;
    table.integer(domain.counts.unverified)?;
    table.opt_display(domain.tls_percent)?;
    table.opt(domain.min_tls_version)?;
    table.opt(domain.max_tls_version)?;
    table.opt(domain.first_seen.as_deref())?;
    table.opt(domain.last_seen.as_deref())?;
    table.integer(domain.counts.none)?;
    table.integer(domain.tls_version_not_reported)?;
    table.opt(domain.most_common_tls_version)?;
    table.integer(domain.weak_protocol_findings)?;
    table.integer(domain.weak_cipher_findings)?;
    table.opt_integer(domain.previous_messages)?;
    table.opt_display(domain.previous_tls_percent)?;
    table.opt_display(domain.tls_percent_change)?;
    table.end_row()
}

pub const MESSAGE_COLUMNS: &[&str] = &[
    "account",
    "folder",
    "uid",
    "message_id",
    "date",
    "sender_domain",
    "hop_count",
    "boundary_verdict",
    "boundary_tls_version",
    "boundary_cipher",
    "verdict_rule",
    "path_verdict",
    "boundary_index",
    "boundary_from_host",
    "boundary_from_ip",
    "boundary_by_host",
    "uid_validity",
    "present",
    "scan_id",
    "counted",
    "excluded_reason",
    "weak_protocol_findings",
    "weak_cipher_findings",
];

pub fn message_row(
    table: &mut CsvTable,
    account: &str,
    folder: &str,
    row: &MessageRow<'_>,
    exclusion: Option<Exclusion>,
) -> Result<(), ReportError> {
    let boundary = row.boundary.as_ref();
    table.shown(account)?;
    table.shown(folder)?;
    table.integer(row.uid)?;
    table.opt(row.message_id.as_deref())?;
    table.time(row.date_utc)?;
    table.opt(row.sender_domain.as_deref())?;
    table.integer(row.hop_count)?;
    table.text(row.verdict.as_str())?;
    table.text(format::tls_version(boundary))?;
    table.opt(boundary.and_then(|hop| hop.tls_cipher.as_deref()))?;
    table.text(&row.verdict_rule)?;
    table.text(row.path_verdict.as_str())?;
    table.opt_integer(row.boundary_index)?;
    table.opt(boundary.and_then(|hop| hop.from_host.as_deref()))?;
    table.opt(boundary.and_then(|hop| hop.from_ip.as_deref()))?;
    table.opt(boundary.and_then(|hop| hop.by_host.as_deref()))?;
    table.integer(row.uid_validity)?;
    table.boolean(row.present)?;
    table.integer(row.scan_id)?;
    table.boolean(exclusion.is_none())?;
    table.text(exclusion.map(Exclusion::as_str).unwrap_or_default())?;
    let (weak_protocol, weak_cipher) = weak_counts(row);
    table.integer(weak_protocol)?;
    table.integer(weak_cipher)?;
    table.end_row()
}

pub const HOP_COLUMNS: &[&str] = &[
    "account",
    "folder",
    "uid_validity",
    "uid",
    "header_index",
    "position",
    "from_host",
    "from_ip",
    "by_host",
    "protocol",
    "tls",
    "tls_version",
    "tls_cipher",
    "tls_evidence",
    "kind",
    "parsed",
    "date",
    "date_offset_minutes",
    "raw",
];

/// Writes one row of `hops.csv`; `redact` masks the recipient in the Received line.
pub fn hop_row(
    table: &mut CsvTable,
    account: &str,
    folder: &str,
    listed: &ListedHop<'_>,
    redact: bool,
) -> Result<(), ReportError> {
    let hop = &listed.hop;
    table.shown(account)?;
    table.shown(folder)?;
    table.integer(listed.uid_validity)?;
    table.integer(listed.uid)?;
    table.integer(hop.header_index)?;
    let position = Position::of(hop.header_index, listed.boundary_index);
    table.text(position.map(Position::as_str).unwrap_or_default())?;
    table.opt(hop.from_host.as_deref())?;
    table.opt(hop.from_ip.as_deref())?;
    table.opt(hop.by_host.as_deref())?;
    table.opt(hop.protocol.as_deref())?;
    table.boolean(hop.tls)?;
    table.text(format::tls_version(Some(hop)))?;
    table.opt(hop.tls_cipher.as_deref())?;
    table.opt(hop.tls_evidence.as_deref())?;
    table.text(&hop.kind)?;
    table.boolean(hop.parsed)?;
    table.time(hop.date_utc)?;
    table.opt_integer(hop.date_offset)?;
    raw_cell(table, &hop.raw, redact)?;
    table.end_row()
}

pub const FINDING_COLUMNS: &[&str] = &[
    "account",
    "folder",
    "uid_validity",
    "uid",
    "message_id",
    "date",
    "sender_domain",
    "kind",
    "header_index",
    "position",
    "detail",
    "reason",
    "hop_from_host",
    "hop_from_ip",
    "hop_by_host",
    "raw",
    "disposition",
];

/// Writes one row of `findings.csv`; `redact` masks the recipient in the Received line.
pub fn finding_row(
    table: &mut CsvTable,
    account: &str,
    folder: &str,
    row: &MessageRow<'_>,
    line: &ExceptionLine<'_>,
    hop: Option<&HopRow<'_>>,
    redact: bool,
) -> Result<(), ReportError> {
    table.shown(account)?;
    table.shown(folder)?;
    table.integer(row.uid_validity)?;
    table.integer(row.uid)?;
    table.opt(row.message_id.as_deref())?;
    table.time(row.date_utc)?;
    table.opt(row.sender_domain.as_deref())?;
    table.text(line.kind.as_str())?;
    table.opt_integer(line.header_index)?;
    let position = line
        .header_index
        .and_then(|index| Position::of(index, row.boundary_index));
    table.text(position.map(Position::as_str).unwrap_or_default())?;
    table.opt(line.detail)?;
    table.text(&line.reason)?;
    table.opt(hop.and_then(|hop| hop.from_host.as_deref()))?;
    table.opt(hop.and_then(|hop| hop.from_ip.as_deref()))?;
    table.opt(hop.and_then(|hop| hop.by_host.as_deref()))?;
    raw_cell(
        table,
        hop.map(|hop| hop.raw.as_ref()).unwrap_or_default(),
        redact,
    )?;
    table.text("")?;
    table.end_row()
}

/// Writes a Received line, with the recipient masked when `redact` is set.
fn raw_cell(table: &mut CsvTable, raw: &[u8], redact: bool) -> Result<(), ReportError> {
    if redact {
        table.bytes(&mask_recipients(raw))
    } else {
        table.bytes(raw)
    }
}
