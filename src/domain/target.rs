//! Target revisions: checking a revision's reason and reference, and telling which target was in
//! force at a given moment.

use chrono::{DateTime, Utc};

use crate::error::FieldError;

/// Maximum length of a revision's reason, in characters.
pub const MAX_REASON_CHARS: usize = 2000;
/// Maximum length of a revision's reference document, in characters.
pub const MAX_REFERENCE_CHARS: usize = 500;

/// One revision as far as the history needs it: when it took effect and what it replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Replaced<T> {
    pub effective_from: DateTime<Utc>,
    /// The target before the revision; `None` when none was set.
    pub previous: Option<T>,
}

/// Returns the target in force at `at`: the current one, unless a revision took effect after
/// `at`, in which case the earliest such revision's previous value. `revisions` may come in any
/// order.
pub fn in_force<T: Clone>(current: Option<&T>, revisions: &[Replaced<T>], at: DateTime<Utc>) -> Option<T> {
    let first_later =
        revisions.iter().filter(|revision| revision.effective_from > at).min_by_key(|revision| revision.effective_from);
    match first_later {
        Some(revision) => revision.previous.clone(),
        None => current.cloned(),
    }
}

/// Checks a revision's reason and reference document; both are required.
pub fn check_revision(reason: &str, reference: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, text, limit) in [("reason", reason, MAX_REASON_CHARS), ("reference", reference, MAX_REFERENCE_CHARS)] {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > limit {
            errors.push(FieldError::new(
                field,
                format!("wajib diisi, 1 sampai {limit} karakter"),
                format!("is required, 1 to {limit} characters"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn in_force_walks_back_through_revisions() {
        // Not set until the 10th, then 950, revised to 900 on the 20th.
        let revisions = [
            Replaced { effective_from: day(20), previous: Some(950) },
            Replaced { effective_from: day(10), previous: None },
        ];
        let current = 900;
        assert_eq!(in_force(Some(&current), &revisions, day(5)), None);
        assert_eq!(in_force(Some(&current), &revisions, day(10)), Some(950));
        assert_eq!(in_force(Some(&current), &revisions, day(15)), Some(950));
        assert_eq!(in_force(Some(&current), &revisions, day(25)), Some(900));
        assert_eq!(in_force(Some(&current), &[], day(1)), Some(900));
    }

    #[test]
    fn revision_needs_reason_and_reference() {
        let fields: Vec<String> = check_revision(" ", "").into_iter().map(|error| error.field).collect();
        assert_eq!(fields, ["reason", "reference"]);
        assert!(check_revision("Angka P3KE ditetapkan", "Keputusan Menko PMK").is_empty());
    }
}
