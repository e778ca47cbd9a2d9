//! A small audit store for report tests, built through the `Store` trait with hand-made
//! classifications: two accounts, three folders, two scans, and one message of each kind
//! a report must handle (encrypted, plaintext, unverified, no boundary, weak protocol and
//! cipher, version not reported, duplicate, expunged, no Received header, undated).

#![allow(dead_code)]

use std::path::Path;

use hopaudit::classify::{Boundary, Classification, Finding, Verdict, VerdictRule};
use hopaudit::config::Organization;
use hopaudit::hop::{Hop, HopDate, HopKind, TlsVersion};
use hopaudit::report::{Period, ReportOptions, Scope, SignOff};
use hopaudit::store::{
    ClassifiedMessage, FolderKey, MessageFailure, RunError, ScanId, ScanOutcome, ScanStart,
    ScanStatus, SqliteStore, Store, WindowCommit,
};

/// 2026-01-15T10:00:00Z.
pub const JAN_15: i64 = 1_768_471_200;
/// 2026-04-02T08:00:00Z, the generation time of every test report.
pub const GENERATED_AT: i64 = 1_775_116_800;
pub const DAY: i64 = 86_400;
/// The envelope recipient named in every Received line's `for` clause.
pub const RECIPIENT: &str = "jane.doe@org.example";

/// A relay hop received by `by`; `tls` is `None` for no TLS, `Some(None)` for TLS without
/// a version.
pub fn hop(index: usize, from: &str, by: &str, tls: Option<Option<TlsVersion>>, date: i64) -> Hop {
    let raw = format!(
        "from {from} ({from} [192.0.2.{}])\r\n\tby {by} with {} id A{index}\r\n\tfor <{RECIPIENT}>; {date}",
        10 + index,
        if tls.is_some() { "ESMTPS" } else { "ESMTP" }
    );
    Hop {
        header_index: index,
        from_host: Some(from.into()),
        from_ip: Some(format!("192.0.2.{}", 10 + index)),
        by_host: Some(by.into()),
        protocol: Some(if tls.is_some() { "ESMTPS" } else { "ESMTP" }.into()),
        tls: tls.is_some(),
        tls_version: tls.flatten(),
        tls_cipher: tls.flatten().map(|_| "TLS_AES_256_GCM_SHA384".into()),
        tls_evidence: tls.map(|_| "with ESMTPS".into()),
        kind: HopKind::Relay,
        date: Some(HopDate {
            utc: date,
            offset_minutes: 60,
        }),
        parsed: true,
        raw: raw.into_bytes(),
    }
}

/// One message's classification: hops with the boundary at header index 1 (index 0 is the
/// organization's internal delivery hop).
pub struct Mail {
    pub uid: u32,
    pub sender: Option<&'static str>,
    pub message_id: Option<String>,
    pub date: Option<i64>,
    pub boundary_tls: Option<Option<TlsVersion>>,
    pub verdict: Verdict,
    pub rule: VerdictRule,
    pub findings: Vec<Finding>,
    pub hops: Option<Vec<Hop>>,
}

impl Mail {
    pub fn new(uid: u32, sender: &'static str, day: i64, tls: Option<Option<TlsVersion>>) -> Mail {
        let (verdict, rule) = match tls {
            Some(_) => (Verdict::Encrypted, VerdictRule::TlsRecorded),
            None => (Verdict::Unverified, VerdictRule::NoTlsUnknownReceiver),
        };
        Mail {
            uid,
            sender: Some(sender),
            message_id: Some(format!("<{uid}.{day}@{sender}>")),
            date: Some(JAN_15 + day * DAY),
            boundary_tls: tls,
            verdict,
            rule,
            findings: Vec::new(),
            hops: None,
        }
    }

    pub fn classified(self) -> ClassifiedMessage {
        let date = self.date.unwrap_or(JAN_15);
        let sender = self.sender.unwrap_or("unknown.invalid");
        let hops = self.hops.unwrap_or_else(|| {
            vec![
                hop(
                    0,
                    "mx1.org.example",
                    "store.org.example",
                    Some(Some(TlsVersion::Tls13)),
                    date + 5,
                ),
                hop(
                    1,
                    &format!("mail.{sender}"),
                    "mx1.org.example",
                    self.boundary_tls,
                    date + 2,
                ),
                hop(
                    2,
                    &format!("client.{sender}"),
                    &format!("mail.{sender}"),
                    Some(Some(TlsVersion::Tls12)),
                    date,
                ),
            ]
        });
        let boundary_index = (self.verdict != Verdict::None && !hops.is_empty()).then_some(1);
        ClassifiedMessage {
            uid: self.uid,
            header_bytes: 600,
            classification: Classification {
                sender_domain: self.sender.map(String::from),
                message_id: self.message_id,
                date_utc: self.date,
                hops,
                boundary: Boundary {
                    header_index: boundary_index,
                    verdict: self.verdict,
                    rule: self.rule,
                },
                path: self.verdict,
                findings: self.findings,
            },
        }
    }
}

fn start(at: i64, accounts: &[&str]) -> ScanStart {
    ScanStart {
        command: "scan".into(),
        started_at: at,
        version: "0.1.0".into(),
        config_digest: Some("0f".repeat(32)),
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
    }
}

pub fn folder(account: &str, name: &str) -> FolderKey {
    FolderKey {
        account: account.into(),
        folder: name.into(),
    }
}

