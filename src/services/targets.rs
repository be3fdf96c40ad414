//! Setting and revising yearly targets, and retiring indicators, each in the caller's
//! transaction with its history and audit record.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::indicators::IndicatorSubject;
use crate::db::organisations;
use crate::db::rows::FigureColumns;
use crate::db::targets::{self, NewRevision, RevisionRow};
use crate::domain::indicator::ValueKind;
use crate::domain::lang::Lang;
use crate::domain::structure::check_retire_reason;
use crate::domain::target::{Replaced, check_revision, in_force};
use crate::domain::value::{FigureValue, parse_figure};
use crate::error::{ApiError, FieldError};
use crate::services::audit;

/// A yearly or quarterly target as in force at a moment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub year: i32,
    /// The quarter, from 1 to 4, of a quarterly target; null for the year's target.
    pub quarter: Option<i16>,
    /// The target as printed in the road map or as set by a revision.
    pub printed: String,
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    /// Whether a revision through the API set this value or an earlier one of the year.
    pub revised: bool,
    /// The version of the current target; send it back in `If-Match` to revise it.
    pub version: i32,
}

/// One setting or revision of a target.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub id: i64,
    pub year: i32,
    /// The quarter of a quarterly target; null for the year's target.
    pub quarter: Option<i16>,
    pub printed: String,
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    /// The target it replaced, as printed; absent when none was set.
    pub previous_printed: Option<String>,
    pub reason: String,
    /// The document the new value comes from.
    pub reference: String,
    pub revised_by: Option<String>,
    /// The moment from which the value is in force.
    pub effective_from: DateTime<Utc>,
}

/// A requested revision, before it is checked.
pub struct Revision<'a> {
    pub year: i32,
    /// A quarter from 1 to 4 for a quarterly target; `None` for the year's.
    pub quarter: Option<i16>,
    pub value: &'a str,
    pub reason: &'a str,
    pub reference: &'a str,
}

/// A revision checked against its indicator, ready to store.
#[derive(Clone, Debug)]
pub struct CheckedRevision {
    pub year: i32,
    pub quarter: Option<i16>,
    /// The value as sent, trimmed.
    pub printed: String,
    pub value: FigureValue,
    pub reason: String,
    pub reference: String,
}

/// Sets or revises the target of a year or of one of its quarters. `check_version` receives the current version, or
/// `None` when the year has no target yet.
pub async fn revise(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
    years: std::ops::RangeInclusive<i32>,
    revision: Revision<'_>,
    check_version: impl FnOnce(Option<i32>) -> Result<(), ApiError>,
    now: DateTime<Utc>,
) -> Result<TargetView, ApiError> {
    require_coordinator_or_admin(connection, caller, subject).await?;
    refuse_if_retired(subject)?;
    let checked = check(subject, years, &revision).map_err(ApiError::InvalidBody)?;
    let (view, _) = store(connection, caller, subject, checked, check_version, now).await?;
    Ok(view)
}

/// Checks a revision against the indicator's kind and the road map's years, naming every wrong
/// field (`year`, `value`, `reason`, `reference`). It needs no database, so a bulk import checks
/// every row with it before storing any.
pub fn check(
    subject: &IndicatorSubject,
    years: std::ops::RangeInclusive<i32>,
    revision: &Revision<'_>,
) -> Result<CheckedRevision, Vec<FieldError>> {
    let kind: ValueKind = subject.row.value_kind.parse().unwrap_or(ValueKind::Text);
    let mut errors = check_revision(revision.reason, revision.reference);
    if !years.contains(&revision.year) {
        errors.push(FieldError::new(
            "year",
            format!("harus tahun dari {} sampai {}", years.start(), years.end()),
            format!("must be a year from {} to {}", years.start(), years.end()),
        ));
    }
    let value = parse_figure(revision.value, kind)
        .map_err(|error| errors.push(FieldError::new("value", error.message(Lang::Id), error.message(Lang::En))));
    match value {
        Ok(value) if errors.is_empty() => Ok(CheckedRevision {
            year: revision.year,
            quarter: revision.quarter,
            printed: revision.value.trim().to_string(),
            value,
            reason: revision.reason.trim().to_string(),
            reference: revision.reference.trim().to_string(),
        }),
        _ => Err(errors),
    }
}

/// Stores a checked revision in the caller's transaction: the target itself, the revision row
/// with the value it replaced, and the audit record. Returns the target now in force and the
/// revision's id.
pub async fn store(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
    revision: CheckedRevision,
    check_version: impl FnOnce(Option<i32>) -> Result<(), ApiError>,
    now: DateTime<Utc>,
) -> Result<(TargetView, i64), ApiError> {
    let existing = targets::find_target_for_update(connection, subject.row.id, revision.year, revision.quarter).await?;
    check_version(existing.as_ref().map(|(_, version, _)| *version))?;
    let previous = match &existing {
        Some((_, _, row)) => Some((row.printed.clone(), to_json(&row.value()?))),
        None => None,
    };

    let printed = revision.printed.as_str();
    let columns = FigureColumns::from_value(&revision.value);
    let version = targets::write_target(
        connection,
        subject.row.id,
        (revision.year, revision.quarter),
        printed,
        &columns,
        existing.map(|(id, ..)| id),
    )
    .await?;
    let Some(user_id) = caller.user_id() else {
        return Err(ApiError::Forbidden);
    };
    let row = targets::insert_revision(
        connection,
        &NewRevision {
            indicator_id: subject.row.id,
            year: revision.year,
            quarter: revision.quarter,
            printed,
            value: to_json(&revision.value),
            previous: previous.clone(),
            reason: &revision.reason,
            reference: &revision.reference,
            revised_by_user_id: user_id,
            effective_from: now,
        },
    )
    .await?;

    let details = serde_json::json!({
        "year": revision.year,
        "quarter": revision.quarter,
        "before": previous.map(|(printed, _)| printed),
        "after": printed,
        "reason": row.reason,
        "reference": row.reference,
    });
    let subject_key = format!("indicator:{}", subject.row.code);
    audit::record(connection, caller, "target.revise", &subject_key, details).await?;
    let view = TargetView {
        year: revision.year,
        quarter: revision.quarter,
        printed: printed.to_string(),
        value: to_json(&revision.value),
        revised: true,
        version,
    };
    Ok((view, row.id))
}

