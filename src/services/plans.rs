//! Action plans (rencana aksi) and their milestones: who may write and read them, their rules,
//! and how the API shows them. Each change runs in the caller's transaction with its audit
//! record.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::evidence;
use crate::db::organisations;
use crate::db::plans::{self, MilestoneFields, MilestoneRow, NewProgress, PlanFields, PlanNode, PlanPlace, PlanRow};
use crate::domain::decimal::Decimal;
use crate::domain::plan::{
    Due, MAX_MILESTONES, PlanStatus, check_budget, check_percent, check_quantity, check_schedule, check_status_change,
    check_weight, is_done, is_overdue, weighted_progress,
};
use crate::domain::realisation::required_number;
use crate::error::{ApiError, FieldError, Resource};
use crate::services::audit;
use crate::services::realisations::{ActorRef, Actors, EvidenceView, evidence_view};
use crate::services::references::OrganisationKeys;
use crate::views::{NodeRef, OrganisationRef};

/// An amount of rupiah, exact to the sen.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Rupiah {
    /// Plain notation with two decimals, such as `1250000000.50`.
    #[schema(example = "1250000000.50")]
    pub amount: String,
    /// Indonesian notation, such as `1.250.000.000,50`.
    #[schema(example = "1.250.000.000,50")]
    pub printed: String,
}

impl Rupiah {
    fn new(amount: &BigDecimal) -> Rupiah {
        let amount = amount.with_scale(2);
        let plain = amount.to_plain_string();
        let printed = Decimal::parse_plain(&plain).map_or_else(|| plain.clone(), |value| value.to_indonesian());
        let printed = match printed.split_once(',') {
            Some((whole, sen)) => format!("{whole},{sen:0<2}"),
            None => format!("{printed},00"),
        };
        Rupiah { amount: plain, printed }
    }
}

/// The output (keluaran) a plan delivers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutputView {
    pub name: String,
    pub unit: String,
    pub quantity: Decimal,
}

/// A short reference to an indicator that a plan serves.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanIndicatorRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// An action plan as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: i64,
    /// The code from the road map data file, if it came from there.
    pub code: Option<String>,
    /// The road map's code.
    pub roadmap: String,
    /// The main activity the plan serves, or null for a plan of a thematic objective.
    pub activity: Option<NodeRef>,
    /// The thematic objective the plan serves, or null for a plan of an activity.
    pub objective: Option<NodeRef>,
    pub title: String,
    pub description: Option<String>,
    pub output: OutputView,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget: Option<Rupiah>,
    pub responsible: OrganisationRef,
    pub supporters: Vec<OrganisationRef>,
    /// The organisations that write and change this plan besides the admin.
    pub coordinators: Vec<OrganisationRef>,
    pub indicators: Vec<PlanIndicatorRef>,
    pub status: PlanStatus,
    pub cancel_reason: Option<String>,
    /// The weighted progress of the milestones, in percent.
    pub progress: Decimal,
    /// Whether a milestone is overdue on today's date in Asia/Jakarta.
    pub overdue: bool,
    pub milestones: Vec<MilestoneView>,
    /// Raised by every change to the plan's own fields; send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A milestone as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MilestoneView {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub expected_output: String,
    /// The due day; for a milestone due in a quarter, the quarter's last day.
    pub due_on: NaiveDate,
    /// The quarter, such as `2024-Q2`, when the milestone is due in one.
    pub due_quarter: Option<String>,
    pub weight: Decimal,
    /// The latest reported progress, in percent.
    pub progress: Decimal,
    pub progress_reported_at: Option<DateTime<Utc>>,
    pub done: bool,
    pub overdue: bool,
    pub evidence: Vec<EvidenceView>,
    /// Raised by every change and progress report; send it back in `If-Match` to edit.
    pub version: i32,
}

/// One progress report on a milestone.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub id: i64,
    pub milestone_id: i64,
    pub percent: Decimal,
    pub note: Option<String>,
    pub reported_by: Option<ActorRef>,
    pub reported_at: DateTime<Utc>,
}

