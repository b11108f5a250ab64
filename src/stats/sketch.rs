//! A mergeable quantile sketch with a relative error bound.
//!
//! Values are counted in log-linear buckets read straight off the float's bits: the
//! exponent and the top [`MANTISSA_BITS`] bits of the mantissa. A bucket spans at most
//! 2⁻⁹ of its lower edge, and a value is reported as its bucket's midpoint, so every
//! order statistic is within **0.1% relative** (2⁻¹⁰ ≈ 0.098%) of the true one, about
//! the Monte Carlo error of a median at the default 20,000 paths. Headline totals keep
//! [`HEADLINE_MANTISSA_BITS`] (0.025%). Values with |x| < [`ZERO_THRESHOLD`] count as
//! zero (absolute error below 1e-9). A sign's window is capped at 32 octaves (2¹⁴
//! buckets at 9 bits, a factor of 4·10⁹): magnitudes further below the largest one seen
//! are counted in the window's lowest bucket, an absolute error below 2.4·10⁻¹⁰ of that
//! largest magnitude. A run of many variants may use fewer bits (never below 7: 0.39%)
//! to bound memory.
//!
//! Why 9 bits and not more: folding a value costs a visit to its bucket, and a series'
//! buckets are cold by the time the next wave folds it. Each bit doubles the buckets a
//! distribution spreads over; at 11 bits a run of `scenarios/large` spent about 10% more
//! time (benches/README.md, session 7). For the same reason counts are 16-bit, with
//! exact carries beyond (see [`Buckets`]).
//!
//! Percentiles interpolate linearly between neighbouring order statistics (the same
//! definition as numpy's default) and are clamped to the exact [min, max], so a
//! constant series is reported exactly. The sketch also counts the values equal to its
//! min and to its max, so an order statistic inside such a run is that exact value, not
//! a bucket's midpoint: fiscal series often pile up at a bound (no borrowing, debt at
//! its limit, principal on an unchanged stock), and a p50 of 5,404 where 95% of paths
//! repay exactly 5,400 would look like an error. Counts are integers: merging is exact and
//! order-independent.

/// Mantissa bits kept in a bucket index, by default.
pub const MANTISSA_BITS: u32 = 9;
/// Mantissa bits of the headline totals (headline.csv, sweep.csv): few series, compared
/// across neighbouring sweep points, so they keep a finer grid.
pub const HEADLINE_MANTISSA_BITS: u32 = 11;
/// Fewest mantissa bits allowed: 7 keeps the error bound under 0.5%.
pub const MIN_MANTISSA_BITS: u32 = 7;
/// Relative error bound of a reported order statistic at the default precision.
pub const RELATIVE_ERROR: f64 = relative_error(MANTISSA_BITS);
/// Magnitudes below this are counted as zero.
pub const ZERO_THRESHOLD: f64 = 1e-9;
/// Octaves one sign's window spans at most.
const MAX_OCTAVES: u32 = 32;

/// The relative error bound with `bits` mantissa bits: half a bucket, 2^-(bits+1).
pub const fn relative_error(bits: u32) -> f64 {
    1.0 / (1u64 << (bits + 1)) as f64
}
const SIGN_BIT: u64 = 1 << 63;
/// The bits of [`ZERO_THRESHOLD`]: for non-negative floats, bit order is value order.
const ZERO_BITS: u64 = ZERO_THRESHOLD.to_bits();

/// Counts over a contiguous window of bucket indices, grown on demand and capped at
/// `max` buckets by folding the smallest magnitudes into the lowest bucket.
///
/// Counts are 16-bit: a fold's cost is mostly visits to cold buckets, and half the bytes
/// are half the cache lines (a batch's fold took about 20% less time than with 32-bit
/// counts, benches/README.md, session 8). Whole multiples of [`HALF`] move to `carries`,
/// by bucket index: when a bucket takes many values at once ([`Self::add`]), and when
/// the sketch sweeps its buckets ([`QuantileSketch::reserve`]), so that the hot loop
/// counts with no check at all. Carries are rare (a value repeated on most of a long
/// run's paths), so a short list.
#[derive(Debug, Clone, Default, PartialEq)]
struct Buckets {
    offset: u32,
    counts: Vec<u16>,
    /// (bucket index, multiples of [`HALF`]), sorted by index, one entry a bucket.
    carries: Vec<(u32, u64)>,
    max: u32,
}

