//! Opening the database file with the settings every connection needs.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

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
    let sqlite_error = |source| super::sqlite_error(path, source);
    let conn = Connection::open(path).map_err(sqlite_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
    // page_size takes effect only on a new, empty file. 16 KiB pages keep a hop row
    // (about 300 bytes with its raw header) well under the size where WITHOUT ROWID
    // tables slow down. A 16 MiB page cache writes as fast as 64 MiB in
    // benches/store_commit.rs (100,000 and 1,000,000 messages) and keeps a scan's memory
    // about 45 MB lower.
    conn.execute_batch(
        "PRAGMA page_size = 16384;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16384;",
    )
    .map_err(sqlite_error)?;
    Ok(conn)
}

/// Opens an existing database read-only, for readers that take no writer lock.
pub(super) fn connect_reader(path: &Path) -> Result<Connection, StoreError> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(StoreError::Open {
            path: shown,
            message: "no database file here; run `hopaudit scan` or `hopaudit import` first, or check `database` in the config".to_string(),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| super::sqlite_error(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| super::sqlite_error(path, e))?;
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
