//! What an import needs from the store beyond a scan: the header digests already stored.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use crate::store::{FolderKey, HeaderDigest};

pub(super) fn header_digests(
    conn: &Connection,
    folder: &FolderKey,
) -> rusqlite::Result<HashSet<HeaderDigest>> {
    let mut select = conn.prepare(
        "SELECT m.header_sha256 FROM messages m JOIN folders f ON f.id = m.folder_id
         WHERE f.account = ?1 AND f.name = ?2 AND m.header_sha256 IS NOT NULL",
    )?;
    let rows = select.query_map(params![folder.account, folder.folder], |row| {
        row.get::<_, Vec<u8>>(0)
    })?;
    let mut digests = HashSet::new();
    for bytes in rows {
        // A value of another length cannot come from this build; `verify` would not
        // catch it, so it is skipped rather than trusted.
        if let Ok(digest) = <[u8; 32]>::try_from(bytes?.as_slice()) {
            digests.insert(HeaderDigest(digest));
        }
    }
    Ok(digests)
}
