//! Queries on action plans, their milestones and the progress reported on them.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::{max, not, sum};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{
    action_plan_indicators, action_plan_supporters, action_plans, activities, indicator_placements, indicators,
    milestone_progress, milestones, objectives,
};
use crate::domain::pagination::PageRequest;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = action_plans)]
pub struct PlanRow {
    pub id: i64,
    pub roadmap_id: i64,
    pub code: Option<String>,
    pub activity_id: Option<i64>,
    pub objective_id: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub output_name: String,
    pub output_unit: String,
    pub output_quantity: BigDecimal,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget: Option<BigDecimal>,
    pub responsible_id: i64,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields of a plan that a client writes.
#[derive(Clone, Debug, Insertable, AsChangeset)]
#[diesel(table_name = action_plans, treat_none_as_null = true)]
pub struct PlanFields {
    pub title: String,
    pub description: Option<String>,
    pub output_name: String,
    pub output_unit: String,
    pub output_quantity: BigDecimal,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget: Option<BigDecimal>,
    pub responsible_id: i64,
    pub status: String,
}

/// The place of a new plan: its road map, code and node.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = action_plans)]
pub struct PlanPlace {
    pub roadmap_id: i64,
    pub code: Option<String>,
    pub activity_id: Option<i64>,
    pub objective_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = milestones)]
pub struct MilestoneRow {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub expected_output: String,
    pub due_on: NaiveDate,
    pub due_quarter: Option<String>,
    pub weight: BigDecimal,
    pub progress: BigDecimal,
    pub progress_reported_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields of a milestone that a client writes.
#[derive(Clone, Debug, Insertable, AsChangeset)]
#[diesel(table_name = milestones, treat_none_as_null = true)]
pub struct MilestoneFields {
    pub title: String,
    pub expected_output: String,
    pub due_on: NaiveDate,
    pub due_quarter: Option<String>,
    pub weight: BigDecimal,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = milestone_progress)]
pub struct ProgressRow {
    pub id: i64,
    pub milestone_id: i64,
    pub percent: BigDecimal,
    pub note: Option<String>,
    pub reported_by_user_id: Option<i64>,
    pub reported_by_client_id: Option<i64>,
    pub reported_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = milestone_progress)]
pub struct NewProgress {
    pub milestone_id: i64,
    pub percent: BigDecimal,
    pub note: Option<String>,
    pub reported_by_user_id: Option<i64>,
    pub reported_by_client_id: Option<i64>,
    pub reported_at: DateTime<Utc>,
}

/// The node a plan serves: a main activity or a thematic objective, with what the rules need.
#[derive(Clone, Debug)]
pub struct PlanNode {
    pub activity_id: Option<i64>,
    pub objective_id: Option<i64>,
    pub code: String,
    /// `general` or `thematic`, for objectives.
    pub objective_kind: Option<String>,
    pub retired: bool,
    /// The coordinators of the node's plans: the one set on the node, else the coordinators of
    /// the indicators placed at it.
    pub coordinators: Vec<i64>,
}

/// Finds an activity of a road map by id or code, with its coordinators.
pub async fn activity_node(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    id: Option<i64>,
    code: &str,
) -> QueryResult<Option<PlanNode>> {
    let query = activities::table
        .filter(activities::roadmap_id.eq(roadmap_id))
        .select((activities::id, activities::code, activities::retired_at.is_not_null(), activities::coordinator_id))
        .into_boxed();
    let query = match id {
        Some(id) => query.filter(activities::id.eq(id)),
        None => query.filter(activities::code.eq(code)),
    };
    let Some((id, code, retired, coordinator)) =
        query.first::<(i64, String, bool, Option<i64>)>(connection).await.optional()?
    else {
        return Ok(None);
    };
    let coordinators = match coordinator {
        Some(coordinator) => vec![coordinator],
        None => placed_coordinators(connection, Some(id), None).await?,
    };
    Ok(Some(PlanNode { activity_id: Some(id), objective_id: None, code, objective_kind: None, retired, coordinators }))
}

