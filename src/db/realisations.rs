//! Queries on realisations and their versions.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{indicators, realisation_versions, realisations, reporting_periods};
use crate::domain::pagination::PageRequest;
use crate::domain::realisation::{RealisationState, RealisedValue};

/// A realisation in its current version.
#[derive(Clone, Debug, Queryable, Selectable, AsChangeset, Identifiable)]
#[diesel(table_name = realisations, treat_none_as_null = true)]
pub struct RealisationRow {
    pub id: i64,
    pub indicator_id: i64,
    pub period_id: i64,
    pub organisation_id: i64,
    pub state: String,
    pub version: i32,
    pub printed: Option<String>,
    pub value_number: Option<BigDecimal>,
    pub numerator: Option<BigDecimal>,
    pub denominator: Option<BigDecimal>,
    pub value_text: Option<String>,
    pub grade: Option<String>,
    pub met: Option<bool>,
    pub note: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_by_client_id: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by_user_id: Option<i64>,
    pub submitted_by_client_id: Option<i64>,
    pub timeliness: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by_user_id: Option<i64>,
    pub review_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = realisation_versions)]
pub struct VersionRow {
    pub version: i32,
    pub state: String,
    pub action: String,
    pub snapshot: serde_json::Value,
    pub actor_user_id: Option<i64>,
    pub actor_client_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

/// Filters of a realisation list. `visible_drafts_of` is the organisation whose drafts the
/// caller may see; other drafts are never listed. With `scope`, only the realisations of that
/// organisation and of the indicators it coordinates are listed.
#[derive(Clone, Debug, Default)]
pub struct RealisationFilter {
    pub roadmap_id: i64,
    pub period_id: Option<i64>,
    pub indicator_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub state: Option<String>,
    pub visible_drafts_of: Option<i64>,
    pub scope: Option<i64>,
}

pub async fn find(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<RealisationRow>> {
    realisations::table.find(id).select(RealisationRow::as_select()).first(connection).await.optional()
}

/// Reads a realisation and locks it until the transaction ends.
pub async fn find_for_update(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<RealisationRow>> {
    realisations::table.find(id).for_update().select(RealisationRow::as_select()).first(connection).await.optional()
}

/// Finds the id of one organisation's realisation for an indicator and period.
pub async fn find_existing(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    period_id: i64,
    organisation_id: i64,
) -> QueryResult<Option<i64>> {
    realisations::table
        .filter(realisations::indicator_id.eq(indicator_id))
        .filter(realisations::period_id.eq(period_id))
        .filter(realisations::organisation_id.eq(organisation_id))
        .select(realisations::id)
        .first(connection)
        .await
        .optional()
}

/// The columns a new realisation starts with.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = realisations)]
pub struct NewRealisation {
    pub indicator_id: i64,
    pub period_id: i64,
    pub organisation_id: i64,
    pub state: String,
    pub printed: Option<String>,
    pub value_number: Option<BigDecimal>,
    pub numerator: Option<BigDecimal>,
    pub denominator: Option<BigDecimal>,
    pub value_text: Option<String>,
    pub grade: Option<String>,
    pub met: Option<bool>,
    pub note: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_by_client_id: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by_user_id: Option<i64>,
    pub submitted_by_client_id: Option<i64>,
    pub timeliness: Option<String>,
}

impl NewRealisation {
    /// Starts the row of a new realisation with its value as read against the indicator. The
    /// caller adds the note, who created it and, for a submission, when and how timely.
    pub fn new(
        indicator_id: i64,
        period_id: i64,
        organisation_id: i64,
        state: RealisationState,
        value: RealisedValue,
    ) -> NewRealisation {
        NewRealisation {
            indicator_id,
            period_id,
            organisation_id,
            state: state.as_ref().to_string(),
            printed: Some(value.printed),
            value_number: value.number,
            numerator: value.numerator,
            denominator: value.denominator,
            value_text: value.text,
            grade: value.grade,
            met: value.met,
            note: None,
            created_by_user_id: None,
            created_by_client_id: None,
            submitted_at: None,
            submitted_by_user_id: None,
            submitted_by_client_id: None,
            timeliness: None,
        }
    }
}

/// Inserts a realisation; returns `None` when the organisation already has one for the
/// indicator and period.
pub async fn insert(connection: &mut AsyncPgConnection, new: &NewRealisation) -> QueryResult<Option<RealisationRow>> {
    diesel::insert_into(realisations::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(RealisationRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// Writes a changed realisation; the caller holds its lock and has raised its version and set
/// `updated_at`.
pub async fn save(connection: &mut AsyncPgConnection, row: &RealisationRow) -> QueryResult<RealisationRow> {
    diesel::update(realisations::table.find(row.id))
        .set(row)
        .returning(RealisationRow::as_returning())
        .get_result(connection)
        .await
}

/// Appends a version to the history.
pub async fn insert_version(
    connection: &mut AsyncPgConnection,
    row: &RealisationRow,
    action: &str,
    snapshot: &serde_json::Value,
    actor: (Option<i64>, Option<i64>),
) -> QueryResult<()> {
    diesel::insert_into(realisation_versions::table)
        .values((
            realisation_versions::realisation_id.eq(row.id),
            realisation_versions::version.eq(row.version),
            realisation_versions::state.eq(&row.state),
            realisation_versions::action.eq(action),
            realisation_versions::snapshot.eq(snapshot),
            realisation_versions::actor_user_id.eq(actor.0),
            realisation_versions::actor_client_id.eq(actor.1),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn versions(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Vec<VersionRow>> {
    realisation_versions::table
        .filter(realisation_versions::realisation_id.eq(id))
        .order(realisation_versions::version)
        .select(VersionRow::as_select())
        .load(connection)
        .await
}

/// The realisations that pass a filter, with their period and indicator joined.
type Filtered<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<diesel::dsl::InnerJoin<realisations::table, reporting_periods::table>, indicators::table>,
    diesel::pg::Pg,
>;

fn filtered(filter: &RealisationFilter) -> Filtered<'_> {
    let mut query = realisations::table
        .inner_join(reporting_periods::table)
        .inner_join(indicators::table)
        .filter(reporting_periods::roadmap_id.eq(filter.roadmap_id))
        .into_boxed();
    if let Some(period_id) = filter.period_id {
        query = query.filter(realisations::period_id.eq(period_id));
    }
    if let Some(indicator_id) = filter.indicator_id {
        query = query.filter(realisations::indicator_id.eq(indicator_id));
    }
    if let Some(organisation_id) = filter.organisation_id {
        query = query.filter(realisations::organisation_id.eq(organisation_id));
    }
    if let Some(state) = &filter.state {
        query = query.filter(realisations::state.eq(state.clone()));
    }
    if let Some(organisation_id) = filter.scope {
        query = query.filter(
            realisations::organisation_id
                .eq(organisation_id)
                .nullable()
                .or(indicators::coordinator_id.eq(organisation_id)),
        );
    }
    let visible_drafts_of = filter.visible_drafts_of.unwrap_or(-1);
    query.filter(realisations::state.ne("draft").or(realisations::organisation_id.eq(visible_drafts_of)))
}

/// The order of a realisation list: by period, indicator and organisation.
type ListOrder =
    (reporting_periods::year, reporting_periods::quarter, realisations::indicator_id, realisations::organisation_id);

const LIST_ORDER: ListOrder =
    (reporting_periods::year, reporting_periods::quarter, realisations::indicator_id, realisations::organisation_id);

/// Loads one page of realisations, ordered by period, indicator and organisation, and the total.
pub async fn list(
    connection: &mut AsyncPgConnection,
    filter: &RealisationFilter,
    page: PageRequest,
) -> QueryResult<(Vec<RealisationRow>, i64)> {
    let total = filtered(filter).count().get_result(connection).await?;
    let rows = filtered(filter)
        .order(LIST_ORDER)
        .offset(page.offset())
        .limit(page.limit())
        .select(RealisationRow::as_select())
        .load(connection)
        .await?;
    Ok((rows, total))
}

/// A realisation with the codes that a file names it by: its indicator's code and its period.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = realisations)]
pub struct CodedRealisation {
    #[diesel(select_expression = indicators::code)]
    pub indicator_code: String,
    #[diesel(select_expression = reporting_periods::year)]
    pub year: i32,
    #[diesel(select_expression = reporting_periods::quarter)]
    pub quarter: i16,
    #[diesel(embed)]
    pub row: RealisationRow,
}

/// Loads at most `limit` realisations that pass a filter, in the order of the list, with their
/// indicator's code and period, in one query.
pub async fn list_coded(
    connection: &mut AsyncPgConnection,
    filter: &RealisationFilter,
    limit: i64,
) -> QueryResult<Vec<CodedRealisation>> {
    filtered(filter).order(LIST_ORDER).limit(limit).select(CodedRealisation::as_select()).load(connection).await
}

/// Loads the realisations of an indicator in one year and the given states, with their quarter.
pub async fn for_indicator_year(
    connection: &mut AsyncPgConnection,
    indicator_id: i64,
    year: i32,
    states: &[&str],
) -> QueryResult<Vec<(i16, RealisationRow)>> {
    realisations::table
        .inner_join(reporting_periods::table)
        .filter(realisations::indicator_id.eq(indicator_id))
        .filter(reporting_periods::year.eq(year))
        .filter(realisations::state.eq_any(states))
        .order((reporting_periods::quarter, realisations::organisation_id))
        .select((reporting_periods::quarter, RealisationRow::as_select()))
        .load(connection)
        .await
}

/// A realisation written whole, review and times included, as the synthetic data generator
/// writes it: the state it reached through the API's steps, in one row.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = realisations)]
pub struct SeededRealisation {
    #[diesel(embed)]
    pub new: NewRealisation,
    pub version: i32,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by_user_id: Option<i64>,
    pub review_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Inserts many realisations with multi-row statements and returns them in the given order.
pub async fn insert_many(
    connection: &mut AsyncPgConnection,
    rows: &[SeededRealisation],
) -> QueryResult<Vec<RealisationRow>> {
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(crate::db::ROWS_PER_INSERT) {
        let chunk_rows: Vec<RealisationRow> = diesel::insert_into(realisations::table)
            .values(chunk)
            .returning(RealisationRow::as_returning())
            .get_results(connection)
            .await?;
        inserted.extend(chunk_rows);
    }
    Ok(inserted)
}

/// A version of a realisation's history, with the moment it was recorded.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = realisation_versions)]
pub struct NewVersion {
    pub realisation_id: i64,
    pub version: i32,
    pub state: String,
    pub action: String,
    pub snapshot: serde_json::Value,
    pub actor_user_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

/// Appends many versions with multi-row statements.
pub async fn insert_versions(connection: &mut AsyncPgConnection, versions: &[NewVersion]) -> QueryResult<usize> {
    let mut count = 0;
    for chunk in versions.chunks(crate::db::ROWS_PER_INSERT) {
        count += diesel::insert_into(realisation_versions::table).values(chunk).execute(connection).await?;
    }
    Ok(count)
}
