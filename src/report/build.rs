//! Turning what the passes gathered into the report's facts ([`Report`]).

use std::collections::BTreeMap;

use super::ReportOptions;
use super::accounts::AccountNames;
use super::collect::{Collected, FolderCoverage};
use super::format::iso_utc;
use super::model::*;
use super::source::{ErrorCount, ScanRow};
use super::tally::{DomainTally, Share, Tally, TlsMix};
use super::text::visible_str;
use crate::hop::TlsVersion;

/// Everything the report is built from, besides the options.
pub struct Inputs<'a> {
    pub collected: Collected,
    pub previous: Option<Tally>,
    pub scans: Vec<ScanRow>,
    pub errors: Vec<ErrorCount>,
    pub names: &'a AccountNames,
}

pub fn report(options: &ReportOptions, inputs: Inputs<'_>) -> Report {
    let Inputs {
        collected,
        previous,
        scans,
        errors,
        names,
    } = inputs;
    let tally = &collected.tally;
    let coverage = coverage(&collected.folders, &errors, names);
    let messages = message_counts(&collected, &errors, options);
    let summary = summary(tally, previous.as_ref(), options.pass_threshold);
    let domains = domains(tally, previous.as_ref());
    Report {
        format_version: FORMAT_VERSION,
        generated_at: iso_utc(options.generated_at),
        hopaudit_version: options.version.clone(),
        organization: organization(options),
        period: period(options, tally),
        selection: SelectionFacts {
            accounts: options
                .scope
                .accounts
                .iter()
                .map(|a| names.get(a).to_string())
                .collect(),
            sender_domains: options.scope.domains.iter().map(|d| shown(d)).collect(),
            dedupe_message_id: options.scope.dedupe_message_id,
            accounts_redacted: options.redact_accounts,
            folder_rules: options
                .folder_rules
                .iter()
                .map(|rules| FolderRuleFacts {
                    account: names.get(&rules.account).to_string(),
                    folders: rules.folders.iter().map(|f| shown_pattern(f)).collect(),
                    exclude_folders: rules
                        .exclude_folders
                        .iter()
                        .map(|f| shown_pattern(f))
                        .collect(),
                })
                .collect(),
        },
        coverage,
        accounts_not_scanned: not_scanned(options, &collected.folders, names),
        messages,
        scans: scans.iter().map(scan_facts).collect(),
        summary,
        months: months(tally),
        domains,
        exceptions: ExceptionFacts {
            total: collected.exceptions.total(),
            limit: collected.exceptions.limit(),
            listed: collected.exceptions.into_sorted(),
        },
        sign_off: SignOff {
            prepared_by: options.sign_off.prepared_by.as_deref().map(shown),
            reviewed_by: options.sign_off.reviewed_by.as_deref().map(shown),
            approved_by: options.sign_off.approved_by.as_deref().map(shown),
        },
    }
}

fn shown(text: &str) -> String {
    visible_str(text).into_owned()
}

/// Shows a folder pattern. A special-use attribute such as `\Junk` (RFC 6154) keeps its
/// single backslash: it starts with an uppercase letter, so it cannot be mistaken for the
/// `\xFF` and `\u{..}` escapes.
fn shown_pattern(pattern: &str) -> String {
    let attribute = pattern.strip_prefix('\\').is_some_and(|name| {
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.bytes().all(|b| b.is_ascii_alphabetic())
    });
    if attribute {
        pattern.to_string()
    } else {
        shown(pattern)
    }
}

fn organization(options: &ReportOptions) -> OrganizationFacts {
    let org = &options.organization;
    let domains: Vec<String> = org.domains.iter().map(|d| shown(d)).collect();
    let name = match org.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => shown(name),
        _ if !domains.is_empty() => domains.join(", "),
        _ => "(organization not configured)".to_string(),
    };
    OrganizationFacts {
        name,
        domains,
        gateways: org.gateways.iter().map(|g| shown(g)).collect(),
    }
}

fn period(options: &ReportOptions, tally: &Tally) -> PeriodFacts {
    let period = options.scope.period;
    let previous = period.previous();
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    PeriodFacts {
        since: day(period.since),
        before: day(period.before),
        first_message: tally.first_seen.map(iso_utc),
        last_message: tally.last_seen.map(iso_utc),
        previous_since: day(previous.and_then(|p| p.since)),
        previous_before: day(previous.and_then(|p| p.before)),
    }
}

