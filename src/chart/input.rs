//! Reading a run directory back: summary.csv and risk.csv into [`Summary`] values (one
//! per scenario or variant, in file order), run.json into [`RunMeta`], and a batch's or
//! sweep's headline.csv, compare.csv and sweep.csv.
//!
//! Charts and the briefing read only these files, never engine internals, so they can be
//! redrawn from any run directory. Columns are found by name; a file written by an
//! older version without some optional part (run.json's `entities`, say) still reads.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::scenario::model::Year;
use crate::stats::PERCENTILE_NAMES;
use crate::summary::{RiskRow, Summary, SummaryRow};

/// The default debt-ratio warning line (DOMAIN.md §4.7).
pub const DEFAULT_WARNING_RATIO: f64 = 1.2;

/// A level of government.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityKind {
    Central,
    Province,
    City,
    County,
    Zone,
}

impl EntityKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "central" => Self::Central,
            "province" => Self::Province,
            "city" => Self::City,
            "county" => Self::County,
            "zone" => Self::Zone,
            _ => return None,
        })
    }
}

/// An entity of the run: id, display name and, for zones, the warning line.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: String,
    /// The scenario's name for it (Chinese in practice), or the id.
    pub name: String,
    pub kind: EntityKind,
    /// The zone's debt-ratio warning line (1.2 = 120%).
    pub warning_ratio: f64,
    /// The zone's allocation in the base year, `base_shares.zone × pool` (万元), when
    /// the run recorded it (run.json `base_year_allocation`).
    pub base_year_allocation: Option<f64>,
}

/// What run.json says about the run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    /// `run`, `batch` or `sweep`.
    pub command: String,
    pub scenario: String,
    pub version: String,
    pub source: String,
    pub inputs_sha256: String,
    pub seed: Option<u64>,
    pub paths: Option<u64>,
    pub threads: Option<u64>,
    pub wall_time_seconds: Option<f64>,
    /// How percentiles were computed (run.json `percentiles`).
    pub percentiles: String,
    pub base_year: Year,
    pub horizon: Year,
    /// Central, province, city, counties, zones, in this order (stable within a kind).
    pub entities: Vec<Entity>,
    /// Batch and sweep: each variant's id and the keys it overrides (run.json
    /// `variants`), the first being the baseline.
    pub variants: Vec<(String, Vec<(String, String)>)>,
}

impl RunMeta {
    pub fn zones(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|e| e.kind == EntityKind::Zone)
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    /// The display name of an entity id (the id itself if unknown).
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.entity(id).map_or(id, |e| e.name.as_str())
    }

    pub fn is_comparison(&self) -> bool {
        self.command == "batch" || self.command == "sweep"
    }
}

/// A headline.csv row: a group total over all projected years, per variant (万元).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineRow {
    pub scenario: String,
    pub metric: String,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// A compare.csv row: paired difference variant − baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    pub scenario: String,
    pub baseline: String,
    pub year: Year,
    pub entity: String,
    pub metric: String,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    /// Change in P(debt ratio > warning), zone rows only.
    pub delta_p_debt_ratio_over_warning: Option<f64>,
}

/// sweep.csv: one row per point of the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTable {
    /// The swept dotted keys (one or two), e.g. `policies.reform.increment_shares.zone`.
    pub keys: Vec<String>,
    /// Per key: its values in order of appearance when they are not all numbers (then
    /// a point's value is the index in this list), else empty.
    pub categories: Vec<Vec<String>>,
    pub points: Vec<SweepPoint>,
}