/// A new action plan. It belongs to exactly one of `activity` and `objective` (a thematic
/// one); organisations and indicators are given by id or code.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    /// A main activity of the road map.
    pub activity: Option<String>,
    /// A thematic objective of the road map.
    pub objective: Option<String>,
    /// 1 to 500 characters.
    pub title: String,
    /// Up to 5000 characters.
    pub description: Option<String>,
    /// The expected output (keluaran), 1 to 500 characters.
    pub output: String,
    /// The output's unit, 1 to 100 characters.
    pub output_unit: String,
    /// The output's quantity, greater than zero: a JSON number or Indonesian notation.
    #[schema(value_type = crate::routes::realisations::NumberOrText)]
    pub output_quantity: serde_json::Value,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Rupiah, not negative, with at most two decimals: a JSON number (`1250000000.50`) or
    /// Indonesian notation (`"1.250.000.000"`). Numbers of more than 15 digits go as text.
    #[schema(value_type = Option<crate::routes::realisations::NumberOrText>)]
    pub budget: Option<serde_json::Value>,
    /// The organisation that carries the plan out and reports its progress.
    pub responsible: String,
    #[serde(default)]
    pub supporters: Vec<String>,
    /// Indicators of the road map that the plan serves.
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// Changes to a plan; fields left out keep their value, and `null` clears an optional one.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlan {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub output: Option<String>,
    pub output_unit: Option<String>,
    #[schema(value_type = Option<crate::routes::realisations::NumberOrText>)]
    pub output_quantity: Option<serde_json::Value>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<crate::routes::realisations::NumberOrText>)]
    pub budget: Option<Option<serde_json::Value>>,
    pub responsible: Option<String>,
    pub supporters: Option<Vec<String>>,
    pub indicators: Option<Vec<String>>,
    /// `planned`, `in_progress` or `done` (when every milestone is at 100%). Cancel with the
    /// cancel route.
    pub status: Option<PlanStatus>,
}

impl UpdatePlan {
    /// Tells whether the request changes nothing.
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.output.is_none()
            && self.output_unit.is_none()
            && self.output_quantity.is_none()
            && self.starts_on.is_none()
            && self.ends_on.is_none()
            && self.budget.is_none()
            && self.responsible.is_none()
            && self.supporters.is_none()
            && self.indicators.is_none()
            && self.status.is_none()
    }
}

/// A new milestone, or the whole of a changed one.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// 1 to 500 characters.
    pub title: String,
    /// 1 to 1000 characters.
    pub expected_output: String,
    /// A day (`2024-06-30`) or a quarter (`2024-Q2`, due on its last day).
    #[schema(example = "2024-Q2")]
    pub due: String,
    /// Greater than 0, at most two decimals; a plan's weights total at most 100.
    #[schema(value_type = crate::routes::realisations::NumberOrText)]
    pub weight: serde_json::Value,
}

/// A progress report on a milestone.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// From 0 to 100.
    #[schema(value_type = crate::routes::realisations::NumberOrText)]
    pub percent: serde_json::Value,
    /// Up to 2000 characters.
    pub note: Option<String>,
}

/// Finds a plan the caller may see; others are reported as not found.
pub async fn visible(connection: &mut AsyncPgConnection, caller: &Caller, id: i64) -> Result<PlanRow, ApiError> {
    caller.require_read()?;
    let plan = plans::find_plan(connection, id).await?.ok_or_else(|| not_found(Resource::Plan, id))?;
    let Some(organisation) = caller.scope_organisation() else {
        return Ok(plan);
    };
    if plan.responsible_id == organisation {
        return Ok(plan);
    }
    let supporters = plans::supporters_of(connection, &[plan.id]).await?;
    if supporters.iter().any(|(_, id)| *id == organisation) {
        return Ok(plan);
    }
    let node = plans::node_of(connection, &plan).await?;
    if node.is_some_and(|node| node.coordinators.contains(&organisation)) {
        return Ok(plan);
    }
    Err(not_found(Resource::Plan, id))
}

/// Finds a milestone whose plan the caller may see, with the plan.
pub async fn visible_milestone(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    id: i64,
) -> Result<(PlanRow, MilestoneRow), ApiError> {
    let milestone = plans::find_milestone(connection, id).await?.ok_or_else(|| not_found(Resource::Milestone, id))?;
    let plan = visible(connection, caller, milestone.plan_id).await.map_err(|error| match error {
        ApiError::NotFound { .. } => not_found(Resource::Milestone, id),
        other => other,
    })?;
    Ok((plan, milestone))
}

/// Checks that the caller coordinates the node, or is the admin; the refusal names the coordinators.
async fn require_coordinator(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    node: &PlanNode,
) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    if caller.reporting_organisation().is_some_and(|organisation| node.coordinators.contains(&organisation)) {
        return Ok(());
    }
    let names = organisations::refs_by_id(connection, &node.coordinators).await?;
    let mut codes: Vec<String> = names.into_values().map(|found| found.code).collect();
    codes.sort();
    let allowed = if codes.is_empty() { "admin".to_string() } else { format!("{} atau admin", codes.join(", ")) };
    let allowed_en =
        if codes.is_empty() { "the admin".to_string() } else { format!("{} or the admin", codes.join(", ")) };
    Err(ApiError::Denied {
        indonesian: format!("rencana aksi {} hanya ditulis dan diubah oleh koordinatornya: {allowed}", node.code),
        english: format!(
            "the action plans of {} are written and changed by its coordinator only: {allowed_en}",
            node.code
        ),
    })
}

