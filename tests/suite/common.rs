//! Small scenarios built in code, hand-set worlds, and the ledger's accounting checks
//! (DOMAIN.md §4.3 invariant and §4.8 identity), shared by the ledger tests; and the
//! check that a batch variant reports what it reports run alone.

#![allow(dead_code)]

use std::collections::BTreeMap;

use fencheng::engine::simulate_variants;
use fencheng::ledger::{Ledger, PathLedger};
use fencheng::scenario::model::{
    County, Debt, Delivery, Economy, Fees, Incentive, IncrementBasis, Land, MeanSd, Policy,
    Project, Scenario, Sector, Shares, Shortfall, Simulation, Spending, Tax, Year, Zone,
};
use fencheng::summary::Outcome;
use fencheng::world::World;
use nalgebra::DMatrix;

/// The base year of every scenario built here.
pub const B: Year = 2024;

pub fn shares(city: f64, county: f64, zone: f64) -> Shares {
    Shares { city, county, zone }
}

/// A tax with elasticity 1 and no noise.
pub fn tax(id: &str, central_share: f64, province_share: f64) -> Tax {
    Tax {
        id: id.into(),
        central_share,
        province_share,
        elasticity: 1.0,
        noise_sd: 0.0,
    }
}

/// "total_over_base", base 0.3/0.7/0, increment 0.2/0.2/0.6, no bands, "shared",
/// treasury, never re-based, land_return 1, fee_return 0, province_return 0, no chain.
pub fn policy(id: &str) -> Policy {
    Policy {
        id: id.into(),
        increment_basis: IncrementBasis::TotalOverBase,
        base_shares: shares(0.3, 0.7, 0.0),
        increment_shares: shares(0.2, 0.2, 0.6),
        bands: vec![],
        shortfall: Shortfall::Shared,
        delivery: Delivery::Treasury,
        base_reset_years: 0,
        land_return: 1.0,
        fee_return: 0.0,
        province_return: 0.0,
        end_year: None,
        after: None,
    }
}

/// A zone with no growth, no grant, fees, land, spending, incentives, debt or reserve.
pub fn zone(id: &str, county: Option<usize>, policy: usize, base_revenue: &[f64]) -> Zone {
    Zone {
        id: id.into(),
        name: id.into(),
        county,
        policy,
        growth: MeanSd { mean: 0.0, sd: 0.0 },
        base_revenue: base_revenue.to_vec(),
        base_grant: 0.0,
        fees: Fees::default(),
        land: Land::default(),
        spending: Spending::default(),
        incentive: Incentive::default(),
        debt: Debt::default(),
        reserve: 0.0,
    }
}

pub fn sector(id: &str, tax_intensity: f64, ramp_years: u32, mix: &[f64]) -> Sector {
    Sector {
        id: id.into(),
        tax_intensity,
        intensity_sd: 0.0,
        ramp_years,
        mix: mix.to_vec(),
    }
}

/// A project sure to land, without delay, at its sector's intensity.
pub fn project(
    id: &str,
    zone: usize,
    sector: usize,
    investment: f64,
    signed_year: Year,
    build_years: u32,
) -> Project {
    Project {
        id: id.into(),
        zone,
        name: id.into(),
        sector,
        investment,
        signed_year,
        build_years,
        p_land: 1.0,
        delay_probs: vec![1.0],
        tax_intensity: None,
    }
}

pub fn capex(items: &[(Year, f64)]) -> BTreeMap<Year, f64> {
    items.iter().copied().collect()
}

/// A scenario skeleton: base year 2024, the given horizon and taxes, counties named by
/// `counties`, interest rate 0 and land price growth 0 (both sd 0). Push zones,
/// policies, sectors and projects into the public fields, then call [`finish`].
pub fn scenario(horizon: Year, taxes: Vec<Tax>, counties: &[&str]) -> Scenario {
    Scenario {
        name: "hand".into(),
        base_year: B,
        horizon,
        simulation: Simulation { paths: 1, seed: 0 },
        taxes,
        economy: Economy {
            persistence: 0.0,
            interest_rate: MeanSd { mean: 0.0, sd: 0.0 },
            land_price_growth: MeanSd { mean: 0.0, sd: 0.0 },
            correlation: DMatrix::identity(2, 2),
            correlation_factor: DMatrix::identity(2, 2),
        },
        counties: counties
            .iter()
            .map(|c| County {
                id: (*c).into(),
                name: (*c).into(),
            })
            .collect(),
        zones: vec![],
        sectors: vec![],
        policies: vec![],
        projects: vec![],
    }
}

/// Size the correlation matrix to the zones (identity: the ledger never reads it) and
/// check the shapes the ledger relies on.
pub fn finish(mut s: Scenario) -> Scenario {
    let n = s.zones.len() + 2;
    s.economy.correlation = DMatrix::identity(n, n);
    s.economy.correlation_factor = DMatrix::identity(n, n);
    for z in &s.zones {
        assert_eq!(
            z.base_revenue.len(),
            s.taxes.len(),
            "zone {}: base_revenue",
            z.id
        );
        assert!(z.policy < s.policies.len(), "zone {}: policy", z.id);
    }
    for sec in &s.sectors {
        assert_eq!(sec.mix.len(), s.taxes.len(), "sector {}: mix", sec.id);
    }
    for p in &s.projects {
        assert!(
            p.signed_year + p.build_years as Year > s.base_year,
            "project {}",
            p.id
        );
    }
    s
}

