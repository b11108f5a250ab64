//! Risk heat maps: one cell per zone and year (or per draft and zone), coloured by
//! P(debt ratio > warning line), the number printed in the cell.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{self, Lang};
use super::render::{self, Chart};
use super::style;
use super::{Common, DraftNames, long_name, short_name, sweep};
use crate::chart::input::{Entity, RunDir};
use crate::scenario::model::Year;

#[derive(Debug, Clone)]
pub struct Heatmap {
    pub common: Common,
    pub stem: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Probabilities, `values[row][column]`; NaN for a missing cell.
    pub values: Vec<Vec<f64>>,
    /// An optional second line per cell (e.g. the worst year).
    pub notes: Vec<Vec<String>>,
}

impl Heatmap {
    /// Zones × years of a run, or of a batch's baseline (its title then says which).
    pub fn zones_by_year(common: &Common, run: &RunDir) -> Self {
        let lang = common.lang;
        let summary = run.baseline();
        let years: Vec<Year> = run.years();
        let zones: Vec<_> = run.meta.zones().collect();
        let values = zones
            .iter()
            .map(|z| {
                years
                    .iter()
                    .map(|&y| {
                        summary
                            .risk(&z.id, y)
                            .map_or(f64::NAN, |r| r.p_debt_ratio_over_warning)
                    })
                    .collect()
            })
            .collect();
        let title = common.tagged(labels::HEATMAP_TITLE.get(lang).to_string());
        Self {
            common: common.clone(),
            stem: "risk_heatmap".into(),
            title,
            subtitle: Some(heatmap_subtitle(&zones, lang, labels::HEATMAP_SUB)),
            rows: zones.iter().map(|z| long_name(z, lang)).collect(),
            columns: years.iter().map(Year::to_string).collect(),
            values,
            notes: vec![],
        }
    }

    /// Drafts × zones: each zone's worst year under each draft.
    pub fn variants_by_zone(common: &Common, run: &RunDir) -> Self {
        let lang = common.lang;
        let zones: Vec<_> = run.meta.zones().collect();
        let mut values = Vec::new();
        let mut notes = Vec::new();
        for s in &run.summaries {
            let mut row = Vec::new();
            let mut row_notes = Vec::new();
            for z in &zones {
                let worst = s.risk.iter().filter(|r| r.zone == z.id).max_by(|a, b| {
                    a.p_debt_ratio_over_warning
                        .total_cmp(&b.p_debt_ratio_over_warning)
                });
                row.push(worst.map_or(f64::NAN, |r| r.p_debt_ratio_over_warning));
                // The year only means something when the risk is not zero.
                row_notes.push(match worst {
                    Some(r) if r.p_debt_ratio_over_warning > 0.0 => format!("({})", r.year),
                    _ => String::new(),
                });
            }
            values.push(row);
            notes.push(row_notes);
        }
        let drafts = DraftNames::of(run, lang);
        let mut subtitle = heatmap_subtitle(&zones, lang, labels::HEATMAP_VARIANTS_SUB);
        if let Some(keys) = &drafts.keys {
            let names: Vec<String> = keys.iter().map(|k| sweep::key_name(k, lang)).collect();
            subtitle = labels::HEATMAP_SWEEP_ROWS
                .fill(lang, &[("text", &subtitle), ("keys", &names.join(" · "))]);
        }
        Self {
            common: common.clone(),
            stem: "variants_risk".into(),
            title: labels::HEATMAP_VARIANTS_TITLE.get(lang).to_string(),
            subtitle: Some(subtitle),
            rows: drafts.names,
            columns: zones.iter().map(|z| short_name(z, lang)).collect(),
            values,
            notes,
        }
    }
}

/// "预警线 120%;每格为超过预警线的模拟路径占比" (or each zone's line if they differ).
fn heatmap_subtitle(zones: &[&Entity], lang: Lang, label: labels::Label) -> String {
    let first = zones.first().map_or(1.2, |z| z.warning_ratio);
    let lines = if zones.iter().all(|z| (z.warning_ratio - first).abs() < 1e-9) {
        format!("{:.0}%", 100.0 * first)
    } else {
        zones
            .iter()
            .map(|z| format!("{} {:.0}%", short_name(z, lang), 100.0 * z.warning_ratio))
            .collect::<Vec<_>>()
            .join(", ")
    };
    label.fill(lang, &[("lines", &lines)])
}

impl Chart for Heatmap {
    fn stem(&self) -> String {
        self.stem.clone()
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let lang = self.common.lang;
        let area = render::frame(
            root,
            &self.title,
            self.subtitle.as_deref(),
            &self.common.footer,
            render::TOP - 30,
        )?;
        let (x0, y0) = area.get_base_pixel();
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);

