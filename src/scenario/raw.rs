//! Raw serde mirrors of `model.toml` (DOMAIN.md §3), before any validation.
//!
//! Stage one of loading: the toml crate checks syntax, types and key names here
//! (`deny_unknown_fields` everywhere, so a misspelt key is an error that names it).
//! Optional keys are `Option`; whole numbers (years, counts, lags) are read as `f64`
//! so that `3.0` from a sweep is accepted and `2.5` gets a message of ours rather
//! than a type error. Stage two (`validate.rs`) turns these into the
//! validated [`crate::scenario::model::Scenario`].

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole `model.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub name: String,
    pub base_year: Option<f64>,
    pub horizon: f64,
    pub simulation: Option<Simulation>,
    #[serde(default)]
    pub taxes: Vec<Tax>,
    #[serde(rename = "macro")]
    pub economy: Macro,
    #[serde(default)]
    pub counties: BTreeMap<String, County>,
    #[serde(default)]
    pub zones: Vec<Zone>,
    #[serde(default)]
    pub sectors: BTreeMap<String, Sector>,
    #[serde(default)]
    pub policies: BTreeMap<String, Policy>,
}

/// `[simulation]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    pub paths: Option<f64>,
    pub seed: Option<u64>,
}

/// One `[[taxes]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tax {
    pub id: String,
    pub central_share: f64,
    pub province_share: f64,
    pub elasticity: Option<f64>,
    pub noise_sd: Option<f64>,
}

/// `{ mean = …, sd = … }`; `sd` defaults to 0.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: Option<f64>,
}

/// `{ mean = …, sd = … }` whose every item defaults to 0, as a table with a default
/// (`land_price_growth`, DOMAIN.md §3: `{mean 0, sd 0}`) has.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultMeanSd {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

/// `[macro]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Macro {
    pub persistence: Option<f64>,
    pub interest_rate: MeanSd,
    pub land_price_growth: Option<DefaultMeanSd>,
    #[serde(default)]
    pub correlation: Vec<Correlation>,
}

/// One `{ a = …, b = …, rho = … }` entry of `[macro].correlation`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    pub a: String,
    pub b: String,
    pub rho: f64,
}

/// `[counties.<id>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct County {
    pub name: Option<String>,
}

/// One `[[zones]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    pub name: Option<String>,
    pub county: Option<String>,
    pub policy: String,
    pub growth: MeanSd,
    /// Tax id → amount collected in the base year (万元).
    pub base_revenue: BTreeMap<String, f64>,
    pub base_grant: Option<f64>,
    pub fees: Option<Fees>,
    pub land: Option<Land>,
    pub spending: Option<Spending>,
    pub incentive: Option<Incentive>,
    pub debt: Option<Debt>,
    pub reserve: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fees {
    pub base: Option<f64>,
    pub growth: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Land {
    pub area: Option<f64>,
    pub area_sd: Option<f64>,
    pub price: Option<f64>,
    pub deduction: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spending {
    pub staff: Option<f64>,
    pub salary: Option<f64>,
    pub perf_pay: Option<f64>,
    pub perf_multiplier: Option<f64>,
    pub wage_growth: Option<f64>,
    pub operating: Option<f64>,
    /// Year (as a TOML key, e.g. `2025`) → capital spending (万元).
    pub capex: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incentive {
    pub rate: Option<f64>,
    /// `[offset, weight]` pairs; their length and the offset's integrality are checked
    /// in validation, for a better message than serde's.
    pub stages: Option<Vec<Vec<f64>>>,
}

/// `debt`: when the table is present, `balance`, `amortization` and `limit` are required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Debt {
    pub balance: f64,
    pub amortization: f64,
    pub limit: f64,
    pub warning_ratio: Option<f64>,
}

/// `[sectors.<id>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    pub tax_intensity: f64,
    pub intensity_sd: Option<f64>,
    pub ramp_years: f64,
    /// Tax id → share of a project's tax.
    pub mix: BTreeMap<String, f64>,
}

/// `{ city = …, county = …, zone = … }`; a missing member is 0.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shares {
    pub city: Option<f64>,
    pub county: Option<f64>,
    pub zone: Option<f64>,
}

/// One `{ up_to = …, zone = … }` band; only the last band omits `up_to`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub up_to: Option<f64>,
    pub zone: f64,
}

/// `[policies.<id>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub increment_basis: Option<String>,
    pub base_shares: Shares,
    pub increment_shares: Shares,
    #[serde(default)]
    pub bands: Vec<Band>,
    pub shortfall: Option<String>,
    pub delivery: String,
    pub transfer_lag: Option<f64>,
    pub base_reset_years: Option<f64>,
    pub land_return: f64,
    pub fee_return: f64,
    pub province_return: Option<f64>,
    pub end_year: Option<f64>,
    pub after: Option<String>,
}

/// The columns of `projects.csv`, in the documented order (`tax_intensity` optional).
pub const PROJECT_COLUMNS: [&str; 10] = [
    "id",
    "zone",
    "name",
    "sector",
    "investment",
    "signed_year",
    "build_years",
    "p_land",
    "delay_probs",
    "tax_intensity",
];

/// The columns of `projects.csv` that must be present.
pub const REQUIRED_PROJECT_COLUMNS: [&str; 9] = [
    "id",
    "zone",
    "name",
    "sector",
    "investment",
    "signed_year",
    "build_years",
    "p_land",
    "delay_probs",
];