impl SweepTable {
    /// The value of key `k` of `point` as the sweep wrote it.
    pub fn show(&self, k: usize, value: f64) -> String {
        match self.categories.get(k).filter(|c| !c.is_empty()) {
            Some(c) => c
                .get(value.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default(),
            None => crate::chart::sweep::show_value(&self.keys[k], value),
        }
    }

    /// A grid point by its values: `45%`, `45% · 60%`.
    pub fn point_label(&self, point: &SweepPoint) -> String {
        let values: Vec<String> = point
            .values
            .iter()
            .enumerate()
            .map(|(k, &v)| self.show(k, v))
            .collect();
        values.join(" · ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub scenario: String,
    /// The value of each swept key, in the order of [`SweepTable::keys`].
    pub values: Vec<f64>,
    pub city_retained_total_p50: f64,
    pub counties_retained_total_p50: f64,
    pub zones_retained_total_p50: f64,
    pub p_any_funding_gap: f64,
    pub worst_p_debt_ratio_over_warning: f64,
    /// Per zone id: the worst year's P(debt ratio > warning).
    pub zone_worst: Vec<(String, f64)>,
}

/// Everything a run directory holds that charts and the briefing use.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDir {
    pub dir: PathBuf,
    pub meta: RunMeta,
    /// One per scenario or variant, in file order: the first is the baseline.
    pub summaries: Vec<Summary>,
    pub headline: Vec<HeadlineRow>,
    pub compare: Vec<CompareRow>,
    pub sweep: Option<SweepTable>,
}

impl RunDir {
    /// Read `dir`. summary.csv and risk.csv must exist; run.json, headline.csv,
    /// compare.csv and sweep.csv are read when present.
    pub fn read(dir: &Path) -> Result<Self> {
        let summary_path = dir.join("summary.csv");
        if !summary_path.is_file() {
            bail!(
                "{} holds no run results (no summary.csv); give the directory a `fencheng \
                 run`, `batch` or `sweep` wrote",
                dir.display()
            );
        }
        let rows = read_summary_csv(&summary_path)?;
        let risk = read_risk_csv(&dir.join("risk.csv"))?;
        let json = read_json(&dir.join("run.json"))?;

        let mut summaries: Vec<Summary> = Vec::new();
        for (scenario, row) in rows {
            match summaries.iter_mut().find(|s| s.scenario == scenario) {
                Some(s) => s.rows.push(row),
                None => summaries.push(Summary {
                    scenario,
                    paths: 0,
                    rows: vec![row],
                    risk: vec![],
                }),
            }
        }
        for (scenario, row) in risk {
            match summaries.iter_mut().find(|s| s.scenario == scenario) {
                Some(s) => s.risk.push(row),
                None => summaries.push(Summary {
                    scenario,
                    paths: 0,
                    rows: vec![],
                    risk: vec![row],
                }),
            }
        }
        if summaries.is_empty() {
            bail!("{} has no rows", summary_path.display());
        }
        let meta = meta_from(&json, &summaries);
        for s in &mut summaries {
            s.paths = meta.paths.unwrap_or(0);
        }
        let headline = optional(dir, "headline.csv", read_headline_csv)?.unwrap_or_default();
        let compare = optional(dir, "compare.csv", read_compare_csv)?.unwrap_or_default();
        let sweep = optional(dir, "sweep.csv", read_sweep_csv)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            meta,
            summaries,
            headline,
            compare,
            sweep,
        })
    }

    /// The baseline (first) scenario's summary.
    pub fn baseline(&self) -> &Summary {
        &self.summaries[0]
    }

    /// The projected years present in the baseline, ascending.
    pub fn years(&self) -> Vec<Year> {
        let mut years: Vec<Year> = self.baseline().rows.iter().map(|r| r.year).collect();
        years.extend(self.baseline().risk.iter().map(|r| r.year));
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The headline row of `scenario`'s `metric`.
    pub fn headline(&self, scenario: &str, metric: &str) -> Option<&HeadlineRow> {
        self.headline
            .iter()
            .find(|h| h.scenario == scenario && h.metric == metric)
    }
}

fn optional<T>(dir: &Path, name: &str, read: fn(&Path) -> Result<T>) -> Result<Option<T>> {
    let path = dir.join(name);
    if path.is_file() {
        read(&path).map(Some)
    } else {
        Ok(None)
    }
}

/// A CSV file with its header, cells looked up by column name.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl Table {
    fn read(path: &Path) -> Result<Self> {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader
            .headers()
            .with_context(|| format!("{}: cannot read the header", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let records = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .with_context(|| format!("{}: malformed CSV", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            header,
            records,
        })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}: no column `{name}` (columns: {})",
                self.path.display(),
                self.header.join(",")
            )
        })
    }

    /// Line number of record `i` (the header is line 1).
    fn line(&self, i: usize) -> usize {
        i + 2
    }

    fn text(&self, i: usize, col: usize) -> &str {
        self.records[i].get(col).unwrap_or("")
    }

    fn number(&self, i: usize, col: usize) -> Result<f64> {
        let cell = self.text(i, col).trim();
        cell.parse::<f64>().with_context(|| {
            format!(
                "{}: line {}, column `{}`: `{cell}` is not a number",
                self.path.display(),
                self.line(i),
                self.header[col]
            )
        })
    }

    fn optional_number(&self, i: usize, col: usize) -> Result<Option<f64>> {
        if self.text(i, col).trim().is_empty() {
            Ok(None)
        } else {
            self.number(i, col).map(Some)
        }
    }

    fn year(&self, i: usize, col: usize) -> Result<Year> {
        let cell = self.text(i, col).trim();
        cell.parse::<Year>().with_context(|| {
            format!(
                "{}: line {}, column `{}`: `{cell}` is not a year",
                self.path.display(),
                self.line(i),
                self.header[col]
            )
        })
    }
}

