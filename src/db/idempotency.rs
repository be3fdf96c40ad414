//! Stored responses of POST requests sent with an `Idempotency-Key`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::idempotency_keys;

/// A response as stored for replay.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: serde_json::Value,
    pub location: Option<String>,
    pub etag: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    fingerprint: Vec<u8>,
    status: i16,
    response_body: serde_json::Value,
    location: Option<String>,
    etag: Option<String>,
}

/// How long a key is kept, in hours.
pub const KEEP_HOURS: i64 = 24;

/// Keys stored before this moment have expired.
fn expiry() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS)
}

/// Waits until no other transaction works under the same key, then returns the stored
/// fingerprint and response, if any. Must run inside a transaction: the lock lasts until it ends.
pub async fn claim(
    connection: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
) -> QueryResult<Option<(Vec<u8>, StoredResponse)>> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("{principal}\u{1f}{key}"))
        .execute(connection)
        .await?;
    let row = idempotency_keys::table
        .find((principal, key))
        .filter(idempotency_keys::created_at.gt(expiry()))
        .select(KeyRow::as_select())
        .first(connection)
        .await
        .optional()?;
    Ok(row.map(|row| {
        let stored = StoredResponse {
            status: row.status as u16,
            body: row.response_body,
            location: row.location,
            etag: row.etag,
        };
        (row.fingerprint, stored)
    }))
}

/// Stores the response of a key, replacing an expired one, and clears out expired keys of the
/// same caller.
pub async fn store(
    connection: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    fingerprint: &[u8],
    response: &StoredResponse,
) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::principal.eq(principal))
            .filter(idempotency_keys::created_at.le(expiry())),
    )
    .execute(connection)
    .await?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal.eq(principal),
            idempotency_keys::key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status.eq(response.status as i16),
            idempotency_keys::response_body.eq(&response.body),
            idempotency_keys::location.eq(&response.location),
            idempotency_keys::etag.eq(&response.etag),
        ))
        .execute(connection)
        .await?;
    Ok(())
}
