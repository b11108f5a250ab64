//! `fencheng batch SCENARIO_DIR BATCH_CSV`: many variants, one row each, on the same worlds.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};

use crate::batch::read_specs;
use crate::cli::options::RunOptions;
use crate::cli::variants::{self, Job};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Base scenario directory (model.toml + projects.csv)
    pub scenario: PathBuf,
    /// Variants: a column `scenario` (the id) and columns named by dotted keys
    pub batch_csv: PathBuf,
    #[command(flatten)]
    pub options: RunOptions,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.batch_csv)
        .with_context(|| format!("{}: cannot read the batch file", args.batch_csv.display()))
        .map_err(crate::cli::invalid_input)?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| anyhow!("{}: not UTF-8 text", args.batch_csv.display()))
        .map_err(crate::cli::invalid_input)?;
    let file =
        read_specs(&text, &args.batch_csv).map_err(|m| crate::cli::invalid_input(anyhow!(m)))?;
    variants::run(
        Job {
            command: "batch",
            scenario_dir: &args.scenario,
            columns: file.columns,
            specs: file.specs,
            errors: file.errors,
            extra_inputs: vec![bytes],
            sweep: false,
        },
        &args.options,
    )
}
