//! The change feed: every change once, in a stable order, also when transactions commit out of
//! order while a client pages.
//!
//! BAPPEDA implements IND-02, IND-03, IND-05, IND-19 and IND-40.

mod common;

use std::collections::HashSet;

use common::{SEMARANG, TestApp};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

struct Feed {
    app: TestApp,
    admin: String,
    bappeda: String,
}

async fn setup() -> Feed {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let (_, bappeda) = app.create_user("bappeda", "opd", Some("BAPPEDA")).await;
    app.set_time("2023-04-10T10:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    Feed { app, admin, bappeda }
}

/// A client of the feed: its cursor and every change it has received.
#[derive(Default)]
struct Reader {
    cursor: Option<String>,
    received: Vec<Value>,
}

impl Reader {
    /// Reads one page and returns how many changes it held.
    async fn read_page(&mut self, feed: &Feed, limit: u32) -> (usize, bool) {
        let after = self.cursor.as_ref().map(|cursor| format!("&after={cursor}")).unwrap_or_default();
        let page = feed
            .app
            .get_json_as(&feed.admin, &format!("/api/v1/roadmaps/{SEMARANG}/changes?limit={limit}{after}"))
            .await;
        let items = page["items"].as_array().unwrap().clone();
        self.cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
        self.received.extend(items.iter().cloned());
        (items.len(), page["has_more"].as_bool().unwrap())
    }

    /// Reads pages until `has_more` is false.
    async fn catch_up(&mut self, feed: &Feed, limit: u32) {
        while self.read_page(feed, limit).await.1 {}
    }

    /// Polls, as a client does, until a page contains changes. Any transaction on the
    /// PostgreSQL server, in another database too, may hold the feed back for a moment.
    async fn poll(&mut self, feed: &Feed, limit: u32) -> (usize, bool) {
        for _ in 0..100 {
            let (count, has_more) = self.read_page(feed, limit).await;
            if count > 0 {
                return (count, has_more);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no change reached the feed within 10 s");
    }

    /// Polls until every entry in the table has arrived, then reads to the end.
    async fn receive_all(&mut self, feed: &Feed, limit: u32, connection: &mut AsyncPgConnection) {
        let expected = all_entries(connection).await.len();
        while self.received.len() < expected {
            self.poll(feed, limit).await;
        }
        self.catch_up(feed, limit).await;
    }

    fn entries(&self) -> Vec<i64> {
        self.received.iter().map(|item| entry_of(item["cursor"].as_str().unwrap())).collect()
    }
}

fn entry_of(cursor: &str) -> i64 {
    cursor.split_once('-').unwrap().1.parse().unwrap()
}

#[derive(QueryableByName)]
struct EntryId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Reads the id of every entry straight from the feed table.
async fn all_entries(connection: &mut AsyncPgConnection) -> HashSet<i64> {
    let rows: Vec<EntryId> = diesel::sql_query("SELECT id FROM changes").load(connection).await.unwrap();
    rows.into_iter().map(|row| row.id).collect()
}

async fn submit(feed: &Feed, indicator: &str, value: &str) -> i64 {
    let body = json!({ "indicator": indicator, "period": "2023-Q1", "value": value });
    feed.app.report(&feed.bappeda, body).await["id"].as_i64().unwrap()
}

/// Asserts that the reader got each entry once, in cursor order, and all that the table holds.
async fn assert_each_once(reader: &Reader, connection: &mut AsyncPgConnection) {
    let entries = reader.entries();
    let unique: HashSet<i64> = entries.iter().copied().collect();
    assert_eq!(unique.len(), entries.len(), "an entry came twice: {entries:?}");
    assert_eq!(unique, all_entries(connection).await, "the reader missed entries");
    let cursors: Vec<(u64, i64)> = reader
        .received
        .iter()
        .map(|item| {
            let (transaction, entry) = item["cursor"].as_str().unwrap().split_once('-').unwrap();
            (transaction.parse().unwrap(), entry.parse().unwrap())
        })
        .collect();
    assert!(cursors.windows(2).all(|pair| pair[0] < pair[1]), "cursors out of order: {cursors:?}");
}

#[tokio::test]
async fn each_change_once_across_pages_with_late_commits() {
    let feed = setup().await;
    let mut observer = feed.app.database.connect().await;
    let mut reader = Reader::default();

    // The import's targets are already in the feed.
    reader.receive_all(&feed, 7, &mut observer).await;
    let targets = reader.received.iter().filter(|item| item["kind"] == "target").count();
    assert!(targets >= 41, "only {targets} target entries after the import");
    assert_each_once(&reader, &mut observer).await;

    // A slow writer starts a transaction and writes an entry before the API's writes, so its
    // entry has the lower id, but it commits after them.
    let mut slow = feed.app.database.connect().await;
    slow.batch_execute("BEGIN").await.unwrap();
    slow.batch_execute(
        "UPDATE indicator_figures SET version = version + 1
         WHERE id = (SELECT min(id) FROM indicator_figures WHERE role = 'target')",
    )
    .await
    .unwrap();
    let first = submit(&feed, "IND-05", "76,5").await;
    submit(&feed, "IND-03", "1.000.000").await;

    // While the slow transaction runs, the API's committed changes are held back.
    let before = reader.received.len();
    let (count, has_more) = reader.read_page(&feed, 2).await;
    assert_eq!((count, has_more), (0, false), "changes after a running transaction must wait");
    assert_eq!(reader.received.len(), before);

    slow.batch_execute("COMMIT").await.unwrap();

    // The client reads one page, then more changes commit while it pages.
    reader.poll(&feed, 2).await;
    assert_eq!(reader.received[before]["kind"], "target", "the slow writer's change comes first");
    submit(&feed, "IND-40", "1.077").await;
    reader.receive_all(&feed, 2, &mut observer).await;

    // Another slow writer begins while the client is mid-way and commits after a later change.
    let mut second = feed.app.database.connect().await;
    second.batch_execute("BEGIN").await.unwrap();
    second
        .batch_execute(
            "UPDATE indicator_figures SET version = version + 1
             WHERE id = (SELECT max(id) FROM indicator_figures WHERE role = 'target')",
        )
        .await
        .unwrap();
    submit(&feed, "IND-19", "80").await;
    reader.read_page(&feed, 2).await;
    second.batch_execute("COMMIT").await.unwrap();
    reader.receive_all(&feed, 2, &mut observer).await;

    assert_each_once(&reader, &mut observer).await;
    let kinds: Vec<&str> = reader.received[before..].iter().map(|item| item["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["target", "realisation", "realisation", "realisation", "target", "realisation"]);
    let realisation = reader.received.iter().find(|item| item["kind"] == "realisation" && item["id"] == first).unwrap();
    assert_eq!(realisation["action"], "submit");
    assert_eq!(realisation["version"], 1);
    assert_eq!(realisation["href"], format!("/api/v1/realisations/{first}"));
    assert_eq!(realisation["data"]["state"], "submitted");
    assert_eq!(realisation["data"]["indicator"]["code"], "IND-05");
}

/// Polls a feed query until its page contains changes. A transaction anywhere on the PostgreSQL
/// server, another test's included, may hold the feed back for a moment.
async fn wait_for_changes(feed: &Feed, path: &str) -> Value {
    for _ in 0..100 {
        let page = feed.app.get_json_as(&feed.admin, path).await;
        if !page["items"].as_array().unwrap().is_empty() {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no change reached {path} within 10 s");
}

#[tokio::test]
async fn filters_limits_and_callers() {
    let feed = setup().await;
    let first = submit(&feed, "IND-05", "76,5").await;
    let path = format!("/api/v1/roadmaps/{SEMARANG}/changes");

    let page = wait_for_changes(&feed, &format!("{path}?kind=realisation")).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], first);
    assert_eq!(page["has_more"], false);
    let href = items[0]["href"].as_str().unwrap();
    assert_eq!(feed.app.get_json_as(&feed.admin, href).await["id"], first);

    // A target's link leads to its history.
    let page = feed.app.get_json(&format!("{path}?kind=target&limit=1")).await;
    assert_eq!(page["has_more"], true);
    let target = &page["items"][0];
    assert_eq!(target["action"], "create");
    assert!(target["data"]["indicator"].as_str().unwrap().starts_with("IND-"));
    feed.app.get_json(target["href"].as_str().unwrap()).await;

    // Polling again from the returned cursor gives nothing new, and keeps the place.
    let page = feed.app.get_json_as(&feed.admin, &format!("{path}?kind=realisation")).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let again = feed.app.get_json_as(&feed.admin, &format!("{path}?kind=realisation&after={cursor}")).await;
    assert_eq!(again["items"], json!([]));
    assert!(again["next_cursor"].as_str().unwrap() >= cursor.as_str());

    // A time filter in the future leaves everything out.
    let later = feed.app.get_json(&format!("{path}?since=2999-01-01T00:00:00Z")).await;
    assert_eq!(later["items"], json!([]));

    for (query, field) in [
        ("after=abc", "after"),
        ("after=1-", "after"),
        ("kind=realisation,report", "kind"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("since=kemarin", "since"),
        ("page=2", "page"),
    ] {
        let body =
            feed.app.expect(400, reqwest::Method::GET, &format!("{path}?{query}"), Some(&feed.admin), None, None).await;
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|error| error["field"].as_str().unwrap()).collect();
        assert_eq!(fields, [field], "{query}: {body}");
    }

    // An organisation's user reads only its own data, so the feed is closed to it.
    let body = feed.app.expect(403, reqwest::Method::GET, &path, Some(&feed.bappeda), None, None).await;
    assert!(body["detail"].as_str().unwrap().contains("umpan perubahan"), "{body}");
    feed.app
        .expect(404, reqwest::Method::GET, "/api/v1/roadmaps/tidak-ada/changes", Some(&feed.admin), None, None)
        .await;
}

#[tokio::test]
async fn order_is_numeric_across_digit_counts() {
    let feed = setup().await;
    let mut connection = feed.app.database.connect().await;

    // Transaction ids grow past each power of ten. Entries written by transactions 99 and 100
    // must come in that order, not in the order text would sort them.
    for transaction in ["100", "99"] {
        diesel::sql_query(
            "INSERT INTO changes (txid, roadmap_id, kind, item_id, action, details)
             SELECT $1::xid8, roadmaps.id, 'target', indicators.id, 'update',
                    jsonb_build_object('indicator', indicators.code, 'year', 2023, 'quarter', NULL, 'printed', '1')
             FROM roadmaps JOIN indicators ON indicators.roadmap_id = roadmaps.id
             WHERE indicators.code = 'IND-05'",
        )
        .bind::<diesel::sql_types::Text, _>(transaction)
        .execute(&mut connection)
        .await
        .unwrap();
    }

    let mut reader = Reader::default();
    reader.receive_all(&feed, 1, &mut connection).await;

    let transactions: Vec<u64> = reader
        .received
        .iter()
        .map(|item| item["cursor"].as_str().unwrap().split_once('-').unwrap().0.parse().unwrap())
        .collect();
    assert_eq!(transactions[..2], [99, 100]);
    assert!(transactions.windows(2).all(|pair| pair[0] <= pair[1]), "{transactions:?}");
    assert_each_once(&reader, &mut connection).await;
}

#[tokio::test]
async fn drafts_enter_feed_when_submitted() {
    let feed = setup().await;
    let body = json!({ "indicator": "IND-05", "period": "2023-Q1", "value": "70", "submit": false });
    let draft = feed.app.report(&feed.bappeda, body).await;
    let id = draft["id"].as_i64().unwrap();
    let path = format!("/api/v1/roadmaps/{SEMARANG}/changes?kind=realisation");

    // A later change in another realisation shows that the feed has moved past the draft.
    submit(&feed, "IND-03", "1.000.000").await;
    let page = wait_for_changes(&feed, &path).await;
    let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect();
    assert!(!ids.contains(&id), "a draft is in the feed: {page}");

    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let tag = format!("\"{}\"", draft["version"]);
    feed.app
        .expect(
            200,
            reqwest::Method::POST,
            &format!("/api/v1/realisations/{id}/submit"),
            Some(&feed.bappeda),
            Some(&json!({})),
            Some(&tag),
        )
        .await;
    let page = wait_for_changes(&feed, &format!("{path}&after={cursor}")).await;
    let item = &page["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["action"], "submit");
    assert_eq!(item["data"]["state"], "submitted");
}
