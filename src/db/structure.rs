//! Writes to the road map structure through the API: new road maps, goals, themes, objectives,
//! activities and indicators, and changes to and retirement of the four kinds of nodes.
//!
//! Goals, themes, objectives and activities share their maintenance columns (`name`,
//! `position`, `version`, `retired_at`, `retired_reason`), so one set of statements serves all
//! four, with the table named by `NodeKind`. Table names come from that closed enum, never from
//! a request.

use chrono::{DateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::indicators::IndicatorChanges;
use crate::db::rows::{FigureColumns, PlaceColumns, RoadmapRow};
use crate::db::schema::{indicator_figures, indicator_implementers, indicator_placements, indicators, roadmaps};
use crate::domain::indicator::FigureRole;
use crate::domain::structure::NodeKind;

fn table(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Goal => "goals",
        NodeKind::Theme => "themes",
        NodeKind::Objective => "objectives",
        NodeKind::Activity => "activities",
    }
}

/// A new goal, theme, objective or activity. Columns that the kind's table lacks are ignored:
/// `objective_kind`, `goal_id` and `theme_id` apply to objectives, `objective_id` to activities,
/// and `coordinator_id` to both.
pub struct NewNode<'a> {
    pub kind: NodeKind,
    pub roadmap_id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub objective_kind: Option<&'a str>,
    pub goal_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub objective_id: Option<i64>,
    pub coordinator_id: Option<i64>,
}

#[derive(QueryableByName)]
struct InsertedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Inserts a node after the last one of its kind in the road map and returns its id, or `None`
/// when the road map already has a node of that kind with the code.
pub async fn insert_node(connection: &mut AsyncPgConnection, node: &NewNode<'_>) -> QueryResult<Option<i64>> {
    // Every statement binds the same eight parameters; each kind's columns use only their own.
    let (columns, values) = match node.kind {
        NodeKind::Goal | NodeKind::Theme => ("", ""),
        NodeKind::Objective => (", kind, goal_id, theme_id, coordinator_id", ", $4, $5, $6, $8"),
        NodeKind::Activity => (", objective_id, coordinator_id", ", $7, $8"),
    };
    let table = table(node.kind);
    let statement = format!(
        "INSERT INTO {table} (roadmap_id, code, name, position{columns}) \
         SELECT $1, $2, $3, coalesce(max(position) + 1, 0){values} FROM {table} WHERE roadmap_id = $1 \
         ON CONFLICT (roadmap_id, code) DO NOTHING RETURNING id"
    );
    let inserted: Option<InsertedId> = diesel::sql_query(statement)
        .bind::<BigInt, _>(node.roadmap_id)
        .bind::<Text, _>(node.code)
        .bind::<Text, _>(node.name)
        .bind::<Nullable<Text>, _>(node.objective_kind)
        .bind::<Nullable<BigInt>, _>(node.goal_id)
        .bind::<Nullable<BigInt>, _>(node.theme_id)
        .bind::<Nullable<BigInt>, _>(node.objective_id)
        .bind::<Nullable<BigInt>, _>(node.coordinator_id)
        .get_result(connection)
        .await
        .optional()?;
    Ok(inserted.map(|row| row.id))
}

/// Renames a node and sets its coordinator (objectives and activities only) if it still has
/// `version`, and raises the version. Returns `false` when another change came first.
pub async fn update_node(
    connection: &mut AsyncPgConnection,
    kind: NodeKind,
    id: i64,
    version: i32,
    name: &str,
    coordinator_id: Option<i64>,
) -> QueryResult<bool> {
    let coordinator = if kind.has_coordinator() { "coordinator_id = $2, " } else { "" };
    let statement = format!(
        "UPDATE {} SET name = $1, {coordinator}version = version + 1, updated_at = now() \
         WHERE id = $3 AND version = $4",
        table(kind)
    );
    let changed = diesel::sql_query(statement)
        .bind::<Text, _>(name)
        .bind::<Nullable<BigInt>, _>(coordinator_id)
        .bind::<BigInt, _>(id)
        .bind::<Integer, _>(version)
        .execute(connection)
        .await?;
    Ok(changed == 1)
}

/// Retires a node if it still has `version` and is not retired yet, raising the version;
/// returns `false` otherwise.
pub async fn retire_node(
    connection: &mut AsyncPgConnection,
    kind: NodeKind,
    id: i64,
    version: i32,
    reason: &str,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let statement = format!(
        "UPDATE {} SET retired_at = $1, retired_reason = $2, version = version + 1, updated_at = now() \
         WHERE id = $3 AND version = $4 AND retired_at IS NULL",
        table(kind)
    );
    let changed = diesel::sql_query(statement)
        .bind::<Timestamptz, _>(at)
        .bind::<Text, _>(reason)
        .bind::<BigInt, _>(id)
        .bind::<Integer, _>(version)
        .execute(connection)
        .await?;
    Ok(changed == 1)
}

