//! Debt ratio (债务率 = debt / inflow, DOMAIN.md §4.7) of one zone as a fan over the
//! projected years, on the four risk tiers (green < 120% ≤ yellow < 200% ≤ orange < 300%
//! ≤ red) with the zone's warning line.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::fan::{self, FanPoint};
use super::labels::{self, Lang};
use super::render::{self, Chart, Mark};
use super::style;
use super::{Common, long_name};
use crate::chart::input::{Entity, RunDir};
use crate::scenario::model::Year;
use crate::summary::Summary;

/// The y axis never goes above this (in %): the ratio is capped at 999 (99,900%) when a
/// zone's inflow is ≤ 0, which would flatten everything else.
const Y_CAP_PCT: f64 = 400.0;
const FAN_COLOUR: RGBColor = RGBColor(40, 55, 75);
const TIER_ALPHA: f64 = 0.16;

#[derive(Debug, Clone)]
pub struct DebtRatioFan {
    pub common: Common,
    pub zone_id: String,
    pub zone_name: String,
    /// The first projected year (the files hold no base-year debt ratio).
    pub first_year: Year,
    pub horizon: Year,
    /// Ratios (1.2 = 120%).
    pub points: Vec<FanPoint>,
    pub warning_ratio: f64,
    /// The year with the highest P(debt ratio > warning), and that probability.
    pub worst: Option<(Year, f64)>,
}

impl DebtRatioFan {
    pub fn new(common: &Common, run: &RunDir, summary: &Summary, zone: &Entity) -> Self {
        let points = fan::series(summary, &zone.id, "debt_ratio", &run.years());
        let worst = summary.risk.iter().filter(|r| r.zone == zone.id).fold(
            None::<(Year, f64)>,
            |best, r| match best {
                Some((_, p)) if p >= r.p_debt_ratio_over_warning => best,
                _ => Some((r.year, r.p_debt_ratio_over_warning)),
            },
        );
        Self {
            common: common.clone(),
            zone_id: zone.id.clone(),
            zone_name: long_name(zone, common.lang),
            first_year: points.first().map_or(run.meta.base_year + 1, |p| p.year),
            horizon: points.last().map_or(run.meta.horizon, |p| p.year),
            points,
            warning_ratio: zone.warning_ratio,
            worst,
        }
    }
}

/// "120%" for 1.2.
pub fn ratio_pct(r: f64) -> String {
    format!("{:.0}%", 100.0 * r)
}

impl Chart for DebtRatioFan {
    fn stem(&self) -> String {
        format!("debt_ratio_fan_{}", crate::export::slug(&self.zone_id))
    }

    fn title(&self) -> String {
        let title = labels::DEBT_TITLE.fill(self.common.lang, &[("zone", &self.zone_name)]);
        self.common.tagged(title)
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let warning_pct = 100.0 * self.warning_ratio;
        let data_max = self
            .points
            .iter()
            .map(|p| 100.0 * p.max())
            .fold(0.0, f64::max);
        // The warning line stays in view even if a zone sets it above the usual cap.
        let cap = Y_CAP_PCT.max(warning_pct * 1.25);
        let clipped = data_max > cap;
        let top =
            style::nice_ceiling((data_max * 1.1).max(warning_pct * 1.3).clamp(150.0, cap)).min(cap);

        let mut subtitle = self
            .worst
            .map(|(year, p)| {
                if p < 0.0005 {
                    return labels::DEBT_SUB_NONE
                        .fill(lang, &[("pct", &ratio_pct(self.warning_ratio))]);
                }
                labels::DEBT_SUB.fill(
                    lang,
                    &[
                        ("pct", &ratio_pct(self.warning_ratio)),
                        ("year", &year.to_string()),
                        ("p", &style::percent(p)),
                    ],
                )
            })
            .unwrap_or_default();
        if clipped {
            let note = labels::CLIPPED.fill(lang, &[("max", &format!("{top:.0}%"))]);
            subtitle = if subtitle.is_empty() {
                note
            } else {
                format!("{subtitle}{}{note}", separator(lang))
            };
        }

        let mut items = fan::legend_items(FAN_COLOUR, lang);
        items.push((
            Mark::Dashed(style::TIER_RED),
            labels::WARNING_LINE.fill(lang, &[("pct", &ratio_pct(self.warning_ratio))]),
        ));
        // Only the tiers the axis reaches.
        for ((colour, label), lo) in tiers().into_iter().zip(tier_floors()) {
            if lo < top {
                items.push((Mark::Band(colour, TIER_ALPHA * 2.0), label.get(lang).into()));
            }
        }
        let area = render::legend_and_frame(
            root,
            &self.title(),
            (!subtitle.is_empty()).then_some(subtitle.as_str()),
            &self.common.footer,
            &items,
        )?;

        let y_format = |v: &f64| format!("{v:.0}%");
        let y_desc = labels::DEBT_Y.get(lang);
        let mut chart = fan::year_chart(
            &area,
            self.first_year,
            self.horizon,
            0.0..top,
            y_desc,
            &y_format,
            lang,
        )?;
        let x = chart.x_range();
        let floors = tier_floors();
        for (i, (colour, _)) in tiers().into_iter().enumerate() {
            let lo = floors[i];
            let hi = floors.get(i + 1).copied().unwrap_or(top).min(top);
            if lo < top {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x.start, lo), (x.end, hi)],
                    colour.mix(TIER_ALPHA).filled(),
                )))?;
            }
        }
        let points: Vec<FanPoint> = self
            .points
            .iter()
            .map(|p| p.map(|v| (100.0 * v).min(top)))
            .collect();
        fan::draw_fan(&mut chart, &points, FAN_COLOUR)?;
        fan::dashed_hline(&mut chart, warning_pct, style::TIER_RED.stroke_width(4))?;
        Ok(())
    }
}

fn tiers() -> [(RGBColor, labels::Label); 4] {
    [
        (style::TIER_GREEN, labels::TIER_GREEN),
        (style::TIER_YELLOW, labels::TIER_YELLOW),
        (style::TIER_ORANGE, labels::TIER_ORANGE),
        (style::TIER_RED, labels::TIER_RED),
    ]
}

/// The lower edge of each tier, in %.
fn tier_floors() -> [f64; 4] {
    let [yellow, orange, red] = style::TIER_EDGES.map(|e| 100.0 * e);
    [0.0, yellow, orange, red]
}

fn separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => ";",
        Lang::En => "; ",
    }
}
