//! Errors of scenario loading: where the problem is and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A scenario file could not be read (missing, unreadable).
    #[error("{}: cannot read the file: {reason}", path.display())]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    /// A scenario file is not UTF-8 text.
    #[error("{}: not UTF-8 text; save the file as UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    /// TOML syntax, a value of the wrong type, a missing required key or an unknown
    /// key: the toml crate's message (which names the key, and the line when known).
    #[error("{}: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    /// The files parsed but break the rules of DOMAIN.md §3: every problem found.
    #[error("{}", ProblemList(.0))]
    Invalid(Vec<Problem>),
}

impl ScenarioError {
    /// The validation problems (empty for a read or TOML error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid(problems) => problems,
            _ => &[],
        }
    }

    pub(crate) fn toml(path: &Path, error: &toml::de::Error) -> Self {
        ScenarioError::Toml {
            path: path.to_path_buf(),
            message: plain_types(error.to_string().trim_end()),
        }
    }

    /// [`Self::toml`] for an error in `text`: an error inside a `[[zones]]` or
    /// `[[taxes]]` entry also names the entry (its number and id), since the line
    /// shown may be only its header.
    pub(crate) fn toml_in(path: &Path, error: &toml::de::Error, text: &str) -> Self {
        let mut e = Self::toml(path, error);
        if let (ScenarioError::Toml { message, .. }, Some(span)) = (&mut e, error.span())
            && let Some(entry) = array_entry_at(text, span.start)
        {
            message.push_str(&format!("\n(in {entry})"));
        }
        e
    }
}

/// The `[[name]]` entry that byte `at` of `text` lies in: `[[zones]] entry 2, id = "chem"`.
/// None when `at` is under a plain `[table]` header (which names itself) or none.
fn array_entry_at(text: &str, at: usize) -> Option<String> {
    let mut entry: Option<(&str, usize, usize)> = None; // name, entry number, line start
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((name, is_array)) = table_header(line) else {
            continue;
        };
        if start > at {
            break;
        }
        entry = is_array.then(|| {
            let number = match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    counts.push((name, 1));
                    1
                }
            };
            (name, number, start)
        });
    }
    let (name, number, from) = entry?;
    // The entry's id, if one of its own lines gives it.
    let id = text[from..]
        .lines()
        .skip(1)
        .take_while(|l| table_header(l).is_none())
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "id").then(|| value.split('#').next().unwrap_or("").trim().to_string())
        });
    Some(match id {
        Some(id) => format!("[[{name}]] entry {number}, id = {id}"),
        None => format!("[[{name}]] entry {number}"),
    })
}

/// `line`'s table name and whether it opens an array entry (`[[zones]]`), if it is a
/// table header; not a line of a multi-line array such as `[0, 0.4],`.
fn table_header(line: &str) -> Option<(&str, bool)> {
    let line = line.trim();
    let (open, close, is_array) = if line.starts_with("[[") {
        ("[[", "]]", true)
    } else {
        ("[", "]", false)
    };
    let rest = line.strip_prefix(open)?;
    let (name, after) = rest.split_once(close)?;
    let name = name.trim();
    let is_key = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.\"' ".contains(c));
    let after = after.trim_start();
    (is_key && (after.is_empty() || after.starts_with('#'))).then_some((name, is_array))
}

/// serde speaks of Rust types (`expected f64`); say what to write in the file instead.
fn plain_types(message: &str) -> String {
    let mut out = message
        .replace("expected f64", "expected a number")
        .replace("expected u64", "expected a whole number ≥ 0")
        .replace("expected a sequence", "expected an array");
    // `expected struct Zone` → `expected a table`
    while let Some(start) = out.find("expected struct ") {
        let name_start = start + "expected struct ".len();
        let name_end = out[name_start..]
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .map_or(out.len(), |i| name_start + i);
        out.replace_range(start..name_end, "expected a table");
    }
    out
}

/// One broken rule: the file, where in it, and what was found and expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// A dotted key (`policies.reform.increment_shares`) or a cell
    /// (`row 7 (line 8, project p7), column p_land`); empty when the problem is about
    /// the whole file.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.location,
                self.message
            )
        }
    }
}

/// Displays problems one per line.
struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_print_one_per_line() {
        let error = ScenarioError::Invalid(vec![
            Problem {
                file: PathBuf::from("s/model.toml"),
                location: "policies.reform.increment_shares".into(),
                message: "sum to 1.05, expected 1".into(),
            },
            Problem {
                file: PathBuf::from("s/projects.csv"),
                location: String::new(),
                message: "no header".into(),
            },
        ]);
        assert_eq!(
            error.to_string(),
            "s/model.toml: policies.reform.increment_shares: sum to 1.05, expected 1\n\
             s/projects.csv: no header"
        );
        assert_eq!(error.problems().len(), 2);
    }

    #[test]
    fn serde_types_are_said_plainly() {
        assert_eq!(
            plain_types("invalid type: string \"x\", expected f64\nin `horizon`"),
            "invalid type: string \"x\", expected a number\nin `horizon`"
        );
        assert_eq!(
            plain_types("invalid type: integer `3`, expected struct County"),
            "invalid type: integer `3`, expected a table"
        );
        assert_eq!(plain_types("expected u64"), "expected a whole number ≥ 0");
    }

    #[test]
    fn an_error_inside_an_array_entry_names_the_entry() {
        let text = "name = \"x\"\n\n[[taxes]]\nid = \"vat\"\n\n[[zones]]\nid = \"a\"\n\n\
                    [[zones]] # second\nid = \"b\" # 港区\nstages = [\n  [0, 0.4],\n  [1, 0.6],\n]\n\
                    growth = { sd = 0.1 }\n\n[macro]\nx = 1\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(
            array_entry_at(text, at("growth")).as_deref(),
            Some("[[zones]] entry 2, id = \"b\"")
        );
        assert_eq!(
            array_entry_at(text, at("[[zones]] #")).as_deref(),
            Some("[[zones]] entry 2, id = \"b\"")
        );
        assert_eq!(
            array_entry_at(text, at("id = \"vat")).as_deref(),
            Some("[[taxes]] entry 1, id = \"vat\"")
        );
        // A plain table names itself; the top of the file is in no entry.
        assert_eq!(array_entry_at(text, at("x = 1")), None);
        assert_eq!(array_entry_at(text, 0), None);
    }
}
