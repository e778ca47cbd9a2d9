//! The passes over the store: messages (statistics, `messages.csv`, `findings.csv` and the
//! kept exceptions), hops (`hops.csv`), and the previous period (statistics only).

use std::collections::BTreeSet;

use super::ReportError;
use super::accounts::AccountNames;
use super::boundary::{BoundaryFeed, BoundarySender};
use super::csv::CsvTable;
use super::exceptions::{self, Evidence, Exception, ExceptionList, SortKey};
use super::explain::Position;
use super::format::iso_utc;
use super::output::OutputDir;
use super::redact::mask_recipients;
use super::scope::{Period, Scope};
use super::source::{FolderInfo, HopRow, MessageFilter, MessageRow, ReportSource};
use super::tables;
use super::tally::{Deduper, Tally};
use super::text::{visible, visible_str};

/// How many exceptions the HTML and JSON reports list; `findings.csv` lists all.
pub const EXCEPTION_LIMIT: usize = 1000;

/// A selected folder with what the report found in it.
#[derive(Debug, Clone)]
pub struct FolderCoverage {
    pub folder: FolderInfo,
    /// Messages in the period and sender-domain selection, present or not.
    pub selected: u64,
    pub counted: u64,
}

/// The results of the message pass.
pub struct Collected {
    pub tally: Tally,
    pub folders: Vec<FolderCoverage>,
    /// Every stored message, selected or not.
    pub stored: u64,
    pub other_accounts: u64,
    pub other_domains: u64,
    pub outside_period: u64,
    /// Scans that stored a selected message or last scanned a selected folder.
    pub scan_ids: BTreeSet<i64>,
    pub exceptions: ExceptionList<Exception>,
}

fn filter<'a>(period: &Period, scope: &'a Scope) -> MessageFilter<'a> {
    MessageFilter {
        since: period.start_utc(),
        before: period.end_utc(),
        domains: &scope.domains,
    }
}

/// Streams the selected messages once: tallies them and writes `messages.csv` and
/// `findings.csv`. Their boundary hops come from the hop pass through `boundaries`.
pub fn messages(
    source: &dyn ReportSource,
    scope: &Scope,
    names: &AccountNames,
    boundaries: &mut BoundaryFeed,
    out: &mut OutputDir,
) -> Result<Collected, ReportError> {
    let filter = filter(&scope.period, scope);
    let mut pass = MessagePass {
        source,
        messages_csv: CsvTable::create(out, "messages.csv", tables::MESSAGE_COLUMNS)?,
        findings_csv: CsvTable::create(out, "findings.csv", tables::FINDING_COLUMNS)?,
        deduper: Deduper::new(scope.dedupe_message_id),
        collected: Collected {
            tally: Tally::default(),
            folders: Vec::new(),
            stored: 0,
            other_accounts: 0,
            other_domains: 0,
            outside_period: 0,
            scan_ids: BTreeSet::new(),
            exceptions: ExceptionList::new(EXCEPTION_LIMIT),
        },
    };
    for folder in source.folders()? {
        let counts = source.filtered_counts(&folder, &filter)?;
        let collected = &mut pass.collected;
        collected.stored += counts.stored;
        if !scope.includes_account(&folder.account) {
            collected.other_accounts += counts.stored;
            continue;
        }
        collected.other_domains += counts.other_domains;
        collected.outside_period += counts.outside_period;
        collected.scan_ids.extend(folder.last_scan_id);
        let index = collected.folders.len();
        let coverage = pass.folder(index, folder, &filter, names, boundaries)?;
        pass.collected.folders.push(coverage);
    }
    pass.messages_csv.finish(out)?;
    pass.findings_csv.finish(out)?;
    Ok(pass.collected)
}

/// The state of the message pass.
struct MessagePass<'s> {
    source: &'s dyn ReportSource,
    messages_csv: CsvTable,
    findings_csv: CsvTable,
    deduper: Deduper,
    collected: Collected,
}

impl MessagePass<'_> {
    /// Streams one folder, the `index`-th selected one.
    fn folder(
        &mut self,
        index: usize,
        folder: FolderInfo,
        filter: &MessageFilter<'_>,
        names: &AccountNames,
        boundaries: &mut BoundaryFeed,
    ) -> Result<FolderCoverage, ReportError> {
        let mut coverage = FolderCoverage {
            folder,
            selected: 0,
            counted: 0,
        };
        let folder = coverage.folder.clone();
        let folder_name = visible_str(&folder.name);
        let place = Place {
            account: names.get(&folder.account),
            folder: &folder_name,
            redact: names.redacted(),
        };
        let source = self.source;
        source.messages(&folder, filter, false, &mut |row: MessageRow<'_>| {
            let mut row = row;
            if row.boundary_index.is_some() {
                row.boundary = boundaries.take((index, row.uid_validity, row.uid));
            }
            self.row(&folder.account, &place, &row, &mut coverage)
        })?;
        Ok(coverage)
    }

    fn row(
        &mut self,
        account: &str,
        place: &Place<'_>,
        row: &MessageRow,
        coverage: &mut FolderCoverage,
    ) -> Result<(), ReportError> {
        let exclusion = self.deduper.exclusion(account, row);
        self.collected.tally.add(row, exclusion);
        self.collected.scan_ids.insert(row.scan_id);
        coverage.selected += 1;
        tables::message_row(
            &mut self.messages_csv,
            place.account,
            place.folder,
            row,
            exclusion,
        )?;
        if exclusion.is_some() {
            return Ok(());
        }
        coverage.counted += 1;
        record_exception(
            self.source,
            place,
            row,
            &mut self.findings_csv,
            &mut self.collected.exceptions,
        )
    }
}

