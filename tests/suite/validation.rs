//! Scenario validation against the fixtures in `tests/fixtures/`.
//!
//! Each `tests/fixtures/invalid/<failure_mode>/` holds a scenario with one thing
//! broken and `expect.txt`: one line per piece of text its error message must contain
//! (the file, the key or row/column, the bad value).

use std::fs;
use std::path::{Path, PathBuf};

use proptest::strategy::Strategy as _;

use fencheng::scenario::{
    Debt, Delivery, Fees, IncentiveStage, Land, MeanSd, Shortfall, Spending, load_dir,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn invalid_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures().join("invalid"))
        .expect("tests/fixtures/invalid exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A value that fails its own check is reported once: the checks that depend on it are
/// skipped, not run on the stand-in the failed check returns (which would report a year
/// 1900 the file never names).
#[test]
fn a_bad_year_is_reported_once() {
    for name in ["horizon_fraction", "signed_year_fraction"] {
        let error = load_dir(&fixtures().join("invalid").join(name)).unwrap_err();
        assert_eq!(error.problems().len(), 1, "{name}: {error}");
        let message = error.to_string();
        assert!(!message.contains(": 1900,"), "{name}: {message}");
        assert!(!message.contains("signed_year 1900"), "{name}: {message}");
    }
}

#[test]
fn every_invalid_fixture_fails_with_its_message() {
    let dirs = invalid_dirs();
    assert!(dirs.len() >= 35, "only {} invalid fixtures", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expect = fs::read_to_string(dir.join("expect.txt"))
            .unwrap_or_else(|e| panic!("{name}: cannot read expect.txt: {e}"));
        let wanted: Vec<&str> = expect
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert!(!wanted.is_empty(), "{name}: expect.txt is empty");
        match load_dir(dir) {
            Ok(_) => failures.push(format!("{name}: loaded, expected an error")),
            Err(error) => {
                let message = error.to_string();
                let missing: Vec<&str> = wanted
                    .iter()
                    .copied()
                    .filter(|w| !message.contains(w))
                    .collect();
                if !missing.is_empty() {
                    failures.push(format!(
                        "{name}: the message lacks {missing:?}\n--- message:\n{message}\n---"
                    ));
                }
                // Every message names the fixture's own file.
                if !message.contains(&*dir.to_string_lossy()) {
                    failures.push(format!(
                        "{name}: the message does not name the file: {message}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid fixtures failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn minimal_fixture_loads_with_defaults() {
    let dir = fixtures().join("valid/minimal");
    let s = load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(s.name, "最小示例");
    assert_eq!(s.base_year, 2024, "base_year defaults to 2024");
    assert_eq!(s.horizon, 2028);
    assert_eq!(s.years().collect::<Vec<_>>(), [2025, 2026, 2027, 2028]);
    assert_eq!(s.simulation.paths, 1000);
    assert_eq!(s.simulation.seed, 0, "seed defaults to 0");

    assert_eq!(s.taxes.len(), 2);
    assert_eq!(s.taxes[1].id, "cit");
    assert_eq!(s.taxes[1].elasticity, 1.0, "elasticity defaults to 1");
    assert_eq!(s.taxes[1].noise_sd, 0.0, "noise_sd defaults to 0");

    assert_eq!(s.economy.persistence, 0.4);
    assert_eq!(
        s.economy.interest_rate,
        MeanSd {
            mean: 0.04,
            sd: 0.004
        }
    );
    let factors = s.factor_names();
    assert_eq!(
        factors,
        ["liaobin", "lingang", "interest_rate", "land_price"]
    );
    let c = &s.economy.correlation;
    assert_eq!((c.nrows(), c.ncols()), (4, 4));
    assert_eq!(c[(0, 1)], 0.6);
    assert_eq!(c[(3, 0)], 0.3);
    assert_eq!(c[(1, 2)], 0.0, "pairs not listed are 0");
    let l = &s.economy.correlation_factor;
    let back = l * l.transpose();
    assert!((back - c).abs().max() < 1e-12);

    assert_eq!(s.counties.len(), 1);
    assert_eq!(s.counties[0].name, "大洼区");

    let liaobin = &s.zones[0];
    assert_eq!(liaobin.county, Some(0));
    assert_eq!(liaobin.base_revenue, [180000.0, 60000.0]);
    assert_eq!(
        liaobin.debt.warning_ratio, 1.2,
        "warning_ratio defaults to 1.2"
    );
    assert_eq!(
        liaobin.incentive.stages[1],
        IncentiveStage {
            offset: 1,
            weight: 0.25
        }
    );
    assert_eq!(
        liaobin.land,
        Land {
            area: 800.0,
            area_sd: 0.3,
            price: 30.0,
            deduction: 0.35
        }
    );

    let lingang = &s.zones[1];
    assert_eq!(lingang.name, "lingang", "name defaults to the id");
    assert_eq!(lingang.county, None, "no county: managed by the city");
    assert_eq!(
        lingang.growth,
        MeanSd {
            mean: 0.05,
            sd: 0.0
        },
        "growth.sd defaults to 0"
    );
    assert_eq!(
        lingang.base_revenue,
        [50000.0, 0.0],
        "a tax missing from base_revenue is 0"
    );
    assert_eq!(lingang.fees, Fees::default());
    assert_eq!(lingang.land, Land::default());
    assert_eq!(lingang.spending, Spending::default());
    assert!(lingang.spending.capex.is_empty());
    assert_eq!(lingang.debt, Debt::default());
    assert_eq!((lingang.base_grant, lingang.reserve), (0.0, 0.0));

    assert_eq!(s.sectors[0].mix, [0.6, 0.4]);
    assert_eq!(s.sectors[0].ramp_years, 3);

    let reform = s
        .policies
        .iter()
        .position(|p| p.id == "reform")
        .expect("reform");
    let banded = s
        .policies
        .iter()
        .position(|p| p.id == "banded")
        .expect("banded");
    assert_eq!(s.policies[reform].delivery, Delivery::Transfer { lag: 1 });
    assert_eq!(
        s.policies[reform].shortfall,
        Shortfall::Shared,
        "shortfall defaults to shared"
    );
    assert_eq!(s.policies[reform].province_return, 0.0);
    assert_eq!(s.policies[reform].after, Some(banded));
    assert_eq!(s.policies[banded].delivery.lag(), 0);
    assert_eq!(s.policies[banded].bands[2].up_to, None);
    assert_eq!(s.policy_in_force(0, 2026), reform);
    assert_eq!(s.policy_in_force(0, 2027), banded);

    assert_eq!(s.projects.len(), 3);
    assert_eq!(s.projects[0].delay_probs, [0.6, 0.3, 0.1]);
    assert_eq!(
        s.projects[0].tax_intensity, None,
        "an empty cell means the sector's"
    );
    assert_eq!(s.project_intensity(&s.projects[0]), 0.06);
    assert_eq!(s.project_intensity(&s.projects[1]), 0.08);
    assert_eq!(s.projects[2].zone, 1);
    assert_eq!(s.projects[2].build_years, 0);
}

/// Prints the message of every invalid fixture, to review them by eye:
/// `cargo test --release --test suite dump_messages -- --ignored --nocapture`.
#[test]
#[ignore = "a review aid, not a check"]
fn dump_messages() {
    for dir in invalid_dirs() {
        println!("=== {}", dir.file_name().unwrap().to_string_lossy());
        match load_dir(&dir) {
            Ok(_) => println!("LOADED"),
            Err(e) => println!("{e}"),
        }
    }
}

/// Text of the minimal fixture with the `n`-th number (after `= `) replaced.
fn with_number(model: &str, n: usize, value: &str) -> String {
    let mut seen = 0;
    let mut out = String::with_capacity(model.len());
    for line in model.lines() {
        let mut line = line.to_string();
        if let Some(eq) = line.find("= ") {
            let rest = &line[eq + 2..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e')))
                .unwrap_or(rest.len());
            if end > 0 && rest[..end].parse::<f64>().is_ok() {
                if seen == n {
                    line = format!("{}= {value}{}", &line[..eq], &rest[end..]);
                }
                seen += 1;
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

proptest::proptest! {
    /// Whatever number stands at a top-level key, loading returns, it never panics;
    /// when it succeeds the Cholesky factor still reproduces the matrix.
    #[test]
    fn any_number_loads_or_errs(n in 0usize..40, value in proptest::prop_oneof![
        proptest::num::f64::ANY.prop_map(|x| format!("{x:?}")),
        (-5i64..5000).prop_map(|x| x.to_string()),
        proptest::strategy::Just("nan".to_string()),
        proptest::strategy::Just("-inf".to_string()),
    ]) {
        let dir = fixtures().join("valid/minimal");
        let model = fs::read_to_string(dir.join("model.toml")).expect("fixture");
        let projects = fs::read_to_string(dir.join("projects.csv")).expect("fixture");
        let text = with_number(&model, n, &value);
        if let Ok(s) = fencheng::scenario::load_str(&text, &projects, Path::new("p")) {
            let l = &s.economy.correlation_factor;
            proptest::prop_assert!((l * l.transpose() - &s.economy.correlation).abs().max() < 1e-9);
            for year in s.years() {
                for z in 0..s.zones.len() {
                    let p = s.policy_in_force(z, year);
                    proptest::prop_assert!(p < s.policies.len());
                }
            }
        }
    }

    /// Any projects.csv text is loaded or rejected, never a panic.
    #[test]
    fn any_projects_text_loads_or_errs(text in "[a-z0-9_;,.\n \"-]{0,200}") {
        let dir = fixtures().join("valid/minimal");
        let model = fs::read_to_string(dir.join("model.toml")).expect("fixture");
        let header = "id,zone,name,sector,investment,signed_year,build_years,p_land,delay_probs\n";
        let _ = fencheng::scenario::load_str(&model, &text, Path::new("p"));
        let _ = fencheng::scenario::load_str(&model, &format!("{header}{text}"), Path::new("p"));
    }
}
