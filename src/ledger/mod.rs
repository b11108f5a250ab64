//! The ledger of one path (DOMAIN.md §4): given a scenario and one sampled world, what
//! every level of government collects, receives, retains and owes, year by year.
//!
//! Pure and deterministic: no I/O, no randomness, no allocation per path (the
//! [`Ledger`] keeps its working buffers between paths).
//!
//! A path's zones are evaluated in order: what each collects (`taxes`, §4.1–4.2), then
//! its own ledger (`zone`, §4.2–4.7, with `sharing`, `delivery` and `budget`); then the
//! city, counties, centre and province add up what every zone passed them (§4.8).

pub mod budget;
pub mod delivery;
mod records;
pub mod sharing;
mod taxes;
mod zone;

pub use records::{CentralYear, GovYear, ProvinceYear, ZoneYear};

use crate::scenario::model::{Scenario, Year};
use crate::world::World;

use delivery::Schedule;

/// Everything the ledger computes for one path. Year vectors run over projected years.
#[derive(Debug, Clone, PartialEq)]
pub struct PathLedger {
    /// `[zone][ti]`.
    pub zones: Vec<Vec<ZoneYear>>,
    pub city: Vec<GovYear>,
    /// `[county][ti]`.
    pub counties: Vec<Vec<GovYear>>,
    pub central: Vec<CentralYear>,
    pub province: Vec<ProvinceYear>,
    /// Payables of every level at the end of the base year (a lag reaching into it).
    pub opening_payables: f64,
    /// Each zone's part of `opening_payables`.
    pub zone_opening_payables: Vec<f64>,
    /// Each zone's tax before any sharing rule.
    taxes: Vec<ZoneTaxes>,
    /// The parents' totals after the first zones, when the ledger keeps them (see
    /// [`Ledger::keep_prefix`]).
    prefix: Option<Prefix>,
}

/// The city's, counties', centre's and province's totals after the first `zones` zones
/// of a path have added to them. A variant that takes those zones whole from this path
/// starts from here: it would add the same values to the same totals, in the same order.
#[derive(Debug, Clone, PartialEq, Default)]
struct Prefix {
    zones: usize,
    city: Vec<GovYear>,
    counties: Vec<Vec<GovYear>>,
    central: Vec<CentralYear>,
    province: Vec<ProvinceYear>,
    opening_payables: f64,
}

/// Zone `z`'s years: from `zones`, or from `earlier` where `reuse` took the whole zone.
fn zone_years<'l>(
    zones: &'l [Vec<ZoneYear>],
    z: usize,
    reuse: Option<(&'l PathLedger, &[Reuse])>,
) -> &'l [ZoneYear] {
    match reuse {
        Some((earlier, how)) if how[z] == Reuse::Zone => &earlier.zones[z],
        _ => &zones[z],
    }
}

/// What a zone collects before any sharing rule applies: it depends on the world and on
/// the zone's tax inputs only, so policy variants on the same world share it.
#[derive(Debug, Clone, Default, PartialEq)]
struct ZoneTaxes {
    /// Local pool, and its parts from existing firms and from new projects, by `yi`
    /// (the base year is `yi = 0`).
    pool: Vec<f64>,
    pool_existing: Vec<f64>,
    pool_projects: Vec<f64>,
    /// By projected year.
    years: Vec<TaxYear>,
}

/// A zone's taxes of one projected year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct TaxYear {
    collected: f64,
    new_project_tax: f64,
    to_central: f64,
    to_province: f64,
    /// Growth of the provincial take over the base year, tax by tax (§4.6).
    province_growth: f64,
    incentives: f64,
    land_net: f64,
}

/// The parents a variant takes whole from the baseline's ledger of the same world, when
/// it reuses it (see [`Ledger::take_parents`]): their totals would add the same values
/// in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TakenParents {
    pub city: bool,
    /// By county index.
    pub counties: Vec<bool>,
    pub central: bool,
    pub province: bool,
}

