//! The monitoring reports over HTTP on the Semarang road map, checked against figures computed
//! by hand. The status and roll-up rules' edge cases are unit tests of `domain::report`.

mod common;

use std::collections::HashMap;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// The Semarang road map on 2023-04-10 with 2023-Q1 open (1 to 30 April, late reports
/// accepted), an admin, and one `opd` user per organisation code in `users`.
struct Monitoring {
    app: TestApp,
    admin: String,
    tokens: HashMap<&'static str, String>,
}

impl Monitoring {
    async fn open(users: &[&'static str]) -> Monitoring {
        let app = TestApp::spawn_with_semarang().await;
        let (_, admin) = app.create_user("sekretariat", "admin", None).await;
        let mut tokens = HashMap::new();
        for code in users {
            let (_, token) = app.create_user(&code.to_lowercase(), "opd", Some(code)).await;
            tokens.insert(*code, token);
        }
        app.set_time("2023-04-10T09:00:00+07:00");
        app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "accept_late").await;
        Monitoring { app, admin, tokens }
    }

    /// Returns the token of an organisation's user, or the admin's for `admin`.
    fn token(&self, code: &str) -> &str {
        match code {
            "admin" => &self.admin,
            _ => self.tokens.get(code).unwrap_or_else(|| panic!("no user for {code}")),
        }
    }

    /// Reports a realisation of 2023-Q1 as `reporter` and returns its id.
    async fn submit(&self, reporter: &str, body: Value) -> i64 {
        let mut body = body;
        body["period"] = json!("2023-Q1");
        self.app.report(self.token(reporter), body).await["id"].as_i64().unwrap()
    }

    /// Verifies or returns a submitted realisation, which is at version 1.
    async fn review(&self, reviewer: &str, id: i64, action: &str, body: Value) {
        let path = format!("/api/v1/realisations/{id}/{action}");
        self.app.expect(200, Method::POST, &path, Some(self.token(reviewer)), Some(&body), Some("\"1\"")).await;
    }

    async fn verified(&self, reporter: &str, verifier: &str, body: Value) {
        let id = self.submit(reporter, body).await;
        self.review(verifier, id, "verify", json!({})).await;
    }

    /// GETs a report as the viewer; `query` follows the road map parameter.
    async fn report(&self, kind: &str, query: &str) -> Value {
        self.app.get_json(&format!("/api/v1/reports/{kind}?roadmap={SEMARANG}&{query}")).await
    }
}

fn indicator<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not in the report"))
}

fn roll_up<'a>(report: &'a Value, level: &str, code: &str) -> &'a Value {
    report["roll_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["level"] == level && row["code"] == code)
        .unwrap_or_else(|| panic!("no roll-up of {level} {code}"))
}

fn codes(report: &Value) -> Vec<&str> {
    report["indicators"].as_array().unwrap().iter().map(|row| row["code"].as_str().unwrap()).collect()
}

/// Creates IND-90, a count of public service innovations that two units add up (the `sum`
/// rule), shown at K2.09, with a 2023 target of 40 set through the API.
async fn create_innovation_count(monitoring: &Monitoring) {
    let body = json!({
        "code": "IND-90", "name": "Jumlah inovasi pelayanan publik", "unit": "inovasi",
        "value_kind": "number", "direction": "higher_is_better", "yearly_rule": "sum",
        "combine_rule": "sum", "coordinator": "BAG-ORGANISASI",
        "implementers": ["DIN-KESEHATAN", "DIN-PENDIDIKAN"], "placements": [{"activity": "K2.09"}],
        "baseline": "25",
    });
    let indicators = format!("/api/v1/roadmaps/{SEMARANG}/indicators");
    monitoring.app.expect(201, Method::POST, &indicators, Some(&monitoring.admin), Some(&body), None).await;
    let target = json!({"value": "40", "reason": "Target awal indikator baru", "reference": "Nota dinas 2023"});
    let path = format!("{indicators}/IND-90/targets/2023");
    monitoring.app.expect(200, Method::PUT, &path, Some(&monitoring.admin), Some(&target), None).await;
}

