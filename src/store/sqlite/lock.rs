//! One writer per database: an exclusive advisory lock on `<database>.lock`.
//!
//! SQLite's own locking lets two writers take turns transaction by transaction, so two
//! scans of one database would interleave their windows and their scan trail. The lock
//! file makes the second writer wait briefly and then stop with [`StoreError::Busy`].
//! Readers (reports, `verify`) take no lock; SQLite's WAL mode gives them a consistent
//! snapshot while a writer runs.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::store::StoreError;

/// How long a second writer waits for the lock before giving up.
pub(super) const DEFAULT_WAIT: Duration = Duration::from_secs(5);

const RETRY_EVERY: Duration = Duration::from_millis(100);

/// The held lock; dropping it (or the process ending, even by `kill -9`) releases it.
#[derive(Debug)]
pub(super) struct WriterLock {
    _file: File,
}

/// Returns the lock file of a database: the database path with `.lock` appended.
pub(super) fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the writer lock, retrying until `wait` has passed.
pub(super) fn acquire(database: &Path, wait: Duration) -> Result<WriterLock, StoreError> {
    let path = lock_path(database);
    let file = open_lock_file(&path).map_err(|e| StoreError::Open {
        path: database.display().to_string(),
        message: format!(
            "cannot create the lock file {}: {e}; check that the folder is writable",
            path.display()
        ),
    })?;
    let deadline = Instant::now() + wait;
    let mut logged = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriterLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                if !logged {
                    tracing::info!(
                        lock = %path.display(),
                        wait_seconds = wait.as_secs_f64(),
                        "another hopaudit process is writing to the database; waiting"
                    );
                    logged = true;
                }
                std::thread::sleep(RETRY_EVERY);
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Busy {
                    path: database.display().to_string(),
                    lock: path.display().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Open {
                    path: database.display().to_string(),
                    message: format!(
                        "cannot lock {}: {e}; put the database on a local file system that supports file locks",
                        path.display()
                    ),
                });
            }
        }
    }
}

/// True when another process holds the writer lock of `database` right now.
pub(super) fn writer_active(database: &Path) -> bool {
    let Ok(file) = File::open(lock_path(database)) else {
        return false;
    };
    matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    )
}

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
