//! What a batch of 50 policy variants costs against one run of the same scenario (issue
//! 3's target: at most 8×), measured so that the host's load cancels out.
//!
//! Criterion times the run and the batch minutes apart, and on this shared machine the
//! load moves their ratio by ±1. Here each round times one run and then the batch, back
//! to back, and the ratio of that round is kept; the median over rounds is reported.
//!
//! Two sizes: 5,000 paths, where a batch's fixed costs (its plan, pilot and rows) weigh
//! more, and 20,000, the default of the scenarios, `fencheng batch` and `fencheng
//! sweep`. `cargo bench --bench ratio` (2 threads, as the machine has; about 70 s).

mod common;

use std::hint::black_box;
use std::time::Instant;

use fencheng::engine::{simulate, simulate_variants};
use fencheng::scenario::Scenario;

use common::{large, zone_share_variants};

/// (paths, rounds): an odd number of rounds, so the median is one of them.
const SIZES: [(usize, usize); 2] = [(5_000, 15), (20_000, 5)];

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no options.
    let base = large();
    let variants = zone_share_variants(&base);
    let refs: Vec<&Scenario> = variants.iter().collect();
    let medians: Vec<String> = SIZES
        .iter()
        .map(|&(paths, rounds)| {
            let median = measure(&base, &refs, paths, rounds);
            format!("{paths} paths {median:.2}×")
        })
        .collect();
    println!("medians: {}", medians.join(", "));
}

/// Time `rounds` rounds of one run of `base` and then the batch `variants`, at `paths`
/// paths; print each round and return the median ratio.
fn measure(base: &Scenario, variants: &[&Scenario], paths: usize, rounds: usize) -> f64 {
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64()
    };
    let run = || {
        black_box(simulate(base, paths, 7, &|_| {}));
    };
    let batch = || {
        black_box(simulate_variants(variants, true, paths, 7, &|_| {}));
    };
    // Warm up: page in the code and the allocator's arenas.
    run();
    batch();

    println!("{paths} paths\nround  one run   50 variants  ratio");
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let one = time(&run);
        let many = time(&batch);
        ratios.push(many / one);
        println!(
            "{round:>5}  {:>6.0} ms  {:>8.0} ms  {:>5.2}×",
            one * 1e3,
            many * 1e3,
            many / one
        );
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[rounds / 2];
    println!(
        "batch of 50 variants / one run, {paths} paths, {} threads: median {median:.2}× \
         (min {:.2}×, max {:.2}×)\n",
        rayon::current_num_threads(),
        ratios[0],
        ratios[rounds - 1]
    );
    median
}
