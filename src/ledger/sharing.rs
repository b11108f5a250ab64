//! Splitting a zone's local pool: 核定基数、增量分成 (fixed base, shared increment).
//!
//! DOMAIN.md §4.3–4.4. The base part is split by `base_shares`; the increment by
//! `increment_shares` or, with bands, progressively (超额累进): the part of the increment
//! growth `q = inc / base` inside each band goes to the zone at that band's rate.

use crate::scenario::model::{Band, IncrementBasis, Policy, Shares, Shortfall};

/// Who gets what of one zone's local pool in one year (万元).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PoolSplit {
    pub base: f64,
    pub increment: f64,
    pub shortfall: f64,
    pub city: f64,
    pub county: f64,
    /// The zone's allocation (negative: the zone remits, 上解).
    pub zone: f64,
}

/// The pool of one zone-year, in its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pool {
    /// Local pool `P`.
    pub total: f64,
    /// Existing firms' part `Pe`.
    pub existing: f64,
    /// New projects' part `Pn`.
    pub projects: f64,
}

/// Split `pool` against `base` under `policy`.
#[inline]
pub fn split_pool(policy: &Policy, pool: Pool, base: f64) -> PoolSplit {
    let (base_part, increment, shortfall) = match policy.increment_basis {
        IncrementBasis::TotalOverBase => (
            pool.total.min(base),
            (pool.total - base).max(0.0),
            (base - pool.total).max(0.0),
        ),
        IncrementBasis::NewProjectsOnly => (pool.existing, pool.projects, 0.0),
    };

    let (mut city, mut county, mut zone) =
        if policy.shortfall == Shortfall::ZoneBears && shortfall > 0.0 {
            // City and county keep their shares of the full base; the zone makes up the gap.
            let (c, k, z) = split(base, policy.base_shares);
            (c, k, z - shortfall)
        } else {
            split(base_part, policy.base_shares)
        };

    let (ci, ki, zi) = if policy.bands.is_empty() {
        split(increment, policy.increment_shares)
    } else {
        split_banded(increment, base, &policy.bands, policy.increment_shares)
    };
    city += ci;
    county += ki;
    zone += zi;

    PoolSplit {
        base,
        increment,
        shortfall,
        city,
        county,
        zone,
    }
}

/// Split `amount` by shares. Each share is a product, so a share of 0 gets exactly 0;
/// the rounding residual goes to the largest share, so the parts sum to `amount`.
#[inline]
pub fn split(amount: f64, shares: Shares) -> (f64, f64, f64) {
    let (city, county, zone) = (
        amount * shares.city,
        amount * shares.county,
        amount * shares.zone,
    );
    let residual = amount - (city + county + zone);
    // A match, not an index into an array: indexed, the parts went through the stack
    // and their reload waited on the store (about 9% of the ledger's samples).
    if shares.city >= shares.county && shares.city >= shares.zone {
        (city + residual, county, zone)
    } else if shares.county >= shares.zone {
        (city, county + residual, zone)
    } else {
        (city, county, zone + residual)
    }
}

