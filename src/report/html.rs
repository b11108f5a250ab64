//! briefing.html: one file, charts inline as base64 PNG, no external resource, so it
//! opens offline and survives being e-mailed.

use std::fmt::Write;

use super::{Briefing, Table, text};

const STYLE: &str = r#"
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
       color: #212529; max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.7; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #4e79a7; padding-bottom: 0.2em; margin-top: 2em; }
.subtitle { color: #6c757d; margin-top: 0; }
.finding { margin: 0.8em 0; }
.finding b { color: #1d3f66; }
figure { margin: 1.5em 0; page-break-inside: avoid; }
figure img { width: 100%; border: 1px solid #dee2e6; }
figcaption { color: #6c757d; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.8em 0 1.6em; font-size: 0.92em; page-break-inside: avoid; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.4em; }
th, td { border: 1px solid #dee2e6; padding: 0.35em 0.7em; }
th { background: #f1f3f5; }
td { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child { text-align: left; }
table.params td, table.text td { text-align: left; word-break: break-word; }
.note { color: #6c757d; font-size: 0.88em; }
"#;

/// `s` safe inside HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn table(out: &mut String, t: &Table, class: &str) {
    let _ = write!(
        out,
        "<table class=\"{class}\"><caption>{}</caption>",
        escape(&t.caption)
    );
    if !t.header.is_empty() {
        out.push_str("<thead><tr>");
        for h in &t.header {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// The whole page.
pub fn render(b: &Briefing) -> String {
    let lang = b.lang;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(&b.title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&b.title));
    let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(&b.subtitle));

    let _ = writeln!(out, "<h2>{}</h2>", escape(text::FINDINGS.get(lang)));
    for p in &b.overview {
        let _ = writeln!(out, "<p class=\"finding\">{}</p>", escape(p));
    }
    for (zone, paragraph) in &b.findings {
        // The paragraph starts with the zone's name; set it in bold.
        let body = paragraph.strip_prefix(zone.as_str()).map_or_else(
            || escape(paragraph),
            |rest| format!("<b>{}</b>{}", escape(zone), escape(rest)),
        );
        let _ = writeln!(out, "<p class=\"finding\">{body}</p>");
    }

    let _ = writeln!(out, "<h2>{}</h2>", escape(text::CHARTS.get(lang)));
    for c in &b.charts {
        let _ = writeln!(
            out,
            "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\">\
             <figcaption>{} (charts/{}.png)</figcaption></figure>",
            escape(&c.title),
            base64(&c.png),
            escape(&c.title),
            escape(&c.stem)
        );
    }

    let _ = writeln!(out, "<h2>{}</h2>", escape(text::TABLES.get(lang)));
    for t in &b.tables {
        table(&mut out, t, if t.numeric { "data" } else { "text" });
    }

    let _ = writeln!(out, "<h2>{}</h2>", escape(text::PARAMS.get(lang)));
    let params = Table {
        caption: String::new(),
        header: vec![],
        rows: b
            .params
            .iter()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect(),
        numeric: false,
    };
    table(&mut out, &params, "params");
    for n in &b.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(n));
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }
}
