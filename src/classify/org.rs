//! Which organization a host belongs to.
//!
//! A host belongs to, in this order: the recipient organization, when it matches one of the
//! configured domains or gateways; a provider group, when it matches one of the group's
//! domains (configured `[[provider_groups]]` first, then [`BUILT_IN_PROVIDERS`]); otherwise
//! its registrable domain under the Public Suffix List (`mx1.mail.example.co.uk` belongs to
//! `example.co.uk`). A domain matches a host equal to it or ending in `.` plus it.
//! Addresses, single-label names (`localhost`, `APP2`) and mailboxes belong to no known
//! organization.

use std::borrow::Cow;

use super::Policy;

/// Providers that run one mail system under several registrable domains. Each group is one
/// organization: a hand-off between two of its domains is internal.
pub const BUILT_IN_PROVIDERS: &[(&str, &[&str])] = &[
    (
        "Microsoft",
        &[
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "office365.com",
            "microsoft.com",
            "exchangelabs.com",
            "onmicrosoft.com",
        ],
    ),
    (
        "Google",
        &["google.com", "gmail.com", "googlemail.com", "1e100.net"],
    ),
    (
        "Yahoo",
        &[
            "yahoo.com",
            "yahoo.net",
            "yahoodns.net",
            "ymail.com",
            "aol.com",
            "aim.com",
        ],
    ),
    ("Apple", &["icloud.com", "me.com", "mac.com", "apple.com"]),
    (
        "Proofpoint",
        &[
            "pphosted.com",
            "ppops.net",
            "ppe-hosted.com",
            "proofpoint.com",
        ],
    ),
    ("Mimecast", &["mimecast.com", "mimecast-offshore.com"]),
    (
        "Zoho",
        &["zoho.com", "zoho.eu", "zohomail.com", "zohomail.eu"],
    ),
    ("Fastmail", &["fastmail.com", "messagingengine.com"]),
];

/// The organization of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Org<'p> {
    /// The audited organization, or a gateway acting for it.
    Recipient,
    /// A provider group, by name (a configured group is named by its first domain).
    Provider(&'p str),
    /// A registrable domain.
    Domain(String),
}

impl Org<'_> {
    /// Returns a label for display: `recipient`, the provider name, or the domain.
    pub fn label(&self) -> Cow<'_, str> {
        match self {
            Org::Recipient => Cow::Borrowed("recipient"),
            Org::Provider(name) => Cow::Borrowed(name),
            Org::Domain(domain) => Cow::Borrowed(domain),
        }
    }
}

/// Resolves hosts to organizations under one policy.
#[derive(Debug, Clone, Copy)]
pub struct Orgs<'p> {
    policy: &'p Policy,
}

impl<'p> Orgs<'p> {
    pub fn new(policy: &'p Policy) -> Orgs<'p> {
        Orgs { policy }
    }

    /// True when the policy names the recipient organization's domains or gateways.
    pub fn has_recipient(&self) -> bool {
        !self.policy.org_domains.is_empty() || !self.policy.gateways.is_empty()
    }

    /// Returns the organization of `host`, or `None` when it names none.
    pub fn of(&self, host: &str) -> Option<Org<'p>> {
        let host = normalize(host)?;
        if self.is_recipient_name(&host) {
            return Some(Org::Recipient);
        }
        let configured = self
            .policy
            .provider_groups
            .iter()
            .filter(|group| !group.is_empty())
            .find(|group| group.iter().any(|d| matches_domain(&host, d)))
            .map(|group| group[0].as_str());
        if let Some(name) = configured.or_else(|| built_in_provider(&host)) {
            return Some(Org::Provider(name));
        }
        psl::domain_str(&host).map(|domain| Org::Domain(domain.to_string()))
    }

    /// True when `host` is one of the recipient's domains or gateways.
    pub fn is_recipient(&self, host: &str) -> bool {
        normalize(host).is_some_and(|h| self.is_recipient_name(&h))
    }

    fn is_recipient_name(&self, host: &str) -> bool {
        self.policy
            .org_domains
            .iter()
            .chain(&self.policy.gateways)
            .any(|d| matches_domain(host, d))
    }
}

/// Returns the built-in provider group of `host` (lowercase). Every built-in domain has
/// two labels, so only the host's last two labels can match one.
fn built_in_provider(host: &str) -> Option<&'static str> {
    let last_dot = host.rfind('.')?;
    let suffix = match host[..last_dot].rfind('.') {
        Some(dot) => &host[dot + 1..],
        None => host,
    };
    BUILT_IN_PROVIDERS
        .iter()
        .find(|(_, domains)| domains.contains(&suffix))
        .map(|(name, _)| *name)
}

/// Index of an organization in an [`OrgTable`]. Two ids are equal exactly when their
/// organizations are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgId(usize);

/// The organizations of one header block's hosts, each host resolved once.
#[derive(Debug)]
pub struct OrgTable<'h, 'p> {
    orgs: Orgs<'p>,
    hosts: Vec<(&'h str, Option<OrgId>)>,
    distinct: Vec<Org<'p>>,
}

impl<'h, 'p> OrgTable<'h, 'p> {
    pub fn new(orgs: Orgs<'p>) -> OrgTable<'h, 'p> {
        OrgTable {
            orgs,
            hosts: Vec::new(),
            distinct: Vec::new(),
        }
    }

    /// Returns the organization of `host`, resolving it on first use.
    pub fn of(&mut self, host: &'h str) -> Option<OrgId> {
        if let Some((_, id)) = self.hosts.iter().find(|(known, _)| *known == host) {
            return *id;
        }
        let id = self.orgs.of(host).map(|org| self.intern(org));
        self.hosts.push((host, id));
        id
    }

    /// Returns the id of `org` if a host of the block resolved to it.
    pub fn find(&self, org: &Org<'_>) -> Option<OrgId> {
        self.distinct
            .iter()
            .position(|known| known == org)
            .map(OrgId)
    }

    pub fn get(&self, id: OrgId) -> &Org<'p> {
        &self.distinct[id.0]
    }

    pub fn has_recipient(&self) -> bool {
        self.orgs.has_recipient()
    }

    fn intern(&mut self, org: Org<'p>) -> OrgId {
        match self.find(&org) {
            Some(id) => id,
            None => {
                self.distinct.push(org);
                OrgId(self.distinct.len() - 1)
            }
        }
    }
}

/// Lowercases a host name and drops a trailing dot; `None` for addresses, mailboxes,
/// single-label names and `localhost.*` names.
fn normalize(host: &str) -> Option<Cow<'_, str>> {
    let host = host.trim_end_matches('.');
    let (mut dot, mut letter, mut upper) = (false, false, false);
    for &byte in host.as_bytes() {
        match byte {
            b'.' => dot = true,
            b'@' | b'[' | b']' | b':' | b'/' | b' ' => return None,
            // A top-level domain has a letter, so an IPv4 address (digits and dots) is no name.
            b'a'..=b'z' => letter = true,
            b'A'..=b'Z' => (letter, upper) = (true, true),
            _ => {}
        }
    }
    let localhost = host.len() >= 10 && host.as_bytes()[..10].eq_ignore_ascii_case(b"localhost.");
    if !dot || !letter || localhost {
        return None;
    }
    if upper {
        Some(Cow::Owned(host.to_ascii_lowercase()))
    } else {
        Some(Cow::Borrowed(host))
    }
}

/// True when `host` is `domain` or a name under it. `domain` is lowercase.
fn matches_domain(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}
