//! run.json: what is needed to reproduce a run and to know how it was made.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::CHUNK_PATHS;
use crate::scenario::Scenario;
use crate::stats::sketch::{HEADLINE_MANTISSA_BITS, relative_error};

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// fencheng's version.
    pub version: String,
    pub command: String,
    pub scenario: String,
    /// The scenario directory, or "built-in demo".
    pub source: String,
    /// SHA-256 over the input files, in order (model.toml, projects.csv, …), hex.
    pub inputs_hash: String,
    pub seed: u64,
    pub paths: usize,
    pub threads: usize,
    pub chunk_paths: usize,
    pub wall_time_seconds: f64,
    pub base_year: i32,
    pub horizon: i32,
    pub money_unit: String,
    pub percentiles: String,
    /// Who the entity ids of the tables are, in table order.
    pub entities: Vec<EntityInfo>,
    /// Batch and sweep: the variants run, the first being the baseline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantInfo>,
    /// Batch and sweep: rows skipped (see errors.csv).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_rows: Option<usize>,
}

/// A variant of a batch or sweep: its id, row and overrides.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInfo {
    pub id: String,
    pub row: usize,
    pub overrides: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An entity of summary.csv: id, display name, and what it is.
#[derive(Debug, Clone, Serialize)]
pub struct EntityInfo {
    pub id: String,
    pub name: String,
    /// "zone", "city", "county", "central" or "province".
    pub kind: String,
    /// Zones: the county id, or "city" for a city-managed zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Zones: the debt ratio warning line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_ratio: Option<f64>,
    /// Zones: the allocation of the base year under the policy then in force,
    /// `base_shares.zone × P[base_year]` (万元), the level a chart marks as "2024".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_year_allocation: Option<f64>,
}

impl EntityInfo {
    /// The entities of a scenario, in summary.csv's order.
    pub fn of(s: &Scenario) -> Vec<EntityInfo> {
        let plain = |id: &str, name: &str, kind: &str| EntityInfo {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            parent: None,
            warning_ratio: None,
            base_year_allocation: None,
        };
        let mut out: Vec<EntityInfo> = s
            .zones
            .iter()
            .enumerate()
            .map(|(z, zone)| {
                let pool: f64 = zone
                    .base_revenue
                    .iter()
                    .zip(&s.taxes)
                    .map(|(r, t)| r * t.local_share())
                    .sum();
                let policy = &s.policies[s.policy_in_force(z, s.base_year)];
                EntityInfo {
                    parent: Some(
                        zone.county
                            .map_or("city".into(), |c| s.counties[c].id.clone()),
                    ),
                    warning_ratio: Some(zone.debt.warning_ratio),
                    base_year_allocation: Some(policy.base_shares.zone * pool),
                    ..plain(&zone.id, &zone.name, "zone")
                }
            })
            .collect();
        out.push(plain("city", "市本级", "city"));
        out.extend(s.counties.iter().map(|c| plain(&c.id, &c.name, "county")));
        out.push(plain("central", "中央", "central"));
        out.push(plain("province", "省级", "province"));
        out
    }
}

impl RunInfo {
    /// How percentiles are computed, with the bound of sketches keeping `bits` mantissa
    /// bits (the engine's [`crate::summary::Outcome::sketch_bits`]).
    pub fn percentile_method(bits: u32) -> String {
        let mut method = format!(
            "log-linear bucket sketch, each order statistic within {:.3}% relative (1e-9 \
             absolute near 0); linear interpolation between order statistics; clamped to \
             the exact min and max",
            relative_error(bits) * 100.0
        );
        if bits < HEADLINE_MANTISSA_BITS {
            method += &format!(
                "; headline totals (headline.csv, sweep.csv) within {:.3}%",
                relative_error(HEADLINE_MANTISSA_BITS) * 100.0
            );
        }
        method
    }

    pub fn chunk_paths() -> usize {
        CHUNK_PATHS
    }
}

/// SHA-256 of the inputs, each prefixed by its length so boundaries count.
pub fn inputs_hash(inputs: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for bytes in inputs {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
