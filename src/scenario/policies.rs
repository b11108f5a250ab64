//! `[policies.*]`: sharing rules (核定基数、增量分成), their bands and their chains.
//!
//! A policy may hand over to another after its `end_year` (`after`); validation makes
//! sure every chain ends (no cycle) and that end years increase along it, so
//! [`Scenario::policy_in_force`](super::model::Scenario::policy_in_force) terminates.

use std::collections::{BTreeMap, BTreeSet};

use super::check::{Checker, at, known_list, num};
use super::model::{Band, Delivery, IncrementBasis, Policy, Shares, Shortfall};
use super::raw;

/// Validates every policy and resolves `after` to an index (policies in key order).
pub fn build(c: &mut Checker, raw: &BTreeMap<String, raw::Policy>) -> Vec<Policy> {
    let ids: Vec<&str> = raw.keys().map(String::as_str).collect();
    let mut out: Vec<Policy> = raw.iter().map(|(id, p)| policy(c, id, p, &ids)).collect();
    chains(c, &mut out);
    out
}

/// The policies reachable from `first` through `after` (first included), each once.
pub fn chain(policies: &[Policy], first: usize) -> Vec<usize> {
    let mut seen = vec![first];
    let mut p = first;
    while let Some(next) = policies.get(p).and_then(|x| x.after) {
        if seen.contains(&next) {
            break;
        }
        seen.push(next);
        p = next;
    }
    seen
}

fn policy(c: &mut Checker, id: &str, p: &raw::Policy, ids: &[&str]) -> Policy {
    let loc = format!("policies.{id}");
    c.id(&loc, id, "policy");

    let increment_basis = match p.increment_basis.as_deref() {
        None | Some("total_over_base") => IncrementBasis::TotalOverBase,
        Some("new_projects_only") => IncrementBasis::NewProjectsOnly,
        Some(other) => {
            bad_choice(
                c,
                &at(&loc, "increment_basis"),
                other,
                &["total_over_base", "new_projects_only"],
            );
            IncrementBasis::TotalOverBase
        }
    };
    let shortfall = match p.shortfall.as_deref() {
        None | Some("shared") => Shortfall::Shared,
        Some("zone_bears") => Shortfall::ZoneBears,
        Some(other) => {
            bad_choice(c, &at(&loc, "shortfall"), other, &["shared", "zone_bears"]);
            Shortfall::Shared
        }
    };
    let delivery = match p.delivery.as_str() {
        // A lag given with the treasury is ignored: nothing is lagged.
        "treasury" => Delivery::Treasury,
        "transfer" => match p.transfer_lag {
            Some(lag) => Delivery::Transfer {
                lag: c.count(&at(&loc, "transfer_lag"), lag, 0, "years"),
            },
            None => {
                c.push(
                    at(&loc, "transfer_lag"),
                    "missing; delivery = \"transfer\" needs transfer_lag, the years between \
                     accrual and receipt (e.g. 1), or use delivery = \"treasury\"",
                );
                Delivery::Transfer { lag: 0 }
            }
        },
        other => {
            bad_choice(c, &at(&loc, "delivery"), other, &["transfer", "treasury"]);
            Delivery::Treasury
        }
    };

    let base_shares = shares(c, &at(&loc, "base_shares"), p.base_shares);
    let increment_shares = shares(c, &at(&loc, "increment_shares"), p.increment_shares);
    let bands = bands(c, &loc, &p.bands, increment_shares);

    let end_year = p.end_year.map(|y| c.year(&at(&loc, "end_year"), y));
    let after = p.after.as_deref().and_then(|next| {
        let found = ids.iter().position(|known| *known == next);
        if found.is_none() {
            c.push(
                at(&loc, "after"),
                format!(
                    "unknown policy `{next}` ({})",
                    known_list(ids.iter().copied())
                ),
            );
        }
        if end_year.is_none() {
            c.push(
                at(&loc, "after"),
                format!(
                    "`{next}` given without end_year; expected end_year, the last year of \
                     policy `{id}` before `{next}` applies"
                ),
            );
        }
        found
    });

    Policy {
        id: id.to_string(),
        increment_basis,
        base_shares,
        increment_shares,
        bands,
        shortfall,
        delivery,
        base_reset_years: c.count(
            &at(&loc, "base_reset_years"),
            p.base_reset_years.unwrap_or(0.0),
            0,
            "years",
        ),
        land_return: c.share(&at(&loc, "land_return"), p.land_return),
        fee_return: c.share(&at(&loc, "fee_return"), p.fee_return),
        province_return: c.share(
            &at(&loc, "province_return"),
            p.province_return.unwrap_or(0.0),
        ),
        end_year,
        after,
    }
}

