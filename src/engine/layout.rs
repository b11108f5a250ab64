//! Which series a path produces, in summary.csv's order: for each projected year, each
//! zone's metrics, then the city, each county, the centre and the province (DOMAIN.md §6).

use std::collections::HashMap;

use crate::ledger::{CentralYear, GovYear, PathLedger, ProvinceYear, ZoneYear};
use crate::scenario::model::{Scenario, Year};

use super::reuse::Shared;

/// Declares the metrics of one ledger type: their names (the field names, which are the
/// metric column of summary.csv) and a straight-line extractor, from one list.
macro_rules! metrics {
    ($(#[$doc:meta])* $ty:ty, $names:ident, $extract:ident: $($field:ident),+ $(,)?) => {
        $(#[$doc])*
        pub const $names: &[&str] = &[$(stringify!($field)),+];

        #[inline]
        fn $extract(y: &$ty, out: &mut Vec<f64>) {
            out.extend_from_slice(&[$(y.$field),+]);
        }
    };
}

metrics!(
    /// The zone rows of summary.csv, in order.
    ZoneYear, ZONE_METRICS, zone_values:
    collected, new_project_tax, local_pool, base, increment, shortfall, allocation,
    received, receivable, province_return, land_net, land_to_zone, fees, fees_to_zone,
    base_grant, inflow, personnel, operating, capex, incentives, interest, principal,
    outflow, balance, reserve_draw, borrowing, debt, reserve, funding_gap, debt_ratio,
    interest_ratio, retained,
);

/// The zone rows fixed by the world and the zone's own inputs (its table and projects),
/// whatever its sharing rule: `share` copies them from what the zone collects and from
/// its spending plans. A policy variant that leaves a zone's inputs alone has these
/// series of the baseline (see [`super::reuse::Shared::inputs`]).
pub const ZONE_INPUT_METRICS: [&str; 10] = [
    "collected",
    "new_project_tax",
    "local_pool",
    "land_net",
    "fees",
    "base_grant",
    "personnel",
    "operating",
    "capex",
    "incentives",
];

metrics!(
    /// The other zone rows, in order: those a sharing rule changes.
    ZoneYear, ZONE_RULE_METRICS, zone_rule_values:
    base, increment, shortfall, allocation, received, receivable, province_return,
    land_to_zone, fees_to_zone, inflow, interest, principal, outflow, balance, reserve_draw,
    borrowing, debt, reserve, funding_gap, debt_ratio, interest_ratio, retained,
);

/// The rule rows fixed by the zone's base rule and returns, not by how its pool is
/// split: a policy variant that changes only the shares (or bands, or who bears a
/// shortfall) has these series of the baseline (see [`super::reuse::Shared::split_only`]).
pub const ZONE_BASE_AND_RETURN_METRICS: [&str; 6] = [
    "base",
    "increment",
    "shortfall",
    "province_return",
    "land_to_zone",
    "fees_to_zone",
];

metrics!(
    /// The rule rows left, in order: those a change to how the pool is split changes.
    ZoneYear, ZONE_SPLIT_METRICS, zone_split_values:
    allocation, received, receivable, inflow, interest, principal, outflow, balance,
    reserve_draw, borrowing, debt, reserve, funding_gap, debt_ratio, interest_ratio,
    retained,
);

metrics!(
    /// The rows of the city and of each county.
    GovYear, GOV_METRICS, gov_values: allocation, land_net, fees, retained, payable
);

/// The rows of the city or a county fixed by the land and fee returns of the zones it
/// parents (see [`super::reuse::Shared::county_remainders`]).
pub const GOV_REMAINDER_METRICS: [&str; 2] = ["land_net", "fees"];

metrics!(
    /// The other rows of the city and of each county, in order.
    GovYear, GOV_SPLIT_METRICS, gov_split_values: allocation, retained, payable
);

metrics!(
    /// The rows of the centre.
    CentralYear, CENTRAL_METRICS, central_values: take, retained
);

metrics!(
    /// The rows of the province.
    ProvinceYear, PROVINCE_METRICS, province_values: take, province_return, retained, payable
);

/// The entity column of the city, the centre and the province.
pub const CITY: &str = "city";
pub const CENTRAL: &str = "central";
pub const PROVINCE: &str = "province";

/// Totals over the horizon, per path, reported for every variant (headline.csv).
pub const HEADLINE_METRICS: [&str; 6] = [
    "central_retained_total",
    "province_retained_total",
    "city_retained_total",
    "counties_retained_total",
    "zones_retained_total",
    "zones_received_total",
];

/// Append one path's headline totals (in the order of [`HEADLINE_METRICS`]); `zone`
/// gives each zone's years (see [`PathLedger::zone`]).
pub fn record_headline<'l>(
    ledger: &'l PathLedger,
    zone: impl Fn(usize) -> &'l [ZoneYear],
    row: &mut Vec<f64>,
) {
    let zones = ledger.zones.len();
    let years = ledger.central.len();
    // Year by year from +0, each year's total over entities first: the order the
    // reported bits depend on.
    fn sum(years: usize, f: impl Fn(usize) -> f64) -> f64 {
        (0..years).map(f).fold(0.0, |a, x| a + x)
    }
    // The zones' two totals in one visit of each zone-year (a batch records them for
    // every variant and path). A year's zones are summed from -0.0, as `Iterator::sum`
    // does, so the totals keep their bits.
    let (mut retained, mut received) = (0.0, 0.0);
    for t in 0..years {
        let (mut r, mut c) = (-0.0, -0.0);
        for z in 0..zones {
            let y = &zone(z)[t];
            r += y.retained;
            c += y.received;
        }
        retained += r;
        received += c;
    }
    row.extend_from_slice(&[
        sum(years, |t| ledger.central[t].retained),
        sum(years, |t| ledger.province[t].retained),
        sum(years, |t| ledger.city[t].retained),
        // From +0: a city with no counties reports 0, not -0 (an empty f64 sum).
        sum(years, |t| {
            ledger
                .counties
                .iter()
                .fold(0.0, |total, c| total + c[t].retained)
        }),
        retained,
        received,
    ]);
}

/// Whether any of `zones` zones has a funding gap in any year of this path; `zone` gives
/// each zone's years.
pub fn any_funding_gap<'l>(zones: usize, zone: impl Fn(usize) -> &'l [ZoneYear]) -> bool {
    (0..zones).any(|z| zone(z).iter().any(|y| y.funding_gap > 0.0))
}

