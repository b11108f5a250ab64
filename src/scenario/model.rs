//! The validated scenario: what the world sampler and the ledger read.
//!
//! Every value here has passed the rules of DOMAIN.md §3, so downstream code never
//! re-checks it. Money is in 万元 (CNY 10,000), rates and shares are fractions,
//! ids are resolved to indices (`zone.policy` is an index into `Scenario::policies`).

use std::collections::BTreeMap;

use nalgebra::DMatrix;

/// A calendar / fiscal year.
pub type Year = i32;

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// The observed base year (基准年); projected years are `base_year+1 ..= horizon`.
    pub base_year: Year,
    pub horizon: Year,
    pub simulation: Simulation,
    pub taxes: Vec<Tax>,
    pub economy: Economy,
    pub counties: Vec<County>,
    pub zones: Vec<Zone>,
    pub sectors: Vec<Sector>,
    pub policies: Vec<Policy>,
    /// The investment pipeline (招商引资项目), from `projects.csv`.
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Monte Carlo paths (≥ 1).
    pub paths: usize,
    pub seed: u64,
}

/// One tax type and how its collected revenue is split above the local pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Tax {
    pub id: String,
    /// Share of collected revenue that goes to the centre (中央分享比例).
    pub central_share: f64,
    /// Share of collected revenue that goes to the province (省级分享比例).
    pub province_share: f64,
    /// Response of existing firms' tax to zone output growth.
    pub elasticity: f64,
    /// Sd of the idiosyncratic yearly noise on that growth.
    pub noise_sd: f64,
}

impl Tax {
    /// The local share of collected revenue: `1 - central - province`.
    pub fn local_share(&self) -> f64 {
        1.0 - self.central_share - self.province_share
    }
}

/// A normal distribution given by its mean and sd (sd ≥ 0; sd 0 is a constant).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: f64,
}

/// The `[macro]` table: common factors of the world.
#[derive(Debug, Clone, PartialEq)]
pub struct Economy {
    /// AR(1) coefficient of zone growth deviations, |persistence| < 1.
    pub persistence: f64,
    pub interest_rate: MeanSd,
    pub land_price_growth: MeanSd,
    /// Correlation matrix over the factors `[zone ids…, interest_rate, land_price]`
    /// (see [`Scenario::factor_names`]); symmetric, unit diagonal, positive definite.
    pub correlation: DMatrix<f64>,
    /// Lower-triangular Cholesky factor `L` of `correlation` (`L Lᵀ = correlation`).
    pub correlation_factor: DMatrix<f64>,
}

/// A county or district (县/区) that parents zones.
#[derive(Debug, Clone, PartialEq)]
pub struct County {
    pub id: String,
    pub name: String,
}

/// An economic development zone (开发区).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub id: String,
    pub name: String,
    /// Index into `Scenario::counties`; `None`: managed directly by the city (市直管).
    pub county: Option<usize>,
    /// Index into `Scenario::policies`: the policy in force from the base year on.
    pub policy: usize,
    /// Yearly output growth of the zone's existing firms.
    pub growth: MeanSd,
    /// Tax collected in the base year, by tax index (万元).
    pub base_revenue: Vec<f64>,
    /// Fixed yearly transfer from the parent government (万元).
    pub base_grant: f64,
    pub fees: Fees,
    pub land: Land,
    pub spending: Spending,
    pub incentive: Incentive,
    pub debt: Debt,
    /// Opening reserve (万元) at the end of the base year.
    pub reserve: f64,
}

/// Administrative fees (行政事业性收费) collected in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Fees {
    /// Fees in the base year (万元).
    pub base: f64,
    /// Yearly growth rate.
    pub growth: f64,
}

/// Land sales (土地出让).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Land {
    /// Mu sold per year, on average.
    pub area: f64,
    /// Sd of the lognormal (mean 1) multiplier on the area sold each year.
    pub area_sd: f64,
    /// Price per mu in the base year (万元/亩).
    pub price: f64,
    /// Share of gross land revenue deducted for costs (征地拆迁等成本).
    pub deduction: f64,
}

/// The zone's spending commitments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spending {
    /// Head count.
    pub staff: f64,
    /// Base salary per head and year (万元).
    pub salary: f64,
    /// Performance pay per head and year (万元), before the multiplier.
    pub perf_pay: f64,
    pub perf_multiplier: f64,
    /// Yearly growth of personnel and operating costs.
    pub wage_growth: f64,
    /// Operating costs in the base year (万元).
    pub operating: f64,
    /// Capital spending by year (万元); years outside the projection are ignored.
    pub capex: BTreeMap<Year, f64>,
}

/// Investment-attraction incentives (招商激励), paid by stage after a project lands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Incentive {
    /// Share of the investment paid out in all.
    pub rate: f64,
    pub stages: Vec<IncentiveStage>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncentiveStage {
    /// Years after landing.
    pub offset: u32,
    pub weight: f64,
}

