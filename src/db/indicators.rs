//! Queries on indicators. A page of indicators is read with a fixed number of queries, whatever
//! its size: the indicators, then their implementers, figures and placements in one query each.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::organisations;
use crate::db::roadmaps::RoadmapNodes;
use crate::db::rows::{FigureRow, IndicatorRow, PlaceColumns};
use crate::db::schema::{
    activities, indicator_figures, indicator_implementers, indicator_placements, indicators, objectives,
};
use crate::domain::indicator::{CombineRule, Direction, FigureRole, Level, LowerRule, ValueKind, YearlyRule};
use crate::domain::key::Key;
use crate::domain::pagination::PageRequest;
use crate::views::{FigureView, IndicatorView, PlacementView};

/// The part of an organisation in an indicator, for filtering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrganisationRole {
    Coordinator,
    Implementer,
    /// The designated reporting unit, whose figure is the one that counts.
    ReportingUnit,
    #[default]
    Any,
}

/// Filters for listing indicators; ids are resolved by the caller.
#[derive(Clone, Debug, Default)]
pub struct IndicatorFilter {
    /// Indicators shown at the objective or at one of its activities.
    pub objective_id: Option<i64>,
    /// Indicators shown at the theme's objectives or their activities.
    pub theme_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub organisation: Option<(i64, OrganisationRole)>,
}

type BoxedIndicators<'a> = indicators::BoxedQuery<'a, diesel::pg::Pg>;

fn filtered(roadmap_id: i64, filter: &IndicatorFilter) -> BoxedIndicators<'static> {
    let mut query = indicators::table.filter(indicators::roadmap_id.eq(roadmap_id)).into_boxed();

    if let Some(objective_id) = filter.objective_id {
        let activity_ids =
            activities::table.filter(activities::objective_id.eq(objective_id)).select(activities::id.nullable());
        let placed = indicator_placements::table
            .filter(
                indicator_placements::objective_id
                    .eq(objective_id)
                    .or(indicator_placements::activity_id.eq_any(activity_ids)),
            )
            .select(indicator_placements::indicator_id);
        query = query.filter(indicators::id.eq_any(placed));
    }
    if let Some(theme_id) = filter.theme_id {
        let objective_ids = objectives::table.filter(objectives::theme_id.eq(theme_id)).select(objectives::id);
        let activity_ids = activities::table
            .filter(
                activities::objective_id
                    .eq_any(objectives::table.filter(objectives::theme_id.eq(theme_id)).select(objectives::id)),
            )
            .select(activities::id.nullable());
        let placed = indicator_placements::table
            .filter(
                indicator_placements::objective_id
                    .eq_any(objective_ids.select(objectives::id.nullable()))
                    .or(indicator_placements::activity_id.eq_any(activity_ids)),
            )
            .select(indicator_placements::indicator_id);
        query = query.filter(indicators::id.eq_any(placed));
    }
    if let Some(activity_id) = filter.activity_id {
        let placed = indicator_placements::table
            .filter(indicator_placements::activity_id.eq(activity_id))
            .select(indicator_placements::indicator_id);
        query = query.filter(indicators::id.eq_any(placed));
    }
    if let Some((organisation_id, role)) = filter.organisation {
        let implemented = indicator_implementers::table
            .filter(indicator_implementers::organisation_id.eq(organisation_id))
            .select(indicator_implementers::indicator_id);
        query = match role {
            OrganisationRole::Coordinator => query.filter(indicators::coordinator_id.eq(organisation_id)),
            OrganisationRole::Implementer => query.filter(indicators::id.eq_any(implemented)),
            OrganisationRole::ReportingUnit => query.filter(indicators::reporting_unit_id.eq(organisation_id)),
            OrganisationRole::Any => {
                query.filter(indicators::coordinator_id.eq(organisation_id).or(indicators::id.eq_any(implemented)))
            }
        };
    }
    query
}

