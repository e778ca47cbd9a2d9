-- hopaudit store, schema version 1.
-- Times are seconds since the Unix epoch (UTC) unless a column says otherwise.

-- One row per run of `hopaudit scan` or `hopaudit import`: the evidence trail.
CREATE TABLE scans (
    id              INTEGER PRIMARY KEY,
    command         TEXT    NOT NULL,            -- 'scan' or 'import'
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,                     -- NULL while running or after a crash
    status          TEXT    NOT NULL DEFAULT 'running', -- running, complete, partial, failed, interrupted
    version         TEXT    NOT NULL,            -- hopaudit version
    config_digest   TEXT,                        -- SHA-256 of the config with secrets removed
    accounts        TEXT,                        -- JSON list of account names
    messages_seen   INTEGER NOT NULL DEFAULT 0,
    messages_new    INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0
);

-- One row per (account, folder). Incremental scans resume after highest_uid.
CREATE TABLE folders (
    id              INTEGER PRIMARY KEY,
    account         TEXT    NOT NULL,
    name            TEXT    NOT NULL,            -- decoded (UTF-8) folder name
    uid_validity    INTEGER NOT NULL,
    highest_uid     INTEGER NOT NULL DEFAULT 0,  -- every UID up to this one is stored or recorded as an error
    last_scan_id    INTEGER REFERENCES scans(id),
    UNIQUE (account, name)
);

-- What each scan did in each folder.
CREATE TABLE scan_folders (
    scan_id         INTEGER NOT NULL REFERENCES scans(id),
    folder_id       INTEGER NOT NULL REFERENCES folders(id),
    uid_validity    INTEGER NOT NULL,
    first_uid       INTEGER,
    last_uid        INTEGER,
    messages_seen   INTEGER NOT NULL DEFAULT 0,
    messages_new    INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT 'running',
    PRIMARY KEY (scan_id, folder_id)
);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    folder_id        INTEGER NOT NULL REFERENCES folders(id),
    uid_validity     INTEGER NOT NULL,
    uid              INTEGER NOT NULL,
    scan_id          INTEGER NOT NULL REFERENCES scans(id),  -- the scan that stored it
    present          INTEGER NOT NULL DEFAULT 1,  -- 0 once a full scan saw it expunged
    message_id       TEXT,
    date_utc         INTEGER,                     -- Date header
    sender_domain    TEXT,
    hop_count        INTEGER NOT NULL,
    boundary_index   INTEGER,                     -- header_index of the boundary hop
    boundary_by_host TEXT,                        -- lowercased, for verdict resolution
    boundary_tls     INTEGER,                     -- 1 when the boundary hop recorded TLS
    verdict          TEXT    NOT NULL,            -- encrypted, plaintext, unverified, none
    verdict_rule     TEXT    NOT NULL,            -- see VerdictRule
    path_verdict     TEXT    NOT NULL,
    header_bytes     INTEGER NOT NULL,
    UNIQUE (folder_id, uid_validity, uid)
);
CREATE INDEX messages_sender ON messages (sender_domain);
CREATE INDEX messages_boundary_host ON messages (boundary_by_host) WHERE boundary_tls = 0;

CREATE TABLE hops (
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    header_index    INTEGER NOT NULL,            -- 0 is the topmost Received header
    from_host       TEXT,
    from_ip         TEXT,
    by_host         TEXT,
    protocol        TEXT,
    tls             INTEGER NOT NULL,
    tls_version     TEXT,                        -- NULL when not reported
    tls_cipher      TEXT,
    tls_evidence    TEXT,
    kind            TEXT    NOT NULL,            -- local, submission, relay, unknown
    parsed          INTEGER NOT NULL,
    date_utc        INTEGER,
    date_offset     INTEGER,                     -- minutes east of UTC as written
    raw             BLOB    NOT NULL,            -- the header value, byte for byte
    PRIMARY KEY (message_id, header_index)
) WITHOUT ROWID;

CREATE TABLE findings (
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    header_index    INTEGER,
    kind            TEXT    NOT NULL,            -- weak_protocol, weak_cipher (boundary findings follow from messages.verdict)
    detail          TEXT
);
CREATE INDEX findings_message ON findings (message_id);

-- Receiving hosts that recorded TLS at least once, learned from stored hops.
CREATE TABLE receivers (
    host            TEXT PRIMARY KEY,            -- lowercased by_host
    tls_hops        INTEGER NOT NULL DEFAULT 0,
    first_scan_id   INTEGER REFERENCES scans(id)
) WITHOUT ROWID;

-- Messages or folders that could not be read, with the reason.
CREATE TABLE errors (
    id              INTEGER PRIMARY KEY,
    scan_id         INTEGER NOT NULL REFERENCES scans(id),
    account         TEXT,
    folder          TEXT,
    uid_validity    INTEGER,
    uid             INTEGER,
    at              INTEGER NOT NULL,
    message         TEXT    NOT NULL
);

-- Per-sender-domain TLS statistics over the messages still present.
CREATE VIEW domain_stats AS
SELECT sender_domain,
       count(*)                          AS messages,
       sum(verdict = 'encrypted')        AS encrypted,
       sum(verdict = 'plaintext')        AS plaintext,
       sum(verdict = 'unverified')       AS unverified,
       min(date_utc)                     AS first_seen,
       max(date_utc)                     AS last_seen
FROM messages
WHERE present = 1
GROUP BY sender_domain;