/// The columns of a new road map.
pub struct NewRoadmap<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub legal_basis: &'a str,
    pub start_year: i32,
    pub end_year: i32,
    pub baseline_year: i32,
}

/// Inserts a road map; returns `None` when one with the code exists.
pub async fn insert_roadmap(
    connection: &mut AsyncPgConnection,
    roadmap: &NewRoadmap<'_>,
) -> QueryResult<Option<RoadmapRow>> {
    diesel::insert_into(roadmaps::table)
        .values((
            roadmaps::code.eq(roadmap.code),
            roadmaps::title.eq(roadmap.title),
            roadmaps::legal_basis.eq(roadmap.legal_basis),
            roadmaps::start_year.eq(roadmap.start_year),
            roadmaps::end_year.eq(roadmap.end_year),
            roadmaps::baseline_year.eq(roadmap.baseline_year),
        ))
        .on_conflict_do_nothing()
        .returning(RoadmapRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// The columns of a new indicator, with organisations and places resolved to ids: those fixed at
/// creation, and in `fields` those that the API may change later.
pub struct NewIndicator<'a> {
    pub roadmap_id: i64,
    pub code: &'a str,
    pub value_kind: &'a str,
    pub direction: &'a str,
    pub fields: IndicatorChanges<'a>,
    pub implementers: &'a [i64],
    pub placements: &'a [PlaceColumns],
    /// The baseline's year, printed text and structured columns.
    pub baseline: Option<(i32, &'a str, FigureColumns)>,
}

/// Inserts an indicator after the road map's last one, with its implementers, placements and
/// baseline, and returns its id. Returns `None` when the road map has an indicator with the code.
pub async fn insert_indicator(
    connection: &mut AsyncPgConnection,
    indicator: &NewIndicator<'_>,
) -> QueryResult<Option<i64>> {
    let fields = &indicator.fields;
    let last_position: Option<i32> = indicators::table
        .filter(indicators::roadmap_id.eq(indicator.roadmap_id))
        .select(max(indicators::position))
        .first(connection)
        .await?;
    let id: Option<i64> = diesel::insert_into(indicators::table)
        .values((
            indicators::roadmap_id.eq(indicator.roadmap_id),
            indicators::code.eq(indicator.code),
            indicators::name.eq(fields.name),
            indicators::unit.eq(fields.unit),
            indicators::value_kind.eq(indicator.value_kind),
            indicators::direction.eq(indicator.direction),
            indicators::yearly_rule.eq(fields.yearly_rule),
            indicators::coordinator_id.eq(fields.coordinator_id),
            indicators::combine_rule.eq(fields.combine_rule),
            indicators::reporting_unit_id.eq(fields.reporting_unit_id),
            indicators::lower_rule.eq(fields.lower_rule),
            indicators::note.eq(fields.note),
            indicators::position.eq(last_position.map_or(0, |position| position + 1)),
        ))
        .on_conflict_do_nothing()
        .returning(indicators::id)
        .get_result(connection)
        .await
        .optional()?;
    let Some(id) = id else {
        return Ok(None);
    };

    let implementers: Vec<_> = indicator
        .implementers
        .iter()
        .zip(0..)
        .map(|(organisation_id, position): (&i64, i32)| {
            (
                indicator_implementers::indicator_id.eq(id),
                indicator_implementers::organisation_id.eq(*organisation_id),
                indicator_implementers::position.eq(position),
            )
        })
        .collect();
    if !implementers.is_empty() {
        diesel::insert_into(indicator_implementers::table).values(&implementers).execute(connection).await?;
    }
    let placements: Vec<_> = indicator
        .placements
        .iter()
        .zip(0..)
        .map(|((goal_id, objective_id, activity_id), position): (&PlaceColumns, i32)| {
            (
                indicator_placements::indicator_id.eq(id),
                indicator_placements::goal_id.eq(*goal_id),
                indicator_placements::objective_id.eq(*objective_id),
                indicator_placements::activity_id.eq(*activity_id),
                indicator_placements::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(indicator_placements::table).values(&placements).execute(connection).await?;
    if let Some((year, printed, columns)) = &indicator.baseline {
        diesel::insert_into(indicator_figures::table)
            .values((
                indicator_figures::indicator_id.eq(id),
                indicator_figures::role.eq(FigureRole::Baseline.as_ref()),
                indicator_figures::year.eq(*year),
                indicator_figures::printed.eq(*printed),
                columns,
            ))
            .execute(connection)
            .await?;
    }
    Ok(Some(id))
}