/// Verifies the first quarter's realisations that the achievement tests compute by hand.
async fn first_quarter() -> Monitoring {
    let monitoring = Monitoring::open(&[
        "DISKOMINFO",
        "INSPEKTORAT",
        "BAPPEDA",
        "BPKAD",
        "DIN-PPPA",
        "DIN-PPKB",
        "DIN-KESEHATAN",
        "DIN-PENDIDIKAN",
        "BAG-PEREKONOMIAN",
        "BAG-ORGANISASI",
    ])
    .await;
    create_innovation_count(&monitoring).await;

    // DISKOMINFO coordinates and reports IND-04 and IND-22, so the secretariat verifies them.
    monitoring.verified("DISKOMINFO", "admin", json!({"indicator": "IND-04", "value": "3,3"})).await;
    monitoring.verified("DISKOMINFO", "admin", json!({"indicator": "IND-22", "value": "3"})).await;
    monitoring.verified("INSPEKTORAT", "BAPPEDA", json!({"indicator": "IND-13", "value": "61"})).await;
    monitoring.verified("INSPEKTORAT", "BPKAD", json!({"indicator": "IND-06", "value": "WDP"})).await;
    monitoring.verified("INSPEKTORAT", "admin", json!({"indicator": "IND-24", "value": "60"})).await;
    let stunting_pppa = json!({"indicator": "IND-38", "numerator": 12, "denominator": 1000});
    monitoring.verified("DIN-PPPA", "DIN-KESEHATAN", stunting_pppa).await;
    let stunting_ppkb = json!({"indicator": "IND-38", "numerator": 3, "denominator": 500});
    monitoring.verified("DIN-PPKB", "DIN-KESEHATAN", stunting_ppkb).await;
    monitoring.verified("BAG-PEREKONOMIAN", "admin", json!({"indicator": "IND-41", "value": "4,1"})).await;
    monitoring.verified("DIN-KESEHATAN", "BAG-ORGANISASI", json!({"indicator": "IND-90", "value": "12"})).await;
    monitoring.verified("DIN-PENDIDIKAN", "BAG-ORGANISASI", json!({"indicator": "IND-90", "value": "18"})).await;
    // Submitted and never verified: it counts only on the provisional basis.
    monitoring.submit("DISKOMINFO", json!({"indicator": "IND-17", "value": "95"})).await;
    monitoring
}

