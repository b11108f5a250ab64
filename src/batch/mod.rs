//! Batches and sweeps: many variants of one scenario, run on the same worlds.
//!
//! A batch CSV has a first column `scenario` (the variant's id, unique) and any number of
//! columns named by a dotted key into `model.toml`, or into `projects.csv` as
//! `projects.<id>.<column>` (see [`project_edits`]); each row is one variant, and an
//! empty cell keeps the base value. Every variant is validated like a scenario: a row
//! that fails is reported (row, column, value, message) and skipped, and the others run.

pub mod overrides;
pub mod project_edits;
pub mod sweep;

use std::path::{Path, PathBuf};

use toml::Table;

use crate::scenario::{Scenario, ScenarioError, raw, scenario_from_parts};

/// One row of a batch: a variant's id and its overrides, in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantSpec {
    /// 1-based data row of the batch CSV (a sweep numbers its grid points).
    pub row: usize,
    pub id: String,
    /// `(dotted key, cell text)`, empty cells left out.
    pub overrides: Vec<(String, String)>,
}

/// Why a row of a batch was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based data row, or 0 for the header (a column that names no key, set by no row).
    pub row: usize,
    pub scenario: String,
    /// The column (dotted key) at fault, or empty when it is the row as a whole.
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    /// `row 3 (bad_share): column policies.reform.land_return = `1.7`: …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            0 => f.write_str("header: ")?,
            row => write!(f, "row {row} ({}): ", self.scenario)?,
        }
        match (self.column.as_str(), self.value.as_str()) {
            ("", _) => {}
            (column, "") => write!(f, "column {column}: ")?,
            (column, value) => write!(f, "column {column} = `{value}`: ")?,
        }
        f.write_str(&self.message)
    }
}

/// A variant ready to run.
#[derive(Debug, Clone)]
pub struct Variant {
    pub spec: VariantSpec,
    pub scenario: Scenario,
    /// What was adjusted on the way (share groups rescaled).
    pub notes: Vec<String>,
}

/// The base scenario's sources, from which variants are built.
pub struct Base {
    pub table: Table,
    pub projects_csv: String,
    pub model_path: PathBuf,
    pub projects_path: PathBuf,
}

/// A batch file, read: its columns (dotted keys, after `scenario`), the rows that
/// parsed and the errors of those that did not.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchFile {
    pub columns: Vec<String>,
    pub specs: Vec<VariantSpec>,
    pub errors: Vec<RowError>,
}

/// The batch file's rows. Errors that concern the whole file (no `scenario` column,
/// unreadable CSV) are fatal; errors of one row are returned with the rows that parsed.
///
/// # Errors
/// A message naming the file and what is wrong with it.
pub fn read_specs(text: &str, path: &Path) -> Result<BatchFile, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: cannot read the header: {e}", path.display()))?
        .clone();
    if headers.get(0) != Some("scenario") {
        return Err(format!(
            "{}: the first column must be `scenario` (the variant's id), found `{}`",
            path.display(),
            headers.get(0).unwrap_or("")
        ));
    }
    let keys: Vec<String> = headers.iter().skip(1).map(str::to_string).collect();
    if let Some(dup) = keys
        .iter()
        .enumerate()
        .find(|(i, k)| keys[..*i].contains(k))
    {
        return Err(format!(
            "{}: column `{}` appears twice",
            path.display(),
            dup.1
        ));
    }

    let mut specs: Vec<VariantSpec> = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    row,
                    scenario: String::new(),
                    column: String::new(),
                    value: String::new(),
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let id = record.get(0).unwrap_or("").to_string();
        let fail = |column: &str, value: &str, message: String| RowError {
            row,
            scenario: id.clone(),
            column: column.into(),
            value: value.into(),
            message,
        };
        if id.is_empty() {
            errors.push(fail("scenario", "", "the variant needs an id".into()));
            continue;
        }
        if let Some(first) = specs.iter().find(|s| s.id == id) {
            errors.push(fail(
                "scenario",
                &id,
                format!("id `{id}` is already used by row {}", first.row),
            ));
            continue;
        }
        let overrides = keys
            .iter()
            .zip(record.iter().skip(1))
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(k, cell)| (k.clone(), cell.to_string()))
            .collect();
        specs.push(VariantSpec { row, id, overrides });
    }
    Ok(BatchFile {
        columns: keys,
        specs,
        errors,
    })
}

