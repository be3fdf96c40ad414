//! Road map maintenance by the secretariat: creating indicators and changing an indicator's
//! description, assignments and reporting rules, on record.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::indicators::{self, IndicatorChanges, IndicatorSubject};
use crate::db::roadmaps::RoadmapNodes;
use crate::db::rows::{FigureColumns, NodeRow, PlaceColumns};
use crate::db::structure::{self, NewIndicator};
use crate::domain::indicator::{CombineRule, Direction, LowerRule, ValueKind, YearlyRule, check_reporting};
use crate::domain::key::Key;
use crate::domain::lang::Lang;
use crate::domain::structure::{MAX_NAME_CHARS, NodeKind, check_node_code, check_text, default_combine_rule};
use crate::domain::value::parse_figure;
use crate::error::{ApiError, FieldError};
use crate::services::audit;
use crate::services::structure::refuse_if_retired;
use crate::views::RoadmapView;

/// Changes to an indicator with organisations already resolved to ids. `None` keeps a field;
/// `Some(None)` clears an optional one.
#[derive(Default)]
pub struct IndicatorUpdate {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub yearly_rule: Option<YearlyRule>,
    pub coordinator: Option<Option<i64>>,
    pub implementers: Option<Vec<i64>>,
    pub combine_rule: Option<CombineRule>,
    pub reporting_unit: Option<Option<i64>>,
    pub lower_rule: Option<LowerRule>,
    pub note: Option<Option<String>>,
}

/// Applies an update to an indicator (admin) in the caller's transaction.
pub async fn update_indicator(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
    update: IndicatorUpdate,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    caller.require_admin()?;
    crate::services::targets::refuse_if_retired(subject)?;
    check_version(subject.row.version)?;

    let row = &subject.row;
    let name = update.name.as_deref().map(str::trim).unwrap_or(&row.name).to_string();
    let unit = update.unit.as_deref().map(str::trim).unwrap_or(&row.unit).to_string();
    let note = update.note.unwrap_or_else(|| row.note.clone()).filter(|note| !note.trim().is_empty());
    let coordinator = update.coordinator.unwrap_or(row.coordinator_id);
    let implementers = update.implementers.unwrap_or_else(|| subject.implementers.clone());
    let combine = update.combine_rule.unwrap_or_else(|| row.combine_rule.parse().unwrap_or(CombineRule::Designated));
    let reporting_unit = match update.reporting_unit {
        Some(unit) => unit,
        None if combine == CombineRule::Designated => row.reporting_unit_id,
        None => None,
    };
    let yearly_rule = update.yearly_rule.map_or_else(|| row.yearly_rule.clone(), |rule| rule.as_ref().to_string());
    let lower_rule = update.lower_rule.map_or_else(|| row.lower_rule.clone(), |rule| rule.as_ref().to_string());

    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 1000 {
        errors.push(FieldError::new("name", "harus 1 sampai 1000 karakter", "must have 1 to 1000 characters"));
    }
    if unit.is_empty() || unit.chars().count() > 100 {
        errors.push(FieldError::new("unit", "harus 1 sampai 100 karakter", "must have 1 to 100 characters"));
    }
    if note.as_ref().is_some_and(|note| note.chars().count() > 2000) {
        errors.push(FieldError::new("note", "paling banyak 2000 karakter", "must have at most 2000 characters"));
    }
    let kind: ValueKind = row.value_kind.parse().unwrap_or(ValueKind::Text);
    errors.extend(check_reporting(kind, combine, reporting_unit, coordinator, &implementers));
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    let changes = IndicatorChanges {
        name: &name,
        unit: &unit,
        yearly_rule: &yearly_rule,
        coordinator_id: coordinator,
        combine_rule: combine.as_ref(),
        reporting_unit_id: reporting_unit,
        lower_rule: &lower_rule,
        note: note.as_deref(),
    };
    if !indicators::update(connection, row.id, row.version, &changes, &implementers).await? {
        return Err(ApiError::PreconditionFailed);
    }

    let details = serde_json::json!({
        "before": {
            "name": row.name, "unit": row.unit, "coordinator_id": row.coordinator_id,
            "implementers": subject.implementers, "combine_rule": row.combine_rule,
            "reporting_unit_id": row.reporting_unit_id, "yearly_rule": row.yearly_rule, "lower_rule": row.lower_rule,
            "note": row.note,
        },
        "after": {
            "name": name, "unit": unit, "coordinator_id": coordinator, "implementers": implementers,
            "combine_rule": combine, "reporting_unit_id": reporting_unit, "yearly_rule": yearly_rule,
            "lower_rule": lower_rule, "note": note,
        },
    });
    audit::record(connection, caller, "indicator.update", &format!("indicator:{}", row.code), details).await
}

/// A place in the tree where a new indicator is shown: exactly one of a goal, an objective or an
/// activity, by id or code.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementRequest {
    pub goal: Option<String>,
    pub objective: Option<String>,
    pub activity: Option<String>,
}

/// A new indicator with organisations already resolved to ids; places are still keys.
pub struct IndicatorDraft {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value_kind: ValueKind,
    pub direction: Direction,
    pub yearly_rule: YearlyRule,
    /// `None` chooses the rule as the data file does, from the value kind and implementers.
    pub combine_rule: Option<CombineRule>,
    pub lower_rule: LowerRule,
    pub coordinator: Option<i64>,
    pub implementers: Vec<i64>,
    /// `None` under `designated` chooses the first implementer, as the data file does.
    pub reporting_unit: Option<i64>,
    pub note: Option<String>,
    pub placements: Vec<PlacementRequest>,
    /// The baseline as printed, for the road map's baseline year.
    pub baseline: Option<String>,
}