/// summary.csv rows with their scenario, in file order.
pub fn read_summary_csv(path: &Path) -> Result<Vec<(String, SummaryRow)>> {
    let t = Table::read(path)?;
    let [scenario, year, entity, metric, mean, sd] =
        ["scenario", "year", "entity", "metric", "mean", "sd"].map(|c| t.column(c));
    let (scenario, year, entity, metric, mean, sd) =
        (scenario?, year?, entity?, metric?, mean?, sd?);
    let pcols = PERCENTILE_NAMES
        .iter()
        .map(|c| t.column(c))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(t.records.len());
    for i in 0..t.records.len() {
        let mut percentiles = [0.0; 7];
        for (p, &col) in percentiles.iter_mut().zip(&pcols) {
            *p = t.number(i, col)?;
        }
        out.push((
            t.text(i, scenario).to_string(),
            SummaryRow {
                year: t.year(i, year)?,
                entity: t.text(i, entity).to_string(),
                metric: t.text(i, metric).to_string(),
                mean: t.number(i, mean)?,
                sd: t.number(i, sd)?,
                percentiles,
            },
        ));
    }
    Ok(out)
}

/// risk.csv rows with their scenario, in file order (an absent file has none).
pub fn read_risk_csv(path: &Path) -> Result<Vec<(String, RiskRow)>> {
    if !path.is_file() {
        return Ok(vec![]);
    }
    let t = Table::read(path)?;
    let col = |c| t.column(c);
    let (scenario, zone, year) = (col("scenario")?, col("zone")?, col("year")?);
    let (p_over, p_gap, e_gap) = (
        col("p_debt_ratio_over_warning")?,
        col("p_funding_gap")?,
        col("expected_funding_gap")?,
    );
    let tiers = [
        col("p_tier_green")?,
        col("p_tier_yellow")?,
        col("p_tier_orange")?,
        col("p_tier_red")?,
    ];
    let mut out = Vec::with_capacity(t.records.len());
    for i in 0..t.records.len() {
        let mut p_tiers = [0.0; 4];
        for (p, &c) in p_tiers.iter_mut().zip(&tiers) {
            *p = t.number(i, c)?;
        }
        out.push((
            t.text(i, scenario).to_string(),
            RiskRow {
                zone: t.text(i, zone).to_string(),
                year: t.year(i, year)?,
                p_debt_ratio_over_warning: t.number(i, p_over)?,
                p_funding_gap: t.number(i, p_gap)?,
                expected_funding_gap: t.number(i, e_gap)?,
                p_tiers,
            },
        ));
    }
    Ok(out)
}

pub fn read_headline_csv(path: &Path) -> Result<Vec<HeadlineRow>> {
    let t = Table::read(path)?;
    let col = |c| t.column(c);
    let (scenario, metric) = (col("scenario")?, col("metric")?);
    let (mean, p5, p50, p95) = (col("mean")?, col("p5")?, col("p50")?, col("p95")?);
    (0..t.records.len())
        .map(|i| {
            Ok(HeadlineRow {
                scenario: t.text(i, scenario).to_string(),
                metric: t.text(i, metric).to_string(),
                mean: t.number(i, mean)?,
                p5: t.number(i, p5)?,
                p50: t.number(i, p50)?,
                p95: t.number(i, p95)?,
            })
        })
        .collect()
}

pub fn read_compare_csv(path: &Path) -> Result<Vec<CompareRow>> {
    let t = Table::read(path)?;
    let col = |c| t.column(c);
    let (scenario, baseline, year) = (col("scenario")?, col("baseline")?, col("year")?);
    let (entity, metric) = (col("entity")?, col("metric")?);
    let (mean, p5, p50, p95) = (col("mean")?, col("p5")?, col("p50")?, col("p95")?);
    let delta = col("delta_p_debt_ratio_over_warning")?;
    (0..t.records.len())
        .map(|i| {
            Ok(CompareRow {
                scenario: t.text(i, scenario).to_string(),
                baseline: t.text(i, baseline).to_string(),
                year: t.year(i, year)?,
                entity: t.text(i, entity).to_string(),
                metric: t.text(i, metric).to_string(),
                mean: t.number(i, mean)?,
                p5: t.number(i, p5)?,
                p50: t.number(i, p50)?,
                p95: t.number(i, p95)?,
                delta_p_debt_ratio_over_warning: t.optional_number(i, delta)?,
            })
        })
        .collect()
}