/// Refuses changes to a cancelled plan, and progress on a finished one.
fn require_running(plan: &PlanRow, allow_done: bool) -> Result<(), ApiError> {
    let status: PlanStatus = plan.status.parse().unwrap_or(PlanStatus::Planned);
    match status {
        PlanStatus::Cancelled => Err(ApiError::Refused {
            code: "plan-cancelled",
            indonesian: "rencana aksi ini sudah dibatalkan dan tidak dapat diubah".into(),
            english: "this plan is cancelled and takes no changes".into(),
        }),
        PlanStatus::Done if !allow_done => Err(ApiError::Refused {
            code: "plan-done",
            indonesian: "rencana aksi ini sudah selesai; ubah statusnya dulu bila perlu dibuka lagi".into(),
            english: "this plan is done; change its status first to reopen it".into(),
        }),
        _ => Ok(()),
    }
}

/// The plan's node, which must exist.
async fn node(connection: &mut AsyncPgConnection, plan: &PlanRow) -> Result<PlanNode, ApiError> {
    plans::node_of(connection, plan)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("plan {} has no activity or objective", plan.id)))
}

/// Resolves the indicators a plan serves, within its road map, with one query.
async fn indicator_list(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    keys: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<Vec<i64>, ApiError> {
    let mut wanted_ids = Vec::new();
    let mut wanted_codes = Vec::new();
    for key in keys {
        match crate::domain::key::Key::parse(key) {
            crate::domain::key::Key::Id(id) => wanted_ids.push(id),
            crate::domain::key::Key::Code(code) => wanted_codes.push(code.to_string()),
        }
    }
    let known = plans::indicator_keys(connection, roadmap_id, &wanted_ids, &wanted_codes).await?;

    let mut ids = Vec::with_capacity(keys.len());
    for (index, key) in keys.iter().enumerate() {
        let field = format!("indicators[{index}]");
        let found = match crate::domain::key::Key::parse(key) {
            crate::domain::key::Key::Id(id) => known.iter().find(|(known_id, _)| *known_id == id),
            crate::domain::key::Key::Code(code) => known.iter().find(|(_, known_code)| known_code == code),
        };
        match found {
            Some((id, _)) if ids.contains(id) => {
                errors.push(FieldError::new(field, "indikator ini sudah disebut", "this indicator is listed already"));
            }
            Some((id, _)) => ids.push(*id),
            None => errors.push(FieldError::new(
                field,
                format!("tidak ada indikator {key:?} di peta jalan ini"),
                format!("there is no indicator {key:?} in this road map"),
            )),
        }
    }
    Ok(ids)
}

/// Finds the node a new plan serves.
async fn place(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    request: &CreatePlan,
) -> Result<PlanNode, ApiError> {
    let key = |text: &str| match crate::domain::key::Key::parse(text) {
        crate::domain::key::Key::Id(id) => (Some(id), String::new()),
        crate::domain::key::Key::Code(code) => (None, code.to_string()),
    };
    let node = match (&request.activity, &request.objective) {
        (Some(activity), None) => {
            let (id, code) = key(activity);
            plans::activity_node(connection, roadmap_id, id, &code).await?.ok_or_else(|| {
                invalid(
                    "activity",
                    "tidak ada kegiatan utama ini di peta jalan",
                    "there is no such activity in the road map",
                )
            })?
        }
        (None, Some(objective)) => {
            let (id, code) = key(objective);
            let node = plans::objective_node(connection, roadmap_id, id, &code).await?.ok_or_else(|| {
                invalid(
                    "objective",
                    "tidak ada sasaran ini di peta jalan",
                    "there is no such objective in the road map",
                )
            })?;
            if node.objective_kind.as_deref() != Some("thematic") {
                return Err(invalid(
                    "objective",
                    "rencana aksi sasaran hanya untuk sasaran tematik; untuk RB General pilih kegiatan utamanya",
                    "plans of an objective are for thematic objectives only; for general reform choose one of its activities",
                ));
            }
            node
        }
        _ => {
            return Err(invalid(
                "activity",
                "sebut tepat satu: activity (kegiatan utama) atau objective (sasaran tematik)",
                "give exactly one of activity (main activity) and objective (thematic objective)",
            ));
        }
    };
    if node.retired {
        return Err(ApiError::Refused {
            code: "node-retired",
            indonesian: format!("{} sudah tidak berlaku dan tidak menerima rencana aksi baru", node.code),
            english: format!("{} is retired and takes no new plans", node.code),
        });
    }
    Ok(node)
}

/// Reads a text field of a given length, trimmed.
fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("harus 1 sampai {max} karakter"),
            format!("must have 1 to {max} characters"),
        ));
    }
    value.to_string()
}

