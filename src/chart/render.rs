//! One drawing, two files: every chart draws on a generic plotters backend, and is
//! rendered once into an RGB buffer (encoded as PNG) and once as SVG. Also the parts
//! every chart shares: the title, the legend row and the source line.

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fonts;
use super::glyphs::GlyphBackend;
use super::style::{self, HEIGHT, WIDTH};

/// A chart: a stable file name and a drawing.
pub trait Chart {
    /// The file name without extension, e.g. `received_fan_chem`.
    fn stem(&self) -> String;
    /// The title, as drawn at the top (and found in the SVG).
    fn title(&self) -> String;
    /// Draw on `root` (already white, `WIDTH`×`HEIGHT`).
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;
}

/// A chart rendered in memory.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub stem: String,
    pub title: String,
    pub png: Vec<u8>,
    pub svg: String,
}

/// Render `chart` as PNG and SVG.
pub fn render<C: Chart>(chart: &C) -> Result<Rendered> {
    fonts::ensure_registered()?;
    let stem = chart.stem();
    let context = || format!("cannot draw the chart {stem}");

    // The buffer starts white, so the root is not filled again (a pass over every pixel).
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let backend = GlyphBackend(BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)));
        let root = backend.into_drawing_area();
        chart.draw(&root).with_context(context)?;
        root.present().with_context(context)?;
    }
    let png = encode_png(&rgb, WIDTH, HEIGHT).with_context(context)?;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).with_context(context)?;
        chart.draw(&root).with_context(context)?;
        root.present().with_context(context)?;
    }
    Ok(Rendered {
        stem,
        title: chart.title(),
        png,
        svg,
    })
}

/// An 8-bit RGB image as PNG bytes.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(png::DeflateCompression::Level(1));
    // Each row less the pixel to its left: charts are mostly flat runs of one colour, so
    // this compresses nearly as well as trying every filter on every row (6% larger
    // files), at a fraction of the time.
    encoder.set_filter(png::Filter::Sub);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Left margin of titles, legends and footers.
pub const MARGIN: i32 = 48;
/// Centre line of the first legend row, below the title and subtitle.
pub const LEGEND_Y: i32 = 128;
/// Where the plot area starts below the title, subtitle and one legend row.
pub const TOP: i32 = 160;
/// Height of the footer band holding the source line.
pub const FOOTER: i32 = 50;

/// Draw the title, an optional subtitle below it, and the footer's source line; return
/// the area left for the plot (below `top`, above the footer).
pub fn frame<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: Option<&str>,
    footer: &str,
    top: i32,
) -> Result<DrawingArea<DB, Shift>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    root.draw(&Text::new(
        title.to_string(),
        (MARGIN, 24),
        style::bold(style::TITLE_PX),
    ))?;
    if let Some(subtitle) = subtitle {
        root.draw(&Text::new(
            subtitle.to_string(),
            (MARGIN, 76),
            style::font(style::LABEL_PX).color(&style::MUTED_TEXT),
        ))?;
    }
    root.draw(&Text::new(
        footer.to_string(),
        (MARGIN, HEIGHT as i32 - FOOTER / 2),
        style::font(style::NOTE_PX)
            .color(&style::MUTED_TEXT)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let (_, rest) = root.split_vertically(top);
    let (plot, _) = rest.split_vertically(HEIGHT as i32 - top - FOOTER);
    Ok(plot)
}

/// How a legend item is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A filled square.
    Swatch(RGBColor),
    /// A filled square, transparent.
    Band(RGBColor, f64),
    /// A thick line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A line with a dot, as a line series with markers.
    LineDot(RGBColor),
    /// An error bar (whisker).
    Whisker(RGBColor),
}

/// Draw the title, the subtitle (if any) and the legend, and return the plot area framed
/// below the legend's last row. Without a subtitle the legend moves up into its row.
pub fn legend_and_frame<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: Option<&str>,
    footer: &str,
    items: &[(Mark, String)],
) -> Result<DrawingArea<DB, Shift>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let shift = if subtitle.is_some() { 0 } else { 40 };
    let last_row = legend(
        root,
        (MARGIN, LEGEND_Y - shift),
        style::WIDTH as i32 - MARGIN,
        items,
    )?;
    frame(
        root,
        title,
        subtitle,
        footer,
        (TOP - shift).max(last_row + 32),
    )
}

/// Draw legend items left to right from `(x, y)` (the centre line of the first row),
/// wrapping before `max_x`. Returns the y of the centre line of the last row.
pub fn legend<DB>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    max_x: i32,
    items: &[(Mark, String)],
) -> Result<i32>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    const SWATCH: i32 = 34;
    const ROW: i32 = 40;
    let text_style = style::text(style::LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut cx, mut cy) = (x, y);
    for (mark, label) in items {
        let (w, _) = root.estimate_text_size(label, &text_style)?;
        let item_width = SWATCH + 10 + w as i32;
        if cx > x && cx + item_width > max_x {
            cx = x;
            cy += ROW;
        }
        draw_mark(root, *mark, (cx, cy), SWATCH)?;
        root.draw(&Text::new(
            label.clone(),
            (cx + SWATCH + 10, cy),
            text_style.clone(),
        ))?;
        cx += item_width + 36;
    }
    Ok(cy)
}

/// A legend mark of width `w` centred vertically on `y`, starting at `x`.
pub fn draw_mark<DB>(
    root: &DrawingArea<DB, Shift>,
    mark: Mark,
    (x, y): (i32, i32),
    w: i32,
) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let half = 11;
    match mark {
        Mark::Swatch(c) => {
            root.draw(&Rectangle::new(
                [(x, y - half), (x + w, y + half)],
                c.filled(),
            ))?;
        }
        Mark::Band(c, alpha) => {
            root.draw(&Rectangle::new(
                [(x, y - half), (x + w, y + half)],
                c.mix(alpha).filled(),
            ))?;
        }
        Mark::Line(c) => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + w, y)],
                c.stroke_width(5),
            ))?;
        }
        Mark::LineDot(c) => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + w, y)],
                c.stroke_width(4),
            ))?;
            root.draw(&Circle::new((x + w / 2, y), 7, c.filled()))?;
        }
        Mark::Dashed(c) => {
            let mut sx = x;
            while sx < x + w {
                let ex = (sx + 8).min(x + w);
                root.draw(&PathElement::new(vec![(sx, y), (ex, y)], c.stroke_width(4)))?;
                sx += 13;
            }
        }
        Mark::Whisker(c) => {
            let mid = x + w / 2;
            root.draw(&PathElement::new(
                vec![(mid, y - half), (mid, y + half)],
                c.stroke_width(3),
            ))?;
            for yy in [y - half, y + half] {
                root.draw(&PathElement::new(
                    vec![(mid - 8, yy), (mid + 8, yy)],
                    c.stroke_width(3),
                ))?;
            }
        }
    }
    Ok(())
}