/// Metrics compared between a variant and the baseline (compare.csv): `retained` for
/// every entity, the others for zones.
pub const COMPARED_FOR_ALL: [&str; 1] = ["retained"];
pub const COMPARED_FOR_ZONES: [&str; 4] = ["received", "debt", "debt_ratio", "funding_gap"];

/// Identifies one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesKey {
    pub year: Year,
    pub entity: String,
    pub metric: &'static str,
}

/// The series of one scenario, and how to read them off a [`PathLedger`].
#[derive(Debug, Clone)]
pub struct Layout {
    pub keys: Vec<SeriesKey>,
    first_year: Year,
    /// Series of one year (keys repeat the same entities and metrics every year).
    per_year: usize,
    /// Entity id → its first position within a year, and its metrics in order. A
    /// lookup allocates nothing: a batch plan matches hundreds of thousands of keys.
    entities: HashMap<String, (usize, &'static [&'static str])>,
}

impl Layout {
    pub fn new(scenario: &Scenario) -> Layout {
        let mut entities: Vec<(&str, &'static [&'static str])> = Vec::new();
        entities.extend(scenario.zones.iter().map(|z| (z.id.as_str(), ZONE_METRICS)));
        entities.push((CITY, GOV_METRICS));
        entities.extend(
            scenario
                .counties
                .iter()
                .map(|c| (c.id.as_str(), GOV_METRICS)),
        );
        entities.push((CENTRAL, CENTRAL_METRICS));
        entities.push((PROVINCE, PROVINCE_METRICS));

