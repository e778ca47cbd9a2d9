//! Every report file, rendered from the fixture store, compared byte for byte with
//! `tests/snapshots/`. On a mismatch the actual file is written beside the snapshot as
//! `NAME.actual`; review it, then accept all with
//! `HOPAUDIT_UPDATE_SNAPSHOTS=1 cargo test --test report_snapshots`.

mod report_fixture;

use std::path::{Path, PathBuf};

use hopaudit::report::{self, FolderRules, Period, ReportOptions};
use hopaudit::store::SqliteStore;

const FILES: &[&str] = &[
    "domains.csv",
    "messages.csv",
    "hops.csv",
    "findings.csv",
    "report.json",
    "report.html",
    "SHA256SUMS",
];

fn options() -> ReportOptions {
    let period = Period::parse(Some("2026-01-01"), Some("2026-04-01")).unwrap();
    let mut options = report_fixture::options(period);
    options.configured_accounts = vec![
        "clinic-ops".into(),
        "frontdesk".into(),
        "billing-archive".into(),
    ];
    options.sign_off.prepared_by = Some("A. Officer".into());
    options.folder_rules = vec![
        FolderRules {
            account: "clinic-ops".into(),
            folders: vec!["INBOX".into(), "Archive/*".into()],
            exclude_folders: vec!["\\Junk".into(), "\\Trash".into()],
        },
        FolderRules {
            account: "frontdesk".into(),
            folders: vec!["*".into()],
            exclude_folders: vec![],
        },
    ];
    options
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

#[test]
fn renderers_match_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite");
    report_fixture::build(&db);
    let store = SqliteStore::open(&db).unwrap();
    let out = dir.path().join("out");
    let outcome = report::write_report(&store, &options(), &out).unwrap();
    assert_eq!(outcome.files.len(), FILES.len());
    let update = std::env::var_os("HOPAUDIT_UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    for name in FILES {
        let actual = std::fs::read(out.join(name)).unwrap();
        let expected_path = snapshot_dir().join(name);
        let actual_path = snapshot_dir().join(format!("{name}.actual"));
        if update {
            std::fs::create_dir_all(snapshot_dir()).unwrap();
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read(&expected_path).unwrap_or_default();
        if expected == actual {
            let _ = std::fs::remove_file(&actual_path);
        } else {
            std::fs::write(&actual_path, &actual).unwrap();
            mismatched.push(actual_path.display().to_string());
        }
    }
    assert!(
        mismatched.is_empty(),
        "report files differ from their snapshots; compare {} with the snapshots beside them, \
         then accept with HOPAUDIT_UPDATE_SNAPSHOTS=1 cargo test --test report_snapshots",
        mismatched.join(", ")
    );
}

#[test]
fn same_store_gives_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite");
    report_fixture::build(&db);
    let store = SqliteStore::open(&db).unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    report::write_report(&store, &options(), &first).unwrap();
    report::write_report(&store, &options(), &second).unwrap();
    for name in FILES {
        let a = std::fs::read(first.join(name)).unwrap();
        let b = std::fs::read(second.join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }
}
