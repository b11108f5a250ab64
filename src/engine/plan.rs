//! What a run evaluates per path: the policy variants, the worlds they are evaluated
//! on, and the series each one folds or takes from the baseline.

use std::sync::Arc;

use crate::ledger::{Reuse, TakenParents};
use crate::scenario::model::Scenario;
use crate::stats::sketch::HEADLINE_MANTISSA_BITS;
use crate::world::WorldSampler;

use super::layout::{HEADLINE_METRICS, Layout};
use super::reuse::Shared;

/// Where a variant's series comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source {
    /// Folded for this variant, at this position of its row.
    Own(usize),
    /// The baseline's series at this index (provably identical).
    Baseline(usize),
}

/// A series compared with the baseline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Compared {
    /// Index in the variant's layout.
    pub(super) series: usize,
    /// Index in the baseline's layout.
    pub(super) baseline: usize,
    /// Position among the variant's difference series; `None` when provably 0.
    pub(super) slot: Option<usize>,
}

/// What a run evaluates per path: the variants, their worlds and their series.
pub(super) struct Plan<'a> {
    pub(super) variants: &'a [&'a Scenario],
    /// Distinct world samplers, and which one each variant uses.
    pub(super) samplers: Vec<WorldSampler>,
    pub(super) sampler_of: Vec<usize>,
    pub(super) layouts: Vec<Arc<Layout>>,
    /// Per variant: what each zone takes from the baseline's ledger (same world).
    pub(super) reuse: Vec<Option<Vec<Reuse>>>,
    /// Per variant that reuses the baseline's ledger: the parents it takes whole from it.
    pub(super) taken: Vec<Option<TakenParents>>,
    /// The first zones every variant takes whole from the baseline (when some do): the
    /// baseline's ledger keeps its parents' totals after them (see `Ledger::keep_prefix`).
    pub(super) prefix_zones: Option<usize>,
    /// Per variant: the layout indices folded for it, in row order.
    pub(super) own: Vec<Vec<usize>>,
    /// Per variant: the paired differences it folds, as (line position, baseline
    /// position).
    pub(super) differences: Vec<Vec<(usize, usize)>>,
    /// Per variant: the entities it shares with the baseline, when its own series are
    /// exactly the others' (so they are recorded directly, without a full row).
    pub(super) unshared: Vec<Option<Shared>>,
    /// Per variant and layout index: where its statistics come from.
    pub(super) source: Vec<Vec<Source>>,
    pub(super) compared: Vec<Vec<Compared>>,
    /// Per variant: own series + headline totals + difference series.
    pub(super) widths: Vec<usize>,
    /// Per variant and line position: the baseline's line position of the same series,
    /// which it may repeat path by path (see [`super::watch`]).
    pub(super) twins: Vec<Vec<Option<usize>>>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(variants: &'a [&'a Scenario], compare: bool) -> Plan<'a> {
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

    /// Sketch precision of each series, per variant: `bits` (see [`super::precision_bits`]),
    /// but the full precision for the headline totals. There are few of them, and
    /// sweeps compare their percentiles across neighbouring variants: at 8 bits the
    /// city's cumulative retained funds would move in steps of 0.2%.
    pub(super) fn precision(&self, bits: u32) -> Vec<Vec<u32>> {
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
