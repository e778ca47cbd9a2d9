//! Blocks per second on one thread, in wall-clock time and in CPU time. On a shared machine
//! the wall-clock figure drops when other processes compete for the cores. The CPU-time
//! figure counts only the time this thread ran (its on-CPU time in
//! `/proc/thread-self/schedstat`, Linux only), so it is the one-core speed.
//!
//! Run: `cargo bench --bench throughput`.

use std::time::{Duration, Instant};

mod common;

use hopaudit::classify::{NoKnowledge, Policy, classify};

/// Returns the nanoseconds this thread has run on a CPU, when the kernel reports it.
fn thread_cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `work` for about `seconds` of wall time and returns (runs, wall seconds, CPU seconds).
fn measure(seconds: u64, mut work: impl FnMut()) -> (usize, f64, Option<f64>) {
    for _ in 0..20 {
        work();
    }
    let (mut runs, wall_start, cpu_start) = (0usize, Instant::now(), thread_cpu_nanos());
    while wall_start.elapsed() < Duration::from_secs(seconds) {
        work();
        runs += 1;
    }
    let wall = wall_start.elapsed().as_secs_f64();
    let cpu = cpu_start
        .zip(thread_cpu_nanos())
        .map(|(start, end)| (end - start) as f64 / 1e9);
    (runs, wall, cpu)
}

fn main() {
    let blocks = common::chains();
    let policy = Policy {
        org_domains: vec!["example.org".to_string()],
        ..Policy::default()
    };
    let bytes: usize = blocks.iter().map(Vec::len).sum();
    let (passes, wall, cpu) = measure(5, || {
        for block in &blocks {
            std::hint::black_box(classify(std::hint::black_box(block), &policy, &NoKnowledge));
        }
    });
    let classified = (passes * blocks.len()) as f64;
    println!(
        "{} chains ({bytes} bytes), {passes} passes, {classified} blocks",
        blocks.len()
    );
    println!("wall clock: {:.0} blocks/s", classified / wall);
    match cpu {
        Some(cpu) => println!(
            "CPU time:   {:.0} blocks/s ({cpu:.2} s on CPU of {wall:.2} s)",
            classified / cpu
        ),
        None => println!("CPU time:   not available on this system"),
    }
    breakdown(&blocks, cpu.map(|c| c / passes as f64));
}

/// A named piece of work measured alone.
type Stage<'a> = (&'static str, Box<dyn Fn() + 'a>);

/// Prints the CPU time per pass of the stages alone, to show where a pass goes.
fn breakdown(blocks: &[Vec<u8>], full_pass: Option<f64>) {
    let received: Vec<Vec<u8>> = blocks
        .iter()
        .flat_map(|b| hopaudit::header::audit_fields(b).received)
        .map(<[u8]>::to_vec)
        .collect();
    let stages: [Stage<'_>; 3] = [
        (
            "find the header fields",
            Box::new(|| {
                for block in blocks {
                    std::hint::black_box(hopaudit::header::audit_fields(std::hint::black_box(
                        block,
                    )));
                }
            }),
        ),
        (
            "mail-parser parse_received",
            Box::new(|| {
                for raw in &received {
                    let mut stream =
                        mail_parser::parsers::MessageStream::new(std::hint::black_box(raw));
                    std::hint::black_box(stream.parse_received());
                }
            }),
        ),
        (
            "hop::parse (includes mail-parser)",
            Box::new(|| {
                for (index, raw) in received.iter().enumerate() {
                    std::hint::black_box(hopaudit::hop::parse(std::hint::black_box(raw), index));
                }
            }),
        ),
    ];
    println!(
        "per pass over {} blocks, {} Received headers:",
        blocks.len(),
        received.len()
    );
    if let Some(full) = full_pass {
        println!("  {:<36} {:>8.1} us", "classify (all stages)", full * 1e6);
    }
    for (name, stage) in &stages {
        if let (runs, _, Some(cpu)) = measure(2, stage) {
            println!("  {name:<36} {:>8.1} us", cpu / runs as f64 * 1e6);
        }
    }
}
