//! The report's queries: [`ReportSource`] on SQLite.
//!
//! Messages and hops stream per folder in `(uid_validity, uid)` order, which the
//! `UNIQUE (folder_id, uid_validity, uid)` index delivers without a sort, so memory stays
//! flat. The boundary hop comes in the same row through the hops primary key when asked
//! for, and the weak findings as a JSON array from the `findings_message` index.

use std::borrow::Cow;

use rusqlite::types::Type;
use rusqlite::{Row, params};

use super::SqliteStore;
use crate::classify::Verdict;
use crate::report::{
    ErrorCount, FilteredCounts, FolderInfo, HopRow, HopVisit, ListedHop, MessageFilter, MessageRow,
    MessageVisit, ReportError, ReportSource, ScanRow, StoredFinding,
};

/// Hop columns in the order [`hop_at`] reads them, for a table aliased `h`.
const HOP_COLUMNS: &str = "h.header_index, h.from_host, h.from_ip, h.by_host, h.protocol, h.tls,
    h.tls_version, h.tls_cipher, h.tls_evidence, h.kind, h.parsed, h.date_utc, h.date_offset, h.raw";

/// The selection of messages aliased `m`: ?1 folder, ?2 JSON list of sender domains (or
/// NULL for all), ?3 and ?4 the period in seconds (or NULL for open ends).
const SELECTED: &str = "m.folder_id = ?1
    AND (?2 IS NULL OR ifnull(m.sender_domain IN (SELECT value FROM json_each(?2)), 0))
    AND (?3 IS NULL OR ifnull(m.date_utc >= ?3, 0))
    AND (?4 IS NULL OR ifnull(m.date_utc < ?4, 0))";

fn domain_list(filter: &MessageFilter<'_>) -> Option<String> {
    (!filter.domains.is_empty()).then(|| serde_json::to_string(filter.domains).unwrap_or_default())
}

impl ReportSource for SqliteStore {
    fn folders(&self) -> Result<Vec<FolderInfo>, ReportError> {
        let sql = "SELECT id, account, name, uid_validity, highest_uid, last_scan_id FROM folders
                   ORDER BY account, name, id";
        self.all_rows(sql, [], |row| {
            Ok(FolderInfo {
                id: row.get(0)?,
                account: row.get(1)?,
                name: row.get(2)?,
                uid_validity: row.get(3)?,
                highest_uid: row.get(4)?,
                last_scan_id: row.get(5)?,
            })
        })
    }

    fn filtered_counts(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
    ) -> Result<FilteredCounts, ReportError> {
        let sql = "SELECT count(*), coalesce(sum(NOT domain_ok), 0),
                          coalesce(sum(domain_ok AND NOT period_ok), 0)
            FROM (SELECT (?2 IS NULL OR ifnull(sender_domain IN (SELECT value FROM json_each(?2)), 0)) AS domain_ok,
                         ((?3 IS NULL OR ifnull(date_utc >= ?3, 0)) AND (?4 IS NULL OR ifnull(date_utc < ?4, 0))) AS period_ok
                  FROM messages WHERE folder_id = ?1)";
        self.conn
            .prepare_cached(sql)
            .and_then(|mut statement| {
                statement.query_row(
                    params![folder.id, domain_list(filter), filter.since, filter.before],
                    |row| {
                        Ok(FilteredCounts {
                            stored: row.get(0)?,
                            other_domains: row.get(1)?,
                            outside_period: row.get(2)?,
                        })
                    },
                )
            })
            .map_err(|e| self.error(e).into())
    }

