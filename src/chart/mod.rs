//! Charts for briefings (汇报材料), drawn from a run directory's files into
//! `RUN_DIR/charts/` as PNG (1600×1000) and SVG, in Chinese by default or English.
//!
//! - a single run: per zone, a fan of funds received ([`received`]) and of the debt
//!   ratio on the risk tiers ([`debt_ratio`]); who retains the money each year
//!   ([`retained`]); the zones × years risk heat map ([`heatmap`]);
//! - a batch or sweep: the same for the baseline (first) variant, plus the drafts side
//!   by side ([`variants`]), a drafts × zones risk heat map, and for a sweep the
//!   trade-off between the city's funds and the zones' risk ([`sweep`]).
//!
//! Charts read only the files ([`input`]), so `fencheng chart RUN_DIR` redraws any run.
//! Text is drawn with the embedded font ([`fonts`]); every word is in [`labels`].

pub mod debt_ratio;
pub mod fan;
pub mod fonts;
pub mod glyphs;
pub mod heatmap;
pub mod input;
pub mod labels;
pub mod received;
pub mod render;
pub mod retained;
pub mod style;
pub mod sweep;
pub mod variants;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use rayon::prelude::*;

pub use input::RunDir;
pub use labels::Lang;
pub use render::{Chart, Rendered};

use crate::export::write_atomic;
use input::{Entity, RunMeta};

/// What every chart of a run shares: the language, the source line, and for a batch or
/// sweep the id of the baseline draft its per-zone charts show.
#[derive(Debug, Clone)]
pub struct Common {
    pub lang: Lang,
    pub footer: String,
    pub baseline: Option<String>,
}

impl Common {
    /// `title`, followed by the baseline draft's id when the run compares several: a
    /// chart of one draft among many says which.
    pub fn tagged(&self, title: String) -> String {
        match &self.baseline {
            Some(id) => {
                let tag = labels::BASELINE_DRAFT.fill(self.lang, &[("id", id)]);
                format!("{title} · {tag}")
            }
            None => title,
        }
    }

    pub fn new(meta: &RunMeta, lang: Lang) -> Self {
        let footer = labels::SOURCE.fill(
            lang,
            &[
                ("version", &meta.version),
                (
                    "paths",
                    &meta
                        .paths
                        .map_or("?".into(), |p| style::group_thousands(p as f64, 0)),
                ),
                ("seed", &meta.seed.map_or("?".into(), |s| s.to_string())),
                ("scenario", &meta.scenario),
            ],
        );
        Self {
            lang,
            footer,
            baseline: None,
        }
    }
}

/// An entity's name for titles: the scenario's name; in English followed by the id.
pub fn long_name(e: &Entity, lang: Lang) -> String {
    match lang {
        Lang::Zh => e.name.clone(),
        Lang::En if e.name == e.id || e.name.is_ascii() => e.name.clone(),
        Lang::En => format!("{} ({})", e.name, e.id),
    }
}

/// An entity's name for legends and table cells: in English the id unless the
/// scenario's name is already in Latin letters.
pub fn short_name(e: &Entity, lang: Lang) -> String {
    match lang {
        Lang::Zh => e.name.clone(),
        Lang::En if e.name.is_ascii() => e.name.clone(),
        Lang::En => e.id.clone(),
    }
}

/// A variant's id as shown, the baseline (first) marked unless its id says so.
pub fn variant_label(id: &str, baseline: bool, lang: Lang) -> String {
    let says_so = id.to_lowercase().contains("baseline") || id.contains("基准");
    if baseline && !says_so {
        format!("{id} ({})", labels::BASELINE.get(lang))
    } else {
        id.to_string()
    }
}

/// How the drafts of a run are named on a chart: a batch's by their ids; a sweep's by
/// their swept values only (`45%`, `45% · 60%`, from sweep.csv), since its ids repeat
/// the keys (`increment_shares.zone=0.45,…`), which a chart names once
/// ([`DraftNames::keys`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftNames {
    /// One per variant, the baseline (first) marked.
    pub names: Vec<String>,
    /// A sweep's dotted keys, else `None`.
    pub keys: Option<Vec<String>>,
}

impl DraftNames {
    pub fn of(run: &RunDir, lang: Lang) -> Self {
        let sweep = run.sweep.as_ref();
        let names = run
            .summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let point = sweep.and_then(|t| {
                    let p = t.points.iter().find(|p| p.scenario == s.scenario)?;
                    Some(t.point_label(p))
                });
                variant_label(point.as_deref().unwrap_or(&s.scenario), i == 0, lang)
            })
            .collect();
        DraftNames {
            names,
            keys: sweep.map(|t| t.keys.clone()),
        }
    }
}

