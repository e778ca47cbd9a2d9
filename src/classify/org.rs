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
        let built_in = || {
            BUILT_IN_PROVIDERS
                .iter()
                .find(|(_, domains)| domains.iter().any(|d| matches_domain(&host, d)))
                .map(|(name, _)| *name)
        };
        if let Some(name) = configured.or_else(built_in) {
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

/// Lowercases a host name and drops a trailing dot; `None` for addresses, mailboxes,
/// single-label names and `localhost.*` names.
fn normalize(host: &str) -> Option<Cow<'_, str>> {
    let host = host.trim_end_matches('.');
    let lower_starts = |prefix: &str| {
        host.len() >= prefix.len()
            && host.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let is_name = host.contains('.')
        && !lower_starts("localhost.")
        && !host.contains(['@', '[', ']', ':', '/', ' '])
        // A top-level domain has a letter, so an IPv4 address (digits and dots) is no name.
        && host.bytes().any(|b| b.is_ascii_alphabetic());
    if !is_name {
        return None;
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
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
