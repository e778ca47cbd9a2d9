//! The configuration's `[[receivers]]` rules as [`ReceiverKnowledge`].

use globset::{GlobBuilder, GlobMatcher};

use crate::classify::{ReceiverEvidence, ReceiverKnowledge};
use crate::config::Config;

// TODO: move to `classify` once the classifier offers configured receivers itself; the
// scan pipeline needs the same rules.
/// Receiver rules in config order; the first pattern that matches a host decides.
pub struct ConfiguredReceivers {
    rules: Vec<(GlobMatcher, bool)>,
}

impl ConfiguredReceivers {
    /// Compiles the rules. Patterns were checked when the config was loaded; one that
    /// still fails to compile is left out.
    pub fn from_config(config: &Config) -> ConfiguredReceivers {
        let rules = config
            .receivers
            .iter()
            .filter_map(|rule| {
                let glob = GlobBuilder::new(&rule.host)
                    .case_insensitive(true)
                    .build()
                    .ok()?;
                Some((glob.compile_matcher(), rule.records_tls))
            })
            .collect();
        ConfiguredReceivers { rules }
    }
}

impl ReceiverKnowledge for ConfiguredReceivers {
    fn records_tls(&self, by_host: &str) -> Option<(bool, ReceiverEvidence)> {
        self.rules
            .iter()
            .find(|(glob, _)| glob.is_match(by_host))
            .map(|(_, records)| (*records, ReceiverEvidence::Configured))
    }
}
