//! Charts and the briefing: the files exist, are real pictures of the declared size, say
//! what they should in Chinese and English, and the CJK font really draws.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fencheng::chart::{self, Lang, RunDir};
use plotters::prelude::*;

fn fencheng() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fencheng"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture run directory copied into a temporary directory (charts are written into it).
fn fixture_copy(name: &str, tmp: &Path) -> PathBuf {
    let from = root().join("tests/fixtures/runs").join(name);
    let to = tmp.join(name);
    fs::create_dir_all(&to).unwrap();
    for entry in fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

const ZONES: [&str; 4] = ["coastal", "chem", "port", "newmat"];

/// Decode a PNG: (width, height, RGB bytes).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// A valid PNG of the declared size that is not blank: enough ink and colours.
fn assert_real_chart(path: &Path) {
    let (w, h, rgb) = decode_png(path);
    assert_eq!(
        (w, h),
        (chart::style::WIDTH, chart::style::HEIGHT),
        "{}",
        path.display()
    );
    let pixels: Vec<&[u8]> = rgb.chunks(3).collect();
    let inked = pixels.iter().filter(|p| p.iter().any(|&c| c < 200)).count();
    assert!(
        inked > pixels.len() / 100,
        "{} is almost blank ({inked} inked pixels)",
        path.display()
    );
    let mut colours: Vec<&[u8]> = pixels.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 20,
        "{} has {} colours",
        path.display(),
        colours.len()
    );
}

fn svg(dir: &Path, stem: &str) -> String {
    fs::read_to_string(dir.join("charts").join(format!("{stem}.svg"))).unwrap()
}

#[test]
fn the_cjk_font_loads_and_draws_real_glyphs() {
    let font = chart::glyphs::font().expect("the embedded font parses");
    use ab_glyph::Font;
    for ch in ['债', '务', '率', '开', '发', '区', '0', '%', 'A'] {
        assert_ne!(font.glyph_id(ch).0, 0, "no glyph for {ch}");
    }
    // 债 has ink, and is not the same shape as 务 (a missing glyph draws the same box).
    let ink = |ch: char| {
        let mut cells = vec![0u8; 64 * 64];
        chart::glyphs::rasterize(font, 48.0, &ch.to_string(), |x, y, c| {
            if (0..64).contains(&x) && (0..64).contains(&y) && c > 0.5 {
                cells[(y * 64 + x) as usize] = 1;
            }
        });
        cells
    };
    let (zhai, wu) = (ink('债'), ink('务'));
    let count = zhai.iter().filter(|&&c| c == 1).count();
    assert!(count > 200, "债 has {count} inked pixels");
    assert_ne!(zhai, wu);

    // Through plotters too: its registered font draws 债 (no system font is used).
    chart::fonts::ensure_registered().unwrap();
    let mut buf = vec![255u8; 120 * 80 * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (120, 80)).into_drawing_area();
        root.draw(&Text::new(
            "债",
            (10, 10),
            chart::style::font(48.0).color(&BLACK),
        ))
        .unwrap();
        root.present().unwrap();
    }
    let dark = buf.chunks(3).filter(|p| p[0] < 128).count();
    assert!(dark > 100, "plotters drew {dark} dark pixels for 债");
}

