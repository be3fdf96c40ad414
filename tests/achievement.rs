//! Achievement (capaian) over HTTP with real Semarang indicators and hand-checked figures.
//! The formulas' edge cases are unit tests of `domain::achievement`.

mod common;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// The Semarang road map with every quarter of 2023 and the first of 2024 open, and one user
/// per organisation code in `users`, named after the code in lower case.
struct Year {
    app: TestApp,
    admin: String,
    tokens: std::collections::HashMap<&'static str, String>,
}

impl Year {
    async fn open(users: &[&'static str]) -> Year {
        let app = TestApp::spawn_with_semarang().await;
        let (_, admin) = app.create_user("sekretariat", "admin", None).await;
        let mut tokens = std::collections::HashMap::new();
        for code in users {
            let (_, token) = app.create_user(&code.to_lowercase(), "opd", Some(code)).await;
            tokens.insert(*code, token);
        }
        app.set_time("2024-01-10T09:00:00+07:00");
        for period in ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"] {
            app.open_period(&admin, period, "2023-04-01", "2024-12-31", "refuse").await;
        }
        Year { app, admin, tokens }
    }

    fn token(&self, code: &str) -> &str {
        self.tokens.get(code).map(String::as_str).unwrap_or(&self.admin)
    }

    /// Submits a realisation as `reporter` and verifies it as `verifier` (an organisation code,
    /// or `admin`).
    async fn verified(&self, reporter: &str, verifier: &str, body: Value) {
        let view = self.app.report(self.token(reporter), body).await;
        let path = format!("/api/v1/realisations/{}/verify", view["id"]);
        self.app.expect(200, Method::POST, &path, Some(self.token(verifier)), Some(&json!({})), Some("\"1\"")).await;
    }

    async fn achievement(&self, indicator: &str, year: i32) -> Value {
        self.app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/{indicator}/achievement?year={year}")).await
    }
}

fn value(indicator: &str, period: &str, value: Value) -> Value {
    json!({"indicator": indicator, "period": period, "value": value})
}

#[tokio::test]
async fn investment_sums_its_quarters_against_the_target() {
    let year = Year::open(&["DPMPTSP"]).await;
    // DPMPTSP coordinates IND-03 and reports its figure, so the secretariat verifies.
    for (period, amount) in [
        ("2023-Q1", "6.000.000.000.000"),
        ("2023-Q2", "7.000.000.000.000"),
        ("2023-Q3", "0"),
        ("2023-Q4", "8.500.000.000.000"),
    ] {
        year.verified("DPMPTSP", "admin", value("IND-03", period, json!(amount))).await;
    }

    let result = year.achievement("IND-03", 2023).await;
    assert_eq!(result["yearly_rule"], "sum");
    assert_eq!(result["quarters"][2]["figure"]["value"], "0", "a zero is a value, not missing");
    assert_eq!(result["figure"]["value"], "21500000000000");
    // 21.500.000.000.000 / 25.684.059.000.000 = 83,71 %.
    assert_eq!(result["achievement"], json!({"status": "computed", "percent": "83.71"}));
}

#[tokio::test]
async fn stunting_rate_combines_counts_of_two_units() {
    let year = Year::open(&["DIN-PPPA", "DIN-PPKB", "DIN-KESEHATAN"]).await;
    year.verified(
        "DIN-PPPA",
        "DIN-KESEHATAN",
        json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 15, "denominator": 50}),
    )
    .await;
    year.verified(
        "DIN-PPKB",
        "DIN-KESEHATAN",
        json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 15, "denominator": 100}),
    )
    .await;

    let result = year.achievement("IND-38", 2023).await;
    let first = &result["quarters"][0];
    assert_eq!(first["figure"]["value"], "20", "(15 + 15) / (50 + 100), never the mean of 30 % and 15 %");
    assert_eq!(first["reported"], 2);
    // Lower is better, target 1,3: (2 × 1,3 − 20) / 1,3 × 100.
    assert_eq!(first["achievement"]["percent"], "-1338.46");
}

#[tokio::test]
async fn stunting_prevalence_is_lower_is_better() {
    let year = Year::open(&["DIN-PPPA", "DIN-KESEHATAN"]).await;
    year.verified(
        "DIN-PPPA",
        "DIN-KESEHATAN",
        json!({"indicator": "IND-38", "period": "2023-Q2", "numerator": 12, "denominator": 1000}),
    )
    .await;

    let result = year.achievement("IND-38", 2023).await;
    assert_eq!(result["quarters"][0]["achievement"], json!({"status": "no_data"}));
    assert_eq!(result["quarters"][1]["figure"]["value"], "1.2");
    // (2 × 1,3 − 1,2) / 1,3 = 107,69 %; the year takes its latest quarter.
    assert_eq!(result["achievement"], json!({"status": "computed", "percent": "107.69"}));
}

