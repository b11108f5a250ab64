//! The sweep trade-off (参数扫描): along the swept share, the city's cumulative
//! retained funds (left axis) against the worst year's P(debt ratio > warning line) of
//! the riskiest zone (right axis). The point marked is the first that keeps every zone
//! under 10% risk: of the points where every zone stays under 10%, the one that leaves
//! the city the most.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{self, Lang};
use super::render::{self, Chart, Mark};
use super::style::{self, MoneyUnit};
use super::{Common, short_name};
use crate::chart::input::{RunDir, SweepPoint, SweepTable};

/// The risk a zone may run: the marked point keeps every zone strictly under it.
pub const RISK_LIMIT: f64 = 0.10;

#[derive(Debug, Clone)]
pub struct SweepTradeoff {
    pub common: Common,
    pub table: SweepTable,
    /// Display names of the zones in `zone_worst`, same order.
    pub zone_names: Vec<String>,
}

impl SweepTradeoff {
    pub fn new(common: &Common, run: &RunDir) -> Option<Self> {
        let table = run.sweep.clone()?;
        if table.points.is_empty() {
            return None;
        }
        let zone_names = table.points[0]
            .zone_worst
            .iter()
            .map(|(id, _)| {
                run.meta
                    .entity(id)
                    .map_or(id.clone(), |e| short_name(e, common.lang))
            })
            .collect();
        Some(Self {
            common: common.clone(),
            table,
            zone_names,
        })
    }
}

/// The point that first keeps every zone under [`RISK_LIMIT`]: among the points whose
/// worst zone-year risk is below it, the one where the city retains the most.
pub fn first_safe_point(points: &[SweepPoint]) -> Option<&SweepPoint> {
    points
        .iter()
        .filter(|p| p.worst_p_debt_ratio_over_warning < RISK_LIMIT)
        .max_by(|a, b| {
            a.city_retained_total_p50
                .total_cmp(&b.city_retained_total_p50)
        })
}

/// A readable name for a swept dotted key with the key itself, e.g.
/// "增量分成比例·开发区（policies.reform.increment_shares.zone）".
pub fn key_label(key: &str, lang: Lang) -> String {
    let name = key_name(key, lang);
    if name == key {
        name
    } else {
        format!("{name} ({key})")
    }
}

/// A readable name for a swept dotted key, e.g. "增量分成比例·开发区"; the key itself
/// when none is known.
pub fn key_name(key: &str, lang: Lang) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let word = |s: &str| -> Option<&'static str> {
        let (zh, en) = match s {
            "increment_shares" => ("增量分成比例", "increment share"),
            "base_shares" => ("基数分成比例", "base share"),
            "land_return" => ("土地收益返还比例", "land return"),
            "fee_return" => ("收费返还比例", "fee return"),
            "province_return" => ("省级增量返还比例", "provincial return"),
            "transfer_lag" => ("转移支付滞后（年）", "transfer lag (years)"),
            "base_reset_years" => ("基数重核周期（年）", "base reset (years)"),
            "p_land" => ("项目落地概率", "landing probability"),
            "limit" => ("债务限额（万元）", "debt limit (万元)"),
            "zone" => ("开发区", "zone"),
            "city" => ("市本级", "city"),
            "county" => ("县/区", "county"),
            _ => return None,
        };
        Some(if lang == Lang::Zh { zh } else { en })
    };
    let named: Vec<&str> = parts
        .iter()
        .rev()
        .take(2)
        .rev()
        .filter_map(|p| word(p))
        .collect();
    if named.is_empty() {
        return key.to_string();
    }
    let sep = if lang == Lang::Zh { "·" } else { ", " };
    let name = named.join(sep);
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name,
    }
}

