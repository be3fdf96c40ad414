//! Bulk imports: every row of a file is checked with the rules and permissions of the
//! single-item route, then all rows are stored in the caller's transaction, or none of them.

pub mod realisations;
pub mod targets;

use crate::error::{ApiError, FieldError};

/// Refuses a file with `InvalidBody` listing every problem in the order of the file's lines,
/// or lets it through when there are none.
pub fn refuse_rows(mut errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|error| error.line);
    Err(ApiError::InvalidBody(errors))
}

/// Turns a refusal of the single-item rules into a problem of one row, for the caller to place
/// in a column. Errors that are not about the row, such as a failed query, are returned as they
/// are.
pub fn reason(error: ApiError) -> Result<FieldError, ApiError> {
    match error {
        ApiError::Denied { indonesian, english } | ApiError::Refused { indonesian, english, .. } => {
            Ok(FieldError::new("", indonesian, english))
        }
        ApiError::Forbidden => Ok(FieldError::new(
            "",
            "peran atau cakupan Anda tidak mengizinkan baris ini",
            "your role or scope does not allow this row",
        )),
        other => Err(other),
    }
}
