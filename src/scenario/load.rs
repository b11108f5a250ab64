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
        toml::from_str(text).map_err(|e| ScenarioError::toml_in(model_path, &e, text))?;
    toml::from_str::<raw::Model>(text).map_err(|e| ScenarioError::toml_in(model_path, &e, text))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = include_str!("../../tests/fixtures/valid/minimal/model.toml");
    const PROJECTS: &str = include_str!("../../tests/fixtures/valid/minimal/projects.csv");

    #[test]
    fn toml_errors_name_the_file_and_line() {
        let text = MODEL.replacen("horizon = 2028", "horizon = 2028\nhorizn = 1", 1);
        let e = parse_model_table(&text, Path::new("s/model.toml")).expect_err("unknown key");
        let message = e.to_string();
        assert!(
            message.starts_with("s/model.toml: TOML parse error at line 4"),
            "{message}"
        );
        assert!(message.contains("unknown field `horizn`"), "{message}");
    }

    #[test]
    fn overrides_apply_between_the_stages() {
        let model = Path::new("s/model.toml");
        let projects = Path::new("s/projects.csv");
        let mut table = parse_model_table(MODEL, model).expect("valid");
        table.insert("horizon".into(), toml::Value::Integer(2030));
        let s = scenario_from_parts(table.clone(), PROJECTS, model, projects).expect("valid");
        assert_eq!(s.horizon, 2030);

        // A broken override: the key is named, there is no line to give.
        table.insert("horizon".into(), toml::Value::String("soon".into()));
        let e = scenario_from_parts(table, PROJECTS, model, projects).expect_err("bad type");
        let message = e.to_string();
        assert!(
            message.starts_with("s/model.toml: invalid type"),
            "{message}"
        );
        assert!(message.contains("expected a number"), "{message}");
        assert!(message.contains("horizon"), "{message}");
    }

    #[test]
    fn load_dir_reads_both_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = load_dir(dir.path()).expect_err("no files");
        assert!(
            e.to_string().contains("model.toml: cannot read the file"),
            "{e}"
        );

        fs::write(dir.path().join(MODEL_FILE), MODEL).expect("write");
        let e = load_dir(dir.path()).expect_err("no projects");
        assert!(
            e.to_string().contains("projects.csv: cannot read the file"),
            "{e}"
        );

        fs::write(dir.path().join(PROJECTS_FILE), b"id,zone\xff\n").expect("write");
        let e = load_dir(dir.path()).expect_err("not UTF-8");
        assert!(
            e.to_string().contains("projects.csv: not UTF-8 text"),
            "{e}"
        );

        fs::write(dir.path().join(PROJECTS_FILE), PROJECTS).expect("write");
        let s = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.projects.len(), 3);
    }

    #[test]
    fn load_str_labels_messages_with_the_directory() {
        let projects = PROJECTS.replacen("p2,", "p1,", 1);
        let e = load_str(MODEL, &projects, Path::new("scenarios/demo")).expect_err("dup");
        assert!(
            e.to_string().starts_with(
                "scenarios/demo/projects.csv: row 2 (line 3, project p1), column id: project `p1`"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let s = load_str(&format!("\u{feff}{MODEL}"), PROJECTS, Path::new("s"));
        assert!(s.is_ok());
    }
}
