//! The boundary hop, where the message entered the recipient's organization, and the path
//! verdict over every hand-off between organizations.

use crate::hop::{HopKind, ParsedHop, is_private_ip};

use super::org::{Org, OrgId, OrgTable};
use super::{ReceiverKnowledge, Verdict, VerdictRule, verdict_without_tls};

/// Returns the position (in chronological order) of the boundary hop.
///
/// With configured domains or gateways, the boundary is the oldest hop received by one of
/// them. Without, it falls back to the organization of the topmost hop whose receiving
/// host has a registrable name (the mailbox provider that stored the message), and takes
/// the oldest hop received inside that organization. Among the candidates, a hop that is
/// not local is preferred: a hand-off inside one machine is not where mail arrives.
pub fn choose(
    hops: &[ParsedHop],
    crossings: &[Crossing],
    orgs: &OrgTable<'_, '_>,
) -> Option<usize> {
    let target = if orgs.has_recipient() {
        orgs.find(&Org::Recipient)?
    } else {
        crossings.iter().rev().find_map(|c| c.receiver)?
    };
    // Every header below a hop whose sender is plainly outside the organization was
    // written by that sender or before it reached the organization, so none of them can be
    // the boundary, whatever servers they name.
    let floor = crossings
        .iter()
        .enumerate()
        .rev()
        .find(|(p, c)| c.receiver == Some(target) && sender_outside(c, &hops[*p], target))
        .map_or(0, |(position, _)| position);
    let mut candidates = crossings
        .iter()
        .enumerate()
        .skip(floor)
        .filter(|(_, c)| c.receiver == Some(target))
        .map(|(position, _)| position);
    let first = candidates.clone().next();
    candidates
        .find(|&p| hops[p].hop.kind != HopKind::Local)
        .or(first)
}

/// True when a relay or submission hop's sender connected from a public address and is not
/// shown to belong to the organization: another organization, or a name that places it
/// nowhere (`x`, `[192.0.2.1]`). A submission counts too: the client that submitted wrote
/// every header below it, and an ident response can make a relay look like one.
fn sender_outside(crossing: &Crossing, hop: &ParsedHop, target: OrgId) -> bool {
    let public = hop
        .from_addr
        .is_some_and(|ip| !is_private_ip(ip) && !ip.is_loopback());
    let handed_over = matches!(hop.hop.kind, HopKind::Relay | HopKind::Submission);
    handed_over && public && crossing.sender != Some(target)
}

/// Returns the verdict and rule for one hop.
pub fn judge(hop: &ParsedHop, knowledge: &dyn ReceiverKnowledge) -> (Verdict, VerdictRule) {
    if hop.hop.tls {
        (Verdict::Encrypted, VerdictRule::TlsRecorded)
    } else {
        verdict_without_tls(hop.hop.by_host.as_deref(), knowledge)
    }
}

/// The organizations on both sides of a hop, and whether it crosses between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    pub sender: Option<OrgId>,
    pub receiver: Option<OrgId>,
    pub crosses: bool,
}

/// Decides whether a hop is a hand-off between organizations. Only server-to-server hops
/// can be: a local hop stays inside one host, a submission is a client talking to its own
/// server. A relay stays inside one organization when both sides resolve to it, or when
/// the sender has a private address (RFC 1918, RFC 4193), which does not cross the public
/// internet. The sender's reverse-DNS name is preferred over the name it claimed, and
/// the HELO name is used when the sender was recorded as `unknown`. The sender's
/// organization is looked up only for a relay, unless `every_sender` is set.
pub fn crossing<'h>(
    hop: &'h ParsedHop,
    orgs: &mut OrgTable<'h, '_>,
    every_sender: bool,
) -> Crossing {
    let relay = hop.hop.kind == HopKind::Relay;
    let named_sender = hop
        .hop
        .from_host
        .as_deref()
        .filter(|h| !h.eq_ignore_ascii_case("unknown"));
    // TODO: without a reverse-DNS name the HELO claim decides the sender's organization,
    // which Microsoft 365's internal hops need but a sender can abuse (docs/classify.md).
    let sender_name = hop
        .from_rdns
        .as_deref()
        .or(named_sender)
        .or(hop.helo.as_deref());
    let sender = sender_name
        .filter(|_| relay || every_sender)
        .and_then(|h| orgs.of(h));
    let receiver = hop.hop.by_host.as_deref().and_then(|h| orgs.of(h));
    let same_org = sender.is_some() && sender == receiver;
    let private = hop.from_addr.is_some_and(is_private_ip);
    // TODO: with a gateway such as protection.outlook.com, a tenant's own hop from the
    // gateway to its mailbox server (outlook.office365.com) counts as crossing, and mail
    // from another tenant's outbound gateway as internal, so the path verdict is wrong there.
    let crosses = relay && !same_org && !private;
    Crossing {
        sender,
        receiver,
        crosses,
    }
}

/// The path verdict: encrypted when every hop between organizations recorded TLS;
/// otherwise the worst verdict of those that did not; `None` when no hop crosses.
pub fn path_verdict<'a>(
    crossing_hops: impl Iterator<Item = &'a ParsedHop>,
    knowledge: &dyn ReceiverKnowledge,
) -> Verdict {
    let rank = |verdict: Verdict| match verdict {
        Verdict::None => 0,
        Verdict::Encrypted => 1,
        Verdict::Unverified => 2,
        Verdict::Plaintext => 3,
    };
    crossing_hops
        .map(|hop| judge(hop, knowledge).0)
        .max_by_key(|v| rank(*v))
        .unwrap_or(Verdict::None)
}