const WORST_SUFFIX: &str = "_worst_p_debt_ratio_over_warning";

pub fn read_sweep_csv(path: &Path) -> Result<SweepTable> {
    let t = Table::read(path)?;
    let col = |c| t.column(c);
    let scenario = col("scenario")?;
    let city = col("city_retained_total_p50")?;
    let counties = col("counties_retained_total_p50")?;
    let zones = col("zones_retained_total_p50")?;
    let gap = col("p_any_funding_gap")?;
    let worst = col("worst_p_debt_ratio_over_warning")?;
    // The swept keys sit between `scenario` and the first result column.
    let key_cols: Vec<usize> = (scenario + 1..city).collect();
    if key_cols.is_empty() {
        bail!(
            "{}: no swept key column between `scenario` and `city_retained_total_p50`",
            path.display()
        );
    }
    let zone_cols: Vec<(usize, String)> = t
        .header
        .iter()
        .enumerate()
        .filter(|&(c, h)| c != worst && h.ends_with(WORST_SUFFIX))
        .map(|(c, h)| (c, h.trim_end_matches(WORST_SUFFIX).to_string()))
        .collect();
    // A key whose values are not all numbers (e.g. `delivery`) is categorical.
    let categories: Vec<Vec<String>> = key_cols
        .iter()
        .map(|&c| {
            let cells: Vec<&str> = (0..t.records.len()).map(|i| t.text(i, c).trim()).collect();
            if cells.iter().all(|s| s.parse::<f64>().is_ok()) {
                vec![]
            } else {
                let mut seen: Vec<String> = Vec::new();
                for s in cells {
                    if !seen.iter().any(|x| x == s) {
                        seen.push(s.to_string());
                    }
                }
                seen
            }
        })
        .collect();
    let value = |i: usize, k: usize| -> Result<f64> {
        let cell = t.text(i, key_cols[k]).trim();
        match categories[k].iter().position(|c| c == cell) {
            Some(index) if !categories[k].is_empty() => Ok(index as f64),
            _ => t.number(i, key_cols[k]),
        }
    };
    let mut points = Vec::with_capacity(t.records.len());
    for i in 0..t.records.len() {
        points.push(SweepPoint {
            scenario: t.text(i, scenario).to_string(),
            values: (0..key_cols.len())
                .map(|k| value(i, k))
                .collect::<Result<_>>()?,
            city_retained_total_p50: t.number(i, city)?,
            counties_retained_total_p50: t.number(i, counties)?,
            zones_retained_total_p50: t.number(i, zones)?,
            p_any_funding_gap: t.number(i, gap)?,
            worst_p_debt_ratio_over_warning: t.number(i, worst)?,
            zone_worst: zone_cols
                .iter()
                .map(|(c, z)| Ok((z.clone(), t.number(i, *c)?)))
                .collect::<Result<_>>()?,
        });
    }
    Ok(SweepTable {
        keys: key_cols.iter().map(|&c| t.header[c].clone()).collect(),
        categories,
        points,
    })
}

fn read_json(path: &Path) -> Result<Value> {
    if !path.is_file() {
        return Ok(Value::Null);
    }
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", path.display()))
}