/// The columns among `columns` that name no key of the base's `model.toml`, each with
/// why: an id-keyed table the model does not have (`policies.nope`), an entry no
/// `[[zones]]` has, or a key the model's tables do not take. Checked on the header, so a
/// misspelt column is reported even where its cells are empty. Keys into projects.csv
/// and keys a batch cannot vary are left to [`build_variant`].
pub fn unknown_columns(base: &Base, columns: &[String]) -> Vec<(String, String)> {
    columns
        .iter()
        .filter_map(|key| column_problem(&base.table, key).map(|m| (key.clone(), m)))
        .collect()
}

/// Take out of `specs` every row that fills a column naming no key (see
/// [`unknown_columns`]) and return their errors: one per such row, naming the column and
/// its cell, and one for the header (row 0) for each such column no row fills.
pub fn reject_unknown_columns(
    base: &Base,
    columns: &[String],
    specs: &mut Vec<VariantSpec>,
) -> Vec<RowError> {
    let mut errors = Vec::new();
    for (column, message) in unknown_columns(base, columns) {
        let mut filled = false;
        specs.retain(|spec| {
            let Some((_, cell)) = spec.overrides.iter().find(|(k, _)| *k == column) else {
                return true;
            };
            filled = true;
            errors.push(RowError {
                row: spec.row,
                scenario: spec.id.clone(),
                column: column.clone(),
                value: cell.clone(),
                message: message.clone(),
            });
            false
        });
        if !filled {
            errors.push(RowError {
                row: 0,
                scenario: String::new(),
                column,
                value: String::new(),
                message: format!("{message} (no row sets it)"),
            });
        }
    }
    errors
}

fn column_problem(table: &Table, key: &str) -> Option<String> {
    if project_edits::is_project_key(key)
        || key == "name"
        || key.starts_with("simulation.")
        || overrides::get(table, key).is_some()
    {
        return None;
    }
    let segments: Vec<&str> = key.split('.').collect();
    // A column can set a key of a policy, sector or county, not create one.
    if let [group @ ("policies" | "sectors" | "counties"), id, _, ..] = segments[..] {
        let ids = table.get(group).and_then(toml::Value::as_table);
        if !ids.is_some_and(|t| t.contains_key(id)) {
            let known: Vec<&str> = ids
                .into_iter()
                .flat_map(|t| t.keys())
                .map(String::as_str)
                .collect();
            return Some(format!(
                "names no key of model.toml: there is no [{group}.{id}] (known: {})",
                known.join(", ")
            ));
        }
    }
    // Set it on a copy and let the model's own types say whether the key exists.
    let mut probe = table.clone();
    if let Err(message) = overrides::apply(&mut probe, key, "0") {
        return Some(message);
    }
    let unknown = |message: &str| {
        segments
            .iter()
            .any(|s| message.contains(&format!("unknown field `{s}`")))
    };
    match probe.try_into::<raw::Model>() {
        Err(e) if unknown(&e.to_string()) => Some(format!(
            "names no key of model.toml: {}",
            one_line(&e.to_string())
        )),
        _ => None,
    }
}

/// A message on one line (toml's span their context over several).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Build and validate one variant from the base.
///
/// # Errors
/// Every problem of the row, each naming its column where it can.
pub fn build_variant(base: &Base, spec: &VariantSpec) -> Result<Variant, Vec<RowError>> {
    let fail = |column: &str, value: &str, message: String| RowError {
        row: spec.row,
        scenario: spec.id.clone(),
        column: column.into(),
        value: value.into(),
        message,
    };
    let mut table = base.table.clone();
    let mut errors = Vec::new();
    let project_edits: Vec<(&str, &str)> = spec
        .overrides
        .iter()
        .filter(|(key, _)| project_edits::is_project_key(key))
        .map(|(key, cell)| (key.as_str(), cell.as_str()))
        .collect();
    let projects_csv =
        project_edits::apply(&base.projects_csv, &project_edits).unwrap_or_else(|e| {
            for (i, message) in e {
                let (key, cell) = project_edits[i];
                errors.push(fail(key, cell, message));
            }
            base.projects_csv.clone()
        });
    for (key, cell) in &spec.overrides {
        if project_edits::is_project_key(key) {
            continue;
        } else if key == "name" || key.starts_with("simulation.") {
            errors.push(fail(
                key,
                cell,
                "cannot vary within a batch: all variants share the worlds; use --paths and --seed"
                    .into(),
            ));
        } else if let Err(message) = overrides::apply(&mut table, key, cell) {
            errors.push(fail(key, cell, message));
        }
    }
    // The cells that could not be set keep their base values, and the row is still
    // validated, so that every bad cell of the row is reported at once.
    let set: Vec<&str> = spec
        .overrides
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !errors.iter().any(|e| e.column == *k))
        .collect();
    let notes = match overrides::rescale_groups(&mut table, &set) {
        Ok(notes) => notes,
        Err(e) => {
            // Named by the group's columns this row set, and their cells.
            let (columns, cells) = joined(&group_cells(spec, &e.group));
            errors.push(fail(&columns, &cells, e.message));
            return Err(errors);
        }
    };

    match scenario_from_parts(table, &projects_csv, &base.model_path, &base.projects_path) {
        Ok(_) if !errors.is_empty() => Err(errors),
        Ok(mut scenario) => {
            scenario.name = spec.id.clone();
            Ok(Variant {
                spec: spec.clone(),
                scenario,
                notes,
            })
        }
        Err(e) => {
            errors.extend(scenario_errors(spec, &e));
            Err(errors)
        }
    }
}

