//! Writes a validated road map file to the database in one transaction.
//!
//! Records are matched by code, so a corrected file updates rows in place and keeps their ids
//! and everything attached to them. A row is written only when something in it changed, so a
//! second run of the same file changes nothing, `updated_at` included. Records that are in the
//! database but no longer in the file are left as they are and counted in the report.

use std::collections::{HashMap, HashSet};

use diesel::dsl::{now, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::db::ROWS_PER_INSERT;
use crate::db::rows::{FigureColumns, FigureRow, PlaceColumns};
use crate::db::schema::{
    activities, goals, indicator_figures, indicator_implementers, indicator_placements, indicators, objectives,
    organisations, roadmaps, themes,
};
use crate::domain::roadmap_file::{FigureEntry, PlacementRef, RoadmapDocument};

/// Row counts of one table after an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
}

/// Summary of an import, table by table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub roadmap_code: String,
    pub tables: Vec<(&'static str, TableCounts)>,
    /// Records of this road map that are in the database but not in the file, as
    /// `table:code`; they are kept unchanged.
    pub absent_from_file: Vec<String>,
}

impl ImportReport {
    /// Returns whether the import wrote anything.
    pub fn changed_anything(&self) -> bool {
        self.tables.iter().any(|(_, counts)| counts.inserted + counts.updated + counts.deleted > 0)
    }
}

/// Upserts the named nodes of one table (themes or goals), which share their columns, and
/// returns the counts with the ids by code. A macro, because diesel's column types differ per
/// table. Nodes that the API changed or retired (version past 1) keep their row, as
/// `changed_through_api` explains for indicators.
macro_rules! upsert_named_nodes {
    ($table:ident, $connection:expr, $roadmap_id:expr, $entries:expr) => {{
        let rows: Vec<_> = $entries
            .iter()
            .enumerate()
            .map(|(position, entry)| {
                (
                    $table::roadmap_id.eq($roadmap_id),
                    $table::code.eq(&entry.code),
                    $table::name.eq(&entry.name),
                    $table::position.eq(position_of(position)),
                )
            })
            .collect();
        let mut flags: Vec<bool> = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let chunk_flags: Vec<bool> = diesel::insert_into($table::table)
                .values(chunk)
                .on_conflict(($table::roadmap_id, $table::code))
                .do_update()
                .set((
                    $table::name.eq(excluded($table::name)),
                    $table::position.eq(excluded($table::position)),
                    $table::updated_at.eq(now),
                ))
                .only_if_changed(sql::<Bool>(concat!(
                    "(",
                    stringify!($table),
                    ".name, ",
                    stringify!($table),
                    ".position) IS DISTINCT FROM (excluded.name, excluded.position) AND ",
                    stringify!($table),
                    ".version = 1"
                )))
                .returning(inserted_flag())
                .get_results($connection)
                .await?;
            flags.extend(chunk_flags);
        }
        let ids = $table::table
            .filter($table::roadmap_id.eq($roadmap_id))
            .select(($table::code, $table::id))
            .load::<(String, i64)>($connection)
            .await?;
        (upsert_counts(&flags, rows.len()), ids.into_iter().collect::<CodeIds>())
    }};
}

/// Stores the document in one transaction and reports what changed.
pub async fn import_document(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
) -> anyhow::Result<ImportReport> {
    connection.transaction::<_, anyhow::Error, _>(async |connection| write_document(connection, document).await).await
}

