//! The Monte Carlo engine: worlds sampled and evaluated in parallel chunks of paths,
//! statistics folded in parallel over series.
//!
//! A run starts with a short pilot (the first [`PILOT_PATHS`] paths) that finds the
//! series repeating one value, or a batch variant's series repeating the baseline's
//! (see [`watch`]): those are only checked path by path, not stored or folded, until
//! they differ. Then each wave runs in two parallel phases:
//! 1. chunks of paths: sample each path's world once (from the stream fixed by
//!    `(seed, path)`), evaluate every policy variant on it, keep the path's values of
//!    the stored series and check the watched ones;
//! 2. tasks over series: fold the wave's values into each series' statistics in path
//!    order.
//!
//! Every series sees its values in path order whatever the thread count or chunk size,
//! and percentile counts and risk counts are integers, so results are bit-identical for
//! any `--threads`. Memory holds one wave's values (bounded by [`WAVE_BUDGET_BYTES`])
//! plus one sketch per series, whatever the number of paths.

pub mod accumulator;
pub mod layout;
pub mod reuse;
pub mod watch;

use std::sync::Arc;

use rayon::prelude::*;

use crate::ledger::{Ledger, PathLedger, Reuse, TakenParents};
use crate::scenario::model::Scenario;
use crate::stats::PERCENTILES;
use crate::stats::sketch::{HEADLINE_MANTISSA_BITS, MANTISSA_BITS, MIN_MANTISSA_BITS};
use crate::summary::{CompareRow, HeadlineRow, Outcome, RiskRow, Summary, SummaryRow};
use crate::world::{World, WorldSampler, path_rng};

use accumulator::{ROW, RiskTable, SeriesStats};
use layout::{HEADLINE_METRICS, Layout, any_funding_gap, record_headline};
use reuse::Shared;
use watch::{Departure, Expect, Tracking};

/// Most paths in a chunk, the unit of parallel simulation.
pub const CHUNK_PATHS: usize = 4096;

/// Memory for one wave's path values, all variants together.
pub const WAVE_BUDGET_BYTES: usize = 96 << 20;
/// Series folded together by one task of phase 2: one row of [`SeriesStats::add_rows`].
const SERIES_BLOCK: usize = ROW;
/// Paths evaluated first to find the series that repeat a value (see [`watch`]).
pub const PILOT_PATHS: usize = 8;

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
/// sketch memory with it) each time the count doubles. (At 9 bits a sketch takes a
/// quarter of the memory it took at 11, when this was 4,096; 16-bit counts since halve
/// it again.)
const FULL_PRECISION_SERIES: usize = 16_384;

/// Sketch precision for a run keeping `series` series in all (variants × series each):
/// the full 9 bits up to [`FULL_PRECISION_SERIES`], fewer beyond, never below 7 bits
/// (0.39%), so memory stays bounded for large batches and sweeps. Headline totals keep
/// the full precision whatever the run (see [`Plan::precision`]).
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
    simulate_in_chunks(variants, compare, paths, seed, progress, CHUNK_PATHS)
}