/// Returns the targets of an indicator as in force at `at`, by year, each year's own target
/// before its quarters'.
pub fn targets_at(subject: &IndicatorSubject, revisions: &[RevisionRow], at: DateTime<Utc>) -> Vec<TargetView> {
    let mut periods: Vec<(i32, Option<i16>)> = subject.targets.iter().map(|row| (row.year, row.quarter)).collect();
    periods.extend(revisions.iter().map(|revision| (revision.year, revision.quarter)));
    periods.sort_unstable();
    periods.dedup();

    let mut views = Vec::new();
    for (year, quarter) in periods {
        let current = subject.targets.iter().find(|row| row.year == year && row.quarter == quarter);
        let current_view = current.and_then(|row| Some((row.printed.clone(), to_json(&row.value().ok()?))));
        let own: Vec<&RevisionRow> =
            revisions.iter().filter(|revision| revision.year == year && revision.quarter == quarter).collect();
        let replaced: Vec<Replaced<(String, serde_json::Value)>> = own
            .iter()
            .map(|revision| Replaced {
                effective_from: revision.effective_from,
                previous: revision.previous_printed.clone().zip(revision.previous_value.clone()),
            })
            .collect();
        let revised = own.iter().any(|revision| revision.effective_from <= at);
        if let Some((printed, value)) = in_force(current_view.as_ref(), &replaced, at) {
            let version = current.map_or(0, |row| row.version);
            views.push(TargetView { year, quarter, printed, value, revised, version });
        }
    }
    views
}

/// Shows revisions with the usernames of who made them.
pub async fn revision_views(
    connection: &mut AsyncPgConnection,
    rows: Vec<RevisionRow>,
) -> Result<Vec<RevisionView>, ApiError> {
    let user_ids: Vec<i64> = rows.iter().map(|row| row.revised_by_user_id).collect();
    let (users, _) = crate::db::accounts::actor_names(connection, &user_ids, &[]).await?;
    Ok(rows
        .into_iter()
        .map(|row| RevisionView {
            id: row.id,
            year: row.year,
            quarter: row.quarter,
            revised_by: users.get(&row.revised_by_user_id).cloned(),
            printed: row.printed,
            value: row.value,
            previous_printed: row.previous_printed,
            reason: row.reason,
            reference: row.reference,
            effective_from: row.effective_from,
        })
        .collect())
}

/// Retires an indicator (admin): it stays readable and accepts no new realisations.
pub async fn retire(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
    reason: &str,
    check_version: impl FnOnce(i32) -> Result<(), ApiError>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    caller.require_admin()?;
    refuse_if_retired(subject)?;
    check_version(subject.row.version)?;
    let reason = reason.trim();
    if let Some(error) = check_retire_reason(reason) {
        return Err(ApiError::InvalidBody(vec![error]));
    }
    if !targets::retire(connection, subject.row.id, subject.row.version, reason, now).await? {
        return Err(ApiError::PreconditionFailed);
    }
    let details = serde_json::json!({ "reason": reason });
    audit::record(connection, caller, "indicator.retire", &format!("indicator:{}", subject.row.code), details).await
}

/// Refuses a change to a retired indicator.
pub fn refuse_if_retired(subject: &IndicatorSubject) -> Result<(), ApiError> {
    match &subject.row.retired_at {
        None => Ok(()),
        Some(at) => Err(ApiError::Refused {
            code: "indicator-retired",
            indonesian: format!(
                "indikator {} sudah dihentikan sejak {} ({}); datanya tetap dapat dibaca, tetapi tidak menerima laporan atau target baru",
                subject.row.code,
                crate::clock::jakarta_date(*at),
                subject.row.retired_reason.as_deref().unwrap_or("-")
            ),
            english: format!(
                "indicator {} was retired on {} ({}); its data stays readable, but it takes no new reports or targets",
                subject.row.code,
                crate::clock::jakarta_date(*at),
                subject.row.retired_reason.as_deref().unwrap_or("-")
            ),
        }),
    }
}

async fn require_coordinator_or_admin(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    subject: &IndicatorSubject,
) -> Result<(), ApiError> {
    let coordinator = subject.row.coordinator_id;
    if caller.is_admin() || (coordinator.is_some() && caller.user_organisation() == coordinator) {
        return Ok(());
    }
    let name = match coordinator {
        Some(id) => organisations::refs_by_id(connection, &[id]).await?.remove(&id).map(|found| found.code),
        None => None,
    };
    let who_id = name
        .as_ref()
        .map_or("sekretariat (admin)".to_string(), |code| format!("{code}, koordinatornya, atau sekretariat (admin)"));
    let who_en = name.as_ref().map_or("the secretariat (admin)".to_string(), |code| {
        format!("{code}, its coordinator, or the secretariat (admin)")
    });
    Err(ApiError::Denied {
        indonesian: format!("target indikator {} hanya dapat diubah oleh {who_id}", subject.row.code),
        english: format!("only {who_en} may change the targets of indicator {}", subject.row.code),
    })
}

fn to_json(value: &FigureValue) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}
