//! Re-deciding plaintext versus unverified once the store has learned more.
//!
//! A boundary hop without a TLS note is plaintext only when its receiving server is known
//! to record TLS. The store learns that from every stored hop whose header recorded TLS
//! (the `receivers` table), so a verdict stored as unverified can become plaintext after a
//! later message from the same server is stored.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use crate::classify::{ReceiverEvidence, ReceiverKnowledge, verdict_without_tls};

/// Configured rules first, then hosts learned from the store.
struct Combined<'a> {
    configured: &'a dyn ReceiverKnowledge,
    learned: HashSet<String>,
}

impl ReceiverKnowledge for Combined<'_> {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        self.configured.records_tls(by_host).or_else(|| {
            self.learned
                .contains(by_host)
                .then_some((true, ReceiverEvidence::Learned))
        })
    }
}

pub(super) fn resolve(
    conn: &mut Connection,
    configured: &dyn ReceiverKnowledge,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let learned = learned_hosts(&tx)?;
    let knowledge = Combined {
        configured,
        learned,
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
        for host in &hosts {
            let (verdict, rule) = verdict_without_tls(host.as_deref(), &knowledge);
            changed += update.execute(params![host, verdict.as_str(), rule.as_str()])? as u64;
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

fn learned_hosts(conn: &Connection) -> rusqlite::Result<HashSet<String>> {
    conn.prepare("SELECT host FROM receivers WHERE tls_hops > 0")?
        .query_map([], |row| row.get(0))?
        .collect()
}
