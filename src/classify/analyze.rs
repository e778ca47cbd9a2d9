//! The classification pipeline: header block to hops, organizations, boundary, verdicts and
//! findings, with the per-hop reasons that `hopaudit classify` shows.

use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;
use std::borrow::Cow;

use crate::header;
use crate::hop::{KindReason, ParsedHop, parse_hop};

use super::boundary::{self, Crossing};
use super::findings::{delays_between, findings};
use super::org::{OrgId, OrgTable, Orgs};
use super::{Boundary, Classification, Policy, ReceiverKnowledge, Verdict, VerdictRule};

/// A classification with the reasons behind each hop, in the same order as its hops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub classification: Classification,
    pub details: Vec<HopDetail>,
}

/// The reasons behind one hop's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopDetail {
    pub kind_reason: KindReason,
    /// The sender's organization (provider group name or registrable domain).
    pub sender_org: Option<String>,
    pub receiver_org: Option<String>,
    /// True when this hop is a hand-off between two organizations.
    pub crosses_organizations: bool,
    /// Seconds since the closest earlier dated hop; negative means clock skew.
    pub delay_seconds: Option<i64>,
}

/// Classifies one header block and keeps the per-hop reasons.
pub fn analyze(header: &[u8], policy: &Policy, knowledge: &dyn ReceiverKnowledge) -> Analysis {
    let (classification, details) = run(header, policy, knowledge, true);
    Analysis {
        classification,
        details,
    }
}

/// Classifies one header block, without the per-hop reasons.
pub(super) fn classify(
    header: &[u8],
    policy: &Policy,
    knowledge: &dyn ReceiverKnowledge,
) -> Classification {
    run(header, policy, knowledge, false).0
}

/// Classifies one header block; the per-hop reasons are built only when `with_details`.
fn run(
    header: &[u8],
    policy: &Policy,
    knowledge: &dyn ReceiverKnowledge,
    with_details: bool,
) -> (Classification, Vec<HopDetail>) {
    let fields = header::audit_fields(header);
    let mut parsed: Vec<ParsedHop> = fields
        .received
        .iter()
        .enumerate()
        .map(|(index, raw)| parse_hop(raw, index))
        .collect();
    parsed.reverse();
    let mut orgs = OrgTable::new(Orgs::new(policy));
    let crossings: Vec<Crossing> = parsed
        .iter()
        .map(|h| boundary::crossing(h, &mut orgs, with_details))
        .collect();
    let position = boundary::choose(&parsed, &crossings, &orgs);
    let boundary = resolve_boundary(&parsed, position, knowledge);
    let crossing_hops = parsed
        .iter()
        .zip(&crossings)
        .filter(|(_, c)| c.crosses)
        .map(|(h, _)| h);
    let path = boundary::path_verdict(crossing_hops, knowledge);
    let details = if with_details {
        details(&parsed, &crossings, &orgs)
    } else {
        Vec::new()
    };
    drop(orgs);
    let hops: Vec<_> = parsed.into_iter().map(|p| p.hop).collect();
    let findings = findings(&hops, boundary.header_index, boundary.verdict);
    let classification = Classification {
        sender_domain: fields.from.and_then(sender_domain),
        message_id: fields.message_id.and_then(message_id),
        date_utc: fields.date.and_then(date_utc),
        hops,
        boundary,
        path,
        findings,
    };
    (classification, details)
}

/// Judges the boundary hop at `position` (chronological), or explains why there is none.
fn resolve_boundary(
    parsed: &[ParsedHop],
    position: Option<usize>,
    knowledge: &dyn ReceiverKnowledge,
) -> Boundary {
    match position {
        Some(p) => {
            let (verdict, rule) = boundary::judge(&parsed[p], knowledge);
            Boundary {
                header_index: Some(parsed[p].hop.header_index),
                verdict,
                rule,
            }
        }
        None => Boundary {
            header_index: None,
            verdict: Verdict::None,
            rule: if parsed.is_empty() {
                VerdictRule::NoReceivedHeader
            } else {
                VerdictRule::NoBoundaryFound
            },
        },
    }
}

fn details(
    parsed: &[ParsedHop],
    crossings: &[Crossing],
    orgs: &OrgTable<'_, '_>,
) -> Vec<HopDetail> {
    let label = |id: Option<OrgId>| id.map(|id| orgs.get(id).label().into_owned());
    let delays = delays_between(parsed.iter().map(|p| p.hop.date.map(|d| d.utc)));
    parsed
        .iter()
        .zip(crossings)
        .zip(delays)
        .map(|((hop, crossing), delay_seconds)| HopDetail {
            kind_reason: hop.kind_reason,
            sender_org: label(crossing.sender),
            receiver_org: label(crossing.receiver),
            crosses_organizations: crossing.crosses,
            delay_seconds,
        })
        .collect()
}

/// Returns the domain of the first From address, lowercased and as written
/// (`lists.example.com` stays whole).
fn sender_domain(value: &[u8]) -> Option<String> {
    let terminated_value = terminated(value);
    let parsed = match MessageStream::new(&terminated_value).parse_address() {
        HeaderValue::Address(address) => address
            .first()
            .and_then(|a| a.address.as_deref())
            .filter(|a| a.contains('@'))
            .map(str::to_string),
        _ => None,
    };
    // A From value that mail-parser cannot read as an address (a bare word list, broken
    // quoting): take the word with an `@` instead.
    let mailbox = parsed.or_else(|| {
        String::from_utf8_lossy(value)
            .split(|c: char| c.is_ascii_whitespace() || matches!(c, '<' | '>' | '"' | ','))
            .find(|w| w.contains('@'))
            .map(str::to_string)
    })?;
    let (_, domain) = mailbox.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches(['.', '>']);
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// Returns the field value ending in a line break. mail-parser's field parsers (0.11) end
/// a value only at a line break: without one, `parse_id` returns nothing at all.
fn terminated(value: &[u8]) -> Cow<'_, [u8]> {
    if value.ends_with(b"\n") {
        Cow::Borrowed(value)
    } else {
        let mut owned = Vec::with_capacity(value.len() + 2);
        owned.extend_from_slice(value);
        owned.extend_from_slice(b"\r\n");
        Cow::Owned(owned)
    }
}

/// Returns the first Message-ID in angle brackets, as the header writes it.
fn message_id(value: &[u8]) -> Option<String> {
    let value = terminated(value);
    let id = match MessageStream::new(&value).parse_id() {
        HeaderValue::Text(id) => id,
        HeaderValue::TextList(ids) => ids.into_iter().next()?,
        _ => return None,
    };
    let id = id.trim();
    (!id.is_empty()).then(|| format!("<{id}>"))
}

fn date_utc(value: &[u8]) -> Option<i64> {
    let value = terminated(value);
    match MessageStream::new(&value).parse_date() {
        HeaderValue::DateTime(date) if date.is_valid() => Some(date.to_timestamp()),
        _ => None,
    }
}
