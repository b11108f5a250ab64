//! Funds received by one zone (到位分成资金), as a fan over the projected years, with the
//! base-year level marked: how much the zone can count on, and how sure that is.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::fan::{self, FanPoint};
use super::labels;
use super::render::{self, Chart, Mark};
use super::style::{self, MoneyUnit};
use super::{Common, long_name};
use crate::chart::input::{Entity, RunDir};
use crate::scenario::model::Year;
use crate::summary::Summary;

/// The base-year level drawn as a dashed line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BaseLevel {
    /// The zone's base-year allocation, `base_shares.zone × pool` (run.json
    /// `base_year_allocation`).
    Received(f64),
    /// The pool's base (地方留成 of the base year) when the former is not recorded.
    Pool(f64),
}

#[derive(Debug, Clone)]
pub struct ReceivedFan {
    pub common: Common,
    pub zone_id: String,
    pub zone_name: String,
    pub base_year: Year,
    pub horizon: Year,
    /// 万元.
    pub points: Vec<FanPoint>,
    pub base: Option<BaseLevel>,
}

impl ReceivedFan {
    pub fn new(common: &Common, run: &RunDir, summary: &Summary, zone: &Entity) -> Self {
        let years = run.years();
        let points = fan::series(summary, &zone.id, "received", &years);
        let base = zone
            .base_year_allocation
            .map(BaseLevel::Received)
            .or_else(|| {
                // The pool's base in the first projected year is the base year's pool.
                let first = *years.first()?;
                let row = summary.get(&zone.id, "base", first)?;
                Some(BaseLevel::Pool(row.p50()))
            });
        Self {
            common: common.clone(),
            zone_id: zone.id.clone(),
            zone_name: long_name(zone, common.lang),
            base_year: run.meta.base_year,
            horizon: points.last().map_or(run.meta.horizon, |p| p.year),
            points,
            base,
        }
    }

    fn base_value(&self) -> Option<f64> {
        match self.base {
            Some(BaseLevel::Received(v) | BaseLevel::Pool(v)) if v.is_finite() => Some(v),
            _ => None,
        }
    }
}

impl Chart for ReceivedFan {
    fn stem(&self) -> String {
        format!("received_fan_{}", crate::export::slug(&self.zone_id))
    }

    fn title(&self) -> String {
        let title = labels::RECEIVED_TITLE.fill(self.common.lang, &[("zone", &self.zone_name)]);
        self.common.tagged(title)
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let max = self
            .points
            .iter()
            .map(FanPoint::max)
            .chain(self.base_value())
            .fold(0.0, f64::max);
        let min = self
            .points
            .iter()
            .map(FanPoint::min)
            .chain(self.base_value())
            .fold(0.0, f64::min);
        // One unit for the axis and every amount in the text.
        let unit = MoneyUnit::for_max(max.max(-min));
        let text = unit.text(lang);
        let money = |v: f64| text.one(v);
        let subtitle = self.points.last().map(|p| {
            labels::RECEIVED_SUB.fill(
                lang,
                &[
                    ("year", &p.year.to_string()),
                    ("p50", &text.one(p.p50)),
                    ("range", &text.range(p.p5, p.p95)),
                ],
            )
        });
        let area = render::frame(
            root,
            &self.title(),
            subtitle.as_deref(),
            &self.common.footer,
            render::TOP,
        )?;

        let mut items = fan::legend_items(style::FAN, lang);
        let colon = labels::COLON.get(lang);
        let base_label = self.base.map(|b| {
            let year = self.base_year.to_string();
            match b {
                BaseLevel::Received(v) => format!(
                    "{}{colon}{}",
                    labels::BASE_RECEIVED.fill(lang, &[("year", &year)]),
                    money(v)
                ),
                BaseLevel::Pool(v) => format!(
                    "{}{colon}{}",
                    labels::BASE_POOL.fill(lang, &[("year", &year)]),
                    money(v)
                ),
            }
        });
        if let Some(label) = &base_label {
            items.push((Mark::Dashed(style::BASE_LINE), label.clone()));
        }
        render::legend(
            root,
            (render::MARGIN, render::LEGEND_Y),
            style::WIDTH as i32 - render::MARGIN,
            &items,
        )?;

        let top = style::nice_ceiling(max / unit.factor(lang) * 1.05);
        let bottom = if min < 0.0 {
            -style::nice_ceiling(-min / unit.factor(lang) * 1.05)
        } else {
            0.0
        };
        let y_desc = labels::RECEIVED_Y.fill(lang, &[("unit", unit.label(lang))]);
        let y_format = |v: &f64| style::group_thousands(*v, if top < 10.0 { 1 } else { 0 });
        let mut chart = fan::year_chart(
            &area,
            self.base_year,
            self.horizon,
            bottom..top,
            &y_desc,
            &y_format,
            lang,
        )?;
        if let Some(v) = self.base_value() {
            let y = v / unit.factor(lang);
            fan::dashed_hline(&mut chart, y, style::BASE_LINE.stroke_width(3))?;
            chart.draw_series(std::iter::once(Circle::new(
                (self.base_year as f64, y),
                9,
                style::BASE_LINE.filled(),
            )))?;
        }
        let points: Vec<FanPoint> = self
            .points
            .iter()
            .map(|p| p.map(|v| v / unit.factor(lang)))
            .collect();
        fan::draw_fan(&mut chart, &points, style::FAN)?;
        Ok(())
    }
}
