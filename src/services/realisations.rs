//! The realisation workflow: creating, changing and showing realisations. Each change runs in
//! the caller's transaction, checks the period, the version and the caller's standing, writes a
//! version row and an audit record, and returns the new view.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::accounts;
use crate::db::evidence::{self, EvidenceRow};
use crate::db::idempotency::StoredResponse;
use crate::db::indicators::{self, IndicatorSubject};
use crate::db::organisations;
use crate::db::periods::{self, PeriodRow};
use crate::db::realisations::{self, NewRealisation, RealisationRow};
use crate::domain::achievement::{self, Achievement, Figure, Realised};
use crate::domain::decimal::Decimal;
use crate::domain::indicator::{CombineRule, Direction, LowerRule, ValueKind};
use crate::domain::lang::Lang;
use crate::domain::period::{PeriodCode, PeriodRefusal, Timeliness};
use crate::domain::realisation::{
    Action, RealisationState, RealisedValue, Refusal, Standing, ValueInput, ValueRules, read_value, required_standing,
    standing,
};
use crate::error::{ApiError, FieldError, Resource};
use crate::http::idempotency::response;
use crate::services::audit;
use crate::views::OrganisationRef;

/// A realisation as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RealisationView {
    pub id: i64,
    pub indicator: IndicatorRef,
    /// The reporting period, such as `2023-Q1`.
    #[schema(value_type = String, example = "2023-Q1")]
    pub period: PeriodCode,
    /// The organisation that reports this figure.
    pub organisation: OrganisationRef,
    pub state: RealisationState,
    /// Raised by every change; send it back in `If-Match` (as the `ETag` header gives it).
    pub version: i32,
    pub value: RealisedValueView,
    pub note: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The submitter, whom a verification never replaces.
    pub submitted_by: Option<ActorRef>,
    /// Of the first submission.
    pub timeliness: Option<Timeliness>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The user who verified or returned it.
    pub reviewed_by: Option<ActorRef>,
    /// The reason of a return, or the verifier's note.
    pub review_note: Option<String>,
    pub evidence: Vec<EvidenceView>,
    /// This figure against the target in force for its quarter (the quarter's target where the
    /// road map sets one, else the year's). Under the `sum` rule it is this unit's share only.
    pub achievement: Achievement,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A short reference to an indicator.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// The reported value.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RealisedValueView {
    /// The value as sent, such as `74,5`, `15/50` or `WTP`.
    pub printed: Option<String>,
    /// The number; for a rate, the percentage computed from numerator and denominator.
    pub number: Option<Decimal>,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
    /// The category or text of a category or text indicator.
    pub text: Option<String>,
    pub grade: Option<String>,
    /// Whether a descriptive target is met, as the reporter states it.
    pub met: Option<bool>,
}

/// A user or service client.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActorRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    /// Username or client id.
    pub name: String,
}

/// An evidence item: a stored file or a link.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: i64,
    /// `file` or `link`.
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    /// The type decided from the file's content.
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    /// SHA-256 of the file, in hexadecimal.
    pub sha256: Option<String>,
    pub description: Option<String>,
    /// The download path of a file.
    pub download: Option<String>,
    pub added_by: Option<ActorRef>,
    pub added_at: DateTime<Utc>,
}

/// A new realisation as a client sends it, already read against the indicator.
pub struct NewRealisationRequest<'a> {
    pub roadmap_id: i64,
    pub indicator: &'a str,
    pub period: &'a str,
    pub value: ValueInput,
    pub note: Option<String>,
    pub submit: bool,
}

/// A change of an existing realisation.
pub enum Change {
    /// New value (`None` keeps it) and note (`None` keeps it, `Some(None)` clears it).
    Edit {
        value: Option<Box<ValueInput>>,
        note: Option<Option<String>>,
    },
    Submit,
    Verify {
        note: Option<String>,
    },
    Return {
        note: String,
    },
}

impl Change {
    fn action(&self) -> Action {
        match self {
            Change::Edit { .. } => Action::Edit,
            Change::Submit => Action::Submit,
            Change::Verify { .. } => Action::Verify,
            Change::Return { .. } => Action::Return,
        }
    }
}

