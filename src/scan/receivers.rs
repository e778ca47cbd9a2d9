//! What the configuration says about receiving servers (`[[receivers]]`), as the
//! classifier's [`ReceiverKnowledge`]. The first matching rule wins.

use globset::{GlobBuilder, GlobMatcher};

use crate::classify::{ReceiverEvidence, ReceiverKnowledge};
use crate::config::ReceiverRule;

/// Compiled `[[receivers]]` rules.
pub struct ConfiguredReceivers {
    rules: Vec<(GlobMatcher, bool)>,
}

impl ConfiguredReceivers {
    /// Compiles the rules; patterns were checked when the config was loaded, so a pattern
    /// that still fails to compile is skipped.
    pub fn new(rules: &[ReceiverRule]) -> ConfiguredReceivers {
        let rules = rules
            .iter()
            .filter_map(|rule| {
                let glob = GlobBuilder::new(&rule.host.to_ascii_lowercase())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_rule_wins() {
        let rules = vec![
            ReceiverRule {
                host: "mx4.example-health.org".into(),
                records_tls: false,
            },
            ReceiverRule {
                host: "MX*.example-health.org".into(),
                records_tls: true,
            },
        ];
        let known = ConfiguredReceivers::new(&rules);
        assert_eq!(
            known.records_tls("mx4.example-health.org"),
            Some((false, ReceiverEvidence::Configured))
        );
        assert_eq!(
            known.records_tls("mx.example-health.org"),
            Some((true, ReceiverEvidence::Configured))
        );
        assert_eq!(known.records_tls("relay.example.net"), None);
    }
}
