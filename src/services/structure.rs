//! Road map structure by the secretariat: new road maps, and creating, renaming and retiring
//! goals, themes, objectives and activities, each in the caller's transaction with its audit
//! record. One set of functions serves the four kinds of nodes.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::auth::caller::Caller;
use crate::db::roadmaps::{NodeView, RoadmapNodes, roadmap_view};
use crate::db::rows::NodeRow;
use crate::db::structure::{self, NewNode, NewRoadmap};
use crate::domain::indicator::ObjectiveKind;
use crate::domain::key::Key;
use crate::domain::structure::{
    MAX_NAME_CHARS, MAX_TITLE_CHARS, NodeKind, check_node_code, check_retire_reason, check_roadmap_code,
    check_roadmap_years, check_text,
};
use crate::error::{ApiError, FieldError, Resource};
use crate::services::audit;
use crate::views::{NodeStatus, RoadmapView};

/// Creates a road map (admin); its code, years and title follow the table's rules.
pub async fn create_roadmap(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap: &NewRoadmap<'_>,
) -> Result<RoadmapView, ApiError> {
    caller.require_admin()?;
    let mut errors: Vec<FieldError> = check_roadmap_code(roadmap.code).into_iter().collect();
    errors.extend(check_text("title", roadmap.title, MAX_TITLE_CHARS));
    if roadmap.legal_basis.trim().is_empty() {
        errors.push(FieldError::new("legal_basis", "wajib diisi", "is required"));
    }
    errors.extend(check_roadmap_years(roadmap.start_year, roadmap.end_year, roadmap.baseline_year));
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    let trimmed = NewRoadmap { title: roadmap.title.trim(), legal_basis: roadmap.legal_basis.trim(), ..*roadmap };
    let row = structure::insert_roadmap(connection, &trimmed)
        .await?
        .ok_or_else(|| ApiError::Conflict { field: "code", what: roadmap.code.to_string() })?;
    let view = roadmap_view(row);
    let details = serde_json::json!({ "after": view });
    audit::record(connection, caller, "roadmap.create", &format!("roadmap:{}", view.code), details).await?;
    Ok(view)
}

/// A requested node. Parents are given by id or code, as the request names them; the
/// coordinator is resolved already.
pub struct NodeRequest<'a> {
    pub kind: NodeKind,
    pub code: &'a str,
    pub name: &'a str,
    /// For objectives: general or thematic.
    pub objective_kind: Option<ObjectiveKind>,
    pub goal: Option<&'a str>,
    pub theme: Option<&'a str>,
    pub objective: Option<&'a str>,
    pub coordinator_id: Option<i64>,
}

impl<'a> NodeRequest<'a> {
    /// Builds a request with only a code and a name, which is all a goal or theme has. The
    /// other kinds add their parents and coordinator.
    pub fn named(kind: NodeKind, code: &'a str, name: &'a str) -> NodeRequest<'a> {
        NodeRequest {
            kind,
            code,
            name,
            objective_kind: None,
            goal: None,
            theme: None,
            objective: None,
            coordinator_id: None,
        }
    }
}