/// Reads an optional text field, trimmed; empty counts as absent.
fn optional_text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("paling banyak {max} karakter"),
            format!("must have at most {max} characters"),
        ));
    }
    Some(value.to_string())
}

fn quantity(value: &serde_json::Value, errors: &mut Vec<FieldError>) -> BigDecimal {
    let Some(number) = required_number(&Some(value.clone()), "output_quantity", errors) else {
        return BigDecimal::zero();
    };
    if let Err(error) = check_quantity(&number) {
        errors.push(error);
    }
    number
}

/// Reads a budget; `null`, an absent field and blank text all mean no budget.
fn budget(value: Option<&serde_json::Value>, errors: &mut Vec<FieldError>) -> Option<BigDecimal> {
    let blank =
        |value: &&serde_json::Value| value.is_null() || value.as_str().is_some_and(|text| text.trim().is_empty());
    let value = value.filter(|value| !blank(value))?;
    let number = required_number(&Some(value.clone()), "budget", errors)?;
    if let Err(error) = check_budget(&number) {
        errors.push(error);
    }
    Some(number)
}

/// Creates a plan at an activity or a thematic objective (its coordinator, or the admin).
pub async fn create(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap: &crate::views::RoadmapView,
    request: &CreatePlan,
) -> Result<PlanRow, ApiError> {
    let node = place(connection, roadmap.id, request).await?;
    require_coordinator(connection, caller, &node).await?;

    let mut errors = Vec::new();
    let title = text("title", &request.title, 500, &mut errors);
    let description = optional_text("description", request.description.as_deref(), 5000, &mut errors);
    let output_name = text("output", &request.output, 500, &mut errors);
    let output_unit = text("output_unit", &request.output_unit, 100, &mut errors);
    let output_quantity = quantity(&request.output_quantity, &mut errors);
    let budget = budget(request.budget.as_ref(), &mut errors);
    errors.extend(check_schedule(request.starts_on, request.ends_on, &(roadmap.start_year..=roadmap.end_year)));
    let keys = std::iter::once(request.responsible.as_str()).chain(request.supporters.iter().map(String::as_str));
    let mut organisations = OrganisationKeys::load(connection, keys).await?;
    let responsible = organisations.id("responsible", &request.responsible);
    let supporters = organisations.list("supporters", &request.supporters);
    errors.extend(organisations.take_errors());
    let indicator_ids = indicator_list(connection, roadmap.id, &request.indicators, &mut errors).await?;
    if responsible.is_some_and(|id| supporters.contains(&id)) {
        errors.push(FieldError::new(
            "supporters",
            "organisasi penanggung jawab tidak perlu disebut lagi sebagai pendukung",
            "the responsible organisation is not also a supporter",
        ));
    }
    let Some(responsible_id) = responsible.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };

    let place = PlanPlace {
        roadmap_id: roadmap.id,
        code: None,
        activity_id: node.activity_id,
        objective_id: node.objective_id,
    };
    let fields = PlanFields {
        title,
        description,
        output_name,
        output_unit,
        output_quantity,
        starts_on: request.starts_on,
        ends_on: request.ends_on,
        budget,
        responsible_id,
        status: PlanStatus::Planned.as_ref().to_string(),
    };
    let row = plans::insert_plan(connection, &place, &fields, &supporters, &indicator_ids).await?;
    let details = serde_json::json!({
        "after": plan_record(&row, &supporters, &indicator_ids), "node": node.code,
    });
    audit::record(connection, caller, "plan.create", &format!("plan:{}", row.id), details).await?;
    Ok(row)
}

