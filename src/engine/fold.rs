//! Phase 2 of a wave: the wave's values folded into each series' statistics, tasks
//! over series in parallel, every series in path order.

use rayon::prelude::*;

use super::SERIES_BLOCK;
use super::accumulator::{ROW, SeriesStats};
use super::chunk::Chunk;
use super::watch::{Expect, Tracking};

/// Per variant: the line positions of the watched series that departed in `wave`.
pub(super) fn departed_in(wave: &[Chunk], count: usize) -> Vec<Vec<usize>> {
    (0..count)
        .map(|v| {
            let mut positions: Vec<usize> = wave
                .iter()
                .flat_map(|c| c.departed[v].iter().map(|d| d.position))
                .collect();
            positions.sort_unstable();
            positions.dedup();
            positions
        })
        .collect()
}

/// Phase 2: fold `wave` into the statistics of every stored series and of the series
/// that `departed` in it, tasks in parallel, each series in path order.
pub(super) fn fold_wave(
    stats: &mut [Vec<SeriesStats>],
    wave: &[Chunk],
    tracking: &Tracking,
    departed: &[Vec<usize>],
) {
    let mut slots: Vec<Vec<Option<&mut SeriesStats>>> = stats
        .iter_mut()
        .map(|series| series.iter_mut().map(Some).collect())
        .collect();
    let mut tasks: Vec<Fold> = Vec::new();
    for (v, slots) in slots.iter_mut().enumerate() {
        for (b, block) in tracking.stored[v].chunks(SERIES_BLOCK).enumerate() {
            let series = block
                .iter()
                .map(|&k| slots[k].take().expect("a series is folded once a wave"))
                .collect();
            tasks.push(Fold::Stored {
                v,
                from: b * SERIES_BLOCK,
                series,
            });
        }
        for &k in &departed[v] {
            tasks.push(Fold::Departed {
                v,
                position: k,
                stats: slots[k].take().expect("a series is folded once a wave"),
            });
        }
    }
    tasks.into_par_iter().for_each(|task| match task {
        Fold::Stored {
            v,
            from,
            mut series,
        } => fold_block(&mut series, wave, v, from),
        Fold::Departed { v, position, stats } => fold_departed(stats, wave, v, position, tracking),
    });
}

/// A task of phase 2.
enum Fold<'s> {
    /// Stored series `from..from + series.len()` (places among the stored) of variant `v`.
    Stored {
        v: usize,
        from: usize,
        series: Vec<&'s mut SeriesStats>,
    },
    /// A watched series of variant `v` that departed in this wave.
    Departed {
        v: usize,
        position: usize,
        stats: &'s mut SeriesStats,
    },
}

/// Fold a wave's values of variant `v`'s stored series `from..from + block.len()` into
/// their statistics, in path order. Kept out of line so that profiles show it.
#[inline(never)]
fn fold_block(block: &mut [&mut SeriesStats], wave: &[Chunk], v: usize, from: usize) {
    let len = block.len();
    // Streamed in once, the block's buckets (16 sketches, up to about 150 KB) stay in
    // L2 cache for the rest of the wave.
    block.iter().for_each(|s| s.touch());
    for chunk in wave {
        let values = chunk.block(v, from, len);
        // A full block whose series have all varied takes the values a path at a time,
        // reading them once, in order (about 10% faster).
        if let Ok(full) = <&mut [&mut SeriesStats; ROW]>::try_from(&mut *block)
            && SeriesStats::add_rows(full, values)
        {
            continue;
        }
        // Otherwise one series at a time, so its counters stay in L1 cache.
        for (j, s) in block.iter_mut().enumerate() {
            s.add_each(values[j..].iter().step_by(len).copied());
        }
    }
}

/// Fold a wave's values of variant `v`'s series at `position`, which departed from its
/// expected value in this wave: the expected values up to the path where it departed
/// in each chunk, its own from there.
fn fold_departed(
    stats: &mut SeriesStats,
    wave: &[Chunk],
    v: usize,
    position: usize,
    tracking: &Tracking,
) {
    let expect = tracking
        .expected(v, position)
        .expect("a departed series was watched");
    for chunk in wave {
        let departure = chunk.departed[v].iter().find(|d| d.position == position);
        let upto = departure.map_or(chunk.paths, |d| d.from);
        match expect {
            Expect::Constant(x) => stats.add_each(std::iter::repeat_n(x, upto)),
            Expect::Baseline(b) => {
                stats.add_each(chunk.values_of(0, b, tracking).into_iter().take(upto))
            }
            Expect::Same(j) => {
                stats.add_each(chunk.values_of(v, j, tracking).into_iter().take(upto))
            }
        }
        if let Some(d) = departure {
            stats.add_each(d.values.iter().copied());
        }
    }
}