#[test]
fn a_demo_run_draws_its_charts_in_chinese_and_english() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    fencheng()
        .args(["run", "--paths", "2000", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("chart(s)"));
    let mut stems = vec!["risk_heatmap".to_string(), "retained_split".to_string()];
    for z in ZONES {
        stems.push(format!("received_fan_{z}"));
        stems.push(format!("debt_ratio_fan_{z}"));
    }
    for stem in &stems {
        assert_real_chart(&out.join("charts").join(format!("{stem}.png")));
        assert!(svg(&out, stem).starts_with("<svg"), "{stem}.svg");
    }
    assert!(svg(&out, "risk_heatmap").contains("债务率超过预警线的概率"));
    assert!(svg(&out, "retained_split").contains("各级留存财力（中位数）"));
    assert!(svg(&out, "retained_split").contains("东港区"));
    assert!(svg(&out, "debt_ratio_fan_newmat").contains("示范新材料产业开发区：债务率"));
    assert!(svg(&out, "debt_ratio_fan_newmat").contains("预警线 120%"));
    assert!(svg(&out, "received_fan_chem").contains("到位资金（万元）"));
    assert!(svg(&out, "received_fan_coastal").contains("2024 年基数分成"));

    fencheng()
        .args(["chart", "--lang", "en"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        svg(&out, "risk_heatmap")
            .contains("Probability that the debt ratio exceeds the warning line")
    );
    assert!(svg(&out, "retained_split").contains("Funds retained by each level (medians)"));
    assert!(svg(&out, "debt_ratio_fan_chem").contains("Warning line 120%"));
    assert!(svg(&out, "received_fan_chem").contains("Funds received (CNY m)"));
    assert_real_chart(&out.join("charts/risk_heatmap.png"));
}

#[test]
fn no_charts_skips_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    fencheng()
        .args(["run", "--paths", "200", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("summary.csv").is_file());
    assert!(!out.join("charts").exists());
}

#[test]
fn a_batch_draws_the_drafts_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("batch");
    fencheng()
        .arg("batch")
        .arg(root().join("scenarios/demo"))
        .arg(root().join("scenarios/demo/batch.csv"))
        .args(["--paths", "500", "--out"])
        .arg(&out)
        .assert()
        .success();
    fencheng().arg("chart").arg(&out).assert().success();
    for stem in [
        "variants",
        "variants_risk",
        "risk_heatmap",
        "retained_split",
    ] {
        assert_real_chart(&out.join("charts").join(format!("{stem}.png")));
    }
    assert!(svg(&out, "variants").contains("各方案 2025–2030 年累计财力对比"));
    assert!(svg(&out, "variants").contains("newmat_treasury"));
    assert!(svg(&out, "variants_risk").contains("各方案下债务率超过预警线的最高年度概率"));
}

#[test]
fn the_batch_and_sweep_fixtures_draw_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = fixture_copy("batch", tmp.path());
    let written = chart::draw_run(&batch, Lang::Zh).unwrap();
    // 2 comparison charts, the heat map and split of the baseline, 2 fans per zone.
    assert_eq!(written.len(), 2 * (2 + 2 + 2 * ZONES.len()));
    for p in written.iter().filter(|p| p.extension().unwrap() == "png") {
        assert_real_chart(p);
    }

    let sweep = fixture_copy("sweep", tmp.path());
    chart::draw_run(&sweep, Lang::Zh).unwrap();
    assert_real_chart(&sweep.join("charts/sweep_tradeoff.png"));
    let s = svg(&sweep, "sweep_tradeoff");
    assert!(s.contains("参数扫描：市本级财力与开发区债务风险"));
    // The fixture keeps every zone under 10% from a base share of 40% on.
    assert!(s.contains("均低于 10% 的首个点：40%"), "{s}");
    assert!(s.contains("基数分成比例·开发区 (policies.reform.base_shares.zone)"));
    chart::draw_run(&sweep, Lang::En).unwrap();
    let s = svg(&sweep, "sweep_tradeoff");
    assert!(s.contains("Sweep: the city"));
    assert!(s.contains("every zone stays under 10%"));
}

#[test]
fn run_directories_read_back() {
    let run = RunDir::read(&root().join("tests/fixtures/runs/batch")).unwrap();
    assert_eq!(run.meta.command, "batch");
    let ids: Vec<&str> = run.summaries.iter().map(|s| s.scenario.as_str()).collect();
    assert_eq!(ids, ["baseline", "treasury", "zone_share_80"]);
    assert_eq!(run.meta.zones().count(), 4);
    assert_eq!(run.meta.name_of("newmat"), "示范新材料产业开发区");
    assert_eq!(run.years(), (2025..=2030).collect::<Vec<_>>());
    assert_eq!(run.headline.len(), 3 * 6);
    assert!(
        run.compare
            .iter()
            .any(|c| c.delta_p_debt_ratio_over_warning.is_some())
    );
    assert_eq!(run.meta.variants.len(), 3);

    let sweep = RunDir::read(&root().join("tests/fixtures/runs/sweep")).unwrap();
    let table = sweep.sweep.unwrap();
    assert_eq!(table.keys, ["policies.reform.base_shares.zone"]);
    assert_eq!(table.points.len(), 6);
    assert_eq!(table.points[0].zone_worst.len(), 4);
}

#[test]
fn a_run_without_entity_names_falls_back_to_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture_copy("batch", tmp.path());
    let mut info: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    info.as_object_mut().unwrap().remove("entities");
    fs::write(dir.join("run.json"), info.to_string()).unwrap();
    let run = RunDir::read(&dir).unwrap();
    let zones: Vec<&str> = run.meta.zones().map(|z| z.name.as_str()).collect();
    assert_eq!(zones, ["coastal", "chem", "port", "newmat"]);
    assert!(run.meta.entity("dongqu").is_some());
    chart::draw_run(&dir, Lang::Zh).unwrap();
    assert!(svg(&dir, "risk_heatmap").contains("newmat"));
}

