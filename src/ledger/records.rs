//! What the ledger reports for each level of government in one projected year: a zone,
//! the city or a county, the centre and the province (DOMAIN.md §6's rows).

/// One zone in one projected year (万元, except the two ratios).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ZoneYear {
    /// Tax collected in the zone, all taxes (existing firms + new projects).
    pub collected: f64,
    pub new_project_tax: f64,
    /// Local pool `P` (地方留成): collected less central and provincial shares.
    pub local_pool: f64,
    pub base: f64,
    pub increment: f64,
    pub shortfall: f64,
    /// The zone's allocation accrued this year (negative: remitted, 上解).
    pub allocation: f64,
    /// Allocations received this year (after the transfer lag).
    pub received: f64,
    /// Allocations accrued and not yet received, at the end of the year.
    pub receivable: f64,
    /// Provincial increment return received this year (省级增量返还).
    pub province_return: f64,
    /// Net land revenue of the zone (gross less deduction), all of it.
    pub land_net: f64,
    pub land_to_zone: f64,
    /// Fees collected in the zone, all of them.
    pub fees: f64,
    pub fees_to_zone: f64,
    pub base_grant: f64,
    /// The zone's 综合财力: received + province return + land + fees + base grant.
    pub inflow: f64,
    pub personnel: f64,
    pub operating: f64,
    pub capex: f64,
    pub incentives: f64,
    pub interest: f64,
    pub principal: f64,
    pub outflow: f64,
    pub balance: f64,
    pub reserve_draw: f64,
    pub borrowing: f64,
    pub debt: f64,
    pub reserve: f64,
    pub funding_gap: f64,
    /// 债务率: debt / inflow, capped at 999.
    pub debt_ratio: f64,
    /// 利息支出率: interest / (outflow - principal).
    pub interest_ratio: f64,
    /// Retained funds (留存财力) = inflow.
    pub retained: f64,

    // Where the rest of the zone's money goes (not in summary.csv's zone rows).
    /// Central take on the zone's tax.
    pub to_central: f64,
    /// Provincial take on the zone's tax.
    pub to_province: f64,
    /// Provincial increment return accrued this year.
    pub province_return_accrued: f64,
    /// Provincial returns accrued, not yet received, at the end of the year.
    pub province_return_receivable: f64,
    /// The city's share of the pool.
    pub to_city: f64,
    /// The county's share of the pool.
    pub to_county: f64,
    pub land_to_parent: f64,
    pub fees_to_parent: f64,
}

/// The city or a county in one projected year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GovYear {
    /// Its shares of every zone's pool.
    pub allocation: f64,
    /// Land remainders of the zones it parents.
    pub land_net: f64,
    /// Fee remainders of the zones it parents.
    pub fees: f64,
    /// Base grants it pays to the zones it parents.
    pub base_grants: f64,
    pub retained: f64,
    /// Allocations of its zones accrued, not yet paid, at the end of the year.
    pub payable: f64,
}

impl GovYear {
    /// Its retained funds, once every zone has added to it.
    pub(super) fn close(&mut self) {
        self.retained = self.allocation + self.land_net + self.fees - self.base_grants;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CentralYear {
    pub take: f64,
    pub retained: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProvinceYear {
    pub take: f64,
    /// Provincial increment returns accrued this year.
    pub province_return: f64,
    pub retained: f64,
    /// Provincial returns accrued, not yet paid, at the end of the year.
    pub payable: f64,
}
