//! Phase 1 of a wave: a chunk of paths sampled, evaluated and gathered into the
//! blocks that phase 2 folds.

use crate::ledger::{Ledger, PathLedger, Reuse};
use crate::world::{World, WorldSampler, path_rng};

use super::SERIES_BLOCK;
use super::accumulator::RiskTable;
use super::layout::{Layout, any_funding_gap, record_headline};
use super::plan::Plan;
use super::stream;
use super::watch::{Checks, Departure, Expect, Tracking};

/// A slot of a wave: its working state (kept from wave to wave, so the hot loop
/// allocates nothing) and the values of its chunk's paths, per variant.
///
/// Stored values lie block by block, as phase 2 reads them: the values of stored series
/// `from..from + len` (one block) for every path of the chunk lie together, path after
/// path, at `from * capacity`, so a fold reads memory in order. Rows are gathered a few
/// paths at a time in a small buffer and transposed into the blocks from there: written
/// one path at a time, each row would scatter over a hundred pages.
pub(super) struct Chunk<'a> {
    worlds: Vec<World>,
    ledgers: Vec<Ledger<'a>>,
    outs: Vec<PathLedger>,
    /// One path's full layout row.
    row: Vec<f64>,
    /// Per variant: the path's line (own series, headline totals, differences).
    lines: Vec<Vec<f64>>,
    /// Per variant: stored values of the last few paths, not yet in `values`.
    pending: Vec<Vec<f64>>,
    /// Paths gathered in `pending` before they are stored.
    gather: usize,
    /// Paths the chunk can hold, and holds.
    capacity: usize,
    pub(super) paths: usize,
    values: Vec<Vec<f64>>,
    /// Per variant: watched series that departed in this chunk, and a flag per position.
    pub(super) departed: Vec<Vec<Departure>>,
    has_departed: Vec<Vec<bool>>,
    /// Per variant: the watched series still checked in this chunk (the wave's, less
    /// those departed since).
    checks: Vec<Checks>,
    pub(super) risk: Vec<RiskTable>,
    pub(super) any_gap: Vec<u64>,
}

/// Bytes of rows gathered before they are transposed into blocks (stays in L2 cache).
const GATHER_BYTES: usize = 512 << 10;
/// Most paths gathered.
const GATHER_PATHS: usize = 32;

