//! The evidence trail: one `scans` row per run, and its `scan_folders` rows.
//!
//! A run killed with `kill -9` leaves its scan `running` with no `finished_at`. The next
//! writer holds the database's lock, so it knows that such a scan is dead and marks it
//! `interrupted`, naming itself in `interrupted_by`; `finished_at` stays empty, because
//! nobody knows when the dead process stopped.

use rusqlite::{Connection, Transaction, params};

use crate::store::{ScanId, ScanOutcome, ScanStart, ScanStatus};

/// Records the start of a run and marks earlier runs that never finished.
pub(super) fn begin(conn: &mut Connection, start: &ScanStart) -> rusqlite::Result<ScanId> {
    let accounts = serde_json::to_string(&start.accounts).unwrap_or_default();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO scans (command, started_at, version, config_digest, accounts)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            start.command,
            start.started_at,
            start.version,
            start.config_digest,
            accounts
        ],
    )?;
    let scan = ScanId(tx.last_insert_rowid());
    let marked = mark_interrupted_in(&tx, scan)?;
    tx.commit()?;
    if marked > 0 {
        tracing::warn!(
            scans = marked,
            "earlier runs ended without finishing (killed or crashed); marked interrupted"
        );
    }
    Ok(scan)
}

/// Writes a run's outcome, and the same status on its folders that are still running
/// (`partial` for a folder with errors in a complete run).
pub(super) fn finish(
    conn: &mut Connection,
    scan: ScanId,
    outcome: &ScanOutcome,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE scans SET finished_at = ?2, status = ?3, messages_seen = ?4,
                messages_new = ?5, errors = ?6
         WHERE id = ?1",
        params![
            scan.0,
            outcome.finished_at,
            outcome.status.as_str(),
            outcome.messages_seen,
            outcome.messages_new,
            outcome.errors
        ],
    )?;
    let completed = matches!(outcome.status, ScanStatus::Complete | ScanStatus::Partial);
    tx.execute(
        "UPDATE scan_folders
         SET status = CASE WHEN ?2 AND errors > 0 THEN 'partial' WHEN ?2 THEN 'complete' ELSE ?3 END
         WHERE scan_id = ?1 AND status = 'running'",
        params![scan.0, completed, outcome.status.as_str()],
    )?;
    tx.commit()
}

pub(super) fn mark_interrupted(conn: &mut Connection, current: ScanId) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let marked = mark_interrupted_in(&tx, current)?;
    tx.commit()?;
    Ok(marked)
}

fn mark_interrupted_in(tx: &Transaction<'_>, current: ScanId) -> rusqlite::Result<u64> {
    tx.execute(
        "UPDATE scan_folders SET status = 'interrupted'
         WHERE status = 'running' AND scan_id <> ?1
           AND scan_id IN (SELECT id FROM scans WHERE status = 'running')",
        [current.0],
    )?;
    // A killed run never wrote its totals; they follow from its committed windows.
    let marked = tx.execute(
        "UPDATE scans SET status = 'interrupted', interrupted_by = ?1,
            messages_seen = (SELECT coalesce(sum(messages_seen), 0) FROM scan_folders
                             WHERE scan_id = scans.id),
            messages_new = (SELECT coalesce(sum(messages_new), 0) FROM scan_folders
                            WHERE scan_id = scans.id),
            errors = (SELECT count(*) FROM errors WHERE scan_id = scans.id)
         WHERE status = 'running' AND id <> ?1",
        [current.0],
    )?;
    Ok(marked as u64)
}
