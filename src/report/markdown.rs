//! briefing.md: the briefing as Markdown, with the charts linked from `charts/`, for
//! pasting into documents and wikis.

use std::fmt::Write;

use super::{Briefing, Table, text};

/// A table cell: no line breaks, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table; numbers (every column but the first) right-aligned if `numeric`.
fn table(out: &mut String, t: &Table, numeric: bool) {
    if !t.caption.is_empty() {
        let _ = writeln!(out, "**{}**\n", cell(&t.caption));
    }
    let header: Vec<String> = t.header.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let align: Vec<&str> = (0..header.len())
        .map(|i| if i == 0 || !numeric { ":---" } else { "---:" })
        .collect();
    let _ = writeln!(out, "| {} |", align.join(" | "));
    for row in &t.rows {
        let row: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

pub fn render(b: &Briefing) -> String {
    let lang = b.lang;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n\n{}\n", b.title, b.subtitle);
    let _ = writeln!(out, "## {}\n", text::FINDINGS.get(lang));
    for p in &b.overview {
        let _ = writeln!(out, "{p}\n");
    }
    for (zone, paragraph) in &b.findings {
        match paragraph.strip_prefix(zone.as_str()) {
            Some(rest) => {
                let _ = writeln!(out, "- **{zone}**{rest}");
            }
            None => {
                let _ = writeln!(out, "- {paragraph}");
            }
        }
    }
    let _ = writeln!(out, "\n## {}\n", text::CHARTS.get(lang));
    for c in &b.charts {
        let _ = writeln!(out, "![{}](charts/{}.png)\n", c.title, c.stem);
    }
    let _ = writeln!(out, "## {}\n", text::TABLES.get(lang));
    for t in &b.tables {
        table(&mut out, t, t.numeric);
    }
    let _ = writeln!(out, "## {}\n", text::PARAMS.get(lang));
    table(
        &mut out,
        &Table {
            caption: String::new(),
            header: vec![text::PARAM.get(lang).into(), text::VALUE.get(lang).into()],
            rows: b
                .params
                .iter()
                .map(|(k, v)| vec![k.clone(), format!("`{v}`")])
                .collect(),
            numeric: false,
        },
        false,
    );
    for n in &b.notes {
        let _ = writeln!(out, "{n}\n");
    }
    out
}
