//! Store write speed: 100,000 messages of 7 hops each through `commit_window`, in windows
//! of 2,000, into a real database file.
//!
//! Run: `cargo bench --bench store_commit`. `HOPAUDIT_BENCH_MESSAGES` changes the count and
//! `HOPAUDIT_BENCH_DIR` the folder of the database file (default: the system temp folder).
//! Windows are built before the clock starts, so only the store is measured.

use std::time::Instant;

use hopaudit::classify::{Boundary, Classification, Finding, Verdict, VerdictRule};
use hopaudit::hop::{Hop, HopDate, HopKind, TlsVersion};
use hopaudit::store::{
    ClassifiedMessage, FolderKey, ScanId, ScanOutcome, ScanStart, ScanStatus, SqliteStore, Store,
    WindowCommit,
};

const HOPS: usize = 7;
const WINDOW: u32 = 2_000;

fn hop(uid: u32, index: usize) -> Hop {
    let tls = !(uid as usize + index).is_multiple_of(5);
    let by = format!("mx{}.relay{}.example", index, uid % 20);
    let from = format!("out{}.sender{}.example", index, uid % 97);
    let raw = format!(
        "from {from} ({from} [192.0.2.{}]) by {by} with {} id {uid:08x}{index}; Thu, 7 Mar 2024 09:15:02 +0000",
        uid % 250,
        if tls { "ESMTPS" } else { "ESMTP" }
    );
    Hop {
        header_index: index,
        from_host: Some(from),
        from_ip: Some(format!("192.0.2.{}", uid % 250)),
        by_host: Some(by),
        protocol: Some(if tls { "ESMTPS" } else { "ESMTP" }.into()),
        tls,
        tls_version: tls.then_some(TlsVersion::Tls13),
        tls_cipher: tls.then(|| "TLS_AES_256_GCM_SHA384".into()),
        tls_evidence: tls.then(|| "with ESMTPS".into()),
        kind: HopKind::Relay,
        date: Some(HopDate {
            utc: 1_709_802_902,
            offset_minutes: 0,
        }),
        parsed: true,
        raw: raw.into_bytes(),
    }
}

fn message(uid: u32) -> ClassifiedMessage {
    let hops: Vec<Hop> = (0..HOPS).map(|i| hop(uid, i)).collect();
    let tls = hops[3].tls;
    let verdict = if tls {
        Verdict::Encrypted
    } else {
        Verdict::Unverified
    };
    ClassifiedMessage {
        uid,
        header_bytes: 2_400,
        classification: Classification {
            sender_domain: Some(format!("sender{}.example", uid % 97)),
            message_id: Some(format!("<{uid}@sender.example>")),
            date_utc: Some(1_709_802_902),
            hops,
            boundary: Boundary {
                header_index: Some(3),
                verdict,
                rule: if tls {
                    VerdictRule::TlsRecorded
                } else {
                    VerdictRule::NoTlsUnknownReceiver
                },
            },
            path: verdict,
            findings: if uid.is_multiple_of(10) {
                vec![Finding::WeakProtocol {
                    header_index: 1,
                    version: TlsVersion::Tls10,
                }]
            } else {
                Vec::new()
            },
        },
    }
}

fn main() {
    let total: u32 = std::env::var("HOPAUDIT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let base = std::env::var_os("HOPAUDIT_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temp folder");
    let path = dir.path().join("bench.sqlite");
    let mut store = SqliteStore::open(&path).expect("open store");
    let scan = store
        .begin_scan(&ScanStart {
            command: "bench".into(),
            started_at: 0,
            version: "bench".into(),
            config_digest: None,
            accounts: vec!["bench".into()],
        })
        .expect("begin scan");
    let folder = FolderKey {
        account: "bench".into(),
        folder: "INBOX".into(),
    };
    store.open_folder(scan, &folder, 1).expect("open folder");
    let windows = build_windows(scan, &folder, total);

    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let wait_before = run_queue_seconds();
    for window in &windows {
        store.commit_window(window).expect("commit");
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let waited = run_queue_seconds()
        .zip(wait_before)
        .map(|(after, before)| after - before);
    finish(&mut store, scan, total);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "store_commit: {total} messages, {} hops, windows of {WINDOW}: {seconds:.2} s, {:.0} messages/s, {:.0} hops/s, database {:.1} MB",
        u64::from(total) * HOPS as u64,
        f64::from(total) / seconds,
        f64::from(total) * HOPS as f64 / seconds,
        size as f64 / 1e6
    );
    if let Some(cpu) = cpu {
        // On a busy machine the wall-clock rate understates the store; CPU time on this
        // thread shows what the store itself costs.
        println!(
            "store_commit: {cpu:.2} s on CPU, {:.2} s waiting for a CPU, {:.0} messages per CPU second",
            waited.unwrap_or(0.0),
            f64::from(total) / cpu
        );
    }
}

/// Returns the CPU time this thread has used, from Linux's `/proc/thread-self/schedstat`
/// (its first field is nanoseconds on CPU); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    schedstat_field(0)
}

/// Returns the time this thread has spent runnable but waiting for a CPU (the second
/// field of `schedstat`).
fn run_queue_seconds() -> Option<f64> {
    schedstat_field(1)
}

fn schedstat_field(index: usize) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = text.split_whitespace().nth(index)?.parse().ok()?;
    Some(nanos / 1e9)
}

fn build_windows(scan: ScanId, folder: &FolderKey, total: u32) -> Vec<WindowCommit> {
    (0..total.div_ceil(WINDOW))
        .map(|w| {
            let first = w * WINDOW + 1;
            let last = (first + WINDOW - 1).min(total);
            WindowCommit {
                scan,
                folder: folder.clone(),
                uid_validity: 1,
                highest_uid: last,
                messages: (first..=last).map(message).collect(),
                failures: Vec::new(),
            }
        })
        .collect()
}

fn finish(store: &mut SqliteStore, scan: ScanId, total: u32) {
    let outcome = ScanOutcome {
        finished_at: 0,
        status: ScanStatus::Complete,
        messages_seen: u64::from(total),
        messages_new: u64::from(total),
        errors: 0,
    };
    store.finish_scan(scan, &outcome).expect("finish scan");
}