/// What a carry stands for. A swept bucket holds less than this, so it can take as
/// many values again before its 16 bits overflow.
const HALF: u64 = 1 << 15;

impl Buckets {
    /// Count one value at `index`. The sketch keeps every count below 2^16 (see
    /// [`QuantileSketch::reserve`]).
    #[inline]
    fn add_one(&mut self, index: u32) {
        match self
            .counts
            .get_mut(index.wrapping_sub(self.offset) as usize)
        {
            Some(count) => *count += 1,
            None => self.add_outside(index),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_outside(&mut self, index: u32) {
        self.add(index, 1);
    }

    /// Count `n` values at `index`, any number: the bucket is left below [`HALF`], the
    /// rest carried. For merges, repeats and folds, not for the hot loop.
    fn add(&mut self, index: u32, n: u64) {
        let slot = self.slot(index) as usize;
        let all = u64::from(self.counts[slot]) + n;
        self.counts[slot] = (all % HALF) as u16;
        carry(&mut self.carries, self.offset + slot as u32, all / HALF);
    }

    /// Read one count in each cache line of the window, in order (see
    /// [`QuantileSketch::touch`]).
    fn touch(&self) -> u16 {
        const PER_LINE: usize = 64 / std::mem::size_of::<u16>();
        self.counts.iter().step_by(PER_LINE).fold(0, |a, &c| a ^ c)
    }

    /// Move the whole multiples of [`HALF`] of every bucket to the carries.
    fn sweep(&mut self) {
        let offset = self.offset;
        for (slot, count) in self.counts.iter_mut().enumerate() {
            if u64::from(*count) >= HALF {
                *count -= HALF as u16;
                carry(&mut self.carries, offset + slot as u32, 1);
            }
        }
    }

    /// The values in the bucket at `slot` of the window.
    #[inline]
    fn count_at(&self, slot: usize) -> u64 {
        let low = u64::from(self.counts[slot]);
        if self.carries.is_empty() {
            return low;
        }
        let index = self.offset + slot as u32;
        match self.carries.binary_search_by_key(&index, |c| c.0) {
            Ok(at) => low + self.carries[at].1 * HALF,
            Err(_) => low,
        }
    }

    /// The values in the window's slots `slots`.
    fn count_in(&self, slots: std::ops::Range<usize>) -> u64 {
        // Summed in 32 bits a block at a time (RUNS[0] counts below 2^16 cannot
        // overflow), which vectorises twice as wide as 64: walks sum every block.
        let low: u64 = self.counts[slots.clone()]
            .chunks(RUNS[0])
            .map(|block| u64::from(block.iter().map(|&c| u32::from(c)).sum::<u32>()))
            .sum();
        let (from, to) = (
            self.offset + slots.start as u32,
            self.offset + slots.end as u32,
        );
        let units: u64 = self
            .carries
            .iter()
            .filter(|(i, _)| (from..to).contains(i))
            .map(|c| c.1)
            .sum();
        low + units * HALF
    }

    /// The slot of `index`, growing the window to take it (below the cap: the lowest).
    fn slot(&mut self, index: u32) -> u32 {
        let slot = index.wrapping_sub(self.offset);
        if (slot as usize) < self.counts.len() {
            slot
        } else if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
            0
        } else if index < self.offset {
            self.grow_down(index)
        } else {
            self.grow_up(index)
        }
    }

    /// Extend the window down to `index`, or as far as the cap allows; its slot.
    fn grow_down(&mut self, index: u32) -> u32 {
        let top = self.offset + self.counts.len() as u32 - 1;
        // The lowest index the cap allows; smaller magnitudes fold into it.
        let floor = top.saturating_sub(self.max - 1);
        let want = index.max(floor);
        if want < self.offset {
            // Headroom below, so a run of ever smaller values does not copy every time.
            let headroom = (self.counts.len() as u32 / 2).min(want - floor);
            let new_offset = want - headroom;
            let shift = (self.offset - new_offset) as usize;
            let mut counts = vec![0; shift + self.counts.len()];
            counts[shift..].copy_from_slice(&self.counts);
            self.counts = counts;
            self.offset = new_offset;
        }
        want - self.offset
    }

    /// Extend the window up to `index`, folding what falls off the bottom; its slot.
    fn grow_up(&mut self, index: u32) -> u32 {
        let len = (index - self.offset + 1) as usize;
        if len <= self.max as usize {
            let target = len.max((self.counts.len() * 3 / 2).min(self.max as usize));
            self.counts.resize(target, 0);
        } else {
            let new_offset = index + 1 - self.max;
            let drop = ((new_offset - self.offset) as usize).min(self.counts.len());
            let folded = self.count_in(0..drop);
            self.carries.retain(|&(i, _)| i >= new_offset);
            self.counts.drain(..drop);
            self.offset = new_offset;
            self.counts.resize(self.max as usize, 0);
            self.add(new_offset, folded);
        }
        index - self.offset
    }

    fn merge(&mut self, other: &Buckets) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.offset + i as u32, c.into());
            }
        }
        for &(index, units) in &other.carries {
            self.add(index, units * HALF);
        }
    }

    #[cfg(test)]
    fn total(&self) -> u64 {
        self.count_in(0..self.counts.len())
    }
}

