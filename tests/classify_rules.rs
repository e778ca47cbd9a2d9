//! Unit tests of the classification rules: organizations, boundary, verdicts, findings,
//! dates, and hostile input.

use hopaudit::classify::org::{Org, Orgs};
use hopaudit::classify::{
    ConfiguredReceivers, Finding, NoKnowledge, Policy, ReceiverEvidence, ReceiverKnowledge,
    Verdict, VerdictRule, classify, delays, is_weak_cipher, verdict_without_tls,
};
use hopaudit::hop::{self, HopKind, TlsVersion};

fn policy(domains: &[&str], gateways: &[&str]) -> Policy {
    Policy {
        org_domains: domains.iter().map(|d| d.to_string()).collect(),
        gateways: gateways.iter().map(|d| d.to_string()).collect(),
        provider_groups: Vec::new(),
    }
}

struct Knows(bool, ReceiverEvidence);

impl ReceiverKnowledge for Knows {
    fn records_tls(&self, _by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        Some((self.0, self.1))
    }
}

const RELAY_PLAIN: &str = "Received: from mx.example.org (mx.example.org [10.0.0.2]) by store.example.org (Postfix) with LMTP id 1; Mon, 1 Jan 2024 10:00:05 +0000\r\nReceived: from out.sender.example (out.sender.example [203.0.113.9]) by mx.example.org (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:03 +0000\r\nReceived: from pc.sender.example ([198.51.100.3]) by out.sender.example with ESMTPSA id 3; Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: <a@Sender.Example>\r\n\r\n";

#[test]
fn org_registrable_domain_and_providers() {
    let p = policy(&["example.org"], &["gw.filter.example"]);
    let orgs = Orgs::new(&p);
    assert_eq!(orgs.of("MX1.Example.ORG."), Some(Org::Recipient));
    assert_eq!(orgs.of("in1.gw.filter.example"), Some(Org::Recipient));
    assert_eq!(
        orgs.of("a.b.example.co.uk"),
        Some(Org::Domain("example.co.uk".into()))
    );
    assert_eq!(
        orgs.of("mail-bn1.outbound.protection.outlook.com"),
        Some(Org::Provider("Microsoft"))
    );
    assert_eq!(
        orgs.of("bay0-omc4-s14.bay0.hotmail.com"),
        Some(Org::Provider("Microsoft"))
    );
    assert_eq!(orgs.of("mx.google.com"), orgs.of("mail-wr1.googlemail.com"));
    assert_eq!(
        orgs.of("notexample.org"),
        Some(Org::Domain("notexample.org".into()))
    );
    for nameless in [
        "localhost",
        "APP2",
        "192.0.2.1",
        "[192.0.2.1]",
        "user@example.org",
        "localhost.localdomain",
    ] {
        assert_eq!(orgs.of(nameless), None, "{nameless}");
    }
}

#[test]
fn org_configured_provider_group() {
    let mut p = policy(&[], &[]);
    p.provider_groups = vec![vec!["corp-a.example".into(), "corp-b.example".into()]];
    let orgs = Orgs::new(&p);
    assert_eq!(
        orgs.of("mx.corp-b.example"),
        Some(Org::Provider("corp-a.example"))
    );
    assert_eq!(orgs.of("mx.corp-a.example"), orgs.of("mx.corp-b.example"));
}