fn coverage(
    folders: &[FolderCoverage],
    errors: &[ErrorCount],
    names: &AccountNames,
) -> Vec<AccountCoverage> {
    let mut accounts: BTreeMap<&str, AccountCoverage> = BTreeMap::new();
    for item in folders {
        let folder = &item.folder;
        let entry = accounts
            .entry(folder.account.as_str())
            .or_insert_with(|| AccountCoverage {
                account: names.get(&folder.account).to_string(),
                folders: Vec::new(),
                account_errors: 0,
            });
        let error = errors.iter().find(|e| {
            e.account.as_deref() == Some(&folder.account)
                && e.folder.as_deref() == Some(&folder.name)
        });
        entry.folders.push(FolderFacts {
            name: shown(&folder.name),
            uid_validity: folder.uid_validity,
            highest_uid: folder.highest_uid,
            last_scan_id: folder.last_scan_id,
            selected: item.selected,
            counted: item.counted,
            unreadable_messages: error.map_or(0, |e| e.unreadable_messages),
            folder_errors: error.map_or(0, |e| e.other_errors),
        });
    }
    for error in errors.iter().filter(|e| e.folder.is_none()) {
        if let Some(entry) = error.account.as_deref().and_then(|a| accounts.get_mut(a)) {
            entry.account_errors += error.other_errors + error.unreadable_messages;
        }
    }
    accounts.into_values().collect()
}

fn message_counts(
    collected: &Collected,
    errors: &[ErrorCount],
    options: &ReportOptions,
) -> MessageCounts {
    let selected = |e: &&ErrorCount| match e.account.as_deref() {
        Some(account) => options.scope.includes_account(account),
        None => true,
    };
    let (unreadable, other) = errors.iter().filter(selected).fold((0, 0), |(u, o), e| {
        (u + e.unreadable_messages, o + e.other_errors)
    });
    MessageCounts {
        stored: collected.stored,
        other_accounts: collected.other_accounts,
        other_sender_domains: collected.other_domains,
        outside_period: collected.outside_period,
        excluded: collected.tally.excluded,
        counted: collected.tally.counted.total(),
        unreadable_messages: unreadable,
        other_errors: other,
    }
}

fn not_scanned(
    options: &ReportOptions,
    folders: &[FolderCoverage],
    names: &AccountNames,
) -> Vec<String> {
    let mut missing: Vec<&String> = options
        .configured_accounts
        .iter()
        .filter(|a| options.scope.includes_account(a))
        .filter(|a| !folders.iter().any(|f| &f.folder.account == *a))
        .collect();
    missing.sort();
    missing.dedup();
    missing
        .into_iter()
        .map(|a| names.get(a).to_string())
        .collect()
}

fn scan_facts(scan: &ScanRow) -> ScanFacts {
    ScanFacts {
        id: scan.id,
        command: shown(&scan.command),
        started_at: iso_utc(scan.started_at),
        finished_at: scan.finished_at.map(iso_utc),
        status: shown(&scan.status),
        version: shown(&scan.version),
        config_digest: scan.config_digest.as_deref().map(shown),
        messages_seen: scan.messages_seen,
        messages_new: scan.messages_new,
        errors: scan.errors,
    }
}

fn summary(tally: &Tally, previous: Option<&Tally>, threshold: f64) -> Summary {
    let counts = tally.counted;
    let total = counts.total();
    let share = |part| Share::of(part, total);
    let encrypted = counts.encrypted_share();
    let result = match total {
        0 => Outcome::NoData,
        _ if (counts.encrypted as f64) * 100.0 >= threshold * total as f64 => Outcome::Pass,
        _ => Outcome::Fail,
    };
    let previous_share = previous.and_then(|p| p.counted.encrypted_share());
    Summary {
        counted: total,
        verdicts: counts,
        encrypted_percent: encrypted,
        plaintext_percent: share(counts.plaintext),
        unverified_percent: share(counts.unverified),
        none_percent: share(counts.none),
        tls_versions: mix_entries(&tally.mix),
        weak_protocol_findings: tally.weak_protocol,
        weak_cipher_findings: tally.weak_cipher,
        messages_with_weak_findings: tally.weak_messages,
        pass_threshold: threshold,
        result,
        previous_counted: previous.map(|p| p.counted.total()),
        previous_encrypted_percent: previous_share,
        encrypted_percent_change: change(encrypted, previous_share),
    }
}

