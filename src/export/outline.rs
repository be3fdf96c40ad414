//! The road map's tree as the workbook needs it: which activity belongs to which objective, and
//! which objective to which theme. The report rows name only the places where an indicator is
//! shown.

use crate::db::roadmaps::RoadmapNodes;
use crate::views::NodeRef;

/// An objective and the theme it serves; general objectives have none.
#[derive(Clone, Debug)]
pub struct OutlineObjective {
    pub node: NodeRef,
    pub theme_id: Option<i64>,
}

/// A main activity and its objective.
#[derive(Clone, Debug)]
pub struct OutlineActivity {
    pub node: NodeRef,
    pub objective_id: i64,
}

/// Goals, themes, objectives and activities in road map order.
#[derive(Clone, Debug, Default)]
pub struct Outline {
    pub goals: Vec<NodeRef>,
    pub themes: Vec<NodeRef>,
    pub objectives: Vec<OutlineObjective>,
    pub activities: Vec<OutlineActivity>,
}

impl Outline {
    pub fn from_nodes(nodes: &RoadmapNodes) -> Outline {
        let node = |id: i64, code: &str, name: &str| NodeRef { id, code: code.to_string(), name: name.to_string() };
        Outline {
            goals: nodes.goals.iter().map(|goal| node(goal.id, &goal.code, &goal.name)).collect(),
            themes: nodes.themes.iter().map(|theme| node(theme.id, &theme.code, &theme.name)).collect(),
            objectives: nodes
                .objectives
                .iter()
                .map(|objective| OutlineObjective {
                    node: node(objective.id, &objective.code, &objective.name),
                    theme_id: objective.theme_id,
                })
                .collect(),
            activities: nodes
                .activities
                .iter()
                .map(|activity| OutlineActivity {
                    node: node(activity.id, &activity.code, &activity.name),
                    objective_id: activity.objective_id,
                })
                .collect(),
        }
    }

    pub fn objective(&self, id: i64) -> Option<&OutlineObjective> {
        self.objectives.iter().find(|objective| objective.node.id == id)
    }

    pub fn activity(&self, id: i64) -> Option<&OutlineActivity> {
        self.activities.iter().find(|activity| activity.node.id == id)
    }
}
