//! `hopaudit report` end to end: the binary, a config file, the fixture store and the
//! files it writes.

mod report_fixture;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ACCOUNTS: &[&str] = &["clinic-ops", "frontdesk", "billing-archive"];

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    report_fixture::build(&root.join("audit.sqlite"));
    let mut text = String::from(
        "database = \"audit.sqlite\"\n[organization]\nname = \"Example Clinic\"\ndomains = [\"org.example\"]\n[report]\npass_threshold = 60.0\nprepared_by = \"A. Officer\"\n",
    );
    for name in ACCOUNTS {
        text.push_str(&format!(
            "[[accounts]]\nname = \"{name}\"\nhost = \"127.0.0.1\"\nsecurity = \"tls\"\nusername = \"{name}\"\npassword_env = \"UNUSED_PASSWORD\"\n"
        ));
    }
    let config = root.join("hopaudit.toml");
    std::fs::write(&config, text).unwrap();
    Setup {
        _dir: dir,
        root,
        config,
    }
}

fn report(setup: &Setup, extra: &[&str]) -> Output {
    run_report(setup, &["--quiet"], extra)
}

/// Runs the report with its warnings and log lines on standard error.
fn report_logged(setup: &Setup, extra: &[&str]) -> Output {
    run_report(setup, &[], extra)
}

fn run_report(setup: &Setup, global: &[&str], extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(global)
        .arg("report")
        .arg("--config")
        .arg(&setup.config)
        .args(extra)
        .env(
            "SOURCE_DATE_EPOCH",
            report_fixture::GENERATED_AT.to_string(),
        )
        .env_remove("HOPAUDIT_LOG")
        .output()
        .unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// Data rows of a CSV file (without the header row).
fn rows(dir: &Path, name: &str) -> Vec<String> {
    read(dir, name).lines().skip(1).map(String::from).collect()
}

#[test]
fn default_folder_is_dated_and_never_reused() {
    let setup = setup();
    let first = report(&setup, &[]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let dir = setup.root.join("reports/2026-04-02");
    let printed = String::from_utf8(first.stdout).unwrap();
    assert_eq!(printed.lines().count(), 7);
    assert!(
        printed
            .lines()
            .all(|line| line.starts_with(dir.to_str().unwrap()))
    );
    for name in [
        "report.html",
        "report.json",
        "domains.csv",
        "messages.csv",
        "hops.csv",
        "findings.csv",
        "SHA256SUMS",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    let second = report(&setup, &[]);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        setup
            .root
            .join("reports/2026-04-02-2/report.html")
            .is_file()
    );
}

#[test]
fn checksums_verify_with_sha256sum() {
    let setup = setup();
    let out = setup.root.join("out");
    let run = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0));
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .expect("sha256sum (GNU coreutils) must be installed");
    assert!(check.status.success(), "{check:?}");
    let listed = String::from_utf8(check.stdout).unwrap();
    assert_eq!(listed.matches(": OK").count(), 6, "{listed}");
}

#[test]
fn fail_below_exits_three_after_writing() {
    let setup = setup();
    let out = setup.root.join("out");
    // From 2026-01-01 to 2026-03-31: 10 counted messages, 7 encrypted, 70 %.
    let period = ["--since", "2026-01-01", "--before", "2026-04-01"];
    let below = report(
        &setup,
        &[
            &["--out", out.to_str().unwrap(), "--fail-below", "70.1"][..],
            &period,
        ]
        .concat(),
    );
    assert_eq!(below.status.code(), Some(3));
    assert!(out.join("SHA256SUMS").is_file());
    let out_at = setup.root.join("out-at");
    let at = report(
        &setup,
        &[
            &["--out", out_at.to_str().unwrap(), "--fail-below", "70"][..],
            &period,
        ]
        .concat(),
    );
    assert_eq!(at.status.code(), Some(0));
    let out_of_range = report(&setup, &["--fail-below", "170"]);
    assert_eq!(out_of_range.status.code(), Some(2));
}

#[test]
fn threshold_sets_pass_line() {
    let setup = setup();
    let out = setup.root.join("out");
    report(&setup, &["--out", out.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert_eq!(json["summary"]["pass_threshold"], 60.0);
    assert_eq!(json["summary"]["result"], "pass");
    assert!(read(&out, "report.html").contains(">PASS</span>"));
}

#[test]
fn recipients_shown_without_redaction() {
    let setup = setup();
    let out = setup.root.join("out");
    let run = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0));
    for (name, shown) in [
        ("hops.csv", "for <jane.doe@org.example>"),
        ("findings.csv", "for <jane.doe@org.example>"),
        ("report.json", "for <jane.doe@org.example>"),
        ("report.html", "for &#60;jane.doe@org.example&#62;"),
    ] {
        let text = read(&out, name);
        assert!(text.contains(shown), "{name} lacks {shown}");
    }
}

