//! Stage two of loading: raw `model.toml` + `projects.csv` → validated [`Scenario`].
//!
//! Implements every rule of DOMAIN.md §3 ("Required keys, defaults, validation"):
//! defaults are filled in, ids are resolved to indices, and every broken rule is
//! collected (not just the first) into [`ScenarioError::Invalid`].

use std::collections::BTreeMap;
use std::path::Path;

use super::check::{COMMON_FACTORS, Checker, RESERVED_ENTITIES, at, known_list, num};
use super::error::ScenarioError;
use super::model::{
    County, Debt, Fees, Incentive, IncentiveStage, Land, MeanSd, Policy, Scenario, Sector,
    Simulation, Spending, Tax, Year, Zone,
};
use super::{correlation, policies, projects, raw};

/// Default `base_year` (基准年) of the reform texts.
pub const DEFAULT_BASE_YEAR: Year = 2024;
/// Default number of Monte Carlo paths.
pub const DEFAULT_PATHS: usize = 20_000;
/// Default debt warning line (the 120% 债务率 line).
pub const DEFAULT_WARNING_RATIO: f64 = 1.2;
/// Most Monte Carlo paths accepted: percentile counts are 32-bit.
const MAX_PATHS: i64 = u32::MAX as i64;

/// Builds the validated scenario from the raw model and the text of `projects.csv`.
///
/// # Errors
/// [`ScenarioError::Invalid`] with every problem found in either file.
pub fn build(
    raw: &raw::Model,
    projects_csv: &str,
    model_path: &Path,
    projects_path: &Path,
) -> Result<Scenario, ScenarioError> {
    let mut c = Checker::new(model_path);

    let name = raw.name.trim().to_string();
    if name.is_empty() {
        c.push("name", "empty, expected the scenario's name");
    }
    let base_year = match raw.base_year {
        Some(y) => c.checked(|c| c.year("base_year", y)),
        None => Some(DEFAULT_BASE_YEAR),
    };
    let horizon = c.checked(|c| c.year("horizon", raw.horizon));
    // Compared only when both are years: a bad one is reported once, not again here.
    let both_years = base_year.is_some() && horizon.is_some();
    let base_year = base_year.unwrap_or(DEFAULT_BASE_YEAR);
    let mut horizon = horizon.unwrap_or(base_year + 1);
    if horizon <= base_year {
        if both_years {
            c.push(
                "horizon",
                format!(
                    "{horizon}, expected a year after base_year {base_year} (the projection \
                     is base_year+1 ..= horizon)"
                ),
            );
        }
        horizon = base_year + 1;
    }
    let simulation = simulation(&mut c, raw.simulation.as_ref());

    let taxes = taxes(&mut c, &raw.taxes);
    let tax_ids = Ids::new("tax", taxes.iter().map(|t| t.id.as_str()));

    let counties = counties(&mut c, &raw.counties);
    let policies = policies::build(&mut c, &raw.policies);
    let sectors = sectors(&mut c, &raw.sectors, &tax_ids);
    let zones = zones(&mut c, &raw.zones, &tax_ids, &counties, &policies);
    entity_ids(&mut c, &zones, &counties);

    let zone_ids: Vec<&str> = zones.iter().map(|z| z.id.as_str()).collect();
    let economy = correlation::economy(&mut c, &raw.economy, &zone_ids);

    let mut pc = Checker::new(projects_path);
    let projects = projects::parse(
        &mut pc,
        projects_csv,
        &projects::Context {
            base_year,
            zones: Ids::new("zone", zone_ids.iter().copied()),
            sectors: Ids::new("sector", sectors.iter().map(|s| s.id.as_str())),
        },
    );

    let mut problems = c.into_problems();
    problems.extend(pc.into_problems());
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid(problems));
    }
    Ok(Scenario {
        name,
        base_year,
        horizon,
        simulation,
        taxes,
        economy,
        counties,
        zones,
        sectors,
        policies,
        projects,
    })
}

