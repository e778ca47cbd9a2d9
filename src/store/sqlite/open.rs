//! Opening the database file with the settings every connection needs.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::store::StoreError;

/// How long a connection waits for another writer's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let shown = path.display().to_string();
    create_private(path).map_err(|e| StoreError::Open {
        path: shown.clone(),
        message: format!(
            "cannot create the database file: {e}; check that the folder exists and is writable"
        ),
    })?;
    let sqlite_error = |source| StoreError::Sqlite {
        path: shown.clone(),
        source,
    };
    let conn = Connection::open(path).map_err(sqlite_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;",
    )
    .map_err(sqlite_error)?;
    Ok(conn)
}

/// Creates an empty file readable and writable by its owner only, unless it exists. SQLite
/// would otherwise create it with the process umask (often readable by everyone).
#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
