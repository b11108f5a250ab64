//! The world sampler (DOMAIN.md §5): one draw of everything uncertain, per path.
//!
//! A [`World`] holds growth, interest rates, land prices and areas, tax noise and the
//! fate of every project (landed? delay? intensity multiplier?). It never depends on
//! policy: the ledger evaluates any number of policies on the same world.
//!
//! Every path consumes the same number of standard draws in the same order, whatever
//! the parameters (an sd of 0 still draws its normal and multiplies it by 0), so two
//! scenarios that differ only in a parameter see the same underlying numbers.

pub mod stream;

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

use crate::scenario::model::{MeanSd, Scenario};

pub use stream::{PathRng, path_rng};

/// What became of one project in one world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectDraw {
    pub landed: bool,
    /// Years between signing and landing.
    pub delay: u32,
    /// Lognormal (mean 1) multiplier on the project's tax intensity; 1 (and unused)
    /// when the project does not land.
    pub multiplier: f64,
}

/// One sampled world. Year index `ti` runs over projected years (`ti = 0` is base_year+1).
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub years: usize,
    pub taxes: usize,
    /// Zone output growth `g[z,t]`, at `[z * years + ti]`.
    pub growth: Vec<f64>,
    /// Interest rate on zone debt `r[t]`.
    pub interest_rate: Vec<f64>,
    /// Land price growth `h[t]`, one factor for all zones.
    pub land_price_growth: Vec<f64>,
    /// Tax noise `eps[z,k,t]`, at `[(z * taxes + k) * years + ti]`.
    pub tax_noise: Vec<f64>,
    /// Lognormal (mean 1) multiplier on land area sold, at `[z * years + ti]`.
    pub land_area: Vec<f64>,
    pub projects: Vec<ProjectDraw>,
    /// Scratch for the independent and correlated factor shocks of one year.
    shocks: Vec<f64>,
    /// Scratch: the indices of the projects landed in this draw.
    landed: Vec<u32>,
}

impl World {
    /// The world where every draw sits at its centre: growth at its mean, rates at
    /// their means, no noise, multipliers 1, every project landed without delay.
    pub fn central(scenario: &Scenario) -> World {
        let years = scenario.projected_years();
        let taxes = scenario.taxes.len();
        let zones = scenario.zones.len();
        let growth = scenario
            .zones
            .iter()
            .flat_map(|z| std::iter::repeat_n(z.growth.mean, years))
            .collect();
        World {
            years,
            taxes,
            growth,
            interest_rate: vec![scenario.economy.interest_rate.mean; years],
            land_price_growth: vec![scenario.economy.land_price_growth.mean; years],
            tax_noise: vec![0.0; zones * taxes * years],
            land_area: vec![1.0; zones * years],
            projects: vec![
                ProjectDraw {
                    landed: true,
                    delay: 0,
                    multiplier: 1.0
                };
                scenario.projects.len()
            ],
            shocks: Vec::new(),
            landed: Vec::new(),
        }
    }

    /// Zone `zone`'s output growth, by projected year.
    pub fn growth_of(&self, zone: usize) -> &[f64] {
        &self.growth[zone * self.years..(zone + 1) * self.years]
    }

    /// The noise on tax `tax` in zone `zone`, by projected year.
    pub fn tax_noise_of(&self, zone: usize, tax: usize) -> &[f64] {
        let from = (zone * self.taxes + tax) * self.years;
        &self.tax_noise[from..from + self.years]
    }

    /// Zone `zone`'s land area multipliers, by projected year.
    pub fn land_area_of(&self, zone: usize) -> &[f64] {
        &self.land_area[zone * self.years..(zone + 1) * self.years]
    }
}

/// A lognormal with mean 1 whose own sd is `s`: `sigma² = ln(1+s²)`, `mu = -sigma²/2`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct UnitLogNormal {
    mu: f64,
    sigma: f64,
}

