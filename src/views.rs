//! JSON shapes that the API returns. The data layer builds them; routes send them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::indicator::{
    CombineRule, Direction, Level, LowerRule, ObjectiveKind, OrganisationKind, ValueKind, YearlyRule,
};
use crate::domain::value::FigureValue;

/// A government unit (OPD), or a group of units named together.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    /// Short stable code, such as `BAPPEDA`.
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    /// Other names under which the unit appears in source documents.
    pub aliases: Vec<String>,
}

/// A short reference to an organisation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrganisationRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A short reference to a goal, theme, objective or activity.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A road map: its title, legal basis and years.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RoadmapView {
    pub id: i64,
    /// Stable code, such as `semarang-2023-2024`.
    pub code: String,
    pub title: String,
    /// The regulation that sets the road map.
    pub legal_basis: String,
    pub start_year: i32,
    pub end_year: i32,
    /// Year of the baseline figures.
    pub baseline_year: i32,
}

/// The version and retirement of a goal, theme, objective or activity.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeStatus {
    /// Raised by every change; send it back in `If-Match` to change or retire the node.
    pub version: i32,
    /// When the node was retired; a retired node stays readable and takes no new objectives,
    /// activities or indicators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_reason: Option<String>,
}

/// A goal (tujuan) of the road map.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GoalView {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub status: NodeStatus,
}

/// A theme of thematic reform (RB Tematik), such as stunting or inflation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ThemeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub status: NodeStatus,
}

/// A strategic objective (sasaran).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ObjectiveView {
    pub id: i64,
    pub code: String,
    pub kind: ObjectiveKind,
    pub name: String,
    /// The goal it serves, for general objectives.
    pub goal: Option<NodeRef>,
    /// The theme, for thematic objectives.
    pub theme: Option<NodeRef>,
    /// The coordinator of the objective's action plans; `null` where the coordinators of the
    /// indicators placed at the objective count.
    pub coordinator: Option<OrganisationRef>,
    #[serde(flatten)]
    pub status: NodeStatus,
}

/// A main activity (kegiatan utama) of an objective.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub objective: NodeRef,
    /// The coordinator of the activity's action plans; `null` where the coordinators of the
    /// indicators placed at the activity count.
    pub coordinator: Option<OrganisationRef>,
    #[serde(flatten)]
    pub status: NodeStatus,
}

/// A baseline or target: the text printed in the source and the value read from it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FigureView {
    pub year: i32,
    /// Quarter (1–4) for a quarterly figure; absent for a yearly one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<i16>,
    /// The figure exactly as printed in the source, such as `2,5 ± 1%`.
    pub printed: String,
    pub value: FigureValue,
    /// The intended value, where the printed text would be misread (for example `3,012` for
    /// a printed `3.012`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stated_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A place in the tree where an indicator is shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlacementView {
    pub level: Level,
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// An indicator with its assignments, baseline and yearly targets.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    pub id: i64,
    /// Stable code, unique within the road map.
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value_kind: ValueKind,
    pub direction: Direction,
    pub yearly_rule: YearlyRule,
    /// The coordinating organisation; absent where the road map names none.
    pub coordinator: Option<OrganisationRef>,
    pub implementers: Vec<OrganisationRef>,
    /// The rule that makes the indicator's figure for a quarter from the implementers' figures.
    pub combine_rule: CombineRule,
    /// The unit whose figure counts under the `designated` rule.
    pub reporting_unit: Option<OrganisationRef>,
    /// The formula for lower-is-better achievement.
    pub lower_rule: LowerRule,
    /// When the indicator was retired; a retired indicator accepts no new realisations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_reason: Option<String>,
    /// Raised by every change; send it back in `If-Match` to retire the indicator.
    pub version: i32,
    /// Every place in the tree where the indicator is shown; it is reported once.
    pub placements: Vec<PlacementView>,
    pub baseline: Option<FigureView>,
    /// Yearly targets, by year.
    pub targets: Vec<FigureView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The whole road map as a tree: goals with their general objectives and activities, and
/// themes with their thematic objectives. Indicators appear at each place they are shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RoadmapTree {
    pub roadmap: RoadmapView,
    pub goals: Vec<GoalNode>,
    pub themes: Vec<ThemeNode>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GoalNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub status: NodeStatus,
    pub indicators: Vec<IndicatorView>,
    pub objectives: Vec<ObjectiveNode>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ThemeNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub status: NodeStatus,
    pub objectives: Vec<ObjectiveNode>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ObjectiveNode {
    pub id: i64,
    pub code: String,
    pub kind: ObjectiveKind,
    pub name: String,
    pub coordinator: Option<OrganisationRef>,
    #[serde(flatten)]
    pub status: NodeStatus,
    pub indicators: Vec<IndicatorView>,
    pub activities: Vec<ActivityNode>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub coordinator: Option<OrganisationRef>,
    #[serde(flatten)]
    pub status: NodeStatus,
    pub indicators: Vec<IndicatorView>,
}
