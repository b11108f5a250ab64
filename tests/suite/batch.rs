//! Batches and sweeps: variants on shared worlds, paired comparisons, bad rows.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;

fn fencheng() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fencheng"))
}

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo")
}

/// Rows of a CSV as maps from column to cell.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn batch(csv_text: &str, paths: &str) -> (tempfile::TempDir, PathBuf, assert_cmd::assert::Assert) {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = tmp.path().join("batch.csv");
    fs::write(&csv_path, csv_text).unwrap();
    let out = tmp.path().join("out");
    let assert = fencheng()
        .arg("batch")
        .arg(demo_dir())
        .arg(&csv_path)
        .args(["--paths", paths, "--out"])
        .arg(&out)
        .assert();
    (tmp, out, assert)
}

/// The summary rows of one variant, keyed by (year, entity, metric).
fn variant_rows(out: &Path, id: &str) -> Vec<(String, String, String, String)> {
    rows(&out.join("summary.csv"))
        .into_iter()
        .filter(|r| r["scenario"] == id)
        .map(|r| {
            let stats: Vec<&str> = ["mean", "sd", "p5", "p50", "p95"]
                .iter()
                .map(|c| r[*c].as_str())
                .collect();
            (
                r["year"].clone(),
                r["entity"].clone(),
                r["metric"].clone(),
                stats.join(","),
            )
        })
        .collect()
}

#[test]
fn two_identical_rows_give_identical_results_and_zero_differences() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.land_return\nfirst,0.8\nsecond,0.8\n",
        "1500",
    );
    assert.success();
    assert_eq!(variant_rows(&out, "first"), variant_rows(&out, "second"));
    let compare = rows(&out.join("compare.csv"));
    assert!(!compare.is_empty());
    for r in &compare {
        assert_eq!(r["scenario"], "second");
        assert_eq!(r["baseline"], "first");
        for c in ["mean", "p5", "p50", "p95"] {
            assert_eq!(r[c], "0", "{c} of {r:?}");
        }
        if !r["delta_p_debt_ratio_over_warning"].is_empty() {
            assert_eq!(r["delta_p_debt_ratio_over_warning"], "0");
        }
    }
}

#[test]
fn a_policy_only_variant_changes_no_world_draw() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.increment_shares.zone,policies.reform.delivery\n\
         draft,,\nmore_to_zone,0.9,treasury\n",
        "1500",
    );
    assert.success();
    let world_only = [
        "collected",
        "new_project_tax",
        "local_pool",
        "land_net",
        "fees",
    ];
    let pick = |id| {
        variant_rows(&out, id)
            .into_iter()
            .filter(|r| world_only.contains(&r.2.as_str()))
            .collect::<Vec<_>>()
    };
    assert!(!pick("draft").is_empty());
    assert_eq!(pick("draft"), pick("more_to_zone"));
    // …while what the policy decides does change, for the zone on it.
    let received = |id| {
        variant_rows(&out, id)
            .into_iter()
            .filter(|r| r.1 == "newmat" && r.2 == "received")
            .collect::<Vec<_>>()
    };
    assert_ne!(received("draft"), received("more_to_zone"));
    // And a paired difference is reported for it.
    let compare = rows(&out.join("compare.csv"));
    let diff = compare
        .iter()
        .find(|r| r["entity"] == "newmat" && r["metric"] == "received" && r["year"] == "2026")
        .unwrap();
    assert_ne!(diff["mean"], "0");
}

#[test]
fn a_bad_row_is_reported_and_the_others_complete() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.land_return,zones.chem.debt.limit\n\
         draft,,\n\
         bad_share,1.7,\n\
         bad_number,,plenty\n\
         good,0.5,\n\
         draft,0.2,\n",
        "800",
    );
    assert
        .code(4)
        .stderr(contains("row 2 (bad_share)"))
        .stderr(contains(
            "row 3 (bad_number): column zones.chem.debt.limit = `plenty`",
        ))
        .stdout(contains("good"));
    let errors = rows(&out.join("errors.csv"));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0]["row"], "2");
    assert_eq!(errors[0]["column"], "policies.reform.land_return");
    assert_eq!(errors[0]["value"], "1.7");
    assert!(
        errors[0]["message"].contains("land_return"),
        "{:?}",
        errors[0]
    );
    assert_eq!(errors[1]["column"], "zones.chem.debt.limit");
    assert!(errors[1]["message"].contains("not a number"));
    assert_eq!(errors[2]["row"], "5");
    assert!(errors[2]["message"].contains("already used by row 1"));
    let ran: std::collections::BTreeSet<String> = rows(&out.join("summary.csv"))
        .into_iter()
        .map(|r| r["scenario"].clone())
        .collect();
    assert_eq!(
        ran,
        ["draft", "good"].map(String::from).into_iter().collect()
    );
}

