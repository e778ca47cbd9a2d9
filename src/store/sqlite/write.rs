//! The [`Store`] trait on SQLite: scans, folders and committed windows.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use crate::classify::ReceiverKnowledge;
use crate::store::{
    CommitCounts, FolderKey, FolderOpen, FolderState, HeaderDigest, RunError, ScanId, ScanOutcome,
    ScanStart, Store, StoreError, WindowCommit,
};

impl Store for SqliteStore {
    fn begin_scan(&mut self, start: &ScanStart) -> Result<ScanId, StoreError> {
        super::trail::begin(&mut self.conn, start).map_err(|e| sqlite(&self.path, e))
    }

    fn finish_scan(&mut self, scan: ScanId, outcome: &ScanOutcome) -> Result<(), StoreError> {
        super::trail::finish(&mut self.conn, scan, outcome).map_err(|e| sqlite(&self.path, e))
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
        self.commit(window, None)
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

    fn mark_interrupted(&mut self, current: ScanId) -> Result<u64, StoreError> {
        super::trail::mark_interrupted(&mut self.conn, current).map_err(|e| sqlite(&self.path, e))
    }

    fn header_digests(&self, folder: &FolderKey) -> Result<HashSet<HeaderDigest>, StoreError> {
        super::import::header_digests(&self.conn, folder).map_err(|e| self.error(e))
    }

    fn commit_imported(
        &mut self,
        window: &WindowCommit,
        digests: &[HeaderDigest],
    ) -> Result<CommitCounts, StoreError> {
        assert_eq!(
            window.messages.len(),
            digests.len(),
            "one digest per message"
        );
        self.commit(window, Some(digests))
    }
}

impl SqliteStore {
    /// Stores a window in one transaction; on any error nothing of it is kept.
    fn commit(
        &mut self,
        window: &WindowCommit,
        digests: Option<&[HeaderDigest]>,
    ) -> Result<CommitCounts, StoreError> {
        let folder_id = self.folder_id(&window.folder)?;
        let tx = self.conn.transaction().map_err(|e| sqlite(&self.path, e))?;
        let counts = super::window::commit_in(&tx, folder_id, window, digests)
            .map_err(|e| sqlite(&self.path, e))?;
        tx.commit().map_err(|e| sqlite(&self.path, e))?;
        Ok(counts)
    }

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
    super::sqlite_error(path, source)
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
