//! Statistics of every series and the debt-risk counts, fed path by path.

use crate::ledger::ZoneYear;
use crate::ledger::budget::Tier;
use crate::scenario::model::Scenario;
use crate::stats::sketch::Running;
use crate::stats::{Moments, QuantileSketch};

/// Lanes of the sums: the value of path `i` is summed in lane `i % LANES`.
const LANES: usize = 4;
/// Series added together, a path at a time, by [`SeriesStats::add_rows`].
pub const ROW: usize = 16;

/// Moments and percentiles of one series, fed in path order.
///
/// The hot loop adds billions of values, so this keeps only what differs per series:
/// the path count is the run's, and the shift is set once from the first path. A third
/// of a run's series never change (spending plans, fees, zero rows): while a series
/// repeats its first value, the repeats are only counted, and the sketch sees them in
/// one step when the first different value arrives. A repeat adds exactly 0 to both
/// sums, so the results are the same bits as adding every value.
///
/// The sums are kept in [`LANES`] lanes by path index, so that the hot loop runs four
/// independent chains of additions instead of one; the lanes are added up in a fixed
/// order at the end. The result depends on the order of the paths only, never on how
/// they were split into chunks or among threads.
#[derive(Debug, Clone, Default)]
pub struct SeriesStats {
    /// Deviations are taken from the first path's value (see [`Moments`]).
    shift: f64,
    /// Σ (x - shift) and Σ (x - shift)², by lane.
    sums: [f64; LANES],
    squares: [f64; LANES],
    /// Values equal to `shift` not yet in the sketch; `None` once the series varied.
    repeats: Option<u64>,
    sketch: QuantileSketch,
}

impl SeriesStats {
    /// Empty statistics whose sketch keeps `bits` mantissa bits.
    pub fn new(bits: u32) -> SeriesStats {
        SeriesStats {
            sketch: QuantileSketch::with_precision(bits),
            ..SeriesStats::default()
        }
    }

    /// The statistics of `x` added `paths` times: the same bits as
    /// [`Self::start`] with `x` and `paths` calls of [`Self::add`] with `x`.
    pub fn repeated(x: f64, paths: u64, bits: u32) -> SeriesStats {
        let mut s = SeriesStats::new(bits);
        s.start(x);
        s.repeats = Some(paths);
        s
    }

    /// Set the shift; call with the first path's value, before any `add`.
    pub fn start(&mut self, first: f64) {
        self.shift = first;
        self.repeats = Some(0);
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        if let Some(n) = &mut self.repeats {
            if x.to_bits() == self.shift.to_bits() {
                *n += 1;
                return;
            }
            self.sketch.add_repeated(self.shift, *n);
            self.repeats = None;
        }
        // The sketch counts every value added so far: this one's path index.
        let lane = (self.sketch.count() % LANES as u64) as usize;
        let d = x - self.shift;
        self.sums[lane] += d;
        self.squares[lane] += d * d;
        self.sketch.add(x);
    }