        let label_style = style::text(style::LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center));
        let mut label_width = 0;
        for r in &self.rows {
            label_width = label_width.max(root.estimate_text_size(r, &label_style)?.0 as i32);
        }
        let colour_bar = 200;
        let left = x0 + render::MARGIN + label_width + 24;
        let header = 56;
        let n_rows = self.rows.len().max(1) as i32;
        let n_cols = self.columns.len().max(1) as i32;
        let cell_w = ((x0 + w - colour_bar - left) / n_cols).clamp(60, 260);
        let cell_h = ((h - header - 30) / n_rows).clamp(40, 170);
        let top = y0 + header;

        // Column headers.
        let mut header_px = style::LABEL_PX;
        let header_style = |px: f64| style::text(px).pos(Pos::new(HPos::Center, VPos::Bottom));
        for c in &self.columns {
            while header_px > 16.0
                && root.estimate_text_size(c, &header_style(header_px))?.0 as i32 > cell_w - 8
            {
                header_px -= 2.0;
            }
        }
        for (j, c) in self.columns.iter().enumerate() {
            root.draw(&Text::new(
                c.clone(),
                (left + j as i32 * cell_w + cell_w / 2, top - 12),
                header_style(header_px),
            ))?;
        }
        // Rows.
        for (i, r) in self.rows.iter().enumerate() {
            let y = top + i as i32 * cell_h;
            root.draw(&Text::new(
                r.clone(),
                (left - 20, y + cell_h / 2),
                label_style.clone(),
            ))?;
            for (j, &p) in self.values[i].iter().enumerate() {
                let x = left + j as i32 * cell_w;
                let fill = if p.is_finite() {
                    style::risk_colour(p)
                } else {
                    style::GRID
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell_w, y + cell_h)],
                    fill.filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell_w, y + cell_h)],
                    WHITE.stroke_width(3),
                ))?;
                let ink = style::text_on(fill);
                let note = self
                    .notes
                    .get(i)
                    .and_then(|n| n.get(j))
                    .filter(|n| !n.is_empty());
                let (value_y, note_y) = match note {
                    Some(_) if cell_h >= 70 => (y + cell_h / 2 - 14, y + cell_h / 2 + 18),
                    _ => (y + cell_h / 2, 0),
                };
                // A low row has the note on the value's line, in the note's size, where
                // it fits; the value alone where it does not.
                let centred = |px: f64| {
                    style::font(px)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center))
                };
                let one_line = match note {
                    Some(n) if note_y == 0 => {
                        let text = format!("{} {n}", style::percent(p));
                        let width = root.estimate_text_size(&text, &centred(style::NOTE_PX))?.0;
                        (width as i32 <= cell_w - 8).then_some(text)
                    }
                    _ => None,
                };
                let (text, font) = match one_line {
                    Some(text) => (text, centred(style::NOTE_PX)),
                    None => (style::percent(p), centred(style::CELL_PX)),
                };
                root.draw(&Text::new(text, (x + cell_w / 2, value_y), font))?;
                if let (Some(note), true) = (note, note_y > 0) {
                    root.draw(&Text::new(
                        note.clone(),
                        (x + cell_w / 2, note_y),
                        style::font(style::NOTE_PX)
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
            }
        }

        // The colour bar: 0% at the bottom, 100% at the top.
        let bar_x = left + n_cols * cell_w + 60;
        let bar_top = top + 10;
        let bar_h = (n_rows * cell_h - 20).clamp(200, 600);
        for k in 0..bar_h {
            let p = 1.0 - k as f64 / (bar_h - 1) as f64;
            root.draw(&Rectangle::new(
                [(bar_x, bar_top + k), (bar_x + 36, bar_top + k + 1)],
                style::risk_colour(p).filled(),
            ))?;
        }
        root.draw(&Rectangle::new(
            [(bar_x, bar_top), (bar_x + 36, bar_top + bar_h)],
            style::MUTED_TEXT.stroke_width(1),
        ))?;
        for p in [0.0, 0.1, 0.3, 0.6, 1.0] {
            let y = bar_top + ((1.0 - p) * (bar_h - 1) as f64).round() as i32;
            root.draw(&PathElement::new(
                vec![(bar_x + 36, y), (bar_x + 44, y)],
                style::MUTED_TEXT.stroke_width(2),
            ))?;
            root.draw(&Text::new(
                format!("{:.0}%", 100.0 * p),
                (bar_x + 50, y),
                style::text(style::NOTE_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        root.draw(&Text::new(
            labels::HEATMAP_SCALE.get(lang).to_string(),
            (bar_x + 18, bar_top - 16),
            style::text(style::NOTE_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
        Ok(())
    }
}
