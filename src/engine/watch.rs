//! Series that repeat a known value are watched, not stored.
//!
//! Many series of a run repeat one value on every path (spending plans, fees, rows that
//! stay 0), many repeat another series of the same path (a zone's retained funds are its
//! inflow; with no transfer lag, what it receives is its allocation), and most series of
//! a batch variant repeat the baseline's value path by path (a change to one zone's
//! shares leaves its tax, land and spending alone). Storing and folding such values is
//! most of the work. So a series whose first few paths (the pilot) repeat a value is
//! only compared with it, path by path; the first path that differs makes it *depart*:
//! from then on it is stored and folded like any other series.
//!
//! The statistics stay the same bits as folding every value in path order: a series
//! that departs in a wave starting at path `done` takes, as its statistics so far, those
//! of the values it repeated on paths `0..done` (`done` repeats of a constant, or the
//! statistics of the series it repeated over the same paths), and its fold of that wave
//! reads the expected values up to the path where it departed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::accumulator::SeriesStats;

/// The value a watched series is expected to repeat on every path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    /// The same value on every path.
    Constant(f64),
    /// The baseline's value at this position of its line, path by path.
    Baseline(usize),
    /// The value of the same variant's series at this earlier position of its line, path
    /// by path: a series stored from the pilot on, with the same sketch precision.
    Same(usize),
}

impl Expect {
    /// The expected value, given the variant's `line` and the baseline's line of the
    /// same path.
    #[inline]
    pub fn value(self, line: &[f64], baseline: &[f64]) -> f64 {
        match self {
            Expect::Constant(x) => x,
            Expect::Baseline(b) => baseline[b],
            Expect::Same(j) => line[j],
        }
    }
}

/// A watched series that left its expected value in one chunk of paths.
#[derive(Debug, Clone)]
pub struct Departure {
    /// Position in the variant's line.
    pub position: usize,
    /// First path (within the chunk) that differed.
    pub from: usize,
    /// Values of paths `from..` of the chunk.
    pub values: Vec<f64>,
}

/// Which series of each variant are stored, and which are watched.
#[derive(Debug, Clone)]
pub struct Tracking {
    /// Per variant and line position: what a watched series is expected to repeat;
    /// `None` once it is stored.
    pub expect: Vec<Vec<Option<Expect>>>,
    /// Per variant: line positions stored and folded, in storage order.
    pub stored: Vec<Vec<usize>>,
    /// Per variant: line positions watched, with the value each is expected to repeat.
    pub watched: Vec<Vec<(usize, Expect)>>,
    /// Per variant and line position: the place among `stored`, if stored.
    pub place: Vec<Vec<Option<usize>>>,
    /// Per variant: the watched series as flat lists, for [`Checks::hold`].
    pub checks: Vec<Checks>,
}

/// One variant's watched series, as flat lists by kind of expectation, so that a path
/// is checked in one pass with no branch per series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// Expected to repeat the baseline's: (line position, baseline line position).
    pub twins: Vec<(usize, usize)>,
    /// Expected to repeat a constant: (line position, the constant's bits).
    pub constants: Vec<(usize, u64)>,
    /// Expected to repeat an earlier stored series of the same line: (line position,
    /// position repeated).
    pub same: Vec<(usize, usize)>,
}

impl Checks {
    fn of(watched: &[(usize, Expect)]) -> Checks {
        let mut checks = Checks::default();
        for &(k, e) in watched {
            match e {
                Expect::Baseline(b) => checks.twins.push((k, b)),
                Expect::Constant(x) => checks.constants.push((k, x.to_bits())),
                Expect::Same(j) => checks.same.push((k, j)),
            }
        }
        checks
    }

    /// Does `line` repeat, bit for bit, every value its watched series expect
    /// (`baseline`: the baseline's line of the same path)? One pass over flat lists, an
    /// OR of XORs with no early exit: most paths hold.
    #[inline]
    pub fn hold(&self, line: &[f64], baseline: &[f64]) -> bool {
        let twins = (self.twins.iter()).fold(0, |acc, &(k, b)| {
            acc | (line[k].to_bits() ^ baseline[b].to_bits())
        });
        let constants =
            (self.constants.iter()).fold(0, |acc, &(k, bits)| acc | (line[k].to_bits() ^ bits));
        let same = (self.same.iter()).fold(0, |acc, &(k, j)| {
            acc | (line[k].to_bits() ^ line[j].to_bits())
        });
        twins | constants | same == 0
    }

    /// Stop checking the series at line `position` (it departed).
    pub fn drop_position(&mut self, position: usize) {
        self.twins.retain(|&(k, _)| k != position);
        self.constants.retain(|&(k, _)| k != position);
        self.same.retain(|&(k, _)| k != position);
    }
}