/// A swept value as shown: shares and returns as percentages, others as numbers.
pub fn show_value(key: &str, v: f64) -> String {
    let is_share = ["shares", "return"].iter().any(|w| key.contains(w));
    if is_share && (0.0..=1.0).contains(&v) {
        let pct = 100.0 * v;
        if (pct - pct.round()).abs() < 1e-6 {
            format!("{pct:.0}%")
        } else {
            format!("{pct:.1}%")
        }
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        // Grid values are sums of steps: 0.5 + 0.1 prints 0.6000000000000001 in full.
        let text = format!("{v:.6}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Chart for SweepTradeoff {
    fn stem(&self) -> String {
        "sweep_tradeoff".into()
    }

    fn title(&self) -> String {
        labels::SWEEP_TITLE.get(self.common.lang).to_string()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let key = &self.table.keys[0];
        let points = &self.table.points;
        // Lines: one per value of the second key (or one line).
        let mut groups: Vec<(Option<f64>, Vec<&SweepPoint>)> = Vec::new();
        for p in points {
            let g = p.values.get(1).copied();
            match groups.iter_mut().find(|(v, _)| *v == g) {
                Some((_, members)) => members.push(p),
                None => groups.push((g, vec![p])),
            }
        }
        for (_, members) in &mut groups {
            members.sort_by(|a, b| a.values[0].total_cmp(&b.values[0]));
        }
        let single = groups.len() == 1;

        let xs: Vec<f64> = points.iter().map(|p| p.values[0]).collect();
        let (x_min, x_max) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let pad = ((x_max - x_min) * 0.05).max(1e-3);
        let max_city = points
            .iter()
            .map(|p| p.city_retained_total_p50)
            .fold(0.0, f64::max);
        let min_city = points
            .iter()
            .map(|p| p.city_retained_total_p50)
            .fold(0.0, f64::min);
        let unit = MoneyUnit::for_max(max_city.max(-min_city));
        let f = unit.factor(lang);
        let top_left = style::nice_ceiling(max_city / f * 1.1);
        let bottom_left = if min_city < 0.0 {
            -style::nice_ceiling(-min_city / f * 1.1)
        } else {
            0.0
        };
        let max_risk = points
            .iter()
            .flat_map(|p| {
                std::iter::once(p.worst_p_debt_ratio_over_warning)
                    .chain(p.zone_worst.iter().map(|(_, v)| *v))
            })
            .fold(0.0, f64::max);
        let top_right = (style::nice_ceiling(max_risk * 1.1).max(0.2) * 100.0).min(100.0);

        let mark = first_safe_point(points);
        let subtitle = match mark {
            Some(p) => {
                let mut x = self.table.show(0, p.values[0]);
                if let (Some(k2), Some(v2)) = (self.table.keys.get(1), p.values.get(1)) {
                    x = format!("{x}, {} = {}", k2, self.table.show(1, *v2));
                }
                let city = unit.text(lang).one(p.city_retained_total_p50);
                let mark = labels::SWEEP_MARK.fill(lang, &[("x", &x)]);
                let what = labels::SWEEP_CITY.get(lang);
                match lang {
                    Lang::Zh => format!("{mark}({what} {city})"),
                    Lang::En => format!("{mark} ({what}: {city})"),
                }
            }
            None => labels::SWEEP_NO_MARK.get(lang).to_string(),
        };

        // Legend.
        let city_colour = style::CITY;
        let risk_colour = style::TIER_RED;
        let mut items: Vec<(Mark, String)> = Vec::new();
        if single {
            items.push((
                Mark::LineDot(city_colour),
                labels::SWEEP_CITY.get(lang).into(),
            ));
            items.push((
                Mark::LineDot(risk_colour),
                labels::SWEEP_WORST.get(lang).into(),
            ));
            for (i, name) in self.zone_names.iter().enumerate() {
                items.push((Mark::Dashed(zone_colour(i)), name.clone()));
            }
        } else {
            let k2 = &self.table.keys[1];
            for (i, (v, _)) in groups.iter().enumerate() {
                let v = v.map_or(String::new(), |v| {
                    format!("{k2} = {}", self.table.show(1, v))
                });
                items.push((Mark::Swatch(style::PALETTE[i % style::PALETTE.len()]), v));
            }
            items.push((Mark::Line(style::TEXT), labels::SWEEP_CITY.get(lang).into()));
            items.push((
                Mark::Dashed(style::TEXT),
                labels::SWEEP_WORST.get(lang).into(),
            ));
        }
        items.push((
            Mark::Dashed(style::MUTED_TEXT),
            labels::SWEEP_RISK_LINE.get(lang).into(),
        ));
        let area = render::legend_and_frame(
            root,
            &self.title(),
            Some(&subtitle),
            &self.common.footer,
            &items,
        )?;

        let categorical = self.table.categories.first().is_some_and(|c| !c.is_empty());
        let x_format = |v: &f64| {
            if categorical && (v - v.round()).abs() > 1e-6 {
                String::new()
            } else {
                self.table.show(0, *v)
            }
        };
        let y_format = |v: &f64| style::group_thousands(*v, if top_left < 10.0 { 1 } else { 0 });
        let pct_format = |v: &f64| format!("{v:.0}%");
        let mut chart = ChartBuilder::on(&area)
            .margin_left(20)
            .margin_right(20)
            .margin_top(10)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .right_y_label_area_size(150)
            .build_cartesian_2d(x_min - pad..x_max + pad, bottom_left..top_left)?
            .set_secondary_coord(x_min - pad..x_max + pad, 0.0..top_right);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(points.len().clamp(2, 12))
            .y_labels(8)
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .label_style(style::text(style::TICK_PX))
            .axis_desc_style(style::text(style::LABEL_PX))
            .x_desc(key_label(key, lang))
            .y_desc(labels::SWEEP_Y_LEFT.fill(lang, &[("unit", unit.label(lang))]))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .axis_style(style::MUTED_TEXT.stroke_width(2))
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_labels(8)
            .y_label_formatter(&pct_format)
            .label_style(style::text(style::TICK_PX).color(&risk_colour))
            .axis_desc_style(style::text(style::LABEL_PX).color(&risk_colour))
            .y_desc(labels::SWEEP_Y_RIGHT.get(lang))
            .axis_style(style::MUTED_TEXT.stroke_width(2))
            .draw()?;

        // The 10% line.
        chart.draw_secondary_series(std::iter::once(plotters::element::DashedPathElement::new(
            vec![
                (x_min - pad, 100.0 * RISK_LIMIT),
                (x_max + pad, 100.0 * RISK_LIMIT),
            ],
            14,
            10,
            style::MUTED_TEXT.stroke_width(3),
        )))?;
        if let Some(p) = mark {
            let x = p.values[0];
            chart.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                vec![(x, bottom_left), (x, top_left)],
                10,
                8,
                style::TIER_GREEN.stroke_width(3),
            )))?;
        }

        for (i, (_, members)) in groups.iter().enumerate() {
            let (c_city, c_risk) = if single {
                (city_colour, risk_colour)
            } else {
                let c = style::PALETTE[i % style::PALETTE.len()];
                (c, c)
            };
            let city: Vec<(f64, f64)> = members
                .iter()
                .map(|p| (p.values[0], p.city_retained_total_p50 / f))
                .collect();
            chart.draw_series(LineSeries::new(city.clone(), c_city.stroke_width(5)))?;
            chart.draw_series(city.iter().map(|&xy| Circle::new(xy, 7, c_city.filled())))?;
            let risk: Vec<(f64, f64)> = members
                .iter()
                .map(|p| (p.values[0], 100.0 * p.worst_p_debt_ratio_over_warning))
                .collect();
            if single {
                chart
                    .draw_secondary_series(LineSeries::new(risk.clone(), c_risk.stroke_width(5)))?;
                for z in 0..self.zone_names.len() {
                    let line: Vec<(f64, f64)> = members
                        .iter()
                        .map(|p| {
                            (
                                p.values[0],
                                100.0 * p.zone_worst.get(z).map_or(0.0, |v| v.1),
                            )
                        })
                        .collect();
                    chart.draw_secondary_series(std::iter::once(
                        plotters::element::DashedPathElement::new(
                            line,
                            10,
                            7,
                            zone_colour(z).stroke_width(3),
                        ),
                    ))?;
                }
            } else {
                chart.draw_secondary_series(std::iter::once(
                    plotters::element::DashedPathElement::new(
                        risk.clone(),
                        14,
                        8,
                        c_risk.stroke_width(4),
                    ),
                ))?;
            }
            chart.draw_secondary_series(
                risk.iter().map(|&xy| Circle::new(xy, 7, c_risk.filled())),
            )?;
            // The city's amount by each point (the marked one has its own label), drawn
            // over the lines: above the point, or below it where a risk line would cross
            // the label.
            if single && city.len() <= 12 {
                for (p, &xy) in members.iter().zip(&city) {
                    if mark.is_some_and(|m| std::ptr::eq(m, *p)) {
                        continue;
                    }
                    let point = chart.backend_coord(&xy);
                    let risk_ys: Vec<i32> = std::iter::once(p.worst_p_debt_ratio_over_warning)
                        .chain(p.zone_worst.iter().map(|v| v.1))
                        .map(|r| chart.borrow_secondary().backend_coord(&(xy.0, 100.0 * r)).1)
                        .collect();
                    let offset = label_offset(point.1, &risk_ys);
                    let anchor = if offset < 0 { VPos::Bottom } else { VPos::Top };
                    chart.draw_series(std::iter::once(
                        EmptyElement::at(xy)
                            + Text::new(
                                unit.show(p.city_retained_total_p50, lang),
                                (0, offset),
                                style::text(style::NOTE_PX)
                                    .color(&c_city)
                                    .pos(Pos::new(HPos::Center, anchor)),
                            ),
                    ))?;
                }
            }
        }

        if let Some(p) = mark {
            let x = p.values[0];
            let city = (x, p.city_retained_total_p50 / f);
            chart.draw_series(std::iter::once(Circle::new(
                city,
                16,
                style::TIER_GREEN.stroke_width(5),
            )))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at(city)
                    + Text::new(
                        unit.text(lang).one(p.city_retained_total_p50),
                        (22, -22),
                        style::bold(style::LABEL_PX)
                            .color(&style::TIER_GREEN)
                            .pos(Pos::new(HPos::Left, VPos::Bottom)),
                    ),
            ))?;
        }
        Ok(())
    }
}

