//! Realisations: the states a report goes through, who may move it, and how a sent value is
//! read against the indicator's kind.
//!
//! draft → submitted → verified, or submitted → returned → submitted → verified. The owning
//! organisation edits and submits. The indicator's coordinator verifies and returns. The
//! secretariat does so instead where the coordinator reported the figure itself or the indicator
//! has no coordinator, so that no organisation verifies its own report.

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

use super::decimal::Decimal;
use super::indicator::{CombineRule, ValueKind};
use super::value::{ParseError, parse_number};
use crate::error::FieldError;

/// Maximum length of a note, review note or text value, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Maximum length of a category name or grade, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RealisationState {
    /// A draft, visible to the owning organisation only.
    Draft,
    /// Sent for verification; read-only to the owner.
    Submitted,
    /// Sent back by the verifier with a reason; the owner corrects and resubmits.
    Returned,
    /// Accepted by the verifier; counts toward achievement.
    Verified,
}

/// A change to a realisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Edit,
    Submit,
    Verify,
    Return,
}

/// The caller's standing toward one realisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Acts for the organisation that owns the realisation.
    Owner,
    /// May verify or return it.
    Verifier,
    /// Neither.
    Other,
}

/// Works out the standing of a caller. `caller_organisation` is the organisation the caller
/// acts for; `is_admin` marks the secretariat.
pub fn standing(caller_organisation: Option<i64>, is_admin: bool, owner: i64, coordinator: Option<i64>) -> Standing {
    if caller_organisation == Some(owner) {
        return Standing::Owner;
    }
    let coordinator_reports_itself = coordinator.is_none_or(|coordinator| coordinator == owner);
    if is_admin && coordinator_reports_itself {
        return Standing::Verifier;
    }
    if caller_organisation.is_some() && caller_organisation == coordinator && !coordinator_reports_itself {
        return Standing::Verifier;
    }
    Standing::Other
}

/// The reason a change is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's standing does not allow the action.
    NotAllowed,
    /// The realisation's state does not allow the action.
    WrongState { state: RealisationState },
}

/// The standing an action needs: the owner edits and submits, the verifier verifies and
/// returns.
pub fn required_standing(action: Action) -> Standing {
    match action {
        Action::Edit | Action::Submit => Standing::Owner,
        Action::Verify | Action::Return => Standing::Verifier,
    }
}

/// Returns the state after `action`, or why it is refused.
pub fn next_state(state: RealisationState, action: Action, standing: Standing) -> Result<RealisationState, Refusal> {
    use RealisationState::*;
    if standing != required_standing(action) {
        return Err(Refusal::NotAllowed);
    }
    match (action, state) {
        (Action::Edit, Draft | Returned) => Ok(state),
        (Action::Submit, Draft | Returned) => Ok(Submitted),
        (Action::Verify, Submitted) => Ok(Verified),
        (Action::Return, Submitted) => Ok(Returned),
        _ => Err(Refusal::WrongState { state }),
    }
}

/// The rules of an indicator that decide which values it takes.
#[derive(Clone, Copy, Debug)]
pub struct ValueRules {
    pub kind: ValueKind,
    pub combine: CombineRule,
    /// Whether the indicator is judged met or not met by the reporter (direction `text_met`).
    pub met_by_reporter: bool,
}

/// A value as the client sent it.
#[derive(Clone, Debug, Default)]
pub struct ValueInput {
    pub value: Option<serde_json::Value>,
    pub numerator: Option<serde_json::Value>,
    pub denominator: Option<serde_json::Value>,
    pub grade: Option<String>,
    pub met: Option<bool>,
}

/// A value read and checked against the indicator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RealisedValue {
    /// The value as sent, for display: `"74,5"`, `"15/50"`, `"WTP"`.
    pub printed: String,
    pub number: Option<BigDecimal>,
    pub numerator: Option<BigDecimal>,
    pub denominator: Option<BigDecimal>,
    pub text: Option<String>,
    pub grade: Option<String>,
    pub met: Option<bool>,
}