/// The shown account and folder names of a message, and whether recipients are masked.
struct Place<'a> {
    account: &'a str,
    folder: &'a str,
    redact: bool,
}

/// Writes the message's exception lines to `findings.csv` and offers it to the kept list.
fn record_exception(
    source: &dyn ReportSource,
    place: &Place<'_>,
    row: &MessageRow,
    findings_csv: &mut CsvTable,
    kept: &mut ExceptionList<Exception>,
) -> Result<(), ReportError> {
    let lines = exceptions::lines(row);
    if lines.is_empty() {
        return Ok(());
    }
    let mut other_hops: Vec<HopRow<'static>> = Vec::new();
    for line in &lines {
        let hop = match line.header_index {
            Some(index) if Some(index) != row.boundary_index => {
                if !other_hops.iter().any(|hop| hop.header_index == index) {
                    other_hops.extend(source.hop(row.row_id, index)?);
                }
                other_hops.iter().find(|hop| hop.header_index == index)
            }
            Some(_) => row.boundary.as_ref(),
            None => None,
        };
        tables::finding_row(
            findings_csv,
            place.account,
            place.folder,
            row,
            line,
            hop,
            place.redact,
        )?;
    }
    let key = SortKey::new(row, place.account, place.folder);
    if kept.wants(&key) {
        kept.keep(key, exception(place, row, &lines, &other_hops));
    }
    Ok(())
}

/// Builds the HTML and JSON view of an exception.
fn exception(
    place: &Place<'_>,
    row: &MessageRow,
    lines: &[exceptions::ExceptionLine<'_>],
    other_hops: &[HopRow<'static>],
) -> Exception {
    Exception {
        kinds: lines.iter().map(|l| l.kind).collect(),
        date: row.date_utc.map(iso_utc),
        sender_domain: row.sender_domain.as_deref().map(shown),
        message_id: row.message_id.as_deref().map(shown),
        account: place.account.to_string(),
        folder: place.folder.to_string(),
        uid_validity: row.uid_validity,
        uid: row.uid,
        verdict: row.verdict,
        verdict_rule: shown(&row.verdict_rule),
        reasons: lines.iter().map(|l| shown(&l.reason)).collect(),
        evidence: evidence(row, other_hops, place.redact),
        disposition: String::new(),
    }
}

fn shown(text: &str) -> String {
    visible_str(text).into_owned()
}

/// Lists the boundary hop and the other hops named by findings, each once, in header order.
fn evidence(row: &MessageRow<'_>, other_hops: &[HopRow<'static>], redact: bool) -> Vec<Evidence> {
    let mut hops: Vec<&HopRow<'_>> = row.boundary.iter().chain(other_hops).collect();
    hops.sort_by_key(|hop| hop.header_index);
    hops.dedup_by_key(|hop| hop.header_index);
    hops.into_iter()
        .map(|hop| Evidence {
            header_index: hop.header_index,
            position: Position::of(hop.header_index, row.boundary_index),
            from_host: hop.from_host.as_deref().map(shown),
            from_ip: hop.from_ip.as_deref().map(shown),
            by_host: hop.by_host.as_deref().map(shown),
            raw: if redact {
                visible(&mask_recipients(&hop.raw)).into_owned()
            } else {
                visible(&hop.raw).into_owned()
            },
        })
        .collect()
}

/// Streams every hop of the selected messages in `folders` into `hops_csv`, and hands
/// each boundary hop to the message pass through `boundaries`.
pub fn hops(
    source: &dyn ReportSource,
    scope: &Scope,
    names: &AccountNames,
    folders: &[FolderInfo],
    hops_csv: &mut CsvTable,
    mut boundaries: BoundarySender,
) -> Result<(), ReportError> {
    let filter = filter(&scope.period, scope);
    for (index, folder) in folders.iter().enumerate() {
        let account = names.get(&folder.account);
        let folder_name = visible_str(&folder.name);
        source.hops(folder, &filter, &mut |listed| {
            if listed.boundary_index == Some(listed.hop.header_index) {
                boundaries.push((index, listed.uid_validity, listed.uid), &listed.hop);
            }
            tables::hop_row(hops_csv, account, &folder_name, &listed, names.redacted())
        })?;
    }
    boundaries.flush();
    Ok(())
}

/// Tallies the previous period, for the change columns. Returns `None` when the period
/// has no previous one.
pub fn previous(
    source: &dyn ReportSource,
    scope: &Scope,
    folders: &[FolderCoverage],
) -> Result<Option<Tally>, ReportError> {
    let Some(period) = scope.period.previous() else {
        return Ok(None);
    };
    let filter = filter(&period, scope);
    let mut tally = Tally::default();
    let mut deduper = Deduper::new(scope.dedupe_message_id);
    for coverage in folders {
        let folder = &coverage.folder;
        source.messages(folder, &filter, true, &mut |row| {
            let exclusion = deduper.exclusion(&folder.account, &row);
            tally.add(&row, exclusion);
            Ok(())
        })?;
    }
    Ok(Some(tally))
}
