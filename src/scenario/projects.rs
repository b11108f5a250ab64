//! `projects.csv`: the investment pipeline (招商引资项目).
//!
//! Columns `id, zone, name, sector, investment, signed_year, build_years, p_land,
//! delay_probs` and optional `tax_intensity`, in any order. Cells are trimmed; an empty
//! `tax_intensity` means the sector's; `delay_probs` is `P(delay=0);P(delay=1);…`.
//! Problems name the 1-based data row (the header is not counted), its line in the file,
//! the project's id when it has one, and the column.

use super::check::{Checker, num};
use super::model::{Project, Year};
use super::raw::{PROJECT_COLUMNS, REQUIRED_PROJECT_COLUMNS};
use super::validate::Ids;

/// What the rows are checked against.
#[derive(Debug)]
pub struct Context<'a> {
    pub base_year: Year,
    pub zones: Ids<'a>,
    pub sectors: Ids<'a>,
}

/// Column indices of the header.
struct Columns {
    /// By [`PROJECT_COLUMNS`] entry: its position in the file.
    index: [Option<usize>; PROJECT_COLUMNS.len()],
    /// Cells a row must have.
    count: usize,
}

impl Columns {
    fn of(&self, name: &str) -> Option<usize> {
        PROJECT_COLUMNS
            .iter()
            .position(|column| *column == name)
            .and_then(|k| self.index[k])
    }
}

/// Parses and validates the rows; problems go to `c` (whose file is `projects.csv`).
pub fn parse(c: &mut Checker, text: &str, ctx: &Context) -> Vec<Project> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let Some(columns) = header(c, &mut reader) else {
        return Vec::new();
    };

    let mut projects: Vec<Project> = Vec::new();
    let mut first_row_of: Vec<(String, String)> = Vec::new();
    let mut lines = Lines {
        bytes: text.as_bytes(),
        line: 1,
        counted: 0,
    };
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                c.push(format!("row {row}"), format!("unreadable: {e}"));
                continue;
            }
        };
        // The line too: a spreadsheet numbers the header row 1, so its row 3 is data
        // row 2. The id, when there is one, finds the project in any editor.
        let line = lines.of(&record);
        // Read by name, so a short row still gives its id (absent cells read empty).
        let cells = Row {
            record: &record,
            columns: &columns,
        };
        let id = cells.get("id");
        let place = match id {
            "" => format!("row {row} (line {line})"),
            id => format!("row {row} (line {line}, project {id})"),
        };
        if record.len() != columns.count {
            c.push(
                place,
                format!(
                    "{} cells, expected {} (one per column of the header)",
                    record.len(),
                    columns.count
                ),
            );
            continue;
        }
        if let Some((_, first)) = first_row_of.iter().find(|(known, _)| known == id) {
            c.push(
                format!("{place}, column id"),
                format!("project `{id}` is already defined in {first}"),
            );
        } else if !id.is_empty() {
            first_row_of.push((id.to_string(), format!("row {row} (line {line})")));
        }
        if let Some(p) = project(c, &place, &cells, ctx) {
            projects.push(p);
        }
    }
    projects
}

/// The file's lines, counted up to each record as the reader goes.
struct Lines<'t> {
    bytes: &'t [u8],
    /// The line of byte `counted`.
    line: usize,
    counted: usize,
}

impl Lines<'_> {
    /// The line `record` starts on: counted to its byte offset and past the blank lines
    /// the reader skips there (its own line count leaves those out).
    fn of(&mut self, record: &csv::StringRecord) -> usize {
        let mut start = record
            .position()
            .map_or(self.bytes.len(), |p| p.byte() as usize)
            .clamp(self.counted, self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        let skipped = &self.bytes[self.counted..start];
        self.line += skipped.iter().filter(|&&b| b == b'\n').count();
        self.counted = start;
        self.line
    }
}

/// The cells of one data row, by column name (absent optional column: empty).
struct Row<'r> {
    record: &'r csv::StringRecord,
    columns: &'r Columns,
}

impl<'r> Row<'r> {
    fn get(&self, name: &str) -> &'r str {
        self.columns
            .of(name)
            .and_then(|k| self.record.get(k))
            .unwrap_or("")
    }
}

