//! Text the sending client chooses ends up in Received headers: its HELO argument, which
//! Postfix writes even when it contains spaces, and envelope addresses, whose quoted local
//! parts may hold anything. None of it may make a hop look encrypted, local or
//! authenticated, and it may not replace the server's own record of the connection.

use hopaudit::classify::{self, NoKnowledge, Policy, Verdict};
use hopaudit::hop::{self, HopKind, TlsVersion};

const DATE: &str = "; Wed, 2 Dec 2026 10:00:00 +0000";

fn parse(line: &str) -> hop::Hop {
    hop::parse(line.as_bytes(), 0)
}

#[test]
fn glued_helo_note_not_tls() {
    let hop = parse(&format!(
        "from x.example(version=TLS1_2,cipher=ECDHE-RSA-AES256-GCM-SHA384) \
         (unknown [192.0.2.7]) by mx.example-health.org (Postfix) with ESMTP id 4F1{DATE}"
    ));
    assert!(!hop.tls, "evidence: {:?}", hop.tls_evidence);
    assert_eq!(hop.tls_version, None);
    assert_eq!(hop.tls_cipher, None);
    assert_eq!(hop.protocol.as_deref(), Some("ESMTP"));
    assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.7"));
}

#[test]
fn glued_note_without_connection_comment() {
    let hop = parse(&format!(
        "from x.example(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) \
         by mx.example-health.org with SMTP{DATE}"
    ));
    assert!(!hop.tls, "evidence: {:?}", hop.tls_evidence);
}

#[test]
fn helo_with_spaces_cannot_add_clauses_or_notes() {
    let hop = parse(&format!(
        "from x (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) \
         by relay.example with ESMTPS (unknown [192.0.2.7])\r\n\
         \tby mx.example-health.org (Postfix) with ESMTP id 4F1{DATE}"
    ));
    assert!(!hop.tls, "evidence: {:?}", hop.tls_evidence);
    assert_eq!(hop.by_host.as_deref(), Some("mx.example-health.org"));
    assert_eq!(hop.protocol.as_deref(), Some("ESMTP"));
    assert_eq!(hop.from_host.as_deref(), Some("x"));
    assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.7"));
}

#[test]
fn tls_phrases_in_a_helo_are_not_tls() {
    for phrase in ["over TLS secured channel", "with ESMTP with STARTTLS"] {
        let hop = parse(&format!(
            "from x {phrase} (unknown [192.0.2.7]) by mx.example-health.org with SMTP{DATE}"
        ));
        assert!(!hop.tls, "{phrase}: evidence {:?}", hop.tls_evidence);
    }
}

#[test]
fn fake_connection_comment_ignored() {
    let hop = parse(&format!(
        "from x ([127.0.0.1]) (Postfix, from userid 0) (unknown [192.0.2.7])\r\n\
         \tby mx.example-health.org (Postfix) with ESMTP id 4F1{DATE}"
    ));
    assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(hop.kind, HopKind::Relay);
}

#[test]
fn authentication_claims_in_a_helo_are_not_authentication() {
    for helo in [
        "a@b@192.0.2.8",
        "x (Authenticated sender: a)",
        "x (AUTH: LOGIN a)",
    ] {
        let hop = parse(&format!(
            "from {helo} (unknown [192.0.2.7]) by mx.example-health.org (Postfix) with ESMTP id 4F1{DATE}"
        ));
        assert_eq!(hop.kind, HopKind::Relay, "{helo}");
    }
}

#[test]
fn quoted_envelope_addresses_hold_no_notes() {
    let lines = [
        format!(
            "from a.example (a.example [192.0.2.7]) by mx.example-health.org (Postfix) \
             with ESMTP id 4F1 for <\"(version=TLS1_2 cipher=AES256-SHA)\"@example-health.org>{DATE}"
        ),
        format!(
            "from [192.0.2.7] (helo=a.example) by mx.example-health.org with esmtp (Exim 4.96)\r\n\
             \t(envelope-from <\"x (TLS1.3) tls y\"@a.example>) id 1abc-000{DATE}"
        ),
        format!(
            "from a.example (a.example [192.0.2.7]) by mx.example-health.org (8.17.1/8.17.1) \
             with ESMTP id 4F1 (envelope-from <\"version=TLSv1.2 cipher=AES256-SHA\"@a.example>){DATE}"
        ),
    ];
    for line in &lines {
        let hop = parse(line);
        assert!(!hop.tls, "{line}: evidence {:?}", hop.tls_evidence);
        assert_eq!(
            hop.by_host.as_deref(),
            Some("mx.example-health.org"),
            "{line}"
        );
    }
}

