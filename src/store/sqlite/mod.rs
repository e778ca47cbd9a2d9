//! SQLite backend of the store.

/// The SQLite store.
pub struct SqliteStore {
    _private: (),
}