/// What a variant's zone takes from the baseline's ledger of the same world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Nothing: evaluated in full.
    Nothing,
    /// The taxes collected (same tax inputs, another sharing rule).
    Taxes,
    /// The whole zone (same inputs).
    Zone,
}

impl PathLedger {
    /// Zone `z`'s years, from `earlier` where `reuse` took the whole zone from it.
    pub fn zone<'l>(
        &'l self,
        z: usize,
        reuse: Option<(&'l PathLedger, &[Reuse])>,
    ) -> &'l [ZoneYear] {
        zone_years(&self.zones, z, reuse)
    }

    pub fn new(scenario: &Scenario) -> PathLedger {
        let years = scenario.projected_years();
        PathLedger {
            zones: vec![vec![ZoneYear::default(); years]; scenario.zones.len()],
            city: vec![GovYear::default(); years],
            counties: vec![vec![GovYear::default(); years]; scenario.counties.len()],
            central: vec![CentralYear::default(); years],
            province: vec![ProvinceYear::default(); years],
            opening_payables: 0.0,
            zone_opening_payables: vec![0.0; scenario.zones.len()],
            taxes: vec![
                ZoneTaxes {
                    pool: vec![0.0; years + 1],
                    pool_existing: vec![0.0; years + 1],
                    pool_projects: vec![0.0; years + 1],
                    years: vec![TaxYear::default(); years],
                };
                scenario.zones.len()
            ],
            prefix: None,
        }
    }
}

/// Evaluates one scenario's policies on worlds. Holds per-zone working buffers so a
/// path allocates nothing.
#[derive(Debug, Clone)]
pub struct Ledger<'a> {
    scenario: &'a Scenario,
    /// First accrual year a transfer lag can reach into the projection from.
    first_accrual: Year,
    /// What does not depend on the world, by zone.
    plans: Vec<ZonePlan>,
    /// Per sector: the share of full tax paid in production years 0, 1, … ramp - 2.
    ramp_shares: Vec<Vec<f64>>,
    /// Earliest production year told apart: any earlier project is at full production
    /// in every projected year.
    production_from: Year,
    /// Earliest landing year whose incentives can fall in a projected year.
    landing_from: Year,
    /// Keep the parents' totals after this many zones in each path (see
    /// [`Ledger::keep_prefix`]).
    prefix_zones: Option<usize>,
    /// Parents taken whole from the ledger a path reuses (see [`Ledger::take_parents`]).
    taken: TakenParents,
    work: Work,
}

/// What the ledger reads of one project on every path, packed together (a
/// [`crate::scenario::model::Project`] also carries its names and delay law).
#[derive(Debug, Clone, Copy)]
struct ProjectPlan {
    /// Index into the world's project draws.
    draw: usize,
    sector: usize,
    signed_year: Year,
    build_years: Year,
    investment: f64,
    /// Tax at full production before the path's multiplier: investment × intensity.
    full_tax: f64,
}

/// The parts of a zone's ledger fixed by the scenario, worked out once per run.
#[derive(Debug, Clone)]
struct ZonePlan {
    /// The zone's projects.
    projects: Vec<ProjectPlan>,
    /// The policy in force by accrual year, from `first_accrual` to the horizon.
    in_force: Vec<usize>,
    /// Where each accrual is paid (§4.5): fixed by the lags of the policies in force.
    schedule: Schedule,
    /// By projected year: spending plans and fees.
    capex: Vec<f64>,
    personnel: Vec<f64>,
    operating: Vec<f64>,
    fees: Vec<f64>,
}