        let mut keys = Vec::new();
        for year in scenario.years() {
            for &(entity, metrics) in &entities {
                keys.extend(metrics.iter().map(|metric| SeriesKey {
                    year,
                    entity: entity.to_string(),
                    metric,
                }));
            }
        }
        let mut per_year = 0;
        let offsets = entities
            .iter()
            .map(|&(entity, metrics)| {
                per_year += metrics.len();
                (entity.to_string(), (per_year - metrics.len(), metrics))
            })
            .collect();
        Layout {
            keys,
            first_year: scenario.base_year + 1,
            per_year,
            entities: offsets,
        }
    }

    /// Do two scenarios have the same series, in the same order (same years, zones and
    /// counties)? Variants of a policy do.
    pub fn same_series(a: &Scenario, b: &Scenario) -> bool {
        fn ids(s: &Scenario) -> impl Iterator<Item = &str> {
            let zones = s.zones.iter().map(|z| z.id.as_str());
            zones.chain(s.counties.iter().map(|c| c.id.as_str()))
        }
        (a.base_year, a.horizon, a.zones.len()) == (b.base_year, b.horizon, b.zones.len())
            && ids(a).eq(ids(b))
    }

    /// `f` of each series' entity, per series (called once per run of one entity).
    pub fn per_entity(&self, f: impl Fn(&str) -> bool) -> Vec<bool> {
        let mut last: Option<(&str, bool)> = None;
        self.keys
            .iter()
            .map(|key| match last {
                Some((entity, x)) if entity == key.entity => x,
                _ => {
                    let x = f(&key.entity);
                    last = Some((&key.entity, x));
                    x
                }
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Pairs `(series in self, series in baseline)` compared in compare.csv, matched
    /// by year, entity and metric.
    pub fn compared_with(&self, baseline: &Layout, zones: &[String]) -> Vec<(usize, usize)> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, k)| {
                COMPARED_FOR_ALL.contains(&k.metric)
                    || (COMPARED_FOR_ZONES.contains(&k.metric) && zones.contains(&k.entity))
            })
            .filter_map(|(i, k)| {
                baseline
                    .index_of(k.year, &k.entity, k.metric)
                    .map(|b| (i, b))
            })
            .collect()
    }

    /// The position of a series: its year's block, its entity's place in the block, its
    /// metric's place among the entity's.
    pub fn index_of(&self, year: Year, entity: &str, metric: &str) -> Option<usize> {
        let &(offset, metrics) = self.entities.get(entity)?;
        let m = metrics.iter().position(|&name| name == metric)?;
        let ti = usize::try_from(year.checked_sub(self.first_year)?).ok()?;
        let index = ti * self.per_year + offset + m;
        (index < self.keys.len()).then_some(index)
    }

    /// Append one path's values of the series `shared` does not flag to `row`, in the
    /// order of `keys`: the series of a batch variant that are not the baseline's (see
    /// [`Layout::is_shared`]).
    pub fn record_unshared(ledger: &PathLedger, shared: &Shared, row: &mut Vec<f64>) {
        for ti in 0..ledger.central.len() {
            for (z, zone) in ledger.zones.iter().enumerate() {
                match (shared.zones[z], shared.inputs[z], shared.split_only[z]) {
                    (true, _, _) => {}
                    (false, true, true) => zone_split_values(&zone[ti], row),
                    (false, true, false) => zone_rule_values(&zone[ti], row),
                    (false, false, _) => zone_values(&zone[ti], row),
                }
            }
            let gov = |year: &GovYear, same: bool, remainders: bool, row: &mut Vec<f64>| match (
                same, remainders,
            ) {
                (true, _) => {}
                (false, true) => gov_split_values(year, row),
                (false, false) => gov_values(year, row),
            };
            gov(&ledger.city[ti], shared.city, shared.city_remainders, row);
            for (c, county) in ledger.counties.iter().enumerate() {
                let (same, remainders) = (shared.counties[c], shared.county_remainders[c]);
                gov(&county[ti], same, remainders, row);
            }
            if !shared.central {
                central_values(&ledger.central[ti], row);
            }
            if !shared.province {
                province_values(&ledger.province[ti], row);
            }
        }
    }

    /// Per series of variant `s`: is it provably the baseline's, given what the variant
    /// `shared` with it? Every series of a shared entity is; so are a zone's
    /// [`ZONE_INPUT_METRICS`] when its inputs are shared, its
    /// [`ZONE_BASE_AND_RETURN_METRICS`] when only its split differs, and the
    /// [`GOV_REMAINDER_METRICS`] of a city or county whose zones' returns are shared.
    pub fn is_shared(&self, s: &Scenario, shared: &Shared) -> Vec<bool> {
        let zone_of = |entity: &str| s.zones.iter().position(|z| z.id == entity);
        let whole = self.per_entity(|entity| entity_shared(s, shared, entity));
        let inputs = self.per_entity(|entity| zone_of(entity).is_some_and(|z| shared.inputs[z]));
        let split_only =
            self.per_entity(|entity| zone_of(entity).is_some_and(|z| shared.split_only[z]));
        let remainders = self.per_entity(|entity| match entity {
            CITY => shared.city_remainders,
            _ => (s.counties.iter().position(|c| c.id == entity))
                .is_some_and(|c| shared.county_remainders[c]),
        });
        self.keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let metric = &key.metric;
                whole[i]
                    || (inputs[i] && ZONE_INPUT_METRICS.contains(metric))
                    || (split_only[i] && ZONE_BASE_AND_RETURN_METRICS.contains(metric))
                    || (remainders[i] && GOV_REMAINDER_METRICS.contains(metric))
            })
            .collect()
    }

    /// Append one path's values to `row`, in the order of `keys`.
    pub fn record(ledger: &PathLedger, row: &mut Vec<f64>) {
        for ti in 0..ledger.central.len() {
            for zone in &ledger.zones {
                zone_values(&zone[ti], row);
            }
            gov_values(&ledger.city[ti], row);
            for county in &ledger.counties {
                gov_values(&county[ti], row);
            }
            central_values(&ledger.central[ti], row);
            province_values(&ledger.province[ti], row);
        }
    }
}

