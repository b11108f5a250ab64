//! fencheng (分成): Monte Carlo projection of development-zone revenue sharing
//! (开发区财力分成) against the 2024 base year.
//!
//! Data flows one way: scenario files → [`scenario`] (load, validate) → [`world`]
//! (sampled per path) → [`ledger`] (pure, per path and policy) → [`engine`]
//! (parallel chunks, mergeable accumulators) → [`summary`] → [`export`]; [`chart`] and
//! [`report`] read the exported files back.

pub mod batch;
pub mod chart;
pub mod cli;
pub mod engine;
pub mod export;
pub mod ledger;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod summary;
pub mod world;
