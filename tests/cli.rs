//! `hopaudit classify` end to end: the real binary, real files, standard input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn hopaudit(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hopaudit");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().expect("wait for hopaudit")
}

fn json_of(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

const LUXSCI: [&str; 5] = [
    "classify",
    "--json",
    "--org-domain",
    "luxsci.com",
    "--org-domain",
];

#[test]
fn acceptance_example_boundary_unverified() {
    let path = data("messages/luxsci-ppe.eml");
    let mut args = LUXSCI.to_vec();
    args.extend(["ppe-hosted.com", path.to_str().unwrap()]);
    let out = json_of(&hopaudit(&args, None));
    assert_eq!(out["sender_domain"], "hotmail.com");
    assert_eq!(out["boundary"]["header_index"], 4);
    assert_eq!(out["boundary"]["verdict"], "unverified");
    let hops = out["hops"].as_array().unwrap();
    assert_eq!(
        hops.len(),
        6,
        "the Received line in the body must not be read"
    );
    let indexes: Vec<_> = hops
        .iter()
        .map(|h| h["header_index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, [5, 4, 3, 2, 1, 0]);
    let boundary = &hops[1];
    assert_eq!(
        boundary["by_host"],
        "dispatch1-us1.ppe-hosted.com.ppe-hosted.com"
    );
    assert_eq!(boundary["tls"], false);
    for sendmail_tls in [&hops[2], &hops[5]] {
        assert_eq!(sendmail_tls["tls"], true);
        assert_eq!(sendmail_tls["tls_version"], Value::Null);
        assert_eq!(sendmail_tls["tls_cipher"], "DHE-RSA-AES256-SHA");
    }
    assert_eq!(hops[3]["kind"], "local");
    assert_eq!(hops[4]["kind"], "local");
    assert_eq!(hops[0]["receiver_org"], "Microsoft");
    assert_eq!(
        hops[1]["sender_org"], "Microsoft",
        "hotmail.com and outlook.com are one provider"
    );
}

#[test]
fn acceptance_example_from_stdin_with_receiver_knowledge() {
    let message = std::fs::read(data("messages/luxsci-ppe.eml")).unwrap();
    let config = data("receivers.toml");
    let out = json_of(&hopaudit(
        &[
            "classify",
            "--json",
            "--config",
            config.to_str().unwrap(),
            "-",
        ],
        Some(&message),
    ));
    assert_eq!(out["boundary"]["header_index"], 4);
    assert_eq!(out["boundary"]["verdict"], "plaintext");
    assert_eq!(out["boundary"]["rule"], "no_tls_configured_receiver");
}

#[test]
fn typical_inbound_chain_encrypted() {
    let path = data("messages/example-health.eml");
    let out = json_of(&hopaudit(
        &[
            "classify",
            "--json",
            "--org-domain",
            "example-health.org",
            path.to_str().unwrap(),
        ],
        None,
    ));
    assert_eq!(out["sender_domain"], "labs.example");
    assert_eq!(out["boundary"]["header_index"], 2);
    assert_eq!(out["boundary"]["verdict"], "encrypted");
    assert_eq!(out["path_verdict"], "encrypted");
    let kinds: Vec<_> = out["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].clone())
        .collect();
    assert_eq!(kinds, ["submission", "relay", "local", "relay"]);
    assert_eq!(out["hops"][1]["tls_version"], "TLSv1.2");
    assert_eq!(out["hops"][1]["delay_seconds"], 4);
}

#[test]
fn unreadable_file_exits_2_naming_path() {
    let output = hopaudit(&["classify", "/nonexistent/message.eml"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/message.eml"),
        "stderr: {stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn text_form_escapes_control_and_bidi() {
    let header = "Received: from evil\u{202E}moc.example ([192.0.2.9]) by mx.example.org with ESMTP\u{7}; Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n";
    let output = hopaudit(&["classify"], Some(header.as_bytes()));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\u{202E}'), "RTL override printed raw");
    assert!(!text.contains('\u{7}'), "BEL printed raw");
    assert!(text.contains("\\u{202E}"));
    assert!(text.contains("boundary: header [0]"), "{text}");
    let json = hopaudit(&["classify", "--json"], Some(header.as_bytes()));
    let raw = String::from_utf8(json.stdout).unwrap();
    assert!(!raw.contains('\u{202E}'));
    let value: Value = serde_json::from_str(&raw).unwrap();
    assert!(
        value["hops"][0]["raw"]
            .as_str()
            .unwrap()
            .contains('\u{202E}')
    );
}

#[test]
fn empty_input_gives_verdict_none() {
    let out = json_of(&hopaudit(&["classify", "--json"], Some(b"Subject: hi\n\n")));
    assert_eq!(out["hops"], Value::Array(vec![]));
    assert_eq!(out["boundary"]["header_index"], Value::Null);
    assert_eq!(out["boundary"]["verdict"], "none");
    assert_eq!(out["boundary"]["rule"], "no_received_header");
}

#[test]
fn message_id_with_and_without_final_line_break() {
    for input in [
        "Message-ID: <a1@b.example>\nFrom: x@y.example\n\n",
        "From: x@y.example\nMessage-ID:\n <a1@b.example>",
    ] {
        let out = json_of(&hopaudit(
            &["classify", "--json", "-"],
            Some(input.as_bytes()),
        ));
        assert_eq!(out["message_id"], "<a1@b.example>", "{input:?}");
        assert_eq!(out["sender_domain"], "y.example", "{input:?}");
    }
}

#[test]
fn gateway_option_finds_hosted_boundary() {
    let path = data("messages/m365-tenant.eml");
    let path = path.to_str().unwrap();
    let base = ["classify", "--json", "--org-domain", "example-health.org"];
    let without = json_of(&hopaudit(&[&base[..], &[path]].concat(), None));
    assert_eq!(without["boundary"]["verdict"], "none");
    assert_eq!(without["boundary"]["rule"], "no_boundary_found");

    let gateway = ["--gateway", "protection.outlook.com", path];
    let with = json_of(&hopaudit(&[&base[..], &gateway[..]].concat(), None));
    assert_eq!(with["boundary"]["header_index"], 2);
    assert_eq!(with["boundary"]["verdict"], "encrypted");
    assert_eq!(with["hops"][1]["tls_version"], "TLSv1.2");
}

#[test]
fn text_form_shows_invalid_bytes() {
    let header = b"Received: from a\xffb.example ([192.0.2.9]) by mx.example.org with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n";
    let output = hopaudit(&["classify"], Some(header));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let raw = text
        .lines()
        .find(|line| line.trim_start().starts_with("raw:"));
    assert_eq!(
        raw.map(str::trim),
        Some(
            "raw: from a\\xFFb.example ([192.0.2.9]) by mx.example.org with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000"
        )
    );
}
