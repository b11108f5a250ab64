//! The briefing (汇报材料): `RUN_DIR/briefing.html`, one self-contained page with the
//! charts inline that opens offline, and `RUN_DIR/briefing.md` with the same text and
//! links to `charts/*.png`.
//!
//! Both come from one [`Briefing`]: a paragraph per zone written from the numbers
//! ([`findings`]), the key tables, the charts, and the run's parameters (seed, paths,
//! version, inputs' hash) so that a reader can reproduce it.

pub mod findings;
pub mod html;
pub mod markdown;
pub mod text;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::chart::input::{EntityKind, RunDir};
use crate::chart::labels::{self as chart_labels, Lang};
use crate::chart::style::{self, MoneyUnit, TextMoney, money, percent};
use crate::chart::{self, Rendered, long_name, short_name};
use crate::export::write_atomic;

/// A table of text cells; the first column is a label, the others numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Numbers in every column but the first (right-aligned); else text.
    pub numeric: bool,
}

/// Everything the briefing says, in one language.
#[derive(Debug, Clone)]
pub struct Briefing {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// Paragraphs before the per-zone findings (a sweep's conclusion).
    pub overview: Vec<String>,
    /// (zone name, paragraph).
    pub findings: Vec<(String, String)>,
    pub charts: Vec<Rendered>,
    pub tables: Vec<Table>,
    pub params: Vec<(String, String)>,
    pub notes: Vec<String>,
}

/// Build the briefing of `run` with its charts already rendered.
pub fn build(run: &RunDir, charts: Vec<Rendered>, lang: Lang) -> Briefing {
    let meta = &run.meta;
    let years = run.years();
    let (from, to) = (
        years.first().copied().unwrap_or(meta.base_year + 1),
        years.last().copied().unwrap_or(meta.horizon),
    );
    let paths = meta
        .paths
        .map_or("?".into(), |p| style::group_thousands(p as f64, 0));
    let title = text::TITLE.fill(lang, &[("scenario", &meta.scenario)]);
    let subtitle = text::SUBTITLE.fill(
        lang,
        &[
            ("from", &from.to_string()),
            ("to", &to.to_string()),
            ("base", &meta.base_year.to_string()),
            ("paths", &paths),
        ],
    );
    let findings = meta
        .zones()
        .map(|z| (long_name(z, lang), findings::zone_paragraph(run, z, lang)))
        .collect();
    let mut overview = vec![findings::risk_overview(run, lang)];
    overview.extend(findings::sweep_paragraph(run, lang));

    let mut tables = Vec::new();
    if let Some(t) = variants_table(run, lang) {
        tables.push(t);
    }
    if let Some(t) = paired_table(run, lang) {
        tables.push(t);
    }
    if let Some(t) = drafts_table(run, lang) {
        tables.push(t);
    }
    if let Some(t) = sweep_table(run, lang) {
        tables.push(t);
    }
    tables.push(zones_table(run, lang));
    tables.push(retained_table(run, lang));
    tables.push(risk_table(run, lang));

    Briefing {
        lang,
        title,
        subtitle,
        overview,
        findings,
        charts,
        tables,
        params: params(run, lang),
        notes: vec![
            text::UNITS_NOTE.get(lang).to_string(),
            text::GENERATED.fill(
                lang,
                &[
                    ("version", env!("CARGO_PKG_VERSION")),
                    ("dir", &run.dir.display().to_string()),
                ],
            ),
        ],
    }
}