/// Is every series of `entity` the baseline's?
fn entity_shared(s: &Scenario, shared: &Shared, entity: &str) -> bool {
    if let Some(z) = s.zones.iter().position(|z| z.id == entity) {
        return shared.zones[z];
    }
    if let Some(c) = s.counties.iter().position(|c| c.id == entity) {
        return shared.counties[c];
    }
    match entity {
        CITY => shared.city,
        CENTRAL => shared.central,
        PROVINCE => shared.province,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::source::demo;
    use crate::ledger::PathLedger;

    #[test]
    fn the_zone_metrics_are_those_of_the_contract() {
        let contract = "collected, new_project_tax, local_pool, base, increment, shortfall, \
            allocation, received, receivable, province_return, land_net, land_to_zone, fees, \
            fees_to_zone, base_grant, inflow, personnel, operating, capex, incentives, interest, \
            principal, outflow, balance, reserve_draw, borrowing, debt, reserve, funding_gap, \
            debt_ratio, interest_ratio, retained";
        let names: Vec<&str> = contract.split(',').map(str::trim).collect();
        assert_eq!(ZONE_METRICS, names.as_slice());
        let rule: Vec<&str> = ZONE_METRICS
            .iter()
            .copied()
            .filter(|m| !ZONE_INPUT_METRICS.contains(m))
            .collect();
        assert_eq!(ZONE_RULE_METRICS, rule.as_slice());
        assert_eq!(rule.len() + ZONE_INPUT_METRICS.len(), ZONE_METRICS.len());
        let split: Vec<&str> = (ZONE_RULE_METRICS.iter().copied())
            .filter(|m| !ZONE_BASE_AND_RETURN_METRICS.contains(m))
            .collect();
        assert_eq!(ZONE_SPLIT_METRICS, split.as_slice());
        assert_eq!(split.len() + 6, ZONE_RULE_METRICS.len());
        let gov_split: Vec<&str> = (GOV_METRICS.iter().copied())
            .filter(|m| !GOV_REMAINDER_METRICS.contains(m))
            .collect();
        assert_eq!(GOV_SPLIT_METRICS, gov_split.as_slice());
        assert_eq!(
            GOV_METRICS,
            ["allocation", "land_net", "fees", "retained", "payable"]
        );
        assert_eq!(CENTRAL_METRICS, ["take", "retained"]);
        assert_eq!(
            PROVINCE_METRICS,
            ["take", "province_return", "retained", "payable"]
        );
    }

    #[test]
    fn a_row_has_one_value_per_key() {
        let s = demo();
        let layout = Layout::new(&s);
        let mut row = Vec::new();
        Layout::record(&PathLedger::new(&s), &mut row);
        assert_eq!(row.len(), layout.len());
    }

    #[test]
    fn every_key_is_found_at_its_own_position_and_no_other_key_is() {
        let s = demo();
        let layout = Layout::new(&s);
        for (i, key) in layout.keys.iter().enumerate() {
            assert_eq!(layout.index_of(key.year, &key.entity, key.metric), Some(i));
        }
        let last = layout.keys.last().unwrap().year;
        assert_eq!(layout.index_of(last + 1, CITY, "retained"), None);
        assert_eq!(layout.index_of(s.base_year, CITY, "retained"), None);
        assert_eq!(layout.index_of(last, CITY, "debt"), None);
        assert_eq!(layout.index_of(last, "nowhere", "retained"), None);
    }
}