/// Known ids of one kind, to resolve a reference and to list them when it is unknown.
#[derive(Debug)]
pub struct Ids<'a> {
    kind: &'static str,
    ids: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    pub fn new(kind: &'static str, ids: impl IntoIterator<Item = &'a str>) -> Self {
        Ids {
            kind,
            ids: ids.into_iter().collect(),
        }
    }

    /// The index of `id`, or a problem naming it and listing the known ids.
    pub fn resolve(&self, c: &mut Checker, location: &str, id: &str) -> Option<usize> {
        let found = self.ids.iter().position(|known| *known == id);
        if found.is_none() {
            let kind = self.kind;
            let known = known_list(self.ids.iter().copied());
            if id.is_empty() {
                c.push(location, format!("empty, expected a {kind} id ({known})"));
            } else {
                c.push(location, format!("unknown {kind} `{id}` ({known})"));
            }
        }
        found
    }
}

/// Where an entry of an array of tables is: `zones.liaobin`, or `zones[3]` (1-based)
/// when its id cannot serve.
fn entry(table: &str, index: usize, id: &str) -> String {
    if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == '.') {
        format!("{table}[{}]", index + 1)
    } else {
        format!("{table}.{id}")
    }
}

fn simulation(c: &mut Checker, raw: Option<&raw::Simulation>) -> Simulation {
    let paths = match raw.and_then(|s| s.paths) {
        Some(p) => {
            let expected = "a whole number of paths ≥ 1 (at most 4294967295)";
            usize::try_from(c.whole("simulation.paths", p, 1, MAX_PATHS, expected)).unwrap_or(1)
        }
        None => DEFAULT_PATHS,
    };
    let seed = raw.and_then(|s| s.seed).unwrap_or(0);
    Simulation { paths, seed }
}

fn taxes(c: &mut Checker, raw: &[raw::Tax]) -> Vec<Tax> {
    if raw.is_empty() {
        c.push("taxes", "none given, expected at least one [[taxes]] table");
    }
    let mut out: Vec<Tax> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let loc = entry("taxes", i, &t.id);
        if c.id(&at(&loc, "id"), &t.id, "tax") && out.iter().any(|o| o.id == t.id) {
            c.push(at(&loc, "id"), format!("tax `{}` is defined twice", t.id));
        }
        let central_share = c.share(&at(&loc, "central_share"), t.central_share);
        let province_share = c.share(&at(&loc, "province_share"), t.province_share);
        let sum = central_share + province_share;
        if sum > 1.0 + super::check::SUM_TOLERANCE {
            c.push(
                loc.clone(),
                format!(
                    "central_share {} + province_share {} = {}, expected at most 1",
                    num(central_share),
                    num(province_share),
                    num(sum)
                ),
            );
        }
        let elasticity = c.finite(&at(&loc, "elasticity"), t.elasticity.unwrap_or(1.0));
        let noise_sd = c.sd(&at(&loc, "noise_sd"), t.noise_sd.unwrap_or(0.0));
        out.push(Tax {
            id: t.id.clone(),
            central_share,
            province_share,
            elasticity,
            noise_sd,
        });
    }
    out
}

fn counties(c: &mut Checker, raw: &BTreeMap<String, raw::County>) -> Vec<County> {
    raw.iter()
        .map(|(id, county)| {
            c.id(&format!("counties.{id}"), id, "county");
            County {
                id: id.clone(),
                name: county.name.clone().unwrap_or_else(|| id.clone()),
            }
        })
        .collect()
}

fn sectors(c: &mut Checker, raw: &BTreeMap<String, raw::Sector>, taxes: &Ids) -> Vec<Sector> {
    raw.iter()
        .map(|(id, s)| {
            let loc = format!("sectors.{id}");
            c.id(&loc, id, "sector");
            let tax_intensity = c.at_least(
                &at(&loc, "tax_intensity"),
                s.tax_intensity,
                0.0,
                "an intensity ≥ 0 (tax per year per unit of investment)",
            );
            let intensity_sd = c.sd(&at(&loc, "intensity_sd"), s.intensity_sd.unwrap_or(0.0));
            let ramp_years = c.count(&at(&loc, "ramp_years"), s.ramp_years, 1, "years");
            let mix_loc = at(&loc, "mix");
            let mix = by_tax(c, &mix_loc, &s.mix, taxes, Checker::share);
            let parts: Vec<(&str, f64)> = s.mix.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            c.sums_to_one(&mix_loc, &parts);
            Sector {
                id: id.clone(),
                tax_intensity,
                intensity_sd,
                ramp_years,
                mix,
            }
        })
        .collect()
}