    fn messages(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
        with_boundary: bool,
        visit: &mut MessageVisit<'_>,
    ) -> Result<(), ReportError> {
        let (boundary_columns, boundary_join) = if with_boundary {
            (
                format!(", {HOP_COLUMNS}"),
                "LEFT JOIN hops h ON h.message_id = m.id AND h.header_index = m.boundary_index",
            )
        } else {
            (String::new(), "")
        };
        let sql = format!(
            "SELECT m.id, m.uid_validity, m.uid, m.scan_id, m.present, m.message_id, m.date_utc,
                    m.sender_domain, m.hop_count, m.boundary_index, m.verdict, m.verdict_rule,
                    m.path_verdict,
                    (SELECT json_group_array(json_array(f.header_index, f.kind, f.detail))
                     FROM findings f WHERE f.message_id = m.id)
                    {boundary_columns}
             FROM messages m
             {boundary_join}
             WHERE {SELECTED}
             ORDER BY m.uid_validity, m.uid"
        );
        self.each_selected(&sql, folder, filter, |row| {
            visit(message_at(row, with_boundary).map_err(|e| self.error(e))?)
        })
    }

    fn hops(
        &self,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
        visit: &mut HopVisit<'_>,
    ) -> Result<(), ReportError> {
        let sql = format!(
            "SELECT m.uid_validity, m.uid, m.boundary_index, {HOP_COLUMNS}
             FROM messages m JOIN hops h ON h.message_id = m.id
             WHERE {SELECTED}
             ORDER BY m.uid_validity, m.uid, h.header_index"
        );
        self.each_selected(&sql, folder, filter, |row| {
            let listed = (|| {
                Ok(ListedHop {
                    uid_validity: row.get(0)?,
                    uid: row.get(1)?,
                    boundary_index: row.get(2)?,
                    hop: hop_at(row, 3)?,
                })
            })()
            .map_err(|e| self.error(e))?;
            visit(listed)
        })
    }

    fn hop(
        &self,
        message_row: i64,
        header_index: u32,
    ) -> Result<Option<HopRow<'static>>, ReportError> {
        let sql = format!(
            "SELECT {HOP_COLUMNS} FROM hops h WHERE h.message_id = ?1 AND h.header_index = ?2"
        );
        let mut statement = self.conn.prepare_cached(&sql).map_err(|e| self.error(e))?;
        let mut rows = statement
            .query(params![message_row, header_index])
            .map_err(|e| self.error(e))?;
        match rows.next().map_err(|e| self.error(e))? {
            Some(row) => Ok(Some(
                hop_at(row, 0).map_err(|e| self.error(e))?.into_owned(),
            )),
            None => Ok(None),
        }
    }

    fn scans(&self, ids: &[i64]) -> Result<Vec<ScanRow>, ReportError> {
        let sql = "SELECT id, command, started_at, finished_at, status, version, config_digest,
                          messages_seen, messages_new, errors
                   FROM scans WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";
        let list = serde_json::to_string(ids).unwrap_or_default();
        self.all_rows(sql, [list], |row| {
            Ok(ScanRow {
                id: row.get(0)?,
                command: row.get(1)?,
                started_at: row.get(2)?,
                finished_at: row.get(3)?,
                status: row.get(4)?,
                version: row.get(5)?,
                config_digest: row.get(6)?,
                messages_seen: row.get(7)?,
                messages_new: row.get(8)?,
                errors: row.get(9)?,
            })
        })
    }

    fn errors(&self) -> Result<Vec<ErrorCount>, ReportError> {
        // A UID that failed once and was stored by a later scan is not unreadable.
        let sql = "SELECT e.account, e.folder,
                          count(DISTINCT CASE WHEN e.uid IS NOT NULL AND NOT EXISTS (
                              SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id
                              WHERE f.account = e.account AND f.name = e.folder
                                AND m.uid_validity = e.uid_validity AND m.uid = e.uid)
                              THEN ifnull(e.uid_validity, '') || ':' || e.uid END),
                          sum(e.uid IS NULL)
                   FROM errors e GROUP BY e.account, e.folder ORDER BY e.account, e.folder";
        self.all_rows(sql, [], |row| {
            Ok(ErrorCount {
                account: row.get(0)?,
                folder: row.get(1)?,
                unreadable_messages: row.get(2)?,
                other_errors: row.get(3)?,
            })
        })
    }

    fn open_reader(&self) -> Result<Box<dyn ReportSource + Send>, ReportError> {
        Ok(Box::new(SqliteStore::open_reader(&self.path)?))
    }
}

