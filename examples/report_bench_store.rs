//! Builds a large synthetic store for the report benchmark, through the `Store` trait.
//!
//! ```sh
//! cargo run --release --example report_bench_store -- /tmp/report-bench 1000000 20000
//! /usr/bin/time -v target/release/hopaudit report --config /tmp/report-bench/hopaudit.toml \
//!     --out /tmp/report-bench/out
//! ```
//!
//! The store contains MESSAGES messages from DOMAINS sender domains (a few large senders and
//! a long tail), in two accounts and three folders, dated across 2025, each with three
//! Received hops. About 90 % are encrypted, 4 % plaintext, 5 % unverified and 1 % have no
//! boundary; 3 % carry a weak-protocol finding and 2 % are second copies of a Message-ID.
//! The mix is fixed by a simple generator, so every run builds the same store.

use std::path::Path;

use hopaudit::classify::{Boundary, Classification, Finding, Verdict, VerdictRule};
use hopaudit::hop::{Hop, HopDate, HopKind, TlsVersion};
use hopaudit::store::{
    ClassifiedMessage, FolderKey, ScanOutcome, ScanStart, ScanStatus, SqliteStore, Store,
    WindowCommit,
};

const WINDOW: u32 = 5000;
/// 2025-01-01T00:00:00Z.
const YEAR_START: i64 = 1_735_689_600;
const YEAR: i64 = 365 * 86_400;

/// A fixed linear congruential generator: enough spread for a synthetic mix.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn hop(index: usize, from: &str, by: &str, tls: Option<TlsVersion>, date: i64) -> Hop {
    let with = if tls.is_some() { "ESMTPS" } else { "ESMTP" };
    let raw = format!(
        "from {from} ({from} [198.51.100.{index}])\r\n\tby {by} with {with} id 4Q{date:x}{index}; Mon, 3 Feb 2025 10:00:00 +0000"
    );
    Hop {
        header_index: index,
        from_host: Some(from.to_string()),
        from_ip: Some(format!("198.51.100.{index}")),
        by_host: Some(by.to_string()),
        protocol: Some(with.to_string()),
        tls: tls.is_some(),
        tls_version: tls,
        tls_cipher: tls.map(|_| "TLS_AES_128_GCM_SHA256".to_string()),
        tls_evidence: tls.map(|_| format!("with {with}")),
        kind: HopKind::Relay,
        date: Some(HopDate {
            utc: date,
            offset_minutes: 0,
        }),
        parsed: true,
        raw: raw.into_bytes(),
    }
}

fn message(uid: u32, random: &mut Lcg, domains: u64) -> ClassifiedMessage {
    // Squaring a uniform draw gives a few large senders and a long tail.
    let draw = random.next() % 1_000_000;
    let domain = draw * draw / 1_000_000 * domains / 1_000_000;
    let sender = format!("sender{domain}.example");
    let date = YEAR_START + (random.next() as i64 % YEAR);
    let roll = random.next() % 100;
    let (verdict, rule, tls) = match roll {
        0..=89 => (
            Verdict::Encrypted,
            VerdictRule::TlsRecorded,
            Some(if roll < 60 {
                TlsVersion::Tls13
            } else if roll < 87 {
                TlsVersion::Tls12
            } else {
                TlsVersion::Tls10
            }),
        ),
        90..=93 => (Verdict::Plaintext, VerdictRule::NoTlsLearnedReceiver, None),
        94..=98 => (Verdict::Unverified, VerdictRule::NoTlsUnknownReceiver, None),
        _ => (Verdict::None, VerdictRule::NoBoundaryFound, None),
    };
    let findings = match tls {
        Some(TlsVersion::Tls10) => vec![Finding::WeakProtocol {
            header_index: 1,
            version: TlsVersion::Tls10,
        }],
        _ => vec![],
    };
    let hops = vec![
        hop(
            0,
            "mx1.org.example",
            "store.org.example",
            Some(TlsVersion::Tls13),
            date + 3,
        ),
        hop(
            1,
            &format!("out.{sender}"),
            "mx1.org.example",
            tls,
            date + 1,
        ),
        hop(
            2,
            &format!("client.{sender}"),
            &format!("out.{sender}"),
            Some(TlsVersion::Tls12),
            date,
        ),
    ];
    // 2 % reuse an earlier Message-ID, like Gmail's All Mail copies.
    let id_number = if random.next() % 50 == 0 {
        uid / 2
    } else {
        uid
    };
    ClassifiedMessage {
        uid,
        header_bytes: 1200,
        classification: Classification {
            sender_domain: Some(sender.clone()),
            message_id: Some(format!("<{id_number}.bench@{sender}>")),
            date_utc: Some(date),
            hops,
            boundary: Boundary {
                header_index: (verdict != Verdict::None).then_some(1),
                verdict,
                rule,
            },
            path: verdict,
            findings,
        },
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("/tmp/report-bench"),
    );
    let total: u32 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let domains: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    std::fs::create_dir_all(dir).expect("create the benchmark folder");
    let db = dir.join("hopaudit.sqlite");
    let _ = std::fs::remove_file(&db);
    let mut store = SqliteStore::open(&db).expect("open the store");
    let accounts = vec!["bench-a".to_string(), "bench-b".to_string()];
    let scan = store
        .begin_scan(&ScanStart {
            command: "scan".into(),
            started_at: YEAR_START + YEAR,
            version: "bench".into(),
            config_digest: None,
            accounts,
        })
        .expect("begin scan");
    let folders = [
        ("bench-a", "INBOX", total / 2),
        ("bench-a", "Archive", total / 4),
        ("bench-b", "INBOX", total - total / 2 - total / 4),
    ];
    let mut random = Lcg(42);
    for (account, name, count) in folders {
        let key = FolderKey {
            account: account.into(),
            folder: name.into(),
        };
        store.open_folder(scan, &key, 1).expect("open folder");
        let mut uid = 1;
        while uid <= count {
            let last = (uid + WINDOW - 1).min(count);
            let messages = (uid..=last)
                .map(|u| message(u, &mut random, domains))
                .collect();
            store
                .commit_window(&WindowCommit {
                    scan,
                    folder: key.clone(),
                    uid_validity: 1,
                    highest_uid: last,
                    messages,
                    failures: vec![],
                })
                .expect("commit window");
            uid = last + 1;
        }
    }
    let outcome = ScanOutcome {
        finished_at: YEAR_START + YEAR + 3600,
        status: ScanStatus::Complete,
        messages_seen: u64::from(total),
        messages_new: u64::from(total),
        errors: 0,
    };
    store.finish_scan(scan, &outcome).expect("finish scan");
    let config = "database = \"hopaudit.sqlite\"\n[organization]\nname = \"Benchmark Org\"\ndomains = [\"org.example\"]\n";
    std::fs::write(dir.join("hopaudit.toml"), config).expect("write the config");
    println!("{}", dir.join("hopaudit.toml").display());
}
