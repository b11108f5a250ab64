//! Streaming (non-temporal) stores for a wave's values.
//!
//! Phase 1 writes about 11 KB a path into the wave's buffers (100 MB a wave), and
//! phase 2 reads them back only after the whole wave: they are out of cache by then
//! either way. A plain store first reads each cache line it writes (read for
//! ownership); a streaming store writes the line straight to memory, and the cache
//! keeps the chunk's working state (benches/README.md, session 17: a run −2%).
//!
//! The one `unsafe` of the crate, for two intrinsics that std has no safe form of.

/// Copy `from` into `to` with streaming stores where the target allows them, plain
/// stores otherwise. The copy is visible to other threads after [`fence`].
#[inline]
pub(super) fn copy<const N: usize>(to: &mut [f64; N], from: &[f64; N]) {
    #[cfg(target_arch = "x86_64")]
    if N.is_multiple_of(2) && to.as_ptr().align_offset(16) == 0 {
        use std::arch::x86_64::{_mm_loadu_pd, _mm_stream_pd};
        for i in (0..N).step_by(2) {
            // SAFETY: SSE2 is part of x86-64. `i + 1 < N` (N even), so both reads and
            // both writes are in bounds; `to` is 16-byte aligned and `i` even, so
            // `to + i` is too, as `_mm_stream_pd` requires.
            unsafe {
                let pair = _mm_loadu_pd(from.as_ptr().add(i));
                _mm_stream_pd(to.as_mut_ptr().add(i), pair);
            }
        }
        return;
    }
    *to = *from;
}

/// Order the streaming stores before every later store: a chunk calls it when done,
/// before the thread that folds its values can learn that it is (streaming stores
/// are not ordered by the release that publishes the chunk).
#[inline]
pub(super) fn fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of x86-64; a fence has no other effect.
    unsafe {
        std::arch::x86_64::_mm_sfence();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_every_value_aligned_or_not() {
        let from: [f64; 16] = std::array::from_fn(|i| i as f64 * 1.5 - 3.0);
        // 16-byte aligned: the window at 0 takes streaming stores, the one at 1 (8
        // bytes further) plain ones.
        #[repr(align(16))]
        struct Aligned([f64; 17]);
        let mut buffer = Aligned([0.0; 17]);
        for start in 0..2 {
            buffer.0.fill(f64::NAN);
            let to: &mut [f64; 16] = (&mut buffer.0[start..start + 16]).try_into().unwrap();
            assert_eq!(to.as_ptr().align_offset(16) == 0, start == 0);
            copy(to, &from);
            fence();
            assert_eq!(&buffer.0[start..start + 16], &from);
        }
    }
}
