//! `hopaudit verify`: SQLite's own checks, then the store's invariants, each problem as one
//! plain sentence.

use rusqlite::Connection;

use super::SqliteStore;
use crate::store::{FolderCounts, Problem, StoreError, VerifyReport};

/// Lines of `PRAGMA integrity_check` output kept; the rest only repeats the damage.
const INTEGRITY_LINES: u32 = 20;

impl SqliteStore {
    /// Checks the database: page-level integrity, foreign keys, hop counts, folder
    /// progress, leftovers of old UIDVALIDITY values and runs that never finished.
    /// A file too damaged to read is one `integrity` problem, not an error.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let writer_active = SqliteStore::writer_active(&self.path);
        let mut report = VerifyReport {
            writer_active,
            ..VerifyReport::default()
        };
        match self.run_checks(&mut report) {
            Ok(()) => Ok(report),
            Err(StoreError::Corrupt { source, .. }) => {
                report.problems.push(damaged(&source.to_string()));
                Ok(report)
            }
            Err(error) => Err(error),
        }
    }

    fn run_checks(&self, report: &mut VerifyReport) -> Result<(), StoreError> {
        let conn = &self.conn;
        report.problems = integrity(conn).map_err(|e| self.error(e))?;
        if !report.problems.is_empty() {
            return Ok(());
        }
        let checks = [
            foreign_keys(conn),
            hop_counts(conn),
            boundaries(conn),
            highest_uids(conn),
            stale_uid_validity(conn),
            unfinished_scans(conn, report.writer_active),
        ];
        for found in checks {
            report.problems.extend(found.map_err(|e| self.error(e))?);
        }
        report.folders = folder_counts(conn).map_err(|e| self.error(e))?;
        Ok(())
    }
}

fn problem(check: &'static str, detail: String) -> Problem {
    Problem { check, detail }
}

/// Builds the problem reported for a file that SQLite cannot read or check.
pub(crate) fn damaged(detail: &str) -> Problem {
    problem(
        "integrity",
        format!(
            "{}; restore the database from a backup, or delete it and scan again",
            detail.trim().replace('\n', "; ")
        ),
    )
}

fn integrity(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    let sql = format!("PRAGMA integrity_check({INTEGRITY_LINES})");
    let lines: Vec<String> = conn
        .prepare(&sql)?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines
        .into_iter()
        .filter(|line| line != "ok")
        .map(|line| damaged(&line))
        .collect())
}

/// Rows whose parent row is missing (orphans), grouped by table.
fn foreign_keys(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    let mut counts: std::collections::BTreeMap<(String, String), u64> = Default::default();
    let mut check = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = check.query([])?;
    while let Some(row) = rows.next()? {
        *counts.entry((row.get(0)?, row.get(2)?)).or_default() += 1;
    }
    Ok(counts
        .into_iter()
        .map(|((table, parent), count)| {
            problem(
                "foreign_key",
                format!("{count} rows of {table} refer to rows of {parent} that do not exist"),
            )
        })
        .collect())
}

/// Runs a query returning (account, folder, count, detail) rows and words each as a problem.
fn per_folder(
    conn: &Connection,
    check: &'static str,
    sql: &str,
    describe: impl Fn(&str, &str, i64, i64) -> String,
) -> rusqlite::Result<Vec<Problem>> {
    let mut select = conn.prepare(sql)?;
    let rows = select.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    rows.map(|row| {
        row.map(|(account, folder, count, value)| {
            problem(check, describe(&account, &folder, count, value))
        })
    })
    .collect()
}

fn hop_counts(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    per_folder(
        conn,
        "hop_count",
        "SELECT f.account, f.name, count(*), min(m.uid) FROM messages m
         JOIN folders f ON f.id = m.folder_id
         WHERE m.hop_count <> (SELECT count(*) FROM hops h WHERE h.message_id = m.id)
         GROUP BY f.id ORDER BY f.account, f.name",
        |account, folder, count, uid| {
            format!(
                "{account}/{folder}: {count} messages have a hop_count that differs from their stored hops (first UID {uid})"
            )
        },
    )
}

