//! Classification speed over whole header blocks: the shared corpus chains, classified one
//! after another on one thread. Criterion reports the time per pass over all chains and
//! the throughput in blocks (elements) per second.
//!
//! Run: `cargo bench --bench classify`. The chains are found through `HOPAUDIT_SHARED`,
//! else `../shared`, else `/work/shared`.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hopaudit::classify::{NoKnowledge, Policy, classify};

fn chains() -> Vec<Vec<u8>> {
    let dir = [
        std::env::var_os("HOPAUDIT_SHARED").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ]
    .into_iter()
    .flatten()
    .map(|d| d.join("corpus/chains"))
    .find(|d| d.is_dir())
    .expect("corpus/chains not found; set HOPAUDIT_SHARED to the folder that holds corpus/");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("read corpus/chains")
        .map(|e| e.expect("chain entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("read chain"))
        .collect()
}

fn bench_classify(c: &mut Criterion) {
    let blocks = chains();
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