/// A `{ tax id = value }` table as a vector by tax index (missing taxes are 0).
fn by_tax(
    c: &mut Checker,
    location: &str,
    raw: &BTreeMap<String, f64>,
    taxes: &Ids,
    check: impl Fn(&mut Checker, &str, f64) -> f64,
) -> Vec<f64> {
    let mut out = vec![0.0; taxes.ids.len()];
    for (id, &value) in raw {
        let value = check(c, &at(location, id), value);
        if let Some(k) = taxes.resolve(c, location, id) {
            out[k] = value;
        }
    }
    out
}

pub(super) fn mean_sd(c: &mut Checker, location: &str, raw: raw::MeanSd) -> MeanSd {
    MeanSd {
        mean: c.finite(&at(location, "mean"), raw.mean),
        sd: c.sd(&at(location, "sd"), raw.sd.unwrap_or(0.0)),
    }
}

fn zones(
    c: &mut Checker,
    raw: &[raw::Zone],
    taxes: &Ids,
    counties: &[County],
    policies: &[Policy],
) -> Vec<Zone> {
    if raw.is_empty() {
        c.push("zones", "none given, expected at least one [[zones]] table");
    }
    let county_ids = Ids::new("county", counties.iter().map(|x| x.id.as_str()));
    let policy_ids = Ids::new("policy", policies.iter().map(|p| p.id.as_str()));
    let mut out: Vec<Zone> = Vec::with_capacity(raw.len());
    for (i, z) in raw.iter().enumerate() {
        let loc = entry("zones", i, &z.id);
        if c.id(&at(&loc, "id"), &z.id, "zone") && out.iter().any(|o| o.id == z.id) {
            c.push(at(&loc, "id"), format!("zone `{}` is defined twice", z.id));
        }
        let county = z
            .county
            .as_deref()
            .and_then(|id| county_ids.resolve(c, &at(&loc, "county"), id));
        let policy = policy_ids.resolve(c, &at(&loc, "policy"), &z.policy);
        if z.county.is_none()
            && let Some(p) = policy
        {
            city_managed(c, &at(&loc, "policy"), policies, p);
        }
        out.push(Zone {
            id: z.id.clone(),
            name: z.name.clone().unwrap_or_else(|| z.id.clone()),
            county,
            policy: policy.unwrap_or(0),
            growth: mean_sd(c, &at(&loc, "growth"), z.growth),
            base_revenue: by_tax(
                c,
                &at(&loc, "base_revenue"),
                &z.base_revenue,
                taxes,
                Checker::money,
            ),
            base_grant: c.money(&at(&loc, "base_grant"), z.base_grant.unwrap_or(0.0)),
            fees: fees(
                c,
                &at(&loc, "fees"),
                z.fees.as_ref().unwrap_or(&raw::Fees::default()),
            ),
            land: land(
                c,
                &at(&loc, "land"),
                z.land.as_ref().unwrap_or(&raw::Land::default()),
            ),
            spending: spending(
                c,
                &at(&loc, "spending"),
                z.spending.as_ref().unwrap_or(&raw::Spending::default()),
            ),
            incentive: incentive(
                c,
                &at(&loc, "incentive"),
                z.incentive.as_ref().unwrap_or(&raw::Incentive::default()),
            ),
            debt: debt(c, &at(&loc, "debt"), z.debt.as_ref()),
            reserve: c.money(&at(&loc, "reserve"), z.reserve.unwrap_or(0.0)),
        });
    }
    out
}

/// A zone without a county (市直管): no policy it can reach may give the county a share.
fn city_managed(c: &mut Checker, location: &str, policies: &[Policy], first: usize) {
    for p in policies::chain(policies, first) {
        let policy = &policies[p];
        let mut given = Vec::new();
        if policy.base_shares.county != 0.0 {
            given.push(format!(
                "base_shares.county {}",
                num(policy.base_shares.county)
            ));
        }
        if policy.increment_shares.county != 0.0 {
            given.push(format!(
                "increment_shares.county {}",
                num(policy.increment_shares.county)
            ));
        }
        if !given.is_empty() {
            let via = if p == first {
                String::new()
            } else {
                format!(" (in force after the chain from `{}`)", policies[first].id)
            };
            c.push(
                location,
                format!(
                    "the zone has no county (managed by the city), but policy `{}`{via} gives \
                     the county {}; expected 0, or give the zone a county",
                    policy.id,
                    given.join(" and ")
                ),
            );
        }
    }
}

