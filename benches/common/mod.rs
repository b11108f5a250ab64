//! What the benches share: the large scenario and the batch of 50 policy variants.

use std::path::Path;

use fencheng::scenario::{Scenario, load_dir};

/// `scenarios/large`: 5 zones, 6 taxes, 200 projects, 2025–2035.
pub fn large() -> Scenario {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/large")).expect("valid")
}

/// 50 variants of one policy's zone share of the increment, 0.40 … 0.89, the city's and
/// county's shares rescaled so the group still sums to 1.
pub fn zone_share_variants(base: &Scenario) -> Vec<Scenario> {
    let reset3 = base
        .policies
        .iter()
        .position(|p| p.id == "reset3")
        .expect("scenarios/large has policy reset3");
    (0..50)
        .map(|i| {
            let mut v = base.clone();
            let shares = &mut v.policies[reset3].increment_shares;
            let zone = 0.40 + 0.01 * f64::from(i);
            let rest = (shares.city + shares.county).max(f64::MIN_POSITIVE);
            let (city, county) = (shares.city / rest, shares.county / rest);
            shares.zone = zone;
            shares.city = (1.0 - zone) * city;
            shares.county = (1.0 - zone) * county;
            v
        })
        .collect()
}
