//! Storing one UID window: messages, hops, findings, learned receivers and the folder's
//! progress, inside the caller's transaction.

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::{CachedStatement, Transaction, params};

use crate::classify::{Classification, Finding};
use crate::store::{ClassifiedMessage, CommitCounts, HeaderDigest, ScanId, WindowCommit};

/// Stores a window. `digests`, when given, holds one header digest per message.
// TODO: about 41,000-59,000 messages of 7 hops per CPU second (benches/store_commit.rs),
// below the 100,000 a second that keeps the store off a scan's critical path. Most of the
// time is SQLite's own: statement execution, b-tree inserts and the WAL checkpoint.
pub(super) fn commit_in(
    tx: &Transaction<'_>,
    folder_id: i64,
    window: &WindowCommit,
    digests: Option<&[HeaderDigest]>,
) -> rusqlite::Result<CommitCounts> {
    let mut counts = CommitCounts::default();
    let mut tls_receivers: HashMap<String, u64> = HashMap::new();
    let mut inserts = Inserts::prepare(tx)?;
    for (index, message) in window.messages.iter().enumerate() {
        let digest = digests.map(|all| &all[index]);
        if let Some(message_row) =
            insert_message(&mut inserts, tx, folder_id, window, message, digest)?
        {
            insert_hops(&mut inserts, message_row, &message.classification)?;
            insert_findings(&mut inserts, message_row, &message.classification.findings)?;
            count_tls_receivers(&message.classification, &mut tls_receivers);
            counts.new += 1;
        }
    }
    drop(inserts);
    learn_receivers(tx, window.scan, &tls_receivers)?;
    counts.errors = record_failures(tx, window)?;
    advance_folder(tx, folder_id, window, counts)?;
    Ok(counts)
}

/// The per-row statements, looked up in the statement cache once per window rather than
/// once per message.
struct Inserts<'t> {
    message: CachedStatement<'t>,
    hop: CachedStatement<'t>,
    finding: CachedStatement<'t>,
}