impl UnitLogNormal {
    fn with_sd(s: f64) -> Self {
        let var = (1.0 + s * s).ln();
        UnitLogNormal {
            mu: -var / 2.0,
            sigma: var.sqrt(),
        }
    }

    fn at(self, z: f64) -> f64 {
        (self.mu + self.sigma * z).exp()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ProjectLaw {
    p_land: f64,
    intensity: UnitLogNormal,
}

/// Draws worlds for one scenario. Built once per run (all checks and factorisations
/// happen here); drawing allocates nothing and cannot fail.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldSampler {
    years: usize,
    taxes: usize,
    /// Lower Cholesky factor, row-major, `factors × factors`.
    factor: Vec<f64>,
    factors: usize,
    zone_growth: Vec<MeanSd>,
    persistence: f64,
    interest_rate: MeanSd,
    land_price_growth: MeanSd,
    noise_sd: Vec<f64>,
    land_area: Vec<UnitLogNormal>,
    projects: Vec<ProjectLaw>,
    /// Cumulative delay probabilities of every project, `delay_width` a project: its
    /// own, the last made infinite (they sum to 1 within 1e-9), then infinities. The
    /// delay is the number of steps at or below the draw: the same count for every
    /// project and no branch on the draw, which mispredicted about once a project.
    delay_cdf: Vec<f64>,
    delay_width: usize,
}

impl WorldSampler {
    pub fn new(scenario: &Scenario) -> WorldSampler {
        let l = &scenario.economy.correlation_factor;
        let factors = l.nrows();
        let factor = (0..factors)
            .flat_map(|i| (0..factors).map(move |j| (i, j)))
            .map(|(i, j)| if j <= i { l[(i, j)] } else { 0.0 })
            .collect();
        let projects = scenario
            .projects
            .iter()
            .map(|p| ProjectLaw {
                p_land: p.p_land,
                intensity: UnitLogNormal::with_sd(scenario.sectors[p.sector].intensity_sd),
            })
            .collect();
        let delay_width = (scenario.projects.iter())
            .map(|p| p.delay_probs.len())
            .max()
            .unwrap_or(1)
            .max(1);
        let mut delay_cdf = vec![f64::INFINITY; delay_width * scenario.projects.len()];
        for (p, steps) in scenario
            .projects
            .iter()
            .zip(delay_cdf.chunks_exact_mut(delay_width))
        {
            let mut acc = 0.0;
            // The last step stays infinite: certain.
            let known = p.delay_probs.len().saturating_sub(1);
            for (step, q) in steps.iter_mut().zip(&p.delay_probs[..known]) {
                acc += q;
                *step = acc;
            }
        }
        WorldSampler {
            years: scenario.projected_years(),
            taxes: scenario.taxes.len(),
            factor,
            factors,
            zone_growth: scenario.zones.iter().map(|z| z.growth).collect(),
            persistence: scenario.economy.persistence,
            interest_rate: scenario.economy.interest_rate,
            land_price_growth: scenario.economy.land_price_growth,
            noise_sd: scenario.taxes.iter().map(|t| t.noise_sd).collect(),
            land_area: scenario
                .zones
                .iter()
                .map(|z| UnitLogNormal::with_sd(z.land.area_sd))
                .collect(),
            projects,
            delay_cdf,
            delay_width,
        }
    }

    /// An empty world of the right shape, to be filled by [`WorldSampler::sample_into`].
    pub fn blank(&self) -> World {
        let zones = self.zone_growth.len();
        World {
            years: self.years,
            taxes: self.taxes,
            growth: vec![0.0; zones * self.years],
            interest_rate: vec![0.0; self.years],
            land_price_growth: vec![0.0; self.years],
            tax_noise: vec![0.0; zones * self.taxes * self.years],
            land_area: vec![0.0; zones * self.years],
            projects: vec![
                ProjectDraw {
                    landed: false,
                    delay: 0,
                    multiplier: 1.0
                };
                self.projects.len()
            ],
            shocks: vec![0.0; 2 * self.factors],
            landed: vec![0; self.projects.len()],
        }
    }