/// run.json's fields, with the entities from its `entities` (a list, or an object keyed
/// by id) or, when absent, inferred from the metrics in summary.csv.
fn meta_from(json: &Value, summaries: &[Summary]) -> RunMeta {
    let text = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let years: Vec<Year> = summaries
        .iter()
        .flat_map(|s| s.rows.iter().map(|r| r.year))
        .collect();
    let first = years.iter().copied().min().unwrap_or(0);
    let last = years.iter().copied().max().unwrap_or(0);
    let int = |key: &str| json.get(key).and_then(Value::as_i64);
    let mut meta = RunMeta {
        command: match text("command") {
            c if c.is_empty() => "run".into(),
            c => c,
        },
        scenario: match text("scenario") {
            s if s.is_empty() => summaries[0].scenario.clone(),
            s => s,
        },
        version: text("version"),
        source: text("source"),
        inputs_sha256: text("inputs_hash"),
        seed: json.get("seed").and_then(Value::as_u64),
        paths: json.get("paths").and_then(Value::as_u64),
        threads: json.get("threads").and_then(Value::as_u64),
        wall_time_seconds: json.get("wall_time_seconds").and_then(Value::as_f64),
        percentiles: text("percentiles"),
        base_year: int("base_year").map_or(first - 1, |y| y as Year),
        horizon: int("horizon").map_or(last, |y| y as Year),
        entities: vec![],
        variants: variants_from_json(json.get("variants")),
    };
    let mut entities = entities_from_json(json.get("entities"));
    for e in infer_entities(summaries) {
        if !entities.iter().any(|known| known.id == e.id) {
            entities.push(e);
        }
    }
    // Stable sort: central, province, city, counties, zones; each kind in given order.
    entities.sort_by_key(|e| e.kind);
    meta.entities = entities;
    meta
}

fn variants_from_json(value: Option<&Value>) -> Vec<(String, Vec<(String, String)>)> {
    let Some(Value::Array(items)) = value else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?.to_string();
            let overrides = v
                .get("overrides")
                .and_then(Value::as_array)
                .map(|pairs| {
                    pairs
                        .iter()
                        .filter_map(|p| {
                            let p = p.as_array()?;
                            let text = |x: &Value| match x {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            Some((text(p.first()?), text(p.get(1)?)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some((id, overrides))
        })
        .collect()
}

fn entities_from_json(value: Option<&Value>) -> Vec<Entity> {
    let one = |id: &str, v: &Value| -> Option<Entity> {
        let kind = EntityKind::parse(v.get("kind")?.as_str()?)?;
        Some(Entity {
            id: id.to_string(),
            name: v
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or(id)
                .to_string(),
            kind,
            warning_ratio: v
                .get("warning_ratio")
                .and_then(Value::as_f64)
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(DEFAULT_WARNING_RATIO),
            base_year_allocation: ["base_year_allocation", "base_year_received"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_f64))
                .filter(|x| x.is_finite()),
        })
    };
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| one(v.get("id")?.as_str()?, v))
            .collect(),
        Some(Value::Object(map)) => map.iter().filter_map(|(id, v)| one(id, v)).collect(),
        _ => vec![],
    }
}

/// Entities seen in summary.csv: zones have `collected`, counties `allocation` (and are
/// not the city); central, province and city by their reserved ids.
fn infer_entities(summaries: &[Summary]) -> Vec<Entity> {
    let mut metrics: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for s in summaries {
        for r in &s.rows {
            let m = metrics.entry(&r.entity).or_insert_with(|| {
                order.push(&r.entity);
                vec![]
            });
            if !m.contains(&r.metric.as_str()) {
                m.push(&r.metric);
            }
        }
        for r in &s.risk {
            if !metrics.contains_key(r.zone.as_str()) {
                order.push(&r.zone);
                metrics.insert(&r.zone, vec!["collected"]);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let m = &metrics[id];
            let kind = match id {
                "central" => EntityKind::Central,
                "province" => EntityKind::Province,
                "city" => EntityKind::City,
                _ if m.contains(&"collected") || m.contains(&"debt_ratio") => EntityKind::Zone,
                _ if m.contains(&"allocation") => EntityKind::County,
                _ => return None,
            };
            Some(Entity {
                id: id.to_string(),
                name: id.to_string(),
                kind,
                warning_ratio: DEFAULT_WARNING_RATIO,
                base_year_allocation: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_read_from_a_list_or_an_object() {
        let list: Value = serde_json::json!([
            {"id": "chem", "name": "化工区", "kind": "zone", "warning_ratio": 1.5},
            {"id": "dongqu", "name": "东港区", "kind": "county"}
        ]);
        let e = entities_from_json(Some(&list));
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "化工区");
        assert!((e[0].warning_ratio - 1.5).abs() < 1e-12);
        assert_eq!(e[1].kind, EntityKind::County);
        assert!((e[1].warning_ratio - DEFAULT_WARNING_RATIO).abs() < 1e-12);
        let object: Value = serde_json::json!({"chem": {"name": "化工区", "kind": "zone"}});
        assert_eq!(entities_from_json(Some(&object))[0].id, "chem");
    }
}
