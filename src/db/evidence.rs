//! Queries on evidence (bukti dukung).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::evidence;

/// The owner of an evidence item: a realisation or a milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Realisation(i64),
    Milestone(i64),
}

impl Owner {
    /// Returns the base of the item's address in the API.
    pub fn path(self) -> String {
        match self {
            Owner::Realisation(id) => format!("/api/v1/realisations/{id}/evidence"),
            Owner::Milestone(id) => format!("/api/v1/milestones/{id}/evidence"),
        }
    }

    pub fn realisation(self) -> Option<i64> {
        if let Owner::Realisation(id) = self { Some(id) } else { None }
    }

    pub fn milestone(self) -> Option<i64> {
        if let Owner::Milestone(id) = self { Some(id) } else { None }
    }

    /// Returns the audit subject of a change to the item.
    pub fn subject(self) -> String {
        match self {
            Owner::Realisation(id) => format!("realisation:{id}"),
            Owner::Milestone(id) => format!("milestone:{id}"),
        }
    }
}

/// Selects the active items of one owner.
fn owned_by(owner: Owner) -> evidence::BoxedQuery<'static, Pg> {
    let query = evidence::table.filter(evidence::removed_at.is_null()).into_boxed();
    match owner {
        Owner::Realisation(id) => query.filter(evidence::realisation_id.eq(id)),
        Owner::Milestone(id) => query.filter(evidence::milestone_id.eq(id)),
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: i64,
    pub realisation_id: Option<i64>,
    pub milestone_id: Option<i64>,
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

impl EvidenceRow {
    pub fn owner(&self) -> Owner {
        match self.realisation_id {
            Some(id) => Owner::Realisation(id),
            None => Owner::Milestone(self.milestone_id.unwrap_or_default()),
        }
    }
}

/// A new evidence item: a stored file or a link.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence {
    pub realisation_id: Option<i64>,
    pub milestone_id: Option<i64>,
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

/// Loads the evidence of the given milestones that has not been removed, oldest first.
pub async fn for_milestones(connection: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::milestone_id.eq_any(ids))
        .filter(evidence::removed_at.is_null())
        .order(evidence::id)
        .select(EvidenceRow::as_select())
        .load(connection)
        .await
}

/// Finds one evidence item of an owner, unless it was removed.
pub async fn find(connection: &mut AsyncPgConnection, owner: Owner, id: i64) -> QueryResult<Option<EvidenceRow>> {
    owned_by(owner).filter(evidence::id.eq(id)).select(EvidenceRow::as_select()).first(connection).await.optional()
}

/// Marks an item removed; its row and file stay, for the record.
pub async fn mark_removed(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<()> {
    diesel::update(evidence::table.find(id)).set(evidence::removed_at.eq(diesel::dsl::now)).execute(connection).await?;
    Ok(())
}

/// Counts the items of an owner that were not removed.
pub async fn count_active(connection: &mut AsyncPgConnection, owner: Owner) -> QueryResult<i64> {
    owned_by(owner).count().get_result(connection).await
}

/// Finds an active file of an owner with the given SHA-256.
pub async fn find_file_by_digest(
    connection: &mut AsyncPgConnection,
    owner: Owner,
    sha256: &[u8],
) -> QueryResult<Option<EvidenceRow>> {
    owned_by(owner)
        .filter(evidence::sha256.eq(sha256.to_vec()))
        .select(EvidenceRow::as_select())
        .first(connection)
        .await
        .optional()
}