/// Per zone: funds received in the last year, the worst year's risks.
fn zones_table(run: &RunDir, lang: Lang) -> Table {
    let s = run.baseline();
    let last = run.years().last().copied().unwrap_or(run.meta.horizon);
    // One unit for the whole table, so that its columns compare at a glance.
    let largest = run
        .meta
        .zones()
        .filter_map(|z| s.get(&z.id, "received", last))
        .flat_map(|r| [r.percentiles[0].abs(), r.percentiles[6].abs()])
        .fold(0.0, f64::max);
    let money = MoneyUnit::for_max(largest).text(lang);
    let rows = run
        .meta
        .zones()
        .map(|z| {
            let received = s.get(&z.id, "received", last);
            let risk = findings::worst_risk(s, &z.id);
            let gap = findings::worst_gap(s, &z.id);
            vec![
                long_name(z, lang),
                received.map_or("–".into(), |r| money.one(r.p50())),
                received.map_or("–".into(), |r| {
                    money.range(r.percentiles[0], r.percentiles[6])
                }),
                risk.map_or("–".into(), |r| percent(r.p_debt_ratio_over_warning)),
                risk.filter(|r| r.p_debt_ratio_over_warning > 0.0)
                    .map_or("–".into(), |r| r.year.to_string()),
                gap.map_or("–".into(), |r| percent(r.p_funding_gap)),
            ]
        })
        .collect();
    Table {
        caption: text::T_ZONES.get(lang).into(),
        header: vec![
            text::ZONE.get(lang).into(),
            text::RECEIVED_LAST.fill(lang, &[("year", &last.to_string())]),
            text::RANGE_90.get(lang).into(),
            text::WORST_RISK.get(lang).into(),
            text::YEAR.get(lang).into(),
            text::WORST_GAP.get(lang).into(),
        ],
        rows,
        numeric: true,
    }
}

/// Median retained funds of every level, per year, in one unit.
fn retained_table(run: &RunDir, lang: Lang) -> Table {
    let s = run.baseline();
    let years = run.years();
    let entities: Vec<_> = run
        .meta
        .entities
        .iter()
        .filter(|e| years.iter().any(|&y| s.get(&e.id, "retained", y).is_some()))
        .collect();
    let max = entities
        .iter()
        .flat_map(|e| years.iter().filter_map(|&y| s.get(&e.id, "retained", y)))
        .map(|r| r.p50().abs())
        .fold(0.0, f64::max);
    let unit = MoneyUnit::for_max(max);
    let rows = entities
        .iter()
        .map(|e| {
            let name = match e.kind {
                EntityKind::Central => chart_labels::CENTRAL.get(lang).to_string(),
                EntityKind::Province => chart_labels::PROVINCE.get(lang).to_string(),
                EntityKind::City => chart_labels::CITY.get(lang).to_string(),
                _ => short_name(e, lang),
            };
            std::iter::once(name)
                .chain(years.iter().map(|&y| {
                    s.get(&e.id, "retained", y)
                        .map_or("–".into(), |r| unit.show(r.p50(), lang))
                }))
                .collect()
        })
        .collect();
    Table {
        caption: text::T_RETAINED.fill(lang, &[("unit", unit.label(lang))]),
        header: std::iter::once(text::LEVEL.get(lang).to_string())
            .chain(years.iter().map(|y| y.to_string()))
            .collect(),
        rows,
        numeric: true,
    }
}

/// P(debt ratio > warning), zones × years.
fn risk_table(run: &RunDir, lang: Lang) -> Table {
    let s = run.baseline();
    let years = run.years();
    Table {
        caption: text::T_RISK.get(lang).into(),
        header: std::iter::once(text::ZONE.get(lang).to_string())
            .chain(years.iter().map(|y| y.to_string()))
            .collect(),
        rows: run
            .meta
            .zones()
            .map(|z| {
                std::iter::once(long_name(z, lang))
                    .chain(years.iter().map(|&y| {
                        s.risk(&z.id, y)
                            .map_or("–".into(), |r| percent(r.p_debt_ratio_over_warning))
                    }))
                    .collect()
            })
            .collect(),
        numeric: true,
    }
}

