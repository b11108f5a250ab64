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
use crate::stats::sketch::{MANTISSA_BITS, MIN_MANTISSA_BITS};
use crate::summary::{CompareRow, HeadlineRow, Outcome, RiskRow, Summary, SummaryRow};
use crate::world::{World, WorldSampler, path_rng};

use accumulator::{RiskTable, SeriesStats};
use layout::{HEADLINE_METRICS, Layout, any_funding_gap, record_headline};

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
    simulate_variants(&[scenario], false, paths, seed, progress)
        .summaries
        .pop()
        .expect("one variant in, one summary out")
}

/// Series a run may keep at the full sketch precision; beyond, precision halves (and
/// sketch memory with it) each time the count doubles.
const FULL_PRECISION_SERIES: usize = 4096;

/// Sketch precision for a run keeping `series` series in all (variants × series each):
/// the full 11 bits up to [`FULL_PRECISION_SERIES`], fewer beyond, never below 7 bits
/// (0.39%), so memory stays bounded for large batches and sweeps.
pub fn precision_bits(series: usize) -> u32 {
    let ratio = series.div_ceil(FULL_PRECISION_SERIES).max(1);
    let halvings = usize::BITS - (ratio - 1).leading_zeros();
    MANTISSA_BITS
        .saturating_sub(halvings)
        .max(MIN_MANTISSA_BITS)
}

/// Run several variants on the same worlds (common random numbers): path `i` of every
/// variant is drawn from the stream of `(seed, i)`, and variants whose worlds have the
/// same parameters share one sampled world. With `compare`, each variant after the
/// first also reports its paired differences against the first (the baseline).
pub fn simulate_variants(
    variants: &[&Scenario],
    compare: bool,
    paths: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Outcome {
    let plan = Plan::new(variants, compare);
    let threads = rayon::current_num_threads().max(1);
    let wave_chunks = 2 * threads;
    let row_bytes = 8 * plan.widths.iter().sum::<usize>().max(1);
    let chunk_paths = (WAVE_BUDGET_BYTES / (wave_chunks * row_bytes)).clamp(1, CHUNK_PATHS);
    let bits = precision_bits(plan.widths.iter().sum());

    let mut stats: Vec<Vec<SeriesStats>> = plan
        .widths
        .iter()
        .map(|&w| vec![SeriesStats::new(bits); w])
        .collect();
    let mut risk: Vec<RiskTable> = variants.iter().map(|s| RiskTable::new(s)).collect();
    let mut any_gap = vec![0u64; variants.len()];
    let mut buffers: Vec<ChunkValues> = (0..wave_chunks)
        .map(|_| ChunkValues::new(&plan, chunk_paths))
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
                run_chunk(start..end, seed, &plan, buffer);
            });
        let chunks = &buffers[..starts.len()];
        // Phase 2: fold the values into each series, in path order.
        for (v, series) in stats.iter_mut().enumerate() {
            let width = plan.widths[v];
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
            for (total, part) in any_gap.iter_mut().zip(&chunk.any_gap) {
                *total += part;
            }
        }
        done = wave_end;
        progress(done);
    }

    let n = paths as u64;
    let mut outcome = Outcome {
        summaries: Vec::new(),
        headlines: Vec::new(),
        comparisons: Vec::new(),
        p_any_funding_gap: any_gap
            .iter()
            .map(|&g| g as f64 / n.max(1) as f64)
            .collect(),
    };
    for (v, scenario) in variants.iter().enumerate() {
        let layout = &plan.layouts[v];
        let st = &stats[v];
        let (series, rest) = st.split_at(layout.len());
        let (headline, pairs) = rest.split_at(HEADLINE_METRICS.len());
        let summary = summarise(scenario, layout, series, &risk[v], n);
        outcome.headlines.push(
            HEADLINE_METRICS
                .iter()
                .zip(headline)
                .map(|(metric, s)| {
                    let q = s.sketch.quantiles(&[0.05, 0.5, 0.95]);
                    HeadlineRow {
                        metric: metric.to_string(),
                        mean: s.moments(n).mean(),
                        p5: q[0],
                        p50: q[1],
                        p95: q[2],
                    }
                })
                .collect(),
        );
        let baseline = outcome.summaries.first().unwrap_or(&summary);
        outcome.comparisons.push(
            plan.pairs[v]
                .iter()
                .zip(pairs)
                .map(|(&(i, _), s)| {
                    let key = &layout.keys[i];
                    let q = s.sketch.quantiles(&[0.05, 0.5, 0.95]);
                    let delta = match (
                        summary.risk(&key.entity, key.year),
                        baseline.risk(&key.entity, key.year),
                    ) {
                        (Some(a), Some(b)) => {
                            Some(a.p_debt_ratio_over_warning - b.p_debt_ratio_over_warning)
                        }
                        _ => None,
                    };
                    CompareRow {
                        year: key.year,
                        entity: key.entity.clone(),
                        metric: key.metric.to_string(),
                        mean: s.moments(n).mean(),
                        p5: q[0],
                        p50: q[1],
                        p95: q[2],
                        delta_p_debt_ratio_over_warning: delta,
                    }
                })
                .collect(),
        );
        outcome.summaries.push(summary);
    }
    outcome
}

