//! Fan charts (扇形图): the 90% band (p5–p95), the 50% band (p25–p75) and the median of
//! one series over the projected years. Shared by the funds-received and debt-ratio
//! charts.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::labels::{self, Lang};
use super::render::Mark;
use super::style;
use crate::scenario::model::Year;
use crate::summary::Summary;

/// One year of a fan: the percentiles the chart draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanPoint {
    pub year: Year,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl FanPoint {
    /// The same point with every value mapped by `f` (unit change, clipping).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            year: self.year,
            p5: f(self.p5),
            p25: f(self.p25),
            p50: f(self.p50),
            p75: f(self.p75),
            p95: f(self.p95),
        }
    }

    pub fn max(&self) -> f64 {
        [self.p5, self.p25, self.p50, self.p75, self.p95]
            .into_iter()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    pub fn min(&self) -> f64 {
        [self.p5, self.p25, self.p50, self.p75, self.p95]
            .into_iter()
            .fold(f64::INFINITY, f64::min)
    }
}

/// The fan of `entity`'s `metric` over `years` (years without a row are skipped).
pub fn series(summary: &Summary, entity: &str, metric: &str, years: &[Year]) -> Vec<FanPoint> {
    years
        .iter()
        .filter_map(|&year| {
            let r = summary.get(entity, metric, year)?;
            let p = r.percentiles;
            Some(FanPoint {
                year,
                p5: p[0],
                p25: p[2],
                p50: p[3],
                p75: p[4],
                p95: p[6],
            })
        })
        .collect()
}

pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart area with years on x (from `first` to `last`, integer labels) and `y` on y.
pub fn year_chart<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    first: Year,
    last: Year,
    y: std::ops::Range<f64>,
    y_desc: &str,
    y_format: &dyn Fn(&f64) -> String,
    lang: Lang,
) -> Result<Plot<'a, DB>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(60)
        .margin_top(10)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(first as f64 - 0.4..last as f64 + 0.4, y)?;
    let year_label = |x: &f64| {
        if (x - x.round()).abs() < 1e-6 {
            format!("{:.0}", x.round())
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels((last - first + 1) as usize)
        .y_labels(8)
        .x_label_formatter(&year_label)
        .y_label_formatter(y_format)
        .label_style(style::text(style::TICK_PX))
        .axis_desc_style(style::text(style::LABEL_PX))
        .x_desc(labels::YEAR.get(lang))
        .y_desc(y_desc)
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .axis_style(style::MUTED_TEXT.stroke_width(2))
        .draw()?;
    Ok(chart)
}

/// Draw the two bands and the median line of `points` (already in axis units).
pub fn draw_fan<DB>(chart: &mut Plot<'_, DB>, points: &[FanPoint], colour: RGBColor) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let band = |lo: fn(&FanPoint) -> f64, hi: fn(&FanPoint) -> f64| -> Vec<(f64, f64)> {
        points
            .iter()
            .map(|p| (p.year as f64, hi(p)))
            .chain(points.iter().rev().map(|p| (p.year as f64, lo(p))))
            .collect()
    };
    chart.draw_series(std::iter::once(Polygon::new(
        band(|p| p.p5, |p| p.p95),
        colour.mix(BAND_90_ALPHA).filled(),
    )))?;
    chart.draw_series(std::iter::once(Polygon::new(
        band(|p| p.p25, |p| p.p75),
        colour.mix(BAND_50_ALPHA).filled(),
    )))?;
    let median: Vec<(f64, f64)> = points.iter().map(|p| (p.year as f64, p.p50)).collect();
    chart.draw_series(LineSeries::new(median.clone(), colour.stroke_width(5)))?;
    chart.draw_series(median.iter().map(|&xy| Circle::new(xy, 7, colour.filled())))?;
    Ok(())
}

pub const BAND_90_ALPHA: f64 = 0.18;
pub const BAND_50_ALPHA: f64 = 0.38;

/// The legend items of a fan.
pub fn legend_items(colour: RGBColor, lang: Lang) -> Vec<(Mark, String)> {
    vec![
        (
            Mark::Band(colour, BAND_90_ALPHA),
            labels::BAND_90.get(lang).to_string(),
        ),
        (
            Mark::Band(colour, BAND_50_ALPHA),
            labels::BAND_50.get(lang).to_string(),
        ),
        (Mark::LineDot(colour), labels::MEDIAN.get(lang).to_string()),
    ]
}

/// A dashed horizontal line at `y` across the chart.
pub fn dashed_hline<DB>(chart: &mut Plot<'_, DB>, y: f64, style: ShapeStyle) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let x = chart.x_range();
    chart.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
        vec![(x.start, y), (x.end, y)],
        14,
        10,
        style,
    )))?;
    Ok(())
}
