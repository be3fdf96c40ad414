//! Queries of the change feed that the database's triggers write.
//!
//! The `changes` table is left out of the diesel schema, because diesel has no type for its
//! `xid8` column. These queries cast it to text and back.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Int4, Jsonb, Nullable, Text, Timestamptz};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::change_feed::Cursor;

/// One entry of the feed.
#[derive(Debug, QueryableByName)]
pub struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// The writing transaction's id, as text.
    #[diesel(sql_type = Text)]
    pub transaction: String,
    #[diesel(sql_type = Timestamptz)]
    pub changed_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub item_id: i64,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Int4>)]
    pub version: Option<i32>,
    #[diesel(sql_type = Jsonb)]
    pub details: serde_json::Value,
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = Text)]
    xmin: String,
}

/// The selection of entries to read: road map, start, kinds, time and page size.
pub struct ChangeQuery<'a> {
    pub roadmap_id: i64,
    pub after: Cursor,
    /// Kinds to list; all when empty.
    pub kinds: &'a [String],
    /// Only entries written at or after this moment.
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// Returns the oldest transaction that may still be running. Every transaction before it has
/// ended, so its entries are final.
pub async fn horizon(connection: &mut AsyncPgConnection) -> QueryResult<u64> {
    let row: Horizon = diesel::sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin")
        .get_result(connection)
        .await?;
    row.xmin.parse().map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))
}

/// Returns up to `limit` entries after the cursor, in feed order, of transactions before
/// `horizon`.
pub async fn page(
    connection: &mut AsyncPgConnection,
    query: &ChangeQuery<'_>,
    horizon: u64,
) -> QueryResult<Vec<ChangeRow>> {
    diesel::sql_query(
        // The transaction id is selected as text under another name, because ORDER BY would
        // take an output column named `txid` before the table's column and sort it as text.
        "SELECT id, txid::text AS transaction, changed_at, kind, item_id, action, version, details
         FROM changes
         WHERE roadmap_id = $1
           AND (changes.txid, changes.id) > ($2::xid8, $3)
           AND changes.txid < $4::xid8
           AND (cardinality($5::text[]) = 0 OR kind = ANY($5))
           AND ($6::timestamptz IS NULL OR changed_at >= $6)
         ORDER BY changes.txid, changes.id
         LIMIT $7",
    )
    .bind::<BigInt, _>(query.roadmap_id)
    .bind::<Text, _>(query.after.transaction.to_string())
    .bind::<BigInt, _>(query.after.entry)
    .bind::<Text, _>(horizon.to_string())
    .bind::<Array<Text>, _>(query.kinds)
    .bind::<Nullable<Timestamptz>, _>(query.since)
    .bind::<BigInt, _>(query.limit)
    .load(connection)
    .await
}
