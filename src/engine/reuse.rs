//! What a variant of a batch shares with its baseline, decided from the inputs alone.
//!
//! A zone's ledger depends only on the world and on its own inputs: the zone's table,
//! the chain of policies it follows, its projects, the taxes and the sectors. A variant
//! whose inputs for a zone equal the baseline's (on the same world) has that zone's
//! ledger, so the engine copies it instead of recomputing it, and shares its statistics.

use crate::scenario::model::{Policy, Scenario};

/// Per entity of the variant: is every series of it the baseline's?
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    /// By zone index.
    pub zones: Vec<bool>,
    /// By zone index: the zone's taxes collected are the baseline's (its sharing rule
    /// may differ).
    pub taxes: Vec<bool>,
    /// By zone index: all the zone's own inputs (its table, its policy aside, and its
    /// projects) are the baseline's, so what it collects and spends is, whatever its
    /// sharing rule (see [`crate::engine::layout::ZONE_INPUT_METRICS`]).
    pub inputs: Vec<bool>,
    /// By zone index: besides its inputs, the zone's base rule, its land and fee
    /// returns and its provincial return are the baseline's in every year: only how its
    /// pool is split differs (shares, bands, who bears a shortfall), so its base,
    /// increment, shortfall and returns are the baseline's (see
    /// [`crate::engine::layout::ZONE_BASE_AND_RETURN_METRICS`]).
    pub split_only: Vec<bool>,
    /// By county index.
    pub counties: Vec<bool>,
    /// By county index: every zone it parents is shared or differs only in its split,
    /// so the land and fee remainders it keeps are the baseline's.
    pub county_remainders: Vec<bool>,
    pub city: bool,
    /// The same for the zones the city parents itself.
    pub city_remainders: bool,
    pub central: bool,
    pub province: bool,
}

impl Shared {
    /// Nothing shared (the baseline itself, or a variant on another world).
    pub fn none(v: &Scenario) -> Shared {
        Shared {
            zones: vec![false; v.zones.len()],
            taxes: vec![false; v.zones.len()],
            inputs: vec![false; v.zones.len()],
            split_only: vec![false; v.zones.len()],
            counties: vec![false; v.counties.len()],
            county_remainders: vec![false; v.counties.len()],
            city: false,
            city_remainders: false,
            central: false,
            province: false,
        }
    }

    /// What `v` shares with `base`, both evaluated on the same world.
    pub fn between(base: &Scenario, v: &Scenario) -> Shared {
        let global = base.base_year == v.base_year
            && base.horizon == v.horizon
            && base.taxes == v.taxes
            && base.sectors == v.sectors
            && base.counties == v.counties
            && base.zones.len() == v.zones.len()
            && base.zones.iter().zip(&v.zones).all(|(a, b)| a.id == b.id);
        if !global {
            return Shared::none(v);
        }
        let inputs: Vec<bool> = (0..v.zones.len())
            .map(|z| inputs_same(base, v, z))
            .collect();
        let zones: Vec<bool> = (0..v.zones.len())
            .map(|z| inputs[z] && chain_same(base, base.zones[z].policy, v, v.zones[z].policy))
            .collect();
        let taxes = (0..v.zones.len()).map(|z| taxes_same(base, v, z)).collect();
        // Equal inputs include what the zone collects (`taxes_same`).
        let split_only: Vec<bool> = (0..v.zones.len())
            .map(|z| inputs[z] && returns_same(base, v, z))
            .collect();
        // Whether every zone that `parent` picks out, in either scenario, passes `same`.
        let children_all = |parent: Option<usize>, same: &dyn Fn(usize) -> bool| {
            (0..v.zones.len())
                .filter(|&z| v.zones[z].county == parent || base.zones[z].county == parent)
                .all(same)
        };
        let counties = (0..v.counties.len())
            .map(|c| children_all(Some(c), &|z| zones[z]))
            .collect();
        let remainders = |z: usize| zones[z] || split_only[z];
        let county_remainders = (0..v.counties.len())
            .map(|c| children_all(Some(c), &remainders))
            .collect();
        let city_remainders = children_all(None, &remainders);
        let all = zones.iter().all(|&s| s);
        // The centre's take depends on collected tax only, not on any sharing rule.
        let central = (0..v.zones.len()).all(|z| {
            base.zones[z].base_revenue == v.zones[z].base_revenue
                && projects_of(base, z).eq(projects_of(v, z))
        });
        // The province takes on collected tax too, and hands back each zone's return
        // under that zone's rule: a change to shares or land returns leaves it alone.
        let province =
            central && (0..v.zones.len()).all(|z| zones[z] || province_return_same(base, v, z));
        Shared {
            zones,
            taxes,
            inputs,
            split_only,
            counties,
            county_remainders,
            city: all,
            city_remainders,
            central,
            province,
        }
    }
}

