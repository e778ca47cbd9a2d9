//! SQLite backend of the store: one file, WAL journal, foreign keys on, schema version in
//! `PRAGMA user_version`, and one writer at a time (see [`lock`]).

mod import;
mod lock;
mod migrate;
mod open;
mod report;
mod trail;
mod verdicts;
mod verify;
mod window;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

use super::{FolderKey, StoreError};

/// The SQLite store. One value owns one connection; the scan pipeline gives it to a single
/// writer thread.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Row ids of folders already looked up in this process.
    folder_ids: HashMap<FolderKey, i64>,
    /// Held by writers for as long as the store is open; `None` for readers.
    _lock: Option<lock::WriterLock>,
}

impl SqliteStore {
    /// Opens the database at `path` for writing, creating it (readable by its owner only)
    /// and applying pending migrations. Waits up to 5 seconds for another writer to close
    /// it, then fails with [`StoreError::Busy`].
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_waiting(path, lock::DEFAULT_WAIT)
    }

    /// Like [`SqliteStore::open`], waiting up to `wait` for the writer lock.
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<SqliteStore, StoreError> {
        let lock = lock::acquire(path, wait)?;
        let conn = open::connect(path)?;
        // SQLite quietly falls back to read-only when it cannot open the file for
        // writing; a writer would then fail only at its first commit.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: path.display().to_string(),
            });
        }
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            folder_ids: HashMap::new(),
            _lock: Some(lock),
        };
        store.check_version()?;
        migrate::apply(&mut store.conn).map_err(|e| store.error(e))?;
        Ok(store)
    }

    /// Opens an existing database read-only, without the writer lock, for reports and
    /// `verify`; a scan may be writing at the same time. A database from an older
    /// hopaudit is migrated first, which waits for the writer lock like [`SqliteStore::open`].
    pub fn open_reader(path: &Path) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore::connect_reader(path)?;
        if store.check_version()? < migrate::CURRENT_VERSION {
            drop(store);
            drop(SqliteStore::open(path)?);
            return SqliteStore::connect_reader(path);
        }
        Ok(store)
    }

    fn connect_reader(path: &Path) -> Result<SqliteStore, StoreError> {
        Ok(SqliteStore {
            conn: open::connect_reader(path)?,
            path: path.to_path_buf(),
            folder_ids: HashMap::new(),
            _lock: None,
        })
    }

    /// Returns the stored schema version, or [`StoreError::TooNew`].
    fn check_version(&self) -> Result<i64, StoreError> {
        let found = migrate::version(&self.conn).map_err(|e| self.error(e))?;
        if found > migrate::CURRENT_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found,
                supported: migrate::CURRENT_VERSION,
            });
        }
        Ok(found)
    }

    /// Returns the database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        migrate::CURRENT_VERSION
    }

    /// True when a writer holds the lock of the database at `path` right now.
    pub fn writer_active(path: &Path) -> bool {
        lock::writer_active(path)
    }

    /// Caps the database file at `pages` pages for this connection (`PRAGMA
    /// max_page_count`). A write beyond the cap fails with [`StoreError::Full`] and is
    /// rolled back, as on a full disk.
    pub fn limit_pages(&self, pages: u64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(|e| self.error(e))
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        sqlite_error(&self.path, source)
    }
}

/// Wraps a SQLite error, singling out a full disk and a read-only file, which the user
/// fixes outside hopaudit.
pub(super) fn sqlite_error(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.display().to_string();
    match source.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::Full { path, source },
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt { path, source }
        }
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        _ => StoreError::Sqlite { path, source },
    }
}