/// Evaluate one world.
pub fn run(s: &Scenario, w: &World) -> PathLedger {
    let mut ledger = Ledger::new(s);
    let mut out = PathLedger::new(s);
    ledger.evaluate(w, &mut out);
    out
}

/// Set zone `z`'s growth `g[z, t]` for the projected years in order.
pub fn set_growth(w: &mut World, z: usize, g: &[f64]) {
    assert_eq!(g.len(), w.years);
    w.growth[z * w.years..(z + 1) * w.years].copy_from_slice(g);
}

/// Set the noise `eps[z, k, t]` for the projected years in order.
pub fn set_noise(w: &mut World, z: usize, k: usize, eps: &[f64]) {
    assert_eq!(eps.len(), w.years);
    let i = (z * w.taxes + k) * w.years;
    w.tax_noise[i..i + w.years].copy_from_slice(eps);
}

/// Set the land area multipliers `a[z, t]` for the projected years in order.
pub fn set_land_area(w: &mut World, z: usize, a: &[f64]) {
    assert_eq!(a.len(), w.years);
    w.land_area[z * w.years..(z + 1) * w.years].copy_from_slice(a);
}

/// §4.3 invariant: `to_city + to_county + allocation == local_pool` within
/// `tol * max(1, |P|)`, for every zone-year. Returns the first violation.
pub fn pool_split_violation(l: &PathLedger, tol: f64) -> Option<String> {
    for (z, years) in l.zones.iter().enumerate() {
        for (ti, y) in years.iter().enumerate() {
            let sum = y.to_city + y.to_county + y.allocation;
            if (sum - y.local_pool).abs() > tol * y.local_pool.abs().max(1.0) {
                return Some(format!(
                    "zone {z}, year index {ti}: city {} + county {} + zone {} = {sum} != pool {}",
                    y.to_city, y.to_county, y.allocation, y.local_pool
                ));
            }
        }
    }
    None
}

/// The two sides of the §4.8 identity for projected year `ti`, and the scale of the
/// terms (for a relative tolerance):
/// `Σ retained (central, province, city, counties, zones) + Δ payables (city, counties,
/// province)` and `Σ zones' (collected + land_net + fees)`.
pub fn identity_sides(l: &PathLedger, ti: usize) -> (f64, f64, f64) {
    let payables = |t: usize| {
        l.city[t].payable
            + l.counties.iter().map(|c| c[t].payable).sum::<f64>()
            + l.province[t].payable
    };
    let previous = if ti == 0 {
        l.opening_payables
    } else {
        payables(ti - 1)
    };
    let terms = [
        l.central[ti].retained,
        l.province[ti].retained,
        l.city[ti].retained,
    ]
    .into_iter()
    .chain(l.counties.iter().map(|c| c[ti].retained))
    .chain(l.zones.iter().map(|z| z[ti].retained))
    .chain([payables(ti), -previous])
    .collect::<Vec<f64>>();
    let lhs: f64 = terms.iter().sum();
    let rhs: f64 = l
        .zones
        .iter()
        .map(|z| z[ti].collected + z[ti].land_net + z[ti].fees)
        .sum();
    let scale = terms
        .iter()
        .map(|x| x.abs())
        .sum::<f64>()
        .max(rhs.abs())
        .max(1.0);
    (lhs, rhs, scale)
}

/// §4.8 identity for every projected year within `tol` relative. Returns the first violation.
pub fn identity_violation(l: &PathLedger, tol: f64) -> Option<String> {
    for ti in 0..l.central.len() {
        let (lhs, rhs, scale) = identity_sides(l, ti);
        if (lhs - rhs).abs() > tol * scale {
            return Some(format!(
                "year index {ti}: retained + Δpayables = {lhs} != collected + land + fees = {rhs}"
            ));
        }
    }
    None
}

/// Both accounting checks, panicking with the violation.
pub fn assert_accounts(l: &PathLedger) {
    if let Some(v) = pool_split_violation(l, 1e-9) {
        panic!("pool split: {v}");
    }
    if let Some(v) = identity_violation(l, 1e-9) {
        panic!("identity: {v}");
    }
}

/// Variant `v` of `outcome`, a batch on `paths` paths of `seed`, against `variant` run
/// alone on the same worlds: every mean and sd bit for bit, percentiles within the
/// sketches' error, the risk rows and the headline totals.
pub fn variant_matches_alone(
    outcome: &Outcome,
    v: usize,
    variant: &Scenario,
    paths: usize,
    seed: u64,
    what: &str,
) {
    let alone_outcome = simulate_variants(&[variant], false, paths, seed, &|_| {});
    let alone = &alone_outcome.summaries[0];
    // Headline totals keep full precision in both: every number is the same.
    assert_eq!(outcome.headlines[v], alone_outcome.headlines[0], "{what}");
    let bound = fencheng::stats::sketch::relative_error(fencheng::stats::sketch::MIN_MANTISSA_BITS);
    for (a, b) in outcome.summaries[v].rows.iter().zip(&alone.rows) {
        let row = format!("{what}: {} {} {}", a.entity, a.metric, a.year);
        assert_eq!((a.mean, a.sd), (b.mean, b.sd), "{row}");
        for (x, y) in a.percentiles.iter().zip(&b.percentiles) {
            assert!(
                (x - y).abs() <= 2.0 * bound * y.abs() + 1e-9,
                "{row}: {x} vs {y}"
            );
        }
    }
    assert_eq!(outcome.summaries[v].risk, alone.risk, "{what}");
}
