//! Sizes, colours, money units and number formats shared by every chart.
//!
//! Charts go into briefings (汇报材料) and onto projector screens: 1600×1000 pixels,
//! titles about 40 px, axis labels about 26 px, a muted palette, and the traffic-light
//! colours reserved for debt-risk tiers.

use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

use super::fonts::FAMILY;
use super::labels::{self, Lang};

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 1000;

pub const TITLE_PX: f64 = 40.0;
pub const LABEL_PX: f64 = 26.0;
pub const TICK_PX: f64 = 24.0;
pub const LEGEND_PX: f64 = 24.0;
pub const NOTE_PX: f64 = 20.0;
/// Numbers printed inside heat-map cells and bars.
pub const CELL_PX: f64 = 26.0;

pub const TEXT: RGBColor = RGBColor(33, 37, 41);
pub const MUTED_TEXT: RGBColor = RGBColor(108, 117, 125);
pub const GRID: RGBColor = RGBColor(222, 226, 230);

/// Fan charts: the bands and the median line.
pub const FAN: RGBColor = RGBColor(49, 104, 160);
pub const BASE_LINE: RGBColor = RGBColor(120, 120, 120);

/// Risk tiers (DOMAIN.md §4.7): green < 1.2 ≤ yellow < 2.0 ≤ orange < 3.0 ≤ red.
pub const TIER_GREEN: RGBColor = RGBColor(76, 154, 92);
pub const TIER_YELLOW: RGBColor = RGBColor(230, 190, 50);
pub const TIER_ORANGE: RGBColor = RGBColor(232, 128, 40);
pub const TIER_RED: RGBColor = RGBColor(200, 50, 45);
/// The lower edge of the yellow, orange and red tiers.
pub const TIER_EDGES: [f64; 3] = [1.2, 2.0, 3.0];

/// Levels of government in the retained-funds chart: greys for the centre and the
/// province, blue for the city, greens for counties, warm tones for zones.
pub const CENTRAL: RGBColor = RGBColor(150, 150, 150);
pub const PROVINCE: RGBColor = RGBColor(196, 196, 196);
pub const CITY: RGBColor = RGBColor(78, 121, 167);
pub const COUNTIES: [RGBColor; 4] = [
    RGBColor(89, 161, 79),
    RGBColor(140, 196, 125),
    RGBColor(118, 183, 178),
    RGBColor(182, 153, 45),
];
pub const ZONES: [RGBColor; 6] = [
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(237, 201, 72),
];
/// A general muted palette (variants, series).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(176, 122, 161),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

pub fn font(px: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), px, FontStyle::Normal)
}

pub fn text(px: f64) -> TextStyle<'static> {
    font(px).color(&TEXT)
}

pub fn bold(px: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), px, FontStyle::Bold).color(&TEXT)
}

/// Blend `c` towards white: `t` = 0 keeps it, 1 gives white.
pub fn lighten(c: RGBColor, t: f64) -> RGBColor {
    let mix = |a: u8| (a as f64 + (255.0 - a as f64) * t).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// Black or white text, whichever reads better on `background`.
pub fn text_on(background: RGBColor) -> RGBColor {
    let luminance =
        0.299 * background.0 as f64 + 0.587 * background.1 as f64 + 0.114 * background.2 as f64;
    if luminance > 150.0 {
        TEXT
    } else {
        RGBColor(255, 255, 255)
    }
}

/// The sequential scale of the risk heat map: pale for 0, deep red for 1.
pub fn risk_colour(p: f64) -> RGBColor {
    const STOPS: [(f64, RGBColor); 5] = [
        (0.0, RGBColor(247, 247, 247)),
        (0.1, RGBColor(253, 219, 160)),
        (0.3, RGBColor(245, 150, 85)),
        (0.6, RGBColor(210, 60, 40)),
        (1.0, RGBColor(128, 0, 20)),
    ];
    let p = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    };
    for w in STOPS.windows(2) {
        let ((p0, c0), (p1, c1)) = (w[0], w[1]);
        if p <= p1 {
            let t = (p - p0) / (p1 - p0);
            let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
            return RGBColor(mix(c0.0, c1.0), mix(c0.1, c1.1), mix(c0.2, c1.2));
        }
    }
    STOPS[STOPS.len() - 1].1
}

/// The unit of money on a chart: 万元 as stored, or 亿元 (= 10,000 万元) for large
/// numbers; in English CNY million (100 万元) or billion. A chart picks one, by its
/// largest amount, for its axis and for every amount in its text (see [`Self::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    Wan,
    Yi,
}

impl MoneyUnit {
    /// 亿元 (CNY bn) when the largest magnitude shown reaches 1e5 万元 (10 亿元).
    pub fn for_max(max_abs_wan: f64) -> Self {
        if max_abs_wan.is_finite() && max_abs_wan >= 1e5 {
            MoneyUnit::Yi
        } else {
            MoneyUnit::Wan
        }
    }

    /// 万元 per unit shown.
    pub fn factor(self, lang: Lang) -> f64 {
        match (lang, self) {
            (Lang::Zh, MoneyUnit::Wan) => 1.0,
            (Lang::Zh, MoneyUnit::Yi) => 1e4,
            (Lang::En, MoneyUnit::Wan) => 100.0,
            (Lang::En, MoneyUnit::Yi) => 1e5,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            MoneyUnit::Wan => labels::UNIT_WAN.get(lang),
            MoneyUnit::Yi => labels::UNIT_YI.get(lang),
        }
    }