impl ZonePlan {
    fn new(scenario: &Scenario, z: usize, first_accrual: Year) -> ZonePlan {
        let zone = &scenario.zones[z];
        let sp = &zone.spending;
        // Wages and operating costs grow from the base year.
        let growth = |yi: i32| (1.0 + sp.wage_growth).powi(yi);
        let years = 1..=scenario.projected_years() as i32;
        let in_force: Vec<usize> = (first_accrual..=scenario.horizon)
            .map(|year| scenario.policy_in_force(z, year))
            .collect();
        // Each accrual is delivered with the lag of the policy in force when it accrues.
        let lags: Vec<u32> = in_force
            .iter()
            .map(|&p| scenario.policies[p].delivery.lag())
            .collect();
        ZonePlan {
            projects: (scenario.projects.iter().enumerate())
                .filter(|(_, p)| p.zone == z)
                .map(|(draw, p)| ProjectPlan {
                    draw,
                    sector: p.sector,
                    signed_year: p.signed_year,
                    build_years: p.build_years as Year,
                    investment: p.investment,
                    full_tax: p.investment * scenario.project_intensity(p),
                })
                .collect(),
            schedule: Schedule::new(
                first_accrual,
                scenario.base_year,
                &lags,
                scenario.projected_years(),
            ),
            in_force,
            capex: scenario
                .years()
                .map(|t| sp.capex.get(&t).copied().unwrap_or(0.0))
                .collect(),
            personnel: years
                .clone()
                .map(|yi| sp.staff * (sp.salary + sp.perf_multiplier * sp.perf_pay) * growth(yi))
                .collect(),
            operating: years.clone().map(|yi| sp.operating * growth(yi)).collect(),
            fees: years
                .map(|yi| zone.fees.base * (1.0 + zone.fees.growth).powi(yi))
                .collect(),
        }
    }
}

/// Working buffers for one zone. Year index `yi` includes the base year (`yi = 0`).
#[derive(Debug, Clone, Default)]
struct Work {
    /// `[k * (years+1) + yi]`
    existing: Vec<f64>,
    new_tax: Vec<f64>,
    /// New projects' tax by sector, `[sector * (years+1) + yi]`.
    sector_tax: Vec<f64>,
    /// Full-production tax of the projects entering production each year, by sector,
    /// `[sector * n + (year - production_from)]`.
    production: Vec<f64>,
    /// Investment of the projects landing each year, `[year - landing_from]`.
    landing: Vec<f64>,
    /// By accrual year from `first_accrual`.
    accrued: Vec<f64>,
    accrued_return: Vec<f64>,
    received: Vec<f64>,
    receivable: Vec<f64>,
    return_received: Vec<f64>,
    return_receivable: Vec<f64>,
    price_index: Vec<f64>,
    /// By projected year: a zone's tax sums over taxes.
    year_sums: Vec<YearSums>,
}

/// A zone's taxes of one projected year, summed over taxes.
#[derive(Debug, Clone, Copy, Default)]
struct YearSums {
    collected: f64,
    new_tax: f64,
    central: f64,
    province: f64,
    province_growth: f64,
}

