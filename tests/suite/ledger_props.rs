//! Property tests of the ledger: random small scenarios and hand-set random worlds,
//! checked against the accounting rules that must hold on every path:
//! - §4.3: `city + county + zone == P` within `1e-9 * max(1, |P|)` for every zone-year;
//! - §4.8: Σ retained (all levels) + Δ payables == Σ zones' collected + land_net + fees,
//!   within 1e-7 relative;
//! - §4.7: every year's budget closes (a deficit is met by reserve, borrowing and gap);
//! - the ledger keeps no state between paths (a reused `Ledger` gives what a fresh one does).

use fencheng::ledger::{Ledger, PathLedger};
use fencheng::scenario::model::{
    Band, Debt, Delivery, Fees, IncentiveStage, IncrementBasis, Land, Policy, Scenario, Shares,
    Shortfall, Spending, Year,
};
use fencheng::world::World;
use proptest::collection::vec as pvec;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::common::{
    finish, identity_violation, policy, pool_split_violation, project, scenario, sector, tax, zone,
};

/// Most projected years (horizon 2030), zones, taxes and projects generated.
const MAX_YEARS: usize = 6;
const MAX_ZONES: usize = 2;
const MAX_TAXES: usize = 2;
const MAX_PROJECTS: usize = 5;

type Triple = (f64, f64, f64);
/// (staff, salary, perf_pay, perf_multiplier, wage_growth, operating, capex by year)
type SpendingGen = (f64, f64, f64, f64, f64, f64, Vec<(Year, f64)>);

#[derive(Debug, Clone)]
struct PolicyGen {
    new_projects_only: bool,
    base: Triple,
    inc: Triple,
    /// (band width in q, zone rate); the last band is made open-ended.
    bands: Option<Vec<(f64, f64)>>,
    zone_bears: bool,
    treasury: bool,
    lag: u32,
    reset: u32,
    returns: Triple,
}

fn triple() -> impl Strategy<Value = Triple> {
    (0.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64)
}

