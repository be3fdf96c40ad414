//! Queries on road maps and their tree: themes, goals, objectives and activities.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::db::indicators::{self, IndicatorFilter};
use crate::db::organisations;
use crate::db::rows::{ActivityRow, GoalRow, NodeRow, ObjectiveRow, RoadmapRow, ThemeRow};
use crate::db::schema::{activities, goals, objectives, roadmaps, themes};
use crate::domain::indicator::{Level, ObjectiveKind};
use crate::domain::key::Key;
use crate::domain::pagination::PageRequest;
use crate::domain::structure::NodeKind;
use crate::views::{
    ActivityNode, ActivityView, GoalNode, GoalView, IndicatorView, NodeRef, ObjectiveNode, ObjectiveView,
    OrganisationRef, RoadmapTree, RoadmapView, ThemeNode, ThemeView,
};

/// Lists road maps, newest first.
pub async fn list(connection: &mut AsyncPgConnection, page: PageRequest) -> QueryResult<(Vec<RoadmapView>, i64)> {
    let total = roadmaps::table.count().get_result(connection).await?;
    let rows: Vec<RoadmapRow> = roadmaps::table
        .order((roadmaps::start_year.desc(), roadmaps::code))
        .offset(page.offset())
        .limit(page.limit())
        .select(RoadmapRow::as_select())
        .load(connection)
        .await?;
    Ok((rows.into_iter().map(roadmap_view).collect(), total))
}

/// Finds a road map by id or code.
pub async fn find(connection: &mut AsyncPgConnection, key: Key<'_>) -> QueryResult<Option<RoadmapView>> {
    let query = roadmaps::table.select(RoadmapRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(roadmaps::id.eq(id)),
        Key::Code(code) => query.filter(roadmaps::code.eq(code)),
    };
    Ok(query.first(connection).await.optional()?.map(roadmap_view))
}

pub fn roadmap_view(row: RoadmapRow) -> RoadmapView {
    RoadmapView {
        id: row.id,
        code: row.code,
        title: row.title,
        legal_basis: row.legal_basis,
        start_year: row.start_year,
        end_year: row.end_year,
        baseline_year: row.baseline_year,
    }
}

/// Goals, themes, objectives and activities of one road map, in file order, for building
/// references and the tree with a fixed number of queries.
pub struct RoadmapNodes {
    pub goals: Vec<GoalRow>,
    pub themes: Vec<ThemeRow>,
    pub objectives: Vec<ObjectiveRow>,
    pub activities: Vec<ActivityRow>,
    /// The coordinators that objectives and activities name, by id.
    pub coordinators: HashMap<i64, OrganisationRef>,
}

/// The view of a goal, theme, objective or activity, serialized as the view of its kind.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum NodeView {
    Goal(GoalView),
    Theme(ThemeView),
    Objective(ObjectiveView),
    Activity(ActivityView),
}

impl NodeView {
    pub fn version(&self) -> i32 {
        match self {
            NodeView::Goal(view) => view.status.version,
            NodeView::Theme(view) => view.status.version,
            NodeView::Objective(view) => view.status.version,
            NodeView::Activity(view) => view.status.version,
        }
    }
}

impl RoadmapNodes {
    pub async fn load(connection: &mut AsyncPgConnection, roadmap_id: i64) -> QueryResult<RoadmapNodes> {
        let goals = goals::table
            .filter(goals::roadmap_id.eq(roadmap_id))
            .order((goals::position, goals::id))
            .select(GoalRow::as_select())
            .load(connection)
            .await?;
        let themes = themes::table
            .filter(themes::roadmap_id.eq(roadmap_id))
            .order((themes::position, themes::id))
            .select(ThemeRow::as_select())
            .load(connection)
            .await?;
        let objectives = objectives::table
            .filter(objectives::roadmap_id.eq(roadmap_id))
            .order((objectives::position, objectives::id))
            .select(ObjectiveRow::as_select())
            .load(connection)
            .await?;
        let activities = activities::table
            .filter(activities::roadmap_id.eq(roadmap_id))
            .order((activities::position, activities::id))
            .select(ActivityRow::as_select())
            .load(connection)
            .await?;

        let mut coordinator_ids: Vec<i64> = objectives.iter().filter_map(|row| row.coordinator_id).collect();
        coordinator_ids.extend(activities.iter().filter_map(|row| row.coordinator_id));
        coordinator_ids.sort_unstable();
        coordinator_ids.dedup();
        let coordinators = if coordinator_ids.is_empty() {
            HashMap::new()
        } else {
            organisations::refs_by_id(connection, &coordinator_ids).await?
        };
        Ok(RoadmapNodes { goals, themes, objectives, activities, coordinators })
    }