/// Finds the indicator and period a new realisation names, with errors that name the field.
pub async fn resolve_new(
    connection: &mut AsyncPgConnection,
    request: &NewRealisationRequest<'_>,
) -> Result<(IndicatorSubject, PeriodRow), ApiError> {
    let mut errors = Vec::new();
    let subject =
        indicators::subject(connection, Some(request.roadmap_id), crate::domain::key::Key::parse(request.indicator))
            .await?;
    if subject.is_none() {
        errors.push(FieldError::new(
            "indicator",
            format!("tidak ada indikator dengan id atau kode {:?} pada peta jalan ini", request.indicator),
            format!("there is no indicator with id or code {:?} in this road map", request.indicator),
        ));
    }
    let period = match request.period.parse::<PeriodCode>() {
        Ok(code) => {
            let found = periods::find(connection, request.roadmap_id, code).await?;
            if found.is_none() {
                errors.push(FieldError::new(
                    "period",
                    format!("periode {code} belum dibuka oleh sekretariat"),
                    format!("period {code} has not been opened by the secretariat"),
                ));
            }
            found
        }
        Err(()) => {
            errors.push(FieldError::new(
                "period",
                crate::domain::period::period_code_hint(Lang::Id),
                crate::domain::period::period_code_hint(Lang::En),
            ));
            None
        }
    };
    match (subject, period) {
        (Some(subject), Some(period)) if errors.is_empty() => Ok((subject, period)),
        _ => Err(ApiError::InvalidBody(errors)),
    }
}

/// Returns the value rules of an indicator.
pub fn value_rules(subject: &IndicatorSubject) -> ValueRules {
    ValueRules {
        kind: subject.row.value_kind.parse().unwrap_or(ValueKind::Text),
        combine: subject.row.combine_rule.parse().unwrap_or(CombineRule::Designated),
        met_by_reporter: subject.row.direction == Direction::TextMet.as_ref(),
    }
}

/// A checked report: the value read against the indicator, the note, and whether to submit.
pub struct Report {
    pub value: RealisedValue,
    pub note: Option<String>,
    pub submit: bool,
}

/// Returns the organisation the caller reports for, if it may report the indicator: one of its
/// implementers or its reporting unit.
pub fn require_reporter(caller: &Caller, subject: &IndicatorSubject) -> Result<i64, ApiError> {
    let Some(organisation_id) = caller.reporting_organisation() else {
        return Err(ApiError::Forbidden);
    };
    // TODO: group implementers (all units, all kecamatan) do not yet let their member units report.
    let reports =
        subject.implementers.contains(&organisation_id) || subject.row.reporting_unit_id == Some(organisation_id);
    if !reports {
        return Err(ApiError::Denied {
            indonesian: format!(
                "organisasi Anda bukan pelaksana indikator {}; hanya pelaksana dan unit pelapornya yang melaporkan realisasi",
                subject.row.code
            ),
            english: format!(
                "your organisation is not an implementer of indicator {}; only its implementers and reporting unit report realisations",
                subject.row.code
            ),
        });
    }
    Ok(organisation_id)
}

/// Creates a realisation, as a draft or submitted, inside the caller's transaction.
pub async fn create(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
    period: &PeriodRow,
    report: Report,
    now: DateTime<Utc>,
) -> Result<StoredResponse, ApiError> {
    let Report { value, note, submit } = report;
    crate::services::targets::refuse_if_retired(subject)?;
    let organisation_id = require_reporter(caller, subject)?;
    let period = periods::lock_for_change(connection, period.id).await?;
    let exception = periods::exception_until(connection, period.id, organisation_id).await?;
    let today = crate::clock::jakarta_date(now);
    let timeliness = period.rules().first_submission(today, exception).map_err(|refusal| refused(&refusal, &period))?;

    let (user_id, client_id) = (caller.user_id(), caller.client_id());
    let state = if submit { RealisationState::Submitted } else { RealisationState::Draft };
    let new = NewRealisation {
        note,
        created_by_user_id: user_id,
        created_by_client_id: client_id,
        submitted_at: submit.then_some(now),
        submitted_by_user_id: if submit { user_id } else { None },
        submitted_by_client_id: if submit { client_id } else { None },
        timeliness: submit.then(|| timeliness.as_ref().to_string()),
        ..NewRealisation::new(subject.row.id, period.id, organisation_id, state, value)
    };
    let Some(row) = realisations::insert(connection, &new).await? else {
        let existing = realisations::find_existing(connection, subject.row.id, period.id, organisation_id).await?;
        return Err(ApiError::Refused {
            code: "realisation-exists",
            indonesian: format!(
                "organisasi Anda sudah punya realisasi indikator {} untuk periode {} (id {}); ubah yang itu dengan PATCH /api/v1/realisations/{}",
                subject.row.code,
                period.code(),
                existing.unwrap_or_default(),
                existing.unwrap_or_default()
            ),
            english: format!(
                "your organisation already has a realisation of indicator {} for period {} (id {}); change it with PATCH /api/v1/realisations/{}",
                subject.row.code,
                period.code(),
                existing.unwrap_or_default(),
                existing.unwrap_or_default()
            ),
        });
    };

    let view = record(connection, caller, None, &row, if submit { "submit" } else { "create" }).await?;
    Ok(response(StatusCode::CREATED, &view, Some(row.version), Some(format!("/api/v1/realisations/{}", row.id))))
}