impl Tracking {
    /// Decide from the pilot's lines (`pilot[v][path]`, one value per line position of
    /// variant `v`) what each series is expected to repeat. `twins[v][k]` is the baseline
    /// position that a variant's series may repeat (the baseline, variant 0, has none);
    /// `bits[v][k]` its sketch precision: a series repeats another of its line only at
    /// the same precision, as it takes the other's statistics.
    pub fn from_pilot(
        pilot: &[Vec<Vec<f64>>],
        twins: &[Vec<Option<usize>>],
        bits: &[Vec<u32>],
    ) -> Tracking {
        let mut stored = Vec::new();
        let mut watched = Vec::new();
        for (v, lines) in pilot.iter().enumerate() {
            let width = twins[v].len();
            let (mut keep, mut watch) = (Vec::new(), Vec::new());
            // The first stored series of each precision and pilot values.
            let mut first_stored: HashMap<(u32, Vec<u64>), usize> = HashMap::new();
            for k in 0..width {
                let same = |expect: Expect| {
                    lines
                        .iter()
                        .zip(&pilot[0])
                        .all(|(line, base)| line[k].to_bits() == expect.value(line, base).to_bits())
                };
                // A twin survives a baseline that varies; a constant is cheaper to check.
                let twin = twins[v][k]
                    .map(Expect::Baseline)
                    .filter(|&e| v > 0 && same(e));
                let constant = lines
                    .first()
                    .map(|line| Expect::Constant(line[k]))
                    .filter(|&e| same(e));
                if let Some(expect) = twin.or(constant) {
                    watch.push((k, expect));
                    continue;
                }
                if lines.is_empty() {
                    keep.push(k);
                    continue;
                }
                let values = lines.iter().map(|line| line[k].to_bits()).collect();
                match first_stored.entry((bits[v][k], values)) {
                    Entry::Occupied(j) => watch.push((k, Expect::Same(*j.get()))),
                    Entry::Vacant(slot) => {
                        slot.insert(k);
                        keep.push(k);
                    }
                }
            }
            stored.push(keep);
            watched.push(watch);
        }
        let mut tracking = Tracking {
            expect: twins.iter().map(|t| vec![None; t.len()]).collect(),
            stored,
            watched,
            place: Vec::new(),
            checks: Vec::new(),
        };
        tracking.index();
        tracking
    }

    /// Bytes of one path's stored values, all variants together.
    pub fn row_bytes(&self) -> usize {
        8 * self.stored.iter().map(Vec::len).sum::<usize>().max(1)
    }

    /// Rebuild the lookups by position from `stored` and `watched` (`expect` gives each
    /// variant's width).
    fn index(&mut self) {
        let widths: Vec<usize> = self.expect.iter().map(Vec::len).collect();
        self.place = widths.iter().map(|&w| vec![None; w]).collect();
        self.expect = widths.iter().map(|&w| vec![None; w]).collect();
        for (v, stored) in self.stored.iter().enumerate() {
            for (i, &k) in stored.iter().enumerate() {
                self.place[v][k] = Some(i);
            }
        }
        for (v, watched) in self.watched.iter().enumerate() {
            for &(k, e) in watched {
                self.expect[v][k] = Some(e);
            }
        }
        self.checks = self.watched.iter().map(|w| Checks::of(w)).collect();
    }

    /// The statistics of variant `v`'s watched series expected to be `expect`, over the
    /// first `paths` paths, when it departs at a wave starting there (`stats`: every
    /// variant's statistics at that point; the series repeated are stored, or watched
    /// themselves and resolved through what they repeat).
    pub fn repeated(
        &self,
        v: usize,
        expect: Expect,
        paths: u64,
        stats: &[Vec<SeriesStats>],
        bits: u32,
    ) -> SeriesStats {
        match expect {
            Expect::Constant(x) => SeriesStats::repeated(x, paths, bits),
            Expect::Same(j) => stats[v][j].clone(),
            Expect::Baseline(b) => match self.expected(0, b) {
                Some(e) => self.repeated(0, e, paths, stats, bits),
                None => stats[0][b].clone(),
            },
        }
    }

    /// What variant `v`'s series at `position` is expected to repeat, if watched.
    pub fn expected(&self, v: usize, position: usize) -> Option<Expect> {
        self.expect[v][position]
    }