/// Creates a goal, theme, objective or activity (admin) after the last one of its kind. A
/// general objective names a goal and no theme, a thematic objective names a theme, and an
/// activity names its objective. A retired parent takes no new children.
pub async fn create_node(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap_id: i64,
    request: &NodeRequest<'_>,
) -> Result<NodeView, ApiError> {
    caller.require_admin()?;
    let mut errors: Vec<FieldError> = check_node_code(request.code).into_iter().collect();
    errors.extend(check_text("name", request.name, MAX_NAME_CHARS));

    let nodes = RoadmapNodes::load(connection, roadmap_id).await?;
    let parents = find_parents(&nodes, request, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    for (kind, parent) in &parents {
        refuse_if_retired(*kind, *parent)?;
    }

    let parent_id = |wanted: NodeKind| parents.iter().find(|(kind, _)| *kind == wanted).map(|(_, row)| row.id());
    let new = NewNode {
        kind: request.kind,
        roadmap_id,
        code: request.code,
        name: request.name.trim(),
        objective_kind: request.objective_kind.as_ref().map(AsRef::as_ref),
        goal_id: parent_id(NodeKind::Goal),
        theme_id: parent_id(NodeKind::Theme),
        objective_id: parent_id(NodeKind::Objective),
        coordinator_id: request.coordinator_id,
    };
    structure::insert_node(connection, &new)
        .await?
        .ok_or_else(|| ApiError::Conflict { field: "code", what: request.code.to_string() })?;

    let view = reload(connection, roadmap_id, request.kind, request.code).await?;
    let details = serde_json::json!({ "after": view });
    audit::record(connection, caller, &action(request.kind, "create"), &subject(request.kind, request.code), details)
        .await?;
    Ok(view)
}

/// Finds the parents that a request names, recording an error per missing or misplaced one.
fn find_parents<'a>(
    nodes: &'a RoadmapNodes,
    request: &NodeRequest<'_>,
    errors: &mut Vec<FieldError>,
) -> Vec<(NodeKind, &'a dyn NodeRow)> {
    let mut wanted: Vec<(NodeKind, &str, Option<&str>)> = Vec::new();
    match (request.kind, request.objective_kind) {
        (NodeKind::Objective, Some(ObjectiveKind::General)) => {
            if request.theme.is_some() {
                errors.push(FieldError::new(
                    "theme",
                    "sasaran general tidak menyebut tema; pakai kind thematic untuk sasaran tematik",
                    "a general objective names no theme; use kind thematic for a thematic objective",
                ));
            }
            wanted.push((NodeKind::Goal, "goal", request.goal));
        }
        (NodeKind::Objective, _) => {
            wanted.push((NodeKind::Theme, "theme", request.theme));
            if request.goal.is_some() {
                wanted.push((NodeKind::Goal, "goal", request.goal));
            }
        }
        (NodeKind::Activity, _) => wanted.push((NodeKind::Objective, "objective", request.objective)),
        (NodeKind::Goal | NodeKind::Theme, _) => {}
    }

    let mut found = Vec::new();
    for (kind, field, key) in wanted {
        let Some(key) = key else {
            errors.push(FieldError::new(
                field,
                format!("wajib diisi: id atau kode {}", kind.indonesian()),
                format!("is required: the id or code of a {}", kind.as_str()),
            ));
            continue;
        };
        match nodes.find_node(kind, Key::parse(key)) {
            Some(row) => found.push((kind, row)),
            None => errors.push(FieldError::new(
                field,
                format!("tidak ada {} dengan id atau kode {key:?} dalam peta jalan ini", kind.indonesian()),
                format!("there is no {} with id or code {key:?} in this road map", kind.as_str()),
            )),
        }
    }
    found
}

/// The node a change is aimed at: its road map, kind, and id or code.
#[derive(Clone, Copy)]
pub struct NodeAddress<'a> {
    pub roadmap_id: i64,
    pub kind: NodeKind,
    pub key: &'a str,
}

/// Changes to a node; `None` keeps a field, and `Some(None)` clears the coordinator.
pub struct NodeChange {
    pub name: Option<String>,
    /// Objectives and activities only.
    pub coordinator: Option<Option<i64>>,
}

/// Renames a node or changes its coordinator (admin); its code never changes.
pub async fn update_node(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    address: NodeAddress<'_>,
    change: NodeChange,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
) -> Result<NodeView, ApiError> {
    caller.require_admin()?;
    if change.name.is_none() && change.coordinator.is_none() {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "body",
            "tidak ada yang diubah: kirim paling sedikit satu kolom",
            "nothing to change: send at least one field",
        )]));
    }
    let NodeAddress { roadmap_id, kind, key } = address;
    let nodes = RoadmapNodes::load(connection, roadmap_id).await?;
    let node = find(&nodes, kind, key)?;
    refuse_if_retired(kind, node)?;
    check_version(node.status().version)?;

    let name = change.name.as_deref().map_or(node.name(), str::trim);
    if let Some(error) = check_text("name", name, MAX_NAME_CHARS) {
        return Err(ApiError::InvalidBody(vec![error]));
    }
    let coordinator = change.coordinator.unwrap_or(node.coordinator_id());
    if !structure::update_node(connection, kind, node.id(), node.status().version, name, coordinator).await? {
        return Err(ApiError::PreconditionFailed);
    }

    let details = serde_json::json!({
        "before": { "name": node.name(), "coordinator_id": node.coordinator_id() },
        "after": { "name": name, "coordinator_id": coordinator },
    });
    audit::record(connection, caller, &action(kind, "update"), &subject(kind, node.code()), details).await?;
    reload(connection, roadmap_id, kind, node.code()).await
}