async fn write_document(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { roadmap_code: document.roadmap.code.clone(), ..ImportReport::default() };

    let (counts, organisation_ids) = upsert_organisations(connection, document).await?;
    report.tables.push(("organisations", counts));

    let (counts, roadmap_id) = upsert_roadmap(connection, document).await?;
    report.tables.push(("roadmaps", counts));

    let (counts, theme_ids) = upsert_named_nodes!(themes, connection, roadmap_id, document.themes);
    report.tables.push(("themes", counts));
    let (counts, goal_ids) = upsert_named_nodes!(goals, connection, roadmap_id, document.goals);
    report.tables.push(("goals", counts));
    let parents = ParentIds { goals: &goal_ids, themes: &theme_ids, organisations: &organisation_ids };
    let (counts, objective_ids) = upsert_objectives(connection, roadmap_id, document, &parents).await?;
    report.tables.push(("objectives", counts));
    let (counts, activity_ids) =
        upsert_activities(connection, roadmap_id, document, &objective_ids, &organisation_ids).await?;
    report.tables.push(("activities", counts));
    let (counts, indicator_ids) = upsert_indicators(connection, roadmap_id, document, &organisation_ids).await?;
    report.tables.push(("indicators", counts));

    let places = PlaceIds { goals: &goal_ids, objectives: &objective_ids, activities: &activity_ids };
    report.tables.push(("indicator_placements", sync_placements(connection, document, &indicator_ids, &places).await?));
    report.tables.push((
        "indicator_implementers",
        sync_implementers(connection, document, &indicator_ids, &organisation_ids).await?,
    ));
    report.tables.push(("indicator_figures", sync_figures(connection, document, &indicator_ids).await?));

    let plan_ids = crate::db::plans::FileIds {
        activities: &activity_ids,
        objectives: &objective_ids,
        organisations: &organisation_ids,
        indicators: &indicator_ids,
    };
    let inserted = crate::db::plans::insert_from_file(connection, roadmap_id, &document.plans, &plan_ids).await?;
    let counts = TableCounts { inserted, unchanged: document.plans.len() - inserted, ..TableCounts::default() };
    report.tables.push(("action_plans", counts));

    report.absent_from_file = [
        ("themes", absent(&theme_ids, document.themes.iter().map(|entry| &entry.code))),
        ("goals", absent(&goal_ids, document.goals.iter().map(|entry| &entry.code))),
        ("objectives", absent(&objective_ids, document.objectives.iter().map(|entry| &entry.code))),
        ("activities", absent(&activity_ids, document.activities.iter().map(|entry| &entry.code))),
        ("indicators", absent(&indicator_ids, document.indicators.iter().map(|entry| &entry.code))),
    ]
    .into_iter()
    .flat_map(|(table, codes)| codes.into_iter().map(move |code| format!("{table}:{code}")))
    .collect();

    Ok(report)
}

type CodeIds = HashMap<String, i64>;

/// Ids by code of what objectives refer to.
struct ParentIds<'a> {
    goals: &'a CodeIds,
    themes: &'a CodeIds,
    organisations: &'a CodeIds,
}

struct PlaceIds<'a> {
    goals: &'a CodeIds,
    objectives: &'a CodeIds,
    activities: &'a CodeIds,
}

fn absent<'a>(in_database: &CodeIds, in_file: impl Iterator<Item = &'a String>) -> Vec<String> {
    let in_file: HashSet<&String> = in_file.collect();
    let mut codes: Vec<String> = in_database.keys().filter(|code| !in_file.contains(code)).cloned().collect();
    codes.sort();
    codes
}

/// Turns the `xmax = 0` flags that an upsert returns (true for an insert, false for an update)
/// into counts; rows that the `WHERE ... IS DISTINCT FROM` guard skipped return nothing.
fn upsert_counts(flags: &[bool], total: usize) -> TableCounts {
    let inserted = flags.iter().filter(|inserted| **inserted).count();
    let updated = flags.len() - inserted;
    TableCounts { inserted, updated, unchanged: total - flags.len(), deleted: 0 }
}

fn inserted_flag() -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>("(xmax = 0)")
}

/// Adds a `WHERE` to an `ON CONFLICT DO UPDATE`, so that an upsert leaves unchanged rows
/// alone. It names diesel's `FilterDsl` explicitly, which `QueryDsl::filter` would shadow.
trait OnlyIfChanged<Predicate>: diesel::query_dsl::methods::FilterDsl<Predicate> + Sized {
    fn only_if_changed(self, predicate: Predicate) -> Self::Output {
        diesel::query_dsl::methods::FilterDsl::filter(self, predicate)
    }
}

impl<T: diesel::query_dsl::methods::FilterDsl<Predicate>, Predicate> OnlyIfChanged<Predicate> for T {}

