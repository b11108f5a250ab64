//! `[macro]`: the common factors of the world and their correlation matrix.
//!
//! The factors are `[zone ids…, "interest_rate", "land_price"]`
//! ([`Scenario::factor_names`](super::model::Scenario::factor_names)); pairs not listed
//! in `correlation` are 0. The matrix must be positive definite: its Cholesky factor
//! `L` is built here once, and the world sampler draws `x = L z`.

use nalgebra::DMatrix;
use nalgebra::linalg::Cholesky;

use super::check::{COMMON_FACTORS, Checker, known_list, num};
use super::model::Economy;
use super::raw;
use super::validate::mean_sd;

const LOCATION: &str = "macro.correlation";

/// Validates `[macro]` for the given zone ids (in file order).
pub fn economy(c: &mut Checker, raw: &raw::Macro, zone_ids: &[&str]) -> Economy {
    let persistence = raw.persistence.unwrap_or(0.0);
    let persistence = if persistence.is_finite() && persistence.abs() < 1.0 {
        persistence
    } else {
        c.push(
            "macro.persistence",
            format!(
                "{}, expected an AR(1) coefficient strictly between -1 and 1",
                num(persistence)
            ),
        );
        0.0
    };
    let interest_rate = mean_sd(c, "macro.interest_rate", raw.interest_rate);
    // Absent, or any item absent: 0.
    let g = raw.land_price_growth.unwrap_or_default();
    let g = raw::MeanSd {
        mean: g.mean.unwrap_or(0.0),
        sd: g.sd,
    };
    let land_price_growth = mean_sd(c, "macro.land_price_growth", g);
    let (correlation, correlation_factor) = matrix(c, &raw.correlation, zone_ids);
    Economy {
        persistence,
        interest_rate,
        land_price_growth,
        correlation,
        correlation_factor,
    }
}

