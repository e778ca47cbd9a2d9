//! The text form of `hopaudit classify`: each hop with the evidence that decided it, then
//! the boundary and its rule.

use std::fmt::Write as _;

use crate::classify::{Analysis, Finding, HopDetail, VerdictRule};
use crate::hop::Hop;

use super::json::rfc3339;
use super::{escape_bytes_for_terminal, escape_for_terminal};

/// Renders the analysis for a person reading a terminal.
pub fn render(analysis: &Analysis) -> String {
    let c = &analysis.classification;
    let mut out = String::new();
    let sender = c.sender_domain.as_deref().unwrap_or("(no From address)");
    let _ = writeln!(out, "sender domain: {}", escape_for_terminal(sender));
    let _ = writeln!(out, "hops, oldest first ({}):", c.hops.len());
    for (hop, detail) in c.hops.iter().zip(&analysis.details) {
        write_hop(&mut out, hop, detail);
    }
    let _ = match c.boundary.header_index {
        Some(index) => writeln!(
            out,
            "boundary: header [{index}], verdict {}",
            c.boundary.verdict.as_str()
        ),
        None => writeln!(
            out,
            "boundary: none, verdict {}",
            c.boundary.verdict.as_str()
        ),
    };
    let _ = writeln!(
        out,
        "  rule {}: {}",
        c.boundary.rule.as_str(),
        rule_text(c.boundary.rule)
    );
    let _ = writeln!(
        out,
        "path (every hand-off between organizations): {}",
        c.path.as_str()
    );
    if c.findings.is_empty() {
        out.push_str("findings: none\n");
    } else {
        out.push_str("findings:\n");
        for finding in &c.findings {
            let _ = writeln!(out, "  - {}", finding_text(finding));
        }
    }
    out
}

fn write_hop(out: &mut String, hop: &Hop, detail: &HopDetail) {
    let show = |value: Option<&str>| escape_for_terminal(value.unwrap_or("?"));
    let sender = match (&hop.from_host, &hop.from_ip) {
        (Some(host), Some(ip)) => format!("{} [{}]", escape_for_terminal(host), ip),
        (Some(host), None) => escape_for_terminal(host),
        (None, Some(ip)) => format!("[{ip}]"),
        (None, None) => "?".to_string(),
    };
    let _ = writeln!(
        out,
        "  [{}] {} -> {}",
        hop.header_index,
        sender,
        show(hop.by_host.as_deref())
    );
    let _ = writeln!(
        out,
        "      kind: {} ({})",
        hop.kind.as_str(),
        detail.kind_reason
    );
    let protocol = hop.protocol.as_deref().unwrap_or("not recorded");
    let _ = writeln!(out, "      protocol: {}", escape_for_terminal(protocol));
    let tls = tls_line(hop);
    let _ = writeln!(out, "      TLS: {tls}");
    let date = hop
        .date
        .and_then(rfc3339)
        .unwrap_or_else(|| "missing".to_string());
    let delay = match detail.delay_seconds {
        Some(seconds) if seconds < 0 => format!("{seconds} s (clock skew)"),
        Some(seconds) => format!("{seconds} s"),
        None => "-".to_string(),
    };
    let _ = writeln!(out, "      date: {date}, delay: {delay}");
    let orgs = format!(
        "{} -> {}{}",
        detail.sender_org.as_deref().unwrap_or("?"),
        detail.receiver_org.as_deref().unwrap_or("?"),
        if detail.crosses_organizations {
            ", between organizations"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "      organizations: {}", escape_for_terminal(&orgs));
    let _ = writeln!(out, "      raw: {}", escape_bytes_for_terminal(&hop.raw));
}

fn tls_line(hop: &Hop) -> String {
    if hop.tls {
        let version = hop
            .tls_version
            .map_or("version not reported", |v| v.as_str());
        let cipher = hop.tls_cipher.as_deref().unwrap_or("cipher not reported");
        let evidence = hop.tls_evidence.as_deref().unwrap_or("");
        format!(
            "recorded, {version}, {}; evidence: {}",
            escape_for_terminal(cipher),
            escape_for_terminal(evidence)
        )
    } else {
        "not recorded".to_string()
    }
}

fn rule_text(rule: VerdictRule) -> &'static str {
    match rule {
        VerdictRule::TlsRecorded => "the boundary hop's header records TLS",
        VerdictRule::NoTlsConfiguredReceiver => {
            "no TLS note, and the configuration says this receiver records TLS"
        }
        VerdictRule::NoTlsLearnedReceiver => {
            "no TLS note, and this receiver recorded TLS on other stored messages"
        }
        VerdictRule::NoTlsUnknownReceiver => {
            "no TLS note, and nothing shows that this receiver would record TLS"
        }
        VerdictRule::NoTlsReceiverDoesNotRecord => {
            "no TLS note, and the configuration says this receiver never records TLS"
        }
        VerdictRule::NoReceivedHeader => "the message has no Received header",
        VerdictRule::NoBoundaryFound => "no hop was received by the organization",
    }
}

fn finding_text(finding: &Finding) -> String {
    match finding {
        Finding::WeakProtocol {
            header_index,
            version,
        } => format!(
            "weak protocol {} at header [{header_index}]",
            version.as_str()
        ),
        Finding::WeakCipher {
            header_index,
            cipher,
        } => format!(
            "weak cipher {} at header [{header_index}]",
            escape_for_terminal(cipher)
        ),
        Finding::PlaintextBoundary { header_index } => {
            format!("plaintext boundary at header [{header_index}]")
        }
        Finding::UnverifiedBoundary { header_index } => {
            format!("unverified boundary at header [{header_index}]")
        }
    }
}