/// Progressive split of the increment. The zone takes each band's rate of the part of
/// the increment in that band; the rest of every band goes to city and county in the
/// ratio `increment_shares.city : increment_shares.county`.
fn split_banded(increment: f64, base: f64, bands: &[Band], shares: Shares) -> (f64, f64, f64) {
    let to_zone = if base <= 0.0 {
        // No meaningful growth rate: the whole increment is in the top band.
        bands.last().map_or(0.0, |b| b.zone) * increment
    } else {
        let mut lower = 0.0;
        let mut to_zone = 0.0;
        for band in bands {
            let upper = band.up_to.map_or(f64::INFINITY, |u| u * base);
            let in_band = (increment.min(upper) - lower).max(0.0);
            to_zone += band.zone * in_band;
            lower = upper;
            if increment <= upper {
                break;
            }
        }
        to_zone
    };
    let rest = increment - to_zone;
    let city_weight = shares.city / (shares.city + shares.county);
    let to_city = rest * city_weight;
    (to_city, rest - to_city, to_zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::Delivery;
    use approx::assert_relative_eq;

    fn policy() -> Policy {
        Policy {
            id: "reform".into(),
            increment_basis: IncrementBasis::TotalOverBase,
            base_shares: Shares {
                city: 0.3,
                county: 0.7,
                zone: 0.0,
            },
            increment_shares: Shares {
                city: 0.2,
                county: 0.2,
                zone: 0.6,
            },
            bands: vec![],
            shortfall: Shortfall::Shared,
            delivery: Delivery::Treasury,
            base_reset_years: 0,
            land_return: 1.0,
            fee_return: 0.5,
            province_return: 0.0,
            end_year: None,
            after: None,
        }
    }

    fn pool(total: f64, projects: f64) -> Pool {
        Pool {
            total,
            existing: total - projects,
            projects,
        }
    }

    #[test]
    fn increment_over_base_is_split_by_increment_shares() {
        // Base 1000, pool 1200: base part 1000 → city 300, county 700;
        // increment 200 → city 40, county 40, zone 120.
        let s = split_pool(&policy(), pool(1200.0, 50.0), 1000.0);
        assert_relative_eq!(s.increment, 200.0);
        assert_eq!(s.shortfall, 0.0);
        assert_relative_eq!(s.city, 340.0);
        assert_relative_eq!(s.county, 740.0);
        assert_relative_eq!(s.zone, 120.0);
    }

    #[test]
    fn shared_shortfall_splits_the_smaller_pool_by_base_shares() {
        // Pool 900 below base 1000: city 270, county 630, zone 0.
        let s = split_pool(&policy(), pool(900.0, 0.0), 1000.0);
        assert_relative_eq!(s.shortfall, 100.0);
        assert_eq!(s.increment, 0.0);
        assert_relative_eq!(s.city, 270.0);
        assert_relative_eq!(s.county, 630.0);
        assert_eq!(s.zone, 0.0);
    }

    #[test]
    fn zone_bears_the_shortfall_and_remits() {
        // City and county keep 300 and 700 of the full base; zone 0*1000 - 100 = -100.
        let mut p = policy();
        p.shortfall = Shortfall::ZoneBears;
        let s = split_pool(&p, pool(900.0, 0.0), 1000.0);
        assert_relative_eq!(s.city, 300.0);
        assert_relative_eq!(s.county, 700.0);
        assert_relative_eq!(s.zone, -100.0);
        assert_relative_eq!(s.city + s.county + s.zone, 900.0);
    }

    #[test]
    fn new_projects_only_shares_the_project_pool() {
        // Existing 1100 by base shares (330/770/0), projects 100 by increment shares.
        let mut p = policy();
        p.increment_basis = IncrementBasis::NewProjectsOnly;
        p.shortfall = Shortfall::ZoneBears; // no effect on this basis
        let s = split_pool(&p, pool(1200.0, 100.0), 1300.0);
        assert_relative_eq!(s.increment, 100.0);
        assert_eq!(s.shortfall, 0.0);
        assert_relative_eq!(s.city, 330.0 + 20.0);
        assert_relative_eq!(s.county, 770.0 + 20.0);
        assert_relative_eq!(s.zone, 60.0);
        assert_eq!(s.base, 1300.0);
    }

    #[test]
    fn bands_work_like_tax_brackets() {
        // Base 1000, increment 250 (q = 25%): 100 at 0.5, 100 at 0.7, 50 at 0.9
        // → zone 50 + 70 + 45 = 165; the other 85 split 1:1 → 42.5 each.
        let mut p = policy();
        p.bands = vec![
            Band {
                up_to: Some(0.10),
                zone: 0.5,
            },
            Band {
                up_to: Some(0.20),
                zone: 0.7,
            },
            Band {
                up_to: None,
                zone: 0.9,
            },
        ];
        let s = split_pool(&p, pool(1250.0, 0.0), 1000.0);
        assert_relative_eq!(s.zone, 165.0);
        assert_relative_eq!(s.city, 300.0 + 42.5);
        assert_relative_eq!(s.county, 700.0 + 42.5);

        // Increment inside the first band: 60 at 0.5 = 30 to the zone.
        let s = split_pool(&p, pool(1060.0, 0.0), 1000.0);
        assert_relative_eq!(s.zone, 30.0);

        // Base <= 0: everything in the top band.
        let s = split_pool(&p, pool(200.0, 0.0), 0.0);
        assert_relative_eq!(s.zone, 180.0);
        assert_relative_eq!(s.city, 10.0);
    }

    #[test]
    fn split_gives_exact_zeros_and_conserves() {
        let (c, k, z) = split(12_345.678, policy().base_shares);
        assert_eq!(z, 0.0);
        assert_eq!(c + k + z, 12_345.678);
    }
}
