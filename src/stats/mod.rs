//! Statistics of a series of path values: moments and percentiles, both mergeable.

pub mod moments;
pub mod sketch;

pub use moments::Moments;
pub use sketch::QuantileSketch;

/// The percentiles every summary row reports, as fractions.
pub const PERCENTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
/// Their column names in summary.csv.
pub const PERCENTILE_NAMES: [&str; 7] = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];