/// Any chart this module draws.
#[derive(Debug, Clone)]
pub enum AnyChart {
    Received(received::ReceivedFan),
    DebtRatio(debt_ratio::DebtRatioFan),
    Retained(retained::RetainedSplit),
    Heatmap(heatmap::Heatmap),
    Variants(variants::VariantBars),
    Sweep(sweep::SweepTradeoff),
}

impl Chart for AnyChart {
    fn stem(&self) -> String {
        match self {
            AnyChart::Received(c) => c.stem(),
            AnyChart::DebtRatio(c) => c.stem(),
            AnyChart::Retained(c) => c.stem(),
            AnyChart::Heatmap(c) => c.stem(),
            AnyChart::Variants(c) => c.stem(),
            AnyChart::Sweep(c) => c.stem(),
        }
    }

    fn title(&self) -> String {
        match self {
            AnyChart::Received(c) => c.title(),
            AnyChart::DebtRatio(c) => c.title(),
            AnyChart::Retained(c) => c.title(),
            AnyChart::Heatmap(c) => c.title(),
            AnyChart::Variants(c) => c.title(),
            AnyChart::Sweep(c) => c.title(),
        }
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        match self {
            AnyChart::Received(c) => c.draw(root),
            AnyChart::DebtRatio(c) => c.draw(root),
            AnyChart::Retained(c) => c.draw(root),
            AnyChart::Heatmap(c) => c.draw(root),
            AnyChart::Variants(c) => c.draw(root),
            AnyChart::Sweep(c) => c.draw(root),
        }
    }
}

/// The charts of a run, in the order a briefing shows them. For a batch or sweep the
/// per-zone charts are those of the baseline (first) variant.
pub fn plan(run: &RunDir, lang: Lang) -> Vec<AnyChart> {
    let mut common = Common::new(&run.meta, lang);
    if run.meta.is_comparison() {
        common.baseline = Some(run.baseline().scenario.clone());
    }
    let mut charts = Vec::new();
    if let Some(c) = sweep::SweepTradeoff::new(&common, run) {
        charts.push(AnyChart::Sweep(c));
    }
    if run.meta.is_comparison() || run.summaries.len() > 1 {
        if let Some(c) = variants::VariantBars::new(&common, run) {
            charts.push(AnyChart::Variants(c));
        }
        if run.meta.zones().next().is_some() {
            charts.push(AnyChart::Heatmap(heatmap::Heatmap::variants_by_zone(
                &common, run,
            )));
        }
    }
    let baseline = run.baseline();
    if run.meta.zones().next().is_some() {
        charts.push(AnyChart::Heatmap(heatmap::Heatmap::zones_by_year(
            &common, run,
        )));
    }
    charts.push(AnyChart::Retained(retained::RetainedSplit::new(
        &common, run, baseline,
    )));
    for zone in run.meta.zones() {
        let received = received::ReceivedFan::new(&common, run, baseline, zone);
        if !received.points.is_empty() {
            charts.push(AnyChart::Received(received));
        }
        let debt = debt_ratio::DebtRatioFan::new(&common, run, baseline, zone);
        if !debt.points.is_empty() {
            charts.push(AnyChart::DebtRatio(debt));
        }
    }
    charts
}

/// Render every chart of `run` in memory (in parallel; the order is [`plan`]'s).
pub fn render_run(run: &RunDir, lang: Lang) -> Result<Vec<Rendered>> {
    plan(run, lang).par_iter().map(render::render).collect()
}

/// Write rendered charts to `dir/charts/<stem>.png` and `.svg`; return the paths.
pub fn write_charts(dir: &Path, charts: &[Rendered]) -> Result<Vec<PathBuf>> {
    let out = dir.join(crate::export::CHARTS_DIR);
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the chart directory {}", out.display()))?;
    let mut written = Vec::with_capacity(2 * charts.len());
    for c in charts {
        let png = out.join(format!("{}.png", c.stem));
        write_atomic(&png, &c.png)?;
        let svg = out.join(format!("{}.svg", c.stem));
        write_atomic(&svg, c.svg.as_bytes())?;
        written.extend([png, svg]);
    }
    Ok(written)
}

/// Read the run directory `dir`, draw all its charts into `dir/charts/` (PNG and SVG)
/// and return the files written. This is what `run`, `batch` and `sweep` call at their
/// end, and what `fencheng chart` runs.
pub fn draw_run(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>> {
    let run = RunDir::read(dir)?;
    let charts = render_run(&run, lang)?;
    write_charts(dir, &charts)
}
