//! Queries on targets set or revised through the API, and on retiring indicators.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::rows::{FigureColumns, FigureRow};
use crate::db::schema::{indicator_figures, indicators, target_revisions};
use crate::domain::indicator::FigureRole;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = target_revisions)]
pub struct RevisionRow {
    pub id: i64,
    pub indicator_id: i64,
    pub year: i32,
    pub quarter: Option<i16>,
    pub printed: String,
    pub value: serde_json::Value,
    pub previous_printed: Option<String>,
    pub previous_value: Option<serde_json::Value>,
    pub reason: String,
    pub reference: String,
    pub revised_by_user_id: i64,
    pub effective_from: DateTime<Utc>,
}

/// A new revision of a yearly or quarterly target.
pub struct NewRevision<'a> {
    pub indicator_id: i64,
    pub year: i32,
    pub quarter: Option<i16>,
    pub printed: &'a str,
    pub value: serde_json::Value,
    pub previous: Option<(String, serde_json::Value)>,
    pub reason: &'a str,
    pub reference: &'a str,
    pub revised_by_user_id: i64,
    pub effective_from: DateTime<Utc>,
}

/// Loads the revisions of an indicator's yearly and quarterly targets, oldest first. With
/// `period` it loads those of one year and quarter, where `None` is the year's own target.
pub async fn revisions(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    period: Option<(i32, Option<i16>)>,
) -> QueryResult<Vec<RevisionRow>> {
    let mut query = target_revisions::table.filter(target_revisions::indicator_id.eq(indicator_id)).into_boxed();
    if let Some((year, quarter)) = period {
        query = query.filter(target_revisions::year.eq(year));
        query = match quarter {
            Some(quarter) => query.filter(target_revisions::quarter.eq(quarter)),
            None => query.filter(target_revisions::quarter.is_null()),
        };
    }
    query.order(target_revisions::id).select(RevisionRow::as_select()).load(connection).await
}

/// Finds an indicator's target of a year, or of one of its quarters, with its id and version,
/// locked until the transaction ends.
pub async fn find_target_for_update(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    year: i32,
    quarter: Option<i16>,
) -> QueryResult<Option<(i64, i32, FigureRow)>> {
    indicator_figures::table
        .filter(indicator_figures::indicator_id.eq(indicator_id))
        .filter(indicator_figures::role.eq(FigureRole::Target.as_ref()))
        .filter(indicator_figures::year.eq(year))
        .filter(indicator_figures::quarter.is_not_distinct_from(quarter))
        .for_update()
        .select((indicator_figures::id, indicator_figures::version, FigureRow::as_select()))
        .first(connection)
        .await
        .optional()
}

/// Writes a yearly or quarterly target: updates the figure `existing` names, or inserts one.
/// Returns the figure's new version.
pub async fn write_target(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    (year, quarter): (i32, Option<i16>),
    printed: &str,
    columns: &FigureColumns,
    existing: Option<i64>,
) -> QueryResult<i32> {
    let printed = indicator_figures::printed.eq(printed);
    let no_stated_value = indicator_figures::stated_value.eq(None::<String>);
    match existing {
        Some(id) => {
            diesel::update(indicator_figures::table.find(id))
                .set((
                    columns,
                    printed,
                    no_stated_value,
                    indicator_figures::version.eq(indicator_figures::version + 1),
                    indicator_figures::updated_at.eq(diesel::dsl::now),
                ))
                .returning(indicator_figures::version)
                .get_result(connection)
                .await
        }
        None => {
            diesel::insert_into(indicator_figures::table)
                .values((
                    indicator_figures::indicator_id.eq(indicator_id),
                    indicator_figures::role.eq(FigureRole::Target.as_ref()),
                    indicator_figures::year.eq(year),
                    indicator_figures::quarter.eq(quarter),
                    printed,
                    no_stated_value,
                    columns,
                ))
                .returning(indicator_figures::version)
                .get_result(connection)
                .await
        }
    }
}

pub async fn insert_revision(
    connection: &mut AsyncPgConnection,
    revision: &NewRevision<'_>,
) -> QueryResult<RevisionRow> {
    let (previous_printed, previous_value) = match &revision.previous {
        Some((printed, value)) => (Some(printed.clone()), Some(value.clone())),
        None => (None, None),
    };
    diesel::insert_into(target_revisions::table)
        .values((
            target_revisions::indicator_id.eq(revision.indicator_id),
            target_revisions::year.eq(revision.year),
            target_revisions::quarter.eq(revision.quarter),
            target_revisions::printed.eq(revision.printed),
            target_revisions::value.eq(&revision.value),
            target_revisions::previous_printed.eq(previous_printed),
            target_revisions::previous_value.eq(previous_value),
            target_revisions::reason.eq(revision.reason),
            target_revisions::reference.eq(revision.reference),
            target_revisions::revised_by_user_id.eq(revision.revised_by_user_id),
            target_revisions::effective_from.eq(revision.effective_from),
        ))
        .returning(RevisionRow::as_returning())
        .get_result(connection)
        .await
}

/// Lists the years in which a target of the indicator, yearly or quarterly, was set or revised
/// through the API.
pub async fn revised_years(connection: &mut AsyncPgConnection, indicator_id: i64) -> QueryResult<Vec<i32>> {
    target_revisions::table
        .filter(target_revisions::indicator_id.eq(indicator_id))
        .select(target_revisions::year)
        .distinct()
        .load(connection)
        .await
}

/// Lists every (indicator, year) among the given indicators whose yearly target was set or
/// revised through the API.
pub async fn revised_targets(
    connection: &mut AsyncPgConnection,
    indicator_ids: &[i64],
) -> QueryResult<Vec<(i64, i32)>> {
    target_revisions::table
        .filter(target_revisions::indicator_id.eq_any(indicator_ids))
        .filter(target_revisions::quarter.is_null())
        .select((target_revisions::indicator_id, target_revisions::year))
        .distinct()
        .load(connection)
        .await
}

/// Retires an indicator if it still has `version`; returns `false` when another change came
/// first.
pub async fn retire(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    version: i32,
    reason: &str,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let changed = diesel::update(indicators::table.find(indicator_id).filter(indicators::version.eq(version)))
        .set((
            indicators::retired_at.eq(Some(at)),
            indicators::retired_reason.eq(Some(reason)),
            indicators::version.eq(version + 1),
            indicators::updated_at.eq(diesel::dsl::now),
        ))
        .execute(connection)
        .await?;
    Ok(changed == 1)
}
