//! `petajalan import`: one transaction, repeatable, updates in place, rejects invalid files whole.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{SEMARANG, SEMARANG_FILE, TestApp, repo_path};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::Value;

fn run_import(database_url: &str, file: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_petajalan"))
        .args(["import"])
        .arg(file)
        .env("DATABASE_URL", database_url)
        .env("PETAJALAN_LANG", "id")
        .env("PETAJALAN_LOG", "warn")
        .output()
        .expect("run petajalan import")
}

fn write_temp(content: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("petajalan-test-{}.toml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, content).unwrap();
    path
}

fn semarang_source() -> String {
    std::fs::read_to_string(repo_path(SEMARANG_FILE)).unwrap()
}

/// Replaces the first occurrence of `from`, failing the test if there is none.
fn replace_once(source: &str, from: &str, to: &str) -> String {
    assert!(source.contains(from), "the test data no longer contains {from:?}");
    source.replacen(from, to, 1)
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct TableState {
    #[diesel(sql_type = Text)]
    state: String,
}

/// Row counts and the latest `updated_at` of every road map table, as one text.
async fn table_state(app: &TestApp) -> String {
    let mut connection = app.database.connect().await;
    let query = "SELECT string_agg(line, E'\\n' ORDER BY line) AS state FROM ( \
        SELECT 'organisations ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') AS line FROM organisations UNION ALL \
        SELECT 'roadmaps ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM roadmaps UNION ALL \
        SELECT 'goals ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM goals UNION ALL \
        SELECT 'themes ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM themes UNION ALL \
        SELECT 'objectives ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM objectives UNION ALL \
        SELECT 'activities ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM activities UNION ALL \
        SELECT 'indicators ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') FROM indicators UNION ALL \
        SELECT 'placements ' || count(*) || ' ' || coalesce(max(id)::text, '') FROM indicator_placements UNION ALL \
        SELECT 'implementers ' || count(*) FROM indicator_implementers UNION ALL \
        SELECT 'figures ' || count(*) || ' ' || coalesce(max(updated_at)::text, '') || ' ' || coalesce(max(id)::text, '') FROM indicator_figures \
    ) AS lines";
    let rows: Vec<TableState> = diesel::sql_query(query).load(&mut connection).await.unwrap();
    rows.into_iter().next().unwrap().state
}

async fn tree(app: &TestApp) -> Value {
    app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/tree")).await
}

#[tokio::test]
async fn second_import_changes_nothing() {
    let app = TestApp::spawn().await;
    let file = repo_path(SEMARANG_FILE);

    let first = run_import(&app.database.url(), &file);
    let tree_after_first = tree(&app).await;
    let state_after_first = table_state(&app).await;
    let second = run_import(&app.database.url(), &file);

    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let second_output = String::from_utf8_lossy(&second.stdout);
    assert!(second_output.contains("tidak ada perubahan"), "{second_output}");
    assert_eq!(tree(&app).await, tree_after_first);
    assert_eq!(table_state(&app).await, state_after_first);
}

#[tokio::test]
async fn unknown_organisation_rejects_whole_file() {
    let app = TestApp::spawn_with_semarang().await;
    let broken =
        replace_once(&semarang_source(), "coordinator = \"Inspektorat\"", "coordinator = \"Dinas Antah Berantah\"");
    let broken = replace_once(&broken, "2023 = \"2,8\"", "2023 = \"2.8\"");
    let file = write_temp(&broken);
    let before = (tree(&app).await, table_state(&app).await);

    let output = run_import(&app.database.url(), &file);

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let coordinator_line = broken.lines().position(|line| line.contains("Dinas Antah Berantah")).unwrap() + 1;
    assert!(stderr.contains(&format!(":{coordinator_line}:")), "line {coordinator_line} not named: {stderr}");
    assert!(stderr.contains("organisasi \"Dinas Antah Berantah\" tidak dikenal"), "{stderr}");
    assert!(stderr.contains("\"2.8\" ambigu"), "{stderr}");
    assert!(stderr.contains("2 masalah"), "{stderr}");
    assert_eq!((tree(&app).await, table_state(&app).await), before);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn duplicate_code_rejects_whole_file() {
    let app = TestApp::spawn().await;
    let broken = replace_once(&semarang_source(), "code = \"IND-41\"", "code = \"IND-40\"");
    let file = write_temp(&broken);

    let output = run_import(&app.database.url(), &file);

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kode indikator \"IND-40\" muncul dua kali"), "{stderr}");
    assert_eq!(app.get_json("/api/v1/roadmaps").await["total"], 0);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn corrected_file_updates_in_place() {
    let app = TestApp::spawn_with_semarang().await;
    let before = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-16")).await;
    let corrected = replace_once(&semarang_source(), "2024 = \"2,9\"", "2024 = \"3,1\"");
    let corrected =
        replace_once(&corrected, "name = \"Tingkat Maturitas SPIP\"", "name = \"Tingkat Maturitas SPIP Terintegrasi\"");
    let file = write_temp(&corrected);

    let output = run_import(&app.database.url(), &file);
    let after = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-16")).await;

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let indicator_row = stdout.lines().find(|line| line.trim_start().starts_with("indicators ")).unwrap();
    assert_eq!(indicator_row.split_whitespace().collect::<Vec<_>>(), ["indicators", "0", "1", "40", "0"]);
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["name"], "Tingkat Maturitas SPIP Terintegrasi");
    let target_2024 = after["targets"].as_array().unwrap().iter().find(|figure| figure["year"] == 2024).unwrap();
    assert_eq!(target_2024["value"]["value"], "3.1");
    assert_eq!(after["baseline"], before["baseline"]);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn check_mode_touches_no_database() {
    let broken = replace_once(&semarang_source(), "value_kind = \"index\"", "value_kind = \"indeks\"");
    let file = write_temp(&broken);

    let output = Command::new(env!("CARGO_BIN_EXE_petajalan"))
        .args(["import", "--check"])
        .arg(&file)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("PETAJALAN_LANG", "en")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown value_kind value \"indeks\""), "{stderr}");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn import_runs_in_one_transaction() {
    let app = TestApp::spawn().await;
    // The file is valid, but the database refuses its last indicator: a trigger makes the
    // insert fail after earlier rows were written inside the transaction.
    let mut connection = app.database.connect().await;
    diesel::sql_query(
        "CREATE FUNCTION refuse_ind41() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN IF NEW.code = 'IND-41' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    diesel::sql_query(
        "CREATE TRIGGER refuse_ind41 BEFORE INSERT ON indicators FOR EACH ROW EXECUTE FUNCTION refuse_ind41()",
    )
    .execute(&mut connection)
    .await
    .unwrap();

    let output = run_import(&app.database.url(), &repo_path(SEMARANG_FILE));

    assert!(!output.status.success());
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let counts: Vec<Count> = diesel::sql_query(
        "SELECT (SELECT count(*) FROM organisations) + (SELECT count(*) FROM roadmaps) + (SELECT count(*) FROM indicators) AS count",
    )
    .load(&mut connection)
    .await
    .unwrap();
    assert_eq!(counts[0].count, 0);
}

#[test]
fn guide_example_passes_the_check() {
    let guide = std::fs::read_to_string(repo_path("docs/panduan-berkas-peta-jalan.md")).unwrap();
    let start = guide.find("```toml\n").expect("the guide has a TOML example") + "```toml\n".len();
    let end = start + guide[start..].find("```").unwrap();

    let result = petajalan::domain::roadmap_file::parse_roadmap_file(&guide[start..end]);

    let problems: Vec<String> = result
        .err()
        .unwrap_or_default()
        .iter()
        .map(|problem| problem.message(petajalan::domain::lang::Lang::En).to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn import_splits_large_batches() {
    let app = TestApp::spawn().await;
    let semarang = petajalan::domain::roadmap_file::parse_roadmap_file(&semarang_source()).unwrap();
    // 40 copies have 4920 baselines and targets of 14 columns each: 68 880 bind parameters,
    // more than PostgreSQL takes in one statement.
    let large = petajalan::domain::synth::replicate(&semarang, 40, "semarang-x40").unwrap();
    let mut connection = app.database.connect().await;

    let report = petajalan::db::import::import_document(&mut connection, &large).await.unwrap();

    let figures = report.tables.iter().find(|(table, _)| *table == "indicator_figures").unwrap();
    assert_eq!(figures.1.inserted, 40 * 123);
    let indicators = app.get_json("/api/v1/roadmaps/semarang-x40/indicators?page_size=1").await;
    assert_eq!(indicators["total"], 40 * 41);
    let last = app.get_json("/api/v1/roadmaps/semarang-x40/indicators/IND-41-40").await;
    assert_eq!(last["targets"].as_array().unwrap().len(), 2);
}
