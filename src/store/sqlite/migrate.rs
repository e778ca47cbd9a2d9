//! Schema migrations, tracked by `PRAGMA user_version`. Each entry upgrades the schema by
//! one version; a database is brought forward one step at a time, each in a transaction.

use rusqlite::Connection;

/// Migration `i` turns schema version `i` into version `i + 1`.
/// `schema_v1.sql` is the first released schema and is never edited; later changes are
/// added as new files.
const MIGRATIONS: &[&str] = &[include_str!("schema_v1.sql"), include_str!("schema_v2.sql")];

/// The schema version this build writes.
pub(crate) const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Returns the schema version stored in the database (0 for a new file).
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies every migration above the stored version. The caller has checked that the
/// stored version is not newer than [`CURRENT_VERSION`].
pub(super) fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    let found = version(conn)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let next = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", next)?;
        tx.commit()?;
        tracing::info!(version = next, "database schema migrated");
    }
    Ok(())
}