/// What a run evaluates per path: the variants, their worlds and their series.
struct Plan<'a> {
    variants: &'a [&'a Scenario],
    /// Distinct world samplers, and which one each variant uses.
    samplers: Vec<WorldSampler>,
    sampler_of: Vec<usize>,
    layouts: Vec<Layout>,
    /// Per variant: `(series in it, series in the baseline)` compared.
    pairs: Vec<Vec<(usize, usize)>>,
    /// Per variant: layout series + headline totals + paired differences.
    widths: Vec<usize>,
}

impl<'a> Plan<'a> {
    fn new(variants: &'a [&'a Scenario], compare: bool) -> Plan<'a> {
        let mut samplers: Vec<WorldSampler> = Vec::new();
        let sampler_of = variants
            .iter()
            .map(|s| {
                let sampler = WorldSampler::new(s);
                samplers
                    .iter()
                    .position(|x| *x == sampler)
                    .unwrap_or_else(|| {
                        samplers.push(sampler);
                        samplers.len() - 1
                    })
            })
            .collect();
        let layouts: Vec<Layout> = variants.iter().map(|s| Layout::new(s)).collect();
        let pairs: Vec<Vec<(usize, usize)>> = variants
            .iter()
            .zip(&layouts)
            .enumerate()
            .map(|(v, (s, l))| {
                if !compare || v == 0 {
                    return Vec::new();
                }
                let zones: Vec<String> = s.zones.iter().map(|z| z.id.clone()).collect();
                l.compared_with(&layouts[0], &zones)
            })
            .collect();
        let widths = layouts
            .iter()
            .zip(&pairs)
            .map(|(l, p)| l.len() + HEADLINE_METRICS.len() + p.len())
            .collect();
        Plan {
            variants,
            samplers,
            sampler_of,
            layouts,
            pairs,
            widths,
        }
    }
}

/// The values of a chunk's paths, per variant, row by row, and their risk counts.
/// Reused from wave to wave, so the hot loop allocates nothing.
struct ChunkValues {
    values: Vec<Vec<f64>>,
    risk: Vec<RiskTable>,
    any_gap: Vec<u64>,
}

impl ChunkValues {
    fn new(plan: &Plan, paths: usize) -> ChunkValues {
        ChunkValues {
            values: plan
                .widths
                .iter()
                .map(|w| Vec::with_capacity(w * paths))
                .collect(),
            risk: plan.variants.iter().map(|s| RiskTable::new(s)).collect(),
            any_gap: vec![0; plan.variants.len()],
        }
    }
}

fn run_chunk(paths: std::ops::Range<usize>, seed: u64, plan: &Plan, buffer: &mut ChunkValues) {
    let mut worlds: Vec<World> = plan.samplers.iter().map(WorldSampler::blank).collect();
    let mut ledgers: Vec<Ledger> = plan.variants.iter().map(|s| Ledger::new(s)).collect();
    let mut outs: Vec<PathLedger> = plan.variants.iter().map(|s| PathLedger::new(s)).collect();
    buffer.values.iter_mut().for_each(Vec::clear);
    buffer.risk = plan.variants.iter().map(|s| RiskTable::new(s)).collect();
    buffer.any_gap.fill(0);
    for path in paths {
        for (sampler, world) in plan.samplers.iter().zip(&mut worlds) {
            // Every world of a path comes from the same stream: common random numbers.
            sampler.sample_into(&mut path_rng(seed, path as u64), world);
        }
        let mut baseline_row = 0;
        for (v, (ledger, out)) in ledgers.iter_mut().zip(&mut outs).enumerate() {
            ledger.evaluate(&worlds[plan.sampler_of[v]], out);
            let row = buffer.values[v].len();
            Layout::record(out, &mut buffer.values[v]);
            record_headline(out, &mut buffer.values[v]);
            if v == 0 {
                baseline_row = row;
            } else {
                let (first, rest) = buffer.values.split_at_mut(1);
                let base = &first[0][baseline_row..];
                let mine = &mut rest[v - 1];
                for &(i, b) in &plan.pairs[v] {
                    let diff = mine[row + i] - base[b];
                    mine.push(diff);
                }
            }
            buffer.risk[v].add(out);
            buffer.any_gap[v] += u64::from(any_funding_gap(out));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_falls_with_the_number_of_series_but_stays_under_half_a_percent() {
        assert_eq!(precision_bits(1), 11);
        assert_eq!(precision_bits(4096), 11);
        assert_eq!(precision_bits(4097), 10);
        assert_eq!(precision_bits(8192), 10);
        assert_eq!(precision_bits(6 * 4096), 8);
        assert_eq!(precision_bits(50 * 2400), 7);
    }
}