fn boundaries(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    per_folder(
        conn,
        "boundary",
        "SELECT f.account, f.name, count(*), min(m.uid) FROM messages m
         JOIN folders f ON f.id = m.folder_id
         WHERE m.boundary_index IS NOT NULL AND NOT EXISTS
             (SELECT 1 FROM hops h WHERE h.message_id = m.id AND h.header_index = m.boundary_index)
         GROUP BY f.id ORDER BY f.account, f.name",
        |account, folder, count, uid| {
            format!(
                "{account}/{folder}: {count} messages name a boundary hop that is not stored (first UID {uid})"
            )
        },
    )
}

fn highest_uids(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    per_folder(
        conn,
        "highest_uid",
        "SELECT f.account, f.name, f.highest_uid, max(m.uid) FROM folders f
         JOIN messages m ON m.folder_id = f.id AND m.uid_validity = f.uid_validity
         GROUP BY f.id HAVING max(m.uid) > f.highest_uid ORDER BY f.account, f.name",
        |account, folder, highest, stored| {
            format!(
                "{account}/{folder}: highest_uid is {highest} but UID {stored} is stored; the next scan fetches stored UIDs again"
            )
        },
    )
}

fn stale_uid_validity(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    per_folder(
        conn,
        "uid_validity",
        "SELECT f.account, f.name, count(*), f.uid_validity FROM messages m
         JOIN folders f ON f.id = m.folder_id
         WHERE m.uid_validity <> f.uid_validity
         GROUP BY f.id ORDER BY f.account, f.name",
        |account, folder, count, current| {
            format!(
                "{account}/{folder}: {count} messages are stored under an old UIDVALIDITY (current {current}) and are counted twice in reports"
            )
        },
    )
}

/// Scans still marked running. While a writer holds the lock its newest scan is live.
fn unfinished_scans(conn: &Connection, writer_active: bool) -> rusqlite::Result<Vec<Problem>> {
    let mut select = conn.prepare(
        "SELECT id, command, started_at, finished_at FROM scans
         WHERE status = 'running' ORDER BY id DESC",
    )?;
    let rows: Vec<(i64, String, i64, Option<i64>)> = select
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let skip = usize::from(writer_active);
    Ok(rows
        .into_iter()
        .skip(skip)
        .map(|(id, command, started_at, finished_at)| {
            let started = chrono::DateTime::from_timestamp(started_at, 0)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| started_at.to_string());
            let detail = match finished_at {
                None => format!("{command} {id} started {started} never finished (killed or crashed); the next scan or import marks it interrupted"),
                Some(_) => format!("{command} {id} started {started} has a finish time but is still marked running"),
            };
            problem("unfinished_scan", detail)
        })
        .collect())
}

fn folder_counts(conn: &Connection) -> rusqlite::Result<Vec<FolderCounts>> {
    let mut select = conn.prepare(
        "SELECT f.account, f.name, f.uid_validity, f.highest_uid,
                (SELECT count(*) FROM messages m WHERE m.folder_id = f.id),
                (SELECT count(*) FROM hops h JOIN messages m ON m.id = h.message_id
                  WHERE m.folder_id = f.id),
                (SELECT coalesce(sum(hop_count), 0) FROM messages m WHERE m.folder_id = f.id)
         FROM folders f ORDER BY f.account, f.name",
    )?;
    let rows = select.query_map([], |row| {
        Ok(FolderCounts {
            account: row.get(0)?,
            folder: row.get(1)?,
            uid_validity: row.get(2)?,
            highest_uid: row.get(3)?,
            messages: row.get(4)?,
            hop_rows: row.get(5)?,
            hop_count_sum: row.get(6)?,
        })
    })?;
    rows.collect()
}