#[test]
fn boundary_is_oldest_hop_into_organization() {
    let c = classify(
        RELAY_PLAIN.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    assert_eq!(c.hops.len(), 3);
    assert_eq!(c.boundary.header_index, Some(1));
    assert_eq!(c.boundary.verdict, Verdict::Unverified);
    assert_eq!(c.boundary.rule, VerdictRule::NoTlsUnknownReceiver);
    assert_eq!(c.sender_domain.as_deref(), Some("sender.example"));
    assert_eq!(c.path, Verdict::Unverified);
    assert_eq!(
        c.findings,
        vec![Finding::UnverifiedBoundary { header_index: 1 }]
    );
}

#[test]
fn boundary_plaintext_with_knowledge() {
    let learned = classify(
        RELAY_PLAIN.as_bytes(),
        &policy(&["example.org"], &[]),
        &Knows(true, ReceiverEvidence::Learned),
    );
    assert_eq!(learned.boundary.verdict, Verdict::Plaintext);
    assert_eq!(learned.boundary.rule, VerdictRule::NoTlsLearnedReceiver);
    assert_eq!(
        learned.findings,
        vec![Finding::PlaintextBoundary { header_index: 1 }]
    );
    let refused = classify(
        RELAY_PLAIN.as_bytes(),
        &policy(&["example.org"], &[]),
        &Knows(false, ReceiverEvidence::Configured),
    );
    assert_eq!(refused.boundary.verdict, Verdict::Unverified);
    assert_eq!(
        refused.boundary.rule,
        VerdictRule::NoTlsReceiverDoesNotRecord
    );
}

#[test]
fn boundary_fallback_without_domains() {
    let c = classify(RELAY_PLAIN.as_bytes(), &Policy::default(), &NoKnowledge);
    assert_eq!(
        c.boundary.header_index,
        Some(1),
        "topmost named receiver is example.org"
    );
}

#[test]
fn boundary_through_gateway() {
    let header = "Received: from gw1.filter.example (gw1.filter.example [192.0.2.5]) by mx.example.org with ESMTPS id 1; Mon, 1 Jan 2024 10:00:05 +0000\nReceived: from out.sender.example (out.sender.example [203.0.113.9]) by gw1.filter.example with ESMTP id 2; Mon, 1 Jan 2024 10:00:03 +0000\n\n";
    let c = classify(
        header.as_bytes(),
        &policy(&["example.org"], &["filter.example"]),
        &NoKnowledge,
    );
    assert_eq!(c.boundary.header_index, Some(1));
    assert_eq!(c.boundary.verdict, Verdict::Unverified);
    let without_gateway = classify(
        header.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    assert_eq!(without_gateway.boundary.header_index, Some(0));
    assert_eq!(without_gateway.boundary.verdict, Verdict::Encrypted);
    assert_eq!(without_gateway.boundary.rule, VerdictRule::TlsRecorded);
}

#[test]
fn no_received_header_and_no_boundary() {
    let none = classify(
        b"From: a@example.org\r\n\r\n",
        &Policy::default(),
        &NoKnowledge,
    );
    assert!(none.hops.is_empty());
    assert_eq!(none.boundary.verdict, Verdict::None);
    assert_eq!(none.boundary.rule, VerdictRule::NoReceivedHeader);
    assert_eq!(none.path, Verdict::None);
    let elsewhere = classify(
        RELAY_PLAIN.as_bytes(),
        &policy(&["other.example"], &[]),
        &NoKnowledge,
    );
    assert_eq!(elsewhere.boundary.header_index, None);
    assert_eq!(elsewhere.boundary.rule, VerdictRule::NoBoundaryFound);
}

#[test]
fn verdict_rules_without_tls() {
    assert_eq!(
        verdict_without_tls(Some("mx.example.org"), &NoKnowledge),
        (Verdict::Unverified, VerdictRule::NoTlsUnknownReceiver)
    );
    assert_eq!(
        verdict_without_tls(
            Some("mx.example.org"),
            &Knows(true, ReceiverEvidence::Configured)
        ),
        (Verdict::Plaintext, VerdictRule::NoTlsConfiguredReceiver)
    );
    assert_eq!(
        verdict_without_tls(None, &Knows(true, ReceiverEvidence::Learned)),
        (Verdict::Unverified, VerdictRule::NoTlsUnknownReceiver)
    );
}

#[test]
fn configured_receivers_match_globs() {
    let config: hopaudit::config::Config = toml::from_str(
        "[[receivers]]\nhost = \"MX*.example.org\"\nrecords_tls = true\n\n[[receivers]]\nhost = \"*.legacy.example\"\nrecords_tls = false\n",
    )
    .unwrap();
    let rules = ConfiguredReceivers::from_config(&config);
    assert_eq!(
        rules.records_tls("mx1.Example.org"),
        Some((true, ReceiverEvidence::Configured))
    );
    assert_eq!(
        rules.records_tls("old.legacy.example"),
        Some((false, ReceiverEvidence::Configured))
    );
    assert_eq!(rules.records_tls("other.example"), None);
}

#[test]
fn internal_and_local_hops_do_not_cross() {
    let c = classify(
        RELAY_PLAIN.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    let kinds: Vec<HopKind> = c.hops.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [HopKind::Submission, HopKind::Relay, HopKind::Relay]);
    let analysis = hopaudit::classify::analyze(
        RELAY_PLAIN.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    let crosses: Vec<bool> = analysis
        .details
        .iter()
        .map(|d| d.crosses_organizations)
        .collect();
    assert_eq!(
        crosses,
        [false, true, false],
        "mx -> store is internal (private sender)"
    );
}

#[test]
fn findings_weak_protocol_and_cipher() {
    let header = "Received: from a.example.net (a.example.net [203.0.113.1]) (using TLSv1 with cipher DES-CBC3-SHA (168/168 bits)) by mx.example.org with ESMTPS; Mon, 1 Jan 2024 10:00:00 +0000\nReceived: from b.example.net (b.example.net [203.0.113.2]) by a.example.net with ESMTP id 1 (version=TLSv1/SSLv3 cipher=AES256-SHA bits=256 verify=NOT); Mon, 1 Jan 2024 09:59:00 +0000\n\n";
    let c = classify(
        header.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    assert!(c.findings.contains(&Finding::WeakProtocol {
        header_index: 0,
        version: TlsVersion::Tls10
    }));
    assert!(c.findings.contains(&Finding::WeakCipher {
        header_index: 0,
        cipher: "DES-CBC3-SHA".into()
    }));
    assert!(
        !c.findings.iter().any(|f| matches!(
            f,
            Finding::WeakProtocol {
                header_index: 1,
                ..
            }
        )),
        "TLSv1/SSLv3 is not a weak-protocol finding"
    );
    assert_eq!(c.boundary.verdict, Verdict::Encrypted);
}

#[test]
fn weak_cipher_names() {
    for weak in [
        "RC4-MD5",
        "RSA_ARCFOUR_MD5",
        "DES-CBC-SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "EXP-RC4-MD5",
        "TLS_RSA_WITH_NULL_SHA",
        "ADH-AES256-SHA",
        "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        "AECDH-AES128-SHA",
    ] {
        assert!(is_weak_cipher(weak), "{weak}");
    }
    for strong in [
        "TLS_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "DHE-DSS-AES256-GCM-SHA384",
        "OTHER",
    ] {
        assert!(!is_weak_cipher(strong), "{strong}");
    }
}

#[test]
fn date_with_fold_skew_and_missing() {
    let folded = hop::parse(b"from a.example ([192.0.2.1]) by b.example with SMTP id 1; Sat, 29 Nov\r\n\t2025 11:52:04 +0800", 0);
    let date = folded.date.expect("folded date parses");
    assert_eq!(date.utc, 1_764_388_324);
    assert_eq!(date.offset_minutes, 480);
    let two_digit = hop::parse_date("Thu, 20 Mar 03 10:06:43 +0100").unwrap();
    assert_eq!(two_digit.utc, 1_048_151_203);
    let named = hop::parse_date("Fri Sep 14 14:36:56 EDT 2018").unwrap();
    assert_eq!((named.utc, named.offset_minutes), (1_536_950_216, -240));
    assert_eq!(
        hop::parse_date("Tue, 2 Jan 2024 10:00:00-0500")
            .unwrap()
            .utc,
        1_704_207_600
    );
    let missing = hop::parse(
        b"from a.example ([192.0.2.1]) by b.example with SMTP id 1",
        0,
    );
    assert!(missing.parsed);
    assert_eq!(missing.date, None);
    let header = "Received: from b.example ([192.0.2.2]) by c.example with SMTP; Mon, 1 Jan 2024 10:00:00 +0000\nReceived: from a.example ([192.0.2.1]) by b.example with SMTP; Mon, 1 Jan 2024 10:00:30 +0000\nReceived: from z.example ([192.0.2.3]) by a.example with SMTP; garbage\n\n";
    let c = classify(header.as_bytes(), &Policy::default(), &NoKnowledge);
    assert_eq!(c.hops.len(), 3, "a hop without a date is kept");
    assert_eq!(
        delays(&c.hops),
        vec![None, None, Some(-30)],
        "negative delay is clock skew"
    );
}

#[test]
fn hostile_input_never_panics() {
    let cases: Vec<Vec<u8>> = vec![
        b"from \0\0 by \0 with \0; \0".to_vec(),
        vec![0xff, 0xfe, b'(', b'(', b'[', 0xc3],
        "from h\u{e9}st.example (r\u{202E}dns.example [192.0.2.1]) by mx.example"
            .as_bytes()
            .to_vec(),
        b"((((((((((((((((((((".to_vec(),
        b")))))) by ;;;;; with (".to_vec(),
        vec![b'('; 100_000],
        // Quotes hide a `)` from the comment reader but not from the unclosed-paren count:
        // this input once made the lexer loop forever.
        b"(\" \"\"\")&\"(\";\xc2?\xc4\xff(;J\xff\x06;\"\"\")\"\"\"\xbc0\"\"\"(;J\xff\x06;J'`"
            .to_vec(),
    ];
    for raw in &cases {
        let hop = hop::parse(raw, 0);
        assert_eq!(&hop.raw, raw);
    }
    let rtl = hop::parse(&cases[2], 0);
    assert_eq!(rtl.by_host.as_deref(), Some("mx.example"));
}

#[test]
fn five_thousand_hops_and_one_megabyte() {
    let line = "Received: from a.example.net (a.example.net [192.0.2.1]) by b.example.org with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000\r\n";
    let many = line.repeat(5000) + "\r\n";
    let c = classify(
        many.as_bytes(),
        &policy(&["example.org"], &[]),
        &NoKnowledge,
    );
    assert_eq!(c.hops.len(), 5000);
    // The topmost hop already came from outside the organization, so the headers below it
    // were written outside too.
    assert_eq!(c.boundary.header_index, Some(0));
    let mut huge = b"Received: from a.example (x ".to_vec();
    huge.extend(std::iter::repeat_n(b'y', 1 << 20));
    huge.extend(b") by b.example; Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n");
    let c = classify(&huge, &Policy::default(), &NoKnowledge);
    assert_eq!(c.hops.len(), 1);
    assert_eq!(c.hops[0].by_host.as_deref(), Some("b.example"));
}
