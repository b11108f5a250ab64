//! Who keeps the money (留存财力, DOMAIN.md §4.8): one stacked bar per projected year,
//! one segment per level (centre, province, city, each county, each zone), at the
//! median. Segments large enough carry their share of the bar.
//!
//! Medians do not add up to the median of the total; the bar is the sum of the medians,
//! which is what a briefing reads as "the split".

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels;
use super::render::{self, Chart, Mark};
use super::style::{self, MoneyUnit};
use super::{Common, short_name};
use crate::chart::input::{EntityKind, RunDir};
use crate::scenario::model::Year;
use crate::summary::Summary;

#[derive(Debug, Clone)]
pub struct Segment {
    pub label: String,
    pub colour: RGBColor,
    /// Median retained funds per year (万元), in the order of [`RetainedSplit::years`].
    pub values: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct RetainedSplit {
    pub common: Common,
    pub years: Vec<Year>,
    /// Bottom to top of each bar.
    pub segments: Vec<Segment>,
}

impl RetainedSplit {
    pub fn new(common: &Common, run: &RunDir, summary: &Summary) -> Self {
        let lang = common.lang;
        let years = run.years();
        let (mut counties, mut zones) = (0, 0);
        let segments = run
            .meta
            .entities
            .iter()
            .filter_map(|e| {
                let values: Vec<f64> = years
                    .iter()
                    .map(|&y| summary.get(&e.id, "retained", y).map_or(0.0, |r| r.p50()))
                    .collect();
                summary.get(&e.id, "retained", *years.first()?)?;
                let (label, colour) = match e.kind {
                    EntityKind::Central => (labels::CENTRAL.get(lang).to_string(), style::CENTRAL),
                    EntityKind::Province => {
                        (labels::PROVINCE.get(lang).to_string(), style::PROVINCE)
                    }
                    EntityKind::City => (labels::CITY.get(lang).to_string(), style::CITY),
                    EntityKind::County => {
                        counties += 1;
                        let c = style::COUNTIES[(counties - 1) % style::COUNTIES.len()];
                        (short_name(e, lang), c)
                    }
                    EntityKind::Zone => {
                        zones += 1;
                        (
                            short_name(e, lang),
                            style::ZONES[(zones - 1) % style::ZONES.len()],
                        )
                    }
                };
                Some(Segment {
                    label,
                    colour,
                    values,
                })
            })
            .collect();
        Self {
            common: common.clone(),
            years,
            segments,
        }
    }

    fn totals(&self) -> Vec<f64> {
        (0..self.years.len())
            .map(|i| self.segments.iter().map(|s| s.values[i].max(0.0)).sum())
            .collect()
    }
}

impl Chart for RetainedSplit {
    fn stem(&self) -> String {
        "retained_split".into()
    }

    fn title(&self) -> String {
        let title = labels::RETAINED_TITLE.get(self.common.lang);
        self.common.tagged(title.into())
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let totals = self.totals();
        let max_total = totals.iter().copied().fold(0.0, f64::max);
        let min_total: f64 = (0..self.years.len())
            .map(|i| {
                self.segments
                    .iter()
                    .map(|s| s.values[i].min(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::min);
        let unit = MoneyUnit::for_max(max_total.max(-min_total));
        let f = unit.factor(lang);
        let area = render::frame(root, &self.title(), None, &self.common.footer, 110)?;
        let (plot_area, legend_area) = area.split_horizontally(style::WIDTH as i32 - 400);

        let top = style::nice_ceiling(max_total / f * 1.08);
        let bottom = if min_total < 0.0 {
            -style::nice_ceiling(-min_total / f * 1.08)
        } else {
            0.0
        };
        let (first, last) = match (self.years.first(), self.years.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => return Ok(()),
        };
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_left(20)
            .margin_right(20)
            .margin_top(20)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(first as f64 - 0.6..last as f64 + 0.6, bottom..top)?;
        let year_label = |x: &f64| {
            if (x - x.round()).abs() < 1e-6 {
                format!("{:.0}", x.round())
            } else {
                String::new()
            }
        };
        let y_format = |v: &f64| style::group_thousands(*v, if top < 10.0 { 1 } else { 0 });
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels((last - first + 1) as usize)
            .y_labels(8)
            .x_label_formatter(&year_label)
            .y_label_formatter(&y_format)
            .label_style(style::text(style::TICK_PX))
            .axis_desc_style(style::text(style::LABEL_PX))
            .x_desc(labels::YEAR.get(lang))
            .y_desc(labels::RETAINED_Y.fill(lang, &[("unit", unit.label(lang))]))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .axis_style(style::MUTED_TEXT.stroke_width(2))
            .draw()?;

        // Pixels per axis unit, to decide which segments have room for a label.
        let px_per_unit = {
            let (_, y_px) = plot_area.get_pixel_range();
            (y_px.end - y_px.start - 120) as f64 / (top - bottom)
        };
        const HALF_WIDTH: f64 = 0.32;
        for (i, &year) in self.years.iter().enumerate() {
            let x = year as f64;
            let (mut up, mut down) = (0.0, 0.0);
            for s in &self.segments {
                let v = s.values[i] / f;
                let (lo, hi) = if v >= 0.0 {
                    up += v;
                    (up - v, up)
                } else {
                    down += v;
                    (down, down - v)
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - HALF_WIDTH, lo), (x + HALF_WIDTH, hi)],
                    s.colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - HALF_WIDTH, lo), (x + HALF_WIDTH, hi)],
                    WHITE.stroke_width(1),
                )))?;
                let share = if totals[i] > 0.0 {
                    s.values[i] / totals[i]
                } else {
                    0.0
                };
                if (hi - lo) * px_per_unit >= 30.0 && share >= 0.03 {
                    chart.draw_series(std::iter::once(Text::new(
                        format!("{:.0}%", 100.0 * share),
                        (x, (lo + hi) / 2.0),
                        style::font(style::TICK_PX)
                            .color(&style::text_on(s.colour))
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))?;
                }
            }
            chart.draw_series(std::iter::once(Text::new(
                unit.show(totals[i], lang),
                (x, up),
                style::text(style::TICK_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }

        // The legend, top to bottom as the segments stack.
        let (lx, ly) = legend_area.get_base_pixel();
        let mut y = ly + 40;
        for s in self.segments.iter().rev() {
            render::draw_mark(root, Mark::Swatch(s.colour), (lx + 10, y), 34)?;
            root.draw(&Text::new(
                s.label.clone(),
                (lx + 56, y),
                style::text(style::LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += 44;
        }
        Ok(())
    }
}