#[tokio::test]
async fn achievement_report_hand_computed_figures() {
    let monitoring = first_quarter().await;

    let report = monitoring.report("achievement", "year=2023&quarter=1").await;

    assert_eq!(report["basis"], "verified");
    assert_eq!(report["quarter"], 1);
    assert_eq!(report["grading"], json!({"on_track_percent": 90, "at_risk_percent": 75, "rollup_cap_percent": 120}));

    // Higher is better: 3,3 / 3,6 × 100 = 91,666… → 91,67 %, at least 90: on track.
    let spbe = indicator(&report, "IND-04");
    assert_eq!(spbe["realisation"]["value"], "3.3");
    assert_eq!(spbe["target"]["printed"], "3,6");
    assert_eq!(spbe["baseline"]["printed"], "3,38");
    assert_eq!(spbe["achievement"]["percent"], "91.67");
    assert_eq!(spbe["status"], "on_track");
    assert_eq!(spbe["coordinator"]["code"], "DISKOMINFO");
    let placements: Vec<&str> =
        spbe["placements"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(placements, ["S1", "K1.03"]);
    assert_eq!(spbe["target_revised"], false);

    // Lower is better, a rate of two units: (12 + 3) / (1000 + 500) × 100 = 1 %. Against the
    // target 1,3: (2 × 1,3 − 1) / 1,3 × 100 = 123,076… → 123,08 %: on track.
    let stunting = indicator(&report, "IND-38");
    assert_eq!(stunting["realisation"]["value"], "1");
    assert_eq!(stunting["achievement"]["percent"], "123.08");
    assert_eq!(stunting["status"], "on_track");

    // Band 2,5 ± 1 % (1,5 to 3,5); 4,1 lies above: (2 × 3,5 − 4,1) / 3,5 × 100 = 82,857… →
    // 82,86 %, from 75 to below 90: at risk.
    let inflation = indicator(&report, "IND-41");
    assert_eq!(inflation["achievement"], json!({"status": "computed", "percent": "82.86", "position": "above"}));
    assert_eq!(inflation["status"], "at_risk");

    // Category: WDP is not the target WTP, so not met: off track.
    let opinion = indicator(&report, "IND-06");
    assert_eq!(opinion["realisation"], json!({"type": "category", "name": "WDP"}));
    assert_eq!(opinion["achievement"], json!({"status": "not_met"}));
    assert_eq!(opinion["status"], "off_track");

    // A count summed over two implementers: 12 + 18 = 30; 30 / 40 × 100 = 75,00 %, exactly the
    // at-risk threshold: at risk. Its target was set through the API.
    let innovations = indicator(&report, "IND-90");
    assert_eq!(innovations["realisation"]["value"], "30");
    assert_eq!(innovations["achievement"]["percent"], "75.00");
    assert_eq!(innovations["status"], "at_risk");
    assert_eq!(innovations["target_revised"], true);
    assert_eq!(innovations["target"]["value"]["value"], "40");

    // 61 / 76,4 × 100 = 79,842… → 79,84 %: at risk.
    assert_eq!(indicator(&report, "IND-13")["achievement"]["percent"], "79.84");
    // 3 / 2,27 × 100 = 132,158… → 132,16 %: on track.
    assert_eq!(indicator(&report, "IND-22")["achievement"]["percent"], "132.16");
    // 60 / 86 × 100 = 69,767… → 69,77 %: off track.
    assert_eq!(indicator(&report, "IND-24")["status"], "off_track");
    // Submitted but not verified: no data on the verified basis.
    assert_eq!(indicator(&report, "IND-17")["status"], "no_data");
    assert_eq!(indicator(&report, "IND-17")["figure_status"], "no_data");
}

#[tokio::test]
async fn achievement_report_objective_roll_up() {
    let monitoring = first_quarter().await;

    let report = monitoring.report("achievement", "year=2023&quarter=1").await;

    // S1 contains IND-04, IND-05 and IND-06, and the indicators of its activities K1.01 to K1.15,
    // IND-10 to IND-24: 18 in all. On track: IND-04 (91,67) and IND-22 (132,16). At risk:
    // IND-13 (79,84). Off track: IND-06 (not met) and IND-24 (69,77). The other 13 have no
    // verified figure.
    let objective = roll_up(&report, "objective", "S1");
    assert_eq!(objective["indicators"], 18);
    assert_eq!(objective["on_track"], 2);
    assert_eq!(objective["at_risk"], 1);
    assert_eq!(objective["off_track"], 2);
    assert_eq!(objective["no_target"], 0);
    assert_eq!(objective["no_data"], 13);
    // IND-22 enters the mean capped at 120: (91,67 + 79,84 + 120 + 69,77) / 4 = 361,28 / 4 =
    // 90,32, on track. Uncapped it would be 93,36.
    assert_eq!(objective["computed"], 4);
    assert_eq!(objective["mean_percent"], "90.32");
    assert_eq!(objective["status"], "on_track");

    // The activity K2.09 contains IND-34, IND-35, IND-36 and IND-90; only IND-90 has a figure.
    let activity = roll_up(&report, "activity", "K2.09");
    assert_eq!(activity["indicators"], 4);
    assert_eq!(activity["mean_percent"], "75.00");
    assert_eq!(activity["status"], "at_risk");

    // The stunting theme contains IND-37 (no figure) and IND-38 (123,08 %), whose cap gives 120.
    let theme = roll_up(&report, "theme", "stunting");
    assert_eq!(theme["indicators"], 2);
    assert_eq!(theme["mean_percent"], "120.00");

    // Goals, themes, objectives and activities in road map order, then organisations.
    let levels: Vec<&str> =
        report["roll_ups"].as_array().unwrap().iter().map(|row| row["level"].as_str().unwrap()).collect();
    assert_eq!(levels.first(), Some(&"goal"));
    assert_eq!(levels.last(), Some(&"organisation"));
}

#[tokio::test]
async fn achievement_report_filters() {
    let monitoring = first_quarter().await;

    // Road map order; IND-90 was added last.
    let at_risk = monitoring.report("achievement", "year=2023&quarter=1&status=at_risk").await;
    assert_eq!(codes(&at_risk), ["IND-13", "IND-41", "IND-90"]);

    // INSPEKTORAT implements IND-05, IND-06 and IND-13, and coordinates IND-15, IND-16, IND-18
    // and IND-24.
    let inspectorate = monitoring.report("achievement", "year=2023&quarter=1&organisation=INSPEKTORAT").await;
    assert_eq!(codes(&inspectorate), ["IND-05", "IND-06", "IND-13", "IND-15", "IND-16", "IND-18", "IND-24"]);
    // Only IND-13 (79,84) and IND-24 (69,77) have percentages: (79,84 + 69,77) / 2 = 74,805,
    // rounded half-up to 74,81, below 75: off track.
    let organisation = roll_up(&inspectorate, "organisation", "INSPEKTORAT");
    assert_eq!(organisation["indicators"], 7);
    assert_eq!(organisation["off_track"], 2);
    assert_eq!(organisation["mean_percent"], "74.81");
    assert_eq!(organisation["status"], "off_track");

    // Roll-ups cover the filtered indicators only, and a group without any is left out.
    let stunting = monitoring.report("achievement", "year=2023&quarter=1&theme=stunting").await;
    assert_eq!(codes(&stunting), ["IND-37", "IND-38"]);
    let groups: Vec<String> = stunting["roll_ups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["level"] != "organisation")
        .map(|row| format!("{} {}", row["level"].as_str().unwrap(), row["code"].as_str().unwrap()))
        .collect();
    assert_eq!(groups, ["theme stunting", "objective ST1"]);

    // The whole year: every figure so far is of the first quarter.
    let year = monitoring.report("achievement", "year=2023&objective=S2").await;
    assert!(year.get("quarter").is_none());
    assert_eq!(indicator(&year, "IND-90")["realisation"]["value"], "30");
    assert_eq!(indicator(&year, "IND-90")["status"], "at_risk");
}

#[tokio::test]
async fn achievement_report_rejects_unknown_values() {
    let monitoring = Monitoring::open(&[]).await;

    for (query, field) in [
        ("year=2023&status=hijau", "status"),
        ("year=2023&objective=S99", "objective"),
        ("year=2023&theme=pariwisata", "theme"),
        ("year=2023&organisation=DINAS-ANTAH", "organisation"),
        ("year=2023&quarter=5", "quarter"),
        ("year=2023&basis=final", "basis"),
        ("year=2031", "year"),
    ] {
        let path = format!("/api/v1/reports/achievement?roadmap={SEMARANG}&{query}");
        let problem = monitoring.app.expect(400, Method::GET, &path, Some(&monitoring.app.token), None, None).await;

        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }

    let missing = monitoring
        .app
        .expect(400, Method::GET, "/api/v1/reports/achievement?year=2023", Some(&monitoring.admin), None, None)
        .await;
    assert_eq!(missing["errors"][0]["field"], "roadmap");
    let unknown = monitoring.app.get("/api/v1/reports/achievement?roadmap=kota-lain&year=2023").await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn provisional_basis_for_readers_of_everything() {
    let monitoring = first_quarter().await;

    let provisional = monitoring.report("achievement", "year=2023&quarter=1&basis=provisional").await;
    assert_eq!(provisional["basis"], "provisional");
    // 95 / 100 × 100 = 95 %: on track once submitted figures count.
    assert_eq!(indicator(&provisional, "IND-17")["achievement"]["percent"], "95.00");
    assert_eq!(indicator(&provisional, "IND-17")["status"], "on_track");

    let path = format!("/api/v1/reports/achievement?roadmap={SEMARANG}&year=2023&basis=provisional");
    let response = monitoring
        .app
        .client
        .get(format!("{}{path}", monitoring.app.address))
        .bearer_auth(monitoring.token("DISKOMINFO"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("basis=verified"), "{problem}");

    let verified = format!("/api/v1/reports/achievement?roadmap={SEMARANG}&year=2023");
    monitoring.app.get_json_as(monitoring.token("DISKOMINFO"), &verified).await;
}

#[tokio::test]
async fn compliance_report_counts_per_organisation() {
    let monitoring = Monitoring::open(&["INSPEKTORAT", "BAPPEDA", "BPKAD", "DIN-PPPA", "DIN-KESEHATAN"]).await;
    monitoring.app.open_period(&monitoring.admin, "2023-Q2", "2023-07-01", "2023-07-31", "refuse").await;

    // INSPEKTORAT is the only implementer of IND-06, IND-13, IND-15, IND-16, IND-18 and IND-24,
    // so it reports them. It also implements IND-05, but BAPPEDA is that one's reporting unit.
    monitoring.verified("INSPEKTORAT", "BAPPEDA", json!({"indicator": "IND-13", "value": "61"})).await;
    monitoring.verified("INSPEKTORAT", "BPKAD", json!({"indicator": "IND-06", "value": "WTP"})).await;
    let returned = monitoring.submit("INSPEKTORAT", json!({"indicator": "IND-18", "value": "70"})).await;
    monitoring.review("admin", returned, "return", json!({"note": "Lampirkan hasil survei"})).await;
    let draft = json!({"indicator": "IND-15", "value": "Dua OPD diusulkan", "met": false, "submit": false});
    monitoring.submit("INSPEKTORAT", draft).await;
    monitoring.submit("INSPEKTORAT", json!({"indicator": "IND-05", "value": "76,5"})).await;
    monitoring
        .verified("DIN-PPPA", "DIN-KESEHATAN", json!({"indicator": "IND-38", "numerator": 12, "denominator": 1000}))
        .await;
    // Five days after the deadline; the period accepts late reports.
    monitoring.app.set_time("2023-05-05T10:00:00+07:00");
    monitoring.submit("INSPEKTORAT", json!({"indicator": "IND-16", "value": "3,1"})).await;

    let report = monitoring.report("compliance", "year=2023").await;

    assert_eq!(report["as_of"], "2023-05-05");
    let periods: Vec<&str> =
        report["periods"].as_array().unwrap().iter().map(|p| p["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2023-Q1"], "2023-Q2 opens on 1 July");
    assert_eq!(report["periods"][0]["state"], "closed");
    let row = |code: &str| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["organisation"]["code"] == code)
            .unwrap_or_else(|| panic!("no row of {code}"))
            .clone()
    };

    // Due 6. Submitted: IND-13, IND-06 and IND-18 on time, IND-16 late. IND-16 waits for
    // verification, IND-18 was returned, IND-13 and IND-06 are verified. Missing: IND-15 (a
    // draft) and IND-24 (never reported). IND-05 is not due, so it is not counted.
    let inspectorate = row("INSPEKTORAT");
    assert_eq!(inspectorate["period"], "2023-Q1");
    assert_eq!(inspectorate["due"], 6);
    assert_eq!(inspectorate["submitted"], 4);
    assert_eq!(inspectorate["on_time"], 3);
    assert_eq!(inspectorate["late"], 1);
    assert_eq!(inspectorate["exception"], 0);
    assert_eq!(inspectorate["awaiting_verification"], 1);
    assert_eq!(inspectorate["returned"], 1);
    assert_eq!(inspectorate["verified"], 2);
    assert_eq!(inspectorate["missing"], 2);

    // DIN-PPPA reports IND-38 (a rate every implementer reports); IND-37's figure comes from
    // DIN-KESEHATAN alone.
    let women = row("DIN-PPPA");
    assert_eq!(women["due"], 1);
    assert_eq!(women["on_time"], 1);
    assert_eq!(women["verified"], 1);
    assert_eq!(women["missing"], 0);

    // BAPPEDA reports IND-05 and IND-19 (as the first of their implementers) and IND-38 (a
    // rate), and has sent nothing.
    let planning = row("BAPPEDA");
    assert_eq!(planning["due"], 3);
    assert_eq!(planning["submitted"], 0);
    assert_eq!(planning["missing"], 3);

    let filtered = monitoring.report("compliance", "year=2023&quarter=1&organisation=INSPEKTORAT").await;
    assert_eq!(filtered["rows"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["rows"][0]["missing"], 2);
    let later = monitoring.report("compliance", "year=2023&quarter=2").await;
    assert_eq!(later["rows"], json!([]));

    let path = format!("/api/v1/reports/compliance?roadmap={SEMARANG}&year=2023&organisation=DINAS-ANTAH");
    let problem = monitoring.app.expect(400, Method::GET, &path, Some(&monitoring.app.token), None, None).await;
    assert_eq!(problem["errors"][0]["field"], "organisation");
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// GETs a report as the viewer, with an `Accept` header when one is given.
async fn download(app: &TestApp, kind: &str, query: &str, accept: Option<&str>) -> reqwest::Response {
    let url = format!("{}/api/v1/reports/{kind}?roadmap={SEMARANG}&{query}", app.address);
    let mut request = app.client.get(url).bearer_auth(&app.token);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    request.send().await.expect("request failed")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

fn open_workbook(bytes: Vec<u8>) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("the body is not an XLSX workbook")
}

/// Returns the row of a sheet whose column `column` contains `text`.
fn sheet_row(sheet: &calamine::Range<calamine::Data>, column: usize, text: &str) -> Vec<calamine::Data> {
    sheet
        .rows()
        .find(|row| row.get(column).is_some_and(|cell| *cell == text))
        .unwrap_or_else(|| panic!("no row with {text:?} in column {column}"))
        .to_vec()
}

/// Reads a CSV body into its header and records.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect("the CSV has a header").iter().map(str::to_string).collect();
    let records = reader.records().map(|record| record.expect("a CSV record parses")).collect();
    (header, records)
}

#[tokio::test]
async fn achievement_xlsx_numbers_as_numbers() {
    use calamine::{Data, Reader};

    let monitoring = first_quarter().await;

    let response = download(&monitoring.app, "achievement", "year=2023&quarter=1", Some(XLSX)).await;

    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), XLSX);
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"capaian-semarang-2023-2024-2023-TW1.xlsx\""
    );
    let mut workbook = open_workbook(response.bytes().await.unwrap().to_vec());
    let names = workbook.sheet_names();
    for expected in ["Ringkasan", "Tujuan dan Sasaran", "Sasaran S1", "Sasaran S2", "Tema stunting", "Tema inflasi"] {
        assert!(names.iter().any(|name| name == expected), "no sheet {expected:?} in {names:?}");
    }
    assert_eq!(names.last().map(String::as_str), Some("Semua Indikator"));

    // Tabel 3.2: IND-04 is shown at the activity K1.03 of S1.
    let objective = workbook.worksheet_range("Sasaran S1").unwrap();
    let header_row: Vec<String> = objective.rows().nth(3).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(
        header_row,
        [
            "Kegiatan Utama",
            "Kode",
            "Indikator",
            "Satuan",
            "Baseline 2022",
            "Target 2023 TW1",
            "Realisasi",
            "Capaian (%)",
            "Status",
            "Koordinator",
            "Pelaksana"
        ]
    );
    let spbe = sheet_row(&objective, 1, "IND-04");
    assert_eq!(spbe[0], Data::String("Pelaksanaan Arsitektur SPBE Nasional".into()));
    assert_eq!(spbe[4], Data::Float(3.38));
    assert_eq!(spbe[5], Data::Float(3.6));
    assert_eq!(spbe[6], Data::Float(3.3));
    assert_eq!(spbe[7], Data::Float(91.67));
    assert_eq!(spbe[8], Data::String("on_track".into()));

    // Tabel 3.4: the inflation band stays as printed, its achievement is a number.
    let theme = workbook.worksheet_range("Tema inflasi").unwrap();
    let inflation = sheet_row(&theme, 1, "IND-41");
    assert_eq!(inflation[0], Data::String("Terkendalinya tingkat inflasi".into()));
    assert_eq!(inflation[5], Data::String("2,5 ± 1%".into()));
    assert_eq!(inflation[6], Data::Float(4.1));
    assert_eq!(inflation[7], Data::Float(82.86));

    // The roll-up of S1, as in the JSON report: 18 indicators, mean 90,32 %.
    let summary = workbook.worksheet_range("Ringkasan").unwrap();
    let roll_up = sheet_row(&summary, 1, "S1");
    assert_eq!(roll_up[0], Data::String("Sasaran".into()));
    assert_eq!(roll_up[3], Data::Float(18.0));
    assert_eq!(roll_up[10], Data::Float(90.32));
    assert_eq!(roll_up[11], Data::String("on_track".into()));
}