/// Finds an objective of a road map by id or code, with its coordinators.
pub async fn objective_node(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    id: Option<i64>,
    code: &str,
) -> QueryResult<Option<PlanNode>> {
    let query = objectives::table
        .filter(objectives::roadmap_id.eq(roadmap_id))
        .select((
            objectives::id,
            objectives::code,
            objectives::kind,
            objectives::retired_at.is_not_null(),
            objectives::coordinator_id,
        ))
        .into_boxed();
    let query = match id {
        Some(id) => query.filter(objectives::id.eq(id)),
        None => query.filter(objectives::code.eq(code)),
    };
    let Some((id, code, kind, retired, coordinator)) =
        query.first::<(i64, String, String, bool, Option<i64>)>(connection).await.optional()?
    else {
        return Ok(None);
    };
    let coordinators = match coordinator {
        Some(coordinator) => vec![coordinator],
        None => placed_coordinators(connection, None, Some(id)).await?,
    };
    Ok(Some(PlanNode {
        activity_id: None,
        objective_id: Some(id),
        code,
        objective_kind: Some(kind),
        retired,
        coordinators,
    }))
}

/// Finds the node of a plan.
pub async fn node_of(connection: &mut AsyncPgConnection, plan: &PlanRow) -> QueryResult<Option<PlanNode>> {
    match (plan.activity_id, plan.objective_id) {
        (Some(id), _) => activity_node(connection, plan.roadmap_id, Some(id), "").await,
        (None, Some(id)) => objective_node(connection, plan.roadmap_id, Some(id), "").await,
        (None, None) => Ok(None),
    }
}

/// Loads the coordinators of the indicators placed at an activity or an objective.
async fn placed_coordinators(
    connection: &mut AsyncPgConnection,
    activity_id: Option<i64>,
    objective_id: Option<i64>,
) -> QueryResult<Vec<i64>> {
    let query = indicator_placements::table
        .inner_join(indicators::table)
        .filter(indicators::coordinator_id.is_not_null())
        .select(indicators::coordinator_id.assume_not_null())
        .distinct()
        .into_boxed();
    let query = match (activity_id, objective_id) {
        (Some(id), _) => query.filter(indicator_placements::activity_id.eq(id)),
        (None, Some(id)) => query.filter(indicator_placements::objective_id.eq(id)),
        (None, None) => return Ok(Vec::new()),
    };
    query.load(connection).await
}

/// Loads the activities and objectives whose plans an organisation coordinates.
pub async fn coordinated_nodes(
    connection: &mut AsyncPgConnection,
    organisation_id: i64,
) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let placed = indicator_placements::table
        .inner_join(indicators::table)
        .filter(indicators::coordinator_id.eq(organisation_id));
    let activity_ids: Vec<i64> = activities::table
        .filter(
            activities::coordinator_id.eq(organisation_id).or(activities::coordinator_id
                .is_null()
                .and(activities::id.nullable().eq_any(placed.select(indicator_placements::activity_id)))),
        )
        .select(activities::id)
        .load(connection)
        .await?;
    let objective_ids: Vec<i64> = objectives::table
        .filter(
            objectives::coordinator_id.eq(organisation_id).or(objectives::coordinator_id
                .is_null()
                .and(objectives::id.nullable().eq_any(placed.select(indicator_placements::objective_id)))),
        )
        .select(objectives::id)
        .load(connection)
        .await?;
    Ok((activity_ids, objective_ids))
}

/// Stores a plan with its supporting organisations and indicators.
pub async fn insert_plan(
    connection: &mut AsyncPgConnection,
    place: &PlanPlace,
    fields: &PlanFields,
    supporters: &[i64],
    indicator_ids: &[i64],
) -> QueryResult<PlanRow> {
    let row: PlanRow = diesel::insert_into(action_plans::table)
        .values((place, fields))
        .returning(PlanRow::as_returning())
        .get_result(connection)
        .await?;
    replace_links(connection, row.id, supporters, indicator_ids).await?;
    Ok(row)
}

