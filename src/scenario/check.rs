//! The problem collector shared by the validation stages.
//!
//! Each check records a [`Problem`] and still returns a usable value, so that one pass
//! reports every broken rule rather than the first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::error::Problem;
use super::model::Year;

/// Tolerance on share groups that must sum to 1.
pub const SUM_TOLERANCE: f64 = 1e-9;

/// Years accepted anywhere in a scenario.
pub const FIRST_YEAR: i64 = 1900;
pub const LAST_YEAR: i64 = 2200;
/// Most years a lag, ramp, build time or offset may span.
pub const MAX_COUNT: u32 = 100;

/// Names that are levels of government, not zones or counties.
pub const RESERVED_ENTITIES: [&str; 3] = ["city", "central", "province"];

/// Names of the common factors of `[macro].correlation`.
pub const COMMON_FACTORS: [&str; 2] = ["interest_rate", "land_price"];

/// Collects the problems of one file.
#[derive(Debug)]
pub struct Checker {
    file: PathBuf,
    problems: Vec<Problem>,
}

impl Checker {
    pub fn new(file: &Path) -> Self {
        Checker {
            file: file.to_path_buf(),
            problems: Vec::new(),
        }
    }

    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    pub fn push(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            location: location.into(),
            message: message.into(),
        });
    }

    /// `check`'s value, or `None` when it found a problem: checks that depend on a bad
    /// value are skipped rather than run on the stand-in a failed check returns.
    pub fn checked<T>(&mut self, check: impl FnOnce(&mut Self) -> T) -> Option<T> {
        let before = self.problems.len();
        let value = check(self);
        (self.problems.len() == before).then_some(value)
    }

    /// Any finite number.
    pub fn finite(&mut self, location: &str, x: f64) -> f64 {
        if x.is_finite() {
            x
        } else {
            self.push(location, format!("{}, expected a finite number", num(x)));
            0.0
        }
    }

    /// A share, probability or return in [0, 1].
    pub fn share(&mut self, location: &str, x: f64) -> f64 {
        if x.is_finite() && (0.0..=1.0).contains(&x) {
            x
        } else {
            self.push(
                location,
                format!("{}, expected a share between 0 and 1", num(x)),
            );
            0.0
        }
    }

    /// A probability in [0, 1].
    pub fn probability(&mut self, location: &str, x: f64) -> f64 {
        if x.is_finite() && (0.0..=1.0).contains(&x) {
            x
        } else {
            self.push(
                location,
                format!("{}, expected a probability between 0 and 1", num(x)),
            );
            0.0
        }
    }

    /// A money amount (万元) ≥ 0.
    pub fn money(&mut self, location: &str, x: f64) -> f64 {
        self.at_least(location, x, 0.0, "an amount (万元) ≥ 0")
    }

    /// A standard deviation ≥ 0.
    pub fn sd(&mut self, location: &str, x: f64) -> f64 {
        self.at_least(location, x, 0.0, "an sd ≥ 0")
    }

    /// A yearly growth rate ≥ -1 (a fall of more than 100% is meaningless).
    pub fn growth_rate(&mut self, location: &str, x: f64) -> f64 {
        self.at_least(location, x, -1.0, "a growth rate ≥ -1")
    }

    /// A finite number ≥ `min`; `expected` describes it for the message.
    pub fn at_least(&mut self, location: &str, x: f64, min: f64, expected: &str) -> f64 {
        if x.is_finite() && x >= min {
            x
        } else {
            self.push(location, format!("{}, expected {expected}", num(x)));
            min.max(0.0)
        }
    }

    /// A finite number > 0.
    pub fn positive(&mut self, location: &str, x: f64, expected: &str) -> f64 {
        if x.is_finite() && x > 0.0 {
            x
        } else {
            self.push(location, format!("{}, expected {expected}", num(x)));
            1.0
        }
    }

    /// A whole number in `min..=max`; `expected` describes it for the message.
    pub fn whole(&mut self, location: &str, x: f64, min: i64, max: i64, expected: &str) -> i64 {
        // `as` is exact here: x is a whole number within ±2^53 once the test passes.
        if x.is_finite() && x.fract() == 0.0 && x >= min as f64 && x <= max as f64 {
            x as i64
        } else {
            self.push(location, format!("{}, expected {expected}", num(x)));
            min
        }
    }

    /// A whole number of `what` (e.g. "years") from `min` to [`MAX_COUNT`]. Every count
    /// is a span of years (a lag, a ramp, a build time, an offset), and a larger one
    /// would overflow the ledger's calendar.
    pub fn count(&mut self, location: &str, x: f64, min: u32, what: &str) -> u32 {
        let expected = format!("a whole number of {what} ≥ {min} (at most {MAX_COUNT})");
        let n = self.whole(location, x, i64::from(min), i64::from(MAX_COUNT), &expected);
        u32::try_from(n).unwrap_or(min)
    }

    /// A calendar year between [`FIRST_YEAR`] and [`LAST_YEAR`].
    pub fn year(&mut self, location: &str, x: f64) -> Year {
        let expected = format!("a year (a whole number from {FIRST_YEAR} to {LAST_YEAR})");
        let y = self.whole(location, x, FIRST_YEAR, LAST_YEAR, &expected);
        Year::try_from(y).unwrap_or(2024)
    }

    /// An id usable in output files and dotted keys: not empty, no whitespace,
    /// dots, commas, semicolons or quotes.
    pub fn id(&mut self, location: &str, id: &str, kind: &str) -> bool {
        let bad = |c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | '"' | '\'');
        if id.is_empty() {
            self.push(location, format!("empty {kind} id, expected a name"));
            false
        } else if id.contains(bad) {
            self.push(
                location,
                format!(
                    "{kind} id `{id}` contains a space, dot, comma, semicolon or quote; \
                     expected a plain name such as `liaobin`"
                ),
            );
            false
        } else {
            true
        }
    }

    /// A share group that must sum to 1: `parts` are `(label, value)` pairs.
    pub fn sums_to_one(&mut self, location: &str, parts: &[(&str, f64)]) {
        let sum: f64 = parts.iter().map(|(_, x)| x).sum();
        if !sum.is_finite() || (sum - 1.0).abs() > SUM_TOLERANCE {
            let terms = parts
                .iter()
                .map(|(label, x)| {
                    if label.is_empty() {
                        num(*x)
                    } else {
                        format!("{label} {}", num(*x))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ");
            let terms = if terms.is_empty() {
                "none given".to_string()
            } else {
                terms
            };
            self.push(
                location,
                format!("sum to {}, expected 1 ({terms})", num(sum)),
            );
        }
    }
}

/// A number as a person would write it: no float noise, no trailing zeros.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    if x.abs() < 1e-6 || x.abs() >= 1e15 {
        return format!("{x:e}");
    }
    let mut s = format!("{x:.10}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// `known: a, b, c` (or `none are defined`), for unknown-id messages.
pub fn known_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut seen: Vec<&str> = Vec::new();
    for id in ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        if out.is_empty() {
            out.push_str("known: ");
        } else {
            out.push_str(", ");
        }
        let _ = write!(out, "{id}");
    }
    if out.is_empty() {
        out.push_str("none are defined");
    }
    out
}

