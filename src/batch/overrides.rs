//! Dotted-key overrides on a parsed `model.toml` (before validation).
//!
//! `policies.reform.increment_shares.zone` walks tables by key; an array of tables
//! (`[[zones]]`, `[[taxes]]`) is addressed by its entries' `id`:
//! `zones.liaobin.debt.limit`. A cell's text is read as a TOML value and given the type
//! of the value it replaces (a number where a number was, a string where a string was).
//! A key that is absent from the file may be set (optional keys have defaults); the
//! scenario's validation then rejects keys that do not exist.

use toml::{Table, Value};

/// Members of a share group: setting some rescales the others (see [`rescale_groups`]).
const SHARE_GROUP_MEMBERS: [&str; 3] = ["city", "county", "zone"];

/// Set `key` to the value written in `cell`.
///
/// # Errors
/// A message naming what is wrong: a path that names nothing that can hold a value, or
/// a value of the wrong type.
pub fn apply(table: &mut Table, key: &str, cell: &str) -> Result<(), String> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{key}` is not a dotted key like policies.reform.land_return"
        ));
    }
    let (last, parents) = segments.split_last().expect("split of a non-empty key");
    let mut here = table;
    let mut i = 0;
    while i < parents.len() {
        let segment = parents[i];
        let walked = parents[..=i].join(".");
        match here.get(segment) {
            Some(Value::Array(_)) => {
                let Some(&id) = parents.get(i + 1) else {
                    return Err(format!(
                        "`{walked}` is a list: name a key inside one entry, like {walked}.<id>.<key>"
                    ));
                };
                let Some(Value::Array(items)) = here.get_mut(segment) else {
                    unreachable!("just matched an array")
                };
                let known: Vec<String> = items.iter().filter_map(entry_id).collect();
                let Some(entry) = items
                    .iter_mut()
                    .find(|v| entry_id(v).as_deref() == Some(id))
                else {
                    return Err(format!(
                        "`{walked}.{id}`: no entry of {walked} has id `{id}` (known: {})",
                        known.join(", ")
                    ));
                };
                here = entry
                    .as_table_mut()
                    .ok_or_else(|| format!("`{walked}.{id}` is not a table"))?;
                i += 2;
            }
            Some(Value::Table(_)) | None => {
                // An absent table is created: validation names it if it does not exist.
                let Value::Table(t) = here
                    .entry(segment.to_string())
                    .or_insert_with(|| Value::Table(Table::new()))
                else {
                    unreachable!("a table or just inserted")
                };
                here = t;
                i += 1;
            }
            Some(other) => {
                return Err(format!(
                    "`{walked}` is a value ({}), not a table",
                    other.type_str()
                ));
            }
        }
    }
    let value = typed_value(here.get(*last), cell, key)?;
    here.insert((*last).to_string(), value);
    Ok(())
}

/// The value at `key` in `table`, if the file has one (entries of an array of tables
/// addressed by id, as in [`apply`]).
pub fn get<'t>(table: &'t Table, key: &str) -> Option<&'t Value> {
    let mut segments = key.split('.');
    let mut here = table.get(segments.next()?)?;
    while let Some(segment) = segments.next() {
        here = match here {
            Value::Table(t) => t.get(segment)?,
            Value::Array(items) => {
                let entry = items
                    .iter()
                    .find(|v| entry_id(v).as_deref() == Some(segment))?;
                entry.get(segments.next()?)?
            }
            _ => return None,
        };
    }
    Some(here)
}

fn entry_id(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

/// Read `cell` as a TOML value of the type of `current` (when there is one).
fn typed_value(current: Option<&Value>, cell: &str, key: &str) -> Result<Value, String> {
    let text = cell.trim();
    let parsed: Option<Value> = format!("v = {text}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"));
    match (current, parsed) {
        (Some(Value::String(_)), _) => Ok(Value::String(text.to_string())),
        (Some(Value::Float(_)), Some(Value::Integer(i))) => Ok(Value::Float(i as f64)),
        (
            Some(Value::Float(_) | Value::Integer(_)),
            Some(v @ (Value::Float(_) | Value::Integer(_))),
        ) => Ok(v),
        (Some(Value::Float(_) | Value::Integer(_)), _) => Err(format!(
            "`{key}` = `{text}` is not a number; expected a number like the base value {}",
            current.map(Value::to_string).unwrap_or_default()
        )),
        (Some(Value::Boolean(_)), Some(v @ Value::Boolean(_))) => Ok(v),
        (Some(current), Some(v))
            if std::mem::discriminant(current) == std::mem::discriminant(&v) =>
        {
            Ok(v)
        }
        (Some(current), _) => Err(format!(
            "`{key}` = `{text}` does not fit: the base value is a {}",
            current.type_str()
        )),
        // A key absent from the file: a number, boolean, array or inline table as
        // written, anything else as a string (e.g. `treasury`).
        (None, Some(v)) => Ok(v),
        (None, None) => Ok(Value::String(text.to_string())),
    }
}

/// A share group that cannot be made to sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupError {
    /// The group's dotted path, e.g. `policies.reform.base_shares`.
    pub group: String,
    pub message: String,
}

/// After overrides, make each share group that was partly overridden sum to 1 again:
/// the members not set keep their proportions and share what the set ones leave.
/// Returns a note for each group rescaled.
///
/// `set` lists the keys overridden. A group is `…base_shares`, `…increment_shares`
/// (members city/county/zone) or `sectors.<id>.mix` (members: the tax ids).
///
/// # Errors
/// When the set members exceed 1, or the others are all 0 and cannot take the rest.
pub fn rescale_groups(table: &mut Table, set: &[&str]) -> Result<Vec<String>, GroupError> {
    let mut notes = Vec::new();
    let mut groups: Vec<&str> = set
        .iter()
        .filter_map(|k| k.rsplit_once('.').map(|(group, _)| group))
        .filter(|g| is_share_group(g))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let Some(members) = lookup_table(table, group) else {
            continue;
        };
        let is_set = |m: &str| set.iter().any(|k| *k == format!("{group}.{m}"));
        let mut fixed = 0.0;
        let mut free = 0.0;
        let mut free_members = Vec::new();
        let names: Vec<String> = if group.ends_with(".mix") {
            members.keys().cloned().collect()
        } else {
            SHARE_GROUP_MEMBERS.iter().map(|m| m.to_string()).collect()
        };
        for m in &names {
            let v = members.get(m).and_then(as_f64).unwrap_or(0.0);
            if is_set(m) {
                fixed += v;
            } else {
                free += v;
                free_members.push(m.clone());
            }
        }
        if free_members.is_empty() {
            continue;
        }
        let rest = 1.0 - fixed;
        let fail = |message: String| GroupError {
            group: group.to_string(),
            message: format!("{group}: {message}"),
        };
        if rest < -1e-9 {
            return Err(fail(format!("the members set sum to {fixed}, more than 1")));
        }
        if free <= 0.0 {
            if rest.abs() > 1e-9 {
                return Err(fail(format!(
                    "the members not set ({}) are all 0 and cannot take the remaining {rest}",
                    free_members.join(", ")
                )));
            }
            continue;
        }
        let members = lookup_table_mut(table, group).expect("looked up above");
        let mut parts = Vec::new();
        for m in &free_members {
            let v = members.get(m.as_str()).and_then(as_f64).unwrap_or(0.0);
            let scaled = v * rest.max(0.0) / free;
            members.insert(m.clone(), Value::Float(scaled));
            parts.push(format!("{m} {}", round6(scaled)));
        }
        if (free - rest).abs() > 1e-12 {
            notes.push(format!(
                "{group}: rescaled {} to keep the group summing to 1",
                parts.join(", ")
            ));
        }
    }
    Ok(notes)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn is_share_group(group: &str) -> bool {
    group.ends_with(".base_shares")
        || group.ends_with(".increment_shares")
        || (group.starts_with("sectors.") && group.ends_with(".mix"))
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn lookup_table<'t>(table: &'t Table, dotted: &str) -> Option<&'t Table> {
    let mut here = table;
    for segment in dotted.split('.') {
        here = match here.get(segment) {
            Some(Value::Table(t)) => t,
            _ => return None,
        };
    }
    Some(here)
}

fn lookup_table_mut<'t>(table: &'t mut Table, dotted: &str) -> Option<&'t mut Table> {
    let mut here = table;
    for segment in dotted.split('.') {
        here = match here.get_mut(segment) {
            Some(Value::Table(t)) => t,
            _ => return None,
        };
    }
    Some(here)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Table {
        r#"
            name = "t"
            [[zones]]
            id = "a"
            debt = { balance = 1, amortization = 0.1, limit = 500 }
            [[zones]]
            id = "b"
            [policies.reform]
            base_shares = { city = 0.3, county = 0.7, zone = 0.0 }
            increment_shares = { city = 0.2, county = 0.2, zone = 0.6 }
            delivery = "transfer"
            transfer_lag = 1
            [sectors.chem]
            mix = { vat = 0.6, cit = 0.4 }
        "#
        .parse()
        .unwrap()
    }

    fn get<'t>(t: &'t Table, path: &[&str]) -> &'t Value {
        let mut v = t.get(path[0]).unwrap();
        for p in &path[1..] {
            v = v.get(p).unwrap();
        }
        v
    }

    #[test]
    fn values_take_the_type_they_replace() {
        let mut t = model();
        apply(&mut t, "zones.a.debt.limit", "600000").unwrap();
        let zone_a = &t["zones"].as_array().unwrap()[0];
        assert_eq!(zone_a["debt"]["limit"], Value::Integer(600_000));
        apply(&mut t, "policies.reform.increment_shares.zone", "1").unwrap();
        assert_eq!(
            get(&t, &["policies", "reform", "increment_shares", "zone"]),
            &Value::Float(1.0)
        );
        apply(&mut t, "policies.reform.delivery", "treasury").unwrap();
        assert_eq!(
            get(&t, &["policies", "reform", "delivery"]),
            &Value::String("treasury".into())
        );
        // An optional key absent from the file.
        apply(&mut t, "policies.reform.province_return", "0.3").unwrap();
        assert_eq!(
            get(&t, &["policies", "reform", "province_return"]),
            &Value::Float(0.3)
        );
        apply(&mut t, "zones.b.policy", "reform").unwrap();
        assert_eq!(
            t["zones"].as_array().unwrap()[1]["policy"],
            Value::String("reform".into())
        );
    }

    #[test]
    fn bad_keys_and_values_are_named() {
        let mut t = model();
        let e = apply(&mut t, "zones.nowhere.reserve", "1").unwrap_err();
        assert!(
            e.contains("no entry of zones has id `nowhere`") && e.contains("a, b"),
            "{e}"
        );
        let e = apply(&mut t, "zones.a.debt.limit", "lots").unwrap_err();
        assert!(e.contains("`lots` is not a number"), "{e}");
        let e = apply(&mut t, "name.x", "1").unwrap_err();
        assert!(e.contains("`name` is a value"), "{e}");
        let e = apply(&mut t, "zones", "1").unwrap_err();
        assert!(e.contains("does not fit"), "{e}");
        assert!(apply(&mut t, "policies..zone", "1").is_err());
    }

    #[test]
    fn a_partly_set_share_group_is_rescaled_to_sum_to_one() {
        let mut t = model();
        apply(&mut t, "policies.reform.increment_shares.zone", "0.8").unwrap();
        let notes = rescale_groups(&mut t, &["policies.reform.increment_shares.zone"]).unwrap();
        let g = get(&t, &["policies", "reform", "increment_shares"]);
        let (c, k, z) = (
            g["city"].as_float().unwrap(),
            g["county"].as_float().unwrap(),
            g["zone"].as_float().unwrap(),
        );
        assert!((c - 0.1).abs() < 1e-12 && (k - 0.1).abs() < 1e-12 && z == 0.8);
        assert!((c + k + z - 1.0).abs() < 1e-12);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("rescaled"), "{}", notes[0]);

        // A sector mix, by tax id.
        apply(&mut t, "sectors.chem.mix.vat", "0.9").unwrap();
        rescale_groups(&mut t, &["sectors.chem.mix.vat"]).unwrap();
        let cit = get(&t, &["sectors", "chem", "mix", "cit"])
            .as_float()
            .unwrap();
        assert!((cit - 0.1).abs() < 1e-12);

        // The others all 0: cannot take the rest.
        let mut t = model();
        apply(&mut t, "policies.reform.base_shares.city", "0.5").unwrap();
        apply(&mut t, "policies.reform.base_shares.county", "0.2").unwrap();
        let e = rescale_groups(
            &mut t,
            &[
                "policies.reform.base_shares.city",
                "policies.reform.base_shares.county",
            ],
        )
        .unwrap_err();
        assert_eq!(e.group, "policies.reform.base_shares");
        assert!(e.message.contains("all 0"), "{}", e.message);
        // Set members above 1.
        let mut t = model();
        apply(&mut t, "policies.reform.base_shares.city", "1.2").unwrap();
        let e = rescale_groups(&mut t, &["policies.reform.base_shares.city"]).unwrap_err();
        assert!(e.message.contains("more than 1"), "{}", e.message);
    }
}