/// Add `units` multiples of [`HALF`] to the bucket at `index` in `carries`.
fn carry(carries: &mut Vec<(u32, u64)>, index: u32, units: u64) {
    if units == 0 {
        return;
    }
    match carries.binary_search_by_key(&index, |c| c.0) {
        Ok(at) => carries[at].1 += units,
        Err(at) => carries.insert(at, (index, units)),
    }
}

/// The midpoint of a bucket.
fn bucket_value(index: u32, shift: u32) -> f64 {
    let lower = f64::from_bits(u64::from(index) << shift);
    let upper = f64::from_bits(u64::from(index + 1) << shift);
    0.5 * (lower + upper)
}

/// A sketch's extremes and counts while a hot loop adds to it (see
/// [`QuantileSketch::running`]).
#[derive(Debug, Clone, Copy)]
pub struct Running {
    extremes: Extremes,
    zeros: u64,
}

/// The exact min and max, and how many values equal each: order statistics inside
/// those runs are reported exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Extremes {
    min: f64,
    max: f64,
    at_min: u64,
    at_max: u64,
}

impl Extremes {
    const EMPTY: Extremes = Extremes {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        at_min: 0,
        at_max: 0,
    };

    /// Take `x`, `n` times.
    #[inline]
    fn add(&mut self, x: f64, n: u64) {
        // A new extreme is rare after the first values: a branch, not two selects.
        if x < self.min || x > self.max {
            self.new_extreme(x);
        }
        self.at_min += if x == self.min { n } else { 0 };
        self.at_max += if x == self.max { n } else { 0 };
    }

    /// `x` is below the min or above the max: a new run starts there.
    #[cold]
    fn new_extreme(&mut self, x: f64) {
        if x < self.min {
            (self.min, self.at_min) = (x, 0);
        }
        if x > self.max {
            (self.max, self.at_max) = (x, 0);
        }
    }

