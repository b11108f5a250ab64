//! What `run`, `batch` and `sweep` share on the command line and at their end.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Options of every command that simulates.
#[derive(Debug, clap::Args)]
pub struct RunOptions {
    /// Monte Carlo paths [default: the scenario's simulation.paths]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=u64::from(u32::MAX)))]
    pub paths: Option<u64>,
    /// Random seed [default: the scenario's simulation.seed]
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output directory [default: a fresh output/<scenario>[-batch|-sweep]-<n>/]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite the results of an earlier run in --out
    #[arg(long)]
    pub force: bool,
    /// Do not draw the charts (RUN_DIR/charts/); `fencheng chart RUN_DIR` draws them later
    #[arg(long)]
    pub no_charts: bool,
}

/// Draw a finished run's charts (in Chinese) unless `--no-charts`, and say where.
pub fn draw_charts(options: &RunOptions, dir: &Path, out: &mut impl Write) -> Result<()> {
    if options.no_charts {
        return Ok(());
    }
    let charts = crate::chart::draw_run(dir, crate::chart::Lang::Zh)
        .context("the results are written, but the charts could not be drawn")?;
    writeln!(
        out,
        "{} chart(s) (PNG and SVG) → {}",
        charts.len() / 2,
        dir.join(crate::export::CHARTS_DIR).display()
    )?;
    Ok(())
}