impl SqliteStore {
    /// Runs `sql`, whose WHERE clause is [`SELECTED`], for one folder and calls `each` on
    /// every row in turn.
    fn each_selected(
        &self,
        sql: &str,
        folder: &FolderInfo,
        filter: &MessageFilter<'_>,
        mut each: impl FnMut(&Row<'_>) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(|e| self.error(e))?;
        let parameters = params![folder.id, domain_list(filter), filter.since, filter.before];
        let mut rows = statement.query(parameters).map_err(|e| self.error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            each(row)?;
        }
        Ok(())
    }

    /// Runs a query and maps every row into a list.
    fn all_rows<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, ReportError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params, map)
            .map_err(|e| self.error(e))?;
        Ok(rows.collect::<Result<_, _>>().map_err(|e| self.error(e))?)
    }
}

/// Reads a row of the message query; the boundary hop's columns follow from index 14 when
/// the query joined them.
fn message_at<'r>(row: &'r Row<'_>, with_boundary: bool) -> rusqlite::Result<MessageRow<'r>> {
    let boundary = if with_boundary && row.get::<_, Option<u32>>(14)?.is_some() {
        Some(hop_at(row, 14)?)
    } else {
        None
    };
    Ok(MessageRow {
        row_id: row.get(0)?,
        uid_validity: row.get(1)?,
        uid: row.get(2)?,
        scan_id: row.get(3)?,
        present: row.get(4)?,
        message_id: text_at(row, 5)?,
        date_utc: row.get(6)?,
        sender_domain: text_at(row, 7)?,
        hop_count: row.get(8)?,
        boundary_index: row.get(9)?,
        verdict: verdict_at(row, 10)?,
        verdict_rule: text_at(row, 11)?.unwrap_or_default(),
        path_verdict: verdict_at(row, 12)?,
        findings: findings_at(row, 13)?,
        boundary,
    })
}

fn verdict_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Verdict> {
    let label = text_at(row, index)?.unwrap_or_default();
    Verdict::from_label(&label).ok_or_else(|| {
        let message = format!("unknown verdict {label:?} in the messages table");
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, message.into())
    })
}

/// Reads the `[[header_index, kind, detail], ...]` array built by the message query.
fn findings_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Vec<StoredFinding>> {
    let text = text_at(row, index)?.unwrap_or_default();
    if text == "[]" {
        return Ok(Vec::new());
    }
    let parsed: Vec<(Option<u32>, String, Option<String>)> = serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, e.into()))?;
    let mut findings: Vec<StoredFinding> = parsed
        .into_iter()
        .map(|(header_index, kind, detail)| StoredFinding {
            header_index,
            kind,
            detail,
        })
        .collect();
    findings.sort();
    Ok(findings)
}

fn hop_at<'r>(row: &'r Row<'_>, start: usize) -> rusqlite::Result<HopRow<'r>> {
    Ok(HopRow {
        header_index: row.get(start)?,
        from_host: text_at(row, start + 1)?,
        from_ip: text_at(row, start + 2)?,
        by_host: text_at(row, start + 3)?,
        protocol: text_at(row, start + 4)?,
        tls: row.get(start + 5)?,
        tls_version: text_at(row, start + 6)?,
        tls_cipher: text_at(row, start + 7)?,
        tls_evidence: text_at(row, start + 8)?,
        kind: text_at(row, start + 9)?.unwrap_or_default(),
        parsed: row.get(start + 10)?,
        date_utc: row.get(start + 11)?,
        date_offset: row.get(start + 12)?,
        raw: Cow::Borrowed(row.get_ref(start + 13)?.as_bytes().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(start + 13, Type::Blob, e.into())
        })?),
    })
}

/// Borrows a nullable text column from the row.
fn text_at<'r>(row: &'r Row<'_>, index: usize) -> rusqlite::Result<Option<Cow<'r, str>>> {
    let text = row
        .get_ref(index)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, e.into()))?;
    Ok(text.map(Cow::Borrowed))
}
