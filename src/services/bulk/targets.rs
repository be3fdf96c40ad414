//! Bulk import of targets, for the secretariat: checks every row with the rules of a single
//! revision, then sets or revises all the targets in the caller's transaction, or none of
//! them. Each revision is kept with its reason and reference and writes an audit record, as a
//! single revision does.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::indicators::{self, IndicatorSubject};
use crate::domain::bulk::Header;
use crate::domain::bulk::targets::{TargetColumn, TargetFile, TargetRow};
use crate::error::{ApiError, FieldError};
use crate::services::bulk::{reason, refuse_rows};
use crate::services::targets::{self as workflow, CheckedRevision, Revision};
use crate::views::RoadmapView;

/// The result of a bulk import of targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetBulkSummary {
    /// Data rows in the file, the header row not counted.
    pub rows_read: usize,
    /// Targets set or revised; 0 for a dry run.
    pub rows_stored: usize,
    /// Whether the file was only checked.
    pub dry_run: bool,
    /// Ids of the new revisions, in the order of the file's rows, as the target history shows
    /// them; empty for a dry run.
    pub revision_ids: Vec<i64>,
}

/// Checks every row of a file and, unless `dry_run`, stores its revisions inside the caller's
/// transaction. Only the secretariat imports targets. Any wrong row gives `InvalidBody` listing
/// every wrong row by line and column, and nothing is stored.
pub async fn import(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    roadmap: &RoadmapView,
    file: TargetFile,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<TargetBulkSummary, ApiError> {
    caller.require_admin()?;
    let TargetFile { header, rows, mut errors } = file;
    let names: Vec<&str> = rows.iter().map(|row| row.indicator.as_str()).collect();
    let subjects = indicators::subjects_by_key(connection, roadmap.id, &names).await?;

    let mut checked = Vec::with_capacity(rows.len());
    let mut first_line_of: HashMap<(i64, i32, Option<i16>), u64> = HashMap::new();
    for row in &rows {
        match check_row(roadmap, &subjects, &header, row, &mut first_line_of)? {
            Ok(row) => checked.push(row),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    refuse_rows(errors)?;

    let rows_read = checked.len();
    if dry_run {
        return Ok(TargetBulkSummary { rows_read, rows_stored: 0, dry_run, revision_ids: Vec::new() });
    }
    let mut revision_ids = Vec::with_capacity(checked.len());
    for (subject, revision) in checked {
        // The file states the targets the secretariat decided, so it replaces whatever version
        // is current instead of naming one as `If-Match` does.
        let (_, revision_id) = workflow::store(connection, caller, subject, revision, |_| Ok(()), now).await?;
        revision_ids.push(revision_id);
    }
    Ok(TargetBulkSummary { rows_read, rows_stored: revision_ids.len(), dry_run, revision_ids })
}

/// Checks one row as a single revision would be checked. The indicator must exist in the road
/// map and not be retired, the target must appear once in the file, and the year, value, reason
/// and reference must pass the single revision's rules. Returns the row's problems, or the
/// error that is not about the row.
fn check_row<'s>(
    roadmap: &RoadmapView,
    subjects: &'s HashMap<String, IndicatorSubject>,
    header: &Header<TargetColumn>,
    row: &TargetRow,
    first_line_of: &mut HashMap<(i64, i32, Option<i16>), u64>,
) -> Result<Result<(&'s IndicatorSubject, CheckedRevision), Vec<FieldError>>, ApiError> {
    let line = row.line;
    let in_indicator = |error: FieldError| header.place_in(error, line, TargetColumn::Indicator);
    let Some(subject) = subjects.get(&row.indicator) else {
        return Ok(Err(vec![in_indicator(FieldError::new(
            "",
            format!("tidak ada indikator dengan id atau kode {:?} pada peta jalan ini", row.indicator),
            format!("there is no indicator with id or code {:?} in this road map", row.indicator),
        ))]));
    };

    let mut errors = Vec::new();
    if let Err(error) = workflow::refuse_if_retired(subject) {
        errors.push(in_indicator(reason(error)?));
    }
    let code = &subject.row.code;
    let period = match row.quarter {
        Some(quarter) => format!("{} triwulan {quarter}", row.year),
        None => row.year.to_string(),
    };
    let period_en = match row.quarter {
        Some(quarter) => format!("{} quarter {quarter}", row.year),
        None => row.year.to_string(),
    };
    match first_line_of.entry((subject.row.id, row.year, row.quarter)) {
        Entry::Occupied(first) => errors.push(in_indicator(FieldError::new(
            "",
            format!("target indikator {code} tahun {period} sudah ada di baris {}", first.get()),
            format!("the target of indicator {code} for {period_en} is already on line {}", first.get()),
        ))),
        Entry::Vacant(slot) => {
            slot.insert(line);
        }
    }
    let revision = Revision {
        year: row.year,
        quarter: row.quarter,
        value: &row.value,
        reason: &row.reason,
        reference: &row.reference,
    };
    let checked = workflow::check(subject, roadmap.start_year..=roadmap.end_year, &revision)
        .map_err(|value_errors| errors.extend(value_errors.into_iter().map(|error| header.place(error, line))));

    match checked {
        Ok(checked) if errors.is_empty() => Ok(Ok((subject, checked))),
        _ => Ok(Err(errors)),
    }
}