/// A batch's or sweep's drafts side by side (headline.csv), with each draft's riskiest
/// zone-year.
fn variants_table(run: &RunDir, lang: Lang) -> Option<Table> {
    if run.headline.is_empty() {
        return None;
    }
    let years = run.years();
    let spread = |scenario: &str, metric: &str| {
        run.headline(scenario, metric).map_or("–".into(), |h| {
            let text = TextMoney::for_max(h.p95.abs().max(h.p5.abs()), lang);
            format!("{} ({})", text.one(h.p50), text.range(h.p5, h.p95))
        })
    };
    let rows = run
        .summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let worst = run
                .meta
                .zones()
                .filter_map(|z| findings::worst_risk(s, &z.id).map(|r| (z, r)))
                .max_by(|a, b| {
                    a.1.p_debt_ratio_over_warning
                        .total_cmp(&b.1.p_debt_ratio_over_warning)
                });
            let name = chart::variant_label(&s.scenario, i == 0, lang);
            vec![
                name,
                spread(&s.scenario, "city_retained_total"),
                spread(&s.scenario, "counties_retained_total"),
                spread(&s.scenario, "zones_received_total"),
                spread(&s.scenario, "zones_retained_total"),
                worst.map_or("–".into(), |(z, r)| {
                    format!(
                        "{} ({}, {})",
                        percent(r.p_debt_ratio_over_warning),
                        short_name(z, lang),
                        r.year
                    )
                }),
            ]
        })
        .collect();
    Some(Table {
        caption: text::T_VARIANTS.fill(
            lang,
            &[
                (
                    "from",
                    &years.first().map_or(String::new(), |y| y.to_string()),
                ),
                ("to", &years.last().map_or(String::new(), |y| y.to_string())),
            ],
        ),
        header: vec![
            text::DRAFT.get(lang).into(),
            text::CITY_RETAINED.get(lang).into(),
            text::COUNTIES_RETAINED.get(lang).into(),
            text::ZONES_RECEIVED.get(lang).into(),
            text::ZONES_RETAINED.get(lang).into(),
            text::WORST_ZONE.get(lang).into(),
        ],
        rows,
        numeric: true,
    })
}

/// Paired differences against the baseline (compare.csv): the city's retained funds in
/// the last year, and per zone the year whose P(debt ratio > warning) moves most.
fn paired_table(run: &RunDir, lang: Lang) -> Option<Table> {
    if run.compare.is_empty() {
        return None;
    }
    let last = run.years().last().copied()?;
    let zones: Vec<_> = run.meta.zones().collect();
    let rows = run
        .summaries
        .iter()
        .skip(1)
        .map(|s| {
            let mine = |entity: &str, metric: &str| -> Vec<&crate::chart::input::CompareRow> {
                run.compare
                    .iter()
                    .filter(|c| {
                        c.scenario == s.scenario && c.entity == entity && c.metric == metric
                    })
                    .collect()
            };
            let city = mine("city", "retained")
                .into_iter()
                .find(|c| c.year == last)
                .map_or("–".into(), |c| {
                    let text =
                        TextMoney::for_max(c.p5.abs().max(c.p95.abs()).max(c.p50.abs()), lang);
                    format!("{} ({})", text.one(c.p50), text.range(c.p5, c.p95))
                });
            let mut row = vec![s.scenario.clone(), city];
            for z in &zones {
                let biggest = mine(&z.id, "debt_ratio")
                    .into_iter()
                    .filter_map(|c| Some((c.year, c.delta_p_debt_ratio_over_warning?)))
                    .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
                row.push(match biggest {
                    Some((year, d)) if d.abs() >= 0.0005 => {
                        format!("{:+.1} {} ({year})", 100.0 * d, text::PP.get(lang))
                    }
                    Some(_) => "0".into(),
                    None => "–".into(),
                });
            }
            row
        })
        .collect();
    let mut header = vec![
        text::DRAFT.get(lang).to_string(),
        text::CITY_DELTA.fill(lang, &[("year", &last.to_string())]),
    ];
    header.extend(zones.iter().map(|z| short_name(z, lang)));
    Some(Table {
        caption: text::T_PAIRED.fill(lang, &[("baseline", &run.baseline().scenario)]),
        header,
        rows,
        numeric: true,
    })
}