async fn upsert_organisations(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
) -> anyhow::Result<(TableCounts, CodeIds)> {
    let rows: Vec<_> = document
        .organisations
        .iter()
        .map(|entry| {
            (
                organisations::code.eq(&entry.code),
                organisations::name.eq(&entry.name),
                organisations::kind.eq(entry.kind.as_ref()),
                organisations::aliases.eq(&entry.aliases),
            )
        })
        .collect();
    let mut flags: Vec<bool> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let chunk_flags: Vec<bool> = diesel::insert_into(organisations::table)
            .values(chunk)
            .on_conflict(organisations::code)
            .do_update()
            .set((
                organisations::name.eq(excluded(organisations::name)),
                organisations::kind.eq(excluded(organisations::kind)),
                organisations::aliases.eq(excluded(organisations::aliases)),
                organisations::updated_at.eq(now),
            ))
            .only_if_changed(sql::<Bool>(
                "(organisations.name, organisations.kind, organisations.aliases) IS DISTINCT FROM (excluded.name, excluded.kind, excluded.aliases)",
            ))
            .returning(inserted_flag())
            .get_results(connection)
            .await?;
        flags.extend(chunk_flags);
    }

    let codes: Vec<&String> = document.organisations.iter().map(|entry| &entry.code).collect();
    let ids: Vec<(String, i64)> = organisations::table
        .filter(organisations::code.eq_any(codes))
        .select((organisations::code, organisations::id))
        .load(connection)
        .await?;
    Ok((upsert_counts(&flags, rows.len()), ids.into_iter().collect()))
}

async fn upsert_roadmap(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
) -> anyhow::Result<(TableCounts, i64)> {
    let header = &document.roadmap;
    let flags: Vec<bool> = diesel::insert_into(roadmaps::table)
        .values((
            roadmaps::code.eq(&header.code),
            roadmaps::title.eq(&header.title),
            roadmaps::legal_basis.eq(&header.legal_basis),
            roadmaps::start_year.eq(header.start_year),
            roadmaps::end_year.eq(header.end_year),
            roadmaps::baseline_year.eq(header.baseline_year),
        ))
        .on_conflict(roadmaps::code)
        .do_update()
        .set((
            roadmaps::title.eq(excluded(roadmaps::title)),
            roadmaps::legal_basis.eq(excluded(roadmaps::legal_basis)),
            roadmaps::start_year.eq(excluded(roadmaps::start_year)),
            roadmaps::end_year.eq(excluded(roadmaps::end_year)),
            roadmaps::baseline_year.eq(excluded(roadmaps::baseline_year)),
            roadmaps::updated_at.eq(now),
        ))
        .only_if_changed(sql::<Bool>(
            "(roadmaps.title, roadmaps.legal_basis, roadmaps.start_year, roadmaps.end_year, roadmaps.baseline_year) \
             IS DISTINCT FROM (excluded.title, excluded.legal_basis, excluded.start_year, excluded.end_year, excluded.baseline_year)",
        ))
        .returning(inserted_flag())
        .get_results(connection)
        .await?;

    let id = roadmaps::table.filter(roadmaps::code.eq(&header.code)).select(roadmaps::id).first(connection).await?;
    Ok((upsert_counts(&flags, 1), id))
}

async fn upsert_objectives(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    document: &RoadmapDocument,
    parents: &ParentIds<'_>,
) -> anyhow::Result<(TableCounts, CodeIds)> {
    let mut rows = Vec::with_capacity(document.objectives.len());
    for (position, entry) in document.objectives.iter().enumerate() {
        rows.push((
            objectives::roadmap_id.eq(roadmap_id),
            objectives::code.eq(&entry.code),
            objectives::kind.eq(entry.kind.as_ref()),
            objectives::goal_id.eq(entry.goal.as_ref().and_then(|code| parents.goals.get(code).copied())),
            objectives::theme_id.eq(entry.theme.as_ref().and_then(|code| parents.themes.get(code).copied())),
            objectives::name.eq(&entry.name),
            objectives::position.eq(position_of(position)),
            objectives::coordinator_id.eq(optional_lookup(parents.organisations, entry.coordinator.as_deref())?),
        ));
    }
    let mut flags: Vec<bool> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let chunk_flags: Vec<bool> = diesel::insert_into(objectives::table)
            .values(chunk)
            .on_conflict((objectives::roadmap_id, objectives::code))
            .do_update()
            .set((
                objectives::kind.eq(excluded(objectives::kind)),
                objectives::goal_id.eq(excluded(objectives::goal_id)),
                objectives::theme_id.eq(excluded(objectives::theme_id)),
                objectives::name.eq(excluded(objectives::name)),
                objectives::position.eq(excluded(objectives::position)),
                objectives::coordinator_id.eq(excluded(objectives::coordinator_id)),
                objectives::updated_at.eq(now),
            ))
            .only_if_changed(sql::<Bool>(
                "(objectives.kind, objectives.goal_id, objectives.theme_id, objectives.name, objectives.position, objectives.coordinator_id) \
                 IS DISTINCT FROM (excluded.kind, excluded.goal_id, excluded.theme_id, excluded.name, excluded.position, excluded.coordinator_id) \
                 AND objectives.version = 1",
            ))
            .returning(inserted_flag())
            .get_results(connection)
            .await?;
        flags.extend(chunk_flags);
    }
    let ids = objectives::table
        .filter(objectives::roadmap_id.eq(roadmap_id))
        .select((objectives::code, objectives::id))
        .load::<(String, i64)>(connection)
        .await?;
    Ok((upsert_counts(&flags, rows.len()), ids.into_iter().collect()))
}