/// The zone's debt (债务) and its warning line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Debt {
    /// Opening debt stock at the end of the base year (万元).
    pub balance: f64,
    /// Share of last year's stock repaid each year.
    pub amortization: f64,
    /// Cap on the debt stock (债务限额, 万元).
    pub limit: f64,
    /// Debt ratio above which a warning is raised (default 1.2, the 120% line).
    pub warning_ratio: f64,
}

impl Default for Debt {
    fn default() -> Self {
        Debt {
            balance: 0.0,
            amortization: 0.0,
            limit: 0.0,
            warning_ratio: 1.2,
        }
    }
}

/// An industry and the tax its projects bring.
#[derive(Debug, Clone, PartialEq)]
pub struct Sector {
    pub id: String,
    /// Collected tax per year at full production, per unit of investment.
    pub tax_intensity: f64,
    /// Sd of the lognormal (mean 1) multiplier on a project's intensity.
    pub intensity_sd: f64,
    /// Years to full production (≥ 1).
    pub ramp_years: u32,
    /// Shares of a project's tax by tax index; sums to 1.
    pub mix: Vec<f64>,
}

/// Shares of a sum among city (市), county (县/区) and zone (开发区); sum to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shares {
    pub city: f64,
    pub county: f64,
    pub zone: f64,
}

/// What counts as the increment (增量).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrementBasis {
    /// Everything above the base (核定基数、增量分成).
    TotalOverBase,
    /// Only the tax of new projects (招商引资新增税收).
    NewProjectsOnly,
}

/// Who bears a pool below its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// The smaller base part is split by the base shares.
    Shared,
    /// City and county keep their base shares of the full base; the zone makes up
    /// the difference (and remits, 上解, if its allocation turns negative).
    ZoneBears,
}

/// How the zone receives its allocation (返还方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Independent treasury (独立金库): received in the year it accrues.
    Treasury,
    /// Transfer payment (转移支付): received `lag` years after it accrues.
    Transfer { lag: u32 },
}

impl Delivery {
    /// Years between accrual and receipt.
    pub fn lag(self) -> u32 {
        match self {
            Delivery::Treasury => 0,
            Delivery::Transfer { lag } => lag,
        }
    }
}

/// One band of a progressive (超额累进) increment split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Upper bound of increment growth `inc / base` in this band; `None`: open-ended.
    pub up_to: Option<f64>,
    /// The zone's share of the increment in this band.
    pub zone: f64,
}

/// A sharing rule: how the local pool of a zone is split.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub increment_basis: IncrementBasis,
    pub base_shares: Shares,
    pub increment_shares: Shares,
    /// Progressive bands; empty: the increment is split by `increment_shares`.
    pub bands: Vec<Band>,
    pub shortfall: Shortfall,
    pub delivery: Delivery,
    /// Re-set the base every n years (一定n年); 0: never.
    pub base_reset_years: u32,
    /// Share of net land revenue returned to the zone.
    pub land_return: f64,
    /// Share of fees returned to the zone.
    pub fee_return: f64,
    /// Share of the province's take on the increment returned to the zone (省级增量返还).
    pub province_return: f64,
    /// Last year this policy is in force, when `after` names its successor.
    pub end_year: Option<Year>,
    /// Index into `Scenario::policies` of the policy in force after `end_year`.
    pub after: Option<usize>,
}

/// A signed investment project (招商引资项目).
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: String,
    /// Index into `Scenario::zones`.
    pub zone: usize,
    pub name: String,
    /// Index into `Scenario::sectors`.
    pub sector: usize,
    /// Investment (万元).
    pub investment: f64,
    pub signed_year: Year,
    /// Years from landing to production (0: production in the landing year).
    pub build_years: u32,
    /// Probability that the project lands at all.
    pub p_land: f64,
    /// `delay_probs[d]` = P(landing `d` years after signing); sums to 1.
    pub delay_probs: Vec<f64>,
    /// Overrides the sector's tax intensity.
    pub tax_intensity: Option<f64>,
}

impl Scenario {
    /// Number of projected years (`horizon - base_year`).
    pub fn projected_years(&self) -> usize {
        (self.horizon - self.base_year) as usize
    }

    /// The projected years, `base_year+1 ..= horizon`.
    pub fn years(&self) -> impl Iterator<Item = Year> + use<> {
        (self.base_year + 1)..=self.horizon
    }

    /// Names of the correlated factors, in the order of `economy.correlation`.
    pub fn factor_names(&self) -> Vec<String> {
        self.zones
            .iter()
            .map(|z| z.id.clone())
            .chain(["interest_rate".to_string(), "land_price".to_string()])
            .collect()
    }

    /// The policy of `zone` in force in `year`, following `end_year` → `after` chains.
    pub fn policy_in_force(&self, zone: usize, year: Year) -> usize {
        let mut p = self.zones[zone].policy;
        // Validation guarantees end years increase along a chain, so this terminates.
        while let (Some(end), Some(next)) = (self.policies[p].end_year, self.policies[p].after) {
            if year <= end {
                break;
            }
            p = next;
        }
        p
    }

    /// The tax intensity of a project: its own, or its sector's.
    pub fn project_intensity(&self, project: &Project) -> f64 {
        project
            .tax_intensity
            .unwrap_or(self.sectors[project.sector].tax_intensity)
    }
}