#[tokio::test]
async fn achievement_csv_matches_json() {
    let monitoring = first_quarter().await;
    let report = monitoring.report("achievement", "year=2023&quarter=1").await;

    let response = download(&monitoring.app, "achievement", "year=2023&quarter=1&format=csv", None).await;

    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"capaian-semarang-2023-2024-2023-TW1.csv\""
    );
    let (columns, records) = read_csv(&response.bytes().await.unwrap());
    let column =
        |name: &str| columns.iter().position(|header| header == name).unwrap_or_else(|| panic!("no column {name}"));
    let (code, capaian, status, realisation, target) =
        (column("Kode"), column("Capaian (%)"), column("Status"), column("Realisasi"), column("Target"));
    let indicators = report["indicators"].as_array().unwrap();
    assert_eq!(records.len(), indicators.len(), "one row per indicator");

    for (record, json) in records.iter().zip(indicators) {
        let name = json["code"].as_str().unwrap();
        assert_eq!(&record[code], name);
        assert_eq!(&record[capaian], json["achievement"]["percent"].as_str().unwrap_or(""), "{name}");
        assert_eq!(&record[status], json["status"].as_str().unwrap(), "{name}");
        let realisation_number = match json["realisation"]["type"].as_str() {
            Some("number") => json["realisation"]["value"].as_str().unwrap(),
            _ => "",
        };
        assert_eq!(&record[realisation], realisation_number, "{name}");
        let target_number = match json["target"]["value"]["type"].as_str() {
            Some("number") => json["target"]["value"]["value"].as_str().unwrap(),
            _ => "",
        };
        assert_eq!(&record[target], target_number, "{name}");
    }
    // Numbers in plain notation with a dot, never the Indonesian comma.
    let spbe = records.iter().find(|record| &record[code] == "IND-04").unwrap();
    assert_eq!(&spbe[realisation], "3.3");
    assert_eq!(&spbe[capaian], "91.67");
}