async fn upsert_activities(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    document: &RoadmapDocument,
    objective_ids: &CodeIds,
    organisation_ids: &CodeIds,
) -> anyhow::Result<(TableCounts, CodeIds)> {
    let mut rows = Vec::with_capacity(document.activities.len());
    for (position, entry) in document.activities.iter().enumerate() {
        let objective_id = lookup(objective_ids, &entry.objective, "objective")?;
        rows.push((
            activities::roadmap_id.eq(roadmap_id),
            activities::objective_id.eq(objective_id),
            activities::code.eq(&entry.code),
            activities::name.eq(&entry.name),
            activities::position.eq(position_of(position)),
            activities::coordinator_id.eq(optional_lookup(organisation_ids, entry.coordinator.as_deref())?),
        ));
    }
    let mut flags: Vec<bool> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let chunk_flags: Vec<bool> = diesel::insert_into(activities::table)
            .values(chunk)
            .on_conflict((activities::roadmap_id, activities::code))
            .do_update()
            .set((
                activities::objective_id.eq(excluded(activities::objective_id)),
                activities::name.eq(excluded(activities::name)),
                activities::position.eq(excluded(activities::position)),
                activities::coordinator_id.eq(excluded(activities::coordinator_id)),
                activities::updated_at.eq(now),
            ))
            .only_if_changed(sql::<Bool>(
                "(activities.objective_id, activities.name, activities.position, activities.coordinator_id) \
                 IS DISTINCT FROM (excluded.objective_id, excluded.name, excluded.position, excluded.coordinator_id) \
                 AND activities.version = 1",
            ))
            .returning(inserted_flag())
            .get_results(connection)
            .await?;
        flags.extend(chunk_flags);
    }
    let ids = activities::table
        .filter(activities::roadmap_id.eq(roadmap_id))
        .select((activities::code, activities::id))
        .load::<(String, i64)>(connection)
        .await?;
    Ok((upsert_counts(&flags, rows.len()), ids.into_iter().collect()))
}

