//! Agreement of the classifier with the labelled real-world headers in the shared corpus.
//! Prints agreement per field and per server family; run with `--nocapture` to see it.

mod common;

use std::collections::BTreeMap;
use std::fs;

use hopaudit::classify::{NoKnowledge, Policy, classify};
use hopaudit::hop::{self, Hop};
use serde_json::Value;

const FIELDS: [&str; 8] = [
    "tls",
    "tls_version",
    "tls_cipher",
    "from_host",
    "from_ip",
    "by_host",
    "kind",
    "protocol",
];

/// Minimum agreement per field, in percent.
const THRESHOLDS: [(&str, f64); 5] = [
    ("tls", 100.0),
    ("tls_version", 100.0),
    ("from_host", 98.0),
    ("from_ip", 98.0),
    ("by_host", 98.0),
];

fn actual(hop: &Hop, field: &str) -> Value {
    match field {
        "tls" => Value::Bool(hop.tls),
        "tls_version" => hop.tls_version.map(|v| v.as_str()).into(),
        "tls_cipher" => hop.tls_cipher.clone().into(),
        "from_host" => hop.from_host.clone().into(),
        "from_ip" => hop.from_ip.clone().into(),
        "by_host" => hop.by_host.clone().into(),
        "kind" => hop.kind.as_str().into(),
        "protocol" => hop.protocol.clone().into(),
        _ => unreachable!("unknown field {field}"),
    }
}

fn expected<'a>(labels: &'a Value, field: &str) -> &'a Value {
    let key = if field == "kind" { "hop_kind" } else { field };
    &labels[key]
}

#[derive(Default)]
struct Tally {
    agree: BTreeMap<&'static str, usize>,
    total: usize,
}

impl Tally {
    fn percent(&self, field: &str) -> f64 {
        100.0 * *self.agree.get(field).unwrap_or(&0) as f64 / self.total.max(1) as f64
    }
}

#[test]
fn single_headers_agree_with_labels() {
    let path = common::shared_dir().join("corpus/received.jsonl");
    let text = fs::read_to_string(&path).expect("read received.jsonl");
    let mut overall = Tally::default();
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("corpus line is JSON");
        let header = case["header"].as_str().expect("header is a string");
        let hop = hop::parse(header.as_bytes(), 0);
        let family = case["mta"].as_str().unwrap_or("unknown").to_string();
        let tally = by_family.entry(family).or_default();
        overall.total += 1;
        tally.total += 1;
        for field in FIELDS {
            let (want, got) = (expected(&case["expect"], field), actual(&hop, field));
            if *want == got {
                *overall.agree.entry(field).or_default() += 1;
                *tally.agree.entry(field).or_default() += 1;
            } else {
                mismatches.push(format!("{} {field}: label {want}, got {got}", case["id"]));
            }
        }
    }
    assert!(
        overall.total > 400,
        "only {} corpus headers ran",
        overall.total
    );
    print_table(
        "field agreement over all headers",
        &[("all".to_string(), &overall)],
    );
    let families: Vec<(String, &Tally)> = by_family.iter().map(|(k, v)| (k.clone(), v)).collect();
    print_table("agreement per server family", &families);
    println!("mismatches ({}):", mismatches.len());
    for line in &mismatches {
        println!("  {line}");
    }
    for (field, minimum) in THRESHOLDS {
        let got = overall.percent(field);
        assert!(
            got >= minimum,
            "{field}: {got:.1}% agreement, below {minimum}%"
        );
    }
}

fn print_table(title: &str, rows: &[(String, &Tally)]) {
    println!("{title}");
    println!(
        "{:<16} {:>5} {}",
        "family",
        "n",
        FIELDS.map(|f| format!("{f:>12}")).join("")
    );
    for (name, tally) in rows {
        let cells: String = FIELDS
            .iter()
            .map(|f| format!("{:>11.1}%", tally.percent(f)))
            .collect();
        println!("{name:<16} {:>5} {cells}", tally.total);
    }
}

#[test]
fn chains_agree_with_labels() {
    let dir = common::shared_dir().join("corpus/chains");
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .expect("read corpus/chains")
        .map(|e| e.expect("chain entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    let (mut hops, mut agree, mut senders, mut sender_agree) = (0, BTreeMap::new(), 0, 0);
    let mut mismatches = Vec::new();
    for path in &entries {
        let block = fs::read(path).expect("read chain");
        let labels: Value =
            serde_json::from_slice(&fs::read(path.with_extension("json")).expect("labels"))
                .expect("labels are JSON");
        let result = classify(&block, &Policy::default(), &NoKnowledge);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        senders += 1;
        if labels["sender_domain"] == Value::from(result.sender_domain.clone()) {
            sender_agree += 1;
        } else {
            mismatches.push(format!(
                "{name} sender_domain: label {}, got {:?}",
                labels["sender_domain"], result.sender_domain
            ));
        }
        for label in labels["hops"].as_array().expect("hops") {
            let index = label["index"].as_u64().unwrap() as usize;
            let hop = result.hops.iter().find(|h| h.header_index == index);
            hops += 1;
            for field in ["tls", "tls_version", "protocol", "by_host", "kind"] {
                let got = hop.map(|h| actual(h, field)).unwrap_or(Value::Null);
                if *expected(label, field) == got {
                    *agree.entry(field).or_insert(0usize) += 1;
                } else {
                    mismatches.push(format!(
                        "{name}[{index}] {field}: label {}, got {got}",
                        expected(label, field)
                    ));
                }
            }
        }
    }
    assert!(entries.len() >= 20, "only {} chains ran", entries.len());
    println!("chains: {} blocks, {hops} hops", entries.len());
    for (field, count) in &agree {
        println!(
            "  {field:<12} {:>5.1}%",
            100.0 * *count as f64 / hops as f64
        );
    }
    println!(
        "  sender_domain {:>5.1}%",
        100.0 * sender_agree as f64 / senders as f64
    );
    println!("chain mismatches ({}):", mismatches.len());
    for line in &mismatches {
        println!("  {line}");
    }
    let percent = |field: &str| 100.0 * *agree.get(field).unwrap_or(&0) as f64 / hops as f64;
    assert!(
        percent("tls") >= 100.0,
        "chain tls agreement {:.1}%",
        percent("tls")
    );
    assert!(
        percent("tls_version") >= 100.0,
        "chain tls_version agreement {:.1}%",
        percent("tls_version")
    );
    assert!(
        percent("by_host") >= 98.0,
        "chain by_host agreement {:.1}%",
        percent("by_host")
    );
    assert_eq!(
        sender_agree, senders,
        "sender_domain disagrees on some chains"
    );
}
