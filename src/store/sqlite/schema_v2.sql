-- hopaudit store, schema version 2: keys for imported messages and the scan trail.

-- The scan that found this one still marked running and marked it interrupted.
ALTER TABLE scans ADD COLUMN interrupted_by INTEGER REFERENCES scans(id);

-- SHA-256 of the header block of an imported message (NULL for IMAP messages, which are
-- keyed by UIDVALIDITY and UID). Importing the same header block into a folder twice
-- stores it once.
ALTER TABLE messages ADD COLUMN header_sha256 BLOB;
CREATE UNIQUE INDEX IF NOT EXISTS messages_header_sha256
    ON messages (folder_id, header_sha256) WHERE header_sha256 IS NOT NULL;

-- `verify` and the reports look up a scan's errors and folders.
CREATE INDEX IF NOT EXISTS errors_scan ON errors (scan_id);
CREATE INDEX IF NOT EXISTS scans_status ON scans (status);
