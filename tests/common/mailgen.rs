//! A deterministic generator of large test mailboxes: `n` messages as .eml files in a seed
//! tree for `local-dovecot.sh`, spread over INBOX and `Archive/Old`, in a few Received
//! styles, with made-up domains only.

use std::path::Path;

/// Writes `n` messages under `seed`. Returns (folder, count) pairs.
pub fn generate(seed: &Path, n: usize) -> Vec<(String, usize)> {
    let folders = [("INBOX", 3usize), ("Archive/Old", 1usize)];
    let mut counts = vec![0usize; folders.len()];
    for (folder, _) in &folders {
        std::fs::create_dir_all(seed.join(folder)).expect("seed folder");
    }
    for i in 0..n {
        // Three of every four messages go to INBOX.
        let slot = if i % 4 == 3 { 1 } else { 0 };
        counts[slot] += 1;
        let flags = if i % 5 == 0 { ",S" } else { "" };
        let path = seed
            .join(folders[slot].0)
            .join(format!("{i:06}{flags}.eml"));
        std::fs::write(path, message(i)).expect("write message");
    }
    folders
        .iter()
        .zip(counts)
        .map(|((f, _), c)| (f.to_string(), c))
        .collect()
}

/// One message with 2 or 3 Received headers.
pub fn message(i: usize) -> String {
    let domain = format!("sender{}.example", i % 97);
    let day = 1 + i % 28;
    let date = format!(
        "Tue, {day:02} Oct 2024 08:{:02}:{:02} +0000",
        (i / 60) % 60,
        i % 60
    );
    let boundary = match i % 3 {
        0 => format!(
            "from mail.{domain} (mail.{domain} [192.0.2.{}]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example-health.org (Postfix) with ESMTPS id G{i}; {date}",
            i % 250
        ),
        1 => format!(
            "from mail.{domain} (mail.{domain} [198.51.100.{}]) by mx.example-health.org (Postfix) with ESMTP id G{i}; {date}",
            i % 250
        ),
        _ => format!(
            "from relay.{domain} ([203.0.113.{}]) by mx3.example-health.org with esmtps (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.96) id 1r{i}-0001; {date}",
            i % 250
        ),
    };
    let mut text = format!(
        "Received: from mx.example-health.org by store.example-health.org with LMTP id L{i}; {date}\r\nReceived: {boundary}\r\n"
    );
    if i.is_multiple_of(2) {
        text.push_str(&format!(
            "Received: from [10.0.0.{}] by mail.{domain} with ESMTPSA id S{i}; {date}\r\n",
            i % 250
        ));
    }
    text.push_str(&format!(
        "From: <user{i}@{domain}>\r\nTo: <records@example-health.org>\r\nDate: {date}\r\nMessage-ID: <gen{i}@{domain}>\r\nSubject: generated {i}\r\n\r\nBody {i}.\r\n"
    ));
    text
}

/// Received headers in message `i`.
pub fn hops(i: usize) -> usize {
    if i.is_multiple_of(2) { 3 } else { 2 }
}
