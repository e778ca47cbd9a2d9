//! Receiver knowledge from the configuration's `[[receivers]]`, from what the store
//! learned, and the layering of the two.

use std::collections::HashSet;

use globset::{Glob, GlobMatcher};

use super::{ReceiverEvidence, ReceiverKnowledge};

/// The `[[receivers]]` rules: host globs matched case-insensitively against the `by` host.
/// The first matching rule wins.
#[derive(Debug, Clone, Default)]
pub struct ConfiguredReceivers {
    rules: Vec<(GlobMatcher, bool)>,
}

impl ConfiguredReceivers {
    /// Builds the rules from the configuration. Patterns were checked when the
    /// configuration was loaded; one that still fails to compile is skipped.
    pub fn from_config(config: &crate::config::Config) -> ConfiguredReceivers {
        let rules = config
            .receivers
            .iter()
            .filter_map(|rule| {
                let glob = Glob::new(&rule.host.to_ascii_lowercase()).ok()?;
                Some((glob.compile_matcher(), rule.records_tls))
            })
            .collect();
        ConfiguredReceivers { rules }
    }
}

impl ReceiverKnowledge for ConfiguredReceivers {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        let host = by_host.trim_end_matches('.').to_ascii_lowercase();
        self.rules
            .iter()
            .find(|(matcher, _)| matcher.is_match(&host))
            .map(|(_, records)| (*records, ReceiverEvidence::Configured))
    }
}

/// Asks `first`, then `then`: configuration before what the store learned, so an explicit
/// `records_tls = false` is not overridden by a learned `true`.
pub struct Layered<'a> {
    pub first: &'a dyn ReceiverKnowledge,
    pub then: &'a dyn ReceiverKnowledge,
}

impl ReceiverKnowledge for Layered<'_> {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        self.first
            .records_tls(by_host)
            .or_else(|| self.then.records_tls(by_host))
    }
}

/// Receiving hosts that recorded TLS on stored messages, lowercased. A host in the set is
/// known to record TLS when a hand-off uses it.
#[derive(Debug, Clone, Default)]
pub struct LearnedReceivers {
    hosts: HashSet<String>,
}

impl LearnedReceivers {
    pub fn new(hosts: HashSet<String>) -> LearnedReceivers {
        LearnedReceivers { hosts }
    }

    /// Number of hosts known.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }
}

impl ReceiverKnowledge for LearnedReceivers {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        let host = by_host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts
            .contains(&host)
            .then_some((true, ReceiverEvidence::Learned))
    }
}