fn header(c: &mut Checker, reader: &mut csv::Reader<&[u8]>) -> Option<Columns> {
    let expected = || {
        format!(
            "expected the columns {}, and optionally {}",
            REQUIRED_PROJECT_COLUMNS.join(", "),
            PROJECT_COLUMNS[REQUIRED_PROJECT_COLUMNS.len()..].join(", ")
        )
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            c.push("header", format!("unreadable: {e}"));
            return None;
        }
    };
    if headers.iter().all(str::is_empty) {
        c.push("header", format!("empty, {}", expected()));
        return None;
    }
    let mut columns = Columns {
        index: [None; PROJECT_COLUMNS.len()],
        count: headers.len(),
    };
    let mut ok = true;
    for (i, name) in headers.iter().enumerate() {
        match PROJECT_COLUMNS.iter().position(|column| *column == name) {
            Some(k) if columns.index[k].is_some() => {
                c.push("header", format!("column `{name}` appears twice"));
                ok = false;
            }
            Some(k) => columns.index[k] = Some(i),
            None => {
                let what = if name.is_empty() {
                    "a column without a name (a trailing comma?)".to_string()
                } else {
                    format!("unknown column `{name}`")
                };
                c.push(
                    format!("header, column {}", i + 1),
                    format!("{what}; {}", expected()),
                );
                ok = false;
            }
        }
    }
    let missing: Vec<String> = REQUIRED_PROJECT_COLUMNS
        .iter()
        .filter(|name| columns.of(name).is_none())
        .map(|name| format!("`{name}`"))
        .collect();
    if !missing.is_empty() {
        let s = if missing.len() == 1 { "" } else { "s" };
        c.push(
            "header",
            format!("missing column{s} {}; {}", missing.join(", "), expected()),
        );
        ok = false;
    }
    ok.then_some(columns)
}

/// One row; `None` when a cell is so broken that no project can be built.
fn project(c: &mut Checker, place: &str, cells: &Row, ctx: &Context) -> Option<Project> {
    let cell = |name: &str| cells.get(name);
    let at = |column: &str| format!("{place}, column {column}");

    let id = cell("id").to_string();
    if id.is_empty() {
        c.push(at("id"), "empty, expected a project id");
    }
    let zone = ctx.zones.resolve(c, &at("zone"), cell("zone"));
    let sector = ctx.sectors.resolve(c, &at("sector"), cell("sector"));
    let name = match cell("name") {
        "" => id.clone(),
        name => name.to_string(),
    };

    let investment = number(
        c,
        &at("investment"),
        cell("investment"),
        "an amount (万元) ≥ 0",
    )
    .map(|x| c.money(&at("investment"), x));
    let signed_year = number(
        c,
        &at("signed_year"),
        cell("signed_year"),
        "a year such as 2025",
    )
    .and_then(|x| c.checked(|c| c.year(&at("signed_year"), x)));
    let build_years = number(
        c,
        &at("build_years"),
        cell("build_years"),
        "whole years ≥ 0",
    )
    .and_then(|x| c.checked(|c| c.count(&at("build_years"), x, 0, "years")));
    let p_land = number(
        c,
        &at("p_land"),
        cell("p_land"),
        "a probability between 0 and 1",
    )
    .map(|x| c.probability(&at("p_land"), x));
    let delay_probs = delay_probs(c, &at("delay_probs"), cell("delay_probs"));
    let tax_intensity = match cell("tax_intensity") {
        "" => None,
        text => number(c, &at("tax_intensity"), text, "an intensity ≥ 0, or empty").map(|x| {
            c.at_least(
                &at("tax_intensity"),
                x,
                0.0,
                "an intensity ≥ 0, or empty for the sector's",
            )
        }),
    };

    if let (Some(signed), Some(build)) = (signed_year, build_years) {
        let start = i64::from(signed) + i64::from(build);
        if start <= i64::from(ctx.base_year) {
            c.push(
                at("signed_year"),
                format!(
                    "signed_year {signed} + build_years {build} = {start}: production would start \
                     in or before the base year {}, so its tax is already inside base_revenue; \
                     expected production to start after {}",
                    ctx.base_year, ctx.base_year
                ),
            );
        }
    }

    Some(Project {
        id,
        zone: zone?,
        name,
        sector: sector?,
        investment: investment?,
        signed_year: signed_year?,
        build_years: build_years?,
        p_land: p_land?,
        delay_probs: delay_probs?,
        tax_intensity,
    })
}

/// A number cell; range checks are the caller's.
fn number(c: &mut Checker, location: &str, text: &str, expected: &str) -> Option<f64> {
    if text.is_empty() {
        c.push(location, format!("empty, expected {expected}"));
        return None;
    }
    match text.parse::<f64>() {
        Ok(x) => Some(x),
        Err(_) => {
            c.push(
                location,
                format!("`{text}` is not a number, expected {expected}"),
            );
            None
        }
    }
}