impl<'a> Ledger<'a> {
    pub fn new(scenario: &'a Scenario) -> Ledger<'a> {
        let years = scenario.projected_years();
        let taxes = scenario.taxes.len();
        let max_lag = scenario
            .policies
            .iter()
            .map(|p| p.delivery.lag())
            .max()
            .unwrap_or(0);
        let first_accrual = scenario.base_year + 1 - max_lag as Year;
        let max_ramp = scenario
            .sectors
            .iter()
            .map(|s| s.ramp_years)
            .max()
            .unwrap_or(1);
        let production_from = scenario.base_year + 2 - max_ramp as Year;
        let max_offset = scenario
            .zones
            .iter()
            .flat_map(|z| &z.incentive.stages)
            .map(|stage| stage.offset)
            .max()
            .unwrap_or(0);
        let landing_from = scenario.base_year + 1 - max_offset as Year;
        let accruals = (scenario.horizon - first_accrual + 1) as usize;
        let plans = (0..scenario.zones.len())
            .map(|z| ZonePlan::new(scenario, z, first_accrual))
            .collect();
        let ramp_shares = scenario
            .sectors
            .iter()
            .map(|sector| {
                let ramp = sector.ramp_years as usize;
                (0..ramp - 1)
                    .map(|j| (j + 1) as f64 / ramp as f64)
                    .collect()
            })
            .collect();
        let work = Work {
            existing: vec![0.0; taxes * (years + 1)],
            new_tax: vec![0.0; taxes * (years + 1)],
            sector_tax: vec![0.0; scenario.sectors.len() * (years + 1)],
            production: vec![
                0.0;
                scenario.sectors.len()
                    * (scenario.horizon - production_from + 1) as usize
            ],
            landing: vec![0.0; (scenario.horizon - landing_from + 1) as usize],
            accrued: vec![0.0; accruals],
            accrued_return: vec![0.0; accruals],
            received: vec![0.0; years],
            receivable: vec![0.0; years],
            return_received: vec![0.0; years],
            return_receivable: vec![0.0; years],
            price_index: vec![0.0; years],
            year_sums: vec![YearSums::default(); years],
        };
        Ledger {
            scenario,
            first_accrual,
            plans,
            ramp_shares,
            production_from,
            landing_from,
            prefix_zones: None,
            taken: TakenParents {
                counties: vec![false; scenario.counties.len()],
                ..TakenParents::default()
            },
            work,
        }
    }

    /// Keep, in each path evaluated, the parents' totals after the first `zones` zones: a
    /// batch's baseline does, for the variants that change only zones from `zones` on.
    pub fn keep_prefix(&mut self, zones: usize) {
        self.prefix_zones = Some(zones);
    }

    /// When a path reuses an earlier ledger (see [`Ledger::evaluate_reusing`]), copy the
    /// `taken` parents' totals from it instead of adding the zones into them. Only for
    /// parents whose every input is provably the earlier scenario's: a batch's variant
    /// takes those it shares with the baseline.
    pub fn take_parents(&mut self, taken: TakenParents) {
        assert_eq!(taken.counties.len(), self.scenario.counties.len());
        self.taken = taken;
    }

    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// Evaluate the scenario's policies on `world`, overwriting `out`.
    pub fn evaluate(&mut self, world: &World, out: &mut PathLedger) {
        self.evaluate_reusing(world, out, None);
    }

    /// As [`Ledger::evaluate`], but taking what `reuse` says from `earlier`, a ledger of
    /// the same world (a batch's baseline): a zone's taxes depend only on the world and
    /// its tax inputs, its whole ledger only on the world and its own inputs. Zones
    /// reused whole are not written to `out`; read them with [`PathLedger::zone`].
    pub fn evaluate_reusing(
        &mut self,
        world: &World,
        out: &mut PathLedger,
        reuse: Option<(&PathLedger, &[Reuse])>,
    ) {
        let s = self.scenario;
        // Land price index: price growth compounds over projected years (one factor).
        let mut index = 1.0;
        for (ti, h) in world.land_price_growth.iter().enumerate() {
            index *= 1.0 + h;
            self.work.price_index[ti] = index;
        }

        // The zones `earlier` kept the parents' totals after, when this variant takes them
        // all whole from it, are not added again.
        let kept = reuse.and_then(|(earlier, how)| {
            let prefix = earlier.prefix.as_ref()?;
            let whole = how[..prefix.zones].iter().all(|&r| r == Reuse::Zone);
            whole.then_some((earlier, prefix))
        });
        // Parents taken whole are copied at the end, and not added to on the way.
        // Moved out for the call (and back at the end), as `share` borrows `self`.
        let taken_parents = std::mem::take(&mut self.taken);
        let no_parent = TakenParents::default();
        let taken = match reuse {
            Some(_) => &taken_parents,
            None => &no_parent,
        };
        let county_taken = |c: usize| taken.counties.get(c).copied().unwrap_or(false);
        let first = match kept {
            Some((earlier, prefix)) => {
                if !taken.city {
                    out.city.copy_from_slice(&prefix.city);
                }
                for (c, (county, kept)) in out.counties.iter_mut().zip(&prefix.counties).enumerate()
                {
                    if !county_taken(c) {
                        county.copy_from_slice(kept);
                    }
                }
                if !taken.central {
                    out.central.copy_from_slice(&prefix.central);
                }
                if !taken.province {
                    out.province.copy_from_slice(&prefix.province);
                }
                out.opening_payables = prefix.opening_payables;
                let zones = prefix.zones;
                out.zone_opening_payables[..zones]
                    .copy_from_slice(&earlier.zone_opening_payables[..zones]);
                zones
            }
            None => {
                out.city.fill(GovYear::default());
                for county in &mut out.counties {
                    county.fill(GovYear::default());
                }
                out.central.fill(CentralYear::default());
                out.province.fill(ProvinceYear::default());
                out.opening_payables = 0.0;
                0
            }
        };

        for z in first..s.zones.len() {
            if self.prefix_zones == Some(z) {
                let prefix = out.prefix.get_or_insert_with(Prefix::default);
                prefix.zones = z;
                prefix.city.clone_from(&out.city);
                prefix.counties.clone_from(&out.counties);
                prefix.central.clone_from(&out.central);
                prefix.province.clone_from(&out.province);
                prefix.opening_payables = out.opening_payables;
            }
            let opening = match reuse.map(|(earlier, how)| (earlier, how[z])) {
                // Not copied: read from `earlier` (see `PathLedger::zone`).
                Some((earlier, Reuse::Zone)) => earlier.zone_opening_payables[z],
                Some((earlier, Reuse::Taxes)) => {
                    self.share(z, world, &earlier.taxes[z], &mut out.zones[z])
                }
                _ => {
                    self.collect(z, world, &mut out.taxes[z]);
                    self.share(z, world, &out.taxes[z], &mut out.zones[z])
                }
            };
            out.zone_opening_payables[z] = opening;
            out.opening_payables += opening;
            let county = s.zones[z].county;
            let parent_taken = county.map_or(taken.city, county_taken);
            let years = zone_years(&out.zones, z, reuse);
            // One short loop per total, each over the zone's years in order.
            if !parent_taken {
                let parent = match county {
                    Some(c) => &mut out.counties[c],
                    None => &mut out.city,
                };
                for (parent, y) in parent.iter_mut().zip(years) {
                    parent.land_net += y.land_to_parent;
                    parent.fees += y.fees_to_parent;
                    parent.base_grants += y.base_grant;
                    parent.payable += y.receivable;
                    if county.is_some() {
                        parent.allocation += y.to_county;
                    }
                }
            }
            if !taken.city {
                for (city, y) in out.city.iter_mut().zip(years) {
                    city.allocation += y.to_city;
                    if county.is_none() {
                        // Validation makes a city-managed zone's county share 0.
                        city.allocation += y.to_county;
                    }
                }
            }
            if !taken.central {
                for (central, y) in out.central.iter_mut().zip(years) {
                    central.take += y.to_central;
                }
            }
            if !taken.province {
                for (prov, y) in out.province.iter_mut().zip(years) {
                    prov.take += y.to_province;
                    prov.province_return += y.province_return_accrued;
                    prov.payable += y.province_return_receivable;
                }
            }
        }

        // Each parent's years: taken whole from `earlier`, or closed from what was added.
        let earlier = |taken: bool| reuse.map(|(earlier, _)| earlier).filter(|_| taken);
        for (c, county) in out.counties.iter_mut().enumerate() {
            match earlier(county_taken(c)) {
                Some(earlier) => county.copy_from_slice(&earlier.counties[c]),
                None => county.iter_mut().for_each(GovYear::close),
            }
        }
        match earlier(taken.city) {
            Some(earlier) => out.city.copy_from_slice(&earlier.city),
            None => out.city.iter_mut().for_each(GovYear::close),
        }
        match earlier(taken.central) {
            Some(earlier) => out.central.copy_from_slice(&earlier.central),
            None => out.central.iter_mut().for_each(|c| c.retained = c.take),
        }
        match earlier(taken.province) {
            Some(earlier) => out.province.copy_from_slice(&earlier.province),
            None => (out.province.iter_mut()).for_each(|p| p.retained = p.take - p.province_return),
        }
        self.taken = taken_parents;
    }
}
