//! Entry points: a scenario directory (`model.toml` + `projects.csv`) → [`Scenario`].
//!
//! [`parse_model_table`] and [`scenario_from_parts`] are separate so that a batch can
//! override dotted keys on the parsed table before the scenario is built;
//! [`load_dir`] is the two in a row.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::ScenarioError;
use super::model::Scenario;
use super::{raw, validate};

/// The model file of a scenario directory.
pub const MODEL_FILE: &str = "model.toml";
/// The project file of a scenario directory.
pub const PROJECTS_FILE: &str = "projects.csv";

/// Loads and validates the scenario in `dir` (`dir/model.toml`, `dir/projects.csv`).
///
/// # Errors
/// A file that cannot be read or is not UTF-8, a TOML error, or every validation
/// problem found ([`ScenarioError::Invalid`]); each names its file.
pub fn load_dir(dir: &Path) -> Result<Scenario, ScenarioError> {
    let model_path = dir.join(MODEL_FILE);
    let projects_path = dir.join(PROJECTS_FILE);
    let model = read_text(&model_path)?;
    let projects = read_text(&projects_path)?;
    let table = parse_model_table(&model, &model_path)?;
    scenario_from_parts(table, &projects, &model_path, &projects_path)
}

/// Parses the text of `model.toml` into a TOML table.
///
/// Besides the syntax, this already checks the table against the raw model (types,
/// missing required keys, unknown keys), so that those errors carry their line number.
///
/// # Errors
/// [`ScenarioError::Toml`], prefixed with `model_path`.
pub fn parse_model_table(text: &str, model_path: &Path) -> Result<toml::Table, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let table: toml::Table =
        toml::from_str(text).map_err(|e| ScenarioError::toml(model_path, &e))?;
    toml::from_str::<raw::Model>(text).map_err(|e| ScenarioError::toml(model_path, &e))?;
    Ok(table)
}

/// Builds the validated scenario from a (possibly overridden) model table and the text
/// of `projects.csv`; the paths are only used in messages.
///
/// # Errors
/// [`ScenarioError::Toml`] when an override broke the table's shape (the message names
/// the key), or [`ScenarioError::Invalid`] with every validation problem.
pub fn scenario_from_parts(
    table: toml::Table,
    projects_csv: &str,
    model_path: &Path,
    projects_path: &Path,
) -> Result<Scenario, ScenarioError> {
    let raw: raw::Model = table
        .try_into()
        .map_err(|e| ScenarioError::toml(model_path, &e))?;
    validate::build(&raw, projects_csv, model_path, projects_path)
}

/// Loads a scenario from the texts of its two files; `label` stands for the directory
/// in messages (`label/model.toml`, `label/projects.csv`).
///
/// # Errors
/// As [`load_dir`], without the read errors.
pub fn load_str(
    model_toml: &str,
    projects_csv: &str,
    label: &Path,
) -> Result<Scenario, ScenarioError> {
    let model_path = label.join(MODEL_FILE);
    let projects_path = label.join(PROJECTS_FILE);
    let table = parse_model_table(model_toml, &model_path)?;
    scenario_from_parts(table, projects_csv, &model_path, &projects_path)
}

fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes = fs::read(path).map_err(|reason| ScenarioError::Read {
        path: PathBuf::from(path),
        reason,
    })?;
    String::from_utf8(bytes).map_err(|_| ScenarioError::NotUtf8 {
        path: PathBuf::from(path),
    })
}