fn policy_gen() -> impl Strategy<Value = PolicyGen> {
    (
        any::<bool>(),
        triple(),
        triple(),
        proptest::option::of(pvec((0.01..0.4f64, 0.0..=1.0f64), 1..=3)),
        any::<bool>(),
        any::<bool>(),
        0u32..=2,
        0u32..=3,
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
    )
        .prop_map(
            |(new_projects_only, base, inc, bands, zone_bears, treasury, lag, reset, returns)| {
                PolicyGen {
                    new_projects_only,
                    base,
                    inc,
                    bands,
                    zone_bears,
                    treasury,
                    lag,
                    reset,
                    returns,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct ZoneGen {
    /// 0 or 1: that county (if it exists), 2: managed by the city.
    parent: usize,
    base_revenue: (f64, f64),
    base_grant: f64,
    fees: (f64, f64),
    land: (f64, f64, f64),
    spending: SpendingGen,
    incentive: (f64, Vec<(u32, f64)>),
    debt: (f64, f64, f64, f64),
    policy: PolicyGen,
    /// A successor policy, and the primary's end year 2024 + offset.
    successor: Option<(PolicyGen, i32)>,
}

fn zone_gen() -> impl Strategy<Value = ZoneGen> {
    (
        0usize..=2,
        (0.0..3000.0f64, 0.0..3000.0f64),
        0.0..200.0f64,
        (0.0..500.0f64, -0.05..0.1f64),
        (0.0..100.0f64, 0.0..50.0f64, 0.0..0.6f64),
        (
            0.0..50.0f64,
            0.0..20.0f64,
            0.0..5.0f64,
            0.0..3.0f64,
            0.0..0.08f64,
            0.0..500.0f64,
            pvec((2023..=2032, 0.0..1000.0f64), 0..4),
        ),
        (0.0..0.05f64, pvec((0u32..4, 0.0..1.0f64), 0..3)),
        (0.0..5000.0f64, 0.0..0.2f64, 0.0..8000.0f64, 0.0..500.0f64),
        policy_gen(),
        proptest::option::of((policy_gen(), 0i32..=5)),
    )
        .prop_map(
            |(
                parent,
                base_revenue,
                base_grant,
                fees,
                land,
                spending,
                incentive,
                debt,
                policy,
                successor,
            )| {
                ZoneGen {
                    parent,
                    base_revenue,
                    base_grant,
                    fees,
                    land,
                    spending,
                    incentive,
                    debt,
                    policy,
                    successor,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct ScenarioGen {
    horizon: Year,
    /// (central share, province share as a fraction of the rest, elasticity)
    taxes: Vec<(f64, f64, f64)>,
    counties: usize,
    zones: Vec<ZoneGen>,
    /// (intensity, ramp years, vat share of the mix)
    sectors: Vec<(f64, u32, f64)>,
    /// (zone, sector, investment, signed year, build years, own intensity)
    projects: Vec<(usize, usize, f64, Year, u32, Option<f64>)>,
}

fn scenario_gen() -> impl Strategy<Value = ScenarioGen> {
    (
        2026..=2030,
        pvec((0.0..0.7f64, 0.0..1.0f64, 0.0..2.0f64), 1..=MAX_TAXES),
        1usize..=2,
        pvec(zone_gen(), 1..=MAX_ZONES),
        pvec((0.0..0.15f64, 1u32..=4, 0.0..=1.0f64), 1..=2),
        pvec(
            (
                0usize..MAX_ZONES,
                0usize..2,
                0.0..20_000.0f64,
                2023..=2030,
                0u32..=3,
                proptest::option::of(0.0..0.2f64),
            ),
            0..=MAX_PROJECTS,
        ),
    )
        .prop_map(
            |(horizon, taxes, counties, zones, sectors, projects)| ScenarioGen {
                horizon,
                taxes,
                counties,
                zones,
                sectors,
                projects,
            },
        )
}

#[derive(Debug, Clone)]
struct WorldGen {
    growth: Vec<f64>,
    noise: Vec<f64>,
    land_area: Vec<f64>,
    interest_rate: Vec<f64>,
    land_price_growth: Vec<f64>,
    /// (landed, delay, multiplier)
    projects: Vec<(bool, u32, f64)>,
}

fn world_gen() -> impl Strategy<Value = WorldGen> {
    (
        pvec(-0.6..0.3f64, MAX_ZONES * MAX_YEARS),
        pvec(-0.1..0.1f64, MAX_ZONES * MAX_TAXES * MAX_YEARS),
        pvec(0.0..3.0f64, MAX_ZONES * MAX_YEARS),
        pvec(0.0..0.1f64, MAX_YEARS),
        pvec(-0.2..0.2f64, MAX_YEARS),
        pvec(
            (proptest::bool::weighted(0.7), 0u32..=2, 0.2..3.0f64),
            MAX_PROJECTS,
        ),
    )
        .prop_map(
            |(growth, noise, land_area, interest_rate, land_price_growth, projects)| WorldGen {
                growth,
                noise,
                land_area,
                interest_rate,
                land_price_growth,
                projects,
            },
        )
}

/// Shares summing to 1 from three non-negative weights; `county = false` forces the
/// county share to 0 (a city-managed zone).
fn norm((city, county, zone): Triple, has_county: bool) -> Shares {
    let county = if has_county { county } else { 0.0 };
    let sum = city + county + zone;
    if sum < 1e-6 {
        return Shares {
            city: 1.0,
            county: 0.0,
            zone: 0.0,
        };
    }
    Shares {
        city: city / sum,
        county: county / sum,
        zone: zone / sum,
    }
}

fn make_policy(id: &str, g: &PolicyGen, has_county: bool) -> Policy {
    let mut p = policy(id);
    p.increment_basis = if g.new_projects_only {
        IncrementBasis::NewProjectsOnly
    } else {
        IncrementBasis::TotalOverBase
    };
    p.base_shares = norm(g.base, has_county);
    p.increment_shares = norm(g.inc, has_county);
    if let Some(bands) = &g.bands {
        let mut up_to = 0.0;
        p.bands = bands
            .iter()
            .enumerate()
            .map(|(i, &(width, zone))| {
                up_to += width;
                Band {
                    up_to: (i + 1 < bands.len()).then_some(up_to),
                    zone,
                }
            })
            .collect();
        // The non-zone part of a band needs a city : county ratio.
        if p.increment_shares.city + p.increment_shares.county == 0.0 {
            p.increment_shares = Shares {
                city: 0.5,
                county: 0.0,
                zone: 0.5,
            };
        }
    }
    p.shortfall = if g.zone_bears {
        Shortfall::ZoneBears
    } else {
        Shortfall::Shared
    };
    p.delivery = if g.treasury {
        Delivery::Treasury
    } else {
        Delivery::Transfer { lag: g.lag }
    };
    p.base_reset_years = g.reset;
    (p.land_return, p.fee_return, p.province_return) = g.returns;
    p
}

fn make_scenario(g: &ScenarioGen) -> Scenario {
    let taxes = g
        .taxes
        .iter()
        .enumerate()
        .map(|(k, &(central, province_frac, elasticity))| {
            let mut t = tax(&format!("t{k}"), central, province_frac * (1.0 - central));
            t.elasticity = elasticity;
            t
        })
        .collect::<Vec<_>>();
    let n_taxes = taxes.len();
    let county_ids = ["c0", "c1"];
    let mut s = scenario(g.horizon, taxes, &county_ids[..g.counties]);
    for (zi, zg) in g.zones.iter().enumerate() {
        let county = (zg.parent < g.counties).then_some(zg.parent);
        let first = s.policies.len();
        let mut p = make_policy(&format!("z{zi}a"), &zg.policy, county.is_some());
        if let Some((succ, offset)) = &zg.successor {
            p.end_year = Some(2024 + offset);
            p.after = Some(first + 1);
            s.policies.push(p);
            s.policies
                .push(make_policy(&format!("z{zi}b"), succ, county.is_some()));
        } else {
            s.policies.push(p);
        }
        let revenue = [zg.base_revenue.0, zg.base_revenue.1];
        let mut z = zone(&format!("z{zi}"), county, first, &revenue[..n_taxes]);
        z.base_grant = zg.base_grant;
        z.fees = Fees {
            base: zg.fees.0,
            growth: zg.fees.1,
        };
        z.land = Land {
            area: zg.land.0,
            area_sd: 0.2,
            price: zg.land.1,
            deduction: zg.land.2,
        };
        let sp = &zg.spending;
        z.spending = Spending {
            staff: sp.0,
            salary: sp.1,
            perf_pay: sp.2,
            perf_multiplier: sp.3,
            wage_growth: sp.4,
            operating: sp.5,
            capex: sp.6.iter().copied().collect(),
        };
        z.incentive.rate = zg.incentive.0;
        z.incentive.stages = zg
            .incentive
            .1
            .iter()
            .map(|&(offset, weight)| IncentiveStage { offset, weight })
            .collect();
        let (balance, amortization, limit, reserve) = zg.debt;
        z.debt = Debt {
            balance,
            amortization,
            limit,
            warning_ratio: 1.2,
        };
        z.reserve = reserve;
        s.zones.push(z);
    }
    for (i, &(intensity, ramp, vat)) in g.sectors.iter().enumerate() {
        let mix = if n_taxes == 1 {
            vec![1.0]
        } else {
            vec![vat, 1.0 - vat]
        };
        s.sectors
            .push(sector(&format!("s{i}"), intensity, ramp, &mix));
    }
    for (i, &(z, sec, investment, signed, build, own)) in g.projects.iter().enumerate() {
        let signed = signed.min(g.horizon);
        // Production must start after the base year.
        let build = build.max((2025 - signed).max(0) as u32);
        let mut p = project(
            &format!("p{i}"),
            z % s.zones.len(),
            sec % s.sectors.len(),
            investment,
            signed,
            build,
        );
        p.p_land = 0.7;
        p.delay_probs = vec![0.5, 0.3, 0.2];
        p.tax_intensity = own;
        s.projects.push(p);
    }
    finish(s)
}

fn make_world(s: &Scenario, g: &WorldGen) -> World {
    let mut w = World::central(s);
    let (years, taxes) = (w.years, w.taxes);
    for z in 0..s.zones.len() {
        for ti in 0..years {
            w.growth[z * years + ti] = g.growth[z * MAX_YEARS + ti];
            w.land_area[z * years + ti] = g.land_area[z * MAX_YEARS + ti];
            for k in 0..taxes {
                w.tax_noise[(z * taxes + k) * years + ti] =
                    g.noise[(z * MAX_TAXES + k) * MAX_YEARS + ti];
            }
        }
    }
    w.interest_rate = g.interest_rate[..years].to_vec();
    w.land_price_growth = g.land_price_growth[..years].to_vec();
    for (draw, &(landed, delay, multiplier)) in w.projects.iter_mut().zip(&g.projects) {
        draw.landed = landed;
        draw.delay = delay;
        draw.multiplier = multiplier;
    }
    w
}

/// §4.7: each year's budget closes.
fn budget_violation(l: &PathLedger) -> Option<String> {
    for (z, years) in l.zones.iter().enumerate() {
        let mut reserve: Option<f64> = None;
        for (ti, y) in years.iter().enumerate() {
            let scale = 1e-9 * (y.inflow.abs() + y.outflow.abs()).max(1.0);
            let bad = |what: &str| Some(format!("zone {z}, year index {ti}: {what}: {y:?}"));
            if (y.balance - (y.inflow - y.outflow)).abs() > scale {
                return bad("balance != inflow - outflow");
            }
            if y.funding_gap < 0.0
                || y.borrowing < 0.0
                || y.reserve_draw < 0.0
                || y.reserve < -scale
            {
                return bad("negative gap, borrowing, draw or reserve");
            }
            if y.balance < 0.0 {
                if (y.reserve_draw + y.borrowing + y.funding_gap + y.balance).abs() > scale {
                    return bad("a deficit is not met by draw + borrowing + gap");
                }
            } else if y.reserve_draw != 0.0 || y.borrowing != 0.0 || y.funding_gap != 0.0 {
                return bad("a surplus year draws, borrows or has a gap");
            }
            if let Some(previous) = reserve {
                let expected = previous + y.balance.max(0.0) - y.reserve_draw;
                if (y.reserve - expected).abs() > scale {
                    return bad("reserve does not carry");
                }
            }
            if !(0.0..=999.0).contains(&y.debt_ratio) {
                return bad("debt ratio outside [0, 999]");
            }
            reserve = Some(y.reserve);
        }
    }
    None
}

/// New-project tax and incentives of zone `z` by projected year, worked out project by
/// project and year by year (the ledger sums projects by production and landing year
/// first, then spreads the sums).
fn projects_one_by_one(s: &Scenario, w: &World, z: usize) -> (Vec<f64>, Vec<f64>) {
    let years = s.projected_years();
    let (mut tax, mut incentives) = (vec![0.0; years], vec![0.0; years]);
    let zone = &s.zones[z];
    for (p, draw) in s.projects.iter().zip(&w.projects) {
        if p.zone != z || !draw.landed {
            continue;
        }
        let landing = p.signed_year + draw.delay as Year;
        let production = landing + p.build_years as Year;
        let full = p.investment * s.project_intensity(p) * draw.multiplier;
        let ramp = f64::from(s.sectors[p.sector].ramp_years);
        for (ti, year) in s.years().enumerate() {
            if year >= production {
                tax[ti] += full * (f64::from(year - production + 1) / ramp).min(1.0);
            }
            for stage in &zone.incentive.stages {
                if landing + stage.offset as Year == year {
                    incentives[ti] += zone.incentive.rate * p.investment * stage.weight;
                }
            }
        }
    }
    (tax, incentives)
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn project_tax_and_incentives_match_a_project_by_project_count(
        sg in scenario_gen(),
        wg in world_gen(),
    ) {
        let s = make_scenario(&sg);
        let w = make_world(&s, &wg);
        let mut out = PathLedger::new(&s);
        Ledger::new(&s).evaluate(&w, &mut out);
        for z in 0..s.zones.len() {
            let (tax, incentives) = projects_one_by_one(&s, &w, z);
            for (ti, y) in out.zones[z].iter().enumerate() {
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
                prop_assert!(close(y.new_project_tax, tax[ti]), "zone {z} year {ti}: tax {} vs {}", y.new_project_tax, tax[ti]);
                prop_assert!(close(y.incentives, incentives[ti]), "zone {z} year {ti}: incentives {} vs {}", y.incentives, incentives[ti]);
            }
        }
    }

    #[test]
    fn ledger_accounts_balance_on_random_paths(
        sg in scenario_gen(),
        wg in world_gen(),
        other in world_gen(),
    ) {
        let s = make_scenario(&sg);
        let w = make_world(&s, &wg);
        let mut ledger = Ledger::new(&s);
        let mut out = PathLedger::new(&s);

        // First evaluate another world, so the second evaluation reuses dirty buffers.
        ledger.evaluate(&make_world(&s, &other), &mut out);
        ledger.evaluate(&w, &mut out);

        if let Some(v) = pool_split_violation(&out, 1e-9) {
            prop_assert!(false, "city + county + zone != pool: {}", v);
        }
        if let Some(v) = identity_violation(&out, 1e-7) {
            prop_assert!(false, "§4.8 identity: {}", v);
        }
        if let Some(v) = budget_violation(&out) {
            prop_assert!(false, "§4.7 budget: {}", v);
        }
        let mut fresh = PathLedger::new(&s);
        Ledger::new(&s).evaluate(&w, &mut fresh);
        prop_assert_eq!(&out, &fresh, "a reused ledger differs from a fresh one");
    }
}
