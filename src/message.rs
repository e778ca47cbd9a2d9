//! What the crawler and the importer hand to classification: one message's raw header
//! block and where it came from.

use crate::store::FolderKey;

/// One message's header block, exactly as the server returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    pub folder: FolderKey,
    pub uid_validity: u32,
    pub uid: u32,
    /// Header fields as fetched (`BODY.PEEK[HEADER.FIELDS (...)]` or the whole header).
    pub header: Vec<u8>,
}
