//! Rules for the road map structure that the secretariat maintains: the kinds of tree nodes,
//! codes, names, a road map's years, and retirement reasons. The data file checks and the API
//! share them.

use crate::domain::indicator::{CombineRule, ValueKind};
use crate::error::FieldError;

/// Maximum length of a node's or an indicator's name, in characters, as the tables check it.
pub const MAX_NAME_CHARS: usize = 1000;
/// Maximum length of a road map's title, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// Maximum length of a retirement reason, in characters.
pub const MAX_RETIRE_REASON_CHARS: usize = 2000;
/// Years a road map may cover, as the table checks them.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A kind of node in the road map tree that the secretariat creates, renames and retires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Goal,
    Theme,
    Objective,
    Activity,
}

impl NodeKind {
    /// Returns the name used in audit actions and subjects, such as `goal` in `goal.create` and
    /// `goal:T1`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Goal => "goal",
            NodeKind::Theme => "theme",
            NodeKind::Objective => "objective",
            NodeKind::Activity => "activity",
        }
    }

    /// Returns the path segment of the kind's routes, such as `goals`.
    pub fn collection(self) -> &'static str {
        match self {
            NodeKind::Goal => "goals",
            NodeKind::Theme => "themes",
            NodeKind::Objective => "objectives",
            NodeKind::Activity => "activities",
        }
    }

    /// Returns the Indonesian name of the kind, for messages.
    pub fn indonesian(self) -> &'static str {
        match self {
            NodeKind::Goal => "tujuan",
            NodeKind::Theme => "tema",
            NodeKind::Objective => "sasaran",
            NodeKind::Activity => "kegiatan utama",
        }
    }

    /// Returns whether nodes of this kind have a coordinator of their action plans.
    pub fn has_coordinator(self) -> bool {
        matches!(self, NodeKind::Objective | NodeKind::Activity)
    }
}