    fn merge(&mut self, other: &Extremes) {
        if other.min < self.min {
            (self.min, self.at_min) = (other.min, other.at_min);
        } else if other.min == self.min {
            self.at_min += other.at_min;
        }
        if other.max > self.max {
            (self.max, self.at_max) = (other.max, other.at_max);
        } else if other.max == self.max {
            self.at_max += other.at_max;
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSketch {
    /// 52 - mantissa bits: a magnitude's bucket is its bits shifted right by this.
    shift: u32,
    extremes: Extremes,
    /// Values added (kept, so percentiles need not sum the windows).
    count: u64,
    zeros: u64,
    /// Values counted by [`Self::add_running`] since the buckets were last swept: at
    /// most [`HALF`], so no 16-bit count can overflow.
    since_sweep: u64,
    positive: Buckets,
    negative: Buckets,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        QuantileSketch::with_precision(MANTISSA_BITS)
    }
}

impl QuantileSketch {
    /// A sketch keeping `bits` mantissa bits (clamped to 7..=20): error 2^-(bits+1).
    pub fn with_precision(bits: u32) -> QuantileSketch {
        let bits = bits.clamp(MIN_MANTISSA_BITS, 20);
        let buckets = Buckets {
            max: MAX_OCTAVES << bits,
            ..Buckets::default()
        };
        QuantileSketch {
            shift: 52 - bits,
            extremes: Extremes::EMPTY,
            count: 0,
            zeros: 0,
            since_sweep: 0,
            positive: buckets.clone(),
            negative: buckets,
        }
    }

    /// The relative error bound of this sketch's order statistics.
    pub fn relative_error(&self) -> f64 {
        relative_error(52 - self.shift)
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_repeated(x, 1);
    }

    /// The extremes and counts, to be kept in registers by a hot loop that adds values
    /// with [`Self::add_running`] and ends with [`Self::finish_running`]; reserve room
    /// for them first ([`Self::reserve`]).
    #[inline]
    pub fn running(&self) -> Running {
        Running {
            extremes: self.extremes,
            zeros: self.zeros,
        }
    }

    /// Bring the buckets into cache before a run of values is added: values land on
    /// the buckets at random, each a cache miss when they are cold, while a read in
    /// order streams them in. A batch's sketches do not fit the cache, so each wave
    /// finds them cold (benches/README.md, session 12).
    pub fn touch(&self) {
        std::hint::black_box(self.positive.touch() ^ self.negative.touch());
    }

    /// Add `x`, its extremes and counts into `run`: [`Self::add`], for hot loops, which
    /// count their values themselves ([`Self::finish_running`]).
    #[inline]
    pub fn add_running(&mut self, run: &mut Running, x: f64) {
        run.extremes.add(x, 1);
        let bits = x.to_bits();
        let magnitude = bits & !SIGN_BIT;
        if magnitude < ZERO_BITS {
            run.zeros += 1;
        } else {
            let index = (magnitude >> self.shift) as u32;
            self.side(bits).add_one(index);
        }
    }

    /// Take back the extremes and counts of a hot loop that added `added` values.
    #[inline]
    pub fn finish_running(&mut self, run: Running, added: u64) {
        self.since_sweep += added;
        debug_assert!(self.since_sweep <= HALF, "add_running without reserve");
        self.count += added;
        (self.extremes, self.zeros) = (run.extremes, run.zeros);
    }

    /// Make room for `n` values added with [`Self::add_running`]: sweeps the buckets
    /// first if they could overflow. False if `n` is more than one sweep allows
    /// ([`HALF`]): add those with [`Self::add`].
    #[inline]
    pub fn reserve(&mut self, n: usize) -> bool {
        let n = n as u64;
        if n > HALF {
            return false;
        }
        if self.since_sweep + n > HALF {
            self.positive.sweep();
            self.negative.sweep();
            self.since_sweep = 0;
        }
        true
    }

    /// Add `x` `n` times.
    #[inline]
    pub fn add_repeated(&mut self, x: f64, n: u64) {
        if n == 0 {
            return;
        }
        self.extremes.add(x, n);
        self.count += n;
        let bits = x.to_bits();
        let magnitude = bits & !SIGN_BIT;
        if magnitude < ZERO_BITS {
            self.zeros += n;
        } else {
            let index = (magnitude >> self.shift) as u32;
            self.side(bits).add(index, n);
        }
    }

    /// The buckets of a non-zero value's sign, given by its bits.
    #[inline]
    fn side(&mut self, bits: u64) -> &mut Buckets {
        if bits & SIGN_BIT == 0 {
            &mut self.positive
        } else {
            &mut self.negative
        }
    }

    /// Fold in another sketch of the same precision.
    pub fn merge(&mut self, other: &QuantileSketch) {
        assert_eq!(self.shift, other.shift, "sketches of different precision");
        self.extremes.merge(&other.extremes);
        self.zeros += other.zeros;
        self.count += other.count;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn min(&self) -> f64 {
        self.extremes.min
    }

    pub fn max(&self) -> f64 {
        self.extremes.max
    }

    /// Percentiles for `ps` (fractions in [0, 1], ascending), interpolated linearly
    /// between order statistics.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        let count = self.count();
        if count == 0 {
            return vec![f64::NAN; ps.len()];
        }
        let last = count - 1;
        // The ranks each percentile needs, in ascending order.
        let mut ranks: Vec<u64> = Vec::with_capacity(2 * ps.len());
        for &p in ps {
            let h = p * last as f64;
            let lo = h.floor() as u64;
            ranks.push(lo.min(last));
            ranks.push((lo + 1).min(last));
        }
        let values = self.values_at_sorted_ranks(&ranks, last);
        ps.iter()
            .enumerate()
            .map(|(i, &p)| {
                let h = p * last as f64;
                let frac = h - h.floor();
                let (a, b) = (values[2 * i], values[2 * i + 1]);
                let v = if frac == 0.0 { a } else { a + frac * (b - a) };
                v.clamp(self.extremes.min, self.extremes.max)
            })
            .collect()
    }

    /// The approximate order statistics at `ranks` (ascending), in one walk.
    fn values_at_sorted_ranks(&self, ranks: &[u64], last: u64) -> Vec<f64> {
        let mut walk = Walk {
            ranks,
            last,
            extremes: self.extremes,
            out: Vec::with_capacity(ranks.len()),
            next: 0,
            seen: 0,
        };
        let (shift, negative, positive) = (self.shift, &self.negative, &self.positive);
        // Most negative first: the negative window from its top bucket down.
        walk.take(negative, 0..negative.counts.len(), &RUNS, true, &|index| {
            -bucket_value(index, shift)
        });
        walk.visit(self.zeros, || 0.0);
        walk.take(positive, 0..positive.counts.len(), &RUNS, false, &|index| {
            bucket_value(index, shift)
        });
        walk.out
    }
}

/// Runs of buckets a walk sums to skip those holding none of its ranks (most buckets of
/// a window are empty or far from every percentile): blocks of 64, and runs of 8 inside
/// a block that holds a rank. Visiting such a block's 64 buckets one by one took a
/// third of a batch's rows.
const RUNS: [usize; 2] = [64, 8];

/// A walk through a sketch's buckets in value order, picking the values at some ranks.
struct Walk<'r> {
    /// The ranks wanted, ascending, and the last rank (count - 1).
    ranks: &'r [u64],
    last: u64,
    /// Reported for the ranks in the runs at the min and the max (at least ranks 0 and
    /// `last`).
    extremes: Extremes,
    out: Vec<f64>,
    /// The next rank wanted, and the values before the current bucket.
    next: usize,
    seen: u64,
}

impl Walk<'_> {
    /// Take a bucket of `count` values whose value is `value()`.
    #[inline]
    fn visit(&mut self, count: u64, value: impl Fn() -> f64) {
        while self.next < self.ranks.len() && self.ranks[self.next] < self.seen + count {
            let r = self.ranks[self.next];
            // The extremes, and the runs of values equal to them, are known exactly.
            let e = &self.extremes;
            self.out.push(if r < e.at_min {
                e.min
            } else if r + e.at_max > self.last {
                e.max
            } else {
                value()
            });
            self.next += 1;
        }
        self.seen += count;
    }

