//! Batch columns that edit `projects.csv`: `projects.<id>.<column>` sets one project's
//! cell, `projects.*.<column>` every project's. This is how a batch asks "what if
//! projects land late" (DOMAIN.md §7, question 4): `projects.*.delay_probs` =
//! `0.2;0.4;0.4`, or `projects.*.p_land` = `0.5`.
//!
//! Edits are made on the file's text, before validation, so an edited project is
//! checked like any other; the variant's worlds are drawn from the same numbers
//! (common random numbers), so the comparison with the baseline stays paired.

/// Dotted keys that edit projects start with this.
pub const PREFIX: &str = "projects.";

/// Does `key` edit `projects.csv` (rather than `model.toml`)?
pub fn is_project_key(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// The optional column, which an edit may add to a file that lacks it.
const OPTIONAL_COLUMN: &str = "tax_intensity";

/// `csv` with every `(key, cell)` edit made, as text.
///
/// # Errors
/// Per edit that cannot be made: its index in `edits` and a message naming what is
/// wrong (a key not shaped `projects.<id>.<column>`, an unknown project or column, the
/// `id` column).
pub fn apply(csv: &str, edits: &[(&str, &str)]) -> Result<String, Vec<(usize, String)>> {
    if edits.is_empty() {
        return Ok(csv.to_string());
    }
    let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        // An unreadable file is reported by validation, with its row; left as it is.
        let Ok(record) = record else {
            return Ok(csv.to_string());
        };
        rows.push(record.iter().map(str::to_string).collect());
    }
    let Some((header, projects)) = rows.split_first_mut() else {
        return Ok(csv.to_string());
    };

    let mut errors = Vec::new();
    for (i, &(key, cell)) in edits.iter().enumerate() {
        let mut fail = |message: String| errors.push((i, message));
        let Some((id, column)) = key
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('.'))
            .filter(|(id, column)| !id.is_empty() && !column.is_empty() && !column.contains('.'))
        else {
            fail(format!(
                "`{key}` is not a project key like projects.<id>.<column> or projects.*.<column>"
            ));
            continue;
        };
        if column == "id" {
            fail("a project's id cannot vary: it names the project".to_string());
            continue;
        }
        let at = match header.iter().position(|h| h == column) {
            Some(at) => at,
            None if column == OPTIONAL_COLUMN => {
                header.push(column.to_string());
                projects.iter_mut().for_each(|p| p.push(String::new()));
                header.len() - 1
            }
            None => {
                fail(format!(
                    "projects.csv has no column `{column}` (columns: {})",
                    header.join(", ")
                ));
                continue;
            }
        };
        let Some(id_at) = header.iter().position(|h| h == "id") else {
            // No id column: validation names it.
            return Ok(csv.to_string());
        };
        let mut found = false;
        for project in projects.iter_mut() {
            if id == "*" || project.get(id_at).is_some_and(|p| p == id) {
                if let Some(slot) = project.get_mut(at) {
                    *slot = cell.to_string();
                }
                found = true;
            }
        }
        if !found {
            fail(format!("projects.csv has no project `{id}`"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        writer
            .write_record(row)
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = writer
        .into_inner()
        .expect("writing CSV to memory cannot fail");
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "id,zone,name,sector,investment,signed_year,build_years,p_land,delay_probs\n\
                       p1,a,一期,chem,100,2025,2,0.8,0.6;0.4\n\
                       p2,b,二期,chem,50,2026,1,0.9,1\n";

    #[test]
    fn one_project_or_every_project_is_edited() {
        let one = apply(CSV, &[("projects.p2.p_land", "0.5")]).unwrap();
        assert!(
            one.contains("p1,a,一期,chem,100,2025,2,0.8,0.6;0.4\n"),
            "{one}"
        );
        assert!(one.contains("p2,b,二期,chem,50,2026,1,0.5,1\n"), "{one}");
        let all = apply(CSV, &[("projects.*.delay_probs", "0.2;0.4;0.4")]).unwrap();
        assert_eq!(all.matches(",0.2;0.4;0.4\n").count(), 2, "{all}");
        let added = apply(CSV, &[("projects.p1.tax_intensity", "0.1")]).unwrap();
        assert!(added.starts_with("id,zone,name,sector,investment,signed_year,build_years,p_land,delay_probs,tax_intensity\n"));
        assert!(
            added.contains("0.6;0.4,0.1\n") && added.contains(",1,\n"),
            "{added}"
        );
    }

    #[test]
    fn bad_edits_name_what_is_wrong() {
        let errors = apply(
            CSV,
            &[
                ("projects.p9.p_land", "0.5"),
                ("projects.p1.colour", "red"),
                ("projects.p1.id", "p7"),
                ("projects.p_land", "0.5"),
                ("projects.p1.p_land", "0.7"),
            ],
        )
        .unwrap_err();
        let messages: Vec<(usize, &str)> = errors.iter().map(|(i, m)| (*i, m.as_str())).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].1.contains("no project `p9`"));
        assert!(messages[1].1.contains("no column `colour`"));
        assert!(messages[2].1.contains("cannot vary"));
        assert_eq!(messages[3].0, 3);
        assert!(messages[3].1.contains("projects.<id>.<column>"));
    }
}