/// Creates an indicator (admin) after the road map's last one, with its implementers,
/// placements and baseline, and returns its id. Targets are set afterwards through target
/// revisions, so that each is on record. A retired node takes no new indicator.
pub async fn create_indicator(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap: &RoadmapView,
    draft: IndicatorDraft,
) -> Result<i64, ApiError> {
    caller.require_admin()?;
    let mut errors: Vec<FieldError> = check_node_code(&draft.code).into_iter().collect();
    errors.extend(check_text("name", &draft.name, MAX_NAME_CHARS));
    errors.extend(check_text("unit", &draft.unit, 100));
    let note = draft.note.as_deref().map(str::trim).filter(|note| !note.is_empty());
    if note.is_some_and(|note| note.chars().count() > 2000) {
        errors.push(FieldError::new("note", "paling banyak 2000 karakter", "must have at most 2000 characters"));
    }
    let combine =
        draft.combine_rule.unwrap_or_else(|| default_combine_rule(draft.implementers.len(), draft.value_kind));
    let reporting_unit = match draft.reporting_unit {
        None if combine == CombineRule::Designated => draft.implementers.first().copied(),
        unit => unit,
    };
    errors.extend(check_reporting(draft.value_kind, combine, reporting_unit, draft.coordinator, &draft.implementers));
    let baseline = match draft.baseline.as_deref().map(str::trim) {
        Some(printed) => match parse_figure(printed, draft.value_kind) {
            Ok(value) => Some((roadmap.baseline_year, printed, FigureColumns::from_value(&value))),
            Err(error) => {
                errors.push(FieldError::new("baseline", error.message(Lang::Id), error.message(Lang::En)));
                None
            }
        },
        None => None,
    };

    let nodes = RoadmapNodes::load(connection, roadmap.id).await?;
    let places = find_places(&nodes, &draft.placements, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    for (kind, node) in &places {
        refuse_if_retired(*kind, *node)?;
    }

    let columns: Vec<PlaceColumns> = places
        .iter()
        .map(|(kind, node)| match kind {
            NodeKind::Goal => (Some(node.id()), None, None),
            NodeKind::Objective => (None, Some(node.id()), None),
            _ => (None, None, Some(node.id())),
        })
        .collect();
    let new = NewIndicator {
        roadmap_id: roadmap.id,
        code: &draft.code,
        value_kind: draft.value_kind.as_ref(),
        direction: draft.direction.as_ref(),
        fields: IndicatorChanges {
            name: draft.name.trim(),
            unit: draft.unit.trim(),
            yearly_rule: draft.yearly_rule.as_ref(),
            coordinator_id: draft.coordinator,
            combine_rule: combine.as_ref(),
            reporting_unit_id: reporting_unit,
            lower_rule: draft.lower_rule.as_ref(),
            note,
        },
        implementers: &draft.implementers,
        placements: &columns,
        baseline,
    };
    let id = structure::insert_indicator(connection, &new)
        .await?
        .ok_or_else(|| ApiError::Conflict { field: "code", what: draft.code.clone() })?;

    let details = serde_json::json!({
        "after": {
            "name": new.fields.name, "unit": new.fields.unit, "value_kind": draft.value_kind, "direction": draft.direction,
            "yearly_rule": draft.yearly_rule, "coordinator_id": draft.coordinator, "implementers": draft.implementers,
            "combine_rule": combine, "reporting_unit_id": reporting_unit, "lower_rule": draft.lower_rule,
            "note": note, "placements": draft.placements, "baseline": new.baseline.as_ref().map(|(_, printed, _)| printed),
        },
    });
    audit::record(connection, caller, "indicator.create", &format!("indicator:{}", draft.code), details).await?;
    Ok(id)
}

/// Finds the nodes where a new indicator is placed, recording an error per invalid, missing or
/// repeated place.
fn find_places<'a>(
    nodes: &'a RoadmapNodes,
    placements: &[PlacementRequest],
    errors: &mut Vec<FieldError>,
) -> Vec<(NodeKind, &'a dyn NodeRow)> {
    if placements.is_empty() {
        errors.push(FieldError::new(
            "placements",
            "wajib diisi: indikator ditempatkan di paling sedikit satu tujuan, sasaran atau kegiatan utama",
            "is required: an indicator is placed at one goal, objective or activity at least",
        ));
    }
    let mut found: Vec<(NodeKind, &dyn NodeRow)> = Vec::new();
    for (index, placement) in placements.iter().enumerate() {
        let field = format!("placements[{index}]");
        let (kind, key) = match (&placement.goal, &placement.objective, &placement.activity) {
            (Some(key), None, None) => (NodeKind::Goal, key),
            (None, Some(key), None) => (NodeKind::Objective, key),
            (None, None, Some(key)) => (NodeKind::Activity, key),
            _ => {
                errors.push(FieldError::new(
                    field,
                    "setiap penempatan menyebut tepat satu dari goal, objective atau activity",
                    "each placement names exactly one of goal, objective or activity",
                ));
                continue;
            }
        };
        let Some(node) = nodes.find_node(kind, Key::parse(key)) else {
            errors.push(FieldError::new(
                format!("{field}.{}", kind.as_str()),
                format!("tidak ada {} dengan id atau kode {key:?} dalam peta jalan ini", kind.indonesian()),
                format!("there is no {} with id or code {key:?} in this road map", kind.as_str()),
            ));
            continue;
        };
        if found.iter().any(|(seen, other)| *seen == kind && other.id() == node.id()) {
            errors.push(FieldError::new(
                field,
                "penempatan yang sama disebut dua kali",
                "the same placement is listed twice",
            ));
            continue;
        }
        found.push((kind, node));
    }
    found
}