#[test]
fn a_directory_without_results_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fencheng()
        .arg("chart")
        .arg(tmp.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no summary.csv"));
}

/// The page without its inline images (base64 can spell anything).
fn text_of(html: &str) -> String {
    html.split("data:image/png;base64,")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once('"').map_or("", |(_, rest)| rest)
            }
        })
        .collect()
}

#[test]
fn the_briefing_has_a_finding_per_zone_and_no_broken_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    fencheng()
        .args(["run", "--paths", "2000", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    fencheng().arg("report").arg(&out).assert().success();
    let html = fs::read_to_string(out.join("briefing.html")).unwrap();
    let md = fs::read_to_string(out.join("briefing.md")).unwrap();
    let text = text_of(&html);
    for name in [
        "示范沿海产业基地",
        "示范精细化工产业开发区",
        "示范临港经济开发区",
        "示范新材料产业开发区",
    ] {
        assert!(
            text.contains(&format!("<p class=\"finding\"><b>{name}</b>")),
            "no finding for {name}"
        );
        assert!(
            md.contains(&format!("- **{name}**")),
            "no finding for {name} in md"
        );
    }
    assert!(text.contains("债务率超过 120% 的概率"));
    // §4.7's interest-ratio warning line, once per zone.
    assert_eq!(text.matches("利息支出率的 90% 分位数").count(), 4);
    assert!(text.contains("10% 的预警线"));
    assert!(text.contains("随机种子") && text.contains("20240101"));
    for bad in ["NaN", "inf", "undefined"] {
        assert!(!text.contains(bad), "briefing.html contains {bad}");
        assert!(!md.contains(bad), "briefing.md contains {bad}");
    }
    // Self-contained: every image inline, nothing fetched.
    assert_eq!(html.matches("<img ").count(), 10);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 10);
    assert!(!html.contains("http://") && !html.contains("https://"));
    // The Markdown links the charts the report drew.
    assert!(md.contains("](charts/risk_heatmap.png)"));
    assert!(out.join("charts/risk_heatmap.png").is_file());
}

#[test]
fn the_briefing_of_a_batch_compares_drafts_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture_copy("batch", tmp.path());
    fencheng().arg("report").arg(&dir).assert().success();
    let md = fs::read_to_string(dir.join("briefing.md")).unwrap();
    assert!(
        md.contains("方案 treasury 下，示范精细化工产业开发区 2025 年债务率超过 120% 的概率为")
    );
    assert!(md.contains("各方案设定"));
    assert!(md.contains("配对差异"));
    fencheng()
        .args(["report", "--lang", "en"])
        .arg(&dir)
        .assert()
        .success();
    let md = fs::read_to_string(dir.join("briefing.md")).unwrap();
    assert!(md.contains("## Findings"));
    assert!(
        md.contains("Under draft treasury, the probability that chem's debt ratio exceeds 120%")
    );
    for bad in ["NaN", "inf"] {
        assert!(!md.contains(bad), "briefing.md contains {bad}");
    }
    let html = fs::read_to_string(dir.join("briefing.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
}

#[test]
fn a_two_key_sweep_is_described_by_both_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    fencheng()
        .arg("sweep")
        .arg(root().join("scenarios/demo"))
        .args([
            "--vary",
            "policies.reform.increment_shares.zone=0.6:0.7:0.1",
            "--vary",
            "policies.reform.land_return=0.8:1.0:0.2",
            "--paths",
            "200",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    fencheng().arg("report").arg(&out).assert().success();
    let md = fs::read_to_string(out.join("briefing.md")).unwrap();
    assert!(
        md.contains(
            "增量分成比例·开发区 (policies.reform.increment_shares.zone) × 土地收益返还比例"
        ),
        "{md}"
    );
    assert!(md.contains("取值 60% – 70% × 80% – 100%"), "{md}");
    // The per-zone charts show the first grid point, and say so.
    let s = svg(&out, "debt_ratio_fan_newmat");
    assert!(s.contains("基准方案 increment_shares.zone=0.60,reform.land_return=0.80"));
    // The drafts are named by their values.
    assert!(svg(&out, "variants_risk").contains("60% · 80% (基准)"));
}