#[tokio::test]
async fn report_format_selection() {
    let monitoring = Monitoring::open(&[]).await;
    let app = &monitoring.app;

    for (accept, query, expected) in [
        (None, "year=2023", "application/json"),
        (Some("*/*"), "year=2023", "application/json"),
        (Some("application/json"), "year=2023", "application/json"),
        (Some("text/csv"), "year=2023", "text/csv; charset=utf-8"),
        (Some("text/html, text/csv;q=0.5"), "year=2023", "text/csv; charset=utf-8"),
        (Some(XLSX), "year=2023", XLSX),
        (Some("text/csv"), "year=2023&format=xlsx", XLSX),
        (Some(XLSX), "year=2023&format=json", "application/json"),
        (Some("text/html"), "year=2023&format=csv", "text/csv; charset=utf-8"),
    ] {
        for kind in ["achievement", "compliance"] {
            let response = download(app, kind, query, accept).await;

            assert_eq!(response.status(), 200, "{kind} {accept:?} {query}");
            assert_eq!(header(&response, "content-type"), expected, "{kind} {accept:?} {query}");
            let vary: Vec<&str> = header(&response, "vary").split(',').map(str::trim).collect();
            assert!(vary.contains(&"Accept"), "{kind} {accept:?} {query}: Vary {vary:?}");
        }
    }

    let json = download(app, "achievement", "year=2023", None).await;
    assert_eq!(header(&json, "content-disposition"), "", "JSON is not an attachment");
    let whole_year = download(app, "compliance", "year=2023&format=xlsx", None).await;
    assert_eq!(
        header(&whole_year, "content-disposition"),
        "attachment; filename=\"kepatuhan-semarang-2023-2024-2023.xlsx\""
    );
}

