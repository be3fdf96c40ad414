//! Queries on evidence (bukti dukung).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::evidence;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: i64,
    pub realisation_id: i64,
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<Vec<u8>>,
    pub storage_key: Option<String>,
    pub description: Option<String>,
    pub added_by_user_id: Option<i64>,
    pub added_by_client_id: Option<i64>,
    pub added_at: DateTime<Utc>,
}

/// A new evidence item: a stored file or a link.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence {
    pub realisation_id: i64,
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<Vec<u8>>,
    pub storage_key: Option<String>,
    pub description: Option<String>,
    pub added_by_user_id: Option<i64>,
    pub added_by_client_id: Option<i64>,
}

pub async fn insert(connection: &mut AsyncPgConnection, new: &NewEvidence) -> QueryResult<EvidenceRow> {
    diesel::insert_into(evidence::table).values(new).returning(EvidenceRow::as_returning()).get_result(connection).await
}

/// Loads the evidence of the given realisations that has not been removed, oldest first.
pub async fn for_realisations(connection: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::realisation_id.eq_any(ids))
        .filter(evidence::removed_at.is_null())
        .order(evidence::id)
        .select(EvidenceRow::as_select())
        .load(connection)
        .await
}

/// Finds one evidence item of a realisation, unless it was removed.
pub async fn find(
    connection: &mut AsyncPgConnection,
    realisation_id: i64,
    id: i64,
) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .filter(evidence::id.eq(id))
        .filter(evidence::realisation_id.eq(realisation_id))
        .filter(evidence::removed_at.is_null())
        .select(EvidenceRow::as_select())
        .first(connection)
        .await
        .optional()
}

/// Marks an item removed; its row and file stay, for the record.
pub async fn mark_removed(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<()> {
    diesel::update(evidence::table.find(id)).set(evidence::removed_at.eq(diesel::dsl::now)).execute(connection).await?;
    Ok(())
}

/// Counts the items of a realisation that were not removed.
pub async fn count_active(connection: &mut AsyncPgConnection, realisation_id: i64) -> QueryResult<i64> {
    evidence::table
        .filter(evidence::realisation_id.eq(realisation_id))
        .filter(evidence::removed_at.is_null())
        .count()
        .get_result(connection)
        .await
}

/// Finds an active file of a realisation with the given SHA-256.
pub async fn find_file_by_digest(
    connection: &mut AsyncPgConnection,
    realisation_id: i64,
    sha256: &[u8],
) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .filter(evidence::realisation_id.eq(realisation_id))
        .filter(evidence::removed_at.is_null())
        .filter(evidence::sha256.eq(sha256))
        .select(EvidenceRow::as_select())
        .first(connection)
        .await
        .optional()
}
