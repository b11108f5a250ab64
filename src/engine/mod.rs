//! The Monte Carlo engine: worlds sampled and evaluated in parallel chunks of paths,
//! statistics folded in parallel over series.
//!
//! Each wave runs in two parallel phases:
//! 1. chunks of paths: sample each path's world once (from the stream fixed by
//!    `(seed, path)`), evaluate every policy variant on it, keep the path's values;
//! 2. blocks of series: fold the wave's values into each series' statistics in path
//!    order.
//!
//! Every series sees its values in path order whatever the thread count or chunk size,
//! and percentile counts and risk counts are integers, so results are bit-identical for
//! any `--threads`. Memory holds one wave's values (bounded by [`WAVE_BUDGET_BYTES`])
//! plus one sketch per series, whatever the number of paths.

pub mod accumulator;
pub mod layout;

use rayon::prelude::*;

use crate::ledger::{Ledger, PathLedger};
use crate::scenario::model::Scenario;
use crate::stats::PERCENTILES;
use crate::summary::{RiskRow, Summary, SummaryRow};
use crate::world::{WorldSampler, path_rng};

use accumulator::{RiskTable, SeriesStats};
use layout::Layout;

/// Most paths in a chunk, the unit of parallel simulation.
pub const CHUNK_PATHS: usize = 1024;
/// Memory for one wave's path values, all variants together.
pub const WAVE_BUDGET_BYTES: usize = 32 << 20;
/// Series folded together by one task of phase 2.
const SERIES_BLOCK: usize = 16;