/// Zone `z` has the same own inputs in both scenarios, its policy aside (given equal
/// taxes and sectors): the same table and the same projects.
fn inputs_same(base: &Scenario, v: &Scenario, z: usize) -> bool {
    let (a, b) = (&base.zones[z], &v.zones[z]);
    let mut a_without_policy = a.clone();
    a_without_policy.policy = b.policy;
    a_without_policy == *b && projects_of(base, z).eq(projects_of(v, z))
}

/// Zone `z` collects the same taxes in both scenarios (given equal taxes and sectors):
/// its base revenue, land, incentives and projects are equal.
fn taxes_same(base: &Scenario, v: &Scenario, z: usize) -> bool {
    let (a, b) = (&base.zones[z], &v.zones[z]);
    a.base_revenue == b.base_revenue
        && a.land == b.land
        && a.incentive == b.incentive
        && projects_of(base, z).eq(projects_of(v, z))
}

/// Zone `z`'s policies in force give the same `rule` in every projected year of both
/// scenarios.
fn same_every_year<T: PartialEq>(
    base: &Scenario,
    v: &Scenario,
    z: usize,
    rule: impl Fn(&Policy) -> T,
) -> bool {
    let of = |s: &Scenario, year| rule(&s.policies[s.policy_in_force(z, year)]);
    v.years().all(|year| of(base, year) == of(v, year))
}

/// Zone `z` accrues the same provincial increment return (§4.6) in every projected year
/// and is paid it on the same schedule (given equal taxes collected): the policies in
/// force have equal return rates and lags. Accruals before the projection carry no
/// return, so the years before it do not matter.
fn province_return_same(base: &Scenario, v: &Scenario, z: usize) -> bool {
    same_every_year(base, v, z, |p| (p.province_return, p.delivery.lag()))
}

/// Zone `z`'s base and increment come out the same in every projected year (given equal
/// taxes collected), and it is returned the same land, fees and provincial return: the
/// policies in force have equal base rules and return rates, and equal lags for the
/// provincial return.
fn returns_same(base: &Scenario, v: &Scenario, z: usize) -> bool {
    same_every_year(base, v, z, |p| {
        (
            p.increment_basis,
            p.base_reset_years,
            p.land_return,
            p.fee_return,
        )
    }) && province_return_same(base, v, z)
}

/// The policy chains starting at `pa` and `pb` are equal by value.
fn chain_same(base: &Scenario, mut pa: usize, v: &Scenario, mut pb: usize) -> bool {
    // Chains are acyclic (validated) and no longer than the list of policies.
    for _ in 0..=base.policies.len() {
        let (a, b) = (&base.policies[pa], &v.policies[pb]);
        if !rule_same(a, b) {
            return false;
        }
        match (a.after, b.after) {
            (None, None) => return true,
            (Some(na), Some(nb)) => (pa, pb) = (na, nb),
            _ => return false,
        }
    }
    false
}

/// Two policies apply the same rule (ids and successor indices aside).
fn rule_same(a: &Policy, b: &Policy) -> bool {
    let mut a = a.clone();
    a.id.clone_from(&b.id);
    a.after = b.after;
    a == *b
}