async fn upsert_indicators(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    document: &RoadmapDocument,
    organisation_ids: &CodeIds,
) -> anyhow::Result<(TableCounts, CodeIds)> {
    let mut rows = Vec::with_capacity(document.indicators.len());
    for (position, entry) in document.indicators.iter().enumerate() {
        let coordinator_id = optional_lookup(organisation_ids, entry.coordinator.as_deref())?;
        let reporting_unit_id = optional_lookup(organisation_ids, entry.reporting_unit.as_deref())?;
        rows.push((
            indicators::roadmap_id.eq(roadmap_id),
            indicators::code.eq(&entry.code),
            indicators::name.eq(&entry.name),
            indicators::unit.eq(&entry.unit),
            indicators::value_kind.eq(entry.value_kind.as_ref()),
            indicators::direction.eq(entry.direction.as_ref()),
            indicators::yearly_rule.eq(entry.yearly_rule.as_ref()),
            indicators::coordinator_id.eq(coordinator_id),
            indicators::combine_rule.eq(entry.combine_rule.as_ref()),
            indicators::reporting_unit_id.eq(reporting_unit_id),
            indicators::lower_rule.eq(entry.lower_rule.as_ref()),
            indicators::note.eq(entry.note.as_ref()),
            indicators::position.eq(position_of(position)),
        ));
    }
    let mut flags: Vec<bool> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let chunk_flags: Vec<bool> = diesel::insert_into(indicators::table)
            .values(chunk)
            .on_conflict((indicators::roadmap_id, indicators::code))
            .do_update()
            .set((
                indicators::name.eq(excluded(indicators::name)),
                indicators::unit.eq(excluded(indicators::unit)),
                indicators::value_kind.eq(excluded(indicators::value_kind)),
                indicators::direction.eq(excluded(indicators::direction)),
                indicators::yearly_rule.eq(excluded(indicators::yearly_rule)),
                indicators::coordinator_id.eq(excluded(indicators::coordinator_id)),
                indicators::combine_rule.eq(excluded(indicators::combine_rule)),
                indicators::reporting_unit_id.eq(excluded(indicators::reporting_unit_id)),
                indicators::lower_rule.eq(excluded(indicators::lower_rule)),
                indicators::note.eq(excluded(indicators::note)),
                indicators::position.eq(excluded(indicators::position)),
                indicators::updated_at.eq(now),
            ))
            .only_if_changed(sql::<Bool>(
                "(indicators.name, indicators.unit, indicators.value_kind, indicators.direction, indicators.yearly_rule, \
                  indicators.coordinator_id, indicators.combine_rule, indicators.reporting_unit_id, indicators.lower_rule, \
                  indicators.note, indicators.position) \
                 IS DISTINCT FROM (excluded.name, excluded.unit, excluded.value_kind, excluded.direction, excluded.yearly_rule, \
                  excluded.coordinator_id, excluded.combine_rule, excluded.reporting_unit_id, excluded.lower_rule, \
                  excluded.note, excluded.position) \
                 AND indicators.version = 1",
            ))
            .returning(inserted_flag())
            .get_results(connection)
            .await?;
        flags.extend(chunk_flags);
    }
    let ids = indicators::table
        .filter(indicators::roadmap_id.eq(roadmap_id))
        .select((indicators::code, indicators::id))
        .load::<(String, i64)>(connection)
        .await?;
    Ok((upsert_counts(&flags, rows.len()), ids.into_iter().collect()))
}

async fn sync_placements(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
    indicator_ids: &CodeIds,
    places: &PlaceIds<'_>,
) -> anyhow::Result<TableCounts> {
    let mut desired: HashMap<(i64, PlaceColumns), i32> = HashMap::new();
    for entry in &document.indicators {
        let indicator_id = lookup(indicator_ids, &entry.code, "indicator")?;
        for (position, placement) in entry.placements.iter().enumerate() {
            let columns = match placement {
                PlacementRef::Goal(code) => (Some(lookup(places.goals, code, "goal")?), None, None),
                PlacementRef::Objective(code) => (None, Some(lookup(places.objectives, code, "objective")?), None),
                PlacementRef::Activity(code) => (None, None, Some(lookup(places.activities, code, "activity")?)),
            };
            desired.insert((indicator_id, columns), position_of(position));
        }
    }

    let imported: Vec<i64> =
        document.indicators.iter().filter_map(|entry| indicator_ids.get(&entry.code).copied()).collect();
    let existing: Vec<(i64, i64, PlaceColumns, i32)> = indicator_placements::table
        .filter(indicator_placements::indicator_id.eq_any(&imported))
        .select((
            indicator_placements::id,
            indicator_placements::indicator_id,
            (indicator_placements::goal_id, indicator_placements::objective_id, indicator_placements::activity_id),
            indicator_placements::position,
        ))
        .load(connection)
        .await?;

    let mut counts = TableCounts::default();
    let mut stale = Vec::new();
    for (id, indicator_id, place, position) in existing {
        match desired.remove(&(indicator_id, place)) {
            None => stale.push(id),
            Some(new_position) if new_position == position => counts.unchanged += 1,
            Some(new_position) => {
                diesel::update(indicator_placements::table.find(id))
                    .set(indicator_placements::position.eq(new_position))
                    .execute(connection)
                    .await?;
                counts.updated += 1;
            }
        }
    }
    counts.deleted = diesel::delete(indicator_placements::table.filter(indicator_placements::id.eq_any(&stale)))
        .execute(connection)
        .await?;

    let new_rows: Vec<_> = desired
        .into_iter()
        .map(|((indicator_id, (goal_id, objective_id, activity_id)), position)| {
            (
                indicator_placements::indicator_id.eq(indicator_id),
                indicator_placements::goal_id.eq(goal_id),
                indicator_placements::objective_id.eq(objective_id),
                indicator_placements::activity_id.eq(activity_id),
                indicator_placements::position.eq(position),
            )
        })
        .collect();
    for chunk in new_rows.chunks(ROWS_PER_INSERT) {
        counts.inserted += diesel::insert_into(indicator_placements::table).values(chunk).execute(connection).await?;
    }
    Ok(counts)
}