/// Returns whether `code` is a valid code of a node or indicator: a letter, then up to 31
/// letters, digits, dots or hyphens (the tables' pattern `^[A-Za-z][A-Za-z0-9.-]{0,31}$`).
pub fn is_node_code(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code.len() <= 32
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Returns whether `code` is a valid road map code: a lower-case letter, then up to 63
/// lower-case letters, digits or hyphens (the table's pattern `^[a-z][a-z0-9-]{0,63}$`).
pub fn is_roadmap_code(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks the code of a new node or indicator; the error names the field `code`.
pub fn check_node_code(code: &str) -> Option<FieldError> {
    (!is_node_code(code)).then(|| {
        FieldError::new(
            "code",
            format!("kode {code:?} tidak valid: gunakan huruf, angka, titik dan tanda hubung, diawali huruf, paling banyak 32 karakter"),
            format!("code {code:?} is invalid: use letters, digits, dots and hyphens, starting with a letter, at most 32 characters"),
        )
    })
}

/// Checks the code of a new road map; the error names the field `code`.
pub fn check_roadmap_code(code: &str) -> Option<FieldError> {
    (!is_roadmap_code(code)).then(|| {
        FieldError::new(
            "code",
            format!("kode peta jalan {code:?} tidak valid: gunakan huruf kecil, angka dan tanda hubung, diawali huruf, paling banyak 64 karakter"),
            format!("road map code {code:?} is invalid: use lower-case letters, digits and hyphens, starting with a letter, at most 64 characters"),
        )
    })
}

/// Checks a required text of 1 to `max` characters after trimming.
pub fn check_text(field: &str, text: &str, max: usize) -> Option<FieldError> {
    let length = text.trim().chars().count();
    (length == 0 || length > max).then(|| {
        FieldError::new(field, format!("harus 1 sampai {max} karakter"), format!("must have 1 to {max} characters"))
    })
}

/// Checks a road map's years: each from 2000 to 2100, the end not before the start, and the
/// baseline year before the start. Errors name `start_year`, `end_year` or `baseline_year`.
pub fn check_roadmap_years(start: i32, end: i32, baseline: i32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, year) in [("start_year", start), ("end_year", end), ("baseline_year", baseline)] {
        if !YEARS.contains(&year) {
            errors.push(FieldError::new(
                field,
                format!("tahun {year} di luar rentang 2000–2100"),
                format!("year {year} is outside 2000–2100"),
            ));
        }
    }
    if end < start {
        errors.push(FieldError::new(
            "end_year",
            format!("end_year {end} sebelum start_year {start}"),
            format!("end_year {end} is before start_year {start}"),
        ));
    }
    if baseline >= start {
        errors.push(FieldError::new(
            "baseline_year",
            format!("baseline_year {baseline} harus sebelum start_year {start}"),
            format!("baseline_year {baseline} must be before start_year {start}"),
        ));
    }
    errors
}

/// Checks the reason for retiring a node or an indicator: required, 1 to 2000 characters.
pub fn check_retire_reason(reason: &str) -> Option<FieldError> {
    let length = reason.trim().chars().count();
    (length == 0 || length > MAX_RETIRE_REASON_CHARS)
        .then(|| FieldError::new("reason", "wajib diisi, 1 sampai 2000 karakter", "is required, 1 to 2000 characters"))
}

/// Chooses the combine rule of an indicator that names none. With one implementer or none, that
/// unit reports for itself (`designated`). Several implementers add up counts and amounts
/// (`sum`) and combine percentages from their counts (`ratio`). For other kinds the first
/// implementer's figure counts (`designated`).
pub fn default_combine_rule(implementer_count: usize, kind: ValueKind) -> CombineRule {
    match (implementer_count, kind) {
        (0 | 1, _) => CombineRule::Designated,
        (_, ValueKind::Number | ValueKind::Currency) => CombineRule::Sum,
        (_, ValueKind::Percentage) => CombineRule::Ratio,
        _ => CombineRule::Designated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_codes_follow_the_table_pattern() {
        for valid in ["T1", "K1.04", "IND-01", "stunting", &format!("A{}", "b".repeat(31))] {
            assert!(is_node_code(valid), "{valid}");
        }
        for invalid in ["", "1A", "K 1", "K_1", "Ä1", &format!("A{}", "b".repeat(32))] {
            assert!(!is_node_code(invalid), "{invalid}");
        }
    }

    #[test]
    fn roadmap_codes_are_lower_case() {
        assert!(is_roadmap_code("semarang-2025-2026"));
        assert!(!is_roadmap_code("Semarang-2025"));
        assert!(!is_roadmap_code("semarang.2025"));
        assert!(!is_roadmap_code("2025-semarang"));
        assert!(!is_roadmap_code(&format!("a{}", "b".repeat(64))));
    }

    #[test]
    fn roadmap_years_name_the_field() {
        assert!(check_roadmap_years(2025, 2026, 2024).is_empty());
        let fields = |errors: Vec<FieldError>| errors.into_iter().map(|error| error.field).collect::<Vec<_>>();
        assert_eq!(fields(check_roadmap_years(2025, 2024, 2024)), ["end_year"]);
        assert_eq!(fields(check_roadmap_years(2025, 2026, 2025)), ["baseline_year"]);
        assert_eq!(fields(check_roadmap_years(1999, 2026, 1998)), ["start_year", "baseline_year"]);
    }

    #[test]
    fn text_and_reason_limits() {
        assert!(check_text("name", "Tujuan", MAX_NAME_CHARS).is_none());
        assert!(check_text("name", "  ", MAX_NAME_CHARS).is_some());
        assert!(check_text("title", &"a".repeat(501), MAX_TITLE_CHARS).is_some());
        assert!(check_retire_reason("Digabung").is_none());
        assert!(check_retire_reason("").is_some());
        assert!(check_retire_reason(&"a".repeat(2001)).is_some());
    }

    #[test]
    fn combine_rule_defaults_by_kind_and_count() {
        assert_eq!(default_combine_rule(1, ValueKind::Number), CombineRule::Designated);
        assert_eq!(default_combine_rule(3, ValueKind::Number), CombineRule::Sum);
        assert_eq!(default_combine_rule(3, ValueKind::Percentage), CombineRule::Ratio);
        assert_eq!(default_combine_rule(3, ValueKind::Index), CombineRule::Designated);
    }
}