impl<'t> Inserts<'t> {
    fn prepare(tx: &'t Transaction<'_>) -> rusqlite::Result<Inserts<'t>> {
        Ok(Inserts {
            message: tx.prepare_cached(
                "INSERT OR IGNORE INTO messages (folder_id, uid_validity, uid, scan_id, message_id,
                    date_utc, sender_domain, hop_count, boundary_index, boundary_by_host,
                    boundary_tls, verdict, verdict_rule, path_verdict, header_bytes, header_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?,
            // One statement per hop: a multi-row INSERT of a message's hops measured about
            // 20% slower in benches/store_commit.rs.
            hop: tx.prepare_cached(
                "INSERT INTO hops (message_id, header_index, from_host, from_ip, by_host, protocol,
                    tls, tls_version, tls_cipher, tls_evidence, kind, parsed, date_utc,
                    date_offset, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?,
            finding: tx.prepare_cached(
                "INSERT INTO findings (message_id, header_index, kind, detail)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
        })
    }
}

fn record_failures(tx: &Transaction<'_>, window: &WindowCommit) -> rusqlite::Result<u64> {
    let now = chrono::Utc::now().timestamp();
    let mut insert = tx.prepare_cached(
        "INSERT INTO errors (scan_id, account, folder, uid_validity, uid, at, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for failure in &window.failures {
        insert.execute(params![
            window.scan.0,
            window.folder.account,
            window.folder.folder,
            window.uid_validity,
            failure.uid,
            now,
            failure.reason
        ])?;
    }
    Ok(window.failures.len() as u64)
}

/// Moves the folder's highest UID forward and adds the window to the scan's folder row.
fn advance_folder(
    tx: &Transaction<'_>,
    folder_id: i64,
    window: &WindowCommit,
    counts: CommitCounts,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE folders SET highest_uid = max(highest_uid, ?2) WHERE id = ?1")?
        .execute(params![folder_id, window.highest_uid])?;
    let first_uid = window
        .messages
        .iter()
        .map(|m| m.uid)
        .chain(window.failures.iter().map(|f| f.uid))
        .min();
    tx.prepare_cached(
        "UPDATE scan_folders SET
            first_uid = coalesce(min(first_uid, ?3), first_uid, ?3),
            last_uid = max(coalesce(last_uid, 0), ?4),
            messages_seen = messages_seen + ?5,
            messages_new = messages_new + ?6,
            errors = errors + ?7
         WHERE scan_id = ?1 AND folder_id = ?2",
    )?
    .execute(params![
        window.scan.0,
        folder_id,
        first_uid,
        window.highest_uid,
        window.messages.len() as u64,
        counts.new,
        counts.errors
    ])?;
    Ok(())
}

/// Inserts one message row unless it is already stored. Returns the new row id.
fn insert_message(
    inserts: &mut Inserts<'_>,
    tx: &Transaction<'_>,
    folder_id: i64,
    window: &WindowCommit,
    message: &ClassifiedMessage,
    digest: Option<&HeaderDigest>,
) -> rusqlite::Result<Option<i64>> {
    let c = &message.classification;
    let boundary_hop = c
        .boundary
        .header_index
        .and_then(|index| c.hops.iter().find(|hop| hop.header_index == index));
    let boundary_by_host = boundary_hop
        .and_then(|hop| hop.by_host.as_deref())
        .map(str::to_ascii_lowercase);
    let boundary_tls = boundary_hop.map(|hop| hop.tls);
    let inserted = inserts.message.execute(params![
        folder_id,
        window.uid_validity,
        message.uid,
        window.scan.0,
        c.message_id,
        c.date_utc,
        c.sender_domain,
        c.hops.len() as i64,
        c.boundary.header_index.map(|i| i as i64),
        boundary_by_host,
        boundary_tls,
        c.boundary.verdict.as_str(),
        c.boundary.rule.as_str(),
        c.path.as_str(),
        message.header_bytes as i64,
        digest.map(|d| &d.0[..]),
    ])?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
}

fn insert_hops(
    inserts: &mut Inserts<'_>,
    message_row: i64,
    classification: &Classification,
) -> rusqlite::Result<()> {
    for hop in &classification.hops {
        inserts.hop.execute(params![
            message_row,
            hop.header_index as i64,
            hop.from_host,
            hop.from_ip,
            hop.by_host,
            hop.protocol,
            hop.tls,
            hop.tls_version.map(|v| v.as_str()),
            hop.tls_cipher,
            hop.tls_evidence,
            hop.kind.as_str(),
            hop.parsed,
            hop.date.map(|d| d.utc),
            hop.date.map(|d| d.offset_minutes),
            hop.raw,
        ])?;
    }
    Ok(())
}

/// Counts, per lowercased receiving host, the hops whose header recorded TLS.
fn count_tls_receivers(classification: &Classification, counts: &mut HashMap<String, u64>) {
    for hop in classification.hops.iter().filter(|hop| hop.tls) {
        let Some(host) = hop.by_host.as_deref() else {
            continue;
        };
        // Most host names are already lowercase; they are counted without a copy.
        let key = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(host.to_ascii_lowercase())
        } else {
            Cow::Borrowed(host)
        };
        match counts.get_mut(key.as_ref()) {
            Some(count) => *count += 1,
            None => {
                counts.insert(key.into_owned(), 1);
            }
        }
    }
}

/// Adds a window's TLS-recording receivers to what the store has learned.
fn learn_receivers(
    tx: &Transaction<'_>,
    scan: ScanId,
    counts: &HashMap<String, u64>,
) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO receivers (host, tls_hops, first_scan_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (host) DO UPDATE SET tls_hops = tls_hops + excluded.tls_hops",
    )?;
    for (host, count) in counts {
        upsert.execute(params![host, count, scan.0])?;
    }
    Ok(())
}

fn insert_findings(
    inserts: &mut Inserts<'_>,
    message_row: i64,
    findings: &[Finding],
) -> rusqlite::Result<()> {
    for finding in findings {
        let (index, kind, detail) = match finding {
            Finding::WeakProtocol {
                header_index,
                version,
            } => (*header_index, "weak_protocol", version.as_str()),
            Finding::WeakCipher {
                header_index,
                cipher,
            } => (*header_index, "weak_cipher", cipher.as_str()),
            // Boundary findings follow from the message's verdict, which can change when
            // verdicts are resolved again; they are not stored twice.
            Finding::PlaintextBoundary { .. } | Finding::UnverifiedBoundary { .. } => continue,
        };
        inserts
            .finding
            .execute(params![message_row, index as i64, kind, detail])?;
    }
    Ok(())
}
