//! Queries on reporting periods and their exceptions.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{period_exceptions, reporting_periods};
use crate::domain::period::{LatePolicy, PeriodCode, PeriodRules};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = reporting_periods)]
pub struct PeriodRow {
    pub id: i64,
    pub roadmap_id: i64,
    pub year: i32,
    pub quarter: i16,
    pub opens_on: NaiveDate,
    pub deadline: NaiveDate,
    pub late_policy: String,
    pub locked_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PeriodRow {
    pub fn code(&self) -> PeriodCode {
        PeriodCode { year: self.year, quarter: self.quarter as u8 }
    }

    pub fn rules(&self) -> PeriodRules {
        PeriodRules {
            opens_on: self.opens_on,
            deadline: self.deadline,
            late_policy: self.late_policy.parse().unwrap_or(LatePolicy::Refuse),
            locked: self.locked_at.is_some(),
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = period_exceptions)]
pub struct ExceptionRow {
    pub id: i64,
    pub period_id: i64,
    pub organisation_id: i64,
    pub until: NaiveDate,
    pub reason: String,
    pub granted_by_user_id: i64,
    pub created_at: DateTime<Utc>,
}

/// The settings of a new or changed period.
#[derive(Clone, Debug)]
pub struct PeriodFields {
    pub opens_on: NaiveDate,
    pub deadline: NaiveDate,
    pub late_policy: LatePolicy,
    pub locked_at: Option<DateTime<Utc>>,
}

pub async fn list(connection: &mut AsyncPgConnection, roadmap_id: i64) -> QueryResult<Vec<PeriodRow>> {
    reporting_periods::table
        .filter(reporting_periods::roadmap_id.eq(roadmap_id))
        .order((reporting_periods::year, reporting_periods::quarter))
        .select(PeriodRow::as_select())
        .load(connection)
        .await
}

pub async fn find(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    code: PeriodCode,
) -> QueryResult<Option<PeriodRow>> {
    reporting_periods::table
        .filter(reporting_periods::roadmap_id.eq(roadmap_id))
        .filter(reporting_periods::year.eq(code.year))
        .filter(reporting_periods::quarter.eq(i16::from(code.quarter)))
        .select(PeriodRow::as_select())
        .first(connection)
        .await
        .optional()
}

pub async fn by_ids(connection: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<PeriodRow>> {
    reporting_periods::table
        .filter(reporting_periods::id.eq_any(ids))
        .select(PeriodRow::as_select())
        .load(connection)
        .await
}

/// Locks the period's row until the transaction ends, so that a lock or a date change cannot
/// interleave with a submission's check of it.
pub async fn lock_for_change(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<PeriodRow> {
    reporting_periods::table.find(id).for_share().select(PeriodRow::as_select()).first(connection).await
}

/// Inserts a period; returns `None` when the road map already has one for that quarter.
pub async fn insert(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    code: PeriodCode,
    fields: &PeriodFields,
) -> QueryResult<Option<PeriodRow>> {
    diesel::insert_into(reporting_periods::table)
        .values((
            reporting_periods::roadmap_id.eq(roadmap_id),
            reporting_periods::year.eq(code.year),
            reporting_periods::quarter.eq(i16::from(code.quarter)),
            reporting_periods::opens_on.eq(fields.opens_on),
            reporting_periods::deadline.eq(fields.deadline),
            reporting_periods::late_policy.eq(fields.late_policy.as_ref()),
            reporting_periods::locked_at.eq(fields.locked_at),
        ))
        .on_conflict_do_nothing()
        .returning(PeriodRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// Changes a period if it still has `version`; returns `None` when another change came first.
pub async fn update(
    connection: &mut AsyncPgConnection,
    id: i64,
    version: i32,
    fields: &PeriodFields,
) -> QueryResult<Option<PeriodRow>> {
    diesel::update(reporting_periods::table.find(id).filter(reporting_periods::version.eq(version)))
        .set((
            reporting_periods::opens_on.eq(fields.opens_on),
            reporting_periods::deadline.eq(fields.deadline),
            reporting_periods::late_policy.eq(fields.late_policy.as_ref()),
            reporting_periods::locked_at.eq(fields.locked_at),
            reporting_periods::version.eq(version + 1),
            reporting_periods::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PeriodRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// Loads the exceptions of the given periods, oldest first.
pub async fn exceptions(connection: &mut AsyncPgConnection, period_ids: &[i64]) -> QueryResult<Vec<ExceptionRow>> {
    period_exceptions::table
        .filter(period_exceptions::period_id.eq_any(period_ids))
        .order(period_exceptions::id)
        .select(ExceptionRow::as_select())
        .load(connection)
        .await
}

/// Finds the last day of the latest exception an organisation has in a period.
pub async fn exception_until(
    connection: &mut AsyncPgConnection,
    period_id: i64,
    organisation_id: i64,
) -> QueryResult<Option<NaiveDate>> {
    period_exceptions::table
        .filter(period_exceptions::period_id.eq(period_id))
        .filter(period_exceptions::organisation_id.eq(organisation_id))
        .select(diesel::dsl::max(period_exceptions::until))
        .first(connection)
        .await
}

pub async fn insert_exception(
    connection: &mut AsyncPgConnection,
    period_id: i64,
    organisation_id: i64,
    until: NaiveDate,
    reason: &str,
    granted_by: i64,
) -> QueryResult<ExceptionRow> {
    diesel::insert_into(period_exceptions::table)
        .values((
            period_exceptions::period_id.eq(period_id),
            period_exceptions::organisation_id.eq(organisation_id),
            period_exceptions::until.eq(until),
            period_exceptions::reason.eq(reason),
            period_exceptions::granted_by_user_id.eq(granted_by),
        ))
        .returning(ExceptionRow::as_returning())
        .get_result(connection)
        .await
}

/// Raises a period's version after a change to its exceptions, so that its ETag changes too.
pub async fn bump_version(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<PeriodRow> {
    diesel::update(reporting_periods::table.find(id))
        .set((
            reporting_periods::version.eq(reporting_periods::version + 1),
            reporting_periods::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PeriodRow::as_returning())
        .get_result(connection)
        .await
}