fn fees(c: &mut Checker, loc: &str, raw: &raw::Fees) -> Fees {
    Fees {
        base: c.money(&at(loc, "base"), raw.base.unwrap_or(0.0)),
        growth: c.growth_rate(&at(loc, "growth"), raw.growth.unwrap_or(0.0)),
    }
}

fn land(c: &mut Checker, loc: &str, raw: &raw::Land) -> Land {
    Land {
        area: c.at_least(
            &at(loc, "area"),
            raw.area.unwrap_or(0.0),
            0.0,
            "an area (亩) ≥ 0",
        ),
        area_sd: c.sd(&at(loc, "area_sd"), raw.area_sd.unwrap_or(0.0)),
        price: c.money(&at(loc, "price"), raw.price.unwrap_or(0.0)),
        deduction: c.share(&at(loc, "deduction"), raw.deduction.unwrap_or(0.0)),
    }
}

fn spending(c: &mut Checker, loc: &str, raw: &raw::Spending) -> Spending {
    let mut capex = BTreeMap::new();
    for (key, &amount) in raw.capex.iter().flatten() {
        let amount = c.money(&at(&at(loc, "capex"), key), amount);
        match key.trim().parse::<Year>() {
            Ok(year) => {
                capex.insert(year, amount);
            }
            Err(_) => c.push(
                at(loc, "capex"),
                format!("key `{key}` is not a year, expected a whole year such as 2025"),
            ),
        }
    }
    Spending {
        staff: c.at_least(
            &at(loc, "staff"),
            raw.staff.unwrap_or(0.0),
            0.0,
            "a head count ≥ 0",
        ),
        salary: c.money(&at(loc, "salary"), raw.salary.unwrap_or(0.0)),
        perf_pay: c.money(&at(loc, "perf_pay"), raw.perf_pay.unwrap_or(0.0)),
        perf_multiplier: c.at_least(
            &at(loc, "perf_multiplier"),
            raw.perf_multiplier.unwrap_or(0.0),
            0.0,
            "a multiplier ≥ 0",
        ),
        wage_growth: c.growth_rate(&at(loc, "wage_growth"), raw.wage_growth.unwrap_or(0.0)),
        operating: c.money(&at(loc, "operating"), raw.operating.unwrap_or(0.0)),
        capex,
    }
}

fn incentive(c: &mut Checker, loc: &str, raw: &raw::Incentive) -> Incentive {
    let rate = c.share(&at(loc, "rate"), raw.rate.unwrap_or(0.0));
    let stages_loc = at(loc, "stages");
    let mut stages = Vec::new();
    for (i, pair) in raw.stages.iter().flatten().enumerate() {
        let stage = format!("{stages_loc}, stage {}", i + 1);
        let &[offset, weight] = pair.as_slice() else {
            let shown: Vec<String> = pair.iter().map(|x| num(*x)).collect();
            c.push(
                stage,
                format!(
                    "[{}], expected an [offset, weight] pair such as [1, 0.25]",
                    shown.join(", ")
                ),
            );
            continue;
        };
        let offset = c.count(
            &format!("{stage}, offset"),
            offset,
            0,
            "years after landing",
        );
        let weight = c.at_least(&format!("{stage}, weight"), weight, 0.0, "a weight ≥ 0");
        stages.push(IncentiveStage { offset, weight });
    }
    Incentive { rate, stages }
}

fn debt(c: &mut Checker, loc: &str, raw: Option<&raw::Debt>) -> Debt {
    let Some(raw) = raw else {
        return Debt::default();
    };
    Debt {
        balance: c.money(&at(loc, "balance"), raw.balance),
        amortization: c.share(&at(loc, "amortization"), raw.amortization),
        limit: c.money(&at(loc, "limit"), raw.limit),
        warning_ratio: c.positive(
            &at(loc, "warning_ratio"),
            raw.warning_ratio.unwrap_or(DEFAULT_WARNING_RATIO),
            "a debt ratio > 0 (1.2 is the 120% line)",
        ),
    }
}