/// [`simulate_variants`] with chunks of at most `most_chunk_paths` paths.
fn simulate_in_chunks(
    variants: &[&Scenario],
    compare: bool,
    paths: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
    most_chunk_paths: usize,
) -> Outcome {
    let plan = Plan::new(variants, compare);
    let threads = rayon::current_num_threads().max(1);
    let wave_chunks = 2 * threads;
    let sketch_bits = precision_bits(plan.widths.iter().sum());
    let bits = plan.precision(sketch_bits);
    let count = variants.len();

    // The first paths decide which series are watched rather than stored; every series
    // starts its statistics from path 0's value.
    let pilot = Chunk::new(&plan, 1, 1).pilot(0..paths.min(PILOT_PATHS), seed, &plan);
    let mut tracking = Tracking::from_pilot(&pilot, &plan.twins, &bits);
    let mut stats: Vec<Vec<SeriesStats>> = pilot
        .iter()
        .zip(&bits)
        .map(|(lines, bits)| {
            bits.iter()
                .enumerate()
                .map(|(k, &bits)| {
                    let mut s = SeriesStats::new(bits);
                    if let Some(line) = lines.first() {
                        s.start(line[k]);
                    }
                    s
                })
                .collect()
        })
        .collect();
    let mut risk: Vec<RiskTable> = variants.iter().map(|s| RiskTable::new(s)).collect();
    let mut any_gap = vec![0u64; count];
    // Waves are sized by the series stored after the pilot: as few as the budget allows,
    // all of one size (to a path per chunk), so that the last wave, too, has a chunk
    // for every thread. A short last wave left one core idle while the other ran it.
    let row_bytes = tracking.row_bytes();
    let most = (WAVE_BUDGET_BYTES / (wave_chunks * row_bytes)).clamp(1, most_chunk_paths);
    let waves = paths.div_ceil(wave_chunks * most).max(1);
    let chunk_paths = paths.div_ceil(waves * wave_chunks).clamp(1, most);
    let mut chunks: Vec<Chunk> = (0..wave_chunks)
        .into_par_iter()
        .map(|_| Chunk::new(&plan, chunk_paths, row_bytes))
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
                chunk.run(start..end, seed, &plan, &tracking);
            });
        let wave = &chunks[..starts.len()];

        // Watched series that departed in this wave take the statistics of the values
        // they repeated so far; the baseline's last, as variants read its statistics as
        // of the wave's start. (A series repeated is stored, so none of these changes.)
        let departed = departed_in(wave, count);
        for v in (0..count).rev() {
            for &k in &departed[v] {
                let expect = tracking
                    .expected(v, k)
                    .expect("a departed series was watched");
                let so_far = tracking.repeated(v, expect, done as u64, &stats, bits[v][k]);
                stats[v][k] = so_far;
            }
        }
        // Phase 2: fold the values into each series, in path order.
        fold_wave(&mut stats, wave, &tracking, &departed);
        tracking.depart(&departed);

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

    // Series still watched repeated their value on every path. A variant's series that
    // repeated the baseline's reports the baseline's row (below); the others get the
    // statistics of their repeats.
    for v in (0..count).rev() {
        for &(k, expect) in &tracking.watched[v] {
            if !matches!(expect, Expect::Baseline(_)) || k >= plan.own[v].len() {
                let all = tracking.repeated(v, expect, paths as u64, &stats, bits[v][k]);
                stats[v][k] = all;
            }
        }
    }

    // Zones reused whole have the baseline's risk counts.
    for (v, reuse) in plan.reuse.iter().enumerate().skip(1) {
        for (z, _) in reuse
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, r)| **r == Reuse::Zone)
        {
            let (baseline, rest) = risk.split_at_mut(v);
            rest[0].copy_zone(z, &baseline[0]);
        }
    }

    let n = paths as u64;
    let finish = Finish {
        plan: &plan,
        tracking: &tracking,
        stats: &stats,
        risk: &risk,
        paths: n,
    };
    // The baseline first: the variants read its rows and its risk.
    let baseline = finish.variant(0, None);
    let rest: Vec<Finished> = (1..count)
        .into_par_iter()
        .map(|v| finish.variant(v, Some(&baseline.summary)))
        .collect();
    let mut outcome = Outcome {
        summaries: Vec::new(),
        headlines: Vec::new(),
        comparisons: Vec::new(),
        p_any_funding_gap: any_gap
            .iter()
            .map(|&g| g as f64 / n.max(1) as f64)
            .collect(),
        sketch_bits,
    };
    for done in std::iter::once(baseline).chain(rest) {
        outcome.summaries.push(done.summary);
        outcome.headlines.push(done.headline);
        outcome.comparisons.push(done.comparisons);
    }
    outcome
}

/// What the end of a run needs to turn one variant's statistics into its rows.
struct Finish<'r> {
    plan: &'r Plan<'r>,
    tracking: &'r Tracking,
    stats: &'r [Vec<SeriesStats>],
    risk: &'r [RiskTable],
    paths: u64,
}

/// One variant's rows.
struct Finished {
    summary: Summary,
    headline: Vec<HeadlineRow>,
    comparisons: Vec<CompareRow>,
}

