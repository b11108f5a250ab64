//! The plain-language findings: one paragraph per zone, written from the numbers, in
//! Chinese or English, e.g. "方案 B 下，示范新材料产业开发区 2027 年债务率超过 120% 的概率
//! 为 34%".

use crate::chart::input::{Entity, RunDir};
use crate::chart::labels::{self as chart_labels, Lang};
use crate::chart::style::{TextMoney, money, percent};
use crate::chart::sweep::{RISK_LIMIT, first_safe_point, key_label};
use crate::chart::{long_name, short_name};
use crate::ledger::budget::INTEREST_RATIO_WARNING;
use crate::scenario::model::Year;
use crate::summary::{RiskRow, Summary};

/// The year of the highest P(debt ratio > warning) of `zone` (the earliest on ties).
pub fn worst_risk<'a>(summary: &'a Summary, zone: &str) -> Option<&'a RiskRow> {
    summary.risk.iter().filter(|r| r.zone == zone).fold(
        None,
        |best: Option<&RiskRow>, r| match best {
            Some(b) if b.p_debt_ratio_over_warning >= r.p_debt_ratio_over_warning => Some(b),
            _ => Some(r),
        },
    )
}

/// The year of the highest P(funding gap) of `zone` (the earliest on ties).
pub fn worst_gap<'a>(summary: &'a Summary, zone: &str) -> Option<&'a RiskRow> {
    summary.risk.iter().filter(|r| r.zone == zone).fold(
        None,
        |best: Option<&RiskRow>, r| match best {
            Some(b) if b.p_funding_gap >= r.p_funding_gap => Some(b),
            _ => Some(r),
        },
    )
}

fn line_pct(zone: &Entity) -> String {
    format!("{:.0}%", 100.0 * zone.warning_ratio)
}