/// What each draft changes (run.json `variants`).
fn drafts_table(run: &RunDir, lang: Lang) -> Option<Table> {
    if run.meta.variants.is_empty() {
        return None;
    }
    Some(Table {
        caption: text::T_DRAFTS.get(lang).into(),
        header: vec![
            text::DRAFT.get(lang).into(),
            text::OVERRIDES.get(lang).into(),
        ],
        rows: run
            .meta
            .variants
            .iter()
            .map(|(id, overrides)| {
                let what = if overrides.is_empty() {
                    text::NO_OVERRIDES.get(lang).to_string()
                } else {
                    overrides
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                vec![id.clone(), what]
            })
            .collect(),
        numeric: false,
    })
}

/// sweep.csv as a table.
fn sweep_table(run: &RunDir, lang: Lang) -> Option<Table> {
    let table = run.sweep.as_ref()?;
    let mut header = vec![text::DRAFT.get(lang).to_string()];
    header.extend(table.keys.iter().map(|k| chart::sweep::key_label(k, lang)));
    header.extend([
        text::CITY_RETAINED.get(lang).to_string(),
        text::COUNTIES_RETAINED.get(lang).to_string(),
        text::ZONES_RETAINED.get(lang).to_string(),
        text::ANY_GAP.get(lang).to_string(),
        text::WORST_RISK.get(lang).to_string(),
    ]);
    let rows = table
        .points
        .iter()
        .map(|p| {
            let mut row = vec![p.scenario.clone()];
            row.extend(p.values.iter().enumerate().map(|(k, v)| table.show(k, *v)));
            row.extend([
                money(p.city_retained_total_p50, lang),
                money(p.counties_retained_total_p50, lang),
                money(p.zones_retained_total_p50, lang),
                percent(p.p_any_funding_gap),
                percent(p.worst_p_debt_ratio_over_warning),
            ]);
            row
        })
        .collect();
    Some(Table {
        caption: text::T_SWEEP.get(lang).into(),
        header,
        rows,
        numeric: true,
    })
}

/// What is needed to reproduce the run.
fn params(run: &RunDir, lang: Lang) -> Vec<(String, String)> {
    let m = &run.meta;
    let or_dash = |s: &str| {
        if s.is_empty() {
            "–".to_string()
        } else {
            s.to_string()
        }
    };
    let mut p = vec![
        (text::P_SCENARIO, m.scenario.clone()),
        (text::P_SOURCE, or_dash(&m.source)),
        (text::P_COMMAND, or_dash(&m.command)),
        (text::P_VERSION, or_dash(&m.version)),
        (text::P_SEED, m.seed.map_or("–".into(), |s| s.to_string())),
        (
            text::P_PATHS,
            m.paths
                .map_or("–".into(), |p| style::group_thousands(p as f64, 0)),
        ),
        (
            text::P_THREADS,
            m.threads.map_or("–".into(), |t| t.to_string()),
        ),
        (
            text::P_WALL,
            m.wall_time_seconds
                .filter(|w| w.is_finite())
                .map_or("–".into(), |w| format!("{w:.2} s")),
        ),
        (text::P_BASE_YEAR, m.base_year.to_string()),
        (text::P_HORIZON, {
            let years = run.years();
            match (years.first(), years.last()) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => "–".into(),
            }
        }),
        (text::P_SHA, or_dash(&m.inputs_sha256)),
        (text::P_PERCENTILES, or_dash(&m.percentiles)),
    ];
    if run.summaries.len() > 1 {
        p.push((
            text::P_DRAFTS,
            run.summaries
                .iter()
                .map(|s| s.scenario.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    p.push((text::P_DIR, run.dir.display().to_string()));
    p.into_iter()
        .map(|(label, value)| (label.get(lang).to_string(), value))
        .collect()
}

/// Read the run directory `dir`, draw its charts into `dir/charts/`, and write
/// `dir/briefing.html` and `dir/briefing.md`. Returns every file written, the two
/// briefings first.
pub fn write_report(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>> {
    let run = RunDir::read(dir)?;
    let charts = chart::render_run(&run, lang)?;
    let chart_files = chart::write_charts(dir, &charts)?;
    let briefing = build(&run, charts, lang);
    let html_path = dir.join("briefing.html");
    write_atomic(&html_path, html::render(&briefing).as_bytes())?;
    let md_path = dir.join("briefing.md");
    write_atomic(&md_path, markdown::render(&briefing).as_bytes())?;
    let mut written = vec![html_path, md_path];
    written.extend(chart_files);
    Ok(written)
}