fn projects_of(s: &Scenario, z: usize) -> impl Iterator<Item = &crate::scenario::model::Project> {
    s.projects.iter().filter(move |p| p.zone == z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::source::demo;
    use crate::scenario::model::Delivery;

    #[test]
    fn a_change_to_one_zones_policy_shares_the_other_zones() {
        let base = demo();
        let mut v = base.clone();
        let reset3 = v.policies.iter().position(|p| p.id == "reset3").unwrap();
        v.policies[reset3].land_return = 0.5;
        let shared = Shared::between(&base, &v);
        let chem = v.zones.iter().position(|z| z.id == "chem").unwrap();
        for (z, &same) in shared.zones.iter().enumerate() {
            assert_eq!(same, z != chem, "zone {}", v.zones[z].id);
        }
        assert!(shared.inputs.iter().all(|&same| same));
        let dongqu = v.counties.iter().position(|c| c.id == "dongqu").unwrap();
        assert!(!shared.counties[dongqu]);
        assert!(
            shared
                .counties
                .iter()
                .enumerate()
                .all(|(c, &s)| s == (c != dongqu))
        );
        assert!(!shared.city);
        // Neither the centre's nor the province's take, nor the province's return to
        // any zone, depends on land returns.
        assert!(shared.central && shared.province);
    }

    #[test]
    fn a_change_down_a_policy_chain_is_seen() {
        let base = demo();
        let mut v = base.clone();
        let mature = v
            .policies
            .iter()
            .position(|p| p.id == "reform_mature")
            .unwrap();
        v.policies[mature].fee_return = 0.1;
        let newmat = v.zones.iter().position(|z| z.id == "newmat").unwrap();
        assert!(!Shared::between(&base, &v).zones[newmat]);
        assert!(Shared::between(&base, &base).zones.iter().all(|&s| s));
    }

    #[test]
    fn the_province_is_shared_unless_a_zone_it_returns_to_changes_rate_or_lag() {
        let base = demo();
        let reset3 = base.policies.iter().position(|p| p.id == "reset3").unwrap();
        let mut shares = base.clone();
        shares.policies[reset3].increment_shares.zone += 0.05;
        shares.policies[reset3].increment_shares.city -= 0.05;
        assert!(Shared::between(&base, &shares).province);
        let mut rate = base.clone();
        rate.policies[reset3].province_return = 0.3;
        assert!(!Shared::between(&base, &rate).province);
        let mut lag = base.clone();
        lag.policies[reset3].delivery = Delivery::Transfer { lag: 3 };
        assert!(!Shared::between(&base, &lag).province);
        let mut revenue = base.clone();
        revenue.zones[0].base_revenue[0] *= 1.1;
        assert!(!Shared::between(&base, &revenue).province);
    }

    #[test]
    fn a_change_to_shares_alone_keeps_the_zones_base_returns_and_remainders() {
        let base = demo();
        let reset3 = base.policies.iter().position(|p| p.id == "reset3").unwrap();
        let under =
            |s: &Scenario| -> Vec<bool> { s.zones.iter().map(|z| z.policy == reset3).collect() };
        let mut shares = base.clone();
        shares.policies[reset3].increment_shares.zone += 0.05;
        shares.policies[reset3].increment_shares.city -= 0.05;
        let shared = Shared::between(&base, &shares);
        assert_eq!(shared.split_only, vec![true; base.zones.len()]);
        assert!(
            under(&base)
                .iter()
                .zip(&shared.zones)
                .all(|(&u, &z)| u != z)
        );
        assert!(shared.county_remainders.iter().all(|&r| r) && shared.city_remainders);
        // A change to a return or to the base rule is more than a split.
        for change in [
            |p: &mut Policy| p.land_return = 0.5,
            |p: &mut Policy| p.fee_return = 0.9,
            |p: &mut Policy| p.base_reset_years = 0,
            |p: &mut Policy| p.increment_basis = crate::scenario::IncrementBasis::NewProjectsOnly,
        ] {
            let mut v = base.clone();
            change(&mut v.policies[reset3]);
            let shared = Shared::between(&base, &v);
            assert_eq!(
                shared.split_only,
                under(&base).iter().map(|u| !u).collect::<Vec<_>>()
            );
            let dongqu = v.counties.iter().position(|c| c.id == "dongqu").unwrap();
            assert!(!shared.county_remainders[dongqu]);
        }
    }

    #[test]
    fn a_change_to_taxes_shares_nothing() {
        let base = demo();
        let mut v = base.clone();
        v.taxes[0].province_share = 0.1;
        assert_eq!(Shared::between(&base, &v), Shared::none(&v));
    }
}