    /// Take `slots` of `buckets` (descending or ascending), skipping whole runs of
    /// `runs[0]` buckets that hold no rank wanted, then runs of the next size inside
    /// the others, and visiting the buckets of the runs left; `value` gives a bucket's
    /// value from its index.
    fn take(
        &mut self,
        buckets: &Buckets,
        slots: std::ops::Range<usize>,
        runs: &[usize],
        descending: bool,
        value: &impl Fn(u32) -> f64,
    ) {
        let (size, finer) = match runs.split_first() {
            Some((&size, finer)) => (size, finer),
            None => (1, runs),
        };
        let count = slots.len().div_ceil(size);
        for i in 0..count {
            let j = if descending { count - 1 - i } else { i };
            let from = slots.start + j * size;
            let run = from..(from + size).min(slots.end);
            if size == 1 {
                let index = buckets.offset + from as u32;
                self.visit(buckets.count_at(from), || value(index));
            } else if !self.skips(buckets.count_in(run.clone())) {
                self.take(buckets, run, finer, descending, value);
            }
        }
    }

    /// Skip a block of buckets holding `total` values if it holds none of the ranks
    /// still wanted (or none is): it only adds to the values seen.
    #[inline]
    fn skips(&mut self, total: u64) -> bool {
        let Some(&rank) = self.ranks.get(self.next) else {
            return true;
        };
        if rank >= self.seen + total {
            self.seen += total;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_kept_is_the_count_in_the_buckets() {
        let mut a = QuantileSketch::with_precision(MANTISSA_BITS);
        assert!(a.reserve(5));
        let mut run = a.running();
        for x in [1.0, -2.0, 0.0, 3.5, 1e-12] {
            a.add_running(&mut run, x);
        }
        a.finish_running(run, 5);
        a.add_repeated(7.0, 4);
        let mut b = QuantileSketch::with_precision(MANTISSA_BITS);
        b.add(-9.0);
        a.merge(&b);
        assert_eq!(a.count(), 10);
        assert_eq!(a.count(), a.zeros + a.positive.total() + a.negative.total());
    }

    /// numpy-style linear interpolation on sorted data.
    fn exact(sorted: &[f64], p: f64) -> f64 {
        let h = p * (sorted.len() - 1) as f64;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
    }

    const PS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

    #[test]
    fn constant_series_is_exact() {
        let mut s = QuantileSketch::default();
        for _ in 0..1000 {
            s.add(98_765.432_1);
        }
        assert!(s.quantiles(&PS).iter().all(|&q| q == 98_765.432_1));
    }

    #[test]
    fn within_the_relative_bound_on_mixed_signs() {
        let mut xs: Vec<f64> = (0..20_001)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(2_654_435_761) % 100_003) as f64 / 100_003.0;
                (u - 0.3) * 5e5 + if i % 7 == 0 { 0.0 } else { 1e-3 }
            })
            .collect();
        let mut s = QuantileSketch::default();
        xs.iter().for_each(|&x| s.add(x));
        xs.sort_by(f64::total_cmp);
        for (q, p) in s.quantiles(&PS).iter().zip(PS) {
            let e = exact(&xs, p);
            assert!(
                (q - e).abs() <= RELATIVE_ERROR * e.abs() + 1e-9,
                "p{p}: {q} vs {e}"
            );
        }
        assert_eq!(s.quantiles(&[0.0, 1.0]), vec![xs[0], xs[xs.len() - 1]]);
    }

    #[test]
    fn merge_equals_one_pass_in_any_order() {
        let xs: Vec<f64> = (0..5000).map(|i| (i as f64 * 0.37).sin() * 1e4).collect();
        let mut one = QuantileSketch::default();
        xs.iter().for_each(|&x| one.add(x));
        let parts: Vec<QuantileSketch> = xs
            .chunks(333)
            .map(|c| {
                let mut s = QuantileSketch::default();
                c.iter().for_each(|&x| s.add(x));
                s
            })
            .collect();
        let mut forward = QuantileSketch::default();
        parts.iter().for_each(|p| forward.merge(p));
        let mut backward = QuantileSketch::default();
        parts.iter().rev().for_each(|p| backward.merge(p));
        assert_eq!(one.quantiles(&PS), forward.quantiles(&PS));
        assert_eq!(one.quantiles(&PS), backward.quantiles(&PS));
    }

    #[test]
    fn two_point_distribution_interpolates_between_order_statistics() {
        // 0,0,0,100: p50 at h = 1.5 → 0; p90 at h = 2.7 → 70.
        let mut s = QuantileSketch::default();
        [0.0, 0.0, 0.0, 100.0].iter().for_each(|&x| s.add(x));
        let q = s.quantiles(&[0.5, 0.9]);
        assert_eq!(q[0], 0.0);
        assert!((q[1] - 70.0).abs() <= 70.0 * RELATIVE_ERROR, "{}", q[1]);
    }

    #[test]
    fn runs_at_the_min_and_the_max_are_reported_exactly() {
        // Principal on an unchanged stock: 95 of 100 paths repay exactly 5,400, the rest
        // more (they borrowed). Debt at its limit: 60 of 100 paths at exactly 600,000.
        let mut principal = QuantileSketch::default();
        assert!(principal.reserve(100));
        let mut run = principal.running();
        for i in 0..100 {
            principal.add_running(
                &mut run,
                if i % 20 == 7 {
                    5_500.0 + i as f64
                } else {
                    5_400.0
                },
            );
        }
        principal.finish_running(run, 100);
        let q = principal.quantiles(&PS);
        assert_eq!(q[..6], [5_400.0; 6], "{q:?}");
        let mut debt = QuantileSketch::default();
        for i in 0..40 {
            debt.add(400_000.0 + 4_000.0 * i as f64);
        }
        debt.add_repeated(600_000.0, 60);
        let q = debt.quantiles(&PS);
        assert_eq!(q[3..], [600_000.0; 4], "{q:?}");
        // Merging keeps the runs: two halves give what one pass gives.
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        for i in 0..100 {
            let x = if i % 20 == 7 {
                5_500.0 + i as f64
            } else {
                5_400.0
            };
            if i < 50 { a.add(x) } else { b.add(x) }
        }
        a.merge(&b);
        assert_eq!(a.quantiles(&PS), principal.quantiles(&PS));
    }

    #[test]
    fn the_window_is_capped_and_keeps_large_values_exact_to_the_bound() {
        let mut s = QuantileSketch::default();
        for i in 0..1000 {
            s.add(1e-8 * (1.0 + i as f64));
            s.add(1e6 * (1.0 + i as f64 / 1000.0));
        }
        assert!(s.positive.counts.len() <= s.positive.max as usize);
        let q = s.quantiles(&[0.75]);
        let exact = 1e6 * (1.0 + 499.25 / 1000.0);
        assert!(
            (q[0] - exact).abs() <= exact * RELATIVE_ERROR,
            "{} vs {exact}",
            q[0]
        );
        // Growing downwards hits the same cap.
        let mut s = QuantileSketch::default();
        s.add(1e9);
        for i in 0..200 {
            s.add(10f64.powi(-i % 9));
        }
        assert!(s.positive.counts.len() <= s.positive.max as usize);
        assert_eq!(s.count(), 201);
    }

    #[test]
    fn buckets_past_16_bits_keep_exact_counts_in_carries() {
        // 150,000 values in one bucket, 50,000 above it: one by one, in one step each,
        // and through the hot loop (in pieces, sweeping between them), the same sketch.
        let (low, high) = (1_000.0, 2_000.0);
        let mut one_by_one = QuantileSketch::default();
        (0..150_000).for_each(|_| one_by_one.add(low));
        (0..50_000).for_each(|_| one_by_one.add(high));
        let mut in_steps = QuantileSketch::default();
        in_steps.add_repeated(high, 50_000);
        in_steps.add_repeated(low, 150_000);
        let mut hot = QuantileSketch::default();
        let values: Vec<f64> = [vec![low; 150_000], vec![high; 50_000]].concat();
        for piece in values.chunks(4_096) {
            assert!(hot.reserve(piece.len()));
            let mut run = hot.running();
            piece.iter().for_each(|&x| hot.add_running(&mut run, x));
            hot.finish_running(run, piece.len() as u64);
        }
        assert!(!hot.reserve(40_000), "more than a sweep allows");
        for s in [&one_by_one, &in_steps, &hot] {
            assert_eq!(s.positive.total(), 200_000);
            // Rank 149,999 is the last low value, rank 150,000 the first high one.
            let q = s.quantiles(&[0.5, 149_999.0 / 199_999.0, 150_000.0 / 199_999.0]);
            assert_eq!(q, [low, low, high]);
        }
        assert_eq!(one_by_one, in_steps);
        assert_eq!(one_by_one.positive.carries.len(), 2);

        // Merging adds the carries.
        let mut merged = QuantileSketch::default();
        merged.merge(&one_by_one);
        merged.merge(&hot);
        assert_eq!(merged.positive.total(), 400_000);
        assert_eq!(merged.quantiles(&[0.74, 0.76]), [low, high]);
        let mut exact = QuantileSketch::default();
        exact.add_repeated(low, 3 * HALF + 1);
        assert_eq!(exact.positive.carries, [(exact.positive.offset, 3)]);
        assert_eq!(exact.positive.counts, [1]);
    }

    #[test]
    fn carries_fold_into_the_lowest_bucket_when_the_window_moves_up() {
        // 70,000 tiny values, then a value 40 octaves above: the window keeps 32 octaves,
        // so the tiny values (and their carry) fold into its lowest bucket.
        let mut s = QuantileSketch::default();
        s.add_repeated(1e-3, 70_000);
        s.add(1e-3 * 2f64.powi(40));
        assert_eq!(s.positive.total(), 70_001);
        assert!(
            s.positive
                .carries
                .iter()
                .all(|&(i, _)| i >= s.positive.offset)
        );
        assert_eq!(s.positive.count_at(0), 70_000);
        assert_eq!(s.count(), 70_001);
    }
}