/// The columns this row set under `group` (a dotted path), with their cells.
fn group_cells<'s>(spec: &'s VariantSpec, group: &str) -> Vec<(&'s str, &'s str)> {
    spec.overrides
        .iter()
        .filter(|(k, _)| k.strip_prefix(group).is_some_and(|m| m.starts_with('.')))
        .map(|(k, cell)| (k.as_str(), cell.as_str()))
        .collect()
}

/// Columns and cells each joined by ` + `, as errors.csv names a share group.
fn joined(cells: &[(&str, &str)]) -> (String, String) {
    let (columns, values): (Vec<&str>, Vec<&str>) = cells.iter().copied().unzip();
    (columns.join(" + "), values.join(" + "))
}

/// A scenario error as row errors, attributed to the overridden column it concerns.
fn scenario_errors(spec: &VariantSpec, error: &ScenarioError) -> Vec<RowError> {
    let column_of = |location: &str, message: &str| {
        spec.overrides
            .iter()
            .find(|(k, _)| {
                let last = k.rsplit('.').next().unwrap_or(k);
                location == k
                    || location.starts_with(&format!("{k}."))
                    || k.starts_with(&format!("{location}."))
                    || message.contains(&format!("`{last}`"))
                    // A cell of projects.csv: `row 3 (line 4, project p3), column p_land`.
                    || (project_edits::is_project_key(k)
                        && location.ends_with(&format!("column {last}")))
            })
            .cloned()
    };
    let problems = error.problems();
    if problems.is_empty() {
        let message = one_line(&error.to_string());
        let (column, value) = column_of("", &message).unwrap_or_default();
        return vec![RowError {
            row: spec.row,
            scenario: spec.id.clone(),
            column,
            value,
            message,
        }];
    }
    // A `projects.*.` edit that fails, fails on every project: one error, with a count.
    let mut errors: Vec<(RowError, usize)> = Vec::new();
    for p in problems {
        // A share group set by several columns of the row is named by all of them.
        let group = group_cells(spec, &p.location);
        let (column, value) = if group.len() > 1 {
            joined(&group)
        } else {
            column_of(&p.location, &p.message).unwrap_or_default()
        };
        let file = p.file.file_name().unwrap_or_default().to_string_lossy();
        // The value came from the batch row, not from the model file.
        let message = match p.location.as_str() {
            "" => p.message.clone(),
            // A cell of projects.csv (edited by a `projects.` column):
            // `row 3 (line 4, project p3), column p_land`.
            cell if cell.starts_with("row ") && column.starts_with("projects.*.") => {
                let cell_column = cell.rfind(", column ").map_or(cell, |i| &cell[i + 2..]);
                format!("{file}, every project's {cell_column}: {}", p.message)
            }
            cell if cell.starts_with("row ") => format!("{file} {cell}: {}", p.message),
            key => format!("{key}: {}", p.message),
        };
        let every_project = column.starts_with("projects.*.");
        match errors
            .iter_mut()
            .find(|(e, _)| every_project && e.message == message)
        {
            Some((_, count)) => *count += 1,
            None => errors.push((
                RowError {
                    row: spec.row,
                    scenario: spec.id.clone(),
                    column,
                    value,
                    message,
                },
                1,
            )),
        }
    }
    errors
        .into_iter()
        .map(|(mut e, count)| {
            if count > 1 {
                e.message += &format!(" ({count} projects)");
            }
            e
        })
        .collect()
}