/// Run one scenario. `progress` is called with the number of paths done.
pub fn simulate(
    scenario: &Scenario,
    paths: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Summary {
    simulate_variants(&[scenario], paths, seed, progress)
        .pop()
        .expect("one variant in, one summary out")
}

/// Run several variants on the same worlds (common random numbers). The worlds are
/// drawn with the first variant's world parameters: variants must differ only in
/// what the ledger reads (policies, shares, budgets), not in what the sampler reads.
pub fn simulate_variants(
    variants: &[&Scenario],
    paths: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Summary> {
    let Some(first) = variants.first() else {
        return Vec::new();
    };
    let sampler = WorldSampler::new(first);
    let layouts: Vec<Layout> = variants.iter().map(|s| Layout::new(s)).collect();
    let row_bytes = 8 * layouts.iter().map(Layout::len).sum::<usize>().max(1);
    let threads = rayon::current_num_threads().max(1);
    let wave_chunks = 2 * threads;
    let chunk_paths = (WAVE_BUDGET_BYTES / (wave_chunks * row_bytes)).clamp(1, CHUNK_PATHS);

    let mut stats: Vec<Vec<SeriesStats>> = layouts
        .iter()
        .map(|l| vec![SeriesStats::default(); l.len()])
        .collect();
    let mut risk: Vec<RiskTable> = variants.iter().map(|s| RiskTable::new(s)).collect();

    let mut buffers: Vec<ChunkValues> = (0..wave_chunks)
        .map(|_| ChunkValues::new(variants, &layouts, chunk_paths))
        .collect();
    let mut done = 0;
    while done < paths {
        let wave_end = (done + wave_chunks * chunk_paths).min(paths);
        // Phase 1: simulate chunks of paths, into buffers reused from wave to wave.
        let starts: Vec<usize> = (done..wave_end).step_by(chunk_paths).collect();
        buffers
            .par_iter_mut()
            .zip(&starts)
            .for_each(|(buffer, &start)| {
                let end = (start + chunk_paths).min(wave_end);
                run_chunk(start..end, seed, &sampler, variants, buffer);
            });
        let chunks = &buffers[..starts.len()];
        // Phase 2: fold the values into each series, in path order.
        for (v, series) in stats.iter_mut().enumerate() {
            let width = layouts[v].len();
            series
                .par_chunks_mut(SERIES_BLOCK)
                .enumerate()
                .for_each(|(block, block_stats)| {
                    let from = block * SERIES_BLOCK;
                    if done == 0 {
                        let first = &chunks[0].values[v][from..from + block_stats.len()];
                        for (s, &x) in block_stats.iter_mut().zip(first) {
                            s.start(x);
                        }
                    }
                    for chunk in chunks {
                        for row in chunk.values[v].chunks_exact(width) {
                            let row = &row[from..from + block_stats.len()];
                            for (s, &x) in block_stats.iter_mut().zip(row) {
                                s.add(x);
                            }
                        }
                    }
                });
        }
        for chunk in chunks {
            for (total, part) in risk.iter_mut().zip(&chunk.risk) {
                total.merge(part);
            }
        }
        done = wave_end;
        progress(done);
    }

    variants
        .iter()
        .zip(&layouts)
        .zip(stats.iter().zip(&risk))
        .map(|((s, l), (st, r))| summarise(s, l, st, r, paths as u64))
        .collect()
}

/// The values of a chunk's paths, per variant, row by row in layout order, and their
/// risk counts. Reused from wave to wave, so the hot loop allocates nothing.
struct ChunkValues {
    values: Vec<Vec<f64>>,
    risk: Vec<RiskTable>,
}

impl ChunkValues {
    fn new(variants: &[&Scenario], layouts: &[Layout], paths: usize) -> ChunkValues {
        ChunkValues {
            values: layouts
                .iter()
                .map(|l| Vec::with_capacity(l.len() * paths))
                .collect(),
            risk: variants.iter().map(|s| RiskTable::new(s)).collect(),
        }
    }
}

fn run_chunk(
    paths: std::ops::Range<usize>,
    seed: u64,
    sampler: &WorldSampler,
    variants: &[&Scenario],
    buffer: &mut ChunkValues,
) {
    let mut world = sampler.blank();
    let mut ledgers: Vec<Ledger> = variants.iter().map(|s| Ledger::new(s)).collect();
    let mut outs: Vec<PathLedger> = variants.iter().map(|s| PathLedger::new(s)).collect();
    buffer.values.iter_mut().for_each(Vec::clear);
    buffer.risk = variants.iter().map(|s| RiskTable::new(s)).collect();
    for path in paths {
        let mut rng = path_rng(seed, path as u64);
        sampler.sample_into(&mut rng, &mut world);
        for (v, (ledger, out)) in ledgers.iter_mut().zip(&mut outs).enumerate() {
            ledger.evaluate(&world, out);
            Layout::record(out, &mut buffer.values[v]);
            buffer.risk[v].add(out);
        }
    }
}

fn summarise(
    scenario: &Scenario,
    layout: &Layout,
    stats: &[SeriesStats],
    risk: &RiskTable,
    paths: u64,
) -> Summary {
    let rows = layout
        .keys
        .iter()
        .zip(stats)
        .map(|(key, s)| {
            let q = s.sketch.quantiles(&PERCENTILES);
            SummaryRow {
                year: key.year,
                entity: key.entity.clone(),
                metric: key.metric.to_string(),
                mean: s.moments(paths).mean(),
                sd: s.moments(paths).sd(),
                percentiles: std::array::from_fn(|i| q[i]),
            }
        })
        .collect();

    let n = paths.max(1) as f64;
    let mut risk_rows = Vec::new();
    for year in scenario.years() {
        let ti = (year - scenario.base_year - 1) as usize;
        for (z, zone) in scenario.zones.iter().enumerate() {
            let r = risk.get(z, ti);
            let gap = layout
                .index_of(year, &zone.id, "funding_gap")
                .expect("every zone has a funding_gap series");
            risk_rows.push(RiskRow {
                zone: zone.id.clone(),
                year,
                p_debt_ratio_over_warning: r.over_warning as f64 / n,
                p_funding_gap: r.gap as f64 / n,
                expected_funding_gap: stats[gap].moments(paths).mean(),
                p_tiers: r.tiers.map(|t| t as f64 / n),
            });
        }
    }

    Summary {
        scenario: scenario.name.clone(),
        paths,
        rows,
        risk: risk_rows,
    }
}