/// Replaces a plan's supporting organisations and indicators.
async fn replace_links(
    connection: &mut AsyncPgConnection,
    plan_id: i64,
    supporters: &[i64],
    indicator_ids: &[i64],
) -> QueryResult<()> {
    diesel::delete(action_plan_supporters::table.filter(action_plan_supporters::plan_id.eq(plan_id)))
        .execute(connection)
        .await?;
    diesel::delete(action_plan_indicators::table.filter(action_plan_indicators::plan_id.eq(plan_id)))
        .execute(connection)
        .await?;
    let supporter_rows: Vec<_> = supporters
        .iter()
        .zip(0..)
        .map(|(id, position): (&i64, i32)| {
            (
                action_plan_supporters::plan_id.eq(plan_id),
                action_plan_supporters::organisation_id.eq(*id),
                action_plan_supporters::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(action_plan_supporters::table).values(&supporter_rows).execute(connection).await?;
    let indicator_rows: Vec<_> = indicator_ids
        .iter()
        .zip(0..)
        .map(|(id, position): (&i64, i32)| {
            (
                action_plan_indicators::plan_id.eq(plan_id),
                action_plan_indicators::indicator_id.eq(*id),
                action_plan_indicators::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(action_plan_indicators::table).values(&indicator_rows).execute(connection).await?;
    Ok(())
}

pub async fn find_plan(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<PlanRow>> {
    action_plans::table.find(id).select(PlanRow::as_select()).first(connection).await.optional()
}

/// Finds a plan and locks its row until the transaction ends, so that changes to the plan and
/// its milestones happen one at a time.
pub async fn lock_plan(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<PlanRow>> {
    action_plans::table.find(id).select(PlanRow::as_select()).for_update().first(connection).await.optional()
}

/// Changes a plan that still has `version`, replacing its links where given; returns `None`
/// when the version moved on.
pub async fn update_plan(
    connection: &mut AsyncPgConnection,
    id: i64,
    version: i32,
    fields: &PlanFields,
    links: Option<(&[i64], &[i64])>,
) -> QueryResult<Option<PlanRow>> {
    let row =
        diesel::update(action_plans::table.filter(action_plans::id.eq(id)).filter(action_plans::version.eq(version)))
            .set((fields, action_plans::version.eq(version + 1), action_plans::updated_at.eq(diesel::dsl::now)))
            .returning(PlanRow::as_returning())
            .get_result(connection)
            .await
            .optional()?;
    if row.is_some()
        && let Some((supporters, indicator_ids)) = links
    {
        replace_links(connection, id, supporters, indicator_ids).await?;
    }
    Ok(row)
}

/// Cancels a plan that still has `version`; returns `None` when the version moved on.
pub async fn cancel_plan(
    connection: &mut AsyncPgConnection,
    id: i64,
    version: i32,
    reason: &str,
) -> QueryResult<Option<PlanRow>> {
    diesel::update(action_plans::table.filter(action_plans::id.eq(id)).filter(action_plans::version.eq(version)))
        .set((
            action_plans::status.eq("cancelled"),
            action_plans::cancel_reason.eq(reason),
            action_plans::version.eq(version + 1),
            action_plans::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PlanRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// Moves a plan from planned to in progress, as its first progress report does.
pub async fn mark_started(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    let changed =
        diesel::update(action_plans::table.filter(action_plans::id.eq(id)).filter(action_plans::status.eq("planned")))
            .set((
                action_plans::status.eq("in_progress"),
                action_plans::version.eq(action_plans::version + 1),
                action_plans::updated_at.eq(diesel::dsl::now),
            ))
            .execute(connection)
            .await?;
    Ok(changed > 0)
}

/// Loads the supporting organisations of plans, as (plan, organisation) pairs in order.
pub async fn supporters_of(connection: &mut AsyncPgConnection, plan_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    action_plan_supporters::table
        .filter(action_plan_supporters::plan_id.eq_any(plan_ids))
        .order((action_plan_supporters::plan_id, action_plan_supporters::position))
        .select((action_plan_supporters::plan_id, action_plan_supporters::organisation_id))
        .load(connection)
        .await
}

/// Loads the indicators that plans serve, as (plan, indicator id, code, name) in order.
pub async fn indicators_of(
    connection: &mut AsyncPgConnection,
    plan_ids: &[i64],
) -> QueryResult<Vec<(i64, i64, String, String)>> {
    action_plan_indicators::table
        .inner_join(indicators::table)
        .filter(action_plan_indicators::plan_id.eq_any(plan_ids))
        .order((action_plan_indicators::plan_id, action_plan_indicators::position))
        .select((action_plan_indicators::plan_id, indicators::id, indicators::code, indicators::name))
        .load(connection)
        .await
}

/// Loads the milestones of plans, by plan and in order.
pub async fn milestones_of(connection: &mut AsyncPgConnection, plan_ids: &[i64]) -> QueryResult<Vec<MilestoneRow>> {
    milestones::table
        .filter(milestones::plan_id.eq_any(plan_ids))
        .order((milestones::plan_id, milestones::position, milestones::id))
        .select(MilestoneRow::as_select())
        .load(connection)
        .await
}

pub async fn find_milestone(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<MilestoneRow>> {
    milestones::table.find(id).select(MilestoneRow::as_select()).first(connection).await.optional()
}

/// Counts a plan's milestones and totals their weights, leaving one out.
pub async fn weights(
    connection: &mut AsyncPgConnection,
    plan_id: i64,
    except: Option<i64>,
) -> QueryResult<(i64, BigDecimal)> {
    let (count, total): (i64, Option<BigDecimal>) = milestones::table
        .filter(milestones::plan_id.eq(plan_id))
        .filter(milestones::id.ne(except.unwrap_or(0)))
        .select((diesel::dsl::count_star(), sum(milestones::weight)))
        .first(connection)
        .await?;
    Ok((count, total.unwrap_or_default()))
}

pub async fn insert_milestone(
    connection: &mut AsyncPgConnection,
    plan_id: i64,
    fields: &MilestoneFields,
) -> QueryResult<MilestoneRow> {
    let last: Option<i32> = milestones::table
        .filter(milestones::plan_id.eq(plan_id))
        .select(max(milestones::position))
        .first(connection)
        .await?;
    diesel::insert_into(milestones::table)
        .values((fields, milestones::plan_id.eq(plan_id), milestones::position.eq(last.map_or(0, |last| last + 1))))
        .returning(MilestoneRow::as_returning())
        .get_result(connection)
        .await
}

/// Changes a milestone that still has `version`; returns `None` when the version moved on.
pub async fn update_milestone(
    connection: &mut AsyncPgConnection,
    id: i64,
    version: i32,
    fields: &MilestoneFields,
) -> QueryResult<Option<MilestoneRow>> {
    diesel::update(milestones::table.filter(milestones::id.eq(id)).filter(milestones::version.eq(version)))
        .set((fields, milestones::version.eq(version + 1), milestones::updated_at.eq(diesel::dsl::now)))
        .returning(MilestoneRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// Stores a progress report and makes it the milestone's current progress.
pub async fn insert_progress(connection: &mut AsyncPgConnection, new: &NewProgress) -> QueryResult<MilestoneRow> {
    diesel::insert_into(milestone_progress::table).values(new).execute(connection).await?;
    diesel::update(milestones::table.find(new.milestone_id))
        .set((
            milestones::progress.eq(&new.percent),
            milestones::progress_reported_at.eq(new.reported_at),
            milestones::version.eq(milestones::version + 1),
            milestones::updated_at.eq(diesel::dsl::now),
        ))
        .returning(MilestoneRow::as_returning())
        .get_result(connection)
        .await
}

/// Loads the progress reports of a milestone, oldest first.
pub async fn progress_history(connection: &mut AsyncPgConnection, milestone_id: i64) -> QueryResult<Vec<ProgressRow>> {
    milestone_progress::table
        .filter(milestone_progress::milestone_id.eq(milestone_id))
        .order(milestone_progress::id)
        .select(ProgressRow::as_select())
        .load(connection)
        .await
}

/// Filters of the plan list, with keys already resolved to ids.
#[derive(Clone, Debug, Default)]
pub struct PlanFilter {
    pub objective_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub status: Option<String>,
    /// With the day against which overdue is judged.
    pub overdue: Option<(bool, NaiveDate)>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
}

/// The plans an organisation-bound caller may see: those it is responsible for or supports,
/// and those of the nodes it coordinates.
#[derive(Clone, Debug)]
pub struct Visibility {
    pub organisation_id: i64,
    pub activity_ids: Vec<i64>,
    pub objective_ids: Vec<i64>,
}

/// Lists a road map's plans matching the filter, oldest first, with the total count.
pub async fn list(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    filter: &PlanFilter,
    visibility: Option<&Visibility>,
    page: PageRequest,
) -> QueryResult<(Vec<PlanRow>, i64)> {
    let build = || {
        let mut query = action_plans::table.filter(action_plans::roadmap_id.eq(roadmap_id)).into_boxed();
        if let Some(id) = filter.activity_id {
            query = query.filter(action_plans::activity_id.eq(id));
        }
        if let Some(id) = filter.objective_id {
            let activity_ids =
                activities::table.filter(activities::objective_id.eq(id)).select(activities::id.nullable());
            query = query.filter(action_plans::objective_id.eq(id).or(action_plans::activity_id.eq_any(activity_ids)));
        }
        if let Some(id) = filter.theme_id {
            let objective_ids = objectives::table.filter(objectives::theme_id.eq(id)).select(objectives::id);
            let activity_ids = activities::table
                .filter(
                    activities::objective_id
                        .eq_any(objectives::table.filter(objectives::theme_id.eq(id)).select(objectives::id)),
                )
                .select(activities::id.nullable());
            query = query.filter(
                action_plans::objective_id
                    .eq_any(objective_ids.select(objectives::id.nullable()))
                    .or(action_plans::activity_id.eq_any(activity_ids)),
            );
        }
        if let Some(id) = filter.organisation_id {
            let supported = action_plan_supporters::table
                .filter(action_plan_supporters::organisation_id.eq(id))
                .select(action_plan_supporters::plan_id);
            query = query.filter(action_plans::responsible_id.eq(id).or(action_plans::id.eq_any(supported)));
        }
        if let Some(status) = &filter.status {
            query = query.filter(action_plans::status.eq(status.clone()));
        }
        if let Some((overdue, today)) = filter.overdue {
            let late = milestones::table
                .filter(milestones::due_on.lt(today))
                .filter(milestones::progress.lt(BigDecimal::from(100)))
                .select(milestones::plan_id);
            let running = action_plans::status.eq_any(["planned", "in_progress"]);
            query = if overdue {
                query.filter(running.and(action_plans::id.eq_any(late)))
            } else {
                query.filter(not(running.and(action_plans::id.eq_any(late))))
            };
        }
        if filter.due_from.is_some() || filter.due_to.is_some() {
            let mut due = milestones::table.select(milestones::plan_id).into_boxed();
            if let Some(from) = filter.due_from {
                due = due.filter(milestones::due_on.ge(from));
            }
            if let Some(to) = filter.due_to {
                due = due.filter(milestones::due_on.le(to));
            }
            query = query.filter(action_plans::id.eq_any(due));
        }
        if let Some(visibility) = visibility {
            let supported = action_plan_supporters::table
                .filter(action_plan_supporters::organisation_id.eq(visibility.organisation_id))
                .select(action_plan_supporters::plan_id);
            query = query.filter(
                action_plans::responsible_id
                    .eq(visibility.organisation_id)
                    .or(action_plans::id.eq_any(supported))
                    .or(action_plans::activity_id.eq_any(visibility.activity_ids.clone()))
                    .or(action_plans::objective_id.eq_any(visibility.objective_ids.clone())),
            );
        }
        query
    };
    let total = build().count().get_result(connection).await?;
    let rows = build()
        .order(action_plans::id)
        .offset(page.offset())
        .limit(page.limit())
        .select(PlanRow::as_select())
        .load(connection)
        .await?;
    Ok((rows, total))
}

/// Loads the coordinators of each plan's node, by plan, in a fixed number of queries.
pub async fn coordinators_of(
    connection: &mut AsyncPgConnection,
    plans: &[PlanRow],
) -> QueryResult<std::collections::HashMap<i64, Vec<i64>>> {
    let activity_ids: Vec<i64> = plans.iter().filter_map(|plan| plan.activity_id).collect();
    let objective_ids: Vec<i64> = plans.iter().filter_map(|plan| plan.objective_id).collect();
    let set_on_activities: Vec<(i64, Option<i64>)> = activities::table
        .filter(activities::id.eq_any(&activity_ids))
        .select((activities::id, activities::coordinator_id))
        .load(connection)
        .await?;
    let set_on_objectives: Vec<(i64, Option<i64>)> = objectives::table
        .filter(objectives::id.eq_any(&objective_ids))
        .select((objectives::id, objectives::coordinator_id))
        .load(connection)
        .await?;
    let placed: Vec<(Option<i64>, Option<i64>, i64)> = indicator_placements::table
        .inner_join(indicators::table)
        .filter(
            indicator_placements::activity_id
                .eq_any(activity_ids.iter().copied().map(Some).collect::<Vec<_>>())
                .or(indicator_placements::objective_id
                    .eq_any(objective_ids.iter().copied().map(Some).collect::<Vec<_>>())),
        )
        .filter(indicators::coordinator_id.is_not_null())
        .select((
            indicator_placements::activity_id,
            indicator_placements::objective_id,
            indicators::coordinator_id.assume_not_null(),
        ))
        .load(connection)
        .await?;

    let mut result = std::collections::HashMap::new();
    for plan in plans {
        let set = match (plan.activity_id, plan.objective_id) {
            (Some(id), _) => set_on_activities.iter().find(|(node, _)| *node == id).and_then(|(_, set)| *set),
            (None, Some(id)) => set_on_objectives.iter().find(|(node, _)| *node == id).and_then(|(_, set)| *set),
            (None, None) => None,
        };
        let mut coordinators: Vec<i64> = match set {
            Some(coordinator) => vec![coordinator],
            None => placed
                .iter()
                .filter(|(activity, objective, _)| {
                    (plan.activity_id.is_some() && *activity == plan.activity_id)
                        || (plan.activity_id.is_none() && *objective == plan.objective_id)
                })
                .map(|(_, _, coordinator)| *coordinator)
                .collect(),
        };
        coordinators.sort_unstable();
        coordinators.dedup();
        result.insert(plan.id, coordinators);
    }
    Ok(result)
}

/// Ids by code, as the import keeps them.
type CodeIds = std::collections::HashMap<String, i64>;

/// The ids the plans of a data file refer to, by code.
pub struct FileIds<'a> {
    pub activities: &'a CodeIds,
    pub objectives: &'a CodeIds,
    pub organisations: &'a CodeIds,
    pub indicators: &'a CodeIds,
}

/// Stores the plans of a data file whose codes the road map does not have yet, with their
/// milestones, and returns how many it stored. A plan stored earlier is left to the API, so a
/// re-import never undoes its edits or progress.
pub async fn insert_from_file(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    entries: &[crate::domain::roadmap_file::PlanEntry],
    ids: &FileIds<'_>,
) -> anyhow::Result<usize> {
    let known: Vec<String> = action_plans::table
        .filter(action_plans::roadmap_id.eq(roadmap_id))
        .filter(action_plans::code.is_not_null())
        .select(action_plans::code.assume_not_null())
        .load(connection)
        .await?;
    let id = |map: &CodeIds, code: &str| {
        map.get(code).copied().ok_or_else(|| anyhow::anyhow!("the data file's plan refers to unknown code {code}"))
    };

    let mut inserted = 0;
    for entry in entries.iter().filter(|entry| !known.contains(&entry.code)) {
        let place = PlanPlace {
            roadmap_id,
            code: Some(entry.code.clone()),
            activity_id: entry.activity.as_deref().map(|code| id(ids.activities, code)).transpose()?,
            objective_id: entry.objective.as_deref().map(|code| id(ids.objectives, code)).transpose()?,
        };
        let fields = PlanFields {
            title: entry.title.clone(),
            description: entry.description.clone(),
            output_name: entry.output.clone(),
            output_unit: entry.output_unit.clone(),
            output_quantity: entry.output_quantity.clone(),
            starts_on: entry.starts_on,
            ends_on: entry.ends_on,
            budget: entry.budget.clone(),
            responsible_id: id(ids.organisations, &entry.responsible)?,
            status: "planned".into(),
        };
        let supporters =
            entry.supporters.iter().map(|code| id(ids.organisations, code)).collect::<anyhow::Result<Vec<_>>>()?;
        let indicator_ids =
            entry.indicators.iter().map(|code| id(ids.indicators, code)).collect::<anyhow::Result<Vec<_>>>()?;
        let plan = insert_plan(connection, &place, &fields, &supporters, &indicator_ids).await?;
        for milestone in &entry.milestones {
            let fields = MilestoneFields {
                title: milestone.title.clone(),
                expected_output: milestone.expected_output.clone(),
                due_on: milestone.due_on,
                due_quarter: milestone.due_quarter.clone(),
                weight: milestone.weight.clone(),
            };
            insert_milestone(connection, plan.id, &fields).await?;
        }
        inserted += 1;
    }
    Ok(inserted)
}

/// Loads the ids and codes of a road map's indicators named by id or code, in one query.
pub async fn indicator_keys(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    ids: &[i64],
    codes: &[String],
) -> QueryResult<Vec<(i64, String)>> {
    indicators::table
        .filter(indicators::roadmap_id.eq(roadmap_id))
        .filter(indicators::id.eq_any(ids).or(indicators::code.eq_any(codes)))
        .select((indicators::id, indicators::code))
        .load(connection)
        .await
}
