//! Mean and population variance, mergeable.
//!
//! Values are summed as deviations from a shift (the first value seen), which keeps the
//! sums small and makes a constant series give sd exactly 0. Merging uses Chan et al.'s
//! pairwise formula; merged in a fixed order, results are bit-identical.

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    n: u64,
    shift: f64,
    /// Σ (x - shift)
    sum: f64,
    /// Σ (x - shift)²
    sum_sq: f64,
}

impl Moments {
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.n == 0 {
            self.shift = x;
        }
        let d = x - self.shift;
        self.sum += d;
        self.sum_sq += d * d;
        self.n += 1;
    }

    /// Moments from sums of deviations from `shift` over `n` values.
    pub fn from_shifted_sums(n: u64, shift: f64, sum: f64, sum_sq: f64) -> Moments {
        Moments {
            n,
            shift,
            sum,
            sum_sq,
        }
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.shift + self.sum / self.n as f64
    }

    /// Σ (x - mean)².
    fn m2(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        (self.sum_sq - self.sum * self.sum / self.n as f64).max(0.0)
    }

    /// Population sd (divides by n).
    pub fn sd(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        (self.m2() / self.n as f64).sqrt()
    }

    /// Fold `other` in. Not commutative in the last bits: merge in a fixed order.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let (mean_a, mean_b) = (self.mean(), other.mean());
        let delta = mean_b - mean_a;
        let mean = mean_a + delta * (nb / n);
        let m2 = self.m2() + other.m2() + delta * delta * (na * nb / n);
        *self = Moments {
            n: self.n + other.n,
            shift: mean,
            sum: 0.0,
            sum_sq: m2,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn mean_and_population_sd() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.add(x);
        }
        assert_relative_eq!(m.mean(), 5.0);
        assert_relative_eq!(m.sd(), 2.0);
    }

    #[test]
    fn constant_series_has_exact_mean_and_zero_sd_after_merges() {
        let x = 123_456.789_012;
        let mut parts: Vec<Moments> = (0..5)
            .map(|i| {
                let mut m = Moments::default();
                for _ in 0..(10 + i) {
                    m.add(x);
                }
                m
            })
            .collect();
        let mut all = parts.remove(0);
        for p in &parts {
            all.merge(p);
        }
        assert_eq!(all.mean(), x);
        assert_eq!(all.sd(), 0.0);
        assert_eq!(all.count(), 60);
    }

    #[test]
    fn merging_matches_a_single_pass() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1013) as f64 * 1.5 + 1e6)
            .collect();
        let mut one = Moments::default();
        xs.iter().for_each(|&x| one.add(x));
        let mut merged = Moments::default();
        for chunk in xs.chunks(97) {
            let mut m = Moments::default();
            chunk.iter().for_each(|&x| m.add(x));
            merged.merge(&m);
        }
        assert_relative_eq!(one.mean(), merged.mean(), max_relative = 1e-14);
        assert_relative_eq!(one.sd(), merged.sd(), max_relative = 1e-10);
    }
}
