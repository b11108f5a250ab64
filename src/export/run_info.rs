//! run.json: what is needed to reproduce a run and to know how it was made.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::CHUNK_PATHS;
use crate::stats::sketch::RELATIVE_ERROR;

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub fencheng_version: String,
    pub command: String,
    pub scenario: String,
    /// The scenario directory, or "built-in demo".
    pub source: String,
    /// SHA-256 over the input files, in order (model.toml, projects.csv, …).
    pub inputs_sha256: String,
    pub seed: u64,
    pub paths: usize,
    pub threads: usize,
    pub chunk_paths: usize,
    pub wall_time_seconds: f64,
    pub base_year: i32,
    pub horizon: i32,
    pub money_unit: String,
    pub percentiles: String,
}

impl RunInfo {
    pub fn percentile_method() -> String {
        format!(
            "log-linear bucket sketch, each order statistic within {:.3}% relative (1e-9 \
             absolute near 0); linear interpolation between order statistics; clamped to \
             the exact min and max",
            RELATIVE_ERROR * 100.0
        )
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
