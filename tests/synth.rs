//! The synthetic road map generator (`petajalan synth`), run as the binary against a test
//! database and checked through the HTTP API like a client would.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output};

use common::{SEMARANG_FILE, TestApp, repo_path};
use serde_json::Value;

/// Runs `petajalan synth` with `args` against the app's database, from the repository folder
/// so that the default source file is found.
fn synth(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_petajalan"))
        .arg("synth")
        .args(args)
        .current_dir(repo_path(""))
        .env("DATABASE_URL", app.database.url())
        .env("PETAJALAN_LANG", "id")
        .env("PETAJALAN_LOG", "warn")
        .output()
        .expect("run petajalan synth")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Counts the indicators of an achievement report per status.
fn statuses(report: &Value) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for row in report["indicators"].as_array().unwrap() {
        *counts.entry(row["status"].as_str().unwrap().to_string()).or_default() += 1;
    }
    counts
}

/// Maps each indicator of copy `copy` to its status, by its source code: the code without the
/// suffix `-{copy}`.
fn statuses_of_copy(report: &Value, copy: &str) -> BTreeMap<String, String> {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| {
            let source = row["code"].as_str().unwrap().strip_suffix(&format!("-{copy}"))?;
            Some((source.to_string(), row["status"].as_str().unwrap().to_string()))
        })
        .collect()
}

/// Adds up the compliance counts of every organisation and period.
fn compliance_totals(report: &Value) -> BTreeMap<String, u64> {
    let fields = ["due", "on_time", "late", "awaiting_verification", "returned", "verified", "missing"];
    let mut totals = BTreeMap::new();
    for row in report["rows"].as_array().unwrap() {
        for field in fields {
            *totals.entry(field.to_string()).or_default() += row[field].as_u64().unwrap();
        }
    }
    totals
}

fn doubled(counts: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    counts.iter().map(|(key, count)| (key.clone(), count * 2)).collect()
}

async fn total(app: &TestApp, path: &str) -> i64 {
    app.get_json(path).await["total"].as_i64().unwrap()
}

#[tokio::test]
async fn synth_scale_two_doubles_counts() {
    let app = TestApp::spawn().await;
    let semarang_indicators =
        std::fs::read_to_string(repo_path(SEMARANG_FILE)).unwrap().matches("[[indicators]]").count();

    let single_copy = synth(&app, &["--scale", "1", "--code", "sintetis-x1"]);
    let two_copies = synth(&app, &["--scale", "2", "--code", "sintetis-x2"]);

    assert!(single_copy.status.success(), "{}{}", stdout(&single_copy), stderr(&single_copy));
    assert!(two_copies.status.success(), "{}{}", stdout(&two_copies), stderr(&two_copies));
    assert!(
        stdout(&two_copies).contains(&format!(
            "Peta jalan sintetis sintetis-x2 (×2): {} indikator, 8 periode triwulan dibuka",
            2 * semarang_indicators
        )),
        "{}",
        stdout(&two_copies)
    );
    let indicators = |code: &str| format!("/api/v1/roadmaps/{code}/indicators?page_size=1");
    assert_eq!(total(&app, &indicators("sintetis-x1")).await, semarang_indicators as i64);
    assert_eq!(total(&app, &indicators("sintetis-x2")).await, 2 * semarang_indicators as i64);
    let copied = app.get_json("/api/v1/roadmaps/sintetis-x2/indicators/IND-04-2").await;
    assert_eq!(copied["targets"], app.get_json("/api/v1/roadmaps/sintetis-x1/indicators/IND-04-1").await["targets"]);

    // Every copy gets the same filings, so the report of two copies counts twice what one
    // copy's report counts, and each copy's indicators keep the statuses of the single copy.
    for scope in ["year=2023", "year=2024&quarter=1"] {
        let report = |code: &str| format!("/api/v1/reports/achievement?roadmap={code}&{scope}");
        let single = app.get_json(&report("sintetis-x1")).await;
        let double = app.get_json(&report("sintetis-x2")).await;
        let counts = statuses(&single);
        for status in ["on_track", "at_risk", "off_track", "no_data"] {
            assert!(counts.get(status).is_some_and(|count| *count > 0), "{scope}: no {status} in {counts:?}");
        }
        assert_eq!(statuses(&double), doubled(&counts), "{scope}");
        assert_eq!(statuses_of_copy(&double, "2"), statuses_of_copy(&single, "1"), "{scope}");
        assert_eq!(statuses_of_copy(&double, "1").len(), semarang_indicators, "{scope}");
    }

    let compliance = |code: &str| format!("/api/v1/reports/compliance?roadmap={code}&year=2023");
    let single = compliance_totals(&app.get_json(&compliance("sintetis-x1")).await);
    let double = compliance_totals(&app.get_json(&compliance("sintetis-x2")).await);
    for field in ["on_time", "late", "awaiting_verification", "returned", "verified", "missing"] {
        assert!(single[field] > 0, "no {field} in {single:?}");
    }
    assert_eq!(double, doubled(&single));

    // A verified realisation has the versions of its submission and verification.
    let page = app.get_json("/api/v1/roadmaps/sintetis-x1/realisations?state=verified&page_size=1").await;
    let id = page["items"][0]["id"].as_i64().unwrap();
    assert_eq!(page["items"][0]["submitted_by"]["name"], "data-sintetis");
    let versions = app.get_json(&format!("/api/v1/realisations/{id}/versions")).await;
    let steps: Vec<(&str, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|version| (version["action"].as_str().unwrap(), version["realisation"]["state"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("submit", "submitted"), ("verify", "verified")]);
}

#[tokio::test]
async fn synth_rejects_existing_code() {
    let app = TestApp::spawn().await;
    let first = synth(&app, &["--scale", "1"]);
    assert!(first.status.success(), "{}{}", stdout(&first), stderr(&first));
    let realisations = "/api/v1/roadmaps/semarang-2023-2024-x1/realisations?page_size=1";
    let written = total(&app, realisations).await;

    let again = synth(&app, &["--scale", "1", "--code", "semarang-2023-2024-x1"]);

    assert_eq!(again.status.code(), Some(1), "{}{}", stdout(&again), stderr(&again));
    assert!(stderr(&again).contains("peta jalan semarang-2023-2024-x1 sudah ada"), "{}", stderr(&again));
    assert!(written > 0);
    assert_eq!(total(&app, realisations).await, written);
    let bad = synth(&app, &["--scale", "1", "--code", "Bukan Kode"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).starts_with("code: kode peta jalan"), "{}", stderr(&bad));
}
