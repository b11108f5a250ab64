//! `fencheng sweep SCENARIO_DIR --vary KEY=FROM:TO:STEP [--vary KEY2=…]`: a grid of
//! variants over one or two keys, on the same worlds.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};

use crate::batch::sweep::{grid, parse_axis};
use crate::cli::options::RunOptions;
use crate::cli::variants::{self, Job};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Base scenario directory (model.toml + projects.csv)
    pub scenario: PathBuf,
    /// A key and its range, KEY=FROM:TO:STEP (once or twice). A member of a share
    /// group (e.g. …increment_shares.zone) rescales the other members to keep the sum 1
    #[arg(long = "vary", required = true, num_args = 1)]
    pub vary: Vec<String>,
    #[command(flatten)]
    pub options: RunOptions,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.vary.len() > 2 {
        return Err(crate::cli::invalid_input(anyhow!(
            "a sweep varies one or two keys, got {}",
            args.vary.len()
        )));
    }
    let axes = args
        .vary
        .iter()
        .map(|v| parse_axis(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| crate::cli::invalid_input(anyhow!(m)))?;
    let specs = grid(&axes).map_err(|m| crate::cli::invalid_input(anyhow!(m)))?;
    variants::run(
        Job {
            command: "sweep",
            scenario_dir: &args.scenario,
            columns: axes.iter().map(|a| a.key.clone()).collect(),
            specs,
            errors: Vec::new(),
            extra_inputs: vec![args.vary.join("\n").into_bytes()],
            sweep: true,
        },
        &args.options,
    )
}
