//! Bitmap text drawn right.
//!
//! plotters 0.3.7 draws `ab_glyph` text by placing each glyph's ink at the start of its
//! advance, dropping the glyph's left side bearing. Latin text barely shows it; Chinese
//! glyphs, whose ink widths vary inside a square advance, come out unevenly spaced
//! ("留 存财力"). [`GlyphBackend`] wraps a bitmap backend, passes every drawing call
//! through, and draws text itself with the same font, the same layout box and anchors as
//! plotters, and each glyph at its true position. SVG output does not need it: it
//! writes `<text>` and the viewer lays the glyphs out.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::fonts::FONT_BYTES;

/// The embedded font, parsed once.
pub fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// A bitmap backend whose text is drawn by [`draw_text`](DrawingBackend::draw_text)
/// below; everything else goes to the wrapped backend.
pub struct GlyphBackend<DB>(pub DB);

/// Call `put(x, y, coverage)` for each pixel of `text` at font size `px`, with the
/// top-left corner of plotters' layout box at (0, 0). As in plotters, the baseline is
/// `px / 2` below the top, the size is the font's ascent-to-descent height, and pairs
/// are kerned.
pub fn rasterize(font: &FontRef<'_>, px: f32, text: &str, mut put: impl FnMut(i32, i32, f32)) {
    let scale = PxScale::from(px);
    let scaled = font.as_scaled(scale);
    let baseline = px / 2.0;
    let mut caret = 0.0f32;
    let mut previous = None;
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(prev) = previous {
            caret += scaled.kern(prev, id);
        }
        previous = Some(id);
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|x, y, c| put(x0 + x as i32, y0 + y as i32, c));
        }
        caret += scaled.h_advance(id);
    }
}

impl<DB: DrawingBackend> DrawingBackend for GlyphBackend<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    /// plotters' own text drawing (the default of this trait method), with the glyphs
    /// placed by [`rasterize`].
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = font() else {
            return self.0.draw_text(text, style, pos);
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.0.get_size();
        let mut result = Ok(());
        rasterize(font, style.size() as f32, text, |x, y, coverage| {
            if result.is_err() || coverage <= 0.0 {
                return;
            }
            let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let ink = BackendColor {
                    alpha: color.alpha * coverage.min(1.0) as f64,
                    rgb: color.rgb,
                };
                result = self.0.draw_pixel((x, y), ink);
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ink columns of `text` at 40 px.
    fn ink_columns(text: &str) -> Vec<bool> {
        let mut cols = vec![false; 400];
        rasterize(font().unwrap(), 40.0, text, |x, _, c| {
            if c > 0.3 && (0..400).contains(&x) {
                cols[x as usize] = true;
            }
        });
        cols
    }

    #[test]
    fn chinese_glyphs_sit_in_the_middle_of_their_advance() {
        // Between two square glyphs the gap is about the same whatever the ink width:
        // 留存 and 财力 have gaps within a few pixels of each other.
        let gap = |text: &str| {
            let cols = ink_columns(text);
            let first_end = cols.iter().take(40).rposition(|&c| c).unwrap();
            let second_start = (first_end + 1..400).find(|&x| cols[x]).unwrap();
            second_start as i32 - first_end as i32
        };
        let (a, b) = (gap("留存"), gap("财力"));
        assert!((a - b).abs() <= 6, "gaps {a} and {b}");
    }
}