/// Where a point's value label goes, given the point's pixel row and the rows where
/// risk lines pass at its x: 14 px above it, or below it if a line would cross the label
/// there and not below. Returns the label's vertical offset: negative above.
fn label_offset(point: i32, lines: &[i32]) -> i32 {
    const GAP: i32 = 14;
    let height = style::NOTE_PX as i32;
    let clear = |from: i32, to: i32| lines.iter().all(|&y| y < from - 4 || y > to + 4);
    if clear(point - GAP - height, point - GAP) || !clear(point + GAP, point + GAP + height) {
        -GAP
    } else {
        GAP
    }
}

/// Per-zone risk lines: no red (the worst line) and no blue (the city).
fn zone_colour(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 6] = [
        RGBColor(242, 142, 43),
        RGBColor(176, 122, 161),
        RGBColor(118, 183, 178),
        RGBColor(156, 117, 95),
        RGBColor(89, 161, 79),
        RGBColor(237, 201, 72),
    ];
    COLOURS[i % COLOURS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_label_moves_below_its_point_when_a_risk_line_crosses_it() {
        // The label spans rows 466-486 above a point at row 500 (text 20 px, gap 14).
        assert_eq!(label_offset(500, &[300, 700]), -14);
        assert_eq!(label_offset(500, &[300, 476]), 14);
        // Crossed above and below: above, as everywhere else.
        assert_eq!(label_offset(500, &[476, 524]), -14);
    }

    fn point(x: f64, city: f64, worst: f64) -> SweepPoint {
        SweepPoint {
            scenario: format!("p{x}"),
            values: vec![x],
            city_retained_total_p50: city,
            counties_retained_total_p50: 0.0,
            zones_retained_total_p50: 0.0,
            p_any_funding_gap: 0.0,
            worst_p_debt_ratio_over_warning: worst,
            zone_worst: vec![],
        }
    }

    #[test]
    fn the_marked_point_is_the_cheapest_safe_one_for_the_city() {
        let points = [
            point(0.5, 900.0, 0.30),
            point(0.6, 800.0, 0.12),
            point(0.7, 700.0, 0.08),
            point(0.8, 600.0, 0.02),
        ];
        assert!((first_safe_point(&points).unwrap().values[0] - 0.7).abs() < 1e-12);
        assert!(first_safe_point(&points[..2]).is_none());
    }

    #[test]
    fn keys_and_values_read_as_a_finance_bureau_says_them() {
        assert_eq!(
            key_label("policies.reform.increment_shares.zone", Lang::Zh),
            "增量分成比例·开发区 (policies.reform.increment_shares.zone)"
        );
        assert_eq!(
            show_value("policies.reform.increment_shares.zone", 0.7),
            "70%"
        );
        assert_eq!(show_value("policies.reform.transfer_lag", 2.0), "2");
        assert_eq!(show_value("projects.*.p_land", 0.5 + 0.1), "0.6");
        assert_eq!(
            key_label("projects.*.p_land", Lang::Zh),
            "项目落地概率 (projects.*.p_land)"
        );
    }
}