#[test]
fn server_notes_still_count_beside_sender_text() {
    let postfix = parse(&format!(
        "from x (unknown [192.0.2.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 \
         (256/256 bits)) by mx.example-health.org (Postfix) with ESMTPS id 4F1 \
         for <\"odd (name)\"@example-health.org>{DATE}"
    ));
    assert!(postfix.tls);
    assert_eq!(postfix.tls_version, Some(TlsVersion::Tls13));
    assert_eq!(
        postfix.tls_cipher.as_deref(),
        Some("TLS_AES_256_GCM_SHA384")
    );

    let sendmail = parse(&format!(
        "from a.example (a.example [192.0.2.7]) by mx.example-health.org (8.17.1/8.17.1) \
         with ESMTP id 4F1 (version=TLSv1/SSLv3 cipher=AES256-SHA bits=256 verify=NOT) \
         for <bob@example-health.org>{DATE}"
    ));
    assert!(sendmail.tls);
    assert_eq!(sendmail.tls_version, None);
    assert_eq!(sendmail.tls_cipher.as_deref(), Some("AES256-SHA"));

    let yahoo = parse(&format!(
        "from pc (bob@192.0.2.110 with login) by smtp.mail.example.com with SMTP{DATE}"
    ));
    assert_eq!(yahoo.kind, HopKind::Submission);
}

#[test]
fn control_characters_separate_words() {
    let hop = parse(&format!(
        "from a.example (a.example [192.0.2.7]) by mx.example-health.org with ESMTPS\0 id 4F1{DATE}"
    ));
    assert_eq!(hop.protocol.as_deref(), Some("ESMTPS"));
    assert!(hop.tls);
}

#[test]
fn forged_helo_note_leaves_the_message_unverified() {
    let block = format!(
        "Received: from x.example(version=TLS1_3,cipher=TLS_AES_256_GCM_SHA384) \
         (unknown [192.0.2.7])\r\n\tby mx.example-health.org (Postfix) with ESMTP id 4F1{DATE}\r\n\
         From: a@sender.example\r\n\r\n"
    );
    let policy = Policy {
        org_domains: vec!["example-health.org".to_string()],
        ..Default::default()
    };
    let classification = classify::classify(block.as_bytes(), &policy, &NoKnowledge);
    assert_eq!(classification.boundary.header_index, Some(0));
    assert_eq!(classification.boundary.verdict, Verdict::Unverified);
}

fn classify_block(received: &[&str]) -> classify::Classification {
    let mut block = String::new();
    for line in received {
        block.push_str(&format!("Received: {line}{DATE}\r\n"));
    }
    block.push_str("From: a@sender.example\r\n\r\n");
    let policy = Policy {
        org_domains: vec!["example-health.org".to_string()],
        ..Default::default()
    };
    classify::classify(block.as_bytes(), &policy, &NoKnowledge)
}

#[test]
fn helo_naming_the_receiver_is_not_same_host() {
    let internal = "from mx.example-health.org (mx.example-health.org [10.0.0.5]) \
                    (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) \
                    by store.example-health.org (Postfix) with ESMTPS id 2";
    for inbound in [
        "from mx.example-health.org (mail.sender.example [192.0.2.7]) \
         by mx.example-health.org (Postfix) with ESMTP id 1",
        "from mx.example-health.org (unknown [192.0.2.7]) \
         by mx.example-health.org (8.17.1/8.17.1) with ESMTP id 1",
        "from mx.example-health.org (192.0.2.7) \
         by mx.example-health.org (10.0.0.9) with Microsoft SMTP Server id 15.20.1",
    ] {
        let c = classify_block(&[internal, inbound]);
        assert_eq!(c.hops[0].kind, HopKind::Relay, "{inbound}");
        assert_eq!(c.boundary.header_index, Some(1), "{inbound}");
        assert_eq!(c.boundary.verdict, Verdict::Unverified, "{inbound}");
    }
}

#[test]
fn forged_hop_below_outsider_ignored() {
    let c = classify_block(&[
        "from attacker.example (unknown [198.51.100.7]) \
         by mx.example-health.org (Postfix) with ESMTP id 2",
        "from a.example (a.example [192.0.2.9]) \
         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) \
         by mx.example-health.org (Postfix) with ESMTPS id 1",
    ]);
    assert_eq!(c.boundary.header_index, Some(0));
    assert_eq!(c.boundary.verdict, Verdict::Unverified);
}

