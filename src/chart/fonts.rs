//! The font every chart is drawn with, compiled into the binary.
//!
//! WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0; licence in `fonts/`) covers Latin and
//! CJK in one face. plotters' `ab_glyph` backend has no fallback between fonts and never
//! looks at the system's fonts, so this one font must cover every character a chart
//! shows, and a machine with no CJK font installed draws the same glyphs as any other.

use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use plotters::style::FontStyle;

/// The font file: a TrueType collection whose first face is "WenQuanYi Micro Hei".
/// ab_glyph reads face 0 of a collection directly.
pub const FONT_BYTES: &[u8] = include_bytes!("fonts/wqy-microhei.ttc");

/// The family name charts ask for. It is also what SVG files name as their
/// `font-family`: SVG does not embed fonts, so the viewer picks the first of these it
/// has, and any CJK sans-serif font looks right.
pub const FAMILY: &str =
    "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif";

/// Register the embedded font with plotters (once per process). Every drawing function
/// calls this first; without it text drawing fails with `FontUnavailable`.
pub fn ensure_registered() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), &'static str>> = OnceLock::new();
    (*REGISTERED.get_or_init(|| {
        // "sans-serif" too: plotters' own default text styles ask for it.
        // Other styles (bold) fall back to this normal face.
        for family in [FAMILY, "sans-serif"] {
            plotters::style::register_font(family, FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "the embedded chart font (WenQuanYi Micro Hei) could not be parsed")?;
        }
        Ok(())
    }))
    .map_err(|e| anyhow!(e))
}
