//! `fencheng chart RUN_DIR [--lang zh|en]`: (re)draw a run's charts into RUN_DIR/charts/.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::chart::{self, Lang};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A directory written by `fencheng run`, `batch` or `sweep`
    pub run_dir: PathBuf,
    /// Language of titles, axes and legends
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let written = chart::draw_run(&args.run_dir, args.lang)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} chart(s) → {}",
        written.len() / 2,
        args.run_dir.join(crate::export::CHARTS_DIR).display()
    )?;
    for path in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
    {
        writeln!(out, "  {}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
