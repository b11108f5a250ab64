//! summary.csv and risk.csv (DOMAIN.md §6) as bytes.
//!
//! Numbers are written with Rust's shortest round-trip formatting, so equal results give
//! equal bytes.

use anyhow::Result;

use crate::batch::RowError;
use crate::stats::PERCENTILE_NAMES;
use crate::summary::{Outcome, Summary};

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
    // Field by field through one buffer: a batch of 50 variants writes a million
    // numbers, and a String per field cost more than formatting them.
    let mut text = String::new();
    for s in summaries {
        for r in &s.rows {
            w.write_field(&s.scenario)?;
            write_number(&mut w, &mut text, r.year)?;
            w.write_field(&r.entity)?;
            w.write_field(&r.metric)?;
            for x in [r.mean, r.sd].iter().chain(&r.percentiles) {
                write_number(&mut w, &mut text, x)?;
            }
            // An empty record ends the row.
            w.write_record(None::<&[u8]>)?;
        }
    }
    Ok(w.into_inner()?)
}

/// Write `x` as one field, formatted with `Display` into the reused `text`.
fn write_number(
    w: &mut csv::Writer<Vec<u8>>,
    text: &mut String,
    x: impl std::fmt::Display,
) -> csv::Result<()> {
    use std::fmt::Write;
    text.clear();
    write!(text, "{x}").expect("formatting into a String cannot fail");
    w.write_field(text.as_bytes())
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

/// compare.csv: each variant's paired differences against the baseline.
pub fn compare_csv(outcome: &Outcome) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "baseline",
        "year",
        "entity",
        "metric",
        "mean",
        "p5",
        "p50",
        "p95",
        "delta_p_debt_ratio_over_warning",
    ])?;
    let Some(baseline) = outcome.summaries.first() else {
        return Ok(w.into_inner()?);
    };
    for (summary, rows) in outcome.summaries.iter().zip(&outcome.comparisons).skip(1) {
        for r in rows {
            w.write_record([
                summary.scenario.clone(),
                baseline.scenario.clone(),
                r.year.to_string(),
                r.entity.clone(),
                r.metric.clone(),
                r.mean.to_string(),
                r.p5.to_string(),
                r.p50.to_string(),
                r.p95.to_string(),
                r.delta_p_debt_ratio_over_warning
                    .map_or(String::new(), |d| d.to_string()),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// headline.csv: totals over the horizon per variant.
pub fn headline_csv(outcome: &Outcome) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scenario", "metric", "mean", "p5", "p50", "p95"])?;
    for (summary, rows) in outcome.summaries.iter().zip(&outcome.headlines) {
        for r in rows {
            w.write_record([
                summary.scenario.clone(),
                r.metric.clone(),
                r.mean.to_string(),
                r.p5.to_string(),
                r.p50.to_string(),
                r.p95.to_string(),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// errors.csv: the batch rows that were skipped, and why. The four columns the issue
/// names come first, in its order; the row's variant id follows.
pub fn errors_csv(errors: &[RowError]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["row", "column", "value", "message", "scenario"])?;
    for e in errors {
        w.write_record([
            e.row.to_string(),
            e.column.clone(),
            e.value.clone(),
            e.message.clone(),
            e.scenario.clone(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// sweep.csv: one row per grid point with the headline numbers.
pub fn sweep_csv(outcome: &Outcome, keys: &[String], points: &[SweepPoint]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let zones: Vec<String> = outcome
        .summaries
        .first()
        .map(|s| {
            let mut z: Vec<String> = Vec::new();
            for r in &s.risk {
                if !z.contains(&r.zone) {
                    z.push(r.zone.clone());
                }
            }
            z
        })
        .unwrap_or_default();
    let mut header = vec!["scenario".to_string()];
    header.extend(keys.iter().cloned());
    header.extend(
        [
            "city_retained_total_p50",
            "counties_retained_total_p50",
            "zones_retained_total_p50",
            "p_any_funding_gap",
            "worst_p_debt_ratio_over_warning",
        ]
        .map(String::from),
    );
    header.extend(
        zones
            .iter()
            .map(|z| format!("{z}_worst_p_debt_ratio_over_warning")),
    );
    header.push("notes".into());
    w.write_record(&header)?;
    for (v, point) in points.iter().enumerate() {
        let summary = &outcome.summaries[v];
        let headline = |m: &str| {
            outcome.headlines[v]
                .iter()
                .find(|h| h.metric == m)
                .map_or(f64::NAN, |h| h.p50)
        };
        let worst = |zone: Option<&str>| {
            summary
                .risk
                .iter()
                .filter(|r| zone.is_none_or(|z| r.zone == z))
                .map(|r| r.p_debt_ratio_over_warning)
                .fold(0.0, f64::max)
        };
        let mut record = vec![summary.scenario.clone()];
        record.extend(point.values.iter().cloned());
        record.extend([
            headline("city_retained_total").to_string(),
            headline("counties_retained_total").to_string(),
            headline("zones_retained_total").to_string(),
            outcome.p_any_funding_gap[v].to_string(),
            worst(None).to_string(),
        ]);
        record.extend(zones.iter().map(|z| worst(Some(z)).to_string()));
        record.push(point.notes.join("; "));
        w.write_record(&record)?;
    }
    Ok(w.into_inner()?)
}

/// A grid point of a sweep: its key values and any notes (share groups rescaled).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub values: Vec<String>,
    pub notes: Vec<String>,
}