    /// Finds a node of any kind by id or code.
    pub fn find_node(&self, kind: NodeKind, key: Key<'_>) -> Option<&dyn NodeRow> {
        fn find<'a, T: NodeRow>(rows: &'a [T], key: Key<'_>) -> Option<&'a dyn NodeRow> {
            rows.iter().find(|row| matches_key(key, row.id(), row.code())).map(|row| row as &dyn NodeRow)
        }
        match kind {
            NodeKind::Goal => find(&self.goals, key),
            NodeKind::Theme => find(&self.themes, key),
            NodeKind::Objective => find(&self.objectives, key),
            NodeKind::Activity => find(&self.activities, key),
        }
    }

    /// Returns the view of a node of any kind by id or code.
    pub fn node_view(&self, kind: NodeKind, key: Key<'_>) -> Option<NodeView> {
        match kind {
            NodeKind::Goal => self.find_goal(key).map(|row| NodeView::Goal(goal_view(row))),
            NodeKind::Theme => self.find_theme(key).map(|row| NodeView::Theme(theme_view(row))),
            NodeKind::Objective => self.find_objective(key).map(|row| NodeView::Objective(self.objective_view(row))),
            NodeKind::Activity => {
                self.find_activity(key).and_then(|row| self.activity_view(row)).map(NodeView::Activity)
            }
        }
    }

    fn coordinator(&self, id: Option<i64>) -> Option<OrganisationRef> {
        id.and_then(|id| self.coordinators.get(&id).cloned())
    }

    /// Returns a reference to the node at the given level with the given id.
    pub fn node_ref(&self, level: Level, id: i64) -> Option<NodeRef> {
        let found = match level {
            Level::Goal => self.goals.iter().find(|row| row.id == id).map(|row| (&row.code, &row.name)),
            Level::Objective => self.objectives.iter().find(|row| row.id == id).map(|row| (&row.code, &row.name)),
            Level::Activity => self.activities.iter().find(|row| row.id == id).map(|row| (&row.code, &row.name)),
        };
        found.map(|(code, name)| NodeRef { id, code: code.clone(), name: name.clone() })
    }

    fn theme_ref(&self, id: i64) -> Option<NodeRef> {
        self.themes.iter().find(|row| row.id == id).map(|row| NodeRef {
            id,
            code: row.code.clone(),
            name: row.name.clone(),
        })
    }

    pub fn objective_view(&self, row: &ObjectiveRow) -> ObjectiveView {
        ObjectiveView {
            id: row.id,
            code: row.code.clone(),
            kind: objective_kind(row),
            name: row.name.clone(),
            goal: row.goal_id.and_then(|id| self.node_ref(Level::Goal, id)),
            theme: row.theme_id.and_then(|id| self.theme_ref(id)),
            coordinator: self.coordinator(row.coordinator_id),
            status: row.status(),
        }
    }

    pub fn activity_view(&self, row: &ActivityRow) -> Option<ActivityView> {
        Some(ActivityView {
            id: row.id,
            code: row.code.clone(),
            name: row.name.clone(),
            objective: self.node_ref(Level::Objective, row.objective_id)?,
            coordinator: self.coordinator(row.coordinator_id),
            status: row.status(),
        })
    }

    pub fn find_goal(&self, key: Key<'_>) -> Option<&GoalRow> {
        self.goals.iter().find(|row| matches_key(key, row.id, &row.code))
    }

    pub fn find_theme(&self, key: Key<'_>) -> Option<&ThemeRow> {
        self.themes.iter().find(|row| matches_key(key, row.id, &row.code))
    }

