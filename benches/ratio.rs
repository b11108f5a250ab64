//! What a batch of 50 policy variants costs against one run of the same scenario (issue
//! 3's target: at most 8×), measured so that the host's load cancels out.
//!
//! Criterion times the run and the batch minutes apart, and on this shared machine the
//! load moves their ratio by ±1. Here each round times one run and then the batch, back
//! to back, and the ratio of that round is kept; the median over rounds is reported.
//! `cargo bench --bench ratio` (2 threads, as the machine has; about 45 s).

mod common;

use std::hint::black_box;
use std::time::Instant;

use fencheng::engine::{simulate, simulate_variants};
use fencheng::scenario::Scenario;

use common::{large, zone_share_variants};

const PATHS: usize = 5_000;
const ROUNDS: usize = 15;

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no options.
    let base = large();
    let variants = zone_share_variants(&base);
    let refs: Vec<&Scenario> = variants.iter().collect();
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64()
    };
    let run = || {
        black_box(simulate(&base, PATHS, 7, &|_| {}));
    };
    let batch = || {
        black_box(simulate_variants(&refs, true, PATHS, 7, &|_| {}));
    };
    // Warm up: page in the code and the allocator's arenas.
    run();
    batch();

    println!("round  one run   50 variants  ratio");
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
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
    println!(
        "batch of 50 variants / one run, {PATHS} paths, {} threads: median {:.2}× \
         (min {:.2}×, max {:.2}×)",
        rayon::current_num_threads(),
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
}
