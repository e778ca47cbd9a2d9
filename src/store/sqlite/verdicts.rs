//! Re-deciding plaintext versus unverified once the store has learned more.
//!
//! A boundary hop without a TLS note is plaintext only when its receiving server is known
//! to record TLS. The store learns that from every stored hop whose header recorded TLS
//! (the `receivers` table), so a verdict stored as unverified can become plaintext after a
//! later message from the same server is stored.

use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::classify::{Layered, LearnedReceivers, ReceiverKnowledge, verdict_without_tls};
use crate::store::StoreError;

impl SqliteStore {
    /// Returns the receiving hosts that recorded TLS on stored messages.
    pub fn learned_receivers(&self) -> Result<LearnedReceivers, StoreError> {
        learned_hosts(&self.conn).map_err(|e| self.error(e))
    }
}

pub(super) fn resolve(
    conn: &mut Connection,
    configured: &dyn ReceiverKnowledge,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let learned = learned_hosts(&tx)?;
    let knowledge = Layered {
        first: configured,
        then: &learned,
    };
    let hosts: Vec<Option<String>> = tx
        .prepare(
            "SELECT DISTINCT boundary_by_host FROM messages
             WHERE boundary_tls = 0 AND boundary_index IS NOT NULL",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0u64;
    {
        let mut update = tx.prepare(
            "UPDATE messages SET verdict = ?2, verdict_rule = ?3
             WHERE boundary_tls = 0 AND boundary_index IS NOT NULL
               AND boundary_by_host IS ?1 AND (verdict <> ?2 OR verdict_rule <> ?3)",
        )?;
        // The path verdict is the worst over the hand-offs between organizations. A relay
        // boundary that turns plaintext makes an unverified path plaintext. The hops table
        // does not keep which other hops cross, so a path is never lowered here.
        let mut update_path = tx.prepare(
            "UPDATE messages SET path_verdict = 'plaintext'
             WHERE boundary_tls = 0 AND boundary_index IS NOT NULL
               AND boundary_by_host IS ?1 AND verdict = 'plaintext'
               AND path_verdict = 'unverified'
               AND EXISTS (SELECT 1 FROM hops h WHERE h.message_id = messages.id
                           AND h.header_index = messages.boundary_index AND h.kind = 'relay')",
        )?;
        for host in &hosts {
            let (verdict, rule) = verdict_without_tls(host.as_deref(), &knowledge);
            changed += update.execute(params![host, verdict.as_str(), rule.as_str()])? as u64;
            update_path.execute(params![host])?;
        }
    }
    tx.commit()?;
    if changed > 0 {
        tracing::info!(
            changed,
            "verdicts updated from what the store learned about receiving servers"
        );
    }
    Ok(changed)
}

fn learned_hosts(conn: &Connection) -> rusqlite::Result<LearnedReceivers> {
    conn.prepare("SELECT host FROM receivers WHERE tls_hops > 0")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()
        .map(LearnedReceivers::new)
}
