//! Feeds arbitrary bytes to the header splitter, the hop parser and the classifier, and
//! checks that they return and keep their invariants.

#![no_main]

use hopaudit::classify::{NoKnowledge, Policy, classify};
use hopaudit::hop::{self, HopKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let policy = Policy {
        org_domains: vec!["example.org".to_string()],
        ..Policy::default()
    };
    let result = classify(data, &policy, &NoKnowledge);
    let received = hopaudit::header::received(&hopaudit::header::fields(data)).len();
    assert_eq!(result.hops.len(), received);
    for hop in &result.hops {
        assert!(hop.tls || hop.tls_version.is_none(), "a version without TLS");
        assert!(hop.parsed || hop.kind == HopKind::Unknown, "an unparsed hop with a kind");
    }
    let single = hop::parse(data, 0);
    assert_eq!(single.raw, data);
    serde_json::to_string(&result).expect("classification serializes");
});
