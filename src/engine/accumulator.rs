//! Statistics of every series and the debt-risk counts, fed path by path.

use crate::ledger::budget::Tier;
use crate::ledger::{PathLedger, ZoneYear};
use crate::scenario::model::Scenario;
use crate::stats::{Moments, QuantileSketch};

/// Moments and percentiles of one series, fed in path order.
///
/// The hot loop adds billions of values, so this keeps only what differs per series:
/// the path count is the run's, and the shift is set once from the first path.
#[derive(Debug, Clone, Default)]
pub struct SeriesStats {
    /// Deviations are taken from the first path's value (see [`Moments`]).
    shift: f64,
    sum: f64,
    sum_sq: f64,
    pub sketch: QuantileSketch,
}

impl SeriesStats {
    /// Empty statistics whose sketch keeps `bits` mantissa bits.
    pub fn new(bits: u32) -> SeriesStats {
        SeriesStats {
            sketch: QuantileSketch::with_precision(bits),
            ..SeriesStats::default()
        }
    }

    /// Set the shift; call with the first path's value, before any `add`.
    pub fn start(&mut self, first: f64) {
        self.shift = first;
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        let d = x - self.shift;
        self.sum += d;
        self.sum_sq += d * d;
        self.sketch.add(x);
    }

    /// Mean and sd over the `paths` values added.
    pub fn moments(&self, paths: u64) -> Moments {
        Moments::from_shifted_sums(paths, self.shift, self.sum, self.sum_sq)
    }
}

/// Debt-risk counts of one zone in one year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskCounts {
    /// Paths whose debt ratio is strictly above the zone's warning ratio.
    pub over_warning: u64,
    /// Paths with a funding gap (> 0).
    pub gap: u64,
    /// Paths in each tier: green, yellow, orange, red.
    pub tiers: [u64; 4],
}

impl RiskCounts {
    fn add(&mut self, y: &ZoneYear, warning_ratio: f64) {
        self.over_warning += u64::from(y.debt_ratio > warning_ratio);
        self.gap += u64::from(y.funding_gap > 0.0);
        self.tiers[Tier::of(y.debt_ratio) as usize] += 1;
    }

    fn merge(&mut self, other: &RiskCounts) {
        self.over_warning += other.over_warning;
        self.gap += other.gap;
        for (t, o) in self.tiers.iter_mut().zip(other.tiers) {
            *t += o;
        }
    }
}

/// Risk counts of every zone-year of one variant, `[zone * years + ti]`.
#[derive(Debug, Clone)]
pub struct RiskTable {
    pub counts: Vec<RiskCounts>,
    warning: Vec<f64>,
    years: usize,
}

impl RiskTable {
    pub fn new(scenario: &Scenario) -> RiskTable {
        let years = scenario.projected_years();
        RiskTable {
            counts: vec![RiskCounts::default(); scenario.zones.len() * years],
            warning: scenario
                .zones
                .iter()
                .map(|z| z.debt.warning_ratio)
                .collect(),
            years,
        }
    }

    pub fn add(&mut self, ledger: &PathLedger) {
        for (z, years) in ledger.zones.iter().enumerate() {
            for (ti, y) in years.iter().enumerate() {
                self.counts[z * self.years + ti].add(y, self.warning[z]);
            }
        }
    }

    /// Back to no paths, keeping the allocation.
    pub fn clear(&mut self) {
        self.counts.fill(RiskCounts::default());
    }

    /// Integer counts: merging is exact in any order.
    pub fn merge(&mut self, other: &RiskTable) {
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            c.merge(o);
        }
    }

    pub fn get(&self, zone: usize, ti: usize) -> &RiskCounts {
        &self.counts[zone * self.years + ti]
    }
}