/// Lists one page of a road map's indicators in road map order.
pub async fn list(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    filter: &IndicatorFilter,
    page: PageRequest,
    nodes: &RoadmapNodes,
) -> anyhow::Result<(Vec<IndicatorView>, i64)> {
    let total: i64 = filtered(roadmap_id, filter).count().get_result(connection).await?;
    let rows: Vec<IndicatorRow> = filtered(roadmap_id, filter)
        .order((indicators::position, indicators::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(IndicatorRow::as_select())
        .load(connection)
        .await?;
    Ok((views(connection, rows, nodes).await?, total))
}

/// Loads every indicator of a road map that matches the filter.
pub async fn load_all(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    filter: &IndicatorFilter,
    nodes: &RoadmapNodes,
) -> anyhow::Result<Vec<IndicatorView>> {
    let rows: Vec<IndicatorRow> = filtered(roadmap_id, filter)
        .order((indicators::position, indicators::id))
        .select(IndicatorRow::as_select())
        .load(connection)
        .await?;
    views(connection, rows, nodes).await
}

/// Loads the ids of a road map's indicators by code.
pub async fn ids_by_code(connection: &mut AsyncPgConnection, roadmap_id: i64) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = indicators::table
        .filter(indicators::roadmap_id.eq(roadmap_id))
        .select((indicators::code, indicators::id))
        .load(connection)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Finds one indicator of a road map by id or code.
pub async fn find(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    key: Key<'_>,
    nodes: &RoadmapNodes,
) -> anyhow::Result<Option<IndicatorView>> {
    let query =
        indicators::table.filter(indicators::roadmap_id.eq(roadmap_id)).select(IndicatorRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(indicators::id.eq(id)),
        Key::Code(code) => query.filter(indicators::code.eq(code)),
    };
    let Some(row) = query.first(connection).await.optional()? else {
        return Ok(None);
    };
    Ok(views(connection, vec![row], nodes).await?.pop())
}

/// Adds organisations, figures and placements to indicator rows, with four queries in all.
async fn views(
    connection: &mut AsyncPgConnection,
    rows: Vec<IndicatorRow>,
    nodes: &RoadmapNodes,
) -> anyhow::Result<Vec<IndicatorView>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();

    let implementer_rows: Vec<(i64, i64)> = indicator_implementers::table
        .filter(indicator_implementers::indicator_id.eq_any(&ids))
        .order((indicator_implementers::indicator_id, indicator_implementers::position))
        .select((indicator_implementers::indicator_id, indicator_implementers::organisation_id))
        .load(connection)
        .await?;
    let figure_rows: Vec<FigureRow> = indicator_figures::table
        .filter(indicator_figures::indicator_id.eq_any(&ids))
        .order((
            indicator_figures::indicator_id,
            indicator_figures::year,
            indicator_figures::quarter.asc().nulls_first(),
        ))
        .select(FigureRow::as_select())
        .load(connection)
        .await?;
    let placement_rows: Vec<(i64, PlaceColumns)> = indicator_placements::table
        .filter(indicator_placements::indicator_id.eq_any(&ids))
        .order((indicator_placements::indicator_id, indicator_placements::position))
        .select((
            indicator_placements::indicator_id,
            (indicator_placements::goal_id, indicator_placements::objective_id, indicator_placements::activity_id),
        ))
        .load(connection)
        .await?;

    let mut organisation_ids: Vec<i64> = implementer_rows.iter().map(|(_, organisation_id)| *organisation_id).collect();
    organisation_ids.extend(rows.iter().filter_map(|row| row.coordinator_id));
    organisation_ids.extend(rows.iter().filter_map(|row| row.reporting_unit_id));
    organisation_ids.sort_unstable();
    organisation_ids.dedup();
    let organisations = organisations::refs_by_id(connection, &organisation_ids).await?;

    let mut implementers: HashMap<i64, Vec<_>> = HashMap::new();
    for (indicator_id, organisation_id) in implementer_rows {
        if let Some(organisation) = organisations.get(&organisation_id) {
            implementers.entry(indicator_id).or_default().push(organisation.clone());
        }
    }
    let mut figures: HashMap<i64, Vec<FigureRow>> = HashMap::new();
    for figure in figure_rows {
        figures.entry(figure.indicator_id).or_default().push(figure);
    }
    let mut placements: HashMap<i64, Vec<PlacementView>> = HashMap::new();
    for (indicator_id, columns) in placement_rows {
        let place = match columns {
            (Some(id), _, _) => (Level::Goal, id),
            (_, Some(id), _) => (Level::Objective, id),
            (_, _, Some(id)) => (Level::Activity, id),
            _ => continue,
        };
        if let Some(node) = nodes.node_ref(place.0, place.1) {
            placements.entry(indicator_id).or_default().push(PlacementView {
                level: place.0,
                id: node.id,
                code: node.code,
                name: node.name,
            });
        }
    }

    rows.into_iter()
        .map(|row| {
            let (baseline, targets) = split_figures(figures.remove(&row.id).unwrap_or_default())?;
            Ok(IndicatorView {
                id: row.id,
                code: row.code,
                name: row.name,
                unit: row.unit,
                value_kind: parse_column::<ValueKind>(&row.value_kind, "value_kind")?,
                direction: parse_column::<Direction>(&row.direction, "direction")?,
                yearly_rule: parse_column::<YearlyRule>(&row.yearly_rule, "yearly_rule")?,
                coordinator: row.coordinator_id.and_then(|id| organisations.get(&id).cloned()),
                implementers: implementers.remove(&row.id).unwrap_or_default(),
                combine_rule: parse_column::<CombineRule>(&row.combine_rule, "combine_rule")?,
                reporting_unit: row.reporting_unit_id.and_then(|id| organisations.get(&id).cloned()),
                lower_rule: parse_column::<LowerRule>(&row.lower_rule, "lower_rule")?,
                retired_at: row.retired_at,
                retired_reason: row.retired_reason,
                version: row.version,
                placements: placements.remove(&row.id).unwrap_or_default(),
                baseline,
                targets,
                note: row.note,
            })
        })
        .collect()
}

fn split_figures(rows: Vec<FigureRow>) -> anyhow::Result<(Option<FigureView>, Vec<FigureView>)> {
    let mut baseline = None;
    let mut targets = Vec::new();
    for row in rows {
        let role = parse_column::<FigureRole>(&row.role, "role")?;
        let view = FigureView {
            year: row.year,
            quarter: row.quarter,
            value: row.value()?,
            printed: row.printed,
            stated_value: row.stated_value,
            note: row.note,
        };
        match role {
            FigureRole::Baseline => baseline = Some(view),
            FigureRole::Target => targets.push(view),
        }
    }
    Ok((baseline, targets))
}

fn parse_column<T: std::str::FromStr>(text: &str, column: &str) -> anyhow::Result<T> {
    text.parse().map_err(|_| anyhow::anyhow!("unexpected {column} {text:?} in the database"))
}

/// Lists (road map code, indicator code, name) of the indicators an organisation coordinates or
/// implements, in road map order.
pub async fn refs_for_organisation(
    connection: &mut AsyncPgConnection,
    organisation_id: i64,
    role: OrganisationRole,
) -> QueryResult<Vec<(String, String, String)>> {
    use crate::db::schema::roadmaps;

    let implemented = indicator_implementers::table
        .filter(indicator_implementers::organisation_id.eq(organisation_id))
        .select(indicator_implementers::indicator_id);
    let query = indicators::table.inner_join(roadmaps::table).into_boxed();
    let query = match role {
        OrganisationRole::Coordinator => query.filter(indicators::coordinator_id.eq(organisation_id)),
        OrganisationRole::Implementer => query.filter(indicators::id.eq_any(implemented)),
        OrganisationRole::ReportingUnit => query.filter(indicators::reporting_unit_id.eq(organisation_id)),
        OrganisationRole::Any => {
            query.filter(indicators::coordinator_id.eq(organisation_id).or(indicators::id.eq_any(implemented)))
        }
    };
    query
        .order((roadmaps::code, indicators::position))
        .select((roadmaps::code, indicators::code, indicators::name))
        .load(connection)
        .await
}

/// The parts of an indicator that the realisation rules need: its row, implementers and targets.
#[derive(Clone, Debug)]
pub struct IndicatorSubject {
    pub row: IndicatorRow,
    pub roadmap_id: i64,
    pub implementers: Vec<i64>,
    pub targets: Vec<FigureRow>,
}

impl IndicatorSubject {
    /// Finds the target in force for a year and quarter: the quarter's own target if the road map
    /// has one, else the year's.
    pub fn target(&self, year: i32, quarter: Option<i16>) -> Option<&FigureRow> {
        let of = |wanted: Option<i16>| self.targets.iter().find(|row| row.year == year && row.quarter == wanted);
        quarter.and_then(|quarter| of(Some(quarter))).or_else(|| of(None))
    }
}

/// Loads an indicator's subject by id, or by code within a road map.
pub async fn subject(
    connection: &mut AsyncPgConnection,
    roadmap_id: Option<i64>,
    key: Key<'_>,
) -> QueryResult<Option<IndicatorSubject>> {
    let mut query = indicators::table.select(indicators::id).into_boxed();
    if let Some(roadmap_id) = roadmap_id {
        query = query.filter(indicators::roadmap_id.eq(roadmap_id));
    }
    let query = match key {
        Key::Id(id) => query.filter(indicators::id.eq(id)),
        Key::Code(code) => query.filter(indicators::code.eq(code)),
    };
    let Some(id) = query.first::<i64>(connection).await.optional()? else {
        return Ok(None);
    };
    Ok(subjects(connection, &[id]).await?.remove(&id))
}

/// Loads the subjects of a road map's indicators named by id or code, as a file names them,
/// with four queries whatever their number. Returns them by the id or code that named them;
/// a name that matches no indicator of the road map is left out.
pub async fn subjects_by_key(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    names: &[&str],
) -> QueryResult<HashMap<String, IndicatorSubject>> {
    let (mut ids, mut codes) = (Vec::new(), Vec::new());
    for name in names {
        match Key::parse(name) {
            Key::Id(id) => ids.push(id),
            Key::Code(code) => codes.push(code),
        }
    }
    let found: Vec<(i64, String)> = indicators::table
        .filter(indicators::roadmap_id.eq(roadmap_id))
        .filter(indicators::id.eq_any(&ids).or(indicators::code.eq_any(&codes)))
        .select((indicators::id, indicators::code))
        .load(connection)
        .await?;
    let found_ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let subjects = subjects(connection, &found_ids).await?;

    let id_of_code: HashMap<&str, i64> = found.iter().map(|(id, code)| (code.as_str(), *id)).collect();
    let mut by_name = HashMap::new();
    for name in names {
        let id = match Key::parse(name) {
            Key::Id(id) => Some(id),
            Key::Code(code) => id_of_code.get(code).copied(),
        };
        if let Some(subject) = id.and_then(|id| subjects.get(&id)) {
            by_name.insert(name.to_string(), subject.clone());
        }
    }
    Ok(by_name)
}

/// Loads the subjects of several indicators with three queries.
pub async fn subjects(connection: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<HashMap<i64, IndicatorSubject>> {
    let rows: Vec<(i64, IndicatorRow)> = indicators::table
        .filter(indicators::id.eq_any(ids))
        .select((indicators::roadmap_id, IndicatorRow::as_select()))
        .load(connection)
        .await?;
    let implementer_rows: Vec<(i64, i64)> = indicator_implementers::table
        .filter(indicator_implementers::indicator_id.eq_any(ids))
        .order((indicator_implementers::indicator_id, indicator_implementers::position))
        .select((indicator_implementers::indicator_id, indicator_implementers::organisation_id))
        .load(connection)
        .await?;
    let target_rows: Vec<FigureRow> = indicator_figures::table
        .filter(indicator_figures::indicator_id.eq_any(ids))
        .filter(indicator_figures::role.eq(FigureRole::Target.as_ref()))
        .select(FigureRow::as_select())
        .load(connection)
        .await?;

    let mut subjects: HashMap<i64, IndicatorSubject> = rows
        .into_iter()
        .map(|(roadmap_id, row)| {
            (row.id, IndicatorSubject { row, roadmap_id, implementers: Vec::new(), targets: Vec::new() })
        })
        .collect();
    for (indicator_id, organisation_id) in implementer_rows {
        if let Some(subject) = subjects.get_mut(&indicator_id) {
            subject.implementers.push(organisation_id);
        }
    }
    for target in target_rows {
        if let Some(subject) = subjects.get_mut(&target.indicator_id) {
            subject.targets.push(target);
        }
    }
    Ok(subjects)
}

/// Finds the coordinating organisation of an indicator.
pub async fn coordinator_of(connection: &mut AsyncPgConnection, indicator_id: i64) -> QueryResult<Option<i64>> {
    indicators::table.find(indicator_id).select(indicators::coordinator_id).first(connection).await
}

/// The columns of an indicator that the API may change.
pub struct IndicatorChanges<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub yearly_rule: &'a str,
    pub coordinator_id: Option<i64>,
    pub combine_rule: &'a str,
    pub reporting_unit_id: Option<i64>,
    pub lower_rule: &'a str,
    pub note: Option<&'a str>,
}

/// Changes an indicator and replaces its implementers if it still has `version`; returns
/// `false` when another change came first.
pub async fn update(
    connection: &mut AsyncPgConnection,
    id: i64,
    version: i32,
    changes: &IndicatorChanges<'_>,
    implementers: &[i64],
) -> QueryResult<bool> {
    let changed = diesel::update(indicators::table.find(id).filter(indicators::version.eq(version)))
        .set((
            indicators::name.eq(changes.name),
            indicators::unit.eq(changes.unit),
            indicators::yearly_rule.eq(changes.yearly_rule),
            indicators::coordinator_id.eq(changes.coordinator_id),
            indicators::combine_rule.eq(changes.combine_rule),
            indicators::reporting_unit_id.eq(changes.reporting_unit_id),
            indicators::lower_rule.eq(changes.lower_rule),
            indicators::note.eq(changes.note),
            indicators::version.eq(version + 1),
            indicators::updated_at.eq(diesel::dsl::now),
        ))
        .execute(connection)
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    diesel::delete(indicator_implementers::table.filter(indicator_implementers::indicator_id.eq(id)))
        .execute(connection)
        .await?;
    let rows: Vec<_> = implementers
        .iter()
        .enumerate()
        .map(|(position, organisation_id)| {
            (
                indicator_implementers::indicator_id.eq(id),
                indicator_implementers::organisation_id.eq(*organisation_id),
                indicator_implementers::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    diesel::insert_into(indicator_implementers::table).values(&rows).execute(connection).await?;
    Ok(true)
}