fn change(now: Option<Share>, before: Option<Share>) -> Option<Change> {
    Some(Change(now?.change_since(before?)))
}

/// Labels used for the TLS mix in every file.
pub const NOT_REPORTED_LABEL: &str = "TLS, version not reported";
pub const NO_TLS_PLAINTEXT_LABEL: &str = "no TLS recorded: plaintext";
pub const NO_TLS_UNVERIFIED_LABEL: &str = "no TLS recorded: unverified";
pub const NO_BOUNDARY_LABEL: &str = "no boundary hop";

fn mix_entries(mix: &TlsMix) -> Vec<MixEntry> {
    let total = mix.versions.iter().sum::<u64>()
        + mix.not_reported
        + mix.no_tls_plaintext
        + mix.no_tls_unverified
        + mix.no_boundary;
    let versions = TlsVersion::ALL
        .iter()
        .rev()
        .zip(mix.versions.iter().rev())
        .map(|(version, count)| (version.as_str(), *count));
    let others = [
        (NOT_REPORTED_LABEL, mix.not_reported),
        (NO_TLS_PLAINTEXT_LABEL, mix.no_tls_plaintext),
        (NO_TLS_UNVERIFIED_LABEL, mix.no_tls_unverified),
        (NO_BOUNDARY_LABEL, mix.no_boundary),
    ];
    versions
        .chain(others)
        .filter(|(_, count)| *count > 0)
        .map(|(label, messages)| MixEntry {
            label,
            messages,
            percent: Share::of(messages, total),
        })
        .collect()
}

fn months(tally: &Tally) -> Vec<MonthFacts> {
    tally
        .months
        .iter()
        .map(|((year, month), counts)| MonthFacts {
            month: format!("{year:04}-{month:02}"),
            verdicts: *counts,
            encrypted_percent: counts.encrypted_share(),
        })
        .collect()
}

fn domains(tally: &Tally, previous: Option<&Tally>) -> Vec<DomainFacts> {
    let mut rows: Vec<DomainFacts> = tally
        .domains
        .iter()
        .map(|(domain, current)| {
            let earlier = previous.and_then(|p| p.domains.get(domain));
            domain_facts(domain.as_deref(), current, earlier)
        })
        .collect();
    // Most messages first; ties by domain name, the unknown domain last.
    rows.sort_by(|a, b| {
        b.messages()
            .cmp(&a.messages())
            .then_with(|| a.domain.is_none().cmp(&b.domain.is_none()))
            .then_with(|| a.domain.cmp(&b.domain))
    });
    rows
}

fn domain_facts(
    domain: Option<&str>,
    current: &DomainTally,
    earlier: Option<&DomainTally>,
) -> DomainFacts {
    let tls_percent = current.counts.encrypted_share();
    let previous_tls_percent = earlier.and_then(|e| e.counts.encrypted_share());
    DomainFacts {
        domain: domain.map(shown),
        counts: current.counts,
        tls_percent,
        min_tls_version: current.min_version().map(TlsVersion::as_str),
        max_tls_version: current.max_version().map(TlsVersion::as_str),
        most_common_tls_version: current.most_common_version().map(TlsVersion::as_str),
        tls_version_not_reported: current.mix.not_reported,
        first_seen: current.first_seen.map(iso_utc),
        last_seen: current.last_seen.map(iso_utc),
        weak_protocol_findings: current.weak_protocol,
        weak_cipher_findings: current.weak_cipher,
        previous_messages: earlier.map(|e| e.counts.total()),
        previous_tls_percent,
        tls_percent_change: change(tls_percent, previous_tls_percent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_patterns_shown() {
        let cases = [
            ("\\Junk", "\\Junk"),
            ("\\Trash", "\\Trash"),
            ("Archive/*", "Archive/*"),
            ("\\xFF", "\\\\xFF"),
            ("\\u{202E}", "\\\\u{202E}"),
            ("back\\slash", "back\\\\slash"),
            ("\\Junk\u{202E}", "\\\\Junk\\u{202E}"),
            ("\\", "\\\\"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(shown_pattern(pattern), expected, "pattern {pattern:?}");
        }
    }
}