/// Commits `mails` into one folder in one window.
pub fn commit(store: &mut SqliteStore, scan: ScanId, key: &FolderKey, mails: Vec<Mail>) {
    store.open_folder(scan, key, 1001).unwrap();
    let messages: Vec<ClassifiedMessage> = mails.into_iter().map(Mail::classified).collect();
    let highest_uid = messages.iter().map(|m| m.uid).max().unwrap_or(0);
    store
        .commit_window(&WindowCommit {
            scan,
            folder: key.clone(),
            uid_validity: 1001,
            highest_uid,
            messages,
            failures: vec![],
        })
        .unwrap();
}

fn finish(store: &mut SqliteStore, scan: ScanId, at: i64, status: ScanStatus, seen: u64) {
    store
        .finish_scan(
            scan,
            &ScanOutcome {
                finished_at: at,
                status,
                messages_seen: seen,
                messages_new: seen,
                errors: u64::from(status == ScanStatus::Partial),
            },
        )
        .unwrap();
}

/// The clinic-ops account's INBOX: one message of each verdict and finding.
fn compliance_inbox() -> Vec<Mail> {
    let mut plaintext = Mail::new(4, "plain.test", 20, None);
    plaintext.verdict = Verdict::Plaintext;
    plaintext.rule = VerdictRule::NoTlsLearnedReceiver;
    let mut weak = Mail::new(6, "old.test", 25, Some(Some(TlsVersion::Tls10)));
    weak.findings = vec![
        Finding::WeakProtocol {
            header_index: 1,
            version: TlsVersion::Tls10,
        },
        Finding::WeakCipher {
            header_index: 2,
            cipher: "RC4-SHA".into(),
        },
    ];
    let mut no_boundary = Mail::new(7, "elsewhere.test", 30, None);
    no_boundary.verdict = Verdict::None;
    no_boundary.rule = VerdictRule::NoBoundaryFound;
    let mut draft = Mail::new(8, "org.example", 31, None);
    draft.verdict = Verdict::None;
    draft.rule = VerdictRule::NoReceivedHeader;
    draft.hops = Some(vec![]);
    vec![
        Mail::new(1, "sender-a.example", 0, Some(Some(TlsVersion::Tls13))),
        Mail::new(2, "sender-a.example", 1, Some(Some(TlsVersion::Tls12))),
        Mail::new(3, "legacy.test", 3, Some(None)),
        plaintext,
        Mail::new(5, "unknown.test", 22, None),
        weak,
        no_boundary,
        draft,
        Mail::new(9, "sender-a.example", 40, Some(Some(TlsVersion::Tls13))),
        Mail::new(10, "gone.test", 41, Some(Some(TlsVersion::Tls12))),
    ]
}

/// Builds the fixture store at `path`.
pub fn build(path: &Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let first = store
        .begin_scan(&start(JAN_15 + 50 * DAY, &["clinic-ops"]))
        .unwrap();
    let inbox = folder("clinic-ops", "INBOX");
    commit(&mut store, first, &inbox, compliance_inbox());
    let mut copy = Mail::new(1, "sender-a.example", 0, Some(Some(TlsVersion::Tls13)));
    copy.uid = 1;
    let archive = folder("clinic-ops", "Archive/2026");
    commit(
        &mut store,
        first,
        &archive,
        vec![
            copy,
            Mail::new(2, "sender-b.example", -20, Some(Some(TlsVersion::Tls12))),
        ],
    );
    finish(
        &mut store,
        first,
        JAN_15 + 50 * DAY + 90,
        ScanStatus::Complete,
        12,
    );

    let second = store
        .begin_scan(&start(JAN_15 + 60 * DAY, &["clinic-ops", "frontdesk"]))
        .unwrap();
    store
        .mark_missing(&inbox, 1001, &[1, 2, 3, 4, 5, 6, 7, 8, 9])
        .unwrap();
    let frontdesk = folder("frontdesk", "INBOX");
    let mut undated = Mail::new(2, "sender-b.example", 0, None);
    undated.sender = None;
    undated.date = None;
    commit(
        &mut store,
        second,
        &frontdesk,
        vec![
            Mail::new(1, "sender-a.example", 5, Some(Some(TlsVersion::Tls13))),
            undated,
            Mail::new(3, "sender-b.example", 45, Some(Some(TlsVersion::Tls13))),
        ],
    );
    store
        .commit_window(&WindowCommit {
            scan: second,
            folder: frontdesk.clone(),
            uid_validity: 1001,
            highest_uid: 4,
            messages: vec![],
            failures: vec![MessageFailure {
                uid: 4,
                reason: "server returned no header for UID 4".into(),
            }],
        })
        .unwrap();
    store
        .record_error(
            second,
            &RunError {
                account: Some("frontdesk".into()),
                folder: Some("Junk".into()),
                uid_validity: None,
                uid: None,
                at: JAN_15 + 60 * DAY,
                message: "SELECT Junk failed: NO [NONEXISTENT]".into(),
            },
        )
        .unwrap();
    finish(
        &mut store,
        second,
        JAN_15 + 60 * DAY + 30,
        ScanStatus::Partial,
        4,
    );
}

/// Report options for the fixture organization: every account and domain over `period`,
/// with a fixed generation time.
pub fn options(period: Period) -> ReportOptions {
    ReportOptions {
        scope: Scope {
            period,
            accounts: vec![],
            domains: vec![],
            dedupe_message_id: true,
        },
        organization: Organization {
            name: Some("Example Clinic".into()),
            domains: vec!["org.example".into()],
            gateways: vec![],
        },
        configured_accounts: vec![],
        folder_rules: vec![],
        redact_accounts: false,
        pass_threshold: 95.0,
        sign_off: SignOff::default(),
        generated_at: GENERATED_AT,
        version: "0.1.0".into(),
    }
}