fn bad_choice(c: &mut Checker, location: &str, found: &str, allowed: &[&str]) {
    let allowed = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    c.push(location, format!("\"{found}\", expected {allowed}"));
}

fn shares(c: &mut Checker, loc: &str, raw: raw::Shares) -> Shares {
    let city = raw.city.unwrap_or(0.0);
    let county = raw.county.unwrap_or(0.0);
    let zone = raw.zone.unwrap_or(0.0);
    let shares = Shares {
        city: c.share(&at(loc, "city"), city),
        county: c.share(&at(loc, "county"), county),
        zone: c.share(&at(loc, "zone"), zone),
    };
    c.sums_to_one(loc, &[("city", city), ("county", county), ("zone", zone)]);
    shares
}

/// Progressive bands (超额累进, DOMAIN.md §4.4).
fn bands(c: &mut Checker, policy: &str, raw: &[raw::Band], increment_shares: Shares) -> Vec<Band> {
    let loc = at(policy, "bands");
    let n = raw.len();
    let mut previous: Option<f64> = None;
    let mut out = Vec::with_capacity(n);
    for (i, b) in raw.iter().enumerate() {
        let band = format!("{loc}, band {} of {n}", i + 1);
        let zone = c.share(&format!("{band}, zone"), b.zone);
        let last = i + 1 == n;
        match (b.up_to, last) {
            (None, false) => c.push(
                band,
                "no up_to, expected one: only the last band is open-ended",
            ),
            (Some(up_to), true) => c.push(
                band,
                format!(
                    "up_to {}, expected none: the last band is open-ended (add a band \
                     such as {{ zone = 0.9 }})",
                    num(up_to)
                ),
            ),
            (Some(up_to), false) => {
                if !up_to.is_finite() || up_to <= 0.0 {
                    c.push(
                        format!("{band}, up_to"),
                        format!("{}, expected an increment growth > 0", num(up_to)),
                    );
                } else if let Some(prev) = previous.filter(|&prev| up_to <= prev) {
                    c.push(
                        format!("{band}, up_to"),
                        format!(
                            "{}, expected more than {} (the previous band's up_to): \
                             up_to increases strictly",
                            num(up_to),
                            num(prev)
                        ),
                    );
                }
                previous = Some(up_to);
            }
            (None, true) => {}
        }
        out.push(Band {
            up_to: if last { None } else { b.up_to },
            zone,
        });
    }
    if n > 0 && increment_shares.city + increment_shares.county <= 0.0 {
        c.push(
            at(policy, "increment_shares"),
            "city 0 + county 0, expected city + county > 0: with bands the non-zone part of \
             the increment is split between city and county in this ratio",
        );
    }
    out
}

