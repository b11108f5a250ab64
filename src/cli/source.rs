//! Where a command's scenario comes from: a directory, or the built-in demo.

use std::path::{Path, PathBuf};

use crate::scenario::{Scenario, ScenarioError, load_dir, load_str};

/// The default scenario, compiled into the binary so `fencheng run` works anywhere.
pub const DEMO_MODEL: &str = include_str!("../../scenarios/demo/model.toml");
pub const DEMO_PROJECTS: &str = include_str!("../../scenarios/demo/projects.csv");

/// The built-in demo, loaded: what unit tests across the crate start from.
#[cfg(test)]
pub fn demo() -> Scenario {
    load_str(DEMO_MODEL, DEMO_PROJECTS, Path::new("demo")).expect("the demo is valid")
}

/// A loaded scenario with what is needed to describe and reproduce it.
pub struct Loaded {
    pub scenario: Scenario,
    /// The directory, or "built-in demo".
    pub source: String,
    /// Short name for output directories.
    pub slug: String,
    /// The raw input files, for the inputs' hash.
    pub inputs: Vec<Vec<u8>>,
}

/// Load `dir`, or the built-in demo when `None`.
pub fn load(dir: Option<&Path>) -> Result<Loaded, ScenarioError> {
    match dir {
        None => Ok(Loaded {
            scenario: load_str(DEMO_MODEL, DEMO_PROJECTS, Path::new("built-in demo"))?,
            source: "built-in demo".into(),
            slug: "demo".into(),
            inputs: vec![DEMO_MODEL.into(), DEMO_PROJECTS.into()],
        }),
        Some(dir) => {
            let scenario = load_dir(dir)?;
            // Both files were just read successfully by the loader.
            let inputs = ["model.toml", "projects.csv"]
                .iter()
                .map(|f| std::fs::read(dir.join(f)).unwrap_or_default())
                .collect();
            Ok(Loaded {
                scenario,
                source: dir.display().to_string(),
                slug: crate::export::slug(&dir_name(dir)),
                inputs,
            })
        }
    }
}

fn dir_name(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| PathBuf::from(dir));
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into())
}
