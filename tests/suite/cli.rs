//! The command line as an analyst uses it: exit codes, messages, files.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;

fn fencheng() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fencheng"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn demo_dir() -> PathBuf {
    root().join("scenarios/demo")
}

/// A copy of the demo in `parent/name` whose model.toml has its first `from` replaced by
/// `to` (asserted to be there).
fn demo_with(parent: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let dir = parent.join(name);
    fs::create_dir(&dir).unwrap();
    let model = fs::read_to_string(demo_dir().join("model.toml")).unwrap();
    assert!(
        model.contains(from),
        "the demo's model.toml has no `{from}`"
    );
    fs::write(dir.join("model.toml"), model.replacen(from, to, 1)).unwrap();
    fs::copy(demo_dir().join("projects.csv"), dir.join("projects.csv")).unwrap();
    dir
}

#[test]
fn run_writes_the_three_files_and_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    fencheng()
        .args(["run", "--paths", "500", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("500 paths"))
        .stdout(contains("newmat"))
        .stdout(contains("worst P(debt ratio > line)"));
    for f in ["summary.csv", "risk.csv", "run.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("scenario,year,entity,metric,mean,sd,p5,p10,p25,p50,p75,p90,p95\n")
    );
    let risk = fs::read_to_string(out.join("risk.csv")).unwrap();
    assert!(risk.starts_with(
        "scenario,zone,year,p_debt_ratio_over_warning,p_funding_gap,expected_funding_gap,\
         p_tier_green,p_tier_yellow,p_tier_orange,p_tier_red\n"
    ));
    let info: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(info["paths"], 500);
    assert_eq!(info["seed"], 20240101);
    assert_eq!(info["inputs_hash"].as_str().unwrap().len(), 64);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["threads"].as_u64().unwrap() >= 1);
    assert!(info["wall_time_seconds"].as_f64().unwrap() > 0.0);
    // The bound the engine's sketches kept (9 bits for one run).
    assert!(
        info["percentiles"]
            .as_str()
            .unwrap()
            .contains("within 0.098% relative"),
        "{}",
        info["percentiles"]
    );
    // The three files and charts/; no temporary file is left behind.
    assert!(out.join("charts/risk_heatmap.png").is_file());
    assert_eq!(fs::read_dir(&out).unwrap().count(), 4);
}

#[test]
fn the_built_in_demo_and_its_directory_give_the_same_results() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fencheng()
        .args(["run", "--paths", "300", "--out"])
        .arg(&a)
        .assert()
        .success();
    fencheng()
        .arg("run")
        .arg(demo_dir())
        .args(["--paths", "300", "--out"])
        .arg(&b)
        .assert()
        .success();
    assert_eq!(
        fs::read(a.join("summary.csv")).unwrap(),
        fs::read(b.join("summary.csv")).unwrap()
    );
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = tmp.path().join(format!("t{threads}"));
        fencheng()
            .args([
                "run",
                "--paths",
                "2500",
                "--seed",
                "7",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        (
            fs::read(out.join("summary.csv")).unwrap(),
            fs::read(out.join("risk.csv")).unwrap(),
        )
    };
    assert!(
        run("1") == run("2"),
        "outputs differ between --threads 1 and 2"
    );
}

#[test]
fn a_run_never_overwrites_another_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    fencheng()
        .args(["run", "--paths", "100", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = fs::read(out.join("summary.csv")).unwrap();
    fencheng()
        .args(["run", "--paths", "100", "--seed", "3", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("already holds the results of another run"))
        .stderr(contains("--force"));
    assert_eq!(fs::read(out.join("summary.csv")).unwrap(), before);
    fencheng()
        .args(["run", "--paths", "100", "--seed", "3", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(fs::read(out.join("summary.csv")).unwrap(), before);
}

#[test]
fn default_output_directories_are_numbered() {
    let tmp = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        fencheng()
            .current_dir(tmp.path())
            .args(["run", "--paths", "50"])
            .assert()
            .success();
    }
    assert!(tmp.path().join("output/demo-1/summary.csv").is_file());
    assert!(tmp.path().join("output/demo-2/summary.csv").is_file());
}

#[test]
fn an_invalid_scenario_exits_3_names_the_problem_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    // Break one share group.
    let scenario = demo_with(
        tmp.path(),
        "bad",
        "increment_shares",
        "increment_shares_typo",
    );
    let out = tmp.path().join("out");
    fencheng()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(contains("model.toml"))
        .stderr(contains("increment_shares_typo"));
    assert!(!out.exists(), "nothing is written for an invalid scenario");
}

#[test]
fn results_that_overflow_are_an_error_not_a_file_of_nans() {
    // Valid by every rule of §3, but an sd of 1e200 overflows the tax arithmetic.
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_with(
        tmp.path(),
        "absurd",
        "growth = { mean = 0.04, sd = 0.03 }",
        "growth = { mean = 0.04, sd = 1e200 }",
    );
    let out = tmp.path().join("r");
    fencheng()
        .arg("run")
        .arg(&dir)
        .args(["--paths", "200", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(contains("not finite numbers"))
        .stderr(contains("coastal"));
    assert!(!out.exists(), "an empty run directory was left behind");

    // In a batch, that variant fails like a bad row; the others run without it.
    let batch = tmp.path().join("b.csv");
    fs::write(
        &batch,
        "scenario,zones.coastal.growth.sd\ndraft,\nabsurd,1e200\nsteady,0.01\n",
    )
    .unwrap();
    let out = tmp.path().join("b");
    fencheng()
        .arg("batch")
        .arg(demo_dir())
        .arg(&batch)
        .args(["--paths", "200", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(contains("row 2 (absurd)"));
    let errors = fs::read_to_string(out.join("errors.csv")).unwrap();
    assert!(
        errors.contains("absurd") && errors.contains("not finite"),
        "{errors}"
    );
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(!summary.contains("absurd") && summary.contains("steady"));
    assert!(
        !summary
            .split([',', '\n'])
            .any(|field| ["NaN", "inf", "-inf"].contains(&field))
    );
}

#[test]
fn a_missing_scenario_directory_is_reported() {
    fencheng()
        .args(["run", "/nonexistent/scenario"])
        .assert()
        .code(3)
        .stderr(contains("/nonexistent/scenario/model.toml"));
}

#[test]
fn validate_describes_a_valid_scenario() {
    fencheng()
        .arg("validate")
        .arg(demo_dir())
        .assert()
        .success()
        .stdout(contains("valid"))
        .stdout(contains("zones (4)"))
        .stdout(contains("city-managed"))
        .stdout(contains("projects: 61"));
}

#[test]
fn bad_arguments_exit_2() {
    fencheng().args(["run", "--paths", "0"]).assert().code(2);
    fencheng()
        .args(["run", "--threads", "many"])
        .assert()
        .code(2);
    fencheng().arg("nonsense").assert().code(2);
}

#[test]
fn a_batch_in_a_terminal_draws_its_progress_and_finishes() {
    // The progress bar draws on stderr from the pool's threads only when stderr is a
    // terminal; `script` (util-linux) gives the batch one. A lock on stderr held over
    // the run used to hang it here.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let command = format!(
        "{} batch {} {} --paths 2000 --no-charts --out {}",
        env!("CARGO_BIN_EXE_fencheng"),
        demo_dir().display(),
        demo_dir().join("batch.csv").display(),
        out.display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the batch in a pseudo-terminal");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the batch did not finish in a terminal within 2 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(out.join("compare.csv").is_file());
}