/// Applies a change to a realisation inside the caller's transaction. `check_version` checks
/// the version the client saw.
pub async fn change(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    id: i64,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
    change: Change,
    now: DateTime<Utc>,
) -> Result<StoredResponse, ApiError> {
    let before = realisations::find_for_update(connection, id).await?.ok_or_else(|| not_found(id))?;
    let subject = load_subject(connection, before.indicator_id).await?;
    if !can_see(caller, &before, subject.row.coordinator_id) {
        return Err(not_found(id));
    }
    let standing = standing_of(caller, &before, &subject);
    let action = change.action();
    if standing != required_standing(action) {
        return Err(denied(connection, caller, action, &before, &subject).await?);
    }
    let period = periods::lock_for_change(connection, before.period_id).await?;
    check_version(before.version)?;

    let state: RealisationState = before.state.parse().unwrap_or(RealisationState::Draft);
    let next = crate::domain::realisation::next_state(state, action, standing).map_err(|refusal| match refusal {
        Refusal::NotAllowed => ApiError::Forbidden,
        Refusal::WrongState { state } => wrong_state(action, state),
    })?;

    if action == Action::Submit {
        crate::services::targets::refuse_if_retired(&subject)?;
    }
    let today = crate::clock::jakarta_date(now);
    let rules = period.rules();
    let first_submission = action == Action::Submit && state == RealisationState::Draft;
    let timeliness = if first_submission {
        let exception = periods::exception_until(connection, period.id, before.organisation_id).await?;
        Some(rules.first_submission(today, exception).map_err(|refusal| refused(&refusal, &period))?)
    } else {
        rules.later_change(today).map_err(|refusal| refused(&refusal, &period))?;
        None
    };

    let mut row = before.clone();
    row.state = next.as_ref().to_string();
    row.version += 1;
    row.updated_at = now;
    match change {
        Change::Edit { value, note } => {
            if let Some(value) = value {
                let value = read_value(&value, value_rules(&subject)).map_err(ApiError::InvalidBody)?;
                row.printed = Some(value.printed);
                row.value_number = value.number;
                row.numerator = value.numerator;
                row.denominator = value.denominator;
                row.value_text = value.text;
                row.grade = value.grade;
                row.met = value.met;
            }
            if let Some(note) = note {
                row.note = note;
            }
        }
        Change::Submit => {
            row.submitted_at = Some(now);
            row.submitted_by_user_id = caller.user_id();
            row.submitted_by_client_id = caller.client_id();
            if let Some(timeliness) = timeliness {
                row.timeliness = Some(timeliness.as_ref().to_string());
            }
        }
        Change::Verify { note } => review(&mut row, caller, now, note),
        Change::Return { note } => review(&mut row, caller, now, Some(note)),
    }
    let row = realisations::save(connection, &row).await?;

    let view = record(connection, caller, Some(&before), &row, action.as_ref()).await?;
    Ok(response(StatusCode::OK, &view, Some(row.version), None))
}