/// Changes a plan (its coordinator, or the admin).
pub async fn update(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap: &crate::views::RoadmapView,
    plan: &PlanRow,
    request: &UpdatePlan,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
) -> Result<PlanRow, ApiError> {
    let node = node(connection, plan).await?;
    require_coordinator(connection, caller, &node).await?;
    require_running(plan, true)?;
    check_version(plan.version)?;
    if request.is_empty() {
        return Err(invalid(
            "body",
            "tidak ada yang diubah: kirim paling sedikit satu kolom",
            "nothing to change: send at least one field",
        ));
    }

    let mut errors = Vec::new();
    let title =
        request.title.as_deref().map_or_else(|| plan.title.clone(), |value| text("title", value, 500, &mut errors));
    let description = match &request.description {
        Some(value) => optional_text("description", value.as_deref(), 5000, &mut errors),
        None => plan.description.clone(),
    };
    let output_name = request
        .output
        .as_deref()
        .map_or_else(|| plan.output_name.clone(), |value| text("output", value, 500, &mut errors));
    let output_unit = request
        .output_unit
        .as_deref()
        .map_or_else(|| plan.output_unit.clone(), |value| text("output_unit", value, 100, &mut errors));
    let output_quantity = request
        .output_quantity
        .as_ref()
        .map_or_else(|| plan.output_quantity.clone(), |value| quantity(value, &mut errors));
    let budget = match &request.budget {
        Some(value) => budget(value.as_ref(), &mut errors),
        None => plan.budget.clone(),
    };
    let starts_on = request.starts_on.unwrap_or(plan.starts_on);
    let ends_on = request.ends_on.unwrap_or(plan.ends_on);
    errors.extend(check_schedule(starts_on, ends_on, &(roadmap.start_year..=roadmap.end_year)));
    let milestones = plans::milestones_of(connection, &[plan.id]).await?;
    if let Some(outside) = milestones.iter().find(|row| row.due_on < starts_on || row.due_on > ends_on) {
        let field = if outside.due_on < starts_on { "starts_on" } else { "ends_on" };
        errors.push(FieldError::new(
            field,
            format!(
                "tonggak {:?} bertenggat {}, di luar jadwal baru; ubah tenggatnya dulu",
                outside.title, outside.due_on
            ),
            format!(
                "milestone {:?} is due on {}, outside the new schedule; change its due day first",
                outside.title, outside.due_on
            ),
        ));
    }
    let keys = request.responsible.iter().chain(request.supporters.iter().flatten()).map(String::as_str);
    let mut organisations = OrganisationKeys::load(connection, keys).await?;
    let responsible_id = match &request.responsible {
        Some(key) => organisations.id("responsible", key).unwrap_or(plan.responsible_id),
        None => plan.responsible_id,
    };
    let current_supporters: Vec<i64> =
        plans::supporters_of(connection, &[plan.id]).await?.into_iter().map(|(_, id)| id).collect();
    let supporters = match &request.supporters {
        Some(keys) => organisations.list("supporters", keys),
        None => current_supporters.clone(),
    };
    errors.extend(organisations.take_errors());
    let current_indicators: Vec<i64> =
        plans::indicators_of(connection, &[plan.id]).await?.into_iter().map(|(_, id, ..)| id).collect();
    let indicator_ids = match &request.indicators {
        Some(keys) => indicator_list(connection, roadmap.id, keys, &mut errors).await?,
        None => current_indicators.clone(),
    };
    if supporters.contains(&responsible_id) {
        errors.push(FieldError::new(
            "supporters",
            "organisasi penanggung jawab tidak perlu disebut lagi sebagai pendukung",
            "the responsible organisation is not also a supporter",
        ));
    }
    let from: PlanStatus = plan.status.parse().unwrap_or(PlanStatus::Planned);
    let status = request.status.unwrap_or(from);
    if status != from {
        let all_done = !milestones.is_empty() && milestones.iter().all(|row| is_done(&row.progress));
        if let Err(error) = check_status_change(from, status, all_done) {
            errors.push(error);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    let fields = PlanFields {
        title,
        description,
        output_name,
        output_unit,
        output_quantity,
        starts_on,
        ends_on,
        budget,
        responsible_id,
        status: status.as_ref().to_string(),
    };
    let links = (request.supporters.is_some() || request.indicators.is_some())
        .then_some((supporters.as_slice(), indicator_ids.as_slice()));
    let row = plans::update_plan(connection, plan.id, plan.version, &fields, links)
        .await?
        .ok_or(ApiError::PreconditionFailed)?;
    let details = serde_json::json!({
        "before": plan_record(plan, &current_supporters, &current_indicators),
        "after": plan_record(&row, &supporters, &indicator_ids),
    });
    audit::record(connection, caller, "plan.update", &format!("plan:{}", row.id), details).await?;
    Ok(row)
}

/// Cancels a plan with a reason (its coordinator, or the admin).
pub async fn cancel(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    plan: &PlanRow,
    reason: &str,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
) -> Result<PlanRow, ApiError> {
    let node = node(connection, plan).await?;
    require_coordinator(connection, caller, &node).await?;
    require_running(plan, true)?;
    check_version(plan.version)?;
    let mut errors = Vec::new();
    let reason = text("reason", reason, 2000, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    let row =
        plans::cancel_plan(connection, plan.id, plan.version, &reason).await?.ok_or(ApiError::PreconditionFailed)?;
    let details = serde_json::json!({ "before": plan.status, "reason": reason });
    audit::record(connection, caller, "plan.cancel", &format!("plan:{}", row.id), details).await?;
    Ok(row)
}

/// Reads a milestone request, checking its weight against the plan's other milestones.
async fn milestone_fields(
    connection: &mut AsyncPgConnection,
    plan: &PlanRow,
    request: &MilestoneInput,
    except: Option<i64>,
) -> Result<MilestoneFields, ApiError> {
    let mut errors = Vec::new();
    let title = text("title", &request.title, 500, &mut errors);
    let expected_output = text("expected_output", &request.expected_output, 1000, &mut errors);

    let due = Due::parse(&request.due).map_err(|error| errors.push(error)).ok();
    if let Some(due) = due
        && (due.on < plan.starts_on || due.on > plan.ends_on)
    {
        errors.push(FieldError::new(
            "due",
            format!("harus di antara {} dan {}, jadwal rencana aksinya", plan.starts_on, plan.ends_on),
            format!("must fall between {} and {}, the plan's schedule", plan.starts_on, plan.ends_on),
        ));
    }

    let (count, others) = plans::weights(connection, plan.id, except).await?;
    if except.is_none() && count >= MAX_MILESTONES {
        errors.push(FieldError::new(
            "body",
            format!("satu rencana aksi paling banyak memuat {MAX_MILESTONES} tonggak"),
            format!("a plan holds at most {MAX_MILESTONES} milestones"),
        ));
    }
    let weight = required_number(&Some(request.weight.clone()), "weight", &mut errors);
    if let Some(weight) = &weight
        && let Err(error) = check_weight(weight, &others)
    {
        errors.push(error);
    }

    match (due, weight) {
        (Some(due), Some(weight)) if errors.is_empty() => Ok(MilestoneFields {
            title,
            expected_output,
            due_on: due.on,
            due_quarter: due.quarter.map(|code| code.to_string()),
            weight,
        }),
        _ => Err(ApiError::InvalidBody(errors)),
    }
}

/// Adds a milestone to a plan (its coordinator, or the admin). The plan's row is locked, so
/// that concurrent additions cannot pass the weight limit together.
pub async fn add_milestone(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    plan: &PlanRow,
    request: &MilestoneInput,
) -> Result<MilestoneRow, ApiError> {
    let plan = plans::lock_plan(connection, plan.id).await?.ok_or_else(|| not_found(Resource::Plan, plan.id))?;
    let node = node(connection, &plan).await?;
    require_coordinator(connection, caller, &node).await?;
    require_running(&plan, false)?;

    let fields = milestone_fields(connection, &plan, request, None).await?;
    let row = plans::insert_milestone(connection, plan.id, &fields).await?;
    let details = serde_json::json!({ "plan": plan.id, "after": milestone_record(&row) });
    audit::record(connection, caller, "milestone.create", &format!("milestone:{}", row.id), details).await?;
    Ok(row)
}

/// Changes a milestone (the plan's coordinator, or the admin).
pub async fn update_milestone(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    plan: &PlanRow,
    milestone: &MilestoneRow,
    request: &MilestoneInput,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
) -> Result<MilestoneRow, ApiError> {
    let plan = plans::lock_plan(connection, plan.id).await?.ok_or_else(|| not_found(Resource::Plan, plan.id))?;
    let node = node(connection, &plan).await?;
    require_coordinator(connection, caller, &node).await?;
    require_running(&plan, false)?;
    check_version(milestone.version)?;

    let fields = milestone_fields(connection, &plan, request, Some(milestone.id)).await?;
    let row = plans::update_milestone(connection, milestone.id, milestone.version, &fields)
        .await?
        .ok_or(ApiError::PreconditionFailed)?;
    let details = serde_json::json!({ "before": milestone_record(milestone), "after": milestone_record(&row) });
    audit::record(connection, caller, "milestone.update", &format!("milestone:{}", row.id), details).await?;
    Ok(row)
}

/// Checks that the caller reports for the plan's responsible organisation.
pub async fn require_responsible(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    plan: &PlanRow,
) -> Result<(), ApiError> {
    if caller.reporting_organisation() == Some(plan.responsible_id) {
        return Ok(());
    }
    let names = organisations::refs_by_id(connection, &[plan.responsible_id]).await?;
    let code = names.get(&plan.responsible_id).map_or_else(String::new, |found| found.code.clone());
    Err(ApiError::Denied {
        indonesian: format!("kemajuan rencana aksi ini dilaporkan oleh penanggung jawabnya, {code}"),
        english: format!("progress on this plan is reported by its responsible organisation, {code}"),
    })
}

/// Checks that the caller may add or remove evidence of a milestone: the responsible
/// organisation of a plan that still runs. Locks the plan's row.
pub async fn require_evidence_writer(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    milestone_id: i64,
) -> Result<(), ApiError> {
    let (plan, _) = visible_milestone(connection, caller, milestone_id).await?;
    let plan = plans::lock_plan(connection, plan.id).await?.ok_or_else(|| not_found(Resource::Plan, plan.id))?;
    require_responsible(connection, caller, &plan).await?;
    require_running(&plan, false)
}

/// Stores a progress report on a milestone (the responsible organisation). The first report
/// moves a planned plan to in progress.
pub async fn report_progress(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    plan: &PlanRow,
    milestone: &MilestoneRow,
    request: &ProgressInput,
    now: DateTime<Utc>,
) -> Result<MilestoneRow, ApiError> {
    let plan = plans::lock_plan(connection, plan.id).await?.ok_or_else(|| not_found(Resource::Plan, plan.id))?;
    require_responsible(connection, caller, &plan).await?;
    require_running(&plan, false)?;

    let mut errors = Vec::new();
    let percent = required_number(&Some(request.percent.clone()), "percent", &mut errors);
    if let Some(percent) = &percent
        && let Err(error) = check_percent(percent)
    {
        errors.push(error);
    }
    let note = optional_text("note", request.note.as_deref(), 2000, &mut errors);
    let Some(percent) = percent.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };

    let new = NewProgress {
        milestone_id: milestone.id,
        percent,
        note,
        reported_by_user_id: caller.user_id(),
        reported_by_client_id: caller.client_id(),
        reported_at: now,
    };
    let row = plans::insert_progress(connection, &new).await?;
    let started = plans::mark_started(connection, plan.id).await?;
    let details = serde_json::json!({
        "plan": plan.id, "before": milestone.progress.normalized().to_plain_string(),
        "after": row.progress.normalized().to_plain_string(), "note": new.note, "plan_started": started,
    });
    audit::record(connection, caller, "milestone.progress", &format!("milestone:{}", row.id), details).await?;
    Ok(row)
}

/// Shows the progress reports of a milestone.
pub async fn progress_views(
    connection: &mut AsyncPgConnection,
    milestone_id: i64,
) -> Result<Vec<ProgressView>, ApiError> {
    let rows = plans::progress_history(connection, milestone_id).await?;
    let user_ids: Vec<i64> = rows.iter().filter_map(|row| row.reported_by_user_id).collect();
    let client_ids: Vec<i64> = rows.iter().filter_map(|row| row.reported_by_client_id).collect();
    let actors = Actors::load(connection, &user_ids, &client_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| ProgressView {
            id: row.id,
            milestone_id: row.milestone_id,
            percent: Decimal::new(row.percent),
            note: row.note,
            reported_by: actors.get(row.reported_by_user_id, row.reported_by_client_id),
            reported_at: row.reported_at,
        })
        .collect())
}

/// Shows plans with their milestones, evidence and references, in a fixed number of queries.
pub async fn views(
    connection: &mut AsyncPgConnection,
    roadmap: &crate::views::RoadmapView,
    rows: Vec<PlanRow>,
    today: NaiveDate,
) -> Result<Vec<PlanView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let supporters = plans::supporters_of(connection, &ids).await?;
    let indicator_refs = plans::indicators_of(connection, &ids).await?;
    let milestone_rows = plans::milestones_of(connection, &ids).await?;
    let milestone_ids: Vec<i64> = milestone_rows.iter().map(|row| row.id).collect();
    let evidence_rows = evidence::for_milestones(connection, &milestone_ids).await?;
    let nodes = crate::db::roadmaps::RoadmapNodes::load(connection, roadmap.id).await?;
    let coordinators = plans::coordinators_of(connection, &rows).await?;

    let mut organisation_ids: Vec<i64> = rows.iter().map(|row| row.responsible_id).collect();
    organisation_ids.extend(supporters.iter().map(|(_, id)| *id));
    organisation_ids.extend(coordinators.values().flatten());
    let organisations = organisations::refs_by_id(connection, &organisation_ids).await?;
    let user_ids: Vec<i64> = evidence_rows.iter().filter_map(|row| row.added_by_user_id).collect();
    let client_ids: Vec<i64> = evidence_rows.iter().filter_map(|row| row.added_by_client_id).collect();
    let actors = Actors::load(connection, &user_ids, &client_ids).await?;

    let mut evidence_by_milestone: HashMap<i64, Vec<EvidenceView>> = HashMap::new();
    for item in &evidence_rows {
        let view = evidence_view(item, actors.get(item.added_by_user_id, item.added_by_client_id));
        evidence_by_milestone.entry(item.milestone_id.unwrap_or_default()).or_default().push(view);
    }
    let organisation = |id: &i64| organisations.get(id).cloned();

    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let status: PlanStatus = row.status.parse().unwrap_or(PlanStatus::Planned);
        let own: Vec<&MilestoneRow> = milestone_rows.iter().filter(|milestone| milestone.plan_id == row.id).collect();
        let progress = weighted_progress(own.iter().map(|milestone| (&milestone.weight, &milestone.progress)));
        let milestones: Vec<MilestoneView> = own
            .iter()
            .map(|milestone| MilestoneView {
                id: milestone.id,
                plan_id: milestone.plan_id,
                title: milestone.title.clone(),
                expected_output: milestone.expected_output.clone(),
                due_on: milestone.due_on,
                due_quarter: milestone.due_quarter.clone(),
                weight: Decimal::new(milestone.weight.clone()),
                progress: Decimal::new(milestone.progress.clone()),
                progress_reported_at: milestone.progress_reported_at,
                done: is_done(&milestone.progress),
                overdue: is_overdue(milestone.due_on, &milestone.progress, status, today),
                evidence: evidence_by_milestone.remove(&milestone.id).unwrap_or_default(),
                version: milestone.version,
            })
            .collect();
        let Some(responsible) = organisation(&row.responsible_id) else {
            return Err(ApiError::Internal(anyhow::anyhow!("plan {} refers to a missing organisation", row.id)));
        };
        views.push(PlanView {
            id: row.id,
            code: row.code.clone(),
            roadmap: roadmap.code.clone(),
            activity: row.activity_id.and_then(|id| nodes.node_ref(crate::domain::indicator::Level::Activity, id)),
            objective: row.objective_id.and_then(|id| nodes.node_ref(crate::domain::indicator::Level::Objective, id)),
            title: row.title,
            description: row.description,
            output: OutputView {
                name: row.output_name,
                unit: row.output_unit,
                quantity: Decimal::new(row.output_quantity),
            },
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            budget: row.budget.as_ref().map(Rupiah::new),
            responsible,
            supporters: supporters
                .iter()
                .filter(|(plan, _)| *plan == row.id)
                .filter_map(|(_, id)| organisation(id))
                .collect(),
            coordinators: coordinators.get(&row.id).into_iter().flatten().filter_map(organisation).collect(),
            indicators: indicator_refs
                .iter()
                .filter(|(plan, ..)| *plan == row.id)
                .map(|(_, id, code, name)| PlanIndicatorRef { id: *id, code: code.clone(), name: name.clone() })
                .collect(),
            status,
            cancel_reason: row.cancel_reason,
            progress: Decimal::new(progress),
            overdue: milestones.iter().any(|milestone| milestone.overdue),
            milestones,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(views)
}

/// Builds the audit record of a plan's fields.
fn plan_record(row: &PlanRow, supporters: &[i64], indicator_ids: &[i64]) -> serde_json::Value {
    serde_json::json!({
        "title": row.title, "description": row.description, "output": row.output_name, "output_unit": row.output_unit,
        "output_quantity": row.output_quantity.normalized().to_plain_string(), "starts_on": row.starts_on,
        "ends_on": row.ends_on, "budget": row.budget.as_ref().map(|budget| budget.with_scale(2).to_plain_string()),
        "responsible_id": row.responsible_id, "supporters": supporters, "indicators": indicator_ids,
        "status": row.status,
    })
}

/// Builds the audit record of a milestone's fields.
fn milestone_record(row: &MilestoneRow) -> serde_json::Value {
    serde_json::json!({
        "title": row.title, "expected_output": row.expected_output, "due_on": row.due_on,
        "due_quarter": row.due_quarter, "weight": row.weight.normalized().to_plain_string(),
    })
}

fn invalid(field: &str, indonesian: &str, english: &str) -> ApiError {
    ApiError::InvalidBody(vec![FieldError::new(field, indonesian, english)])
}

fn not_found(resource: Resource, id: i64) -> ApiError {
    ApiError::NotFound { resource, key: id.to_string() }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn rupiah_keeps_the_sen() {
        let amount = Rupiah::new(&BigDecimal::from_str("1250000000.5").unwrap());
        assert_eq!(amount.amount, "1250000000.50");
        assert_eq!(amount.printed, "1.250.000.000,50");
        let whole = Rupiah::new(&BigDecimal::from_str("1250000000").unwrap());
        assert_eq!(whole.amount, "1250000000.00");
        assert_eq!(whole.printed, "1.250.000.000,00");
    }
}