    /// Fill `world` with one draw. Projects first, then years in order, so changing
    /// the horizon leaves the projects' fates and the early years unchanged.
    // Inlined into the engine's path loop: compiled on its own (as a change to the
    // ledger once made the compiler choose), its normal draws took 9 million more
    // instructions in 2,000 paths of scenarios/large.
    #[inline]
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, world: &mut World) {
        // Landed projects are listed without a branch on the draw: the index is written
        // either way (at most at its own place) and kept only when the project lands.
        world.landed.resize(self.projects.len(), 0);
        let mut landed = 0;
        for (i, ((law, draw), steps)) in (self.projects.iter())
            .zip(world.projects.iter_mut())
            .zip(self.delay_cdf.chunks_exact(self.delay_width))
            .enumerate()
        {
            let u_land: f64 = rng.random();
            let u_delay: f64 = rng.random();
            let z: f64 = StandardNormal.sample(rng);
            draw.landed = u_land < law.p_land;
            draw.delay = steps.iter().map(|&c| u32::from(c <= u_delay)).sum();
            // The normal is drawn either way (fixed draw count); a landed project keeps
            // it until the loop below.
            draw.multiplier = if draw.landed { z } else { 1.0 };
            world.landed[landed] = i as u32;
            landed += usize::from(draw.landed);
        }
        // The multipliers in a loop of their own, over the landed projects only: `exp`
        // between the draws cost about twice what it costs here (benches/README.md,
        // session 9), and a branch on `landed` mispredicted.
        for &i in &world.landed[..landed] {
            let i = i as usize;
            let draw = &mut world.projects[i];
            draw.multiplier = self.projects[i].intensity.at(draw.multiplier);
        }

        let zones = self.zone_growth.len();
        let (ir, lp) = (zones, zones + 1);
        world.shocks.resize(2 * self.factors, 0.0);
        let (u, x) = world.shocks.split_at_mut(self.factors);

        for ti in 0..self.years {
            for ui in u.iter_mut() {
                *ui = StandardNormal.sample(rng);
            }
            // x = L u, L lower triangular.
            for (i, xi) in x.iter_mut().enumerate() {
                let row = &self.factor[i * self.factors..i * self.factors + i + 1];
                *xi = row.iter().zip(u.iter()).map(|(l, v)| l * v).sum();
            }
            for (z, g) in self.zone_growth.iter().enumerate() {
                let previous = if ti == 0 {
                    g.mean
                } else {
                    world.growth[z * self.years + ti - 1]
                };
                world.growth[z * self.years + ti] =
                    g.mean + self.persistence * (previous - g.mean) + g.sd * x[z];
            }
            world.interest_rate[ti] = self.interest_rate.mean + self.interest_rate.sd * x[ir];
            world.land_price_growth[ti] =
                self.land_price_growth.mean + self.land_price_growth.sd * x[lp];
            for z in 0..zones {
                for (k, sd) in self.noise_sd.iter().enumerate() {
                    let e: f64 = StandardNormal.sample(rng);
                    world.tax_noise[(z * self.taxes + k) * self.years + ti] = sd * e;
                }
                let a: f64 = StandardNormal.sample(rng);
                world.land_area[z * self.years + ti] = self.land_area[z].at(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_lognormal_has_mean_one_and_the_given_sd() {
        let law = UnitLogNormal::with_sd(0.3);
        let mut rng = path_rng(1, 1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n)
            .map(|_| law.at(StandardNormal.sample(&mut rng)))
            .collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((mean - 1.0).abs() < 0.005, "mean {mean}");
        assert!((sd - 0.3).abs() < 0.005, "sd {sd}");
        assert_eq!(UnitLogNormal::with_sd(0.0).at(1.7), 1.0);
    }
}
