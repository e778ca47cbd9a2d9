//! The [`Store`] trait on SQLite: scans, folders and committed windows.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use crate::classify::{Classification, Finding, ReceiverKnowledge};
use crate::store::{
    ClassifiedMessage, CommitCounts, FolderKey, FolderOpen, FolderState, RunError, ScanId,
    ScanOutcome, ScanStart, Store, StoreError, WindowCommit,
};

impl Store for SqliteStore {
    fn begin_scan(&mut self, start: &ScanStart) -> Result<ScanId, StoreError> {
        let accounts = serde_json::to_string(&start.accounts).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO scans (command, started_at, version, config_digest, accounts)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    start.command,
                    start.started_at,
                    start.version,
                    start.config_digest,
                    accounts
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(ScanId(self.conn.last_insert_rowid()))
    }

    fn finish_scan(&mut self, scan: ScanId, outcome: &ScanOutcome) -> Result<(), StoreError> {
        self.conn
            .execute(
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
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    fn folder_state(&self, folder: &FolderKey) -> Result<Option<FolderState>, StoreError> {
        self.conn
            .query_row(
                "SELECT uid_validity, highest_uid FROM folders WHERE account = ?1 AND name = ?2",
                params![folder.account, folder.folder],
                |row| {
                    Ok(FolderState {
                        uid_validity: row.get(0)?,
                        highest_uid: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    fn open_folder(
        &mut self,
        scan: ScanId,
        folder: &FolderKey,
        uid_validity: u32,
    ) -> Result<FolderOpen, StoreError> {
        let previous = self.folder_state(folder)?;
        let tx = self.conn.transaction().map_err(|e| sqlite(&self.path, e))?;
        let outcome = open_folder_in(&tx, scan, folder, uid_validity, previous)
            .map_err(|e| sqlite(&self.path, e))?;
        tx.commit().map_err(|e| sqlite(&self.path, e))?;
        if let FolderOpen::Reset { old_uid_validity } = outcome {
            tracing::warn!(
                account = %folder.account,
                folder = %folder.folder,
                old_uid_validity,
                uid_validity,
                "UIDVALIDITY changed; the folder's stored messages were removed and it is scanned again"
            );
        }
        self.folder_ids.remove(folder);
        Ok(outcome)
    }

    fn commit_window(&mut self, window: &WindowCommit) -> Result<CommitCounts, StoreError> {
        let folder_id = self.folder_id(&window.folder)?;
        let tx = self.conn.transaction().map_err(|e| sqlite(&self.path, e))?;
        let counts = commit_in(&tx, folder_id, window).map_err(|e| sqlite(&self.path, e))?;
        tx.commit().map_err(|e| sqlite(&self.path, e))?;
        Ok(counts)
    }

    fn mark_missing(
        &mut self,
        folder: &FolderKey,
        uid_validity: u32,
        listed_uids: &[u32],
    ) -> Result<u64, StoreError> {
        let folder_id = self.folder_id(folder)?;
        let tx = self.conn.transaction().map_err(|e| sqlite(&self.path, e))?;
        let marked = mark_missing_in(&tx, folder_id, uid_validity, listed_uids)
            .map_err(|e| sqlite(&self.path, e))?;
        tx.commit().map_err(|e| sqlite(&self.path, e))?;
        Ok(marked)
    }

    fn record_error(&mut self, scan: ScanId, error: &RunError) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO errors (scan_id, account, folder, uid_validity, uid, at, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    scan.0,
                    error.account,
                    error.folder,
                    error.uid_validity,
                    error.uid,
                    error.at,
                    error.message
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    fn resolve_verdicts(&mut self, configured: &dyn ReceiverKnowledge) -> Result<u64, StoreError> {
        super::verdicts::resolve(&mut self.conn, configured).map_err(|e| sqlite(&self.path, e))
    }
}

impl SqliteStore {
    /// Returns the row id of a folder registered by [`Store::open_folder`].
    fn folder_id(&mut self, folder: &FolderKey) -> Result<i64, StoreError> {
        if let Some(id) = self.folder_ids.get(folder) {
            return Ok(*id);
        }
        let id: i64 = self
            .conn
            .query_row(
                "SELECT id FROM folders WHERE account = ?1 AND name = ?2",
                params![folder.account, folder.folder],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))?;
        self.folder_ids.insert(folder.clone(), id);
        Ok(id)
    }
}

fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

fn open_folder_in(
    tx: &Transaction<'_>,
    scan: ScanId,
    folder: &FolderKey,
    uid_validity: u32,
    previous: Option<FolderState>,
) -> rusqlite::Result<FolderOpen> {
    let outcome = match previous {
        None => {
            tx.execute(
                "INSERT INTO folders (account, name, uid_validity, last_scan_id) VALUES (?1, ?2, ?3, ?4)",
                params![folder.account, folder.folder, uid_validity, scan.0],
            )?;
            FolderOpen::New
        }
        Some(state) if state.uid_validity == uid_validity => FolderOpen::Resume(state),
        Some(state) => {
            reset_folder(tx, folder, uid_validity)?;
            FolderOpen::Reset {
                old_uid_validity: state.uid_validity,
            }
        }
    };
    tx.execute(
        "UPDATE folders SET last_scan_id = ?3 WHERE account = ?1 AND name = ?2",
        params![folder.account, folder.folder, scan.0],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO scan_folders (scan_id, folder_id, uid_validity)
         SELECT ?1, id, ?4 FROM folders WHERE account = ?2 AND name = ?3",
        params![scan.0, folder.account, folder.folder, uid_validity],
    )?;
    Ok(outcome)
}

/// Removes a folder's messages (hops and findings go with them) and starts it over under a
/// new UIDVALIDITY.
fn reset_folder(
    tx: &Transaction<'_>,
    folder: &FolderKey,
    uid_validity: u32,
) -> rusqlite::Result<()> {
    let folder_id: i64 = tx.query_row(
        "SELECT id FROM folders WHERE account = ?1 AND name = ?2",
        params![folder.account, folder.folder],
        |row| row.get(0),
    )?;
    tx.execute("DELETE FROM messages WHERE folder_id = ?1", [folder_id])?;
    tx.execute(
        "UPDATE folders SET uid_validity = ?2, highest_uid = 0 WHERE id = ?1",
        params![folder_id, uid_validity],
    )?;
    Ok(())
}

fn commit_in(
    tx: &Transaction<'_>,
    folder_id: i64,
    window: &WindowCommit,
) -> rusqlite::Result<CommitCounts> {
    let mut counts = CommitCounts::default();
    let mut tls_receivers: HashMap<String, u64> = HashMap::new();
    for message in &window.messages {
        if let Some(message_row) = insert_message(tx, folder_id, window, message)? {
            insert_hops(tx, message_row, &message.classification)?;
            insert_findings(tx, message_row, &message.classification.findings)?;
            count_tls_receivers(&message.classification, &mut tls_receivers);
            counts.new += 1;
        }
    }
    learn_receivers(tx, window.scan, &tls_receivers)?;
    let now = chrono::Utc::now().timestamp();
    for failure in &window.failures {
        tx.prepare_cached(
            "INSERT INTO errors (scan_id, account, folder, uid_validity, uid, at, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            window.scan.0,
            window.folder.account,
            window.folder.folder,
            window.uid_validity,
            failure.uid,
            now,
            failure.reason
        ])?;
        counts.errors += 1;
    }
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
    Ok(counts)
}

/// Inserts one message row unless it is already stored. Returns the new row id.
fn insert_message(
    tx: &Transaction<'_>,
    folder_id: i64,
    window: &WindowCommit,
    message: &ClassifiedMessage,
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
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO messages (folder_id, uid_validity, uid, scan_id, message_id, date_utc,
                sender_domain, hop_count, boundary_index, boundary_by_host, boundary_tls, verdict,
                verdict_rule, path_verdict, header_bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
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
        ])?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
}

fn insert_hops(
    tx: &Transaction<'_>,
    message_row: i64,
    classification: &Classification,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO hops (message_id, header_index, from_host, from_ip, by_host, protocol, tls,
            tls_version, tls_cipher, tls_evidence, kind, parsed, date_utc, date_offset, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for hop in &classification.hops {
        insert.execute(params![
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
        if let Some(host) = hop.by_host.as_deref() {
            *counts.entry(host.to_ascii_lowercase()).or_default() += 1;
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
    tx: &Transaction<'_>,
    message_row: i64,
    findings: &[Finding],
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO findings (message_id, header_index, kind, detail) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for finding in findings {
        let (index, kind, detail) = match finding {
            Finding::WeakProtocol {
                header_index,
                version,
            } => (*header_index, "weak_protocol", version.as_str().to_string()),
            Finding::WeakCipher {
                header_index,
                cipher,
            } => (*header_index, "weak_cipher", cipher.clone()),
            // Boundary findings follow from the message's verdict, which can change when
            // verdicts are resolved again; they are not stored twice.
            Finding::PlaintextBoundary { .. } | Finding::UnverifiedBoundary { .. } => continue,
        };
        insert.execute(params![message_row, index as i64, kind, detail])?;
    }
    Ok(())
}

fn mark_missing_in(
    tx: &Transaction<'_>,
    folder_id: i64,
    uid_validity: u32,
    listed: &[u32],
) -> rusqlite::Result<u64> {
    tx.execute(
        "CREATE TEMP TABLE IF NOT EXISTS listed_uids (uid INTEGER PRIMARY KEY)",
        [],
    )?;
    tx.execute("DELETE FROM temp.listed_uids", [])?;
    {
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO temp.listed_uids (uid) VALUES (?1)")?;
        for uid in listed {
            insert.execute([uid])?;
        }
    }
    let marked = tx.execute(
        "UPDATE messages SET present = 0
         WHERE folder_id = ?1 AND uid_validity = ?2 AND present = 1
           AND uid NOT IN (SELECT uid FROM temp.listed_uids)",
        params![folder_id, uid_validity],
    )?;
    tx.execute("DELETE FROM temp.listed_uids", [])?;
    Ok(marked as u64)
}