/// The indicators among `ids` that the API changed or retired (their version is past 1). The
/// import keeps their fields and implementers, because the change through the API is newer than
/// the file.
async fn changed_through_api(connection: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    indicators::table
        .filter(indicators::id.eq_any(ids))
        .filter(indicators::version.gt(1))
        .select(indicators::id)
        .load(connection)
        .await
}

async fn sync_implementers(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
    indicator_ids: &CodeIds,
    organisation_ids: &CodeIds,
) -> anyhow::Result<TableCounts> {
    let mut desired: HashMap<(i64, i64), i32> = HashMap::new();
    for entry in &document.indicators {
        let indicator_id = lookup(indicator_ids, &entry.code, "indicator")?;
        for (position, code) in entry.implementers.iter().enumerate() {
            desired.insert((indicator_id, lookup(organisation_ids, code, "organisation")?), position_of(position));
        }
    }

    let imported: Vec<i64> =
        document.indicators.iter().filter_map(|entry| indicator_ids.get(&entry.code).copied()).collect();
    let changed_through_api = changed_through_api(connection, &imported).await?;
    desired.retain(|(indicator_id, _), _| !changed_through_api.contains(indicator_id));
    let existing: Vec<(i64, i64, i32)> = indicator_implementers::table
        .filter(indicator_implementers::indicator_id.eq_any(&imported))
        .filter(diesel::dsl::not(indicator_implementers::indicator_id.eq_any(&changed_through_api)))
        .select((
            indicator_implementers::indicator_id,
            indicator_implementers::organisation_id,
            indicator_implementers::position,
        ))
        .load(connection)
        .await?;

    let mut counts = TableCounts::default();
    for (indicator_id, organisation_id, position) in existing {
        let key = (indicator_id, organisation_id);
        let target = indicator_implementers::table.find(key);
        match desired.remove(&key) {
            None => {
                counts.deleted += diesel::delete(target).execute(connection).await?;
            }
            Some(new_position) if new_position == position => counts.unchanged += 1,
            Some(new_position) => {
                diesel::update(target)
                    .set(indicator_implementers::position.eq(new_position))
                    .execute(connection)
                    .await?;
                counts.updated += 1;
            }
        }
    }

    let new_rows: Vec<_> = desired
        .into_iter()
        .map(|((indicator_id, organisation_id), position)| {
            (
                indicator_implementers::indicator_id.eq(indicator_id),
                indicator_implementers::organisation_id.eq(organisation_id),
                indicator_implementers::position.eq(position),
            )
        })
        .collect();
    for chunk in new_rows.chunks(ROWS_PER_INSERT) {
        counts.inserted += diesel::insert_into(indicator_implementers::table).values(chunk).execute(connection).await?;
    }
    Ok(counts)
}

/// The stored form of a figure, compared with what is in the database.
#[derive(PartialEq)]
struct StoredFigure {
    printed: String,
    columns: FigureColumns,
    stated_value: Option<String>,
    note: Option<String>,
}

impl StoredFigure {
    fn from_entry(entry: &FigureEntry) -> StoredFigure {
        StoredFigure {
            printed: entry.printed.clone(),
            columns: FigureColumns::from_value(&entry.value),
            stated_value: entry.stated_value.clone(),
            note: entry.note.clone(),
        }
    }

    fn from_row(row: &FigureRow) -> anyhow::Result<StoredFigure> {
        Ok(StoredFigure {
            printed: row.printed.clone(),
            columns: FigureColumns::from_value(&row.value()?),
            stated_value: row.stated_value.clone(),
            note: row.note.clone(),
        })
    }
}

