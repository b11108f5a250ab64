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
pub mod reuse;

use rayon::prelude::*;

use crate::ledger::{Ledger, PathLedger};
use crate::scenario::model::Scenario;
use crate::stats::PERCENTILES;
use crate::stats::sketch::{MANTISSA_BITS, MIN_MANTISSA_BITS};
use crate::summary::{CompareRow, HeadlineRow, Outcome, RiskRow, Summary, SummaryRow};
use crate::world::{World, WorldSampler, path_rng};

use accumulator::{RiskTable, SeriesStats};
use layout::{HEADLINE_METRICS, Layout, any_funding_gap, record_headline};
use reuse::Shared;

/// Most paths in a chunk, the unit of parallel simulation.
pub const CHUNK_PATHS: usize = 4096;

/// Memory for one wave's path values, all variants together.
pub const WAVE_BUDGET_BYTES: usize = 96 << 20;
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
/// first also reports its paired differences against the first (the baseline). What a
/// variant provably shares with the baseline (see [`reuse`]) is neither recomputed nor
/// folded again.
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
    let row_bytes = plan.row_bytes();
    // No larger than the run needs: buffers are zeroed, and pages touched, up front.
    let chunk_paths = (WAVE_BUDGET_BYTES / (wave_chunks * row_bytes))
        .min(paths.div_ceil(wave_chunks))
        .clamp(1, CHUNK_PATHS);
    let bits = precision_bits(plan.widths.iter().sum());

    let mut stats: Vec<Vec<SeriesStats>> = plan
        .widths
        .iter()
        .map(|&w| vec![SeriesStats::new(bits); w])
        .collect();
    let mut risk: Vec<RiskTable> = variants.iter().map(|s| RiskTable::new(s)).collect();
    let mut any_gap = vec![0u64; variants.len()];
    let mut chunks: Vec<Chunk> = (0..wave_chunks)
        .map(|_| Chunk::new(&plan, chunk_paths))
        .collect();

    let mut done = 0;
    while done < paths {
        let wave_end = (done + wave_chunks * chunk_paths).min(paths);
        // Phase 1: simulate chunks of paths.
        let starts: Vec<usize> = (done..wave_end).step_by(chunk_paths).collect();
        chunks
            .par_iter_mut()
            .zip(&starts)
            .for_each(|(chunk, &start)| {
                let end = (start + chunk_paths).min(wave_end);
                chunk.run(start..end, seed, &plan);
            });
        let wave = &chunks[..starts.len()];
        // Phase 2: fold the values into each series, in path order, blocks in parallel.
        let blocks: Vec<(usize, usize, &mut [SeriesStats])> = stats
            .iter_mut()
            .enumerate()
            .flat_map(|(v, series)| {
                series
                    .chunks_mut(SERIES_BLOCK)
                    .enumerate()
                    .map(move |(b, block)| (v, b * SERIES_BLOCK, block))
            })
            .collect();
        blocks
            .into_par_iter()
            .for_each(|(v, from, block)| fold_block(block, wave, v, from, done == 0));
        for chunk in wave {
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
        let own = plan.own[v].len();
        let sources: Vec<RowFrom> = plan.source[v]
            .iter()
            .map(|source| match *source {
                Source::Own(i) => RowFrom::Stats(&stats[v][i]),
                Source::Baseline(i) => RowFrom::Baseline(&outcome.summaries[0].rows[i]),
            })
            .collect();
        let summary = summarise(scenario, layout, &sources, &risk[v], n);
        let headline = &stats[v][own..own + HEADLINE_METRICS.len()];
        let diffs = &stats[v][own + HEADLINE_METRICS.len()..];
        outcome.headlines.push(
            HEADLINE_METRICS
                .iter()
                .zip(headline)
                .map(|(metric, s)| {
                    let q = s.quantiles(&[0.05, 0.5, 0.95]);
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
            plan.compared[v]
                .iter()
                .map(|c| {
                    let key = &layout.keys[c.series];
                    let (mean, q) = match c.slot {
                        Some(k) => (
                            diffs[k].moments(n).mean(),
                            diffs[k].quantiles(&[0.05, 0.5, 0.95]),
                        ),
                        // Provably identical to the baseline: the difference is 0.
                        None => (0.0, vec![0.0; 3]),
                    };
                    let delta = summary
                        .risk(&key.entity, key.year)
                        .zip(baseline.risk(&key.entity, key.year))
                        .map(|(a, b)| a.p_debt_ratio_over_warning - b.p_debt_ratio_over_warning);
                    CompareRow {
                        year: key.year,
                        entity: key.entity.clone(),
                        metric: key.metric.to_string(),
                        mean,
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

/// Fold a wave's values of variant `v`'s series `from..from + block.len()` into their
/// statistics, in path order; `first` if this is the run's first wave. Kept out of line
/// so that profiles show it.
#[inline(never)]
fn fold_block(block: &mut [SeriesStats], wave: &[Chunk], v: usize, from: usize, first: bool) {
    let len = block.len();
    if first {
        for (s, &x) in block.iter_mut().zip(wave[0].block(v, from, len)) {
            s.start(x);
        }
    }
    for chunk in wave {
        let values = chunk.block(v, from, len);
        // One series at a time, so its counters stay in L1 cache.
        for (j, s) in block.iter_mut().enumerate() {
            s.add_each(values[j..].iter().step_by(len).copied());
        }
    }
}

/// Where a variant's series comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Folded for this variant, at this position of its row.
    Own(usize),
    /// The baseline's series at this index (provably identical).
    Baseline(usize),
}

/// A series compared with the baseline.
#[derive(Debug, Clone, Copy)]
struct Compared {
    /// Index in the variant's layout.
    series: usize,
    /// Index in the baseline's layout.
    baseline: usize,
    /// Position among the variant's difference series; `None` when provably 0.
    slot: Option<usize>,
}

/// What a run evaluates per path: the variants, their worlds and their series.
struct Plan<'a> {
    variants: &'a [&'a Scenario],
    /// Distinct world samplers, and which one each variant uses.
    samplers: Vec<WorldSampler>,
    sampler_of: Vec<usize>,
    layouts: Vec<Layout>,
    /// Per variant: zones copied from the baseline's ledger (same world, same inputs).
    reuse: Vec<Option<Vec<bool>>>,
    /// Per variant: the layout indices folded for it, in row order.
    own: Vec<Vec<usize>>,
    /// Per variant and layout index: where its statistics come from.
    source: Vec<Vec<Source>>,
    compared: Vec<Vec<Compared>>,
    /// Per variant: own series + headline totals + difference series.
    widths: Vec<usize>,
}

impl<'a> Plan<'a> {
    /// Bytes of one path's values, all variants together.
    fn row_bytes(&self) -> usize {
        8 * self.widths.iter().sum::<usize>().max(1)
    }

    fn new(variants: &'a [&'a Scenario], compare: bool) -> Plan<'a> {
        let mut samplers: Vec<WorldSampler> = Vec::new();
        let sampler_of: Vec<usize> = variants
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
        let mut plan = Plan {
            variants,
            samplers,
            sampler_of,
            layouts,
            reuse: Vec::new(),
            own: Vec::new(),
            source: Vec::new(),
            compared: Vec::new(),
            widths: Vec::new(),
        };
        for (v, scenario) in variants.iter().enumerate() {
            let shared = if v > 0 && plan.sampler_of[v] == plan.sampler_of[0] {
                Shared::between(variants[0], scenario)
            } else {
                Shared::none(scenario)
            };
            let layout = &plan.layouts[v];
            let mut own = Vec::new();
            let mut source = Vec::new();
            for (i, key) in layout.keys.iter().enumerate() {
                let base = (v > 0)
                    .then(|| plan.layouts[0].index_of(key.year, &key.entity, key.metric))
                    .flatten()
                    .filter(|_| entity_shared(scenario, &shared, &key.entity));
                source.push(match base {
                    Some(b) => Source::Baseline(b),
                    None => {
                        own.push(i);
                        Source::Own(own.len() - 1)
                    }
                });
            }
            let mut slots = 0;
            let compared = if compare && v > 0 {
                let zones: Vec<String> = scenario.zones.iter().map(|z| z.id.clone()).collect();
                layout
                    .compared_with(&plan.layouts[0], &zones)
                    .into_iter()
                    .map(|(series, baseline)| Compared {
                        series,
                        baseline,
                        slot: matches!(source[series], Source::Own(_)).then(|| {
                            slots += 1;
                            slots - 1
                        }),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            plan.widths.push(own.len() + HEADLINE_METRICS.len() + slots);
            plan.reuse.push(
                shared
                    .zones
                    .iter()
                    .any(|&s| s)
                    .then(|| shared.zones.clone()),
            );
            plan.own.push(own);
            plan.source.push(source);
            plan.compared.push(compared);
        }
        plan
    }
}

/// Is every series of `entity` the baseline's?
fn entity_shared(s: &Scenario, shared: &Shared, entity: &str) -> bool {
    if let Some(z) = s.zones.iter().position(|z| z.id == entity) {
        return shared.zones[z];
    }
    if let Some(c) = s.counties.iter().position(|c| c.id == entity) {
        return shared.counties[c];
    }
    match entity {
        layout::CITY => shared.city,
        layout::CENTRAL => shared.central,
        layout::PROVINCE => shared.province,
        _ => false,
    }
}

/// A slot of a wave: its working state (kept from wave to wave, so the hot loop
/// allocates nothing) and the values of its chunk's paths, per variant.
///
/// Values are stored block by block, as phase 2 reads them: the values of series
/// `from..from + len` (one block) for every path of the chunk lie together, path after
/// path, at `from * capacity`, so a fold reads memory in order. Rows are gathered a few
/// paths at a time in a small buffer and transposed into the blocks from there: written
/// one path at a time, each row would scatter over a hundred pages.
struct Chunk<'a> {
    worlds: Vec<World>,
    ledgers: Vec<Ledger<'a>>,
    outs: Vec<PathLedger>,
    /// One path's full layout row, and the baseline's.
    row: Vec<f64>,
    baseline_row: Vec<f64>,
    /// Per variant: rows of the last few paths, not yet stored in `values`.
    pending: Vec<Vec<f64>>,
    /// Paths gathered in `pending` before they are stored.
    gather: usize,
    /// Paths the chunk can hold, and holds.
    capacity: usize,
    paths: usize,
    values: Vec<Vec<f64>>,
    risk: Vec<RiskTable>,
    any_gap: Vec<u64>,
}

/// Bytes of rows gathered before they are transposed into blocks (stays in L2 cache).
const GATHER_BYTES: usize = 512 << 10;
/// Most paths gathered.
const GATHER_PATHS: usize = 32;

impl<'a> Chunk<'a> {
    fn new(plan: &Plan<'a>, capacity: usize) -> Chunk<'a> {
        Chunk {
            worlds: plan.samplers.iter().map(WorldSampler::blank).collect(),
            ledgers: plan.variants.iter().map(|s| Ledger::new(s)).collect(),
            outs: plan.variants.iter().map(|s| PathLedger::new(s)).collect(),
            row: Vec::new(),
            baseline_row: Vec::new(),
            pending: vec![Vec::new(); plan.widths.len()],
            gather: (GATHER_BYTES / plan.row_bytes()).clamp(1, GATHER_PATHS),
            capacity,
            paths: 0,
            values: plan
                .widths
                .iter()
                .map(|w| vec![0.0; w * capacity])
                .collect(),
            risk: plan.variants.iter().map(|s| RiskTable::new(s)).collect(),
            any_gap: vec![0; plan.variants.len()],
        }
    }

    /// Variant `v`'s values of the block of `len` series from `from`, path after path.
    fn block(&self, v: usize, from: usize, len: usize) -> &[f64] {
        let start = from * self.capacity;
        &self.values[v][start..start + self.paths * len]
    }

    /// Move the `rows` (of `width` values, one per path from `first`) into `values`,
    /// block by block.
    fn store(values: &mut [f64], rows: &[f64], width: usize, capacity: usize, first: usize) {
        let count = rows.len() / width;
        for from in (0..width).step_by(SERIES_BLOCK) {
            let len = SERIES_BLOCK.min(width - from);
            let at = from * capacity + first * len;
            let block = &mut values[at..at + count * len];
            let sources = rows.chunks_exact(width).map(|row| &row[from..from + len]);
            if len == SERIES_BLOCK {
                // A fixed length compiles to a few vector moves, not a call to memcpy.
                for (to, from) in block.chunks_exact_mut(SERIES_BLOCK).zip(sources) {
                    let to: &mut [f64; SERIES_BLOCK] = to.try_into().expect("a full block");
                    *to = from.try_into().expect("a full block");
                }
            } else {
                for (to, from) in block.chunks_exact_mut(len).zip(sources) {
                    to.copy_from_slice(from);
                }
            }
        }
    }

    /// Simulate `paths` (kept out of line so that profiles show it).
    #[inline(never)]
    fn run(&mut self, paths: std::ops::Range<usize>, seed: u64, plan: &Plan) {
        self.risk.iter_mut().for_each(RiskTable::clear);
        self.any_gap.fill(0);
        self.paths = paths.len();
        self.pending.iter_mut().for_each(Vec::clear);
        let mut first = 0;
        for (p, path) in paths.enumerate() {
            for (sampler, world) in plan.samplers.iter().zip(&mut self.worlds) {
                // Every world of a path comes from the same stream: common random numbers.
                sampler.sample_into(&mut path_rng(seed, path as u64), world);
            }
            for v in 0..plan.variants.len() {
                let (earlier, rest) = self.outs.split_at_mut(v);
                let out = &mut rest[0];
                let reuse = plan.reuse[v]
                    .as_deref()
                    .and_then(|same| earlier.first().map(|base| (base, same)));
                self.ledgers[v].evaluate_reusing(&self.worlds[plan.sampler_of[v]], out, reuse);

                self.row.clear();
                Layout::record(out, &mut self.row);
                let line = &mut self.pending[v];
                if plan.own[v].len() == self.row.len() {
                    line.extend_from_slice(&self.row);
                } else {
                    line.extend(plan.own[v].iter().map(|&i| self.row[i]));
                }
                record_headline(out, line);
                for c in plan.compared[v].iter().filter(|c| c.slot.is_some()) {
                    line.push(self.row[c.series] - self.baseline_row[c.baseline]);
                }
                if v == 0 {
                    std::mem::swap(&mut self.row, &mut self.baseline_row);
                }
                self.risk[v].add(out);
                self.any_gap[v] += u64::from(any_funding_gap(out));
            }
            if p + 1 - first == self.gather || p + 1 == self.paths {
                for ((values, rows), &width) in self
                    .values
                    .iter_mut()
                    .zip(&mut self.pending)
                    .zip(&plan.widths)
                {
                    Self::store(values, rows, width, self.capacity, first);
                    rows.clear();
                }
                first = p + 1;
            }
        }
    }
}

/// Where a summary row comes from.
enum RowFrom<'s> {
    Stats(&'s SeriesStats),
    /// The baseline's row, for a series provably identical to it.
    Baseline(&'s SummaryRow),
}

fn summarise(
    scenario: &Scenario,
    layout: &Layout,
    sources: &[RowFrom],
    risk: &RiskTable,
    paths: u64,
) -> Summary {
    let rows: Vec<SummaryRow> = layout
        .keys
        .par_iter()
        .zip(sources)
        .map(|(key, source)| match source {
            RowFrom::Stats(s) => {
                let q = s.quantiles(&PERCENTILES);
                SummaryRow {
                    year: key.year,
                    entity: key.entity.clone(),
                    metric: key.metric.to_string(),
                    mean: s.moments(paths).mean(),
                    sd: s.moments(paths).sd(),
                    percentiles: std::array::from_fn(|i| q[i]),
                }
            }
            RowFrom::Baseline(row) => (*row).clone(),
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
                expected_funding_gap: rows[gap].mean,
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
