//! The command line: one file per subcommand, each with an `Args` struct and a `run`.

pub mod batch;
pub mod chart;
pub mod options;
pub mod report;
pub mod run;
pub mod source;
pub mod sweep;
pub mod validate;
pub mod variants;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::scenario::ScenarioError;

/// Exit codes (documented in the README).
pub mod exit {
    /// Everything ran.
    pub const OK: u8 = 0;
    /// The run failed: output could not be written, or would overwrite another run.
    pub const FAILURE: u8 = 1;
    /// The command line is wrong (clap's own code).
    pub const USAGE: u8 = 2;
    /// The scenario's files are invalid; nothing was written.
    pub const INVALID_INPUT: u8 = 3;
    /// A batch or sweep ran, but some rows failed (see errors.csv).
    pub const SOME_ROWS_FAILED: u8 = 4;
}

/// Marks an error as bad input (exit code 3) rather than a failed run.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct InvalidInput(#[from] anyhow::Error);

/// Wrap `err` so that it exits with [`exit::INVALID_INPUT`].
pub fn invalid_input(err: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(InvalidInput(err))
}

#[derive(Debug, Parser)]
#[command(
    name = "fencheng",
    version,
    about = "开发区财力分成: Monte Carlo projection of development-zone revenue sharing \
             against the 2024 base year"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one scenario: sampled worlds → ledger → percentiles (summary.csv, risk.csv, run.json).
    Run(run::Args),
    /// Check a scenario's files and print what they describe.
    Validate(validate::Args),
    /// Run many variants of a scenario (one per row of a CSV) on the same worlds.
    Batch(batch::Args),
    /// Run a grid over one or two keys (e.g. the zone's increment share) on the same worlds.
    Sweep(sweep::Args),
    /// Draw a run's charts (PNG and SVG) into RUN_DIR/charts/.
    Chart(chart::Args),
    /// Write RUN_DIR/briefing.html (self-contained) and briefing.md, with the charts.
    Report(report::Args),
}

/// Parse the command line, run the command, and turn its outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let outcome = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Chart(args) => chart::run(args),
        Command::Report(args) => report::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

/// Print an error once, with its chain, and choose the exit code.
fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    if let Some(scenario) = err.downcast_ref::<ScenarioError>() {
        let problems = scenario.problems();
        if problems.is_empty() {
            eprintln!("error: {scenario}");
        } else {
            eprintln!("error: the scenario has {} problem(s):", problems.len());
            for p in problems {
                eprintln!("  {p}");
            }
        }
        return ExitCode::from(exit::INVALID_INPUT);
    }
    if let Some(InvalidInput(inner)) = err.downcast_ref::<InvalidInput>() {
        eprintln!("error: {inner:#}");
        return ExitCode::from(exit::INVALID_INPUT);
    }
    eprintln!("error: {err:#}");
    ExitCode::from(exit::FAILURE)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