/// The correlation matrix over the factors and its lower Cholesky factor.
fn matrix(
    c: &mut Checker,
    entries: &[raw::Correlation],
    zone_ids: &[&str],
) -> (DMatrix<f64>, DMatrix<f64>) {
    let factors: Vec<&str> = zone_ids.iter().copied().chain(COMMON_FACTORS).collect();
    let n = factors.len();
    let mut m = DMatrix::<f64>::identity(n, n);
    // (i, j) with i < j → the 1-based entry that set it.
    let mut seen: Vec<((usize, usize), usize)> = Vec::new();
    let mut involved = vec![false; n];
    let mut entries_ok = true;
    for (e, entry) in entries.iter().enumerate() {
        let here = format!("{LOCATION}, entry {}", e + 1);
        let mut lookup = |key: &str, id: &str| {
            let found = factors.iter().position(|f| *f == id);
            if found.is_none() {
                c.push(
                    format!("{here}, {key}"),
                    format!(
                        "unknown factor `{id}`, expected a zone id, interest_rate or land_price \
                         ({})",
                        known_list(factors.iter().copied())
                    ),
                );
            }
            found
        };
        let a = lookup("a", &entry.a);
        let b = lookup("b", &entry.b);
        let rho = entry.rho;
        let rho_ok = rho.is_finite() && rho.abs() < 1.0;
        if !rho_ok {
            c.push(
                format!("{here}, rho"),
                format!(
                    "{} for {} and {}, expected a correlation strictly between -1 and 1",
                    num(rho),
                    entry.a,
                    entry.b
                ),
            );
        }
        let (Some(a), Some(b)) = (a, b) else {
            entries_ok = false;
            continue;
        };
        if a == b {
            c.push(
                here,
                format!(
                    "`{}` paired with itself, expected two different factors (a factor's \
                     correlation with itself is always 1)",
                    entry.a
                ),
            );
            entries_ok = false;
            continue;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&(_, first)) = seen.iter().find(|(k, _)| *k == key) {
            c.push(
                here,
                format!(
                    "the pair {} and {} is already given in entry {first}; expected each pair \
                     once",
                    entry.a, entry.b
                ),
            );
            entries_ok = false;
            continue;
        }
        seen.push((key, e + 1));
        if !rho_ok {
            entries_ok = false;
            continue;
        }
        m[(a, b)] = rho;
        m[(b, a)] = rho;
        involved[a] = true;
        involved[b] = true;
    }

    let identity = DMatrix::<f64>::identity(n, n);
    if !entries_ok {
        // Already rejected; do not add a positive-definiteness complaint on top.
        return (identity.clone(), identity);
    }
    match Cholesky::new(m.clone()) {
        Some(cholesky) => (m, cholesky.l()),
        None => {
            let names: Vec<&str> = factors
                .iter()
                .zip(&involved)
                .filter(|(_, inv)| **inv)
                .map(|(f, _)| *f)
                .collect();
            c.push(
                LOCATION,
                format!(
                    "the correlation matrix over {} is not positive definite: these \
                     correlations cannot hold together; expected smaller |rho| values",
                    names.join(", ")
                ),
            );
            (identity.clone(), identity)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use approx::assert_relative_eq;

    use super::*;
    use crate::scenario::model::MeanSd;

    fn run(text: &str, zones: &[&str]) -> (Economy, Vec<String>) {
        let raw: raw::Macro = toml::from_str(text).expect("valid toml");
        let mut c = Checker::new(Path::new("m.toml"));
        let e = economy(&mut c, &raw, zones);
        (
            e,
            c.into_problems()
                .into_iter()
                .map(|p| p.to_string())
                .collect(),
        )
    }

    #[test]
    fn defaults() {
        let (e, problems) = run("interest_rate = { mean = 0.04 }", &["z"]);
        assert!(problems.is_empty());
        assert_eq!(e.persistence, 0.0);
        assert_eq!(
            e.interest_rate,
            MeanSd {
                mean: 0.04,
                sd: 0.0
            }
        );
        assert_eq!(e.land_price_growth, MeanSd { mean: 0.0, sd: 0.0 });
        assert_eq!(e.correlation, DMatrix::identity(3, 3));
        assert_eq!(e.correlation_factor, DMatrix::identity(3, 3));
        // Each item of land_price_growth defaults on its own.
        let (e, problems) = run(
            "interest_rate = { mean = 0.04 }\nland_price_growth = { sd = 0.08 }",
            &["z"],
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            e.land_price_growth,
            MeanSd {
                mean: 0.0,
                sd: 0.08
            }
        );
    }

    #[test]
    fn matrix_and_factor() {
        let text = r#"
            persistence = 0.4
            interest_rate = { mean = 0.04, sd = 0.004 }
            correlation = [
              { a = "x", b = "y", rho = 0.6 },
              { a = "land_price", b = "x", rho = 0.3 },
            ]
        "#;
        let (e, problems) = run(text, &["x", "y"]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(e.correlation[(0, 1)], 0.6);
        assert_eq!(e.correlation[(1, 0)], 0.6);
        assert_eq!(e.correlation[(0, 3)], 0.3);
        assert_eq!(e.correlation[(3, 0)], 0.3);
        assert_eq!(e.correlation[(2, 2)], 1.0);
        let l = &e.correlation_factor;
        assert_eq!(l[(0, 1)], 0.0, "lower triangular");
        assert_relative_eq!(l * l.transpose(), e.correlation, epsilon = 1e-12);
    }

    #[test]
    fn entry_errors() {
        let text = r#"
            persistence = 1.0
            interest_rate = { mean = 0.04 }
            correlation = [
              { a = "x", b = "x", rho = 0.5 },
              { a = "x", b = "y", rho = 0.5 },
              { a = "y", b = "x", rho = 0.2 },
              { a = "x", b = "interest_rate", rho = 1.0 },
              { a = "x", b = "nowhere", rho = 0.1 },
            ]
        "#;
        let (_, problems) = run(text, &["x", "y"]);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].contains("macro.persistence: 1, expected"));
        assert!(problems[1].contains("entry 1: `x` paired with itself"));
        assert!(problems[2].contains("entry 3: the pair y and x is already given in entry 2"));
        assert!(problems[3].contains("entry 4, rho: 1 for x and interest_rate"));
        assert!(problems[4].contains("entry 5, b: unknown factor `nowhere`"));
    }

    #[test]
    fn not_positive_definite_names_factors() {
        let text = r#"
            interest_rate = { mean = 0.04 }
            correlation = [
              { a = "x", b = "y", rho = 0.9 },
              { a = "y", b = "land_price", rho = 0.9 },
              { a = "x", b = "land_price", rho = -0.9 },
            ]
        "#;
        let (_, problems) = run(text, &["x", "y", "z"]);
        assert_eq!(
            problems,
            [
                "m.toml: macro.correlation: the correlation matrix over x, y, land_price is not \
              positive definite: these correlations cannot hold together; expected smaller \
              |rho| values"
            ]
        );
    }
}
