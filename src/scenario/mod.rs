//! Scenario files → a validated [`Scenario`] (DOMAIN.md §3).
//!
//! Loading happens in two stages (STYLE.md practice 3): [`raw`] mirrors `model.toml`
//! with `deny_unknown_fields`, so the toml crate reports syntax, types and unknown keys
//! with their line; `validate` then applies every cross-field rule, resolves ids to
//! indices and fills in defaults, collecting all problems into one
//! [`ScenarioError::Invalid`]. Entry points are in [`load`].

mod check;
mod correlation;
pub mod error;
pub mod load;
pub mod model;
mod policies;
mod projects;
pub mod raw;
mod validate;

pub use error::{Problem, ScenarioError};
pub use load::{load_dir, load_str, parse_model_table, scenario_from_parts};
pub use model::*;
