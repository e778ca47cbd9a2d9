//! Hostile header text must be inert in every report file: escaped in HTML, neutralized in
//! CSV, valid in JSON, with control and bidirectional characters shown as escapes.

mod report_fixture;

use hopaudit::classify::{Finding, Verdict, VerdictRule};
use hopaudit::hop::TlsVersion;
use hopaudit::report::{self, Period, ReportOptions};
use hopaudit::store::{ScanStart, SqliteStore, Store};
use report_fixture::{Mail, commit, folder, hop};

const RLO: char = '\u{202E}';

fn hostile_mail() -> Mail {
    let mut mail = Mail::new(1, "evil.test\"><script>alert(1)</script>", 3, None);
    mail.message_id = Some("=HYPERLINK(\"javascript:alert(1)\")".into());
    mail.verdict = Verdict::Unverified;
    mail.rule = VerdictRule::NoTlsUnknownReceiver;
    let long_host = format!("{}.test", "a".repeat(300));
    let mut boundary = hop(
        1,
        &long_host,
        &format!("mx.org.example{RLO}gpj.exe"),
        None,
        0,
    );
    let mut raw =
        b"from <script>alert('x')</script> \"quoted\" javascript:alert(1)\0nul\x1b[31m ".to_vec();
    raw.extend_from_slice(b"\xff\xfe bad utf8 ");
    raw.extend_from_slice(format!("{RLO}reversed\r\n\tby mx.org.example").as_bytes());
    boundary.raw = raw;
    boundary.tls_cipher = Some("-2+3".into());
    let mut outside = hop(
        2,
        "@evil.test",
        "+relay.test",
        Some(Some(TlsVersion::Tls10)),
        0,
    );
    outside.tls_cipher = Some("=1+2".into());
    mail.hops = Some(vec![
        hop(0, "mx.org.example", "store.org.example", None, 0),
        boundary,
        outside,
    ]);
    mail.findings = vec![Finding::WeakCipher {
        header_index: 2,
        cipher: "=1+2".into(),
    }];
    mail
}

fn build(path: &std::path::Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let scan = store
        .begin_scan(&ScanStart {
            command: "scan".into(),
            started_at: report_fixture::JAN_15,
            version: "<b>0.1</b>".into(),
            config_digest: None,
            accounts: vec!["-ops".into()],
        })
        .unwrap();
    commit(
        &mut store,
        scan,
        &folder("-ops", "@SUM(1+1)\u{202E}"),
        vec![hostile_mail()],
    );
}

fn options() -> ReportOptions {
    let mut options = report_fixture::options(Period::default());
    options.organization.name = Some("<img src=x onerror=alert(1)>".into());
    options
}

fn has_hidden_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c == RLO || c == '\0' || c == '\u{1b}' || c == '\u{fffd}')
}

/// Writes the report of the hostile store into a new temporary folder; the folder is
/// removed when the returned guard is dropped.
fn write_hostile_report() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.sqlite");
    build(&db);
    let store = SqliteStore::open(&db).unwrap();
    let out = dir.path().join("out");
    report::write_report(&store, &options(), &out).unwrap();
    (dir, out)
}

#[test]
fn hostile_text_is_inert_everywhere() {
    let (_dir, out) = write_hostile_report();

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"));
    assert!(!html.contains("href="));
    assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"));
    assert!(html.contains("\\u{202E}reversed"));
    assert!(html.contains("\\u{0}nul\\u{1B}[31m"));
    assert!(html.contains("\\xFF\\xFE bad utf8"));
    assert!(!has_hidden_characters(&html));

    let json_text = std::fs::read_to_string(out.join("report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert!(!has_hidden_characters(&json_text));
    let raw = json["exceptions"]["listed"][0]["evidence"][0]["raw"]
        .as_str()
        .unwrap();
    assert!(
        raw.starts_with("from <script>alert('x')</script> \"quoted\" javascript:alert(1)\\u{0}nul"),
        "{raw}"
    );
    assert!(
        raw.ends_with("\\u{202E}reversed\tby mx.org.example"),
        "{raw}"
    );

    let mut cells = 0;
    for name in ["domains.csv", "messages.csv", "hops.csv", "findings.csv"] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(!has_hidden_characters(&text), "{name}");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!risky, "{name}: formula-like cell {cell:?}");
            }
        }
    }
    assert!(cells > 100);
    let messages = std::fs::read_to_string(out.join("messages.csv")).unwrap();
    assert!(
        messages
            .contains("'-ops,'@SUM(1+1)\\u{202E},1,\"'=HYPERLINK(\"\"javascript:alert(1)\"\")\","),
        "{messages}"
    );
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    assert!(
        findings.contains(",weak_cipher,2,outside,'=1+2,"),
        "{findings}"
    );
}

#[test]
fn unfinished_scan_is_flagged() {
    // The hostile store was written by a scan that never finished.
    let (_dir, out) = write_hostile_report();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<strong>Not every scan completed:</strong> 1 (running)."),
        "no warning about the running scan"
    );
}
