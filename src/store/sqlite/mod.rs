//! SQLite backend of the store: one file, WAL journal, foreign keys on, schema version in
//! `PRAGMA user_version`.

mod migrate;
mod open;
mod verdicts;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{FolderKey, StoreError};

/// The SQLite store. One value owns one connection; the scan pipeline gives it to a single
/// writer thread.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Row ids of folders already looked up in this process.
    folder_ids: HashMap<FolderKey, i64>,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (readable by its owner only) and applying
    /// pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = open::connect(path)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            folder_ids: HashMap::new(),
        };
        let found = migrate::version(&store.conn).map_err(|e| store.error(e))?;
        if found > migrate::CURRENT_VERSION {
            return Err(StoreError::TooNew {
                path: path.display().to_string(),
                found,
                supported: migrate::CURRENT_VERSION,
            });
        }
        migrate::apply(&mut store.conn).map_err(|e| store.error(e))?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }
}
