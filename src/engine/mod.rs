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
mod chunk;
mod fold;
pub mod layout;
mod plan;
pub mod reuse;
mod stream;
pub mod watch;

use rayon::prelude::*;

use crate::ledger::Reuse;
use crate::scenario::model::Scenario;
use crate::stats::PERCENTILES;
use crate::stats::sketch::{MANTISSA_BITS, MIN_MANTISSA_BITS};
use crate::summary::{CompareRow, HeadlineRow, Outcome, RiskRow, Summary, SummaryRow};

use accumulator::{ROW, RiskTable, SeriesStats};
use chunk::Chunk;
use fold::{departed_in, fold_wave};
use layout::{HEADLINE_METRICS, Layout};
use plan::{Plan, Source};
use watch::{Expect, Tracking};

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
    use crate::ledger::{Ledger, PathLedger};
    use crate::stats::sketch::HEADLINE_MANTISSA_BITS;
    use crate::world::{WorldSampler, path_rng};
    use layout::record_headline;

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
