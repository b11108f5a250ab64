//! The result of a run: one row per projected year, entity and metric (DOMAIN.md §6),
//! and the debt-risk table. Exporters and charts read this, never engine internals.

use crate::scenario::model::Year;

/// Distribution of one series over the paths of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub year: Year,
    pub entity: String,
    pub metric: String,
    pub mean: f64,
    /// Population sd.
    pub sd: f64,
    /// p5, p10, p25, p50, p75, p90, p95 (see [`crate::stats::PERCENTILES`]).
    pub percentiles: [f64; 7],
}

impl SummaryRow {
    pub fn p50(&self) -> f64 {
        self.percentiles[3]
    }
}

/// Debt risk of one zone in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub zone: String,
    pub year: Year,
    /// P(debt ratio > the zone's warning ratio).
    pub p_debt_ratio_over_warning: f64,
    /// P(funding gap > 0).
    pub p_funding_gap: f64,
    /// Mean funding gap over all paths (万元).
    pub expected_funding_gap: f64,
    /// P(green), P(yellow), P(orange), P(red).
    pub p_tiers: [f64; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The model's `name`, or a batch row's id.
    pub scenario: String,
    pub paths: u64,
    pub rows: Vec<SummaryRow>,
    pub risk: Vec<RiskRow>,
}

impl Summary {
    /// The row of `entity`'s `metric` in `year`.
    pub fn get(&self, entity: &str, metric: &str, year: Year) -> Option<&SummaryRow> {
        self.rows
            .iter()
            .find(|r| r.year == year && r.entity == entity && r.metric == metric)
    }

    /// The risk row of `zone` in `year`.
    pub fn risk(&self, zone: &str, year: Year) -> Option<&RiskRow> {
        self.risk.iter().find(|r| r.year == year && r.zone == zone)
    }

    /// The first series whose mean, sd or a percentile is not a finite number, named
    /// for a message. The model never makes one from valid inputs of sane size, so one
    /// means its arithmetic overflowed (an amount or an sd of absurd magnitude), and no
    /// row of the run can be trusted.
    pub fn not_finite(&self) -> Option<String> {
        self.rows
            .iter()
            .find(|r| {
                !(r.mean.is_finite() && r.sd.is_finite())
                    || r.percentiles.iter().any(|p| !p.is_finite())
            })
            .map(|r| {
                format!(
                    "{} {} {}: mean {}, sd {}",
                    r.entity, r.metric, r.year, r.mean, r.sd
                )
            })
    }
}

/// What to say when a run's results are not finite numbers (see [`Summary::not_finite`]).
pub fn not_finite_message(what: &str) -> String {
    format!(
        "the results are not finite numbers ({what}): the arithmetic overflowed; check the \
         magnitudes of the inputs (amounts in 万元, sds, growth rates)"
    )
}

/// A total over the horizon for one variant (sum over projected years and over the
/// entities of a group), distributed over paths.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineRow {
    pub metric: String,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// The paired difference variant − baseline of one series, over the shared worlds.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    pub year: Year,
    pub entity: String,
    pub metric: String,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    /// Zones: P(debt ratio > warning) of the variant minus the baseline's.
    pub delta_p_debt_ratio_over_warning: Option<f64>,
}

/// Everything a run of several variants on the same worlds produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub summaries: Vec<Summary>,
    /// Per variant.
    pub headlines: Vec<Vec<HeadlineRow>>,
    /// Per variant against the first (empty for the first, or without comparison).
    pub comparisons: Vec<Vec<CompareRow>>,
    /// Per variant: P(some zone has a funding gap in some year).
    pub p_any_funding_gap: Vec<f64>,
    /// Mantissa bits the percentile sketches kept (headline totals keep
    /// [`crate::stats::sketch::HEADLINE_MANTISSA_BITS`]); run.json states the bound.
    pub sketch_bits: u32,
}
