//! Every word a chart or the briefing shows, in Chinese (the default) and English.
//!
//! One table: each [`Label`] holds both languages, with `{name}` placeholders that
//! [`Label::fill`] replaces. A test checks that both languages of every label exist and
//! use the same placeholders.

/// The language of charts and the briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

impl Lang {
    /// `zh` or `en`, as on the command line and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// One piece of text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Label {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    /// The text with each `{key}` replaced by its value.
    pub fn fill(&self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut s = self.get(lang).to_string();
        for (key, value) in args {
            s = s.replace(&format!("{{{key}}}"), value);
        }
        s
    }
}

macro_rules! labels {
    ($($name:ident = $zh:literal, $en:literal;)*) => {
        $(pub const $name: $crate::chart::labels::Label =
            $crate::chart::labels::Label { zh: $zh, en: $en };)*
        /// Every label, for the completeness test.
        pub const ALL: &[(&str, $crate::chart::labels::Label)] =
            &[$((stringify!($name), $name)),*];
    };
}
/// Other modules (the briefing) declare their own tables with it.
pub(crate) use labels;

labels! {
    // Units and axes.
    YEAR = "年份", "Year";
    UNIT_WAN = "万元", "CNY m";
    UNIT_YI = "亿元", "CNY bn";
    PERCENT = "%", "%";
    COLON = "：", ": ";

    // Levels of government.
    CENTRAL = "中央", "Central";
    PROVINCE = "省级", "Province";
    CITY = "市本级", "City";

    // Fan charts.
    BAND_90 = "90% 区间（p5–p95）", "90% range (p5–p95)";
    BAND_50 = "50% 区间（p25–p75）", "50% range (p25–p75)";
    MEDIAN = "中位数", "Median";
    RECEIVED_TITLE = "{zone}：到位分成资金", "{zone}: shared revenue received";
    RECEIVED_Y = "到位资金（{unit}）", "Funds received ({unit})";
    RECEIVED_SUB = "{year} 年中位数 {p50}，90% 区间 {range}",
        "{year}: median {p50}, 90% range {range}";
    BASE_RECEIVED = "{year} 年基数分成", "{year} base allocation";
    BASE_POOL = "{year} 基数（地方留成）", "{year} base (local pool)";
    DEBT_TITLE = "{zone}：债务率", "{zone}: debt ratio";
    DEBT_Y = "债务率（%）", "Debt ratio (%)";
    WARNING_LINE = "预警线 {pct}", "Warning line {pct}";
    TIER_GREEN = "绿色 <120%", "Green <120%";
    TIER_YELLOW = "黄色 120–200%", "Yellow 120–200%";
    TIER_ORANGE = "橙色 200–300%", "Orange 200–300%";
    TIER_RED = "红色 ≥300%", "Red ≥300%";
    DEBT_SUB = "债务率超过 {pct} 的概率最高在 {year} 年：{p}",
        "Highest probability of a debt ratio above {pct}: {p} in {year}";
    DEBT_SUB_NONE = "债务率各年超过 {pct} 的概率均低于 0.1%",
        "The probability of a debt ratio above {pct} stays below 0.1% in every year";
    CLIPPED = "高于 {max} 的部分截断显示", "values above {max} are cut off";

    // Who retains the money.
    RETAINED_TITLE = "各级留存财力（中位数）", "Funds retained by each level (medians)";
    RETAINED_Y = "留存财力（{unit}）", "Funds retained ({unit})";

    // Risk heat map.
    HEATMAP_TITLE = "债务率超过预警线的概率", "Probability that the debt ratio exceeds the warning line";
    HEATMAP_VARIANTS_TITLE = "各方案下债务率超过预警线的最高年度概率",
        "Worst-year probability of a debt ratio above the warning line, by draft";
    HEATMAP_SUB = "预警线 {lines}；每格为该年债务率超过预警线的模拟路径占比",
        "Warning line {lines}; each cell is the share of simulated paths above it that year";
    HEATMAP_VARIANTS_SUB = "预警线 {lines}；每格为各年中的最高概率，括号内为该年份",
        "Warning line {lines}; each cell is the highest probability of any year, with that year";
    HEATMAP_SWEEP_ROWS = "{text}；各行为扫描取值：{keys}", "{text}; rows are the swept values: {keys}";
    HEATMAP_SCALE = "P(债务率 > 预警线)", "P(debt ratio > line)";

    // Batch and sweep.
    VARIANTS_TITLE = "各方案 {from}–{to} 年累计财力对比", "Cumulative funds {from}–{to} by draft";
    VARIANTS_Y = "累计财力（中位数，{unit}）", "Cumulative funds (median, {unit})";
    VARIANT_CITY = "市本级留存", "City retained";
    VARIANT_COUNTIES = "县区留存", "Counties retained";
    VARIANT_ZONES = "开发区留存（综合财力）", "Zones retained (inflow)";
    WHISKERS = "须线：90% 区间（p5–p95）", "Whiskers: 90% range (p5–p95)";
    BASELINE = "基准", "baseline";
    BASELINE_DRAFT = "基准方案 {id}", "baseline draft {id}";
    SWEEP_TITLE = "参数扫描：市本级财力与开发区债务风险",
        "Sweep: the city's funds against the zones' debt risk";
    SWEEP_Y_LEFT = "市本级累计留存（中位数，{unit}）", "City's cumulative retained funds (median, {unit})";
    SWEEP_Y_RIGHT = "最高年度 P(债务率 > 预警线)", "Worst-year P(debt ratio > line)";
    SWEEP_CITY = "市本级累计留存", "City retained (cumulative)";
    SWEEP_WORST = "各开发区最高风险", "Highest risk of any zone";
    SWEEP_RISK_LINE = "10% 风险线", "10% risk line";
    SWEEP_MARK = "各开发区各年 P(债务率 > 预警线) 均低于 10% 的首个点：{x}",
        "First point where every zone stays under 10% P(debt ratio > line) in every year: {x}";
    SWEEP_NO_MARK = "没有任何取值能使各开发区各年 P(债务率 > 预警线) 均低于 10%",
        "No point keeps every zone under 10% P(debt ratio > line) in every year";

    // Footer of every chart.
    SOURCE = "fencheng {version} · {paths} 次模拟 · 种子 {seed} · {scenario}",
        "fencheng {version} · {paths} paths · seed {seed} · {scenario}";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(k, _)| k))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_label_exists_in_both_languages_with_the_same_placeholders() {
        for (name, label) in ALL {
            assert!(!label.zh.is_empty() && !label.en.is_empty(), "{name}");
            assert_eq!(placeholders(label.zh), placeholders(label.en), "{name}");
        }
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            RECEIVED_TITLE.fill(Lang::Zh, &[("zone", "辽滨")]),
            "辽滨：到位分成资金"
        );
        assert_eq!(
            WARNING_LINE.fill(Lang::En, &[("pct", "120%")]),
            "Warning line 120%"
        );
    }
}