/// `0.6;0.3;0.1`: P(delay = 0), P(delay = 1), … summing to 1.
fn delay_probs(c: &mut Checker, location: &str, text: &str) -> Option<Vec<f64>> {
    const FORMAT: &str = "probabilities of a delay of 0, 1, 2… years separated by `;`, such as \
                          0.6;0.3;0.1";
    if text.is_empty() {
        c.push(location, format!("empty, expected {FORMAT}"));
        return None;
    }
    let mut probs = Vec::new();
    let mut ok = true;
    for (i, part) in text.split(';').enumerate() {
        let part = part.trim();
        let x = match part.parse::<f64>() {
            Ok(x) => x,
            Err(_) => {
                let what = if part.is_empty() {
                    "is empty".to_string()
                } else {
                    format!("`{part}` is not a number")
                };
                c.push(
                    location,
                    format!("`{text}`: entry {} {what}, expected {FORMAT}", i + 1),
                );
                ok = false;
                continue;
            }
        };
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            c.push(
                location,
                format!(
                    "`{text}`: entry {} is {}, expected a probability between 0 and 1",
                    i + 1,
                    num(x)
                ),
            );
            ok = false;
        }
        probs.push(x);
    }
    if !ok {
        return None;
    }
    let sum: f64 = probs.iter().sum();
    if (sum - 1.0).abs() > super::check::SUM_TOLERANCE {
        c.push(
            location,
            format!("`{text}`: sum to {}, expected 1", num(sum)),
        );
        return None;
    }
    Some(probs)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn run(text: &str) -> (Vec<Project>, Vec<String>) {
        let mut c = Checker::new(Path::new("p.csv"));
        let ctx = Context {
            base_year: 2024,
            zones: Ids::new("zone", ["a", "b"]),
            sectors: Ids::new("sector", ["chem"]),
        };
        let out = parse(&mut c, text, &ctx);
        (
            out,
            c.into_problems()
                .into_iter()
                .map(|p| p.to_string())
                .collect(),
        )
    }

    const HEADER: &str =
        "id,zone,name,sector,investment,signed_year,build_years,p_land,delay_probs";

    #[test]
    fn parses_rows_with_defaults() {
        let text = format!(
            "\u{feff}{HEADER},tax_intensity\n p1 , b , 一号 , chem , 1000 , 2025 , 1 , 0.8 , 0.6; 0.3 ;0.1 , \n\
             p2,a,,chem,50.5,2024,1,1,1,0.07\n"
        );
        let (p, problems) = run(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].id, "p1");
        assert_eq!(p[0].zone, 1);
        assert_eq!(p[0].name, "一号");
        assert_eq!(p[0].investment, 1000.0);
        assert_eq!(p[0].signed_year, 2025);
        assert_eq!(p[0].build_years, 1);
        assert_eq!(p[0].delay_probs, [0.6, 0.3, 0.1]);
        assert_eq!(p[0].tax_intensity, None);
        assert_eq!(p[1].name, "p2");
        assert_eq!(p[1].tax_intensity, Some(0.07));
    }

    #[test]
    fn header_only_and_column_order() {
        let (p, problems) = run(&format!("{HEADER}\n"));
        assert!(p.is_empty() && problems.is_empty(), "{problems:?}");
        let (p, problems) = run(
            "delay_probs,p_land,build_years,signed_year,investment,sector,name,zone,id\n1,1,0,2025,5,chem,n,a,x\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p[0].id, "x");
        assert_eq!(p[0].signed_year, 2025);
    }

    #[test]
    fn header_problems() {
        let (_, problems) =
            run("id,zone,name,sector,investment,signed_year,build_years,p_lnd,delay_probs\n");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("p.csv: header, column 8: unknown column `p_lnd`"));
        assert!(problems[1].starts_with("p.csv: header: missing column `p_land`"));
        let (_, problems) = run("");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("p.csv: header: empty, expected the columns id, zone"));
        let (_, problems) = run("id,zone,name,sector,investment,signed_year,build_years\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("p.csv: header: missing columns `p_land`, `delay_probs`;"));
    }

    #[test]
    fn cell_problems() {
        let text = format!(
            "{HEADER}\n\
             p1,zz,n,chem,abc,2025,1,1.5,1\n\
             p1,a,n,steel,-3,2023,1,1,0.5;0.4\n\
             \n\
             p3,a,n,chem,1,2025,0.5,1,0.5;;0.5\n\
             p4,a,n,chem,1\n\
             ,a,n,chem,1,2025,1,1,1\n"
        );
        let (_, problems) = run(&text);
        // The blank line is skipped: data row 3 is on line 5.
        let expected = [
            "p.csv: row 1 (line 2, project p1), column zone: unknown zone `zz` (known: a, b)",
            "p.csv: row 1 (line 2, project p1), column investment: `abc` is not a number, expected an amount (万元) ≥ 0",
            "p.csv: row 1 (line 2, project p1), column p_land: 1.5, expected a probability between 0 and 1",
            "p.csv: row 2 (line 3, project p1), column id: project `p1` is already defined in row 1 (line 2)",
            "p.csv: row 2 (line 3, project p1), column sector: unknown sector `steel` (known: chem)",
            "p.csv: row 2 (line 3, project p1), column investment: -3, expected an amount (万元) ≥ 0",
            "p.csv: row 2 (line 3, project p1), column delay_probs: `0.5;0.4`: sum to 0.9, expected 1",
            "p.csv: row 2 (line 3, project p1), column signed_year: signed_year 2023 + build_years 1 = 2024",
            "p.csv: row 3 (line 5, project p3), column build_years: 0.5, expected a whole number of years ≥ 0 (at most 100)",
            "p.csv: row 3 (line 5, project p3), column delay_probs: `0.5;;0.5`: entry 2 is empty",
            "p.csv: row 4 (line 6, project p4): 5 cells, expected 9",
            "p.csv: row 5 (line 7), column id: empty, expected a project id",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (got, want) in problems.iter().zip(expected) {
            assert!(
                got.starts_with(want),
                "{got}\n  does not start with\n{want}"
            );
        }
    }
}
