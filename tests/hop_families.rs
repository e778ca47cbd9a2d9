//! Data-driven tests of the hop parser: one table per server family under
//! `tests/data/hops/`, each case a made-up header line and the fields it must give. Every
//! case runs with LF and with CRLF folding.

mod common;

use std::fs;
use std::path::Path;

use hopaudit::hop::{self, Hop};
use serde_json::Value;

const FIELDS: [&str; 8] = [
    "from_host",
    "from_ip",
    "by_host",
    "protocol",
    "tls",
    "tls_version",
    "tls_cipher",
    "kind",
];

fn field(hop: &Hop, name: &str) -> Value {
    match name {
        "from_host" => hop.from_host.clone().into(),
        "from_ip" => hop.from_ip.clone().into(),
        "by_host" => hop.by_host.clone().into(),
        "protocol" => hop.protocol.clone().into(),
        "tls" => hop.tls.into(),
        "tls_version" => hop.tls_version.map(|v| v.as_str()).into(),
        "tls_cipher" => hop.tls_cipher.clone().into(),
        "kind" => hop.kind.as_str().into(),
        _ => unreachable!("unknown field {name}"),
    }
}

/// Runs every case of every table and returns how many checks ran.
fn run_tables(dir: &Path) -> usize {
    let mut checks = 0;
    let mut failures = Vec::new();
    let mut tables: Vec<_> = fs::read_dir(dir)
        .expect("read table folder")
        .map(|e| e.unwrap().path())
        .collect();
    tables.sort();
    for table in tables {
        let cases: Vec<Value> = serde_json::from_slice(&fs::read(&table).unwrap())
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", table.display()));
        for case in &cases {
            let line = case["line"].as_str().expect("case has a line");
            for (ending, text) in [
                ("LF", line.replace("\r\n", "\n")),
                ("CRLF", common::to_crlf(line)),
            ] {
                let hop = hop::parse(text.as_bytes(), 0);
                assert!(
                    hop.parsed,
                    "{}: not parsed ({ending}): {line}",
                    table.display()
                );
                assert_eq!(hop.raw, text.as_bytes());
                for name in FIELDS.iter().filter(|n| case.get(**n).is_some()) {
                    checks += 1;
                    let got = field(&hop, name);
                    if got != case[*name] {
                        failures.push(format!(
                            "{} ({ending}) {name}: want {}, got {got}\n    {line}",
                            table.file_name().unwrap().to_string_lossy(),
                            case[*name]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checks
}

#[test]
fn family_tables() {
    let checks = run_tables(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hops"));
    assert!(checks > 200, "only {checks} checks ran");
}