    /// Add every value of `xs`, in order: the same as [`Self::add`] in a loop, with the
    /// sums and the sketch's extremes kept in registers.
    #[inline]
    pub fn add_each(&mut self, mut xs: impl ExactSizeIterator<Item = f64>) {
        while self.repeats.is_some() {
            match xs.next() {
                Some(x) => self.add(x),
                None => return,
            }
        }
        if !self.sketch.reserve(xs.len()) {
            // More values than the sketch's 16-bit counts take between sweeps.
            xs.for_each(|x| self.add(x));
            return;
        }
        // Turn the lanes so that the next value's lane comes first; a round then adds
        // one value to each lane, in a loop the compiler unrolls.
        let first = (self.sketch.count() % LANES as u64) as usize;
        let (mut sums, mut squares) = (self.sums, self.squares);
        sums.rotate_left(first);
        squares.rotate_left(first);
        let shift = self.shift;
        let added = xs.len() as u64;
        let mut run = self.sketch.running();
        'rounds: loop {
            for lane in 0..LANES {
                let Some(x) = xs.next() else {
                    break 'rounds;
                };
                let d = x - shift;
                sums[lane] += d;
                squares[lane] += d * d;
                self.sketch.add_running(&mut run, x);
            }
        }
        self.sketch.finish_running(run, added);
        sums.rotate_right(first);
        squares.rotate_right(first);
        (self.sums, self.squares) = (sums, squares);
    }

    /// Add `rows` to the [`ROW`] series of `block`, path after path (`rows[p * ROW + j]`
    /// is series `j`'s value on path `p`): the same bits as [`Self::add_each`] on each
    /// series. Read in the order they are stored, each value is loaded once, and the
    /// sums of a path's values are added side by side. False, with nothing added, unless
    /// every series has varied already and all have counted the same paths (so share a
    /// lane), as a wave's stored series have after the first wave.
    pub fn add_rows(block: &mut [&mut SeriesStats; ROW], rows: &[f64]) -> bool {
        let count = block[0].sketch.count();
        if block
            .iter()
            .any(|s| s.repeats.is_some() || s.sketch.count() != count)
        {
            return false;
        }
        let paths = rows.len() / ROW;
        // All reserve the same number: the first refuses, before any sweep, or none does.
        if !block.iter_mut().all(|s| s.sketch.reserve(paths)) {
            return false;
        }
        let shift: [f64; ROW] = std::array::from_fn(|j| block[j].shift);
        let mut sums: [[f64; ROW]; LANES] =
            std::array::from_fn(|lane| std::array::from_fn(|j| block[j].sums[lane]));
        let mut squares: [[f64; ROW]; LANES] =
            std::array::from_fn(|lane| std::array::from_fn(|j| block[j].squares[lane]));
        let mut runs: [Running; ROW] = std::array::from_fn(|j| block[j].sketch.running());
        let first = (count % LANES as u64) as usize;
        for (p, row) in rows.chunks_exact(ROW).enumerate() {
            let row: &[f64; ROW] = row.try_into().expect("a full row");
            let lane = (first + p) % LANES;
            let (sums, squares) = (&mut sums[lane], &mut squares[lane]);
            for j in 0..ROW {
                let d = row[j] - shift[j];
                sums[j] += d;
                squares[j] += d * d;
            }
            for ((s, run), &x) in block.iter_mut().zip(&mut runs).zip(row) {
                s.sketch.add_running(run, x);
            }
        }
        for (j, (s, run)) in block.iter_mut().zip(runs).enumerate() {
            s.sketch.finish_running(run, (rows.len() / ROW) as u64);
            for lane in 0..LANES {
                s.sums[lane] = sums[lane][j];
                s.squares[lane] = squares[lane][j];
            }
        }
        true
    }

    /// Bring the sketch's buckets into cache (see [`QuantileSketch::touch`]).
    pub fn touch(&self) {
        self.sketch.touch();
    }

    /// Mean and sd over the `paths` values added.
    pub fn moments(&self, paths: u64) -> Moments {
        let total = |l: &[f64; LANES]| (l[0] + l[1]) + (l[2] + l[3]);
        Moments::from_shifted_sums(paths, self.shift, total(&self.sums), total(&self.squares))
    }

    /// Percentiles for `ps` (fractions, ascending); see [`QuantileSketch::quantiles`].
    /// A percentile of −0 (an empty sum, such as a zone's incentives with no stages) is
    /// reported as 0, so no table prints `-0`: adding +0 changes no other value.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        let mut q = match self.repeats {
            // Every value so far was the first one.
            Some(n) if n > 0 => vec![self.shift; ps.len()],
            _ => self.sketch.quantiles(ps),
        };
        q.iter_mut().for_each(|x| *x += 0.0);
        q
    }
}

/// Debt-risk counts of one zone in one year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskCounts {
    /// Paths whose debt ratio is strictly above the zone's warning ratio.
    pub over_warning: u64,
    /// Paths with a funding gap (> 0).
    pub gap: u64,
    /// Paths in each tier: green, yellow, orange, red.
    pub tiers: [u64; 4],
}

impl RiskCounts {
    fn add(&mut self, y: &ZoneYear, warning_ratio: f64) {
        self.over_warning += u64::from(y.debt_ratio > warning_ratio);
        self.gap += u64::from(y.funding_gap > 0.0);
        self.tiers[Tier::of(y.debt_ratio) as usize] += 1;
    }

    fn merge(&mut self, other: &RiskCounts) {
        self.over_warning += other.over_warning;
        self.gap += other.gap;
        for (t, o) in self.tiers.iter_mut().zip(other.tiers) {
            *t += o;
        }
    }
}

/// Risk counts of every zone-year of one variant, `[zone * years + ti]`.
#[derive(Debug, Clone)]
pub struct RiskTable {
    pub counts: Vec<RiskCounts>,
    warning: Vec<f64>,
    years: usize,
}

impl RiskTable {
    pub fn new(scenario: &Scenario) -> RiskTable {
        let years = scenario.projected_years();
        RiskTable {
            counts: vec![RiskCounts::default(); scenario.zones.len() * years],
            warning: scenario
                .zones
                .iter()
                .map(|z| z.debt.warning_ratio)
                .collect(),
            years,
        }
    }

    /// Count one path of zone `z`.
    pub fn add_zone(&mut self, z: usize, years: &[ZoneYear]) {
        for (ti, y) in years.iter().enumerate() {
            self.counts[z * self.years + ti].add(y, self.warning[z]);
        }
    }

    /// Back to no paths, keeping the allocation.
    pub fn clear(&mut self) {
        self.counts.fill(RiskCounts::default());
    }

