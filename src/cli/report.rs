//! `fencheng report RUN_DIR [--lang zh|en]`: the briefing (briefing.html, briefing.md)
//! of a run, with its charts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::chart::Lang;
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A directory written by `fencheng run`, `batch` or `sweep`
    pub run_dir: PathBuf,
    /// Language of the briefing and its charts
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let written = report::write_report(&args.run_dir, args.lang)?;
    let mut out = std::io::stdout().lock();
    for path in written.iter().take(2) {
        writeln!(out, "{}", path.display())?;
    }
    writeln!(
        out,
        "{} chart(s) → {}",
        written.len().saturating_sub(2) / 2,
        args.run_dir.join(crate::export::CHARTS_DIR).display()
    )?;
    Ok(ExitCode::SUCCESS)
}