/// The paragraph on one zone under the baseline (the run's only scenario, or a batch's
/// first variant), followed for a batch by one sentence per other draft.
pub fn zone_paragraph(run: &RunDir, zone: &Entity, lang: Lang) -> String {
    let s = run.baseline();
    let name = long_name(zone, lang);
    let years = run.years();
    let mut out = String::new();
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return out;
    };
    let received = |y: Year| s.get(&zone.id, "received", y);
    if let Some(r) = received(last) {
        let p = r.percentiles;
        let change = received(first)
            .map(|f| f.p50())
            .filter(|f| *f > 0.0 && first != last)
            .map(|f| r.p50() / f - 1.0);
        // One unit for the median and its range.
        let text = TextMoney::for_max(p[6].abs().max(p[0].abs()), lang);
        out += &match lang {
            Lang::Zh => format!(
                "{name}：{last} 年到位分成资金中位数 {}（90% 区间 {}）{}。",
                text.one(r.p50()),
                text.range(p[0], p[6]),
                change.map_or(String::new(), |c| format!(
                    "，比 {first} 年{} {:.0}%",
                    if c >= 0.0 { "增加" } else { "减少" },
                    100.0 * c.abs()
                ))
            ),
            Lang::En => format!(
                "{name}: funds received in {last}, median {} (90% range {}){}.",
                text.one(r.p50()),
                text.range(p[0], p[6]),
                change.map_or(String::new(), |c| format!(
                    ", {} {:.0}% from {first}",
                    if c >= 0.0 { "up" } else { "down" },
                    100.0 * c.abs()
                ))
            ),
        };
    }
    if let Some(w) = worst_risk(s, &zone.id) {
        let line = line_pct(zone);
        let p = w.p_debt_ratio_over_warning;
        let last_p = s.risk(&zone.id, last).map(|r| r.p_debt_ratio_over_warning);
        if p < 0.0005 {
            out += &match lang {
                Lang::Zh => format!("债务率各年超过 {line} 的概率均低于 0.1%。"),
                Lang::En => format!(
                    " The probability of a debt ratio above {line} stays below 0.1% in every year."
                ),
            };
        } else {
            let later = last_p
                .filter(|_| w.year != last)
                .map(|lp| (lp, percent(lp)));
            let attention = p >= RISK_LIMIT;
            out += &match lang {
                Lang::Zh => format!(
                    "债务率超过 {line} 的概率在 {} 年最高，为 {}{}{}。",
                    w.year,
                    percent(p),
                    if attention {
                        "，高于 10%，需要关注"
                    } else {
                        ""
                    },
                    later.map_or(String::new(), |(_, t)| format!("；{last} 年为 {t}")),
                ),
                Lang::En => format!(
                    " The probability of a debt ratio above {line} peaks at {} in {}{}{}.",
                    percent(p),
                    w.year,
                    if attention {
                        ", above the 10% that calls for attention"
                    } else {
                        ""
                    },
                    later.map_or(String::new(), |(_, t)| format!("; {t} in {last}")),
                ),
            };
        }
    }
    out += &interest_sentence(s, &zone.id, &years, lang);
    if let Some(g) = worst_gap(s, &zone.id).filter(|g| g.p_funding_gap >= 0.001) {
        let average = s
            .get(&zone.id, "funding_gap", g.year)
            .map_or(g.expected_funding_gap, |r| r.mean);
        out += &match lang {
            Lang::Zh => format!(
                "出现资金缺口的概率最高为 {}（{} 年），当年平均缺口 {}。",
                percent(g.p_funding_gap),
                g.year,
                money(average, lang)
            ),
            Lang::En => format!(
                " The probability of a funding gap peaks at {} in {}, with an average gap of {} that year.",
                percent(g.p_funding_gap),
                g.year,
                money(average, lang)
            ),
        };
    }
    // Other drafts of a batch (a sweep has its own paragraph): each draft that moves
    // the zone's worst-year risk by 0.5 points or more, then those that do not.
    if run.sweep.is_none() {
        let base_worst = worst_risk(s, &zone.id).map_or(0.0, |w| w.p_debt_ratio_over_warning);
        let line = line_pct(zone);
        let name = short_name(zone, lang);
        let mut unchanged = Vec::new();
        for v in run.summaries.iter().skip(1) {
            let Some(w) = worst_risk(v, &zone.id) else {
                continue;
            };
            let p = w.p_debt_ratio_over_warning;
            if (p - base_worst).abs() < 0.005 {
                unchanged.push(v.scenario.as_str());
                continue;
            }
            let base = percent(base_worst);
            out += &match (lang, p < 0.0005) {
                (Lang::Zh, false) => format!(
                    "方案 {} 下，{name} {} 年债务率超过 {line} 的概率为 {}（基准方案最高 {base}）。",
                    v.scenario,
                    w.year,
                    percent(p)
                ),
                (Lang::Zh, true) => format!(
                    "方案 {} 下，{name}债务率各年超过 {line} 的概率均低于 0.1%（基准方案最高 {base}）。",
                    v.scenario
                ),
                (Lang::En, false) => format!(
                    " Under draft {}, the probability that {name}'s debt ratio exceeds {line} \
                     peaks at {} in {} (baseline: {base} at most).",
                    v.scenario,
                    percent(p),
                    w.year
                ),
                (Lang::En, true) => format!(
                    " Under draft {}, the probability that {name}'s debt ratio exceeds {line} \
                     stays below 0.1% (baseline: {base} at most).",
                    v.scenario
                ),
            };
        }
        if !unchanged.is_empty() {
            out += &match lang {
                Lang::Zh => format!("方案 {} 下该风险与基准方案基本相同。", unchanged.join("、")),
                Lang::En => format!(
                    " Under draft{} {} this risk is about the same as in the baseline.",
                    if unchanged.len() > 1 { "s" } else { "" },
                    unchanged.join(", ")
                ),
            };
        }
    }
    out.trim().to_string()
}

/// The interest ratio (利息支出率) against its 10% warning line: the year of its highest
/// 90th percentile, so "in 9 paths out of 10" reads straight off the sentence.
fn interest_sentence(s: &Summary, zone: &str, years: &[Year], lang: Lang) -> String {
    let p90 = |y: Year| s.get(zone, "interest_ratio", y).map(|r| r.percentiles[5]);
    let Some((year, high)) = years.iter().filter_map(|&y| p90(y).map(|p| (y, p))).fold(
        None,
        |best: Option<(Year, f64)>, (y, p)| match best {
            Some((_, b)) if b >= p => best,
            _ => Some((y, p)),
        },
    ) else {
        return String::new();
    };
    let line = format!("{:.0}%", 100.0 * INTEREST_RATIO_WARNING);
    match (lang, high > INTEREST_RATIO_WARNING) {
        (Lang::Zh, true) => format!(
            "利息支出率的 90% 分位数在 {year} 年最高，为 {}，超过 {line} 的预警线。",
            percent(high)
        ),
        (Lang::Zh, false) => format!(
            "利息支出率的 90% 分位数各年均不超过 {line} 的预警线（最高 {}，{year} 年）。",
            percent(high)
        ),
        (Lang::En, true) => format!(
            " The interest ratio's 90th percentile peaks at {} in {year}, above the {line} \
             warning line.",
            percent(high)
        ),
        (Lang::En, false) => format!(
            " The interest ratio's 90th percentile stays within the {line} warning line in \
             every year (at most {}, in {year}).",
            percent(high)
        ),
    }
}

