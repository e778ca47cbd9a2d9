//! Classification speed over whole header blocks: the shared corpus chains, classified one
//! after another on one thread. Criterion reports the time per pass over all chains and
//! the throughput in blocks (elements) per second.
//!
//! Run: `cargo bench --bench classify`. The chains are found through `HOPAUDIT_SHARED`,
//! else `../shared`, else `/work/shared`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hopaudit::classify::{NoKnowledge, Policy, classify};

fn bench_classify(c: &mut Criterion) {
    let blocks = common::chains();
    let policy = Policy {
        org_domains: vec!["example.org".to_string()],
        ..Policy::default()
    };
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(blocks.len() as u64));
    group.bench_function("corpus_chains", |b| {
        b.iter(|| {
            for block in &blocks {
                std::hint::black_box(classify(std::hint::black_box(block), &policy, &NoKnowledge));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_classify);
criterion_main!(benches);
