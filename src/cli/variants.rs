//! What `batch` and `sweep` share: build the variants from a base scenario, run them on
//! the same worlds, write the tables, and report the rows that failed.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};

use crate::batch::{
    Base, RowError, Variant, VariantSpec, build_variant, reject_unknown_columns, unknown_columns,
};
use crate::cli::exit;
use crate::cli::options::{RunOptions, draw_charts};
use crate::cli::run::{progress_bar, thread_pool};
use crate::engine::simulate_variants;
use crate::export::tables::{self, SweepPoint};
use crate::export::{EntityInfo, RunInfo, VariantInfo, inputs_hash, prepare_run_dir, write_atomic};
use crate::scenario::load::{MODEL_FILE, PROJECTS_FILE};
use crate::scenario::{ScenarioError, parse_model_table, scenario_from_parts};
use crate::summary::{Outcome, not_finite_message};

/// A batch or sweep to run.
pub struct Job<'a> {
    pub command: &'static str,
    pub scenario_dir: &'a Path,
    /// The keys the job varies: a batch's columns, a sweep's `--vary` keys (sweep.csv's
    /// columns).
    pub columns: Vec<String>,
    pub specs: Vec<VariantSpec>,
    /// Rows that failed before they could be built (unreadable CSV rows).
    pub errors: Vec<RowError>,
    /// Further input files, for the inputs' hash (the batch CSV).
    pub extra_inputs: Vec<Vec<u8>>,
    /// A sweep: its grid is over `columns`, and it writes sweep.csv.
    pub sweep: bool,
}

/// Load the base scenario's sources; the base itself must be valid.
pub fn load_base(dir: &Path) -> Result<(Base, Vec<Vec<u8>>), ScenarioError> {
    let model_path = dir.join(MODEL_FILE);
    let projects_path = dir.join(PROJECTS_FILE);
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|reason| ScenarioError::Read {
            path: path.to_path_buf(),
            reason,
        })
    };
    let model = read(&model_path)?;
    let projects_csv = read(&projects_path)?;
    let table = parse_model_table(&model, &model_path)?;
    scenario_from_parts(table.clone(), &projects_csv, &model_path, &projects_path)?;
    let inputs = vec![model.into_bytes(), projects_csv.clone().into_bytes()];
    Ok((
        Base {
            table,
            projects_csv,
            model_path,
            projects_path,
        },
        inputs,
    ))
}

