//! The JSON form of `hopaudit classify`. Scripts rely on `sender_domain`, `hops` (oldest
//! first, each with `header_index`, `from_host`, `from_ip`, `by_host`, `protocol`, `tls`,
//! `tls_version`, `tls_cipher`, `kind`) and `boundary` (`header_index`, `verdict`); the
//! other keys are additions.

use serde::Serialize;

use crate::classify::{Analysis, Finding, HopDetail};
use crate::hop::{Hop, HopDate};

use super::is_bidi_control;

#[derive(Serialize)]
struct Output<'a> {
    sender_domain: Option<&'a str>,
    hops: Vec<HopView<'a>>,
    boundary: BoundaryView,
    path_verdict: &'static str,
    findings: &'a [Finding],
    message_id: Option<&'a str>,
    date_utc: Option<i64>,
}

#[derive(Serialize)]
struct HopView<'a> {
    header_index: usize,
    from_host: Option<&'a str>,
    from_ip: Option<&'a str>,
    by_host: Option<&'a str>,
    protocol: Option<&'a str>,
    tls: bool,
    tls_version: Option<&'static str>,
    tls_cipher: Option<&'a str>,
    kind: &'static str,
    date: Option<String>,
    delay_seconds: Option<i64>,
    tls_evidence: Option<&'a str>,
    kind_reason: String,
    sender_org: Option<&'a str>,
    receiver_org: Option<&'a str>,
    crosses_organizations: bool,
    parsed: bool,
    raw: String,
}

#[derive(Serialize)]
struct BoundaryView {
    header_index: Option<usize>,
    verdict: &'static str,
    rule: &'static str,
}

/// Renders the analysis as pretty-printed JSON with a final line break.
pub fn render(analysis: &Analysis) -> String {
    let c = &analysis.classification;
    let output = Output {
        sender_domain: c.sender_domain.as_deref(),
        hops: c
            .hops
            .iter()
            .zip(&analysis.details)
            .map(|(hop, detail)| hop_view(hop, detail))
            .collect(),
        boundary: BoundaryView {
            header_index: c.boundary.header_index,
            verdict: c.boundary.verdict.as_str(),
            rule: c.boundary.rule.as_str(),
        },
        path_verdict: c.path.as_str(),
        findings: &c.findings,
        message_id: c.message_id.as_deref(),
        date_utc: c.date_utc,
    };
    let json = serde_json::to_string_pretty(&output)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialize the classification: {e}\"}}"));
    let mut text = escape_invisible(&json);
    text.push('\n');
    text
}

fn hop_view<'a>(hop: &'a Hop, detail: &'a HopDetail) -> HopView<'a> {
    HopView {
        header_index: hop.header_index,
        from_host: hop.from_host.as_deref(),
        from_ip: hop.from_ip.as_deref(),
        by_host: hop.by_host.as_deref(),
        protocol: hop.protocol.as_deref(),
        tls: hop.tls,
        tls_version: hop.tls_version.map(|v| v.as_str()),
        tls_cipher: hop.tls_cipher.as_deref(),
        kind: hop.kind.as_str(),
        date: hop.date.and_then(rfc3339),
        delay_seconds: detail.delay_seconds,
        tls_evidence: hop.tls_evidence.as_deref(),
        kind_reason: detail.kind_reason.to_string(),
        sender_org: detail.sender_org.as_deref(),
        receiver_org: detail.receiver_org.as_deref(),
        crosses_organizations: detail.crosses_organizations,
        parsed: hop.parsed,
        raw: String::from_utf8_lossy(&hop.raw).into_owned(),
    }
}

/// Formats a hop date in RFC 3339 with the offset the server wrote.
pub fn rfc3339(date: HopDate) -> Option<String> {
    let offset = chrono::FixedOffset::east_opt(date.offset_minutes * 60)?;
    let utc = chrono::DateTime::from_timestamp(date.utc, 0)?;
    Some(utc.with_timezone(&offset).to_rfc3339())
}

/// serde_json escapes C0 controls but writes other characters as they are. C1 controls and
/// bidirectional overrides are escaped too, so the JSON stays safe to show on a terminal; the
/// escapes decode to the same text.
fn escape_invisible(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if ('\u{80}'..='\u{9F}').contains(&c) || is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
