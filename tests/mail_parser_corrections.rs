//! mail-parser 0.11 reads every Received header first. These tests pin the two errors it
//! was measured to make and show that this crate's layer corrects them.

use hopaudit::hop::{self, TlsVersion};
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Protocol};

fn mail_parser_view(line: &str) -> Box<mail_parser::Received<'_>> {
    match MessageStream::new(line.as_bytes()).parse_received() {
        HeaderValue::Received(received) => received,
        other => panic!("mail-parser did not read a Received header: {other:?}"),
    }
}

#[test]
fn family_label_is_not_tls_1_0() {
    let line = "from a.example.net (a.example.net [192.0.2.1]) by mx.example.org (8.14.4/8.14.4) with ESMTP id r7 (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NOT); Mon, 19 Aug 2019 10:41:21 -0400";
    let upstream = mail_parser_view(line);
    assert_eq!(
        upstream.tls_version,
        Some(mail_parser::TlsVersion::TLSv1_0),
        "mail-parser's reading changed; revisit the correction"
    );
    let hop = hop::parse(line.as_bytes(), 0);
    assert!(hop.tls);
    assert_eq!(hop.tls_version, None);
    assert_eq!(hop.tls_cipher.as_deref(), Some("DHE-RSA-AES256-SHA"));
    let stated = hop::parse(line.replace("TLSv1/SSLv3", "TLSv1.2").as_bytes(), 0);
    assert_eq!(stated.tls_version, Some(TlsVersion::Tls12));
}

#[test]
fn gmail_smtps_is_kept() {
    let line = "from mail-sor-f65.google.com (mail-sor-f65.google.com. [192.0.2.65]) by mx.google.com with SMTPS id h21sor.6 for <bob@example.org> (Google Transport Security); Fri, 28 Jul 2023 12:25:21 -0700 (PDT)";
    let upstream = mail_parser_view(line);
    assert_eq!(
        upstream.with, None,
        "mail-parser's reading changed; revisit the correction"
    );
    let hop = hop::parse(line.as_bytes(), 0);
    assert_eq!(hop.protocol.as_deref(), Some("SMTPS"));
    assert!(hop.tls);
}

#[test]
fn protocol_spelling_is_kept() {
    let line = "from a.example.net ([192.0.2.1]) by mx.example.org with esmtps id 1; Mon, 1 Jan 2024 10:00:00 +0000";
    assert_eq!(mail_parser_view(line).with, Some(Protocol::ESMTPS));
    assert_eq!(
        hop::parse(line.as_bytes(), 0).protocol.as_deref(),
        Some("esmtps")
    );
}