#[test]
fn a_share_group_that_cannot_sum_to_one_names_its_columns_in_errors_csv() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.increment_shares.zone,policies.reform.increment_shares.city\n\
         good,0.6,\n\
         over,1.5,\n\
         both,0.7,0.5\n",
        "200",
    );
    assert.code(4);
    let text = std::fs::read_to_string(out.join("errors.csv")).unwrap();
    assert!(
        text.starts_with("row,column,value,message,scenario\n"),
        "{text}"
    );
    let errors = rows(&out.join("errors.csv"));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["row"], "2");
    assert_eq!(errors[0]["column"], "policies.reform.increment_shares.zone");
    assert_eq!(errors[0]["value"], "1.5");
    assert!(
        errors[0]["message"].contains("more than 1"),
        "{:?}",
        errors[0]
    );
    assert_eq!(
        errors[1]["column"],
        "policies.reform.increment_shares.zone + policies.reform.increment_shares.city"
    );
    assert_eq!(errors[1]["value"], "0.7 + 0.5");
    assert_eq!(errors[1]["scenario"], "both");
}

#[test]
fn projects_can_be_edited_one_or_all_on_the_same_worlds() {
    let (_tmp, out, assert) = batch(
        "scenario,projects.*.p_land,projects.YH001.delay_probs,projects.YH999.p_land\n\
         draft,,,\n\
         none_land,0,,\n\
         late,,0.1;0.2;0.7,\n\
         unknown,,,0.5\n\
         bad_cell,1.5,,\n",
        "300",
    );
    assert.code(4);
    let summary = rows(&out.join("summary.csv"));
    let metric = |id: &str, entity: &str, metric: &str| -> Vec<String> {
        summary
            .iter()
            .filter(|r| r["scenario"] == id && r["entity"] == entity && r["metric"] == metric)
            .map(|r| format!("{} {} {} {}", r["mean"], r["sd"], r["p5"], r["p95"]))
            .collect()
    };
    // No project lands: no new-project tax in any year, on any path.
    for row in metric("none_land", "coastal", "new_project_tax") {
        assert_eq!(row, "0 0 0 0");
    }
    assert_ne!(
        metric("late", "coastal", "new_project_tax"),
        metric("draft", "coastal", "new_project_tax")
    );
    // The other draws are the baseline's: land sales are the same, path by path.
    assert_eq!(
        metric("none_land", "coastal", "land_net"),
        metric("draft", "coastal", "land_net")
    );
    let errors = rows(&out.join("errors.csv"));
    assert_eq!(errors.len(), 1 + 1, "{errors:?}");
    assert_eq!(errors[0]["column"], "projects.YH999.p_land");
    assert!(errors[0]["message"].contains("no project `YH999`"));
    assert_eq!(errors[1]["scenario"], "bad_cell");
    assert_eq!(errors[1]["column"], "projects.*.p_land");
    assert_eq!(
        errors[1]["message"],
        "projects.csv, every project's column p_land: 1.5, expected a probability between 0 \
         and 1 (61 projects)"
    );
}

#[test]
fn unknown_keys_fail_their_rows_and_a_batch_with_no_good_row_exits_3() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.land_retrun\na,0.5\nb,0.6\n",
        "100",
    );
    assert
        .code(3)
        .stderr(contains("land_retrun"))
        .stderr(contains("nothing was run"));
    assert!(!out.exists());
    let (_tmp, _out, assert) = batch("variant,policies.reform.land_return\na,0.5\n", "100");
    assert
        .code(3)
        .stderr(contains("first column must be `scenario`"));
}

#[test]
fn the_example_batch_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let run = fencheng()
        .arg("batch")
        .arg(demo_dir())
        .arg(demo_dir().join("batch.csv"))
        .args(["--paths", "1000", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("newmat_treasury"))
        .stdout(contains("zones retained Σ p50 万元"));
    for f in [
        "summary.csv",
        "risk.csv",
        "compare.csv",
        "headline.csv",
        "run.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let headline = rows(&out.join("headline.csv"));
    assert_eq!(headline.len(), 7 * 6);

    // The printed table shows each variant's city and zones retained totals (p50), as
    // headline.csv has them.
    let stdout = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let p50 = |variant: &str, metric: &str| {
        let row = headline
            .iter()
            .find(|r| r["scenario"] == variant && r["metric"] == metric)
            .unwrap();
        format!("{:.0}", row["p50"].parse::<f64>().unwrap())
    };
    let variant = &headline[0]["scenario"];
    let line: Vec<&str> = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(variant.as_str()))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(line[1], p50(variant, "city_retained_total"), "{stdout}");
    assert_eq!(line[2], p50(variant, "zones_retained_total"), "{stdout}");
}