impl Finish<'_> {
    /// Variant `v`'s summary, headline totals and, against `baseline` (the baseline's
    /// summary; `None` for the baseline itself), its comparisons.
    fn variant(&self, v: usize, baseline: Option<&Summary>) -> Finished {
        let (plan, tracking, stats, n) = (self.plan, self.tracking, self.stats, self.paths);
        let scenario = plan.variants[v];
        let layout = &plan.layouts[v];
        let own = plan.own[v].len();
        let sources: Vec<RowFrom> = plan.source[v]
            .iter()
            .map(|source| match (*source, baseline) {
                (Source::Own(i), _) => match (tracking.expected(v, i), baseline) {
                    (Some(Expect::Baseline(b)), Some(base)) => RowFrom::Baseline(&base.rows[b]),
                    _ => RowFrom::Stats(&stats[v][i]),
                },
                (Source::Baseline(i), Some(base)) => RowFrom::Baseline(&base.rows[i]),
                (Source::Baseline(_), None) => unreachable!("the baseline folds its own series"),
            })
            .collect();
        let summary = summarise(scenario, layout, &sources, &self.risk[v], n);
        let headline = &stats[v][own..own + HEADLINE_METRICS.len()];
        let diffs = &stats[v][own + HEADLINE_METRICS.len()..];
        let headline = HEADLINE_METRICS
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
            .collect();
        let against = baseline.unwrap_or(&summary);
        let comparisons = plan.compared[v]
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
                    .zip(against.risk(&key.entity, key.year))
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
            .collect();
        Finished {
            summary,
            headline,
            comparisons,
        }
    }
}

/// Per variant: the line positions of the watched series that departed in `wave`.
fn departed_in(wave: &[Chunk], count: usize) -> Vec<Vec<usize>> {
    (0..count)
        .map(|v| {
            let mut positions: Vec<usize> = wave
                .iter()
                .flat_map(|c| c.departed[v].iter().map(|d| d.position))
                .collect();
            positions.sort_unstable();
            positions.dedup();
            positions
        })
        .collect()
}

/// Phase 2: fold `wave` into the statistics of every stored series and of the series
/// that `departed` in it, tasks in parallel, each series in path order.
fn fold_wave(
    stats: &mut [Vec<SeriesStats>],
    wave: &[Chunk],
    tracking: &Tracking,
    departed: &[Vec<usize>],
) {
    let mut slots: Vec<Vec<Option<&mut SeriesStats>>> = stats
        .iter_mut()
        .map(|series| series.iter_mut().map(Some).collect())
        .collect();
    let mut tasks: Vec<Fold> = Vec::new();
    for (v, slots) in slots.iter_mut().enumerate() {
        for (b, block) in tracking.stored[v].chunks(SERIES_BLOCK).enumerate() {
            let series = block
                .iter()
                .map(|&k| slots[k].take().expect("a series is folded once a wave"))
                .collect();
            tasks.push(Fold::Stored {
                v,
                from: b * SERIES_BLOCK,
                series,
            });
        }
        for &k in &departed[v] {
            tasks.push(Fold::Departed {
                v,
                position: k,
                stats: slots[k].take().expect("a series is folded once a wave"),
            });
        }
    }
    tasks.into_par_iter().for_each(|task| match task {
        Fold::Stored {
            v,
            from,
            mut series,
        } => fold_block(&mut series, wave, v, from),
        Fold::Departed { v, position, stats } => fold_departed(stats, wave, v, position, tracking),
    });
}

/// A task of phase 2.
enum Fold<'s> {
    /// Stored series `from..from + series.len()` (places among the stored) of variant `v`.
    Stored {
        v: usize,
        from: usize,
        series: Vec<&'s mut SeriesStats>,
    },
    /// A watched series of variant `v` that departed in this wave.
    Departed {
        v: usize,
        position: usize,
        stats: &'s mut SeriesStats,
    },
}

/// Fold a wave's values of variant `v`'s stored series `from..from + block.len()` into
/// their statistics, in path order. Kept out of line so that profiles show it.
#[inline(never)]
fn fold_block(block: &mut [&mut SeriesStats], wave: &[Chunk], v: usize, from: usize) {
    let len = block.len();
    // Streamed in once, the block's buckets (16 sketches, up to about 150 KB) stay in
    // L2 cache for the rest of the wave.
    block.iter().for_each(|s| s.touch());
    for chunk in wave {
        let values = chunk.block(v, from, len);
        // A full block whose series have all varied takes the values a path at a time,
        // reading them once, in order (about 10% faster).
        if let Ok(full) = <&mut [&mut SeriesStats; ROW]>::try_from(&mut *block)
            && SeriesStats::add_rows(full, values)
        {
            continue;
        }
        // Otherwise one series at a time, so its counters stay in L1 cache.
        for (j, s) in block.iter_mut().enumerate() {
            s.add_each(values[j..].iter().step_by(len).copied());
        }
    }
}