#[tokio::test]
async fn unsupported_accept_is_406() {
    let monitoring = Monitoring::open(&[]).await;
    let app = &monitoring.app;

    for kind in ["achievement", "compliance"] {
        for accept in ["text/html", "application/pdf, image/*", "text/csv;q=0"] {
            let response = download(app, kind, "year=2023", Some(accept)).await;

            assert_eq!(response.status(), 406, "{kind} {accept}");
            assert_eq!(header(&response, "content-type"), "application/problem+json", "{kind} {accept}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["status"], 406, "{kind} {accept}");
            assert_eq!(problem["type"], "urn:petajalan:problem:not-acceptable", "{kind} {accept}");
        }

        let unknown = download(app, kind, "year=2023&format=pdf", None).await;
        assert_eq!(unknown.status(), 400, "{kind}");
        let problem: Value = unknown.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "format", "{kind}");
    }
}

#[tokio::test]
async fn compliance_csv_and_xlsx_match_json() {
    use calamine::{Data, Reader};

    let monitoring = Monitoring::open(&["INSPEKTORAT", "BAPPEDA"]).await;
    monitoring.verified("INSPEKTORAT", "BAPPEDA", json!({"indicator": "IND-13", "value": "61"})).await;
    let report = monitoring.report("compliance", "year=2023").await;
    let inspectorate =
        report["rows"].as_array().unwrap().iter().find(|row| row["organisation"]["code"] == "INSPEKTORAT").unwrap();

    let csv_response = download(&monitoring.app, "compliance", "year=2023", Some("text/csv")).await;
    assert_eq!(
        header(&csv_response, "content-disposition"),
        "attachment; filename=\"kepatuhan-semarang-2023-2024-2023.csv\""
    );
    let (columns, records) = read_csv(&csv_response.bytes().await.unwrap());
    assert_eq!(columns[..4], ["Kode organisasi", "Organisasi", "Periode", "Wajib lapor"]);
    assert_eq!(records.len(), report["rows"].as_array().unwrap().len(), "one row per organisation and period");
    let row = records.iter().find(|record| &record[0] == "INSPEKTORAT").unwrap();
    assert_eq!(&row[2], "2023-Q1");
    assert_eq!(&row[3], inspectorate["due"].to_string());
    assert_eq!(&row[10], inspectorate["verified"].to_string());
    assert_eq!(&row[11], inspectorate["missing"].to_string());

    let xlsx_response = download(&monitoring.app, "compliance", "year=2023&quarter=1", Some(XLSX)).await;
    assert_eq!(
        header(&xlsx_response, "content-disposition"),
        "attachment; filename=\"kepatuhan-semarang-2023-2024-2023-TW1.xlsx\""
    );
    let mut workbook = open_workbook(xlsx_response.bytes().await.unwrap().to_vec());
    assert_eq!(workbook.sheet_names(), ["Kepatuhan", "Periode"]);
    let sheet = workbook.worksheet_range("Kepatuhan").unwrap();
    let cells = sheet_row(&sheet, 0, "INSPEKTORAT");
    assert_eq!(cells[3], Data::Float(inspectorate["due"].as_f64().unwrap()));
    assert_eq!(cells[10], Data::Float(1.0));
    let periods = workbook.worksheet_range("Periode").unwrap();
    assert_eq!(sheet_row(&periods, 0, "2023-Q1")[3], Data::String("open".into()));
}
