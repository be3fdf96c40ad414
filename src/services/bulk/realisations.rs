//! Bulk import of realisations: checks every row of a file with the rules and permissions of a
//! single submission, then stores all rows in the caller's transaction, or none of them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::indicators::IndicatorSubject;
use crate::db::periods::{self, PeriodRow};
use crate::db::realisations;
use crate::domain::bulk::Header;
use crate::domain::bulk::realisations::{BulkRow, RealisationColumn, RealisationFile};
use crate::domain::lang::Lang;
use crate::domain::realisation::read_value;
use crate::error::{ApiError, FieldError};
use crate::services::bulk::{reason, refuse_rows};
use crate::services::realisations::{self as workflow, NewRealisationRequest, Report};

/// The result of a bulk import.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkSummary {
    /// Data rows in the file, the header row not counted.
    pub rows_read: usize,
    /// Realisations stored; 0 for a dry run.
    pub rows_stored: usize,
    /// Whether the file was only checked.
    pub dry_run: bool,
    /// Ids of the new realisations, in the order of the file's rows; empty for a dry run.
    pub realisation_ids: Vec<i64>,
}

/// A row that passed every check, ready to store.
struct CheckedRow {
    subject: IndicatorSubject,
    period: PeriodRow,
    report: Report,
}

/// Checks every row of a file and, unless `dry_run`, creates its realisations inside the
/// caller's transaction. Any wrong row gives `InvalidBody` listing every wrong row by line and
/// column, and nothing is stored.
pub async fn import(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap_id: i64,
    file: RealisationFile,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<BulkSummary, ApiError> {
    let RealisationFile { header, rows, mut errors } = file;
    let mut checked = Vec::with_capacity(rows.len());
    let mut first_line_of: HashMap<(i64, i64), u64> = HashMap::new();
    // NOTE: each row costs a few queries to check and more to store, so a file of 5000 rows
    // takes a while. The per-statement timeout applies to each query, not to the whole import.
    for row in &rows {
        match check_row(connection, caller, roadmap_id, &header, row, now, &mut first_line_of).await? {
            Ok(row) => checked.push(row),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    refuse_rows(errors)?;

    let rows_read = checked.len();
    if dry_run {
        return Ok(BulkSummary { rows_read, rows_stored: 0, dry_run, realisation_ids: Vec::new() });
    }
    let mut realisation_ids = Vec::with_capacity(checked.len());
    for row in checked {
        let stored = workflow::create(connection, caller, &row.subject, &row.period, row.report, now).await?;
        let id = stored.body["id"]
            .as_i64()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a created realisation's view has no id")))?;
        realisation_ids.push(id);
    }
    Ok(BulkSummary { rows_read, rows_stored: realisation_ids.len(), dry_run, realisation_ids })
}

/// Checks one row as a single submission would be checked. The indicator and period must
/// exist, the caller must report the indicator, and the indicator must not be retired. The
/// period must take a first submission today, no realisation may exist for the row (in the
/// database or earlier in the file), and the value must fit the indicator. Returns the row's
/// problems, or the error of a failed query.
async fn check_row(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap_id: i64,
    header: &Header<RealisationColumn>,
    row: &BulkRow,
    now: DateTime<Utc>,
    first_line_of: &mut HashMap<(i64, i64), u64>,
) -> Result<Result<CheckedRow, Vec<FieldError>>, ApiError> {
    let line = row.line;
    let in_column = |error: FieldError| header.place(error, line);
    let request = NewRealisationRequest {
        roadmap_id,
        indicator: &row.indicator,
        period: &row.period,
        value: row.value.clone(),
        note: row.note.clone(),
        submit: row.submit,
    };
    let (subject, period) = match workflow::resolve_new(connection, &request).await {
        Ok(found) => found,
        Err(ApiError::InvalidBody(errors)) => return Ok(Err(errors.into_iter().map(in_column).collect())),
        Err(other) => return Err(other),
    };
    let in_indicator = |error: FieldError| header.place_in(error, line, RealisationColumn::Indicator);
    let organisation_id = match workflow::require_reporter(caller, &subject) {
        Ok(organisation_id) => organisation_id,
        Err(error) => return Ok(Err(vec![in_indicator(reason(error)?)])),
    };

    let mut errors = Vec::new();
    if let Err(error) = crate::services::targets::refuse_if_retired(&subject) {
        errors.push(in_indicator(reason(error)?));
    }
    let exception = periods::exception_until(connection, period.id, organisation_id).await?;
    if let Err(refusal) = period.rules().first_submission(crate::clock::jakarta_date(now), exception) {
        let error =
            FieldError::new("", refusal.message(period.code(), Lang::Id), refusal.message(period.code(), Lang::En));
        errors.push(header.place_in(error, line, RealisationColumn::Period));
    }
    let code = &subject.row.code;
    match first_line_of.entry((subject.row.id, period.id)) {
        Entry::Occupied(first) => errors.push(in_indicator(FieldError::new(
            "",
            format!("indikator {code} periode {} sudah ada di baris {}", period.code(), first.get()),
            format!("indicator {code} period {} is already on line {}", period.code(), first.get()),
        ))),
        Entry::Vacant(slot) => {
            slot.insert(line);
        }
    }
    if let Some(existing) = realisations::find_existing(connection, subject.row.id, period.id, organisation_id).await? {
        errors.push(in_indicator(FieldError::new(
            "",
            format!(
                "organisasi Anda sudah punya realisasi indikator {code} untuk periode {} (id {existing}); ubah yang itu dengan PATCH /api/v1/realisations/{existing}",
                period.code()
            ),
            format!(
                "your organisation already has a realisation of indicator {code} for period {} (id {existing}); change it with PATCH /api/v1/realisations/{existing}",
                period.code()
            ),
        )));
    }
    let value = match read_value(&request.value, workflow::value_rules(&subject)) {
        Ok(value) => Some(value),
        Err(value_errors) => {
            errors.extend(value_errors.into_iter().map(in_column));
            None
        }
    };

    match value {
        Some(value) if errors.is_empty() => {
            let report = Report { value, note: request.note, submit: request.submit };
            Ok(Ok(CheckedRow { subject, period, report }))
        }
        _ => Ok(Err(errors)),
    }
}