/// Zones and counties name entities in the outputs, next to `city`, `central` and
/// `province`: their ids must be distinct from each other and from those.
fn entity_ids(c: &mut Checker, zones: &[Zone], counties: &[County]) {
    let reserved = |id: &str| RESERVED_ENTITIES.contains(&id);
    for county in counties {
        if reserved(&county.id) {
            c.push(
                format!("counties.{}", county.id),
                format!(
                    "id `{}` is reserved for a level of government ({}); choose another id",
                    county.id,
                    RESERVED_ENTITIES.join(", ")
                ),
            );
        }
    }
    for (i, zone) in zones.iter().enumerate() {
        let loc = at(&entry("zones", i, &zone.id), "id");
        if reserved(&zone.id) {
            c.push(
                loc,
                format!(
                    "`{}` is reserved for a level of government ({}); choose another id",
                    zone.id,
                    RESERVED_ENTITIES.join(", ")
                ),
            );
        } else if COMMON_FACTORS.contains(&zone.id.as_str()) {
            c.push(
                loc,
                format!(
                    "`{}` is reserved for a common factor of macro.correlation ({}); choose \
                     another id",
                    zone.id,
                    COMMON_FACTORS.join(", ")
                ),
            );
        } else if counties.iter().any(|x| x.id == zone.id) {
            c.push(
                loc,
                format!(
                    "`{}` is also a county id (counties.{}); expected zone and county ids to \
                     differ, they name separate entities in the outputs",
                    zone.id, zone.id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::load::load_str;
    use super::super::model::{Delivery, IncrementBasis, Shortfall};
    use super::*;

    const MODEL: &str = include_str!("../../tests/fixtures/valid/minimal/model.toml");
    const PROJECTS: &str = include_str!("../../tests/fixtures/valid/minimal/projects.csv");

    fn minimal() -> Scenario {
        load_str(MODEL, PROJECTS, Path::new("min")).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The messages of loading the minimal scenario with `from` replaced by `to`.
    fn problems_with(from: &str, to: &str) -> Vec<String> {
        assert!(MODEL.contains(from), "fixture lacks {from:?}");
        let model = MODEL.replacen(from, to, 1);
        match load_str(&model, PROJECTS, Path::new("min")) {
            Ok(_) => Vec::new(),
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }

    fn assert_problem(from: &str, to: &str, expected: &str) {
        let problems = problems_with(from, to);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "replacing {from:?} by {to:?}: expected a problem containing {expected:?}, got {problems:#?}"
        );
    }

    #[test]
    fn top_level_and_defaults() {
        let s = minimal();
        assert_eq!(s.name, "最小示例");
        assert_eq!(s.base_year, 2024);
        assert_eq!(s.horizon, 2028);
        assert_eq!(
            s.simulation,
            Simulation {
                paths: 1000,
                seed: 0
            }
        );
        assert_eq!(
            s.factor_names(),
            ["liaobin", "lingang", "interest_rate", "land_price"]
        );
        let no_sim = MODEL.replace("[simulation]\npaths = 1000\n", "");
        let s = load_str(&no_sim, PROJECTS, Path::new("m")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.simulation.paths, DEFAULT_PATHS);
    }

    #[test]
    fn taxes() {
        let s = minimal();
        assert_eq!(s.taxes.len(), 2);
        assert_eq!(s.taxes[0].id, "vat");
        assert_eq!(s.taxes[0].noise_sd, 0.02);
        assert_eq!(s.taxes[1].elasticity, 1.0);
        assert_eq!(s.taxes[1].noise_sd, 0.0);
        assert!((s.taxes[1].local_share() - 0.24).abs() < 1e-12);
        assert_problem(
            "province_share = 0.15",
            "province_share = 0.55",
            "min/model.toml: taxes.vat: central_share 0.5 + province_share 0.55 = 1.05, expected at most 1",
        );
        assert_problem(
            "noise_sd = 0.02",
            "noise_sd = -0.02",
            "taxes.vat.noise_sd: -0.02, expected an sd ≥ 0",
        );
        assert_problem(
            "id = \"cit\"",
            "id = \"vat\"",
            "taxes.vat.id: tax `vat` is defined twice",
        );
    }

    #[test]
    fn zones_with_every_table() {
        let s = minimal();
        let z = &s.zones[0];
        assert_eq!(z.name, "辽滨沿海经济技术开发区");
        assert_eq!(z.county, Some(0));
        assert_eq!(s.policies[z.policy].id, "reform");
        assert_eq!(
            z.growth,
            MeanSd {
                mean: 0.06,
                sd: 0.03
            }
        );
        assert_eq!(z.base_revenue, [180000.0, 60000.0]);
        assert_eq!(z.base_grant, 100.0);
        assert_eq!(
            z.fees,
            Fees {
                base: 5000.0,
                growth: 0.02
            }
        );
        assert_eq!(z.land.deduction, 0.35);
        assert_eq!(z.spending.perf_multiplier, 3.0);
        assert_eq!(
            z.spending.capex,
            BTreeMap::from([(2025, 30000.0), (2026, 30000.0)])
        );
        assert_eq!(z.incentive.rate, 0.01);
        assert_eq!(z.incentive.stages.len(), 4);
        assert_eq!(
            z.incentive.stages[3],
            IncentiveStage {
                offset: 3,
                weight: 0.25
            }
        );
        assert_eq!(z.debt.balance, 400000.0);
        assert_eq!(z.debt.warning_ratio, DEFAULT_WARNING_RATIO);
        assert_eq!(z.reserve, 2000.0);
    }

    #[test]
    fn zone_defaults() {
        let s = minimal();
        let z = &s.zones[1];
        assert_eq!(z.name, "lingang");
        assert_eq!(z.county, None);
        assert_eq!(
            z.growth,
            MeanSd {
                mean: 0.05,
                sd: 0.0
            }
        );
        assert_eq!(z.base_revenue, [50000.0, 0.0]);
        assert_eq!(z.base_grant, 0.0);
        assert_eq!(z.fees, Fees::default());
        assert_eq!(z.land, Land::default());
        assert_eq!(z.spending, Spending::default());
        assert_eq!(z.incentive, Incentive::default());
        assert_eq!(z.debt, Debt::default());
        assert_eq!(z.debt.warning_ratio, 1.2);
        assert_eq!(z.reserve, 0.0);
        assert_eq!(s.counties[0].name, "大洼区");
    }

    #[test]
    fn zone_problems() {
        assert_problem(
            "county = \"dawa\"",
            "county = \"dwa\"",
            "zones.liaobin.county: unknown county `dwa` (known: dawa)",
        );
        assert_problem(
            "policy = \"reform\"",
            "policy = \"rform\"",
            "unknown policy `rform` (known: banded, reform)",
        );
        assert_problem(
            "cit = 60000",
            "iit = 60000",
            "zones.liaobin.base_revenue: unknown tax `iit` (known: vat, cit)",
        );
        assert_problem(
            "2026 = 30000",
            "20x6 = 30000",
            "zones.liaobin.spending.capex: key `20x6` is not a year",
        );
        assert_problem(
            "[2, 0.25]",
            "[2.5, 0.25]",
            "zones.liaobin.incentive.stages, stage 3, offset: 2.5, expected a whole number of years after landing ≥ 0 (at most 100)",
        );
        assert_problem(
            "[3, 0.25]",
            "[3, -0.25]",
            "stage 4, weight: -0.25, expected a weight ≥ 0",
        );
        assert_problem(
            "[1, 0.25]",
            "[1, 0.25, 1]",
            "stage 2: [1, 0.25, 1], expected an [offset, weight] pair",
        );
        assert_problem(
            "deduction = 0.35",
            "deduction = 1.35",
            "zones.liaobin.land.deduction: 1.35, expected a share between 0 and 1",
        );
        assert_problem(
            "limit = 600000 }",
            "limit = 600000, warning_ratio = 0 }",
            "zones.liaobin.debt.warning_ratio: 0, expected a debt ratio > 0",
        );
        assert_problem(
            "reserve = 2000",
            "reserve = -1",
            "zones.liaobin.reserve: -1, expected an amount (万元) ≥ 0",
        );
        assert_problem(
            "wage_growth = 0.03",
            "wage_growth = -1.5",
            "wage_growth: -1.5, expected a growth rate ≥ -1",
        );
    }

    #[test]
    fn city_managed_zone() {
        // `banded` is reachable from lingang (directly) and from liaobin (after reform).
        assert_problem(
            "base_shares = { city = 1.0 }",
            "base_shares = { city = 0.9, county = 0.1 }",
            "zones.lingang.policy: the zone has no county (managed by the city), but policy `banded` gives the county base_shares.county 0.1",
        );
        assert_problem(
            "county = \"dawa\"\npolicy = \"reform\"",
            "policy = \"reform\"",
            "policy `reform` gives the county base_shares.county 0.7 and increment_shares.county 0.2",
        );
    }

    #[test]
    fn sectors() {
        let s = minimal();
        let chem = &s.sectors[0];
        assert_eq!(chem.id, "chemical");
        assert_eq!(chem.ramp_years, 3);
        assert_eq!(chem.mix, [0.6, 0.4]);
        assert_problem(
            "ramp_years = 3",
            "ramp_years = 0",
            "sectors.chemical.ramp_years: 0, expected a whole number of years ≥ 1 (at most 100)",
        );
        assert_problem(
            "mix = { vat = 0.6, cit = 0.4 }",
            "mix = { vat = 0.6, cit = 0.3 }",
            "sectors.chemical.mix: sum to 0.9, expected 1 (cit 0.3 + vat 0.6)",
        );
        assert_problem(
            "mix = { vat = 0.6, cit = 0.4 }",
            "mix = { vat = 0.6, ct = 0.4 }",
            "sectors.chemical.mix: unknown tax `ct`",
        );
    }

    #[test]
    fn policies_and_chain() {
        let s = minimal();
        let reform = &s.policies[1];
        let banded = &s.policies[0];
        assert_eq!(
            (reform.id.as_str(), banded.id.as_str()),
            ("reform", "banded")
        );
        assert_eq!(reform.delivery, Delivery::Transfer { lag: 1 });
        assert_eq!(reform.after, Some(0));
        assert_eq!(banded.increment_basis, IncrementBasis::NewProjectsOnly);
        assert_eq!(banded.shortfall, Shortfall::ZoneBears);
        assert_eq!(banded.bands.len(), 3);
        assert_eq!(s.policy_in_force(0, 2026), 1);
        assert_eq!(s.policy_in_force(0, 2027), 0);
        assert_eq!(s.policy_in_force(1, 2027), 0);
    }

    #[test]
    fn entity_id_rules() {
        assert_problem(
            "id = \"lingang\"",
            "id = \"city\"",
            "zones.city.id: `city` is reserved for a level of government",
        );
        assert_problem(
            "id = \"lingang\"",
            "id = \"dawa\"",
            "zones.dawa.id: `dawa` is also a county id",
        );
        assert_problem(
            "[counties.dawa]",
            "[counties.province]",
            "counties.province: id `province` is reserved",
        );
        assert_problem(
            "id = \"lingang\"",
            "id = \"land_price\"",
            "is reserved for a common factor",
        );
        assert_problem(
            "id = \"lingang\"",
            "id = \"lin gang\"",
            "zones[2].id: zone id `lin gang` contains a space",
        );
    }

    #[test]
    fn years_and_paths() {
        assert_problem(
            "horizon = 2028",
            "horizon = 2024",
            "min/model.toml: horizon: 2024, expected a year after base_year 2024",
        );
        assert_problem(
            "horizon = 2028",
            "horizon = 2028.5",
            "horizon: 2028.5, expected a year",
        );
        assert_problem(
            "paths = 1000",
            "paths = 0",
            "simulation.paths: 0, expected a whole number of paths ≥ 1 (at most 4294967295)",
        );
    }

    #[test]
    fn collects_every_problem() {
        let model = MODEL
            .replacen("ramp_years = 3", "ramp_years = 0", 1)
            .replacen("reserve = 2000", "reserve = -1", 1);
        let projects = PROJECTS.replacen("0.8,0.6;0.3;0.1", "1.8,0.6;0.3;0.1", 1);
        let err = load_str(&model, &projects, Path::new("d")).expect_err("invalid");
        assert_eq!(err.problems().len(), 3, "{err}");
        assert!(
            err.to_string()
                .contains("d/projects.csv: row 1 (line 2, project p1), column p_land: 1.8")
        );
    }
}