/// Reads a sent value for an indicator, naming every field that is wrong.
pub fn read_value(input: &ValueInput, rules: ValueRules) -> Result<RealisedValue, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut read = RealisedValue::default();

    if rules.kind.is_numeric() && rules.combine == CombineRule::Ratio {
        if input.value.is_some() {
            errors.push(FieldError::new(
                "value",
                "indikator ini dihitung dari pembilang dan penyebut; kirim numerator dan denominator, bukan value",
                "this indicator is computed from a numerator and a denominator; send numerator and denominator, not value",
            ));
        }
        let numerator = required_number(&input.numerator, "numerator", &mut errors);
        let denominator = required_number(&input.denominator, "denominator", &mut errors);
        if let Some(numerator) = &numerator
            && numerator < &BigDecimal::zero()
        {
            errors.push(FieldError::new("numerator", "tidak boleh negatif", "must not be negative"));
        }
        if let Some(denominator) = &denominator
            && denominator <= &BigDecimal::zero()
        {
            errors.push(FieldError::new("denominator", "harus lebih dari nol", "must be greater than zero"));
        }
        if let (Some(numerator), Some(denominator)) = (numerator, denominator)
            && denominator > BigDecimal::zero()
        {
            let percent = (&numerator * BigDecimal::from(100) / &denominator).with_scale_round(4, RoundingMode::HalfUp);
            read.printed = format!("{}/{}", printed(input.numerator.as_ref()), printed(input.denominator.as_ref()));
            read.number = Some(percent.normalized());
            read.numerator = Some(numerator);
            read.denominator = Some(denominator);
        }
    } else {
        for (field, given) in [("numerator", &input.numerator), ("denominator", &input.denominator)] {
            if given.is_some() {
                errors.push(FieldError::new(
                    field,
                    "hanya untuk indikator yang dihitung dari pembilang dan penyebut",
                    "applies only to indicators computed from a numerator and a denominator",
                ));
            }
        }
        if rules.kind.is_numeric() {
            if let Some(number) = required_number(&input.value, "value", &mut errors) {
                read.printed = printed(input.value.as_ref());
                read.number = Some(number);
            }
        } else {
            let limit = if rules.kind == ValueKind::Category { MAX_LABEL_CHARS } else { MAX_NOTE_CHARS };
            match &input.value {
                Some(serde_json::Value::String(text)) if !text.trim().is_empty() && text.chars().count() <= limit => {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    read.printed = text.clone();
                    read.text = Some(text);
                }
                None => errors.push(missing("value")),
                _ => errors.push(FieldError::new(
                    "value",
                    format!("harus berupa teks berisi 1 sampai {limit} karakter"),
                    format!("must be a text of 1 to {limit} characters"),
                )),
            }
        }
    }

    match (rules.met_by_reporter, input.met) {
        (true, Some(met)) => read.met = Some(met),
        (true, None) => errors.push(FieldError::new(
            "met",
            "wajib: true bila target tercapai, false bila belum",
            "is required: true when the target is met, false when not",
        )),
        (false, Some(_)) => errors.push(FieldError::new(
            "met",
            "hanya untuk indikator bertarget uraian; indikator ini dinilai dari nilainya",
            "applies only to indicators with a descriptive target; this indicator is judged by its value",
        )),
        (false, None) => {}
    }

    if let Some(grade) = &input.grade {
        let grade = grade.trim();
        if !rules.kind.is_numeric() {
            errors.push(FieldError::new(
                "grade",
                "hanya untuk indikator berangka",
                "applies only to numeric indicators",
            ));
        } else if grade.is_empty() || grade.chars().count() > MAX_LABEL_CHARS {
            errors.push(FieldError::new(
                "grade",
                format!("harus berisi 1 sampai {MAX_LABEL_CHARS} karakter"),
                format!("must have 1 to {MAX_LABEL_CHARS} characters"),
            ));
        } else {
            read.grade = Some(grade.to_string());
            read.printed = format!("{}/{grade}", read.printed);
        }
    }

    if errors.is_empty() { Ok(read) } else { Err(errors) }
}

/// Checks a note: optional, at most `MAX_NOTE_CHARS` characters; a blank note counts as none.
pub fn read_note(note: Option<&str>, field: &str, required: bool) -> Result<Option<String>, FieldError> {
    let note = note.map(str::trim).filter(|note| !note.is_empty());
    match note {
        None if required => Err(FieldError::new(
            field,
            "wajib diisi: tulis alasan pengembalian agar pelapor tahu apa yang harus diperbaiki",
            "is required: write why the report is returned, so that the reporter knows what to correct",
        )),
        Some(note) if note.chars().count() > MAX_NOTE_CHARS => Err(FieldError::new(
            field,
            format!("paling banyak {MAX_NOTE_CHARS} karakter"),
            format!("must have at most {MAX_NOTE_CHARS} characters"),
        )),
        _ => Ok(note.map(str::to_string)),
    }
}

fn missing(field: &str) -> FieldError {
    FieldError::new(field, "wajib diisi", "is required")
}