/// Dotted location `base.key`.
pub fn at(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: Checker) -> Vec<String> {
        c.into_problems().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn num_prints_without_noise() {
        assert_eq!(num(0.25 + 0.2 + 0.6), "1.05");
        assert_eq!(num(180000.0), "180000");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(1e-12), "1e-12");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn sum_message_lists_the_terms() {
        let mut c = Checker::new(Path::new("m.toml"));
        c.sums_to_one("x", &[("city", 0.25), ("county", 0.2), ("zone", 0.6)]);
        c.sums_to_one("y", &[("city", 0.3), ("county", 0.7), ("zone", 0.0)]);
        assert_eq!(
            messages(c),
            ["sum to 1.05, expected 1 (city 0.25 + county 0.2 + zone 0.6)"]
        );
    }

    #[test]
    fn ranges_are_checked() {
        let mut c = Checker::new(Path::new("m.toml"));
        assert_eq!(c.share("a", 0.5), 0.5);
        c.share("b", 1.5);
        c.share("c", f64::NAN);
        c.money("d", -1.0);
        assert_eq!(c.count("e", 3.0, 1, "years"), 3);
        c.count("f", 2.5, 1, "years");
        c.count("g", -1.0, 0, "years");
        c.count("g2", 3e9, 0, "years");
        c.year("h", 1066.0);
        c.positive("i", 0.0, "a ratio > 0");
        assert_eq!(
            messages(c),
            [
                "1.5, expected a share between 0 and 1",
                "NaN, expected a share between 0 and 1",
                "-1, expected an amount (万元) ≥ 0",
                "2.5, expected a whole number of years ≥ 1 (at most 100)",
                "-1, expected a whole number of years ≥ 0 (at most 100)",
                "3000000000, expected a whole number of years ≥ 0 (at most 100)",
                "1066, expected a year (a whole number from 1900 to 2200)",
                "0, expected a ratio > 0",
            ]
        );
    }

    #[test]
    fn ids_must_be_plain() {
        let mut c = Checker::new(Path::new("m.toml"));
        assert!(c.id("a", "liaobin", "zone"));
        assert!(c.id("a", "辽滨", "zone"));
        assert!(!c.id("b", "", "zone"));
        assert!(!c.id("c", "a b", "zone"));
        assert!(!c.id("d", "a.b", "zone"));
        assert_eq!(c.into_problems().len(), 3);
    }

    #[test]
    fn known_list_reads() {
        assert_eq!(known_list(["vat", "cit", "vat"]), "known: vat, cit");
        assert_eq!(known_list([]), "none are defined");
    }
}