pub fn run(job: Job, common: &RunOptions) -> Result<ExitCode> {
    let (base, mut inputs) = load_base(job.scenario_dir)?;
    inputs.extend(job.extra_inputs);
    let mut errors = job.errors;
    if job.sweep
        && let Some((key, message)) = unknown_columns(&base, &job.columns).first()
    {
        // Every point of the grid would fail the same way.
        return Err(crate::cli::invalid_input(anyhow!(
            "--vary {key}: {message}"
        )));
    }
    let mut specs = job.specs;
    errors.extend(reject_unknown_columns(&base, &job.columns, &mut specs));
    let mut variants: Vec<Variant> = Vec::new();
    for spec in &specs {
        match build_variant(&base, spec) {
            Ok(v) => variants.push(v),
            Err(mut e) => errors.append(&mut e),
        }
    }
    errors.sort_by_key(|e| e.row);
    {
        // Released before the run: the progress bar draws on stderr from the pool's
        // threads, and would wait for this lock forever.
        let mut err = std::io::stderr().lock();
        for e in &errors {
            writeln!(err, "{e}")?;
        }
        if variants.is_empty() {
            writeln!(err, "error: no variant could be built; nothing was run")?;
            return Ok(ExitCode::from(exit::INVALID_INPUT));
        }
    }

    // Owned: a variant whose results overflow is dropped below.
    let first = variants[0].scenario.clone();
    // Variants are named by their ids; run.json names the scenario they vary.
    let base_name = base
        .table
        .get("name")
        .and_then(toml::Value::as_str)
        .unwrap_or(&first.name)
        .to_string();
    let paths = common.paths.map_or(first.simulation.paths, |p| p as usize);
    let seed = common.seed.unwrap_or(first.simulation.seed);
    let pool = thread_pool(common.threads)?;
    let slug = format!(
        "{}-{}",
        crate::export::slug(&dir_name(job.scenario_dir)),
        job.command
    );
    let dir = prepare_run_dir(common.out.as_deref(), &slug, common.force)?;

    let (outcome, wall) = loop {
        let scenarios: Vec<&crate::scenario::Scenario> =
            variants.iter().map(|v| &v.scenario).collect();
        let bar = progress_bar(paths as u64);
        let started = Instant::now();
        let outcome = pool.install(|| {
            simulate_variants(&scenarios, true, paths, seed, &|done| {
                bar.set_position(done as u64)
            })
        });
        let wall = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        // A variant whose numbers overflowed (inputs of absurd magnitude) fails like a
        // bad row. The others run again without it: compare.csv needs a sound baseline.
        let overflowed: Vec<(usize, String)> = outcome
            .summaries
            .iter()
            .enumerate()
            .filter_map(|(v, s)| s.not_finite().map(|what| (v, what)))
            .collect();
        if overflowed.is_empty() {
            break (outcome, wall);
        }
        let mut err = std::io::stderr().lock();
        for (v, what) in overflowed.into_iter().rev() {
            let variant = variants.remove(v);
            let e = RowError {
                row: variant.spec.row,
                scenario: variant.spec.id.clone(),
                column: String::new(),
                value: String::new(),
                message: not_finite_message(&what),
            };
            writeln!(err, "{e}")?;
            errors.push(e);
        }
        errors.sort_by_key(|e| e.row);
        if variants.is_empty() {
            writeln!(
                err,
                "error: no variant gave finite results; nothing was written"
            )?;
            let _ = std::fs::remove_dir(&dir);
            return Ok(ExitCode::from(exit::INVALID_INPUT));
        }
    };

    let summaries: Vec<&crate::summary::Summary> = outcome.summaries.iter().collect();
    write_atomic(&dir.join("summary.csv"), &tables::summary_csv(&summaries)?)?;
    write_atomic(&dir.join("risk.csv"), &tables::risk_csv(&summaries)?)?;
    write_atomic(&dir.join("compare.csv"), &tables::compare_csv(&outcome)?)?;
    write_atomic(&dir.join("headline.csv"), &tables::headline_csv(&outcome)?)?;
    if !errors.is_empty() {
        write_atomic(&dir.join("errors.csv"), &tables::errors_csv(&errors)?)?;
    }
    if job.sweep {
        let keys = &job.columns;
        let points: Vec<SweepPoint> = variants
            .iter()
            .map(|v| SweepPoint {
                values: keys
                    .iter()
                    .map(|k| {
                        v.spec
                            .overrides
                            .iter()
                            .find(|(key, _)| key == k)
                            .map_or(String::new(), |(_, value)| value.clone())
                    })
                    .collect(),
                notes: v.notes.clone(),
            })
            .collect();
        write_atomic(
            &dir.join("sweep.csv"),
            &tables::sweep_csv(&outcome, keys, &points)?,
        )?;
    }
    let skipped = skipped_rows(&errors);
    let input_refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        command: job.command.into(),
        scenario: base_name,
        source: job.scenario_dir.display().to_string(),
        inputs_hash: inputs_hash(&input_refs),
        seed,
        paths,
        threads: pool.current_num_threads(),
        chunk_paths: RunInfo::chunk_paths(),
        wall_time_seconds: wall,
        base_year: first.base_year,
        horizon: first.horizon,
        money_unit: "万元 (CNY 10,000)".into(),
        percentiles: RunInfo::percentile_method(outcome.sketch_bits),
        entities: EntityInfo::of(&first),
        variants: variants
            .iter()
            .map(|v| VariantInfo {
                id: v.spec.id.clone(),
                row: v.spec.row,
                overrides: v.spec.overrides.clone(),
                notes: v.notes.clone(),
            })
            .collect(),
        skipped_rows: Some(skipped),
    };
    write_atomic(
        &dir.join("run.json"),
        &serde_json::to_vec_pretty(&info).context("cannot encode run.json")?,
    )?;

    let mut out = std::io::stdout().lock();
    print_table(&mut out, &variants, &outcome, &info, &dir)?;
    if !errors.is_empty() {
        writeln!(
            out,
            "{} problem(s) written to errors.csv; {skipped} row(s) skipped",
            errors.len(),
        )?;
    }
    draw_charts(common, &dir, &mut out)?;
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::SOME_ROWS_FAILED)
    })
}

/// Rows of the batch skipped (a row may have several problems; row 0 is the header).
fn skipped_rows(errors: &[RowError]) -> usize {
    let mut rows: Vec<usize> = errors.iter().map(|e| e.row).filter(|&r| r > 0).collect();
    rows.sort_unstable();
    rows.dedup();
    rows.len()
}

fn dir_name(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into())
}

/// `label` padded on the left to `width` terminal columns: a Chinese character takes
/// two, which `format!` widths do not know.
fn right_aligned(label: &str, width: usize) -> String {
    let columns: usize = label
        .chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum();
    format!("{}{label}", " ".repeat(width.saturating_sub(columns)))
}

/// One line per variant: headline totals and the worst debt risk.
fn print_table(
    out: &mut impl Write,
    variants: &[Variant],
    outcome: &Outcome,
    info: &RunInfo,
    dir: &Path,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} variant(s) of {} on the same {} paths (seed {}), {:.2} s → {}",
        variants.len(),
        info.source,
        info.paths,
        info.seed,
        info.wall_time_seconds,
        dir.display()
    )?;
    writeln!(
        out,
        "{:<40} {} {} {:>10} {:>10}",
        "variant (first = baseline)",
        right_aligned("city retained Σ p50 万元", 24),
        right_aligned("zones retained Σ p50 万元", 24),
        "worst P>",
        "P(gap)"
    )?;
    for (v, variant) in variants.iter().enumerate() {
        let h = |m: &str| {
            outcome.headlines[v]
                .iter()
                .find(|r| r.metric == m)
                .map_or(f64::NAN, |r| r.p50)
        };
        let worst = outcome.summaries[v]
            .risk
            .iter()
            .map(|r| r.p_debt_ratio_over_warning)
            .fold(0.0, f64::max);
        writeln!(
            out,
            "{:<40} {:>24.0} {:>24.0} {:>9.1}% {:>9.1}%",
            variant.spec.id,
            h("city_retained_total"),
            h("zones_retained_total"),
            100.0 * worst,
            100.0 * outcome.p_any_funding_gap[v]
        )?;
        for note in &variant.notes {
            writeln!(out, "    note: {note}")?;
        }
    }
    Ok(())
}