/// Explains who may take an action the caller may not.
async fn denied(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    action: Action,
    row: &RealisationRow,
    subject: &IndicatorSubject,
) -> Result<ApiError, ApiError> {
    let ids: Vec<i64> = [Some(row.organisation_id), subject.row.coordinator_id].into_iter().flatten().collect();
    let names = organisations::refs_by_id(connection, &ids).await?;
    let name = |id: Option<i64>| id.and_then(|id| names.get(&id)).map_or_else(String::new, |found| found.code.clone());
    let owner = name(Some(row.organisation_id));
    let code = &subject.row.code;
    let read_only =
        !caller.is_admin() && caller.reporting_organisation().is_none() && caller.user_organisation().is_none();
    if read_only {
        return Ok(ApiError::Denied {
            indonesian: "peran atau cakupan Anda hanya untuk membaca; realisasi diubah oleh organisasi pelapornya dan diverifikasi koordinatornya".into(),
            english: "your role or scope is read-only; a realisation is changed by its reporting organisation and verified by its coordinator".into(),
        });
    }
    let error = match action {
        Action::Edit | Action::Submit => ApiError::Denied {
            indonesian: format!("hanya {owner}, organisasi pelapor realisasi ini, yang dapat mengubah dan mengirimnya"),
            english: format!("only {owner}, the organisation that reports this realisation, may edit and submit it"),
        },
        Action::Verify | Action::Return if subject.row.coordinator_id.is_none() => ApiError::Denied {
            indonesian: format!(
                "indikator {code} tidak punya koordinator, sehingga hanya sekretariat (admin) yang memverifikasi atau mengembalikan realisasinya"
            ),
            english: format!(
                "indicator {code} has no coordinator, so only the secretariat (admin) verifies or returns its realisations"
            ),
        },
        Action::Verify | Action::Return if subject.row.coordinator_id == Some(row.organisation_id) => {
            ApiError::Denied {
                indonesian: format!(
                    "realisasi ini dilaporkan oleh {owner}, koordinator indikator {code}, sehingga sekretariat (admin) yang memverifikasi atau mengembalikannya; tidak ada yang memverifikasi laporannya sendiri"
                ),
                english: format!(
                    "this realisation was reported by {owner}, the coordinator of indicator {code}, so the secretariat (admin) verifies or returns it; nobody verifies their own report"
                ),
            }
        }
        Action::Verify | Action::Return => {
            let coordinator = name(subject.row.coordinator_id);
            ApiError::Denied {
                indonesian: format!(
                    "hanya {coordinator}, koordinator indikator {code}, yang dapat memverifikasi atau mengembalikan realisasi ini"
                ),
                english: format!(
                    "only {coordinator}, the coordinator of indicator {code}, may verify or return this realisation"
                ),
            }
        }
    };
    Ok(error)
}

fn review(row: &mut RealisationRow, caller: &Caller, now: DateTime<Utc>, note: Option<String>) {
    row.reviewed_at = Some(now);
    row.reviewed_by_user_id = caller.user_id();
    row.review_note = note;
}

/// Writes the version row and the audit record of a change, and returns the new view.
async fn record(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    before: Option<&RealisationRow>,
    after: &RealisationRow,
    action: &str,
) -> Result<RealisationView, ApiError> {
    let view = views(connection, vec![after.clone()]).await?.remove(0);
    let snapshot = serde_json::to_value(&view).map_err(|error| ApiError::Internal(error.into()))?;
    realisations::insert_version(connection, after, action, &snapshot, (caller.user_id(), caller.client_id())).await?;

    let summary = |row: &RealisationRow| {
        serde_json::json!({
            "state": row.state,
            "version": row.version,
            "printed": row.printed,
            "note": row.note,
            "review_note": row.review_note,
        })
    };
    let subject = format!("realisation:{}", after.id);
    audit::record(
        connection,
        caller,
        &format!("realisation.{action}"),
        &subject,
        serde_json::json!({ "before": before.map(summary), "after": summary(after) }),
    )
    .await?;
    Ok(view)
}

/// Finds a realisation the caller may see: another organisation's draft counts as missing.
pub async fn visible(connection: &mut AsyncPgConnection, caller: &Caller, id: i64) -> Result<RealisationRow, ApiError> {
    let row = realisations::find(connection, id).await?.ok_or_else(|| not_found(id))?;
    let coordinator = indicators::coordinator_of(connection, row.indicator_id).await?;
    if !can_see(caller, &row, coordinator) {
        return Err(not_found(id));
    }
    Ok(row)
}

/// Decides whether the caller may see a realisation. A draft is visible to its organisation
/// only. Others are visible to their organisation, the indicator's coordinator, and callers not
/// tied to an organisation (admins, viewers, clients of all organisations).
fn can_see(caller: &Caller, row: &RealisationRow, coordinator: Option<i64>) -> bool {
    if row.state == RealisationState::Draft.as_ref() {
        return caller.reporting_organisation() == Some(row.organisation_id);
    }
    match caller.scope_organisation() {
        None => true,
        Some(organisation) => organisation == row.organisation_id || Some(organisation) == coordinator,
    }
}