impl<'a> Chunk<'a> {
    /// A chunk of `capacity` paths whose stored values take `row_bytes` a path.
    pub(super) fn new(plan: &Plan<'a>, capacity: usize, row_bytes: usize) -> Chunk<'a> {
        Chunk {
            worlds: plan.samplers.iter().map(WorldSampler::blank).collect(),
            ledgers: plan
                .variants
                .iter()
                .enumerate()
                .map(|(v, s)| {
                    let mut ledger = Ledger::new(s);
                    if let (0, Some(zones)) = (v, plan.prefix_zones) {
                        ledger.keep_prefix(zones);
                    }
                    if let Some(taken) = &plan.taken[v] {
                        ledger.take_parents(taken.clone());
                    }
                    ledger
                })
                .collect(),
            outs: plan.variants.iter().map(|s| PathLedger::new(s)).collect(),
            row: Vec::new(),
            lines: vec![Vec::new(); plan.widths.len()],
            pending: vec![Vec::new(); plan.widths.len()],
            gather: (GATHER_BYTES / row_bytes).clamp(1, GATHER_PATHS),
            capacity,
            paths: 0,
            values: vec![Vec::new(); plan.widths.len()],
            departed: vec![Vec::new(); plan.widths.len()],
            has_departed: plan.widths.iter().map(|&w| vec![false; w]).collect(),
            checks: Vec::new(),
            risk: plan.variants.iter().map(|s| RiskTable::new(s)).collect(),
            any_gap: vec![0; plan.variants.len()],
        }
    }

    /// Variant `v`'s values of the block of `len` stored series from `from`, path after
    /// path.
    pub(super) fn block(&self, v: usize, from: usize, len: usize) -> &[f64] {
        let start = from * self.capacity;
        &self.values[v][start..start + self.paths * len]
    }

    /// Variant `v`'s values of the series at line `position`, for every path of the
    /// chunk (stored, or watched: read through what it repeats).
    pub(super) fn values_of(&self, v: usize, position: usize, tracking: &Tracking) -> Vec<f64> {
        if let Some(place) = tracking.place[v][position] {
            let from = place / SERIES_BLOCK * SERIES_BLOCK;
            let len = SERIES_BLOCK.min(tracking.stored[v].len() - from);
            let block = self.block(v, from, len);
            return block[place - from..].iter().step_by(len).copied().collect();
        }
        let mut values = match tracking.expected(v, position) {
            Some(Expect::Constant(x)) => vec![x; self.paths],
            Some(Expect::Same(j)) => self.values_of(v, j, tracking),
            Some(Expect::Baseline(b)) => self.values_of(0, b, tracking),
            None => unreachable!("a series is stored or watched"),
        };
        if let Some(d) = self.departed[v].iter().find(|d| d.position == position) {
            values[d.from..].copy_from_slice(&d.values);
        }
        values
    }

    /// Move the `rows` (of `width` values, one per path from `first`) into `values`,
    /// block by block.
    fn store(values: &mut [f64], rows: &[f64], width: usize, capacity: usize, first: usize) {
        if width == 0 {
            return;
        }
        let count = rows.len() / width;
        for from in (0..width).step_by(SERIES_BLOCK) {
            let len = SERIES_BLOCK.min(width - from);
            let at = from * capacity + first * len;
            let block = &mut values[at..at + count * len];
            let sources = rows.chunks_exact(width).map(|row| &row[from..from + len]);
            if len == SERIES_BLOCK {
                // A fixed length: streamed a pair at a time, not a call to memcpy.
                for (to, from) in block.chunks_exact_mut(SERIES_BLOCK).zip(sources) {
                    let to: &mut [f64; SERIES_BLOCK] = to.try_into().expect("a full block");
                    stream::copy(to, from.try_into().expect("a full block"));
                }
            } else {
                for (to, from) in block.chunks_exact_mut(len).zip(sources) {
                    to.copy_from_slice(from);
                }
            }
        }
    }

    /// Sample path `path`'s worlds and evaluate every variant on them: fills `lines`
    /// and adds to the risk counts.
    fn evaluate(&mut self, path: usize, seed: u64, plan: &Plan) {
        for (sampler, world) in plan.samplers.iter().zip(&mut self.worlds) {
            // Every world of a path comes from the same stream: common random numbers.
            sampler.sample_into(&mut path_rng(seed, path as u64), world);
        }
        for v in 0..plan.variants.len() {
            let (earlier, rest) = self.outs.split_at_mut(v);
            let out = &mut rest[0];
            let reuse = plan.reuse[v]
                .as_deref()
                .and_then(|same| earlier.first().map(|base| (base, same)));
            self.ledgers[v].evaluate_reusing(&self.worlds[plan.sampler_of[v]], out, reuse);
            let out = &*out;
            let zone = |z| out.zone(z, reuse);

            let (earlier, rest) = self.lines.split_at_mut(v);
            let line = &mut rest[0];
            line.clear();
            match &plan.unshared[v] {
                Some(shared) => Layout::record_unshared(out, shared, line),
                None => {
                    // Every zone is in `out` (see `Plan::new`).
                    self.row.clear();
                    Layout::record(out, &mut self.row);
                    line.extend(plan.own[v].iter().map(|&i| self.row[i]));
                }
            }
            record_headline(out, zone, line);
            if let Some(baseline) = earlier.first() {
                // The baseline's line starts with its full layout row. The differences
                // are written into place: a push per value checked the capacity each time.
                let differences = &plan.differences[v];
                let own = line.len();
                line.resize(own + differences.len(), 0.0);
                let (values, out) = line.split_at_mut(own);
                for (d, &(position, b)) in out.iter_mut().zip(differences) {
                    *d = values[position] - baseline[b];
                }
            }
            let zones = out.zones.len();
            for z in 0..zones {
                // A zone reused whole counts as the baseline's (see the end of the run).
                if !reuse.is_some_and(|(_, how)| how[z] == Reuse::Zone) {
                    self.risk[v].add_zone(z, zone(z));
                }
            }
            self.any_gap[v] += u64::from(any_funding_gap(zones, zone));
        }
    }

    /// The lines of `paths`, per variant and path (the pilot's).
    pub(super) fn pilot(
        &mut self,
        paths: std::ops::Range<usize>,
        seed: u64,
        plan: &Plan,
    ) -> Vec<Vec<Vec<f64>>> {
        let mut lines = vec![Vec::new(); plan.variants.len()];
        for path in paths {
            self.evaluate(path, seed, plan);
            for (all, line) in lines.iter_mut().zip(&self.lines) {
                all.push(line.clone());
            }
        }
        lines
    }

    /// Simulate `paths`: store the stored series' values, check the watched ones (kept
    /// out of line so that profiles show it).
    #[inline(never)]
    pub(super) fn run(
        &mut self,
        paths: std::ops::Range<usize>,
        seed: u64,
        plan: &Plan,
        tracking: &Tracking,
    ) {
        self.risk.iter_mut().for_each(RiskTable::clear);
        self.any_gap.fill(0);
        self.paths = paths.len();
        self.pending.iter_mut().for_each(Vec::clear);
        for (values, stored) in self.values.iter_mut().zip(&tracking.stored) {
            // Series that departed since the last wave are stored from now on. Grown in
            // place, not replaced: a large buffer is remapped, so only its new pages
            // fault in (a fresh buffer faulted every page again, wave after wave).
            let needed = stored.len() * self.capacity;
            if values.is_empty() {
                // Zeroed by the allocator (fresh pages are zero), not written twice.
                *values = vec![0.0; needed];
            } else if values.len() < needed {
                values.resize(needed, 0.0);
            }
        }
        for (departed, flags) in self.departed.iter_mut().zip(&mut self.has_departed) {
            for d in departed.drain(..) {
                flags[d.position] = false;
            }
        }
        self.checks.clone_from(&tracking.checks);
        let mut first = 0;
        for (p, path) in paths.enumerate() {
            self.evaluate(path, seed, plan);
            let lines = &self.lines;
            for (v, line) in lines.iter().enumerate() {
                // A slice, so that its length stays in a register while `pending` grows.
                let line: &[f64] = line;
                let pending = &mut self.pending[v];
                // One gather of known length: no capacity check per value.
                pending.extend(tracking.stored[v].iter().map(|&k| line[k]));
                let departed = &mut self.departed[v];
                for d in departed.iter_mut() {
                    d.values.push(line[d.position]);
                }
                let checks = &mut self.checks[v];
                if checks.hold(line, &lines[0]) {
                    continue;
                }
                for &(k, expect) in &tracking.watched[v] {
                    let x = line[k];
                    if x.to_bits() != expect.value(line, &lines[0]).to_bits()
                        && !self.has_departed[v][k]
                    {
                        self.has_departed[v][k] = true;
                        departed.push(Departure {
                            position: k,
                            from: p,
                            values: vec![x],
                        });
                        // Not checked again in this chunk, so that the next paths hold:
                        // a series departed in a chunk's first paths sent every later
                        // path down this loop (most of a first wave's paths).
                        checks.drop_position(k);
                    }
                }
            }
            if p + 1 - first == self.gather || p + 1 == self.paths {
                for ((values, rows), stored) in self
                    .values
                    .iter_mut()
                    .zip(&mut self.pending)
                    .zip(&tracking.stored)
                {
                    Self::store(values, rows, stored.len(), self.capacity, first);
                    rows.clear();
                }
                first = p + 1;
            }
        }
        stream::fence();
    }
}
