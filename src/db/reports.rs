//! Batch queries of the monitoring reports. Each loads one kind of row for a whole road map or
//! a list of indicators, so a report takes the same number of queries for any number of
//! indicators.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::realisations::RealisationRow;
use crate::db::schema::{indicator_implementers, indicators, realisations, reporting_periods, target_revisions};

/// Loads every (indicator id, year, quarter) among the given indicators for which a target was
/// set or revised through the API; the quarter is `None` for a yearly target.
pub async fn revised_targets(
    connection: &mut AsyncPgConnection,
    indicator_ids: &[i64],
) -> QueryResult<Vec<(i64, i32, Option<i16>)>> {
    target_revisions::table
        .filter(target_revisions::indicator_id.eq_any(indicator_ids))
        .select((target_revisions::indicator_id, target_revisions::year, target_revisions::quarter))
        .distinct()
        .load(connection)
        .await
}

/// Loads the realisations of a road map's periods in one year and the given states, with their
/// quarter, grouped by indicator id and ordered by quarter and organisation within each group.
pub async fn realisations_of_year(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    year: i32,
    states: &[&str],
) -> QueryResult<HashMap<i64, Vec<(i16, RealisationRow)>>> {
    let rows: Vec<(i16, RealisationRow)> = realisations::table
        .inner_join(reporting_periods::table)
        .filter(reporting_periods::roadmap_id.eq(roadmap_id))
        .filter(reporting_periods::year.eq(year))
        .filter(realisations::state.eq_any(states))
        .select((reporting_periods::quarter, RealisationRow::as_select()))
        .load(connection)
        .await?;

    // Each group is sorted here rather than the whole result in SQL: a large road map's rows
    // are too wide for PostgreSQL to sort in memory, and the groups are small.
    let mut grouped: HashMap<i64, Vec<(i16, RealisationRow)>> = HashMap::new();
    for (quarter, row) in rows {
        grouped.entry(row.indicator_id).or_default().push((quarter, row));
    }
    for group in grouped.values_mut() {
        group.sort_by_key(|(quarter, row)| (*quarter, row.organisation_id));
    }
    Ok(grouped)
}

/// What decides who reports an indicator: its combine rule, reporting unit and implementers.
#[derive(Clone, Debug)]
pub struct ReportingRow {
    pub indicator_id: i64,
    pub combine_rule: String,
    pub reporting_unit_id: Option<i64>,
    pub implementers: Vec<i64>,
}

/// Loads the reporting rules of a road map's indicators that are not retired, with two queries.
pub async fn reporting_rules(connection: &mut AsyncPgConnection, roadmap_id: i64) -> QueryResult<Vec<ReportingRow>> {
    let rows: Vec<(i64, String, Option<i64>)> = indicators::table
        .filter(indicators::roadmap_id.eq(roadmap_id))
        .filter(indicators::retired_at.is_null())
        .order((indicators::position, indicators::id))
        .select((indicators::id, indicators::combine_rule, indicators::reporting_unit_id))
        .load(connection)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let implementer_rows: Vec<(i64, i64)> = indicator_implementers::table
        .filter(indicator_implementers::indicator_id.eq_any(&ids))
        .select((indicator_implementers::indicator_id, indicator_implementers::organisation_id))
        .load(connection)
        .await?;

    let mut implementers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (indicator_id, organisation_id) in implementer_rows {
        implementers.entry(indicator_id).or_default().push(organisation_id);
    }
    Ok(rows
        .into_iter()
        .map(|(indicator_id, combine_rule, reporting_unit_id)| ReportingRow {
            indicator_id,
            combine_rule,
            reporting_unit_id,
            implementers: implementers.remove(&indicator_id).unwrap_or_default(),
        })
        .collect())
}

/// A realisation's columns that the compliance report counts.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = realisations)]
pub struct FilingRow {
    pub indicator_id: i64,
    pub period_id: i64,
    pub organisation_id: i64,
    pub state: String,
    pub timeliness: Option<String>,
}

/// Loads the realisations of the given periods, in every state.
pub async fn filings(connection: &mut AsyncPgConnection, period_ids: &[i64]) -> QueryResult<Vec<FilingRow>> {
    realisations::table
        .filter(realisations::period_id.eq_any(period_ids))
        .select(FilingRow::as_select())
        .load(connection)
        .await
}