/// Fold a wave's values of variant `v`'s series at `position`, which departed from its
/// expected value in this wave: the expected values up to the path where it departed
/// in each chunk, its own from there.
fn fold_departed(
    stats: &mut SeriesStats,
    wave: &[Chunk],
    v: usize,
    position: usize,
    tracking: &Tracking,
) {
    let expect = tracking
        .expected(v, position)
        .expect("a departed series was watched");
    for chunk in wave {
        let departure = chunk.departed[v].iter().find(|d| d.position == position);
        let upto = departure.map_or(chunk.paths, |d| d.from);
        match expect {
            Expect::Constant(x) => stats.add_each(std::iter::repeat_n(x, upto)),
            Expect::Baseline(b) => {
                stats.add_each(chunk.values_of(0, b, tracking).into_iter().take(upto))
            }
            Expect::Same(j) => {
                stats.add_each(chunk.values_of(v, j, tracking).into_iter().take(upto))
            }
        }
        if let Some(d) = departure {
            stats.add_each(d.values.iter().copied());
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
    layouts: Vec<Arc<Layout>>,
    /// Per variant: what each zone takes from the baseline's ledger (same world).
    reuse: Vec<Option<Vec<Reuse>>>,
    /// Per variant that reuses the baseline's ledger: the parents it takes whole from it.
    taken: Vec<Option<TakenParents>>,
    /// The first zones every variant takes whole from the baseline (when some do): the
    /// baseline's ledger keeps its parents' totals after them (see `Ledger::keep_prefix`).
    prefix_zones: Option<usize>,
    /// Per variant: the layout indices folded for it, in row order.
    own: Vec<Vec<usize>>,
    /// Per variant: the paired differences it folds, as (line position, baseline
    /// position).
    differences: Vec<Vec<(usize, usize)>>,
    /// Per variant: the entities it shares with the baseline, when its own series are
    /// exactly the others' (so they are recorded directly, without a full row).
    unshared: Vec<Option<Shared>>,
    /// Per variant and layout index: where its statistics come from.
    source: Vec<Vec<Source>>,
    compared: Vec<Vec<Compared>>,
    /// Per variant: own series + headline totals + difference series.
    widths: Vec<usize>,
    /// Per variant and line position: the baseline's line position of the same series,
    /// which it may repeat path by path (see [`watch`]).
    twins: Vec<Vec<Option<usize>>>,
}

impl<'a> Plan<'a> {
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
        // Policy variants have the baseline's series: one layout serves them all.
        let mut layouts: Vec<Arc<Layout>> = Vec::new();
        for (v, s) in variants.iter().enumerate() {
            let same = (0..v).find(|&u| Layout::same_series(variants[u], s));
            layouts.push(match same {
                Some(u) => Arc::clone(&layouts[u]),
                None => Arc::new(Layout::new(s)),
            });
        }
        let mut plan = Plan {
            variants,
            samplers,
            sampler_of,
            layouts,
            reuse: Vec::new(),
            prefix_zones: None,
            taken: Vec::new(),
            own: Vec::new(),
            source: Vec::new(),
            compared: Vec::new(),
            widths: Vec::new(),
            twins: Vec::new(),
            unshared: Vec::new(),
            differences: Vec::new(),
        };
        for (v, scenario) in variants.iter().enumerate() {
            let shared = if v > 0 && plan.sampler_of[v] == plan.sampler_of[0] {
                Shared::between(variants[0], scenario)
            } else {
                Shared::none(scenario)
            };
            let layout = &plan.layouts[v];
            // Per series: the baseline's index of the same series, and whether its
            // entity is the baseline's.
            let in_baseline: Vec<Option<usize>> = if Arc::ptr_eq(layout, &plan.layouts[0]) {
                (0..layout.len()).map(Some).collect()
            } else {
                let baseline = &plan.layouts[0];
                layout
                    .keys
                    .iter()
                    .map(|key| baseline.index_of(key.year, &key.entity, key.metric))
                    .collect()
            };
            let is_shared = layout.is_shared(scenario, &shared);
            let mut own = Vec::new();
            let mut source = Vec::new();
            for i in 0..layout.len() {
                let base = (v > 0)
                    .then_some(in_baseline[i])
                    .flatten()
                    .filter(|_| is_shared[i]);
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
            let mut twins: Vec<Option<usize>> = if v == 0 {
                vec![None; own.len()]
            } else {
                own.iter().map(|&i| in_baseline[i]).collect()
            };
            // The baseline folds every series of its layout, then its headline totals.
            let headline_from = plan.layouts[0].keys.len();
            twins.extend((0..HEADLINE_METRICS.len()).map(|h| (v > 0).then_some(headline_from + h)));
            twins.resize(own.len() + HEADLINE_METRICS.len() + slots, None);
            plan.twins.push(twins);
            let unshared: Vec<usize> = (0..layout.len()).filter(|&i| !is_shared[i]).collect();
            let recorded_directly = unshared == own;
            let reuse: Vec<Reuse> = shared
                .zones
                .iter()
                .zip(&shared.taxes)
                .map(|(&zone, &taxes)| match (zone, taxes) {
                    // A full row needs every zone written.
                    (true, _) if recorded_directly => Reuse::Zone,
                    (true, _) | (false, true) => Reuse::Taxes,
                    (false, false) => Reuse::Nothing,
                })
                .collect();
            let reuses = reuse.iter().any(|&r| r != Reuse::Nothing);
            plan.taken.push(reuses.then(|| TakenParents {
                city: shared.city,
                counties: shared.counties.clone(),
                central: shared.central,
                province: shared.province,
            }));
            plan.reuse.push(reuses.then_some(reuse));
            plan.unshared
                .push(recorded_directly.then(|| shared.clone()));
            plan.differences.push(
                compared
                    .iter()
                    .filter(|c| c.slot.is_some())
                    .filter_map(|c| match source[c.series] {
                        Source::Own(i) => Some((i, c.baseline)),
                        Source::Baseline(_) => None,
                    })
                    .collect(),
            );
            plan.own.push(own);
            plan.source.push(source);
            plan.compared.push(compared);
        }
        // Zones taken whole before the first zone a variant changes, fewest over the
        // variants that take any.
        plan.prefix_zones = plan
            .reuse
            .iter()
            .flatten()
            .map(|how| how.iter().take_while(|&&r| r == Reuse::Zone).count())
            .filter(|&zones| zones > 0)
            .min();
        plan
    }

    /// Sketch precision of each series, per variant: `bits` (see [`precision_bits`]),
    /// but the full precision for the headline totals. There are few of them, and
    /// sweeps compare their percentiles across neighbouring variants: at 8 bits the
    /// city's cumulative retained funds would move in steps of 0.2%.
    fn precision(&self, bits: u32) -> Vec<Vec<u32>> {
        self.widths
            .iter()
            .zip(&self.own)
            .map(|(&width, own)| {
                let headline = own.len()..own.len() + HEADLINE_METRICS.len();
                (0..width)
                    .map(|k| {
                        if headline.contains(&k) {
                            HEADLINE_MANTISSA_BITS
                        } else {
                            bits
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// A slot of a wave: its working state (kept from wave to wave, so the hot loop
/// allocates nothing) and the values of its chunk's paths, per variant.
///
/// Stored values lie block by block, as phase 2 reads them: the values of stored series
/// `from..from + len` (one block) for every path of the chunk lie together, path after
/// path, at `from * capacity`, so a fold reads memory in order. Rows are gathered a few
/// paths at a time in a small buffer and transposed into the blocks from there: written
/// one path at a time, each row would scatter over a hundred pages.
struct Chunk<'a> {
    worlds: Vec<World>,
    ledgers: Vec<Ledger<'a>>,
    outs: Vec<PathLedger>,
    /// One path's full layout row.
    row: Vec<f64>,
    /// Per variant: the path's line (own series, headline totals, differences).
    lines: Vec<Vec<f64>>,
    /// Per variant: stored values of the last few paths, not yet in `values`.
    pending: Vec<Vec<f64>>,
    /// Paths gathered in `pending` before they are stored.
    gather: usize,
    /// Paths the chunk can hold, and holds.
    capacity: usize,
    paths: usize,
    values: Vec<Vec<f64>>,
    /// Per variant: watched series that departed in this chunk, and a flag per position.
    departed: Vec<Vec<Departure>>,
    has_departed: Vec<Vec<bool>>,
    risk: Vec<RiskTable>,
    any_gap: Vec<u64>,
}

/// Bytes of rows gathered before they are transposed into blocks (stays in L2 cache).
const GATHER_BYTES: usize = 512 << 10;
/// Most paths gathered.
const GATHER_PATHS: usize = 32;

impl<'a> Chunk<'a> {
    /// A chunk of `capacity` paths whose stored values take `row_bytes` a path.
    fn new(plan: &Plan<'a>, capacity: usize, row_bytes: usize) -> Chunk<'a> {
        Chunk {
            worlds: plan.samplers.iter().map(WorldSampler::blank).collect(),
            ledgers: plan
                .variants
                .iter()
                .enumerate()
                .map(|(v, s)| {
                    let mut ledger = Ledger::new(s);
                    if let (0, Some(zones)) = (v, plan.prefix_zones) {
                        ledger.keep_prefix(zones);
                    }
                    if let Some(taken) = &plan.taken[v] {
                        ledger.take_parents(taken.clone());
                    }
                    ledger
                })
                .collect(),
            outs: plan.variants.iter().map(|s| PathLedger::new(s)).collect(),
            row: Vec::new(),
            lines: vec![Vec::new(); plan.widths.len()],
            pending: vec![Vec::new(); plan.widths.len()],
            gather: (GATHER_BYTES / row_bytes).clamp(1, GATHER_PATHS),
            capacity,
            paths: 0,
            values: vec![Vec::new(); plan.widths.len()],
            departed: vec![Vec::new(); plan.widths.len()],
            has_departed: plan.widths.iter().map(|&w| vec![false; w]).collect(),
            risk: plan.variants.iter().map(|s| RiskTable::new(s)).collect(),
            any_gap: vec![0; plan.variants.len()],
        }
    }

    /// Variant `v`'s values of the block of `len` stored series from `from`, path after
    /// path.
    fn block(&self, v: usize, from: usize, len: usize) -> &[f64] {
        let start = from * self.capacity;
        &self.values[v][start..start + self.paths * len]
    }

    /// Variant `v`'s values of the series at line `position`, for every path of the
    /// chunk (stored, or watched: read through what it repeats).
    fn values_of(&self, v: usize, position: usize, tracking: &Tracking) -> Vec<f64> {
        if let Some(place) = tracking.place[v][position] {
            let from = place / SERIES_BLOCK * SERIES_BLOCK;
            let len = SERIES_BLOCK.min(tracking.stored[v].len() - from);
            let block = self.block(v, from, len);
            return block[place - from..].iter().step_by(len).copied().collect();
        }
        let mut values = match tracking.expected(v, position) {
            Some(Expect::Constant(x)) => vec![x; self.paths],
            Some(Expect::Same(j)) => self.values_of(v, j, tracking),
            Some(Expect::Baseline(b)) => self.values_of(0, b, tracking),
            None => unreachable!("a series is stored or watched"),
        };
        if let Some(d) = self.departed[v].iter().find(|d| d.position == position) {
            values[d.from..].copy_from_slice(&d.values);
        }
        values
    }

    /// Move the `rows` (of `width` values, one per path from `first`) into `values`,
    /// block by block.
    fn store(values: &mut [f64], rows: &[f64], width: usize, capacity: usize, first: usize) {
        if width == 0 {
            return;
        }
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

    /// Sample path `path`'s worlds and evaluate every variant on them: fills `lines`
    /// and adds to the risk counts.
    fn evaluate(&mut self, path: usize, seed: u64, plan: &Plan) {
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
            let out = &*out;
            let zone = |z| out.zone(z, reuse);

            let (earlier, rest) = self.lines.split_at_mut(v);
            let line = &mut rest[0];
            line.clear();
            match &plan.unshared[v] {
                Some(shared) => Layout::record_unshared(out, shared, line),
                None => {
                    // Every zone is in `out` (see `Plan::new`).
                    self.row.clear();
                    Layout::record(out, &mut self.row);
                    line.extend(plan.own[v].iter().map(|&i| self.row[i]));
                }
            }
            record_headline(out, zone, line);
            if let Some(baseline) = earlier.first() {
                // The baseline's line starts with its full layout row. The differences
                // are written into place: a push per value checked the capacity each time.
                let differences = &plan.differences[v];
                let own = line.len();
                line.resize(own + differences.len(), 0.0);
                let (values, out) = line.split_at_mut(own);
                for (d, &(position, b)) in out.iter_mut().zip(differences) {
                    *d = values[position] - baseline[b];
                }
            }
            let zones = out.zones.len();
            for z in 0..zones {
                // A zone reused whole counts as the baseline's (see the end of the run).
                if !reuse.is_some_and(|(_, how)| how[z] == Reuse::Zone) {
                    self.risk[v].add_zone(z, zone(z));
                }
            }
            self.any_gap[v] += u64::from(any_funding_gap(zones, zone));
        }
    }

    /// The lines of `paths`, per variant and path (the pilot's).
    fn pilot(
        &mut self,
        paths: std::ops::Range<usize>,
        seed: u64,
        plan: &Plan,
    ) -> Vec<Vec<Vec<f64>>> {
        let mut lines = vec![Vec::new(); plan.variants.len()];
        for path in paths {
            self.evaluate(path, seed, plan);
            for (all, line) in lines.iter_mut().zip(&self.lines) {
                all.push(line.clone());
            }
        }
        lines
    }

    /// Simulate `paths`: store the stored series' values, check the watched ones (kept
    /// out of line so that profiles show it).
    #[inline(never)]
    fn run(&mut self, paths: std::ops::Range<usize>, seed: u64, plan: &Plan, tracking: &Tracking) {
        self.risk.iter_mut().for_each(RiskTable::clear);
        self.any_gap.fill(0);
        self.paths = paths.len();
        self.pending.iter_mut().for_each(Vec::clear);
        for (values, stored) in self.values.iter_mut().zip(&tracking.stored) {
            // Series that departed since the last wave are stored from now on. Grown in
            // place, not replaced: a large buffer is remapped, so only its new pages
            // fault in (a fresh buffer faulted every page again, wave after wave).
            let needed = stored.len() * self.capacity;
            if values.is_empty() {
                // Zeroed by the allocator (fresh pages are zero), not written twice.
                *values = vec![0.0; needed];
            } else if values.len() < needed {
                values.resize(needed, 0.0);
            }
        }
        for (departed, flags) in self.departed.iter_mut().zip(&mut self.has_departed) {
            for d in departed.drain(..) {
                flags[d.position] = false;
            }
        }
        let mut first = 0;
        for (p, path) in paths.enumerate() {
            self.evaluate(path, seed, plan);
            let lines = &self.lines;
            for (v, line) in lines.iter().enumerate() {
                // A slice, so that its length stays in a register while `pending` grows.
                let line: &[f64] = line;
                let pending = &mut self.pending[v];
                // One gather of known length: no capacity check per value.
                pending.extend(tracking.stored[v].iter().map(|&k| line[k]));
                let departed = &mut self.departed[v];
                for d in departed.iter_mut() {
                    d.values.push(line[d.position]);
                }
                if tracking.holds(v, line, &lines[0]) {
                    continue;
                }
                for &(k, expect) in &tracking.watched[v] {
                    let x = line[k];
                    if x.to_bits() != expect.value(line, &lines[0]).to_bits()
                        && !self.has_departed[v][k]
                    {
                        self.has_departed[v][k] = true;
                        departed.push(Departure {
                            position: k,
                            from: p,
                            values: vec![x],
                        });
                    }
                }
            }
            if p + 1 - first == self.gather || p + 1 == self.paths {
                for ((values, rows), stored) in self
                    .values
                    .iter_mut()
                    .zip(&mut self.pending)
                    .zip(&tracking.stored)
                {
                    Self::store(values, rows, stored.len(), self.capacity, first);
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
    use crate::cli::source::demo;
    use crate::world::WorldSampler;

    /// Every series of `scenario` over `paths` paths, path by path, with no engine.
    fn series_by_path(scenario: &Scenario, paths: usize, seed: u64) -> Vec<Vec<f64>> {
        let sampler = WorldSampler::new(scenario);
        let mut world = WorldSampler::blank(&sampler);
        let mut ledger = Ledger::new(scenario);
        let mut out = PathLedger::new(scenario);
        let mut series = vec![Vec::new(); Layout::new(scenario).len()];
        let mut row = Vec::new();
        for path in 0..paths {
            sampler.sample_into(&mut path_rng(seed, path as u64), &mut world);
            ledger.evaluate(&world, &mut out);
            row.clear();
            Layout::record(&out, &mut row);
            for (s, &x) in series.iter_mut().zip(&row) {
                s.push(x);
            }
        }
        series
    }

    #[test]
    fn watched_series_report_the_bits_of_a_plain_fold_of_every_path() {
        // Small chunks, so series depart from their watched value in later waves, too.
        let base = demo();
        // A policy variant: the land returned to the zones under the reform.
        let mut variant = base.clone();
        variant.policies[0].land_return = 0.4;
        // Another that changes only the last zone's rule. Both take the first zones whole,
        // and start from the baseline's parents' totals after them (`Ledger::keep_prefix`).
        let mut last_zone = base.clone();
        let reform = base.policies.iter().position(|p| p.id == "reform").unwrap();
        let rule = &mut last_zone.policies[reform].increment_shares;
        (rule.zone, rule.city) = (rule.zone - 0.1, rule.city + 0.1);
        let variants = [&base, &variant, &last_zone];
        let plan = Plan::new(&variants, true);
        assert!(plan.prefix_zones.is_some_and(|zones| zones > 0));
        let (paths, seed) = (600, 5);
        let outcome = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| simulate_in_chunks(&variants, true, paths, seed, &|_| {}, 16));
        let mut late = 0;
        for (scenario, summary) in variants.into_iter().zip(&outcome.summaries) {
            let series = series_by_path(scenario, paths, seed);
            for (values, row) in series.iter().zip(&summary.rows) {
                let mut plain = SeriesStats::new(MANTISSA_BITS);
                plain.start(values[0]);
                values.iter().for_each(|&x| plain.add(x));
                let what = format!(
                    "{} {} {} {}",
                    summary.scenario, row.entity, row.metric, row.year
                );
                let m = plain.moments(paths as u64);
                assert_eq!(row.mean.to_bits(), m.mean().to_bits(), "{what}");
                assert_eq!(row.sd.to_bits(), m.sd().to_bits(), "{what}");
                assert_eq!(
                    row.percentiles.to_vec(),
                    plain.quantiles(&PERCENTILES),
                    "{what}"
                );
                // Repeats its first value through the pilot, varies after a wave or more.
                let first = values[0].to_bits();
                let departs = values.iter().position(|x| x.to_bits() != first);
                late += usize::from(departs.is_some_and(|p| p >= 64));
            }
        }
        assert!(late > 0, "no series departs after the first wave");
        assert_ne!(outcome.summaries[0].rows, outcome.summaries[1].rows);
        assert_ne!(outcome.summaries[0].rows, outcome.summaries[2].rows);
    }

    #[test]
    fn headline_totals_keep_full_precision_in_a_batch_whose_sketches_are_coarser() {
        let base = demo();
        let variants: Vec<Scenario> = (0..16)
            .map(|i| {
                let mut v = base.clone();
                v.policies[0].land_return = 0.2 + 0.05 * f64::from(i);
                v
            })
            .collect();
        let refs: Vec<&Scenario> = variants.iter().collect();
        let (paths, seed) = (300, 9);
        let plan = Plan::new(&refs, true);
        assert!(precision_bits(plan.widths.iter().sum()) < HEADLINE_MANTISSA_BITS);
        let outcome = simulate_variants(&refs, true, paths, seed, &|_| {});
        // What run.json states is what the sketches kept.
        assert_eq!(
            outcome.sketch_bits,
            precision_bits(plan.widths.iter().sum())
        );

        // The baseline's headline totals, path by path, folded at full precision.
        let sampler = WorldSampler::new(refs[0]);
        let mut world = WorldSampler::blank(&sampler);
        let mut ledger = Ledger::new(refs[0]);
        let mut out = PathLedger::new(refs[0]);
        let mut plain: Vec<SeriesStats> = Vec::new();
        let mut row = Vec::new();
        for path in 0..paths {
            sampler.sample_into(&mut path_rng(seed, path as u64), &mut world);
            ledger.evaluate(&world, &mut out);
            row.clear();
            record_headline(&out, |z| out.zone(z, None), &mut row);
            if path == 0 {
                plain = row
                    .iter()
                    .map(|&x| {
                        let mut s = SeriesStats::new(HEADLINE_MANTISSA_BITS);
                        s.start(x);
                        s
                    })
                    .collect();
            }
            plain.iter_mut().zip(&row).for_each(|(s, &x)| s.add(x));
        }
        for (reported, s) in outcome.headlines[0].iter().zip(&plain) {
            let q = s.quantiles(&[0.05, 0.5, 0.95]);
            assert_eq!(
                [reported.p5, reported.p50, reported.p95],
                [q[0], q[1], q[2]]
            );
        }
    }

    #[test]
    fn precision_falls_with_the_number_of_series_but_stays_under_half_a_percent() {
        assert_eq!(precision_bits(1), 9);
        assert_eq!(precision_bits(16_384), 9);
        assert_eq!(precision_bits(16_385), 8);
        assert_eq!(precision_bits(32_768), 8);
        assert_eq!(precision_bits(6 * 16_384), 7);
        assert_eq!(precision_bits(50 * 2400), 7);
    }
}