async fn sync_figures(
    connection: &mut AsyncPgConnection,
    document: &RoadmapDocument,
    indicator_ids: &CodeIds,
) -> anyhow::Result<TableCounts> {
    let mut desired: HashMap<(i64, String, i32), StoredFigure> = HashMap::new();
    for entry in &document.indicators {
        let indicator_id = lookup(indicator_ids, &entry.code, "indicator")?;
        for figure in &entry.figures {
            desired.insert(
                (indicator_id, figure.role.as_ref().to_string(), figure.year),
                StoredFigure::from_entry(figure),
            );
        }
    }

    let imported: Vec<i64> =
        document.indicators.iter().filter_map(|entry| indicator_ids.get(&entry.code).copied()).collect();
    // Targets set or revised through the API are kept: the file does not overwrite their newer
    // value, and they are counted as unchanged.
    let revised: std::collections::HashSet<(i64, i32)> =
        crate::db::targets::revised_targets(connection, &imported).await?.into_iter().collect();
    let api_target = |indicator_id: i64, role: &str, year: i32| {
        role == crate::domain::indicator::FigureRole::Target.as_ref() && revised.contains(&(indicator_id, year))
    };
    desired.retain(|(indicator_id, role, year), _| !api_target(*indicator_id, role, *year));

    let existing: Vec<(i64, FigureRow)> = indicator_figures::table
        .filter(indicator_figures::indicator_id.eq_any(&imported))
        .filter(indicator_figures::quarter.is_null())
        .select((indicator_figures::id, FigureRow::as_select()))
        .load(connection)
        .await?;

    let mut counts = TableCounts::default();
    let mut stale = Vec::new();
    for (id, row) in existing {
        if api_target(row.indicator_id, &row.role, row.year) {
            counts.unchanged += 1;
            continue;
        }
        match desired.remove(&(row.indicator_id, row.role.clone(), row.year)) {
            None => stale.push(id),
            Some(figure) if figure == StoredFigure::from_row(&row)? => counts.unchanged += 1,
            Some(figure) => {
                let columns = &figure.columns;
                diesel::update(indicator_figures::table.find(id))
                    .set((
                        columns,
                        indicator_figures::printed.eq(&figure.printed),
                        indicator_figures::stated_value.eq(&figure.stated_value),
                        indicator_figures::note.eq(&figure.note),
                        indicator_figures::version.eq(indicator_figures::version + 1),
                        indicator_figures::updated_at.eq(now),
                    ))
                    .execute(connection)
                    .await?;
                counts.updated += 1;
            }
        }
    }
    counts.deleted = diesel::delete(indicator_figures::table.filter(indicator_figures::id.eq_any(&stale)))
        .execute(connection)
        .await?;

    let new_rows: Vec<_> = desired
        .iter()
        .map(|((indicator_id, role, year), figure)| {
            let columns = &figure.columns;
            (
                indicator_figures::indicator_id.eq(*indicator_id),
                indicator_figures::role.eq(role),
                indicator_figures::year.eq(*year),
                indicator_figures::printed.eq(&figure.printed),
                indicator_figures::value_type.eq(columns.value_type),
                indicator_figures::number.eq(&columns.number),
                indicator_figures::count.eq(&columns.count),
                indicator_figures::qualifier.eq(&columns.qualifier),
                indicator_figures::band_low.eq(&columns.band_low),
                indicator_figures::band_high.eq(&columns.band_high),
                indicator_figures::comparator.eq(&columns.comparator),
                indicator_figures::grade.eq(&columns.grade),
                indicator_figures::label.eq(&columns.label),
                (indicator_figures::stated_value.eq(&figure.stated_value), indicator_figures::note.eq(&figure.note)),
            )
        })
        .collect();
    for chunk in new_rows.chunks(ROWS_PER_INSERT) {
        counts.inserted += diesel::insert_into(indicator_figures::table).values(chunk).execute(connection).await?;
    }
    Ok(counts)
}

fn lookup(ids: &CodeIds, code: &str, kind: &str) -> anyhow::Result<i64> {
    ids.get(code).copied().ok_or_else(|| anyhow::anyhow!("{kind} {code:?} has no id after upsert"))
}

fn optional_lookup(organisation_ids: &CodeIds, code: Option<&str>) -> anyhow::Result<Option<i64>> {
    code.map(|code| lookup(organisation_ids, code, "organisation")).transpose()
}

fn position_of(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}
