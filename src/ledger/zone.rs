//! §4.2–4.7: a zone's own ledger from its taxes: the pool split by the policy in force,
//! the provincial return, delivery with each year's lag, land and fees, and the budget
//! year by year.

use crate::world::World;

use super::budget::{DebtState, close_year};
use super::records::ZoneYear;
use super::sharing::{Pool, split_pool};
use super::{Ledger, ZoneTaxes};

impl Ledger<'_> {
    /// §4.2–4.7 Zone `z`'s ledger from its `taxes`; returns its allocations outstanding
    /// at the end of the base year.
    pub(super) fn share(
        &mut self,
        z: usize,
        world: &World,
        taxes: &ZoneTaxes,
        out: &mut [ZoneYear],
    ) -> f64 {
        let s = self.scenario;
        let zone = &s.zones[z];
        let base_year = s.base_year;
        let plan = &self.plans[z];
        let w = &mut self.work;

        // §4.5 Accruals before the projection: the base shares of the base-year pool.
        let pre = (base_year + 1 - self.first_accrual) as usize;
        for i in 0..pre {
            let policy = &s.policies[plan.in_force[i]];
            w.accrued[i] = policy.base_shares.zone * taxes.pool[0];
            w.accrued_return[i] = 0.0;
        }

        // §4.2–4.4 Takes, base and increment, and the split of every projected year.
        for ((ti, y), t) in out.iter_mut().enumerate().zip(&taxes.years) {
            let yi = ti + 1;
            let policy = &s.policies[plan.in_force[pre + ti]];
            let n = policy.base_reset_years as usize;
            let base = if n == 0 {
                taxes.pool[0]
            } else {
                taxes.pool[n * (ti / n)]
            };
            let split = split_pool(
                policy,
                Pool {
                    total: taxes.pool[yi],
                    existing: taxes.pool_existing[yi],
                    projects: taxes.pool_projects[yi],
                },
                base,
            );
            let province_return = policy.province_return * t.province_growth;
            w.accrued[pre + ti] = split.zone;
            w.accrued_return[pre + ti] = province_return;

            let land_net = t.land_net;
            let fees = plan.fees[ti];
            *y = ZoneYear {
                collected: t.collected,
                new_project_tax: t.new_project_tax,
                local_pool: taxes.pool[yi],
                base: split.base,
                increment: split.increment,
                shortfall: split.shortfall,
                allocation: split.zone,
                land_net,
                land_to_zone: policy.land_return * land_net,
                land_to_parent: land_net - policy.land_return * land_net,
                fees,
                fees_to_zone: policy.fee_return * fees,
                fees_to_parent: fees - policy.fee_return * fees,
                base_grant: zone.base_grant,
                personnel: plan.personnel[ti],
                operating: plan.operating[ti],
                capex: plan.capex[ti],
                incentives: t.incentives,
                to_central: t.to_central,
                to_province: t.to_province,
                province_return_accrued: province_return,
                to_city: split.city,
                to_county: split.county,
                ..ZoneYear::default()
            };
        }

        // §4.5 Delivery with each accrual year's lag.
        let opening = plan
            .schedule
            .deliver(&w.accrued, &mut w.received, &mut w.receivable);
        plan.schedule.deliver(
            &w.accrued_return,
            &mut w.return_received,
            &mut w.return_receivable,
        );

        // §4.7 The zone's budget, year by year.
        let mut state = DebtState {
            debt: zone.debt.balance,
            reserve: zone.reserve,
        };
        for (ti, y) in out.iter_mut().enumerate() {
            y.received = w.received[ti];
            y.receivable = w.receivable[ti];
            y.province_return = w.return_received[ti];
            y.province_return_receivable = w.return_receivable[ti];
            y.inflow =
                y.received + y.province_return + y.land_to_zone + y.fees_to_zone + y.base_grant;
            let spending = y.personnel + y.operating + y.capex + y.incentives;
            close_year(
                &mut state,
                y.inflow,
                spending,
                world.interest_rate[ti],
                &zone.debt,
                y,
            );
            y.retained = y.inflow;
        }
        opening
    }
}