    pub fn find_objective(&self, key: Key<'_>) -> Option<&ObjectiveRow> {
        self.objectives.iter().find(|row| matches_key(key, row.id, &row.code))
    }

    pub fn find_activity(&self, key: Key<'_>) -> Option<&ActivityRow> {
        self.activities.iter().find(|row| matches_key(key, row.id, &row.code))
    }

    pub fn theme_views(&self) -> Vec<ThemeView> {
        self.themes.iter().map(theme_view).collect()
    }

    pub fn goal_views(&self) -> Vec<GoalView> {
        self.goals.iter().map(goal_view).collect()
    }
}

fn goal_view(row: &GoalRow) -> GoalView {
    GoalView { id: row.id, code: row.code.clone(), name: row.name.clone(), status: row.status() }
}

fn theme_view(row: &ThemeRow) -> ThemeView {
    ThemeView { id: row.id, code: row.code.clone(), name: row.name.clone(), status: row.status() }
}

fn matches_key(key: Key<'_>, id: i64, code: &str) -> bool {
    match key {
        Key::Id(wanted) => wanted == id,
        Key::Code(wanted) => wanted == code,
    }
}

fn objective_kind(row: &ObjectiveRow) -> ObjectiveKind {
    // The CHECK constraint admits only the enum's values.
    row.kind.parse().unwrap_or(ObjectiveKind::General)
}

/// Builds the whole tree of a road map with a fixed number of queries.
pub async fn tree(connection: &mut AsyncPgConnection, roadmap: RoadmapView) -> anyhow::Result<RoadmapTree> {
    let nodes = RoadmapNodes::load(connection, roadmap.id).await?;
    let indicators = indicators::load_all(connection, roadmap.id, &IndicatorFilter::default(), &nodes).await?;

    let at = |level: Level, id: i64| -> Vec<IndicatorView> {
        indicators
            .iter()
            .filter(|indicator| {
                indicator.placements.iter().any(|placement| placement.level == level && placement.id == id)
            })
            .cloned()
            .collect()
    };
    let objective_node = |row: &ObjectiveRow| ObjectiveNode {
        id: row.id,
        code: row.code.clone(),
        kind: objective_kind(row),
        name: row.name.clone(),
        coordinator: nodes.coordinator(row.coordinator_id),
        status: row.status(),
        indicators: at(Level::Objective, row.id),
        activities: nodes
            .activities
            .iter()
            .filter(|activity| activity.objective_id == row.id)
            .map(|activity| ActivityNode {
                id: activity.id,
                code: activity.code.clone(),
                name: activity.name.clone(),
                coordinator: nodes.coordinator(activity.coordinator_id),
                status: activity.status(),
                indicators: at(Level::Activity, activity.id),
            })
            .collect(),
    };

    let goals = nodes
        .goals
        .iter()
        .map(|goal| GoalNode {
            id: goal.id,
            code: goal.code.clone(),
            name: goal.name.clone(),
            status: goal.status(),
            indicators: at(Level::Goal, goal.id),
            objectives: nodes
                .objectives
                .iter()
                .filter(|objective| objective.goal_id == Some(goal.id) && objective.theme_id.is_none())
                .map(objective_node)
                .collect(),
        })
        .collect();
    let themes = nodes
        .themes
        .iter()
        .map(|theme| ThemeNode {
            id: theme.id,
            code: theme.code.clone(),
            name: theme.name.clone(),
            status: theme.status(),
            objectives: nodes
                .objectives
                .iter()
                .filter(|objective| objective.theme_id == Some(theme.id))
                .map(objective_node)
                .collect(),
        })
        .collect();

    Ok(RoadmapTree { roadmap, goals, themes })
}

/// Objectives of a road map, optionally of one kind or theme.
pub fn filter_objectives(
    nodes: &RoadmapNodes,
    kind: Option<ObjectiveKind>,
    theme_id: Option<i64>,
) -> impl Iterator<Item = &ObjectiveRow> {
    nodes
        .objectives
        .iter()
        .filter(move |row| kind.is_none_or(|kind| objective_kind(row) == kind))
        .filter(move |row| theme_id.is_none_or(|theme_id| row.theme_id == Some(theme_id)))
}