    /// A value in 万元 shown in this unit, without it: "37,288", "3.73", "373".
    pub fn show(self, wan: f64, lang: Lang) -> String {
        let v = wan / self.factor(lang);
        let a = v.abs();
        let decimals = match (lang, self) {
            (Lang::Zh, MoneyUnit::Wan) => 0,
            (Lang::En, MoneyUnit::Wan) if a >= 100.0 => 0,
            (Lang::En, MoneyUnit::Wan) if a >= 1.0 => 1,
            (Lang::En, MoneyUnit::Wan) => 2,
            (_, MoneyUnit::Yi) if a >= 1000.0 => 0,
            (_, MoneyUnit::Yi) if a >= 10.0 => 1,
            (_, MoneyUnit::Yi) => 2,
        };
        group_thousands(v, decimals)
    }

    /// Amounts written in this unit, with it: a chart's subtitle and legend say what
    /// its axis says.
    pub fn text(self, lang: Lang) -> TextMoney {
        TextMoney { lang, unit: self }
    }
}

/// How money is written in sentences and tables: 万元 or 亿元 in Chinese, CNY million or
/// billion in English, chosen by the largest amount to be written together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMoney {
    lang: Lang,
    unit: MoneyUnit,
}

impl TextMoney {
    pub fn for_max(max_abs_wan: f64, lang: Lang) -> Self {
        MoneyUnit::for_max(max_abs_wan).text(lang)
    }

    fn number(self, wan: f64) -> String {
        self.unit.show(wan, self.lang)
    }

    /// "37,288 万元", "CNY 373 m".
    pub fn one(self, wan: f64) -> String {
        self.wrap(self.number(wan))
    }

    /// "7.54 – 11.7 亿元", "CNY 754 – 1,170 m".
    pub fn range(self, lo_wan: f64, hi_wan: f64) -> String {
        self.wrap(format!("{} – {}", self.number(lo_wan), self.number(hi_wan)))
    }

    fn wrap(self, n: String) -> String {
        match (self.lang, self.unit) {
            (Lang::Zh, MoneyUnit::Wan) => format!("{n} 万元"),
            (Lang::Zh, MoneyUnit::Yi) => format!("{n} 亿元"),
            (Lang::En, MoneyUnit::Wan) => format!("CNY {n} m"),
            (Lang::En, MoneyUnit::Yi) => format!("CNY {n} bn"),
        }
    }
}

/// A money amount in 万元 written with the unit that suits it: "37,288 万元", "9.47 亿元".
pub fn money(wan: f64, lang: Lang) -> String {
    TextMoney::for_max(wan.abs(), lang).one(wan)
}

/// `v` with `decimals` decimals and a comma every three digits.
pub fn group_thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    // "-0" is just 0.
    let negative = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A probability as a percentage: "15.7%", "0%", "100%".
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    let v = 100.0 * p;
    if v == 0.0 || (v - 100.0).abs() < 1e-9 {
        format!("{v:.0}%")
    } else if v < 0.1 {
        "<0.1%".into()
    } else {
        format!("{v:.1}%")
    }
}

/// A nice upper bound for an axis holding values up to `max` (1, 2, 2.5, 5 × 10^k).
pub fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [
        1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0,
    ] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_units_follow_magnitude() {
        assert_eq!(MoneyUnit::for_max(99_999.0), MoneyUnit::Wan);
        assert_eq!(MoneyUnit::for_max(100_000.0), MoneyUnit::Yi);
        assert_eq!(money(37_288.0, Lang::Zh), "37,288 万元");
        assert_eq!(money(94_672.0, Lang::Zh), "94,672 万元");
        assert_eq!(money(1_234_567.0, Lang::Zh), "123.5 亿元");
        assert_eq!(money(123_456.0, Lang::En), "CNY 1.23 bn");
        assert_eq!(money(37_288.0, Lang::En), "CNY 373 m");
        assert_eq!(money(512.0, Lang::En), "CNY 5.1 m");
        assert_eq!(
            MoneyUnit::Yi.text(Lang::En).range(75_408.0, 117_000.0),
            "CNY 0.75 – 1.17 bn"
        );
        assert_eq!(money(1e5 - 1.0, Lang::Zh), "99,999 万元");
        assert_eq!(group_thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(
            MoneyUnit::Yi.text(Lang::Zh).range(75_408.0, 117_000.0),
            "7.54 – 11.7 亿元"
        );
        // A chart's text follows its axis' unit, whatever the amount's own size.
        assert_eq!(MoneyUnit::Yi.text(Lang::Zh).one(30_786.0), "3.08 亿元");
        assert_eq!(MoneyUnit::Wan.text(Lang::Zh).one(123_456.0), "123,456 万元");
        assert_eq!(MoneyUnit::Wan.show(37_288.0, Lang::En), "373");
        assert_eq!(MoneyUnit::Yi.show(123_456.0, Lang::En), "1.23");
        assert_eq!(group_thousands(-0.0001, 0), "0");
    }

    #[test]
    fn percentages_and_axis_ceilings() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.1567), "15.7%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert!((nice_ceiling(94_672.0) - 100_000.0).abs() < 1e-6);
        assert!((nice_ceiling(0.37) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn risk_colours_darken_with_probability() {
        let sum = |c: RGBColor| c.0 as u32 + c.1 as u32 + c.2 as u32;
        assert!(sum(risk_colour(0.0)) > sum(risk_colour(0.2)));
        assert!(sum(risk_colour(0.2)) > sum(risk_colour(0.9)));
        assert_eq!(text_on(risk_colour(0.0)), TEXT);
        assert_eq!(text_on(risk_colour(1.0)), RGBColor(255, 255, 255));
    }
}