#[test]
fn a_sweep_rescales_share_groups_and_writes_its_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    fencheng()
        .arg("sweep")
        .arg(demo_dir())
        .args([
            "--vary",
            "policies.reform.increment_shares.zone=0.5:0.9:0.2",
        ])
        .args(["--paths", "800", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("rescaled"));
    let sweep = rows(&out.join("sweep.csv"));
    let values: Vec<&str> = sweep
        .iter()
        .map(|r| r["policies.reform.increment_shares.zone"].as_str())
        .collect();
    assert_eq!(values, ["0.50", "0.70", "0.90"]);
    assert_eq!(sweep[0]["scenario"], "increment_shares.zone=0.50");
    assert!(sweep[0]["notes"].contains("rescaled city 0.166667, county 0.333333"));
    for r in &sweep {
        let p: f64 = r["worst_p_debt_ratio_over_warning"].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(r.contains_key("newmat_worst_p_debt_ratio_over_warning"));
    }
    let info: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(info["command"], "sweep");
    assert_eq!(info["variants"].as_array().unwrap().len(), 3);
}

#[test]
fn a_column_that_names_no_key_is_reported_even_when_no_row_sets_it() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.land_retrun,policies.nope.fee_return\na,,\nb,0.6,\n",
        "100",
    );
    assert
        .code(4)
        .stderr(contains("header: column policies.nope.fee_return"));
    let errors = rows(&out.join("errors.csv"));
    assert_eq!(errors.len(), 2, "{errors:?}");
    // Sorted by row: the header's problem (row 0) first.
    assert_eq!(errors[0]["row"], "0");
    assert_eq!(errors[0]["column"], "policies.nope.fee_return");
    assert!(errors[0]["message"].contains("there is no [policies.nope]"));
    assert!(errors[0]["message"].contains("no row sets it"));
    assert_eq!(errors[1]["row"], "2");
    assert_eq!(errors[1]["column"], "policies.reform.land_retrun");
    assert_eq!(errors[1]["value"], "0.6");
    assert!(errors[1]["message"].contains("unknown field `land_retrun`"));
    assert!(!errors[1]["message"].contains('\n'));
    // Row a leaves the bad columns empty and runs.
    assert!(!variant_rows(&out, "a").is_empty());
    assert!(variant_rows(&out, "b").is_empty());
}

#[test]
fn every_bad_cell_of_a_row_is_reported() {
    let (_tmp, out, assert) = batch(
        "scenario,policies.reform.land_return,policies.reform.fee_return,zones.chem.debt.limit\n\
         base,,,\nm,1.5,abc,-3\n",
        "100",
    );
    assert.code(4);
    let errors = rows(&out.join("errors.csv"));
    let columns: Vec<&str> = errors.iter().map(|e| e["column"].as_str()).collect();
    assert_eq!(
        columns,
        [
            "policies.reform.fee_return",
            "policies.reform.land_return",
            "zones.chem.debt.limit"
        ]
    );
    assert!(errors.iter().all(|e| e["row"] == "2"));
}

#[test]
fn a_sweep_of_one_key_twice_or_of_no_key_is_bad_input() {
    fencheng()
        .arg("sweep")
        .arg(demo_dir())
        .args([
            "--vary",
            "policies.reform.land_return=0.7:1.0:0.3",
            "--vary",
            "policies.reform.land_return=0.5:0.6:0.1",
        ])
        .assert()
        .code(3)
        .stderr(contains("names `policies.reform.land_return` twice"));
    fencheng()
        .arg("sweep")
        .arg(demo_dir())
        .args(["--vary", "policies.reform.land_retrun=0.5:0.6:0.1"])
        .assert()
        .code(3)
        .stderr(contains("--vary policies.reform.land_retrun"))
        .stderr(contains("unknown field `land_retrun`"));
}

#[test]
fn a_bad_sweep_range_is_bad_input() {
    fencheng()
        .arg("sweep")
        .arg(demo_dir())
        .args([
            "--vary",
            "policies.reform.increment_shares.zone=0.9:0.5:0.1",
        ])
        .assert()
        .code(3)
        .stderr(contains("below FROM"));
}
