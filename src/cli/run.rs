//! `fencheng run [SCENARIO_DIR]`: one scenario, end to end.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::exit;
use crate::cli::options::{RunOptions, draw_charts};
use crate::cli::source;
use crate::engine::simulate_variants;
use crate::export::{EntityInfo, RunInfo, inputs_hash, prepare_run_dir, tables, write_atomic};
use crate::scenario::Scenario;
use crate::summary::{Summary, not_finite_message};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario directory holding model.toml and projects.csv [default: the built-in demo]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub options: RunOptions,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = source::load(args.scenario.as_deref())?;
    let scenario = &loaded.scenario;
    let paths = args
        .options
        .paths
        .map_or(scenario.simulation.paths, |p| p as usize);
    let seed = args.options.seed.unwrap_or(scenario.simulation.seed);
    let pool = thread_pool(args.options.threads)?;
    // Check the output place before the long part.
    let dir = prepare_run_dir(
        args.options.out.as_deref(),
        &loaded.slug,
        args.options.force,
    )?;

    let bar = progress_bar(paths as u64);
    let started = Instant::now();
    let mut outcome = pool.install(|| {
        simulate_variants(&[scenario], false, paths, seed, &|done| {
            bar.set_position(done as u64)
        })
    });
    let summary = outcome
        .summaries
        .pop()
        .expect("one variant in, one summary out");
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if let Some(what) = summary.not_finite() {
        // Nothing to keep: leave no empty run directory behind either.
        let _ = std::fs::remove_dir(&dir);
        eprintln!("error: {}", not_finite_message(&what));
        return Ok(ExitCode::from(exit::INVALID_INPUT));
    }

    let inputs: Vec<&[u8]> = loaded.inputs.iter().map(Vec::as_slice).collect();
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        command: "run".into(),
        scenario: scenario.name.clone(),
        source: loaded.source.clone(),
        inputs_hash: inputs_hash(&inputs),
        seed,
        paths,
        threads: pool.current_num_threads(),
        chunk_paths: RunInfo::chunk_paths(),
        wall_time_seconds: wall,
        base_year: scenario.base_year,
        horizon: scenario.horizon,
        money_unit: "万元 (CNY 10,000)".into(),
        percentiles: RunInfo::percentile_method(outcome.sketch_bits),
        entities: EntityInfo::of(scenario),
        variants: Vec::new(),
        skipped_rows: None,
    };
    write_atomic(&dir.join("summary.csv"), &tables::summary_csv(&[&summary])?)?;
    write_atomic(&dir.join("risk.csv"), &tables::risk_csv(&[&summary])?)?;
    write_atomic(
        &dir.join("run.json"),
        &serde_json::to_vec_pretty(&info).context("cannot encode run.json")?,
    )?;
    let mut out = std::io::stdout().lock();
    print_headlines(&mut out, scenario, &summary, &info, &dir)?;
    draw_charts(&args.options, &dir, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// A rayon pool of the requested size (all cores by default).
pub fn thread_pool(threads: Option<u64>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n as usize);
    }
    builder.build().context("cannot start the worker threads")
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} paths ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The short human summary: per zone, funds received in the last year and the worst
/// year's probability of a debt ratio above the warning line.
fn print_headlines(
    out: &mut impl Write,
    scenario: &Scenario,
    summary: &Summary,
    info: &RunInfo,
    dir: &std::path::Path,
) -> std::io::Result<()> {
    let last = scenario.horizon;
    writeln!(
        out,
        "{}: {} paths, seed {}, {} thread(s), {:.2} s → {}",
        scenario.name,
        info.paths,
        info.seed,
        info.threads,
        info.wall_time_seconds,
        dir.display()
    )?;
    writeln!(
        out,
        "{:<14} {:>18} {:>18} {:>26}",
        "zone",
        format!("received {last} p50"),
        format!("inflow {last} p50"),
        "worst P(debt ratio > line)"
    )?;
    for zone in &scenario.zones {
        let p50 = |metric| {
            summary
                .get(&zone.id, metric, last)
                .map_or(f64::NAN, |r| r.p50())
        };
        let worst = summary
            .risk
            .iter()
            .filter(|r| r.zone == zone.id)
            .max_by(|a, b| {
                a.p_debt_ratio_over_warning
                    .total_cmp(&b.p_debt_ratio_over_warning)
            });
        let worst = worst.map_or("-".to_string(), |r| {
            format!(
                "{:.1}% ({}, line {:.0}%)",
                100.0 * r.p_debt_ratio_over_warning,
                r.year,
                100.0 * zone.debt.warning_ratio
            )
        });
        writeln!(
            out,
            "{:<14} {:>15.0} 万元 {:>15.0} 万元 {:>26}  {}",
            zone.id,
            p50("received"),
            p50("inflow"),
            worst,
            zone.name
        )?;
    }
    Ok(())
}
