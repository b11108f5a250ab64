//! summary.csv and risk.csv (DOMAIN.md §6) as bytes.
//!
//! Numbers are written with Rust's shortest round-trip formatting, so equal results give
//! equal bytes.

use anyhow::Result;

use crate::stats::PERCENTILE_NAMES;
use crate::summary::Summary;

pub const SUMMARY_HEADER: [&str; 6] = ["scenario", "year", "entity", "metric", "mean", "sd"];
pub const RISK_HEADER: [&str; 10] = [
    "scenario",
    "zone",
    "year",
    "p_debt_ratio_over_warning",
    "p_funding_gap",
    "expected_funding_gap",
    "p_tier_green",
    "p_tier_yellow",
    "p_tier_orange",
    "p_tier_red",
];

/// summary.csv for one or more scenarios (a batch writes one row set per variant).
pub fn summary_csv(summaries: &[&Summary]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_HEADER.iter().chain(PERCENTILE_NAMES.iter()))?;
    for s in summaries {
        for r in &s.rows {
            let mut record = vec![
                s.scenario.clone(),
                r.year.to_string(),
                r.entity.clone(),
                r.metric.clone(),
                r.mean.to_string(),
                r.sd.to_string(),
            ];
            record.extend(r.percentiles.iter().map(f64::to_string));
            w.write_record(&record)?;
        }
    }
    Ok(w.into_inner()?)
}

/// risk.csv: debt risk per zone and year.
pub fn risk_csv(summaries: &[&Summary]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(RISK_HEADER)?;
    for s in summaries {
        for r in &s.risk {
            let mut record = vec![
                s.scenario.clone(),
                r.zone.clone(),
                r.year.to_string(),
                r.p_debt_ratio_over_warning.to_string(),
                r.p_funding_gap.to_string(),
                r.expected_funding_gap.to_string(),
            ];
            record.extend(r.p_tiers.iter().map(f64::to_string));
            w.write_record(&record)?;
        }
    }
    Ok(w.into_inner()?)
}
