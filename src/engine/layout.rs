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

metrics!(
    /// The rows of the city and of each county.
    GovYear, GOV_METRICS, gov_values: allocation, land_net, fees, retained, payable
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
    let sum = |f: &dyn Fn(usize) -> f64| (0..ledger.central.len()).map(f).fold(0.0, |a, x| a + x);
    row.extend_from_slice(&[
        sum(&|t| ledger.central[t].retained),
        sum(&|t| ledger.province[t].retained),
        sum(&|t| ledger.city[t].retained),
        // From +0: a city with no counties reports 0, not -0 (an empty f64 sum).
        sum(&|t| {
            ledger
                .counties
                .iter()
                .fold(0.0, |total, c| total + c[t].retained)
        }),
        sum(&|t| (0..zones).map(|z| zone(z)[t].retained).sum()),
        sum(&|t| (0..zones).map(|z| zone(z)[t].received).sum()),
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
    /// `(year, entity, metric)` → position in `keys`.
    positions: HashMap<(Year, String, String), usize>,
}

impl Layout {
    pub fn new(scenario: &Scenario) -> Layout {
        let mut keys = Vec::new();
        for year in scenario.years() {
            let mut push = |entity: &str, metric: &&'static str| {
                keys.push(SeriesKey {
                    year,
                    entity: entity.to_string(),
                    metric,
                })
            };
            for zone in &scenario.zones {
                ZONE_METRICS.iter().for_each(|m| push(&zone.id, m));
            }
            GOV_METRICS.iter().for_each(|m| push(CITY, m));
            for county in &scenario.counties {
                GOV_METRICS.iter().for_each(|m| push(&county.id, m));
            }
            CENTRAL_METRICS.iter().for_each(|m| push(CENTRAL, m));
            PROVINCE_METRICS.iter().for_each(|m| push(PROVINCE, m));
        }
        let positions = keys
            .iter()
            .enumerate()
            .map(|(i, k)| ((k.year, k.entity.clone(), k.metric.to_string()), i))
            .collect();
        Layout { keys, positions }
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

    /// The position of a series (a hash lookup: batches match thousands of keys).
    pub fn index_of(&self, year: Year, entity: &str, metric: &str) -> Option<usize> {
        self.positions
            .get(&(year, entity.to_string(), metric.to_string()))
            .copied()
    }

    /// Append one path's values of the entities `shared` does not flag to `row`, in the
    /// order of `keys`: the series of a batch variant that are not the baseline's.
    pub fn record_unshared(ledger: &PathLedger, shared: &Shared, row: &mut Vec<f64>) {
        for ti in 0..ledger.central.len() {
            for (zone, &same) in ledger.zones.iter().zip(&shared.zones) {
                if !same {
                    zone_values(&zone[ti], row);
                }
            }
            if !shared.city {
                gov_values(&ledger.city[ti], row);
            }
            for (county, &same) in ledger.counties.iter().zip(&shared.counties) {
                if !same {
                    gov_values(&county[ti], row);
                }
            }
            if !shared.central {
                central_values(&ledger.central[ti], row);
            }
            if !shared.province {
                province_values(&ledger.province[ti], row);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::PathLedger;
    use crate::scenario::load_str;
    use std::path::Path;

    #[test]
    fn the_zone_metrics_are_those_of_the_contract() {
        let contract = "collected, new_project_tax, local_pool, base, increment, shortfall, \
            allocation, received, receivable, province_return, land_net, land_to_zone, fees, \
            fees_to_zone, base_grant, inflow, personnel, operating, capex, incentives, interest, \
            principal, outflow, balance, reserve_draw, borrowing, debt, reserve, funding_gap, \
            debt_ratio, interest_ratio, retained";
        let names: Vec<&str> = contract.split(',').map(str::trim).collect();
        assert_eq!(ZONE_METRICS, names.as_slice());
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
        let s = load_str(
            crate::cli::source::DEMO_MODEL,
            crate::cli::source::DEMO_PROJECTS,
            Path::new("demo"),
        )
        .unwrap();
        let layout = Layout::new(&s);
        let mut row = Vec::new();
        Layout::record(&PathLedger::new(&s), &mut row);
        assert_eq!(row.len(), layout.len());
    }
}