/// Checks that the caller owns a realisation that may still change: a draft or a returned one,
/// in a period that is not locked. Used for evidence.
pub async fn require_editable(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    row: &RealisationRow,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if caller.reporting_organisation() != Some(row.organisation_id) {
        return Err(ApiError::Forbidden);
    }
    let state: RealisationState = row.state.parse().unwrap_or(RealisationState::Draft);
    if !matches!(state, RealisationState::Draft | RealisationState::Returned) {
        return Err(wrong_state(Action::Edit, state));
    }
    let period = periods::lock_for_change(connection, row.period_id).await?;
    period.rules().later_change(crate::clock::jakarta_date(now)).map_err(|refusal| refused(&refusal, &period))
}

fn standing_of(caller: &Caller, row: &RealisationRow, subject: &IndicatorSubject) -> Standing {
    if caller.reporting_organisation() == Some(row.organisation_id) {
        return Standing::Owner;
    }
    standing(caller.user_organisation(), caller.is_admin(), row.organisation_id, subject.row.coordinator_id)
}

async fn load_subject(connection: &mut AsyncPgConnection, indicator_id: i64) -> Result<IndicatorSubject, ApiError> {
    indicators::subject(connection, None, crate::domain::key::Key::Id(indicator_id))
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("indicator {indicator_id} of a realisation is missing")))
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound { resource: Resource::Realisation, key: id.to_string() }
}

fn refused(refusal: &PeriodRefusal, period: &PeriodRow) -> ApiError {
    let code = match refusal {
        PeriodRefusal::Locked => "period-locked",
        PeriodRefusal::NotYetOpen { .. } => "period-not-open",
        PeriodRefusal::PastDeadline { .. } => "period-closed",
    };
    ApiError::Refused {
        code,
        indonesian: refusal.message(period.code(), Lang::Id),
        english: refusal.message(period.code(), Lang::En),
    }
}

fn wrong_state(action: Action, state: RealisationState) -> ApiError {
    let (action_id, action_en) = match action {
        Action::Edit => ("diubah", "edited"),
        Action::Submit => ("dikirim", "submitted"),
        Action::Verify => ("diverifikasi", "verified"),
        Action::Return => ("dikembalikan", "returned"),
    };
    ApiError::Refused {
        code: "wrong-state",
        indonesian: format!("realisasi berstatus {} tidak dapat {action_id}", state.as_ref()),
        english: format!("a realisation in state {} cannot be {action_en}", state.as_ref()),
    }
}

