//! Sweeps: a grid over one or two dotted keys, `KEY=FROM:TO:STEP`.

use super::VariantSpec;

/// One swept key and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: String,
    /// The values as written into the model (fixed decimals, no float noise).
    pub values: Vec<String>,
}

/// Most grid points a sweep may have.
pub const MAX_POINTS: usize = 400;

/// Parse `KEY=FROM:TO:STEP`.
///
/// # Errors
/// A message naming the argument and what was expected.
pub fn parse_axis(arg: &str) -> Result<Axis, String> {
    let usage = || {
        format!(
            "--vary `{arg}`: expected KEY=FROM:TO:STEP, like policies.reform.increment_shares.zone=0.5:0.9:0.05"
        )
    };
    let (key, range) = arg.split_once('=').ok_or_else(usage)?;
    let parts: Vec<&str> = range.split(':').collect();
    let [from, to, step] = parts.as_slice() else {
        return Err(usage());
    };
    let number = |text: &str, what: &str| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("--vary `{arg}`: {what} `{text}` is not a number"))
    };
    let (a, b, s) = (
        number(from, "FROM")?,
        number(to, "TO")?,
        number(step, "STEP")?,
    );
    if key.trim().is_empty() {
        return Err(usage());
    }
    if s <= 0.0 {
        return Err(format!("--vary `{arg}`: STEP must be positive, got {s}"));
    }
    if b < a {
        return Err(format!("--vary `{arg}`: TO ({b}) is below FROM ({a})"));
    }
    let count = ((b - a) / s + 1e-9).floor() as usize + 1;
    if count > MAX_POINTS {
        return Err(format!(
            "--vary `{arg}`: {count} values, more than the {MAX_POINTS} a sweep takes"
        ));
    }
    // Values keep the decimals they were written with; a fractional grid (shares,
    // rates) at least two, so ids read `increment_shares.zone=0.60`.
    let written = [from, step]
        .iter()
        .map(|t| decimals_of(t))
        .max()
        .unwrap_or(0);
    let decimals = if written > 0 { written.max(2) } else { 0 };
    let values = (0..count)
        .map(|i| format!("{:.*}", decimals, a + i as f64 * s))
        .collect();
    Ok(Axis {
        key: key.trim().to_string(),
        values,
    })
}

fn decimals_of(text: &str) -> usize {
    text.trim().split_once('.').map_or(0, |(_, frac)| {
        frac.trim_end_matches(|c: char| !c.is_ascii_digit()).len()
    })
}

/// The variants of a grid over `axes` (one or two), in row-major order. Ids name the
/// last two segments of each key with its value: `increment_shares.zone=0.60`.
///
/// # Errors
/// When both axes vary the same key, or the grid has more than [`MAX_POINTS`] points.
pub fn grid(axes: &[Axis]) -> Result<Vec<VariantSpec>, String> {
    if let [a, b] = axes
        && a.key == b.key
    {
        return Err(format!(
            "--vary names `{}` twice; a two-key sweep needs two different keys",
            a.key
        ));
    }
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut p = p.clone();
                    p.push((axis.key.clone(), v.clone()));
                    p
                })
            })
            .collect();
    }
    if points.len() > MAX_POINTS {
        return Err(format!(
            "the grid has {} points, more than the {MAX_POINTS} a sweep takes",
            points.len()
        ));
    }
    Ok(points
        .into_iter()
        .enumerate()
        .map(|(i, overrides)| VariantSpec {
            row: i + 1,
            id: overrides
                .iter()
                .map(|(k, v)| format!("{}={v}", short_key(k)))
                .collect::<Vec<_>>()
                .join(","),
            overrides,
        })
        .collect())
}

/// The last two segments of a dotted key; the whole key when they would start with
/// `*` (`projects.*.p_land`).
pub fn short_key(key: &str) -> String {
    let segments: Vec<&str> = key.split('.').collect();
    let from = segments.len().saturating_sub(2);
    if segments[from] == "*" {
        return key.to_string();
    }
    segments[from..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_have_clean_values() {
        let a = parse_axis("policies.reform.increment_shares.zone=0.5:0.8:0.1").unwrap();
        assert_eq!(a.values, ["0.50", "0.60", "0.70", "0.80"]);
        let a = parse_axis("zones.chem.debt.limit=40000:60000:10000").unwrap();
        assert_eq!(a.values, ["40000", "50000", "60000"]);
        let a = parse_axis("x=0.50:0.60:0.05").unwrap();
        assert_eq!(a.values, ["0.50", "0.55", "0.60"]);
        let a = parse_axis("macro.interest_rate.mean=0.03:0.04:0.005").unwrap();
        assert_eq!(a.values, ["0.030", "0.035", "0.040"]);
        assert!(parse_axis("x=1:0:0.1").unwrap_err().contains("below FROM"));
        assert!(parse_axis("x=0:1:0").unwrap_err().contains("positive"));
        assert!(
            parse_axis("x=0:1")
                .unwrap_err()
                .contains("KEY=FROM:TO:STEP")
        );
        assert!(
            parse_axis("x=a:1:0.1")
                .unwrap_err()
                .contains("`a` is not a number")
        );
    }

    #[test]
    fn short_keys_keep_what_names_the_value() {
        assert_eq!(
            short_key("policies.reform.increment_shares.zone"),
            "increment_shares.zone"
        );
        assert_eq!(short_key("projects.*.p_land"), "projects.*.p_land");
        assert_eq!(short_key("projects.YH001.p_land"), "YH001.p_land");
    }

    #[test]
    fn grids_are_row_major_with_readable_ids() {
        let a = parse_axis("policies.reform.increment_shares.zone=0.6:0.7:0.1").unwrap();
        let b = parse_axis("policies.reform.land_return=0.5:1.0:0.5").unwrap();
        let g = grid(&[a, b]).unwrap();
        let ids: Vec<&str> = g.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "increment_shares.zone=0.60,reform.land_return=0.50",
                "increment_shares.zone=0.60,reform.land_return=1.00",
                "increment_shares.zone=0.70,reform.land_return=0.50",
                "increment_shares.zone=0.70,reform.land_return=1.00",
            ]
        );
        assert_eq!(
            g[3].overrides[1],
            ("policies.reform.land_return".into(), "1.00".into())
        );
    }

    #[test]
    fn a_key_varied_twice_is_refused() {
        let a = parse_axis("policies.reform.land_return=0.7:1.0:0.3").unwrap();
        let b = parse_axis("policies.reform.land_return=0.5:0.6:0.1").unwrap();
        let err = grid(&[a, b]).unwrap_err();
        assert!(err.contains("`policies.reform.land_return` twice"), "{err}");
    }
}
