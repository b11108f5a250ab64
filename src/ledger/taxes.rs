//! §4.1–4.2 and land: what a zone collects on one world, before any sharing rule. It
//! depends on the world and the zone's tax inputs only, so policy variants share it.

use crate::scenario::model::Year;
use crate::world::World;

use super::{Ledger, YearSums, ZoneTaxes};

impl Ledger<'_> {
    /// §4.1–4.2 and land: what zone `z` collects on `world`, before any sharing rule.
    pub(super) fn collect(&mut self, z: usize, world: &World, out: &mut ZoneTaxes) {
        let s = self.scenario;
        let zone = &s.zones[z];
        let base_year = s.base_year;
        let years = s.projected_years();
        let span = years + 1;
        let w = &mut self.work;

        // §4.1 Existing firms' tax grows with the zone; new projects ramp up to a flat level.
        let growth = world.growth_of(z);
        for (k, (tax, e)) in s
            .taxes
            .iter()
            .zip(w.existing.chunks_exact_mut(span))
            .enumerate()
        {
            let mut level = zone.base_revenue[k];
            e[0] = level;
            for ((e, &g), &noise) in e[1..].iter_mut().zip(growth).zip(world.tax_noise_of(z, k)) {
                level *= 1.0 + tax.elasticity * g + noise;
                *e = level;
            }
        }
        // Projects are summed by the year they enter production (by sector) and by the
        // year they land, then spread over the years by the ramp and the incentive
        // stages: a few operations per year, not per project and year.
        let produced_len = (s.horizon - self.production_from + 1) as usize;
        w.production.fill(0.0);
        w.landing.fill(0.0);
        let plan = &self.plans[z];
        for project in &plan.projects {
            let draw = world.projects[project.draw];
            // A project that did not land adds +0 where it would have landed, which
            // changes no sum: a branch on the draw mispredicted about a third of the time.
            let landed = f64::from(u8::from(draw.landed));
            let landing = project.signed_year + draw.delay as Year;
            if (self.landing_from..=s.horizon).contains(&landing) {
                w.landing[(landing - self.landing_from) as usize] += project.investment * landed;
            }
            let production = landing + project.build_years;
            if production <= s.horizon {
                let at = (production.max(self.production_from) - self.production_from) as usize;
                w.production[project.sector * produced_len + at] +=
                    project.full_tax * draw.multiplier * landed;
            }
        }
        // A project pays min((j + 1) / ramp, 1) of its full tax in its j-th year of
        // production (j = 0, 1, …).
        let first = (base_year + 1 - self.production_from) as usize;
        for ((shares, produced), taxes) in self
            .ramp_shares
            .iter()
            .zip(w.production.chunks_exact(produced_len))
            .zip(w.sector_tax.chunks_exact_mut(span))
        {
            let ramp = shares.len() + 1;
            // Tax of the projects at full production: entered at least ramp - 1 years ago.
            let mut full: f64 = produced[..=first + 1 - ramp].iter().sum();
            taxes[0] = 0.0;
            for (ti, tax) in taxes[1..].iter_mut().enumerate() {
                let at = first + ti;
                if ti > 0 {
                    full += produced[at + 1 - ramp];
                }
                let ramping: f64 = shares
                    .iter()
                    .enumerate()
                    .map(|(j, share)| produced[at - j] * share)
                    .sum();
                *tax = full + ramping;
            }
        }
        for (ti, y) in out.years.iter_mut().enumerate() {
            let year = base_year + 1 + ti as Year;
            let paid: f64 = zone
                .incentive
                .stages
                .iter()
                .map(|stage| {
                    stage.weight
                        * w.landing[(year - stage.offset as Year - self.landing_from) as usize]
                })
                .sum();
            y.incentives = zone.incentive.rate * paid;
        }
        w.new_tax.fill(0.0);
        for (sector, taxes) in s.sectors.iter().zip(w.sector_tax.chunks_exact(span)) {
            for (k, share) in sector.mix.iter().enumerate() {
                if *share == 0.0 {
                    continue;
                }
                let new_tax = &mut w.new_tax[k * span..(k + 1) * span];
                for (n, t) in new_tax.iter_mut().zip(taxes) {
                    *n += t * share;
                }
            }
        }

        // §4.2 The local pool below the central and provincial shares, and the takes
        // above it. Tax by tax, a year vector at a time: each year's sums still add the
        // taxes in order from 0.0, so the bits are those of a loop over taxes per year.
        out.pool.fill(0.0);
        out.pool_existing.fill(0.0);
        out.pool_projects.fill(0.0);
        let sums = &mut w.year_sums;
        sums.fill(YearSums::default());
        for (k, tax) in s.taxes.iter().enumerate() {
            let local = tax.local_share();
            let existing = &w.existing[k * span..(k + 1) * span];
            let new_tax = &w.new_tax[k * span..(k + 1) * span];
            for ((((pool, pool_e), pool_n), &e), &n) in out
                .pool
                .iter_mut()
                .zip(out.pool_existing.iter_mut())
                .zip(out.pool_projects.iter_mut())
                .zip(existing)
                .zip(new_tax)
            {
                *pool += (e + n) * local;
                *pool_e += e * local;
                *pool_n += n * local;
            }
            let c_base = existing[0];
            for ((sum, &e), &n) in sums.iter_mut().zip(&existing[1..]).zip(&new_tax[1..]) {
                let c = e + n;
                sum.collected += c;
                sum.new_tax += n;
                sum.central += c * tax.central_share;
                sum.province += c * tax.province_share;
                // Tax by tax against the base year, never re-based. (No growth and NaN
                // both count 0, as `max(0.0)` would.)
                let growth = c - c_base;
                let growth = if growth > 0.0 { growth } else { 0.0 };
                sum.province_growth += tax.province_share * growth;
            }
        }

        let land = world.land_area_of(z);
        for (((y, sum), &area), &price_index) in out
            .years
            .iter_mut()
            .zip(sums.iter())
            .zip(land)
            .zip(&w.price_index)
        {
            y.collected = sum.collected;
            y.new_project_tax = sum.new_tax;
            y.to_central = sum.central;
            y.to_province = sum.province;
            y.province_growth = sum.province_growth;
            y.land_net =
                zone.land.area * area * zone.land.price * price_index * (1.0 - zone.land.deduction);
        }
    }
}