#[test]
fn exim_helo_closing_its_comment_adds_no_note() {
    let hop = parse(&format!(
        "from mail.sender.example ([192.0.2.7] helo=x) (version=TLS1_2 cipher=AES256-SHA) \
         by mx.example-health.org with esmtp (Exim 4.96) id 1abc-000{DATE}"
    ));
    assert!(!hop.tls, "evidence: {:?}", hop.tls_evidence);
    assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.7"));
}

#[test]
fn unbracketed_recipient_holds_no_note() {
    for recipient in [
        "a(version=TLS1_2)@example-health.org",
        "a@example-health.org (TLS1.3) tls X",
    ] {
        let hop = parse(&format!(
            "from mail.sender.example ([192.0.2.7] helo=mail.sender.example) \
             by mx.example-health.org with esmtp (Exim 4.96) id 1abc-000 for {recipient}{DATE}"
        ));
        assert!(!hop.tls, "{recipient}: evidence {:?}", hop.tls_evidence);
    }
    let exim = parse(&format!(
        "from mail.sender.example ([192.0.2.7] helo=mail.sender.example) \
         by mx.example-health.org with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 \
         (Exim 4.96) id 1abc-000 for a@example-health.org{DATE}"
    ));
    assert!(exim.tls);
    assert_eq!(exim.tls_version, Some(TlsVersion::Tls13));
    assert_eq!(exim.tls_cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
}

#[test]
fn semicolons_in_a_claim_do_not_panic() {
    for line in [
        "from ; (unknown [192.0.2.7]) by mx.example-health.org; x",
        "from x ([192.0.2.7] helo=a) ; ; by mx.example-health.org; x",
        "from ;;; ([192.0.2.7] helo=a);by;",
    ] {
        let hop = parse(line);
        assert_eq!(hop.raw, line.as_bytes());
    }
}

#[test]
fn unclosed_paren_in_a_helo_hides_nothing() {
    for helo in ["x(", "x\\(", "x) (using TLSv1.3 with cipher X) ("] {
        let hop = parse(&format!(
            "from {helo} (unknown [192.0.2.7]) by mx.example-health.org (Postfix) \
             with ESMTP id 1{DATE}"
        ));
        assert_eq!(
            hop.by_host.as_deref(),
            Some("mx.example-health.org"),
            "{helo}"
        );
        assert_eq!(hop.protocol.as_deref(), Some("ESMTP"), "{helo}");
        assert!(!hop.tls, "{helo}: evidence {:?}", hop.tls_evidence);
        assert!(hop.date.is_some(), "{helo}");
    }
    let many = format!("from {} by mx.example-health.org{DATE}", "(".repeat(50_000));
    let hop = parse(&many);
    assert_eq!(hop.by_host.as_deref(), Some("mx.example-health.org"));
}

#[test]
fn cut_off_note_still_counts() {
    let hop = parse(
        "from a.example (a.example [192.0.2.7]) by mx.example-health.org (Postfix) \
         with ESMTPS id 1 (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256",
    );
    assert!(hop.tls);
    assert_eq!(hop.tls_version, Some(TlsVersion::Tls13));
}

/// An older header a sender forged, with a TLS note and a receiver of the organization.
const FORGED_OLDER: &str = "from mail.sender.example (mail.sender.example [198.51.100.20]) \
     (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) \
     by mx2.example-health.org (Postfix) with ESMTPS id 9XYZ";

/// Classifies `boundary` (a plaintext hop) above the forged older header and checks that
/// the boundary stays on it, unverified.
fn assert_boundary_holds(boundary: &str) {
    let c = classify_block(&[boundary, FORGED_OLDER]);
    assert_eq!(c.boundary.header_index, Some(0), "{boundary}");
    assert_eq!(c.boundary.verdict, Verdict::Unverified, "{boundary}");
}

#[test]
fn quoted_local_part_cannot_leave_its_brackets() {
    for line in [
        "from mail.sender.example ([192.0.2.10] helo=mail.sender.example)\r\n\
         \tby mx1.example-health.org with esmtp (Exim 4.96)\r\n\
         \t(envelope-from <\"a>b) (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384) (c\"@sender.example>)\r\n\
         \tid 1sABC\r\n\tfor b@example-health.org",
        "from mail.sender.example (mail.sender.example [192.0.2.10]) by mx1.example-health.org \
         (Postfix) with ESMTP id 4ABC for <\"a>b (using TLSv1.3 with cipher X) c\"@example-health.org>",
        "from mail.sender.example (mail.sender.example [192.0.2.10]) by mx1.example-health.org \
         (Postfix) with ESMTP id 4ABC for <\"a> over TLS secured channel c\"@example-health.org>",
        "from mail.sender.example (mail.sender.example [192.0.2.10]) by mx1.example-health.org \
         (Postfix) with ESMTP id 4ABC for <\"a> (Postfix, from userid 0) c\"@example-health.org>",
        "from mail.sender.example (mail.sender.example [192.0.2.10]) by mx1.example-health.org \
         (Postfix) with ESMTP id 4ABC for <\"a> (mx7.example-health.org [10.0.0.1]) \
         by mx1.example-health.org (x\"@example-health.org>",
    ] {
        let hop = parse(&format!("{line}{DATE}"));
        assert!(!hop.tls, "{line}: evidence {:?}", hop.tls_evidence);
        assert_eq!(hop.kind, HopKind::Relay, "{line}");
        assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.10"), "{line}");
        assert_eq!(
            hop.by_host.as_deref(),
            Some("mx1.example-health.org"),
            "{line}"
        );
        assert_boundary_holds(line);
    }
    let exim = parse(&format!(
        "from mail.sender.example ([192.0.2.10] helo=mail.sender.example) \
         by mx1.example-health.org with esmtp (Exim 4.96) (envelope-from <\"a>b) \
         by mx9.example-health.org with esmtps (c\"@sender.example>) id 1sABC{DATE}"
    ));
    assert_eq!(exim.by_host.as_deref(), Some("mx1.example-health.org"));
    assert_eq!(exim.protocol.as_deref(), Some("esmtp"));
    assert!(!exim.tls);
}

#[test]
fn stray_quote_in_a_helo_hides_nothing() {
    let hop = parse(&format!(
        "from x\"y (mail.sender.example [192.0.2.10]) by mx1.example-health.org \
         (8.17.1/8.17.1) with ESMTP id 4ABC for <\"z (localhost [127.0.0.1]) \
         by mx1.example-health.org with ESMTPS (version=TLSv1.3 cipher=X) w\"@example-health.org>{DATE}"
    ));
    assert!(!hop.tls, "evidence: {:?}", hop.tls_evidence);
    assert_eq!(hop.from_ip.as_deref(), Some("192.0.2.10"));
    assert_eq!(hop.protocol.as_deref(), Some("ESMTP"));
    assert_eq!(hop.kind, HopKind::Relay);
    let tls = parse(&format!(
        "from x\"y (mail.sender.example [192.0.2.10]) (using TLSv1.3 with cipher X) \
         by mx1.example-health.org (Postfix) with ESMTPS id 4ABC for <\"b\"@example-health.org>{DATE}"
    ));
    assert!(tls.tls);
}

#[test]
fn sender_without_a_placeable_name_is_outside() {
    for boundary in [
        "from x (unknown [192.0.2.10]) by mx1.example-health.org (Postfix) with ESMTP id 4ABC",
        "from [192.0.2.10] (unknown [192.0.2.10]) by mx1.example-health.org (Postfix) with ESMTP id 4ABC",
        "from [192.0.2.10] ([192.0.2.10]) by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 4ABC",
        "from [192.0.2.10] (helo=x) by mx1.example-health.org with esmtp (Exim 4.96) id 1sABC",
        "from x (192.0.2.10) by mx1.example-health.org (10.0.0.5) with Microsoft SMTP Server id 15.20.1",
    ] {
        assert_boundary_holds(boundary);
    }
}

#[test]
fn exim_connection_comment_is_the_first() {
    for (boundary, ip) in [
        (
            "from mail.sender.example ([192.0.2.10] helo=x) ([10.0.0.1]) by mx1.example-health.org \
          with esmtp (Exim 4.96) id 1sABC",
            "192.0.2.10",
        ),
        (
            "from mail.sender.example ([192.0.2.10] helo=x) (mx1.example-health.org [192.0.2.10]) \
          by mx1.example-health.org with esmtp (Exim 4.96) id 1sABC",
            "192.0.2.10",
        ),
        (
            "from [192.0.2.10] (helo=x) (localhost [127.0.0.1]) by mx1.example-health.org \
          with esmtp (Exim 4.96) id 1sABC",
            "192.0.2.10",
        ),
        (
            "from [192.0.2.10] (helo=x [10.0.0.1]) by mx1.example-health.org \
          with esmtp (Exim 4.96) id 1sABC",
            "192.0.2.10",
        ),
    ] {
        let hop = parse(&format!("{boundary}{DATE}"));
        assert_eq!(hop.from_ip.as_deref(), Some(ip), "{boundary}");
        assert_eq!(hop.kind, HopKind::Relay, "{boundary}");
        assert_boundary_holds(boundary);
    }
}

#[test]
fn possibly_forged_reverse_name_is_not_trusted() {
    let boundary = "from x.sender.example (mx1.example-health.org [192.0.2.10] (may be forged)) \
                    by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 4ABC";
    let hop = parse(&format!("{boundary}{DATE}"));
    assert_eq!(hop.kind, HopKind::Relay);
    assert_boundary_holds(boundary);
    assert_boundary_holds(
        "from x.sender.example (mx5.example-health.org [192.0.2.10] (may be forged)) \
         by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 4ABC",
    );
}

#[test]
fn names_in_the_connection_comment_are_not_notes() {
    for boundary in [
        "from mail.sender.example (authenticated.sender.example [192.0.2.7]) \
         by mx1.example-health.org (Postfix) with ESMTP id 2A",
        "from mail.sender.example (authenticated@mail.sender.example [192.0.2.7]) \
         by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 2A",
        "from mail.sender.example ([local]@mail.sender.example [192.0.2.7]) \
         by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 2A",
        "from mail.sender.example (pickup service@mail.sender.example [192.0.2.7]) \
         by mx1.example-health.org (8.17.1/8.17.1) with ESMTP id 2A",
        "from unknown (HELO mail.sender.example) (auth:x@192.0.2.7) \
         by mx1.example-health.org with SMTP",
    ] {
        let hop = parse(&format!("{boundary}{DATE}"));
        assert_eq!(hop.kind, HopKind::Relay, "{boundary}");
        assert_boundary_holds(boundary);
    }
    // An ident response can still look like qmail's SMTP AUTH form; the boundary holds.
    assert_boundary_holds(
        "from unknown (HELO mail.sender.example) (x@sender.example@192.0.2.7) \
         by mx1.example-health.org with SMTP",
    );
}

#[test]
fn folded_quoted_local_part_stays_opaque() {
    for boundary in [
        "from mail.sender.example (mail.sender.example [192.0.2.7])\r\n\
         \tby mx1.example-health.org (Postfix) with ESMTP id 2A\r\n\
         \tfor <\"aaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\
         \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) b\"@example-health.org>",
        "from mail.sender.example ([192.0.2.7] helo=mail.sender.example)\r\n\
         \tby mx1.example-health.org with esmtp (Exim 4.96)\r\n\
         \t(envelope-from <\"x\r\n\t(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384) y\"@sender.example>)\r\n\
         \tid 1sABC for bob@example-health.org",
    ] {
        let hop = parse(&format!("{boundary}{DATE}"));
        assert!(!hop.tls, "{boundary}: evidence {:?}", hop.tls_evidence);
    }
}

#[test]
fn text_after_the_date_is_not_evidence() {
    for tail in [
        "\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)",
        "\r\n\t(authenticated bits=0)",
        "\r\n\twith ESMTPS",
    ] {
        let line = format!(
            "from mail.sender.example (mail.sender.example [192.0.2.7])\r\n\
             \tby mx1.example-health.org (Postfix) with ESMTP id 2A{DATE}{tail}"
        );
        let hop = parse(&line);
        assert!(!hop.tls, "{tail}: evidence {:?}", hop.tls_evidence);
        assert_eq!(hop.kind, HopKind::Relay, "{tail}");
        let block = format!(
            "Received: {line}\r\nReceived: {FORGED_OLDER}{DATE}\r\nFrom: a@sender.example\r\n\r\n"
        );
        let policy = Policy {
            org_domains: vec!["example-health.org".to_string()],
            ..Default::default()
        };
        let c = classify::classify(block.as_bytes(), &policy, &NoKnowledge);
        assert_eq!(c.boundary.header_index, Some(0), "{tail}");
        assert_eq!(c.boundary.verdict, Verdict::Unverified, "{tail}");
    }
}

#[test]
fn provider_relay_needs_gateway() {
    let block = "Received: from mx1.example-health.org (ec2-203-0-113-10.compute-1.cloud.example \
                 [203.0.113.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\
                 \tby store.example-health.org (Postfix) with ESMTPS id 5A; Wed, 2 Dec 2026 10:00:03 +0000\r\n\
                 Received: from mail.sender.example (mail.sender.example [192.0.2.7])\r\n\
                 \tby mx1.example-health.org (Postfix) with ESMTP id 2A; Wed, 2 Dec 2026 10:00:02 +0000\r\n\
                 From: a@sender.example\r\n\r\n";
    let policy = Policy {
        org_domains: vec!["example-health.org".to_string()],
        gateways: vec!["compute-1.cloud.example".to_string()],
        ..Default::default()
    };
    let c = classify::classify(block.as_bytes(), &policy, &NoKnowledge);
    assert_eq!(c.boundary.header_index, Some(1));
    assert_eq!(c.boundary.verdict, Verdict::Unverified);
}