#[test]
fn redaction_removes_every_account_name() {
    let setup = setup();
    let out = setup.root.join("out");
    let run = report(
        &setup,
        &["--out", out.to_str().unwrap(), "--redact-accounts"],
    );
    assert_eq!(run.status.code(), Some(0));
    let mut files = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for name in ACCOUNTS {
            assert!(!text.contains(name), "{} contains {name}", path.display());
        }
        files += 1;
    }
    assert_eq!(files, 7);
    for (name, masked) in [
        ("hops.csv", "for <[redacted]@org.example>"),
        ("findings.csv", "for <[redacted]@org.example>"),
        ("report.json", "for <[redacted]@org.example>"),
        ("report.html", "for &#60;[redacted]@org.example&#62;"),
    ] {
        let text = read(&out, name);
        assert!(!text.contains("jane.doe"), "{name} names the recipient");
        assert!(text.contains(masked), "{name} lacks {masked}");
    }
    // Sorted real names: billing-archive, clinic-ops, frontdesk.
    assert!(read(&out, "messages.csv").contains("\r\naccount-2,INBOX,2,"));
    assert!(read(&out, "messages.csv").contains("\r\naccount-3,INBOX,1,"));
    assert!(read(&out, "report.json").contains("\"account-1\""));
}

#[test]
fn account_selection() {
    let setup = setup();
    let out = setup.root.join("out");
    let run = report(
        &setup,
        &[
            "--out",
            out.to_str().unwrap(),
            "--account",
            "frontdesk",
            "--since",
            "2026-01-01",
        ],
    );
    assert_eq!(run.status.code(), Some(0));
    let messages = rows(&out, "messages.csv");
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .all(|row| row.starts_with("frontdesk,INBOX,"))
    );
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert_eq!(json["messages"]["other_accounts"], 12);
    assert_eq!(json["messages"]["outside_period"], 1);
    assert_eq!(json["messages"]["counted"], 2);
    assert_eq!(json["accounts_not_scanned"], serde_json::json!([]));
}

#[test]
fn domain_and_period_selection() {
    let setup = setup();
    let out = setup.root.join("out");
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--domain",
        "Sender-A.example",
        "--since",
        "2026-01-16",
        "--before",
        "2026-02-25",
    ];
    let run = report(&setup, &args);
    assert_eq!(run.status.code(), Some(0));
    let domains = rows(&out, "domains.csv");
    assert_eq!(domains.len(), 1);
    assert!(
        domains[0].starts_with("sender-a.example,3,3,0,0,100.0,TLSv1.2,TLSv1.3,"),
        "{}",
        domains[0]
    );
    let dates: Vec<String> = rows(&out, "messages.csv")
        .iter()
        .map(|row| row.split(',').nth(4).unwrap().to_string())
        .collect();
    assert_eq!(
        dates,
        [
            "2026-01-16T10:00:00Z",
            "2026-02-24T10:00:00Z",
            "2026-01-20T10:00:00Z"
        ]
    );
}

#[test]
fn empty_store_reports_no_data() {
    let setup = setup();
    std::fs::remove_file(setup.root.join("audit.sqlite")).unwrap();
    hopaudit::store::SqliteStore::open(&setup.root.join("audit.sqlite")).unwrap();
    let out = setup.root.join("out");
    let run = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert_eq!(json["summary"]["result"], "no_data");
    assert_eq!(
        json["summary"]["encrypted_percent"],
        serde_json::Value::Null
    );
    assert_eq!(rows(&out, "messages.csv").len(), 0);
    assert!(read(&out, "report.html").contains(">NO DATA</span>"));
    let gated_out = setup.root.join("out-gated");
    let gated = report(
        &setup,
        &["--out", gated_out.to_str().unwrap(), "--fail-below", "1"],
    );
    assert_eq!(gated.status.code(), Some(3));
}

#[test]
fn missing_database_is_an_error() {
    let setup = setup();
    std::fs::remove_file(setup.root.join("audit.sqlite")).unwrap();
    let run = report(&setup, &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no database yet"));
    assert!(!setup.root.join("audit.sqlite").exists());
}

#[test]
fn invalid_options_are_rejected() {
    let setup = setup();
    let unknown = report(&setup, &["--account", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"nobody\""));
    let bad_date = report(&setup, &["--since", "2026-02-30"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn unmatched_domain_warns() {
    let setup = setup();
    let out = setup.root.join("out");
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--domain",
        "nosuch.example",
        "--domain",
        "Sender-A.example",
    ];
    let run = report_logged(&setup, &args);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("no counted message is from these --domain values"),
        "{stderr}"
    );
    assert!(stderr.contains("nosuch.example"), "{stderr}");
    assert!(!stderr.contains("sender-a.example"), "{stderr}");
    assert!(!rows(&out, "messages.csv").is_empty());
}

#[test]
fn explicit_out_never_overwrites_a_report() {
    let setup = setup();
    let out = setup.root.join("out");
    let first = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(0));
    let before = read(&out, "SHA256SUMS");
    let again = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already holds a report"), "{stderr}");
    assert_eq!(read(&out, "SHA256SUMS"), before);
}

#[test]
fn unwritable_out_names_the_cause_once() {
    let setup = setup();
    let blocker = setup.root.join("blocker");
    std::fs::write(&blocker, "a file, not a folder").unwrap();
    let out = blocker.join("out");
    let run = report(&setup, &["--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Not a directory"), "{stderr}");
    assert_eq!(stderr.matches("Not a directory").count(), 1, "{stderr}");
    assert!(
        stderr.contains("check that the folder is writable"),
        "{stderr}"
    );
}