    /// Integer counts: merging is exact in any order.
    pub fn merge(&mut self, other: &RiskTable) {
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            c.merge(o);
        }
    }

    /// Take zone `z`'s counts from `other` (a zone whose every path is the other's).
    pub fn copy_zone(&mut self, z: usize, other: &RiskTable) {
        let at = z * self.years..(z + 1) * self.years;
        self.counts[at.clone()].copy_from_slice(&other.counts[at]);
    }

    pub fn get(&self, zone: usize, ti: usize) -> &RiskCounts {
        &self.counts[zone * self.years + ti]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sketch::MANTISSA_BITS;

    const PS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

    /// Moments and sketch fed one value at a time, with no shortcut for repeats: the
    /// sums in four lanes by index, added up as `SeriesStats` does.
    fn plain(xs: &[f64]) -> (Moments, Vec<f64>) {
        let mut sketch = QuantileSketch::with_precision(MANTISSA_BITS);
        let (mut sums, mut squares) = ([0.0; 4], [0.0; 4]);
        for (i, &x) in xs.iter().enumerate() {
            let d = x - xs[0];
            sums[i % 4] += d;
            squares[i % 4] += d * d;
            sketch.add(x);
        }
        let total = |l: [f64; 4]| (l[0] + l[1]) + (l[2] + l[3]);
        let m = Moments::from_shifted_sums(xs.len() as u64, xs[0], total(sums), total(squares));
        (m, sketch.quantiles(&PS))
    }

    /// Series `j`'s value on path `p`: mixed signs, zeros, a widening range, values
    /// that repeat the first for a while, and one series that never varies.
    fn value(j: usize, p: usize) -> f64 {
        let wobble = ((p * 7919 + j * 104_729) % 1000) as f64;
        match j % 8 {
            0 => 1000.0 + wobble,
            1 => wobble - 500.0,
            2 if p.is_multiple_of(3) => 0.0,
            2 => wobble * 1e-3,
            3 => (wobble + 1.0) * (1.0 + p as f64).powi(3),
            4 if p < 60 => 42.0,
            4 => 42.0 + wobble,
            5 => -(wobble + 1.0) * 1e6,
            6 => 7.25,
            _ => (p as f64 - 700.0) * 1e-4,
        }
    }

    /// Fresh statistics of [`ROW`] series started at `values`' first path; series 11
    /// keeps 11 bits, like a headline total.
    fn started(values: impl Fn(usize, usize) -> f64) -> Vec<SeriesStats> {
        (0..ROW)
            .map(|j| {
                let mut s = SeriesStats::new(if j == 11 { 11 } else { MANTISSA_BITS });
                s.start(values(j, 0));
                s
            })
            .collect()
    }

    /// Feed chunks of `sizes` paths of `values` to each series alone, and to the block
    /// as rows where `add_rows` takes them; the sizes it refused, and the paths fed.
    fn feed_both(
        alone: &mut [SeriesStats],
        together: &mut [SeriesStats],
        sizes: &[usize],
        values: impl Fn(usize, usize) -> f64,
    ) -> (Vec<usize>, u64) {
        let mut refused = Vec::new();
        let mut first = 0;
        for &paths in sizes {
            let rows: Vec<f64> = (first..first + paths)
                .flat_map(|p| (0..ROW).map(|j| values(j, p)).collect::<Vec<_>>())
                .collect();
            let each =
                |s: &mut SeriesStats, j: usize| s.add_each(rows[j..].iter().step_by(ROW).copied());
            alone.iter_mut().enumerate().for_each(|(j, s)| each(s, j));
            let mut block: Vec<&mut SeriesStats> = together.iter_mut().collect();
            let block: &mut [&mut SeriesStats; ROW] = (&mut block[..]).try_into().unwrap();
            if !SeriesStats::add_rows(block, &rows) {
                refused.push(paths);
                block.iter_mut().enumerate().for_each(|(j, s)| each(s, j));
            }
            first += paths;
        }
        (refused, first as u64)
    }

    #[test]
    fn rows_added_side_by_side_give_the_bits_of_each_series_added_alone() {
        // Chunks of odd sizes, so that the lanes start anywhere.
        let sizes = [61, 3, 250, 40_000, 32_768];
        let varying = |j: usize, p: usize| match j % 8 {
            6 => 1.0 + (p % 5) as f64,
            _ => value(j, p),
        };
        let (mut alone, mut together) = (started(varying), started(varying));
        let (refused, n) = feed_both(&mut alone, &mut together, &sizes, varying);
        // The first chunk still holds repeats of the first value (only `add_each` takes
        // them); 40,000 values are more than 16-bit counts take between sweeps.
        assert_eq!(refused, [61, 40_000]);
        for (a, b) in alone.iter().zip(&together) {
            assert_eq!(a.sketch, b.sketch);
            assert_eq!(a.moments(n).mean().to_bits(), b.moments(n).mean().to_bits());
            assert_eq!(a.moments(n).sd().to_bits(), b.moments(n).sd().to_bits());
            assert_eq!(a.quantiles(&PS), b.quantiles(&PS));
        }
    }

    #[test]
    fn a_block_holding_a_series_that_never_varied_is_added_series_by_series() {
        let (mut alone, mut together) = (started(value), started(value));
        // Series 6 and 14 repeat their first value on every path.
        let (refused, n) = feed_both(&mut alone, &mut together, &[37, 101, 2_000], value);
        assert_eq!(refused, [37, 101, 2_000]);
        for (a, b) in alone.iter().zip(&together) {
            assert_eq!(a.quantiles(&PS), b.quantiles(&PS));
            assert_eq!(a.moments(n).mean().to_bits(), b.moments(n).mean().to_bits());
        }
    }

    #[test]
    fn the_lanes_agree_with_one_sequential_sum() {
        let xs: Vec<f64> = (0..1001)
            .map(|i| 500.0 + f64::from(i % 37) * 3.25)
            .collect();
        let mut sequential = Moments::default();
        xs.iter().for_each(|&x| sequential.add(x));
        let s = fed(&xs, true);
        let lanes = s.moments(xs.len() as u64);
        assert!((lanes.mean() - sequential.mean()).abs() <= 1e-12 * sequential.mean());
        assert!((lanes.sd() - sequential.sd()).abs() <= 1e-9 * sequential.sd());
    }

    fn fed(xs: &[f64], in_runs: bool) -> SeriesStats {
        let mut s = SeriesStats::new(MANTISSA_BITS);
        s.start(xs[0]);
        if in_runs {
            for part in xs.chunks(7) {
                s.add_each(part.iter().copied());
            }
        } else {
            xs.iter().for_each(|&x| s.add(x));
        }
        s
    }

    #[test]
    fn repeats_of_the_first_value_give_the_same_bits_as_adding_them_one_by_one() {
        // A long run of the first value, then variation (with zeros and a sign change).
        let mut xs = vec![1234.5; 40];
        xs.extend((0..60).map(|i| 1234.5 + f64::from(i % 9) * 37.25 - 150.0));
        xs.extend([0.0, -3.0, 1234.5, 0.0]);
        let (m, q) = plain(&xs);
        let n = xs.len() as u64;
        for in_runs in [false, true] {
            let s = fed(&xs, in_runs);
            assert_eq!(s.moments(n).mean().to_bits(), m.mean().to_bits());
            assert_eq!(s.moments(n).sd().to_bits(), m.sd().to_bits());
            assert_eq!(s.quantiles(&PS), q);
        }
    }

    #[test]
    fn negative_zero_is_reported_as_zero() {
        let mut repeated = SeriesStats::new(9);
        repeated.start(-0.0);
        (0..3).for_each(|_| repeated.add(-0.0));
        let mut mixed = SeriesStats::new(9);
        mixed.start(-0.0);
        [1.0, -0.0, -0.0, -0.0, -2.0]
            .into_iter()
            .for_each(|x| mixed.add(x));
        for s in [&repeated, &mixed] {
            let q = s.quantiles(&PS);
            assert!(
                q.iter().all(|x| !(*x == 0.0 && x.is_sign_negative())),
                "{q:?}"
            );
        }
        assert_eq!(repeated.quantiles(&PS), vec![0.0; PS.len()]);
        assert_eq!(repeated.moments(4).mean().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn a_series_that_never_varies_reports_its_value_exactly() {
        for x in [0.0, -7.25, 98_765.432_1] {
            let s = fed(&[x; 50], true);
            assert_eq!(s.quantiles(&PS), vec![x; PS.len()]);
            assert_eq!(s.moments(50).mean(), x);
            assert_eq!(s.moments(50).sd(), 0.0);
        }
    }

    #[test]
    fn statistics_of_a_repeated_value_continue_like_the_values_added_one_by_one() {
        let mut xs = vec![1234.5; 40];
        xs.extend((0..30).map(|i| 1234.5 + f64::from(i % 7) * 11.5 - 30.0));
        let n = xs.len() as u64;
        let whole = fed(&xs, false);
        let mut resumed = SeriesStats::repeated(1234.5, 40, MANTISSA_BITS);
        resumed.add_each(xs[40..].iter().copied());
        assert_eq!(
            resumed.moments(n).mean().to_bits(),
            whole.moments(n).mean().to_bits()
        );
        assert_eq!(
            resumed.moments(n).sd().to_bits(),
            whole.moments(n).sd().to_bits()
        );
        assert_eq!(resumed.quantiles(&PS), whole.quantiles(&PS));
    }
}
