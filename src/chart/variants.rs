//! Drafts side by side (方案对比): for each variant of a batch or sweep, the cumulative
//! retained funds (留存财力) of the city, of the counties together and of the zones
//! together, medians with p5–p95 whiskers (headline.csv). The zones' retained funds are
//! their whole inflow (tax shares, land and fee returns, grants), so a draft that moves
//! land money from a zone to its county shows on both bars.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels;
use super::render::{self, Chart, Mark};
use super::style::{self, MoneyUnit};
use super::{Common, DraftNames, sweep};
use crate::chart::input::RunDir;
use crate::scenario::model::Year;

/// p5, p50, p95 of one total (万元).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

#[derive(Debug, Clone)]
pub struct VariantBars {
    pub common: Common,
    pub from: Year,
    pub to: Year,
    /// Each draft's name as shown (see [`DraftNames`]) and the retained totals of
    /// [`LEVELS`]; the first is the baseline.
    pub variants: Vec<(String, [Spread; 3])>,
    /// A sweep's keys, named under the axis.
    pub keys: Option<String>,
}

/// The headline totals drawn for each draft, their legend and their colour.
const LEVELS: [(&str, labels::Label, RGBColor); 3] = [
    ("city_retained_total", labels::VARIANT_CITY, style::CITY),
    (
        "counties_retained_total",
        labels::VARIANT_COUNTIES,
        style::COUNTIES[0],
    ),
    (
        "zones_retained_total",
        labels::VARIANT_ZONES,
        style::ZONES[0],
    ),
];

impl VariantBars {
    /// `None` when the run has no headline.csv.
    pub fn new(common: &Common, run: &RunDir) -> Option<Self> {
        let spread = |scenario: &str, metric: &str| {
            run.headline(scenario, metric).map(|h| Spread {
                p5: h.p5,
                p50: h.p50,
                p95: h.p95,
            })
        };
        let drafts = DraftNames::of(run, common.lang);
        let variants: Vec<_> = run
            .summaries
            .iter()
            .zip(drafts.names)
            .filter_map(|(s, name)| {
                let [a, b, c] = LEVELS.map(|(metric, _, _)| spread(&s.scenario, metric));
                Some((name, [a?, b?, c?]))
            })
            .collect();
        if variants.is_empty() {
            return None;
        }
        let years = run.years();
        Some(Self {
            common: common.clone(),
            from: years.first().copied().unwrap_or(run.meta.base_year + 1),
            to: years.last().copied().unwrap_or(run.meta.horizon),
            variants,
            keys: drafts.keys.map(|keys| {
                let labels: Vec<String> = keys
                    .iter()
                    .map(|k| sweep::key_label(k, common.lang))
                    .collect();
                labels.join(" · ")
            }),
        })
    }
}

impl Chart for VariantBars {
    fn stem(&self) -> String {
        "variants".into()
    }

    fn title(&self) -> String {
        labels::VARIANTS_TITLE.fill(
            self.common.lang,
            &[
                ("from", &self.from.to_string()),
                ("to", &self.to.to_string()),
            ],
        )
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let spreads = || self.variants.iter().flat_map(|(_, levels)| levels);
        let max = spreads()
            .flat_map(|s| [s.p95, s.p50])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let min = spreads()
            .map(|s| s.p5)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        let unit = MoneyUnit::for_max(max.max(-min));
        let f = unit.factor(lang);
        let mut items: Vec<(Mark, String)> = LEVELS
            .iter()
            .map(|(_, label, colour)| (Mark::Swatch(*colour), label.get(lang).to_string()))
            .collect();
        items.push((
            Mark::Whisker(style::TEXT),
            labels::WHISKERS.get(lang).to_string(),
        ));
        let area =
            render::legend_and_frame(root, &self.title(), None, &self.common.footer, &items)?;

        let n = self.variants.len();
        let top = style::nice_ceiling(max / f * 1.1);
        let bottom = if min < 0.0 {
            -style::nice_ceiling(-min / f * 1.1)
        } else {
            0.0
        };
        let mut chart = ChartBuilder::on(&area)
            .margin_left(20)
            .margin_right(60)
            .margin_top(20)
            .x_label_area_size(100)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.6..n as f64 - 0.4, bottom..top)?;
        let y_format = |v: &f64| style::group_thousands(*v, if top < 10.0 { 1 } else { 0 });
        let no_label = |_: &f64| String::new();
        let mut mesh = chart.configure_mesh();
        if let Some(keys) = &self.keys {
            mesh.x_desc(keys.as_str());
        }
        mesh.disable_x_mesh()
            .x_labels(n.max(2))
            .x_label_formatter(&no_label)
            .y_labels(8)
            .y_label_formatter(&y_format)
            .label_style(style::text(style::TICK_PX))
            .axis_desc_style(style::text(style::LABEL_PX))
            .y_desc(labels::VARIANTS_Y.fill(lang, &[("unit", unit.label(lang))]))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .axis_style(style::MUTED_TEXT.stroke_width(2))
            .draw()?;

        // Variant names under the groups, as large as the room allows.
        let group_px = {
            let (x_px, _) = area.get_pixel_range();
            (x_px.end - x_px.start - 230) / n as i32
        };
        let names: Vec<&String> = self.variants.iter().map(|(name, _)| name).collect();
        let mut name_px = style::LABEL_PX;
        let name_style = |px: f64| style::text(px).pos(Pos::new(HPos::Center, VPos::Top));
        for name in &names {
            while name_px > 14.0
                && root.estimate_text_size(name, &name_style(name_px))?.0 as i32 > group_px - 10
            {
                name_px -= 2.0;
            }
        }
        let values_fit = group_px >= 180;
        for (i, (name, levels)) in self.variants.iter().enumerate() {
            let x = i as f64;
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, bottom))
                    + Text::new(name.clone(), (0, 14), name_style(name_px)),
            ))?;
            for (offset, (s, (_, _, colour))) in [-0.27, 0.0, 0.27]
                .into_iter()
                .zip(levels.iter().zip(LEVELS))
            {
                let cx = x + offset;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(cx - 0.12, 0.0), (cx + 0.12, s.p50 / f)],
                    colour.filled(),
                )))?;
                let ink = style::TEXT.stroke_width(3);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(cx, s.p5 / f), (cx, s.p95 / f)],
                    ink,
                )))?;
                for y in [s.p5 / f, s.p95 / f] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(cx - 0.05, y), (cx + 0.05, y)],
                        ink,
                    )))?;
                }
                if values_fit {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((cx, s.p95 / f))
                            + Text::new(
                                unit.show(s.p50, lang),
                                (0, -8),
                                style::text(style::TICK_PX)
                                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
                            ),
                    ))?;
                }
            }
        }
        Ok(())
    }
}