/// Writes the value as sent, for display: a string as it is, and a JSON number in Indonesian
/// notation, so that `2.5` shows as `2,5` and is never read as two thousand five hundred.
fn printed(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.trim().to_string(),
        Some(serde_json::Value::Number(number)) => Decimal::parse_plain(&number.to_string())
            .map_or_else(|| number.to_string(), |number| number.to_indonesian()),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Counts the digits of a number written out in full, without exponent: `1e300` has 301, and
/// `0.005` has 3 after the comma.
fn plain_digits(number: &BigDecimal) -> u64 {
    let (_, scale) = number.as_bigint_and_exponent();
    let digits = number.digits();
    if scale <= 0 { digits + scale.unsigned_abs() } else { digits.max(scale.unsigned_abs()) }
}

/// Counts the significant digits of a number in plain or exponent notation, such as `1.25e-7`.
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// Reads a JSON number, or a string in Indonesian notation (`"74,5"`, `"1.077"`). A JSON number
/// with a fraction reaches the service as a binary float, which keeps 15 significant digits
/// exactly, so a longer one is refused with a hint to send it as text.
pub fn required_number(
    value: &Option<serde_json::Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<BigDecimal> {
    let parsed = match value {
        None => {
            errors.push(missing(field));
            return None;
        }
        Some(serde_json::Value::Number(number)) if number.is_f64() && significant_digits(&number.to_string()) > 15 => {
            errors.push(FieldError::new(
                field,
                format!("angka JSON {number} lebih dari 15 digit bermakna sehingga bisa sudah terbulatkan; kirim sebagai teks, misalnya \"1.234.567.890.123.456,78\""),
                format!("the JSON number {number} has more than 15 significant digits, so it may have been rounded; send it as text, for example \"1.234.567.890.123.456,78\""),
            ));
            return None;
        }
        Some(serde_json::Value::Number(number)) => std::str::FromStr::from_str(&number.to_string())
            .map(|value: BigDecimal| Decimal::new(value.normalized()))
            .map_err(|_| ParseError::NotANumber { text: number.to_string() }),
        Some(serde_json::Value::String(text)) => parse_number(text.trim_end_matches('%').trim_end()),
        Some(other) => Err(ParseError::NotANumber { text: other.to_string() }),
    };
    if let Err(ParseError::NotANumber { text }) = &parsed {
        errors.push(FieldError::new(
            field,
            format!("{text:?} bukan angka; tulis angka JSON (74.5) atau teks berformat Indonesia (\"74,5\", \"1.077\")"),
            format!("{text:?} is not a number; write a JSON number (74.5) or text in Indonesian notation (\"74,5\", \"1.077\")"),
        ));
        return None;
    }
    match parsed {
        Ok(number) => {
            let number = number.into_big_decimal();
            if plain_digits(&number) > super::value::MAX_DIGITS as u64 {
                errors.push(FieldError::new(
                    field,
                    format!("paling banyak {} digit", super::value::MAX_DIGITS),
                    format!("must have at most {} digits", super::value::MAX_DIGITS),
                ));
                return None;
            }
            Some(number)
        }
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.message(super::lang::Lang::Id),
                error.message(super::lang::Lang::En),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn digits_are_counted_as_written_out() {
        let digits = |text: &str| plain_digits(&text.parse::<BigDecimal>().unwrap().normalized());
        assert_eq!(digits("1e300"), 301);
        assert_eq!(digits("1e-300"), 300);
        assert_eq!(digits("1250000"), 7);
        assert_eq!(digits("0.005"), 3);
        assert_eq!(digits("74.5"), 3);
    }

    #[test]
    fn long_json_numbers_go_as_text() {
        assert_eq!(significant_digits("1250000000.5"), 11);
        assert_eq!(significant_digits("1234567890123456.8"), 17);
        assert_eq!(significant_digits("0.000125"), 3);
        assert_eq!(significant_digits("1.25e-7"), 3);

        let mut errors = Vec::new();
        assert!(
            required_number(&Some(serde_json::from_str("1234567890123456.78").unwrap()), "budget", &mut errors)
                .is_none()
        );
        assert_eq!(errors[0].field, "budget");
        let exact = required_number(&Some(json!("1.234.567.890.123.456,78")), "budget", &mut Vec::new());
        assert_eq!(exact.unwrap().to_string(), "1234567890123456.78");
    }
    use crate::domain::lang::Lang;

    const NUMBER: ValueRules =
        ValueRules { kind: ValueKind::Percentage, combine: CombineRule::Designated, met_by_reporter: false };
    const RATE: ValueRules =
        ValueRules { kind: ValueKind::Percentage, combine: CombineRule::Ratio, met_by_reporter: false };
    const TEXT: ValueRules =
        ValueRules { kind: ValueKind::Text, combine: CombineRule::Designated, met_by_reporter: true };

    fn input(value: serde_json::Value) -> ValueInput {
        ValueInput { value: Some(value), ..ValueInput::default() }
    }

    #[test]
    fn every_transition_by_standing() {
        use Action::*;
        use RealisationState::*;
        let states = [Draft, Submitted, Returned, Verified];
        let standings = [Standing::Owner, Standing::Verifier, Standing::Other];
        let mut allowed = Vec::new();
        for state in states {
            for action in [Edit, Submit, Verify, Return] {
                for who in standings {
                    if let Ok(next) = next_state(state, action, who) {
                        allowed.push((state, action, who, next));
                    }
                }
            }
        }
        assert_eq!(
            allowed,
            vec![
                (Draft, Edit, Standing::Owner, Draft),
                (Draft, Submit, Standing::Owner, Submitted),
                (Submitted, Verify, Standing::Verifier, Verified),
                (Submitted, Return, Standing::Verifier, Returned),
                (Returned, Edit, Standing::Owner, Returned),
                (Returned, Submit, Standing::Owner, Submitted),
            ]
        );
        assert_eq!(next_state(Verified, Edit, Standing::Owner), Err(Refusal::WrongState { state: Verified }));
        assert_eq!(next_state(Submitted, Verify, Standing::Owner), Err(Refusal::NotAllowed));
    }

    #[test]
    fn nobody_verifies_their_own_report() {
        // The coordinator (7) verifies another unit's report (3).
        assert_eq!(standing(Some(7), false, 3, Some(7)), Standing::Verifier);
        // Where the coordinator reported, the secretariat verifies and the coordinator owns.
        assert_eq!(standing(Some(7), false, 7, Some(7)), Standing::Owner);
        assert_eq!(standing(None, true, 7, Some(7)), Standing::Verifier);
        // The secretariat does not verify what a coordinator can.
        assert_eq!(standing(None, true, 3, Some(7)), Standing::Other);
        // Without a coordinator, the secretariat verifies.
        assert_eq!(standing(None, true, 3, None), Standing::Verifier);
        assert_eq!(standing(Some(9), false, 3, Some(7)), Standing::Other);
    }

    #[test]
    fn reads_numbers_in_json_and_indonesian_notation() {
        let read = read_value(&input(json!("74,5")), NUMBER).unwrap();
        assert_eq!(read.number.unwrap().to_string(), "74.5");
        assert_eq!(read.printed, "74,5");
        assert_eq!(read_value(&input(json!("1.077")), NUMBER).unwrap().number.unwrap().to_string(), "1077");
        assert_eq!(read_value(&input(json!(0)), NUMBER).unwrap().number.unwrap().to_string(), "0");
        assert_eq!(read_value(&input(json!(2.5)), NUMBER).unwrap().printed, "2,5");
        assert_eq!(read_value(&input(json!(1e-7)), NUMBER).unwrap().number.unwrap().to_string(), "1E-7");
        assert_eq!(read_value(&input(json!(1250000.75)), NUMBER).unwrap().printed, "1.250.000,75");
        assert_eq!(read_value(&input(json!("40%")), NUMBER).unwrap().number.unwrap().to_string(), "40");

        let errors = read_value(&input(json!("2.5")), NUMBER).unwrap_err();
        assert_eq!(errors[0].field, "value");
        assert!(errors[0].message(Lang::En).contains("ambiguous"));
        assert_eq!(read_value(&input(json!(true)), NUMBER).unwrap_err()[0].field, "value");
        assert_eq!(read_value(&ValueInput::default(), NUMBER).unwrap_err()[0].field, "value");
    }

    #[test]
    fn read_value_rate_needs_counts() {
        let counts = ValueInput { numerator: Some(json!(15)), denominator: Some(json!("50")), ..ValueInput::default() };
        let read = read_value(&counts, RATE).unwrap();
        assert_eq!(read.number.unwrap().to_string(), "30");
        assert_eq!(read.printed, "15/50");

        let fields = |input: &ValueInput| -> Vec<String> {
            read_value(input, RATE).unwrap_err().into_iter().map(|error| error.field).collect()
        };
        assert_eq!(fields(&input(json!(30))), ["value", "numerator", "denominator"]);
        let zero = ValueInput { numerator: Some(json!(1)), denominator: Some(json!(0)), ..ValueInput::default() };
        assert_eq!(fields(&zero), ["denominator"]);
    }

    #[test]
    fn text_indicators_need_met() {
        let read = read_value(&ValueInput { met: Some(true), ..input(json!("  Dua unit  WBK ")) }, TEXT).unwrap();
        assert_eq!(read.text.as_deref(), Some("Dua unit WBK"));
        assert_eq!(read.met, Some(true));
        assert_eq!(read_value(&input(json!("Dua unit WBK")), TEXT).unwrap_err()[0].field, "met");
        let numeric_with_met = ValueInput { met: Some(true), ..input(json!(3)) };
        assert_eq!(read_value(&numeric_with_met, NUMBER).unwrap_err()[0].field, "met");
    }

    #[test]
    fn read_note_return_needs_reason() {
        assert_eq!(read_note(Some("  "), "note", true).unwrap_err().field, "note");
        assert_eq!(read_note(None, "note", false), Ok(None));
        assert!(read_note(Some(&"x".repeat(MAX_NOTE_CHARS + 1)), "note", false).is_err());
    }
}
