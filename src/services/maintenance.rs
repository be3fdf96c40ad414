//! Road map maintenance by the secretariat: changing an indicator's description, assignments
//! and reporting rules, on record.

use diesel_async::AsyncPgConnection;

use crate::auth::caller::Caller;
use crate::db::indicators::{self, IndicatorChanges, IndicatorSubject};
use crate::domain::indicator::{CombineRule, LowerRule, ValueKind, YearlyRule, check_reporting};
use crate::error::{ApiError, FieldError};
use crate::services::audit;

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