    /// Store from now on the series of `departed[v]` (positions of variant `v`, sorted).
    pub fn depart(&mut self, departed: &[Vec<usize>]) {
        for (v, positions) in departed.iter().enumerate() {
            self.watched[v].retain(|(k, _)| positions.binary_search(k).is_err());
            self.stored[v].extend_from_slice(positions);
        }
        self.index();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits_of(twins: &[Vec<Option<usize>>]) -> Vec<Vec<u32>> {
        twins.iter().map(|t| vec![11; t.len()]).collect()
    }

    #[test]
    fn the_pilot_sorts_series_into_stored_twins_and_constants() {
        // Baseline: series 0 varies, series 1 is constant 5.
        let base = vec![vec![1.0, 5.0], vec![2.0, 5.0]];
        // Variant: series 0 repeats the baseline's, 1 is constant 7, 2 varies alone.
        let variant = vec![vec![1.0, 7.0, 3.0], vec![2.0, 7.0, 4.0]];
        let twins = vec![vec![None, None], vec![Some(0), Some(1), None]];
        let t = Tracking::from_pilot(&[base, variant], &twins, &bits_of(&twins));
        assert_eq!(t.stored, vec![vec![0], vec![2]]);
        assert_eq!(t.watched[0], vec![(1, Expect::Constant(5.0))]);
        assert_eq!(
            t.watched[1],
            vec![(0, Expect::Baseline(0)), (1, Expect::Constant(7.0))]
        );
        assert_eq!(t.place[1], vec![None, None, Some(0)]);
    }

    #[test]
    fn a_series_repeating_an_earlier_one_of_its_line_at_its_precision_is_watched() {
        // Series 1 and 2 repeat series 0 through the pilot; 2 at another precision.
        let base = vec![vec![1.0, 1.0, 1.0, 4.0], vec![2.0, 2.0, 2.0, 5.0]];
        let t = Tracking::from_pilot(&[base], &[vec![None; 4]], &[vec![11, 11, 9, 11]]);
        assert_eq!(t.stored[0], vec![0, 2, 3]);
        assert_eq!(t.watched[0], vec![(1, Expect::Same(0))]);
        assert_eq!(t.checks[0].same, vec![(1, 0)]);
        assert!(t.checks[0].hold(&[3.0, 3.0, 7.0, 8.0], &[]));
        assert!(!t.checks[0].hold(&[3.0, 3.5, 3.0, 8.0], &[]));
        // Until it departs, it has the statistics of the series it repeats.
        let mut stats = vec![vec![SeriesStats::new(11); 4]];
        stats[0][0].start(1.0);
        stats[0][0].add(1.0);
        stats[0][0].add(2.0);
        let so_far = t.repeated(0, Expect::Same(0), 2, &stats, 11);
        assert_eq!(so_far.quantiles(&[0.0, 1.0]), vec![1.0, 2.0]);
    }

    #[test]
    fn a_departed_series_is_stored_from_then_on() {
        let base = vec![vec![1.0, 5.0, 6.0]];
        let mut t = Tracking::from_pilot(&[base], &[vec![None; 3]], &[vec![11; 3]]);
        assert!(t.stored[0].is_empty());
        t.depart(&[vec![1, 2]]);
        assert_eq!(t.stored[0], vec![1, 2]);
        assert_eq!(t.place[0], vec![None, Some(0), Some(1)]);
        assert_eq!(t.expected(0, 0), Some(Expect::Constant(1.0)));
        assert_eq!(t.expected(0, 1), None);
        assert_eq!(t.checks[0].constants, vec![(0, 1.0f64.to_bits())]);
        // What a series departing after 3 paths takes as its statistics so far.
        let so_far = t.repeated(0, Expect::Constant(1.0), 3, &[], 11);
        assert_eq!(so_far.moments(3).mean(), 1.0);
        assert_eq!(so_far.quantiles(&[0.5]), vec![1.0]);
    }

    #[test]
    fn a_line_holds_when_its_twins_and_constants_repeat_bit_for_bit() {
        let base = vec![vec![1.0, 2.0, 3.0, 9.0]];
        let variant = vec![vec![1.0, 2.0, 3.0, 4.0, 0.0]];
        let twins = vec![vec![None; 4], vec![Some(0), Some(1), Some(2), None, None]];
        let t = Tracking::from_pilot(&[base, variant], &twins, &bits_of(&twins));
        assert_eq!(t.checks[1].twins, vec![(0, 0), (1, 1), (2, 2)]);
        assert_eq!(
            t.checks[1].constants,
            vec![(3, 4.0f64.to_bits()), (4, 0.0f64.to_bits())]
        );
        let baseline = [1.0, 2.0, 3.0, 7.0];
        assert!(t.checks[1].hold(&[1.0, 2.0, 3.0, 4.0, 0.0], &baseline));
        assert!(!t.checks[1].hold(&[1.0, 2.5, 3.0, 4.0, 0.0], &baseline));
        assert!(!t.checks[1].hold(&[1.0, 2.0, 3.0, 4.0, 5.0], &baseline));
        // -0 is not the 0 that was seen: a departure, so its sign reaches the results.
        assert!(!t.checks[1].hold(&[1.0, 2.0, 3.0, 4.0, -0.0], &baseline));
        // Once a chunk drops the departed twin and constant, its other series still count.
        let mut checks = t.checks[1].clone();
        checks.drop_position(1);
        checks.drop_position(4);
        assert_eq!(checks.twins, vec![(0, 0), (2, 2)]);
        assert_eq!(checks.constants, vec![(3, 4.0f64.to_bits())]);
        assert!(checks.hold(&[1.0, 2.5, 3.0, 4.0, 5.0], &baseline));
        assert!(!checks.hold(&[1.0, 2.5, 3.5, 4.0, 5.0], &baseline));
        assert!(!checks.hold(&[1.0, 2.5, 3.0, 4.5, 5.0], &baseline));
    }
}
