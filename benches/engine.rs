//! Speed of the parts of a run, on the large scenario (5 zones, 6 taxes, 200 projects,
//! 2025–2035): sampling one world, the ledger of one path, extracting its series, and a
//! whole run. `cargo bench`; numbers and their reading are in benches/README.md.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use fencheng::engine::layout::Layout;
use fencheng::engine::{simulate, simulate_variants};
use fencheng::ledger::{Ledger, PathLedger};
use fencheng::scenario::Scenario;
use fencheng::world::{World, WorldSampler, path_rng};

use common::{large, zone_share_variants};

/// Worlds the ledger bench takes in turn: enough that the branch predictor cannot learn
/// their draws, few enough to stay in cache as the engine's one world does.
const WORLDS: u64 = 32;

fn parts(c: &mut Criterion) {
    let s = large();
    let sampler = WorldSampler::new(&s);
    let mut world = sampler.blank();
    let mut path = 0u64;
    c.bench_function("world: sample one path", |b| {
        b.iter(|| {
            path += 1;
            sampler.sample_into(&mut path_rng(1, path), &mut world);
            black_box(&world);
        })
    });

    let mut ledger = Ledger::new(&s);
    let mut out = PathLedger::new(&s);
    // Worlds in turn, as a run meets them: on one world repeated, every branch on the
    // draws (landed? which year?) is learnt by the predictor and costs nothing.
    let worlds: Vec<World> = (0..WORLDS)
        .map(|path| {
            let mut world = sampler.blank();
            sampler.sample_into(&mut path_rng(1, path), &mut world);
            world
        })
        .collect();
    let mut turn = worlds.iter().cycle();
    c.bench_function("ledger: one path", |b| {
        b.iter(|| {
            let world = turn.next().expect("cycles forever");
            ledger.evaluate(black_box(world), &mut out);
            black_box(&out);
        })
    });

    let mut row = Vec::with_capacity(Layout::new(&s).len());
    c.bench_function("layout: one path's series", |b| {
        b.iter(|| {
            row.clear();
            Layout::record(black_box(&out), &mut row);
            black_box(&row);
        })
    });
}

fn whole_run(c: &mut Criterion) {
    let s = large();
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.bench_function("large scenario, 10,000 paths", |b| {
        b.iter(|| black_box(simulate(&s, 10_000, 7, &|_| {})))
    });
    group.finish();
}

/// A batch of 50 policy variants (the zone share of one zone's increment, 0.40..0.89)
/// against one run of the same scenario, on the same paths.
fn batch_ratio(c: &mut Criterion) {
    let base = large();
    let variants = zone_share_variants(&base);
    let refs: Vec<&Scenario> = variants.iter().collect();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.bench_function("one run, 5,000 paths", |b| {
        b.iter(|| black_box(simulate(&base, 5_000, 7, &|_| {})))
    });
    group.bench_function("50 policy variants, 5,000 paths", |b| {
        b.iter(|| black_box(simulate_variants(&refs, true, 5_000, 7, &|_| {})))
    });
    group.finish();
}

criterion_group!(benches, parts, whole_run, batch_ratio);
criterion_main!(benches);