/// Retires a node (admin): it stays readable and takes no changes, new children or new
/// indicators. Its children and indicators stay as they are.
pub async fn retire_node(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    address: NodeAddress<'_>,
    reason: &str,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
    now: DateTime<Utc>,
) -> Result<NodeView, ApiError> {
    caller.require_admin()?;
    let NodeAddress { roadmap_id, kind, key } = address;
    let nodes = RoadmapNodes::load(connection, roadmap_id).await?;
    let node = find(&nodes, kind, key)?;
    refuse_if_retired(kind, node)?;
    check_version(node.status().version)?;
    let reason = reason.trim();
    if let Some(error) = check_retire_reason(reason) {
        return Err(ApiError::InvalidBody(vec![error]));
    }

    if !structure::retire_node(connection, kind, node.id(), node.status().version, reason, now).await? {
        return Err(ApiError::PreconditionFailed);
    }
    let details = serde_json::json!({ "reason": reason });
    audit::record(connection, caller, &action(kind, "retire"), &subject(kind, node.code()), details).await?;
    reload(connection, roadmap_id, kind, node.code()).await
}

/// Refuses a change to a retired node, or a new child or indicator placement under it.
pub fn refuse_if_retired(kind: NodeKind, node: &dyn NodeRow) -> Result<(), ApiError> {
    let NodeStatus { retired_at: Some(at), retired_reason, .. } = node.status() else {
        return Ok(());
    };
    let date = crate::clock::jakarta_date(at);
    let reason = retired_reason.unwrap_or_else(|| "-".into());
    Err(ApiError::Refused {
        code: "node-retired",
        indonesian: format!(
            "{} {} sudah dihentikan sejak {date} ({reason}); datanya tetap dapat dibaca, tetapi tidak menerima perubahan, sasaran, kegiatan atau indikator baru",
            kind.indonesian(),
            node.code()
        ),
        english: format!(
            "{} {} was retired on {date} ({reason}); it stays readable, but takes no changes and no new objectives, activities or indicators",
            kind.as_str(),
            node.code()
        ),
    })
}

/// Returns the error resource of a node kind, for 404 responses.
pub fn resource(kind: NodeKind) -> Resource {
    match kind {
        NodeKind::Goal => Resource::Goal,
        NodeKind::Theme => Resource::Theme,
        NodeKind::Objective => Resource::Objective,
        NodeKind::Activity => Resource::Activity,
    }
}

fn find<'a>(nodes: &'a RoadmapNodes, kind: NodeKind, key: &str) -> Result<&'a dyn NodeRow, ApiError> {
    nodes
        .find_node(kind, Key::parse(key))
        .ok_or_else(|| ApiError::NotFound { resource: resource(kind), key: key.to_string() })
}

/// Reads a node's view after a change, in the same transaction.
async fn reload(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    kind: NodeKind,
    code: &str,
) -> Result<NodeView, ApiError> {
    let nodes = RoadmapNodes::load(connection, roadmap_id).await?;
    nodes
        .node_view(kind, Key::Code(code))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("{} {code} is missing after a change", kind.as_str())))
}

fn action(kind: NodeKind, verb: &str) -> String {
    format!("{}.{verb}", kind.as_str())
}

fn subject(kind: NodeKind, code: &str) -> String {
    format!("{}:{code}", kind.as_str())
}