/// Chain rules: no cycle through `after`, and end years increasing along a chain.
fn chains(c: &mut Checker, policies: &mut [Policy]) {
    let mut on_cycle = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for start in 0..policies.len() {
        let mut path = vec![start];
        let mut p = start;
        while let Some(next) = policies[p].after {
            if let Some(pos) = path.iter().position(|&q| q == next) {
                let cycle = &path[pos..];
                let mut key = cycle.to_vec();
                key.sort_unstable();
                if reported.insert(key) {
                    let lowest = cycle.iter().copied().min().unwrap_or(next);
                    let names: Vec<&str> = cycle.iter().map(|&q| policies[q].id.as_str()).collect();
                    c.push(
                        format!("policies.{}.after", policies[lowest].id),
                        format!(
                            "policy chain {} → {} is a cycle; expected a chain that ends in a \
                             policy without `after`",
                            names.join(" → "),
                            policies[next].id
                        ),
                    );
                }
                on_cycle.extend(cycle.iter().copied());
                break;
            }
            path.push(next);
            p = next;
        }
    }
    for p in 0..policies.len() {
        let (Some(end), Some(next)) = (policies[p].end_year, policies[p].after) else {
            continue;
        };
        if on_cycle.contains(&p) {
            continue;
        }
        // Checked even when the successor hands over to no one (its end year is then
        // unused): an end year at or before its predecessor's is a slip in the table.
        if let Some(next_end) = policies[next].end_year
            && next_end <= end
        {
            c.push(
                format!("policies.{}.end_year", policies[next].id),
                format!(
                    "{next_end}, expected a year after {end}, the end_year of policy `{}` \
                     which hands over to `{}`: end years increase along a chain",
                    policies[p].id, policies[next].id
                ),
            );
        }
    }
    // Leave no cycle behind even in a scenario that is about to be rejected.
    for p in on_cycle {
        policies[p].after = None;
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn load(text: &str) -> (Vec<Policy>, Vec<String>) {
        let raw: BTreeMap<String, raw::Policy> = toml::from_str(text).expect("valid toml");
        let mut c = Checker::new(Path::new("m.toml"));
        let out = build(&mut c, &raw);
        let problems = c
            .into_problems()
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        (out, problems)
    }

    const BASE: &str = r#"
        base_shares = { city = 0.3, county = 0.7 }
        increment_shares = { city = 0.2, county = 0.2, zone = 0.6 }
        land_return = 1.0
        fee_return = 0.5
    "#;

    fn policy_text(id: &str, extra: &str) -> String {
        format!("[{id}]\n{BASE}\n{extra}\n")
    }

    #[test]
    fn defaults_and_enums() {
        let text = policy_text("a", "delivery = \"transfer\"\ntransfer_lag = 1")
            + &policy_text(
                "b",
                "delivery = \"treasury\"\ntransfer_lag = 3\nincrement_basis = \"new_projects_only\"\nshortfall = \"zone_bears\"",
            );
        let (p, problems) = load(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p[0].increment_basis, IncrementBasis::TotalOverBase);
        assert_eq!(p[0].shortfall, Shortfall::Shared);
        assert_eq!(p[0].delivery, Delivery::Transfer { lag: 1 });
        assert_eq!(p[0].base_shares.zone, 0.0);
        assert_eq!(p[0].province_return, 0.0);
        assert_eq!(p[0].base_reset_years, 0);
        assert_eq!(p[1].delivery, Delivery::Treasury);
        assert_eq!(p[1].increment_basis, IncrementBasis::NewProjectsOnly);
        assert_eq!(p[1].shortfall, Shortfall::ZoneBears);
    }

    #[test]
    fn bad_enum_and_missing_lag() {
        let text = policy_text("a", "delivery = \"transfer\"\nshortfall = \"city\"");
        let (_, problems) = load(&text);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .contains("policies.a.shortfall: \"city\", expected \"shared\" or \"zone_bears\"")
        );
        assert!(problems[1].contains("policies.a.transfer_lag: missing"));
    }

    #[test]
    fn share_sum_names_terms() {
        let text = "[a]\nbase_shares = { city = 0.3, county = 0.7 }\nincrement_shares = { city = 0.25, county = 0.2, zone = 0.6 }\nland_return = 1\nfee_return = 1\ndelivery = \"treasury\"\n";
        let (_, problems) = load(text);
        assert_eq!(
            problems,
            [
                "m.toml: policies.a.increment_shares: sum to 1.05, expected 1 (city 0.25 + county 0.2 + zone 0.6)"
            ]
        );
    }

    #[test]
    fn bands_rules() {
        let ok = policy_text(
            "a",
            "delivery = \"treasury\"\nbands = [{ up_to = 0.1, zone = 0.5 }, { up_to = 0.2, zone = 0.7 }, { zone = 0.9 }]",
        );
        let (p, problems) = load(&ok);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p[0].bands.len(), 3);
        assert_eq!(p[0].bands[2].up_to, None);

        let bad = policy_text(
            "a",
            "delivery = \"treasury\"\nbands = [{ up_to = 0.2, zone = 0.5 }, { up_to = 0.1, zone = 1.5 }, { zone = 0.9 }]",
        );
        let (_, problems) = load(&bad);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("band 2 of 3, zone: 1.5"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("band 2 of 3, up_to: 0.1, expected more than 0.2"))
        );

        let open = policy_text(
            "a",
            "delivery = \"treasury\"\nbands = [{ up_to = 0.2, zone = 0.5 }]",
        );
        let (_, problems) = load(&open);
        assert!(
            problems[0].contains("up_to 0.2, expected none"),
            "{problems:?}"
        );

        let no_ratio = "[a]\nbase_shares = { zone = 1 }\nincrement_shares = { zone = 1 }\nland_return = 1\nfee_return = 1\ndelivery = \"treasury\"\nbands = [{ zone = 0.5 }]\n";
        let (_, problems) = load(no_ratio);
        assert!(
            problems[0].contains("expected city + county > 0"),
            "{problems:?}"
        );
    }

    #[test]
    fn chains_resolve_and_are_checked() {
        let text = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2026\nafter = \"b\"",
        ) + &policy_text(
            "b",
            "delivery = \"treasury\"\nend_year = 2028\nafter = \"c\"",
        ) + &policy_text("c", "delivery = \"treasury\"");
        let (p, problems) = load(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p[0].after, Some(1));
        assert_eq!(chain(&p, 0), [0, 1, 2]);

        let not_increasing = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2028\nafter = \"b\"",
        ) + &policy_text(
            "b",
            "delivery = \"treasury\"\nend_year = 2027\nafter = \"c\"",
        ) + &policy_text("c", "delivery = \"treasury\"");
        let (_, problems) = load(&not_increasing);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("policies.b.end_year: 2027, expected a year after 2028"));
        // The last policy of a chain needs no end year; one it has must still increase.
        let last_ends_early = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2027\nafter = \"b\"",
        ) + &policy_text("b", "delivery = \"treasury\"\nend_year = 2026");
        let (_, problems) = load(&last_ends_early);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("policies.b.end_year: 2026, expected a year after 2027"));
        let last_ends_later = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2027\nafter = \"b\"",
        ) + &policy_text("b", "delivery = \"treasury\"\nend_year = 2030");
        let (_, problems) = load(&last_ends_later);
        assert!(problems.is_empty(), "{problems:?}");

        let cycle = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2026\nafter = \"b\"",
        ) + &policy_text(
            "b",
            "delivery = \"treasury\"\nend_year = 2028\nafter = \"a\"",
        );
        let (p, problems) = load(&cycle);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("policy chain a → b → a is a cycle"));
        assert!(p.iter().all(|x| x.after.is_none()));

        let no_end = policy_text("a", "delivery = \"treasury\"\nafter = \"b\"")
            + &policy_text("b", "delivery = \"treasury\"");
        let (_, problems) = load(&no_end);
        assert!(problems[0].contains("policies.a.after: `b` given without end_year"));

        let unknown = policy_text(
            "a",
            "delivery = \"treasury\"\nend_year = 2026\nafter = \"zz\"",
        );
        let (_, problems) = load(&unknown);
        assert!(problems[0].contains("unknown policy `zz` (known: a)"));
    }
}