/// Builds the views of realisations with a fixed number of queries.
pub async fn views(
    connection: &mut AsyncPgConnection,
    rows: Vec<RealisationRow>,
) -> Result<Vec<RealisationView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut indicator_ids: Vec<i64> = rows.iter().map(|row| row.indicator_id).collect();
    indicator_ids.sort_unstable();
    indicator_ids.dedup();
    let period_ids: Vec<i64> = rows.iter().map(|row| row.period_id).collect();
    let organisation_ids: Vec<i64> = rows.iter().map(|row| row.organisation_id).collect();

    let subjects = indicators::subjects(connection, &indicator_ids).await?;
    let periods: HashMap<i64, PeriodRow> =
        periods::by_ids(connection, &period_ids).await?.into_iter().map(|period| (period.id, period)).collect();
    let organisations = organisations::refs_by_id(connection, &organisation_ids).await?;
    let evidence_rows = evidence::for_realisations(connection, &ids).await?;

    let mut user_ids: Vec<i64> = Vec::new();
    let mut client_ids: Vec<i64> = Vec::new();
    for row in &rows {
        user_ids.extend([row.submitted_by_user_id, row.reviewed_by_user_id].into_iter().flatten());
        client_ids.extend(row.submitted_by_client_id);
    }
    for item in &evidence_rows {
        user_ids.extend(item.added_by_user_id);
        client_ids.extend(item.added_by_client_id);
    }
    let actors = Actors::load(connection, &user_ids, &client_ids).await?;
    let actor = |user: Option<i64>, client: Option<i64>| actors.get(user, client);

    let mut evidence_by_realisation: HashMap<i64, Vec<EvidenceView>> = HashMap::new();
    for item in evidence_rows {
        let view = evidence_view(&item, actor(item.added_by_user_id, item.added_by_client_id));
        evidence_by_realisation.entry(item.realisation_id.unwrap_or_default()).or_default().push(view);
    }

    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let subject = subjects.get(&row.indicator_id);
        let period = periods.get(&row.period_id);
        let (Some(subject), Some(period), Some(organisation)) =
            (subject, period, organisations.get(&row.organisation_id).cloned())
        else {
            return Err(ApiError::Internal(anyhow::anyhow!("realisation {} refers to missing rows", row.id)));
        };
        let achievement = judge(subject, period.year, Some(period.quarter), own_figure(&row).as_ref());
        views.push(RealisationView {
            id: row.id,
            indicator: IndicatorRef {
                id: subject.row.id,
                code: subject.row.code.clone(),
                name: subject.row.name.clone(),
                unit: subject.row.unit.clone(),
            },
            period: period.code(),
            organisation,
            state: row.state.parse().unwrap_or(RealisationState::Draft),
            version: row.version,
            value: RealisedValueView {
                printed: row.printed.clone(),
                number: row.value_number.clone().map(Decimal::new),
                numerator: row.numerator.clone().map(Decimal::new),
                denominator: row.denominator.clone().map(Decimal::new),
                text: row.value_text.clone(),
                grade: row.grade.clone(),
                met: row.met,
            },
            note: row.note.clone(),
            submitted_at: row.submitted_at,
            submitted_by: actor(row.submitted_by_user_id, row.submitted_by_client_id),
            timeliness: row.timeliness.as_deref().and_then(|text| text.parse().ok()),
            reviewed_at: row.reviewed_at,
            reviewed_by: actor(row.reviewed_by_user_id, None),
            review_note: row.review_note.clone(),
            evidence: evidence_by_realisation.remove(&row.id).unwrap_or_default(),
            achievement,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(views)
}

/// The names of the users and service clients that did something, to show them.
pub struct Actors {
    users: HashMap<i64, String>,
    clients: HashMap<i64, String>,
}

impl Actors {
    pub async fn load(
        connection: &mut AsyncPgConnection,
        user_ids: &[i64],
        client_ids: &[i64],
    ) -> Result<Actors, ApiError> {
        let (users, clients) = accounts::actor_names(connection, user_ids, client_ids).await?;
        Ok(Actors { users, clients })
    }

    /// Returns the user, or else the client, that did something.
    pub fn get(&self, user: Option<i64>, client: Option<i64>) -> Option<ActorRef> {
        let name = match (user, client) {
            (Some(id), _) => self.users.get(&id).cloned(),
            (None, Some(id)) => self.clients.get(&id).cloned(),
            (None, None) => None,
        }?;
        Some(ActorRef { user_id: user, client_id: if user.is_some() { None } else { client }, name })
    }
}

/// Shows an evidence item.
pub fn evidence_view(item: &EvidenceRow, added_by: Option<ActorRef>) -> EvidenceView {
    EvidenceView {
        id: item.id,
        kind: item.kind.clone(),
        url: item.url.clone(),
        file_name: item.file_name.clone(),
        media_type: item.media_type.clone(),
        size_bytes: item.size_bytes,
        sha256: item.sha256.as_ref().map(|digest| digest.iter().map(|byte| format!("{byte:02x}")).collect()),
        description: item.description.clone(),
        download: (item.kind == "file").then(|| format!("{}/{}/content", item.owner().path(), item.id)),
        added_by,
        added_at: item.added_at,
    }
}

/// Converts a realisation's value to the input of the achievement rules.
pub fn realised(row: &RealisationRow) -> Option<Realised> {
    if let Some(number) = &row.value_number {
        return Some(Realised::Number {
            value: number.clone(),
            numerator: row.numerator.clone(),
            denominator: row.denominator.clone(),
            grade: row.grade.clone(),
        });
    }
    let text = row.value_text.clone()?;
    Some(match row.met {
        Some(met) => Realised::Text { text, met },
        None => Realised::Category { name: text },
    })
}

fn own_figure(row: &RealisationRow) -> Option<Figure> {
    match realised(row)? {
        Realised::Number { value, grade, .. } => Some(Figure::Number { value: Decimal::new(value), grade }),
        Realised::Category { name } => Some(Figure::Category { name }),
        Realised::Text { text, met } => Some(Figure::Text { text, met }),
    }
}

/// Judges a figure against the indicator's target for a year (and quarter, where one is set).
pub fn judge(subject: &IndicatorSubject, year: i32, quarter: Option<i16>, figure: Option<&Figure>) -> Achievement {
    let direction: Direction = subject.row.direction.parse().unwrap_or(Direction::HigherIsBetter);
    let lower_rule: LowerRule = subject.row.lower_rule.parse().unwrap_or(LowerRule::Difference);
    let target = subject.target(year, quarter).and_then(|row| row.value().ok());
    achievement::achievement(direction, lower_rule, target.as_ref(), figure)
}