#[tokio::test]
async fn inflation_is_judged_against_its_band() {
    let year = Year::open(&["BAG-PEREKONOMIAN"]).await;
    for (period, rate) in [("2023-Q1", "2,9"), ("2023-Q2", "4,1"), ("2023-Q3", "1,2")] {
        year.verified("BAG-PEREKONOMIAN", "admin", value("IND-41", period, json!(rate))).await;
    }

    // The 2023 target "2,5 ± 1%" is the band 1,5 to 3,5.
    let result = year.achievement("IND-41", 2023).await;
    let quarters = result["quarters"].as_array().unwrap();
    assert_eq!(quarters[0]["achievement"], json!({"status": "computed", "percent": "100.00", "position": "inside"}));
    assert_eq!(quarters[1]["achievement"], json!({"status": "computed", "percent": "82.86", "position": "above"}));
    assert_eq!(quarters[2]["achievement"], json!({"status": "computed", "percent": "80.00", "position": "below"}));
    assert_eq!(quarters[3]["status"], "no_data");
}

#[tokio::test]
async fn sakip_and_audit_opinion_are_met_or_not() {
    let year = Year::open(&["BAPPEDA", "BAG-OTDA", "INSPEKTORAT", "BPKAD"]).await;
    let sakip = json!({"indicator": "IND-05", "period": "2023-Q4", "value": "76,5", "grade": "BB"});
    year.verified("BAPPEDA", "BAG-OTDA", sakip).await;
    year.verified("INSPEKTORAT", "BPKAD", value("IND-06", "2023-Q4", json!("wtp"))).await;
    year.verified("INSPEKTORAT", "BPKAD", value("IND-06", "2023-Q3", json!("WDP"))).await;

    let sakip = year.achievement("IND-05", 2023).await;
    assert_eq!(sakip["figure"], json!({"type": "number", "value": "76.5", "grade": "BB"}));
    assert_eq!(sakip["achievement"], json!({"status": "met"}));

    let opinion = year.achievement("IND-06", 2023).await;
    assert_eq!(opinion["quarters"][2]["achievement"], json!({"status": "not_met"}));
    assert_eq!(opinion["achievement"], json!({"status": "met"}), "the year takes its latest quarter");
}

#[tokio::test]
async fn index_takes_its_latest_quarter() {
    let year = Year::open(&["DISKOMINFO"]).await;
    year.verified("DISKOMINFO", "admin", value("IND-04", "2023-Q2", json!("3,2"))).await;
    year.verified("DISKOMINFO", "admin", value("IND-04", "2023-Q1", json!(3.0))).await;

    let result = year.achievement("IND-04", 2023).await;
    assert_eq!(result["figure"]["value"], "3.2");
    // 3,2 / 3,6 = 88,89 %.
    assert_eq!(result["achievement"]["percent"], "88.89");
}

#[tokio::test]
async fn extreme_poverty_target_not_yet_set() {
    let year = Year::open(&["DIN-SOSIAL"]).await;
    year.verified("DIN-SOSIAL", "admin", value("IND-40", "2024-Q1", json!("950"))).await;

    let result = year.achievement("IND-40", 2024).await;
    assert_eq!(result["target"]["printed"], "Menunggu penetapan angka P3KE");
    assert_eq!(result["figure"]["value"], "950");
    assert_eq!(result["achievement"], json!({"status": "target_not_set"}));
}

#[tokio::test]
async fn only_verified_figures_count_unless_provisional() {
    let year = Year::open(&["DISKOMINFO"]).await;
    year.app.report(year.token("DISKOMINFO"), value("IND-04", "2023-Q1", json!("3,3"))).await;

    let verified = year.achievement("IND-04", 2023).await;
    assert_eq!(verified["basis"], "verified");
    assert_eq!(verified["figure"], Value::Null);
    assert_eq!(verified["achievement"], json!({"status": "no_data"}));

    let path = format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-04/achievement?year=2023&basis=provisional");
    let provisional = year.app.get_json(&path).await;
    assert_eq!(provisional["basis"], "provisional");
    assert_eq!(provisional["achievement"]["percent"], "91.67");

    let response = year.app.get(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-04/achievement?year=2031")).await;
    assert_eq!(response.status(), 400);
}