/// Which zones cross 10% risk in some year (under the baseline of a batch).
pub fn risk_overview(run: &RunDir, lang: Lang) -> String {
    let s = run.baseline();
    let zones: Vec<&Entity> = run.meta.zones().collect();
    let risky: Vec<String> = zones
        .iter()
        .filter_map(|z| {
            let w = worst_risk(s, &z.id)?;
            (w.p_debt_ratio_over_warning >= RISK_LIMIT).then(|| match lang {
                Lang::Zh => format!(
                    "{}（{} 年 {}）",
                    short_name(z, lang),
                    w.year,
                    percent(w.p_debt_ratio_over_warning)
                ),
                Lang::En => format!(
                    "{} ({} in {})",
                    short_name(z, lang),
                    percent(w.p_debt_ratio_over_warning),
                    w.year
                ),
            })
        })
        .collect();
    let n = zones.len();
    // Under a batch, say which draft is the baseline: a sweep's is its first grid point.
    let draft = chart_labels::BASELINE_DRAFT.fill(lang, &[("id", &s.scenario)]);
    let lead = match (lang, run.summaries.len() > 1) {
        (_, false) => String::new(),
        (Lang::Zh, true) => format!("{draft} 下，"),
        (Lang::En, true) => format!("Under the {draft}, "),
    };
    match (lang, risky.is_empty()) {
        (Lang::Zh, true) => format!("{}{n} 个开发区各年债务率超过预警线的概率均低于 10%。", lead),
        (Lang::Zh, false) => format!(
            "{}{n} 个开发区中有 {} 个在某一年债务率超过预警线的概率达到 10% 以上：{}{}。",
            lead,
            risky.len(),
            risky.join("、"),
            if risky.len() < n {
                "；其余开发区各年均低于 10%"
            } else {
                ""
            }
        ),
        (Lang::En, true) => format!(
            "{}{} {n} zones stay under a 10% probability of a debt ratio above their warning line in every year.",
            lead,
            if lead.is_empty() { "All" } else { "all" }
        ),
        (Lang::En, false) => format!(
            "{}{} of {n} zones reach a 10% or higher probability of a debt ratio above their warning line in some year: {}{}.",
            lead,
            risky.len(),
            risky.join(", "),
            if risky.len() < n {
                "; the others stay under 10% in every year"
            } else {
                ""
            }
        ),
    }
}

/// The sweep in one paragraph: where every zone stays under 10% risk and what the city
/// keeps there.
pub fn sweep_paragraph(run: &RunDir, lang: Lang) -> Option<String> {
    let table = run.sweep.as_ref()?;
    if table.keys.is_empty() {
        return None;
    }
    // A two-key grid: both keys, both ranges, and a point by both its values.
    let what = table
        .keys
        .iter()
        .map(|k| key_label(k, lang))
        .collect::<Vec<_>>()
        .join(" × ");
    let range = (0..table.keys.len())
        .map(|k| {
            let (lo, hi) = table
                .points
                .iter()
                .filter_map(|p| p.values.get(k))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            format!("{} – {}", table.show(k, lo), table.show(k, hi))
        })
        .collect::<Vec<_>>()
        .join(" × ");

    let best_city = table
        .points
        .iter()
        .map(|p| p.city_retained_total_p50)
        .fold(f64::NEG_INFINITY, f64::max);
    Some(match (first_safe_point(&table.points), lang) {
        (Some(p), Lang::Zh) => format!(
            "扫描 {what}，取值 {range}：{} 时各开发区各年债务率超过预警线的概率均低于 10%（最高 {}），\
             这是满足该条件、市本级留存最多的取值，市本级累计留存中位数 {}，比扫描中的最高值少 {}。",
            table.point_label(p),
            percent(p.worst_p_debt_ratio_over_warning),
            money(p.city_retained_total_p50, lang),
            money(best_city - p.city_retained_total_p50, lang),
        ),
        (Some(p), Lang::En) => format!(
            "Sweeping {what} over {range}: at {} every zone's probability of a debt ratio above \
             its warning line stays under 10% in every year (at most {}). Of the points that do \
             so, it leaves the city the most: cumulative retained funds of {} (median), {} less \
             than the highest in the sweep.",
            table.point_label(p),
            percent(p.worst_p_debt_ratio_over_warning),
            money(p.city_retained_total_p50, lang),
            money(best_city - p.city_retained_total_p50, lang),
        ),
        (None, Lang::Zh) => format!(
            "扫描 {what}，取值 {range}：没有任何取值能使各开发区各年债务率超过预警线的概率都低于 10%。"
        ),
        (None, Lang::En) => format!(
            "Sweeping {what} over {range}: no point keeps every zone's probability of a debt \
             ratio above its warning line under 10% in every year."
        ),
    })
}
