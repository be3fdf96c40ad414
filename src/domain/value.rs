//! Reads figures written in Indonesian notation, as printed in the road map tables.
//!
//! A dot separates groups of exactly three digits and a comma starts the decimals:
//! `22.164.705.670.019` is twenty-two trillion and `0,62` is sixty-two hundredths. Text that
//! could mean two numbers under that rule (`2.5`, `1,234.5`, `1.2345`) is rejected with a hint,
//! never guessed. An empty text is an error and a dash means "not yet set": neither is zero.
//!
//! Besides plain numbers the tables print percentages (`40%`, `100 % (698)`), bands
//! (`2,5 ± 1%`), thresholds with a grade (`>74/BB`), counts with words (`21.863 orang`),
//! categories (`WTP`), free text and markers of a value not yet set (`NA`, `Menunggu penetapan
//! angka P3KE`). Which of them a text may be depends on the indicator's value kind.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::decimal::Decimal;
use super::indicator::ValueKind;
use super::lang::Lang;

/// Maximum length of a figure's text, in characters.
pub const MAX_FIGURE_LENGTH: usize = 1000;

/// Maximum number of digits in a number, before and after the comma together. PostgreSQL's
/// NUMERIC allows far more, but no road map figure comes near this and a bound keeps arithmetic cheap.
pub const MAX_DIGITS: usize = 30;

/// A structured value read from a figure's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FigureValue {
    /// A number, possibly a percentage with a count (`100 % (698)`) or a count with words
    /// (`500 PNS jabatan fungsional`).
    Number {
        value: Decimal,
        /// The count printed in parentheses after a percentage.
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<Decimal>,
        /// The words printed after the number.
        #[serde(skip_serializing_if = "Option::is_none")]
        qualifier: Option<String>,
    },
    /// A band from `low` to `high`, both included (`2,5 ± 1%` is 1.5 to 3.5).
    Band { low: Decimal, high: Decimal },
    /// A bound with an optional grade (`>74/BB` is above 74, grade BB).
    Threshold {
        comparator: Comparator,
        value: Decimal,
        #[serde(skip_serializing_if = "Option::is_none")]
        grade: Option<String>,
    },
    /// A category, such as the audit opinion `WTP`.
    Category { name: String },
    /// A text describing an outcome.
    Text { text: String },
    /// No value set yet; `reason` keeps the printed explanation where there is one.
    NotSet {
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// The comparison of a threshold.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, strum::AsRefStr, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Comparator {
    /// Greater than.
    Gt,
    /// Greater than or equal to.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal to.
    Lte,
}

/// Reason a figure's text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than {MAX_FIGURE_LENGTH} characters")]
    TooLong,
    #[error("{text:?} is ambiguous: {reason}")]
    Ambiguous { text: String, reason: Ambiguity },
    #[error("{text:?} is not a number")]
    NotANumber { text: String },
    #[error("{text:?} has more than {MAX_DIGITS} digits")]
    TooManyDigits { text: String },
    #[error("{text:?} is a band whose width is negative")]
    NegativeBandWidth { text: String },
    #[error("{text:?} is a range whose lower end is above its upper end")]
    ReversedRange { text: String },
}

/// The ways a number's text can be read two ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Ambiguity {
    #[error("a dot must separate groups of exactly three digits")]
    DotGroup,
    #[error("a comma stands before a dot, as in English notation")]
    EnglishNotation,
}

impl ParseError {
    /// Describes the error, with a hint on how to write the value, in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ParseError::Empty, Lang::Id) => "teks kosong; tulis NA atau - untuk nilai yang belum ditetapkan".into(),
            (ParseError::Empty, Lang::En) => "the text is empty; write NA or - for a value not yet set".into(),
            (ParseError::TooLong, Lang::Id) => format!("teks lebih dari {MAX_FIGURE_LENGTH} karakter"),
            (ParseError::TooLong, Lang::En) => format!("the text is longer than {MAX_FIGURE_LENGTH} characters"),
            (ParseError::Ambiguous { text, reason: Ambiguity::DotGroup }, Lang::Id) => format!(
                "{text:?} ambigu: titik hanya memisahkan ribuan dalam kelompok tiga angka dan koma memulai desimal; tulis misalnya \"2,5\" untuk dua koma lima atau \"1.250\" untuk seribu dua ratus lima puluh"
            ),
            (ParseError::Ambiguous { text, reason: Ambiguity::DotGroup }, Lang::En) => format!(
                "{text:?} is ambiguous: a dot only separates thousands in groups of three digits and a comma starts the decimals; write for example \"2,5\" for two and a half or \"1.250\" for one thousand two hundred fifty"
            ),
            (ParseError::Ambiguous { text, reason: Ambiguity::EnglishNotation }, Lang::Id) => format!(
                "{text:?} ambigu: koma berada sebelum titik seperti notasi Inggris; dalam notasi Indonesia tulis \"1.234,5\""
            ),
            (ParseError::Ambiguous { text, reason: Ambiguity::EnglishNotation }, Lang::En) => format!(
                "{text:?} is ambiguous: a comma comes before a dot as in English notation; in Indonesian notation write \"1.234,5\""
            ),
            (ParseError::NotANumber { text }, Lang::Id) => format!(
                "{text:?} bukan angka; contoh yang benar: \"74,5\", \"1.077\", \"40%\", \"2,5 ± 1%\", \">74/BB\""
            ),
            (ParseError::NotANumber { text }, Lang::En) => format!(
                "{text:?} is not a number; valid examples: \"74,5\", \"1.077\", \"40%\", \"2,5 ± 1%\", \">74/BB\""
            ),
            (ParseError::TooManyDigits { text }, Lang::Id) => {
                format!("{text:?} memiliki lebih dari {MAX_DIGITS} digit")
            }
            (ParseError::TooManyDigits { text }, Lang::En) => format!("{text:?} has more than {MAX_DIGITS} digits"),
            (ParseError::NegativeBandWidth { text }, Lang::Id) => {
                format!("{text:?}: lebar rentang setelah ± tidak boleh negatif")
            }
            (ParseError::NegativeBandWidth { text }, Lang::En) => {
                format!("{text:?}: the width after ± must not be negative")
            }
            (ParseError::ReversedRange { text }, Lang::Id) => {
                format!("{text:?}: batas bawah rentang lebih besar dari batas atas")
            }
            (ParseError::ReversedRange { text }, Lang::En) => {
                format!("{text:?}: the lower end of the range is above the upper end")
            }
        }
    }
}

/// Reads a figure's text as a value of the given kind.
///
/// Numeric kinds accept numbers, percentages, bands, thresholds and counts with words. The
/// category and text kinds take the text as it is. Every kind reads `NA`, `N/A`, a lone dash,
/// `belum ditetapkan` and texts starting with `menunggu` ("awaiting") as not set.
pub fn parse_figure(text: &str, kind: ValueKind) -> Result<FigureValue, ParseError> {
    let text = normalize_spaces(text);

    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if text.chars().count() > MAX_FIGURE_LENGTH {
        return Err(ParseError::TooLong);
    }
    if let Some(not_set) = read_not_set(&text) {
        return Ok(not_set);
    }

    match kind {
        ValueKind::Category => Ok(FigureValue::Category { name: text }),
        ValueKind::Text => Ok(FigureValue::Text { text }),
        ValueKind::Number | ValueKind::Percentage | ValueKind::Currency | ValueKind::Index => {
            parse_numeric_figure(&text)
        }
    }
}

/// Reads one number in Indonesian notation, with an optional sign and no other text.
pub fn parse_number(text: &str) -> Result<Decimal, ParseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ParseError::Empty);
    }

    let (negative, unsigned) = match text.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let not_a_number = || ParseError::NotANumber { text: text.to_string() };

    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(not_a_number());
    }

    let comma = unsigned.find(',');
    let last_dot = unsigned.rfind('.');
    if let (Some(comma), Some(dot)) = (comma, last_dot)
        && comma < dot
    {
        return Err(ParseError::Ambiguous { text: text.to_string(), reason: Ambiguity::EnglishNotation });
    }

    let (whole, fraction) = match unsigned.split_once(',') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    if let Some(fraction) = fraction
        && (fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(not_a_number());
    }

    let whole_digits = read_grouped_digits(whole).map_err(|error| match error {
        GroupError::Malformed => not_a_number(),
        GroupError::Ambiguous => ParseError::Ambiguous { text: text.to_string(), reason: Ambiguity::DotGroup },
    })?;

    let digit_count = whole_digits.len() + fraction.map_or(0, str::len);
    if digit_count > MAX_DIGITS {
        return Err(ParseError::TooManyDigits { text: text.to_string() });
    }

    let mut plain = String::with_capacity(digit_count + 2);
    if negative {
        plain.push('-');
    }
    plain.push_str(&whole_digits);
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    let value = BigDecimal::from_str(&plain).map_err(|_| not_a_number())?;
    Ok(Decimal::new(value))
}

enum GroupError {
    Malformed,
    Ambiguous,
}

/// Returns the digits of a whole part with dot separators removed, after checking that every
/// group after the first has exactly three digits.
fn read_grouped_digits(whole: &str) -> Result<String, GroupError> {
    if whole.is_empty() {
        return Err(GroupError::Malformed);
    }
    let groups: Vec<&str> = whole.split('.').collect();
    if groups.iter().any(|group| group.is_empty()) {
        return Err(GroupError::Malformed);
    }
    if groups.len() > 1 {
        let first_fits = groups[0].len() <= 3;
        let rest_fit = groups[1..].iter().all(|group| group.len() == 3);
        if !first_fits || !rest_fit {
            return Err(GroupError::Ambiguous);
        }
    }
    Ok(groups.concat())
}

fn normalize_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_not_set(text: &str) -> Option<FigureValue> {
    let lower = text.to_lowercase();
    match lower.as_str() {
        "na" | "n/a" | "-" | "–" | "—" => Some(FigureValue::NotSet { reason: None }),
        _ if lower.starts_with("menunggu") || lower.starts_with("belum ditetapkan") => {
            Some(FigureValue::NotSet { reason: Some(text.to_string()) })
        }
        _ => None,
    }
}

fn parse_numeric_figure(text: &str) -> Result<FigureValue, ParseError> {
    if let Some(threshold) = parse_threshold(text)? {
        return Ok(threshold);
    }
    if let Some(band) = parse_band(text)? {
        return Ok(band);
    }
    if let Some(range) = parse_range(text)? {
        return Ok(range);
    }
    parse_number_with_words(text)
}

/// `>74/BB`, `≥ 80`, `<5%`.
fn parse_threshold(text: &str) -> Result<Option<FigureValue>, ParseError> {
    let comparators = [
        (">=", Comparator::Gte),
        ("≥", Comparator::Gte),
        ("<=", Comparator::Lte),
        ("≤", Comparator::Lte),
        (">", Comparator::Gt),
        ("<", Comparator::Lt),
    ];
    let Some((rest, comparator)) =
        comparators.iter().find_map(|(symbol, comparator)| text.strip_prefix(symbol).map(|rest| (rest, *comparator)))
    else {
        return Ok(None);
    };

    let (number_text, grade) = match rest.split_once('/') {
        Some((number_text, grade)) => (number_text, Some(grade.trim())),
        None => (rest, None),
    };
    if grade.is_some_and(|grade| grade.is_empty() || grade.chars().any(char::is_whitespace)) {
        return Err(ParseError::NotANumber { text: text.to_string() });
    }
    let value = parse_number(strip_percent(number_text.trim()))?;

    Ok(Some(FigureValue::Threshold { comparator, value, grade: grade.map(str::to_string) }))
}

/// `2,5 ± 1%` is the band from 1,5 to 3,5.
fn parse_band(text: &str) -> Result<Option<FigureValue>, ParseError> {
    let Some((center_text, width_text)) = text.split_once('±') else {
        return Ok(None);
    };
    let center = parse_number(strip_percent(center_text.trim()))?;
    let width = parse_number(strip_percent(width_text.trim()))?;
    if width.as_big_decimal() < &BigDecimal::from(0) {
        return Err(ParseError::NegativeBandWidth { text: text.to_string() });
    }

    let low = Decimal::new(center.as_big_decimal() - width.as_big_decimal());
    let high = Decimal::new(center.as_big_decimal() + width.as_big_decimal());
    Ok(Some(FigureValue::Band { low, high }))
}

/// `1,5 – 3,5` or `1,5 - 3,5%`. The dash must be an en dash or have spaces around it, so that a
/// negative number is not read as a range.
fn parse_range(text: &str) -> Result<Option<FigureValue>, ParseError> {
    let split = text.split_once(" - ").or_else(|| text.split_once('–'));
    let Some((low_text, high_text)) = split else {
        return Ok(None);
    };
    let low = parse_number(strip_percent(low_text.trim()))?;
    let high = parse_number(strip_percent(high_text.trim()))?;
    if low > high {
        return Err(ParseError::ReversedRange { text: text.to_string() });
    }
    Ok(Some(FigureValue::Band { low, high }))
}

/// `74,5`, `40%`, `100 % (698)`, `Rp 1.000`, `21.863 orang`, `500 PNS jabatan fungsional`.
fn parse_number_with_words(text: &str) -> Result<FigureValue, ParseError> {
    let without_currency =
        text.strip_prefix("Rp.").or_else(|| text.strip_prefix("Rp")).map(str::trim_start).unwrap_or(text);

    let number_end = without_currency
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-' || c == '+' || c == '−'))
        .unwrap_or(without_currency.len());
    let (number_text, rest) = without_currency.split_at(number_end);
    if number_text.is_empty() {
        return Err(ParseError::NotANumber { text: text.to_string() });
    }
    let value = parse_number(number_text)?;

    let rest = rest.trim_start();
    let rest = rest.strip_prefix('%').map(str::trim_start).unwrap_or(rest);
    if rest.is_empty() {
        return Ok(FigureValue::Number { value, count: None, qualifier: None });
    }

    if let Some(inner) = rest.strip_prefix('(').and_then(|inner| inner.strip_suffix(')')) {
        let count = parse_number(inner.trim())?;
        return Ok(FigureValue::Number { value, count: Some(count), qualifier: None });
    }

    // Words after a number name what is counted. A second number in them means the text is a
    // sentence, and only a text indicator may contain one.
    let words_only = rest.chars().all(|c| c.is_alphabetic() || c.is_whitespace() || "-/().".contains(c));
    if !words_only {
        return Err(ParseError::NotANumber { text: text.to_string() });
    }
    Ok(FigureValue::Number { value, count: None, qualifier: Some(rest.to_string()) })
}

fn strip_percent(text: &str) -> &str {
    text.strip_suffix('%').map(str::trim_end).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Decimal {
        Decimal::parse_plain(text).unwrap()
    }

    fn plain(value: &str) -> FigureValue {
        FigureValue::Number { value: number(value), count: None, qualifier: None }
    }

    #[test]
    fn reads_every_printed_form() {
        let cases: Vec<(&str, ValueKind, FigureValue)> = vec![
            ("74,00", ValueKind::Index, plain("74")),
            ("0,62", ValueKind::Index, plain("0.62")),
            ("3,6", ValueKind::Index, plain("3.6")),
            ("100", ValueKind::Percentage, plain("100")),
            ("22.164.705.670.019", ValueKind::Currency, plain("22164705670019")),
            ("27.362.089.000.000", ValueKind::Currency, plain("27362089000000")),
            ("Rp 1.500,50", ValueKind::Currency, plain("1500.5")),
            ("3.012", ValueKind::Index, plain("3012")),
            ("1.077", ValueKind::Number, plain("1077")),
            ("-0,5", ValueKind::Number, plain("-0.5")),
            ("40%", ValueKind::Percentage, plain("40")),
            ("4,99%", ValueKind::Percentage, plain("4.99")),
            ("74 %", ValueKind::Percentage, plain("74")),
            (
                "100 % (698)",
                ValueKind::Percentage,
                FigureValue::Number { value: number("100"), count: Some(number("698")), qualifier: None },
            ),
            (
                "100% (5351)",
                ValueKind::Percentage,
                FigureValue::Number { value: number("100"), count: Some(number("5351")), qualifier: None },
            ),
            (
                "500 PNS jabatan fungsional",
                ValueKind::Number,
                FigureValue::Number {
                    value: number("500"),
                    count: None,
                    qualifier: Some("PNS jabatan fungsional".into()),
                },
            ),
            (
                "21.863 orang",
                ValueKind::Number,
                FigureValue::Number { value: number("21863"), count: None, qualifier: Some("orang".into()) },
            ),
            ("2,5 ± 1%", ValueKind::Percentage, FigureValue::Band { low: number("1.5"), high: number("3.5") }),
            ("2,4 ± 1%", ValueKind::Percentage, FigureValue::Band { low: number("1.4"), high: number("3.4") }),
            ("1,5 – 3,5", ValueKind::Percentage, FigureValue::Band { low: number("1.5"), high: number("3.5") }),
            (
                ">74/BB",
                ValueKind::Index,
                FigureValue::Threshold { comparator: Comparator::Gt, value: number("74"), grade: Some("BB".into()) },
            ),
            (
                "≥ 80",
                ValueKind::Index,
                FigureValue::Threshold { comparator: Comparator::Gte, value: number("80"), grade: None },
            ),
            ("WTP", ValueKind::Category, FigureValue::Category { name: "WTP".into() }),
            (
                "Tersedianya  Arsitektur SPBE",
                ValueKind::Text,
                FigureValue::Text { text: "Tersedianya Arsitektur SPBE".into() },
            ),
            (
                "1 OPD memperoleh predikat WBBM dan 1 OPD memperoleh predikat WBK",
                ValueKind::Text,
                FigureValue::Text { text: "1 OPD memperoleh predikat WBBM dan 1 OPD memperoleh predikat WBK".into() },
            ),
            ("NA", ValueKind::Index, FigureValue::NotSet { reason: None }),
            ("n/a", ValueKind::Text, FigureValue::NotSet { reason: None }),
            ("-", ValueKind::Number, FigureValue::NotSet { reason: None }),
            (
                "Menunggu penetapan angka P3KE",
                ValueKind::Number,
                FigureValue::NotSet { reason: Some("Menunggu penetapan angka P3KE".into()) },
            ),
        ];

        for (text, kind, expected) in cases {
            assert_eq!(parse_figure(text, kind), Ok(expected), "text {text:?} as {kind:?}");
        }
    }

    #[test]
    fn rejects_ambiguous_numbers() {
        let cases = [
            ("2.5", Ambiguity::DotGroup),
            ("1.2345", Ambiguity::DotGroup),
            ("1234.567", Ambiguity::DotGroup),
            ("12.34.567", Ambiguity::DotGroup),
            ("1,234.5", Ambiguity::EnglishNotation),
            ("1,234.567", Ambiguity::EnglishNotation),
        ];
        for (text, reason) in cases {
            assert_eq!(
                parse_number(text),
                Err(ParseError::Ambiguous { text: text.to_string(), reason }),
                "text {text:?}"
            );
        }
    }

    #[test]
    fn rejects_malformed_numbers() {
        for text in ["abc", ",5", "5,", "1..000", ".500", "1,2,3", "1e5", "12a", "+", "1.000,", "NaN"] {
            assert!(
                matches!(parse_number(text), Err(ParseError::NotANumber { .. })),
                "text {text:?} gave {:?}",
                parse_number(text)
            );
        }
    }

    #[test]
    fn empty_and_dash_are_not_zero() {
        assert_eq!(parse_figure("", ValueKind::Number), Err(ParseError::Empty));
        assert_eq!(parse_figure("   ", ValueKind::Index), Err(ParseError::Empty));
        assert_eq!(parse_number("-"), Err(ParseError::NotANumber { text: "-".into() }));
        assert_eq!(parse_figure("-", ValueKind::Number), Ok(FigureValue::NotSet { reason: None }));
    }

    #[test]
    fn numeric_kinds_reject_sentences() {
        for text in [
            "Belum tersedianya Arsitektur SPBE Kota Semarang",
            "1 OPD memperoleh predikat WBBM dan 1 OPD memperoleh predikat WBK",
            ">74/",
            "> /BB",
        ] {
            assert!(parse_figure(text, ValueKind::Index).is_err(), "text {text:?} was accepted");
        }
    }

    #[test]
    fn rejects_bad_bands_and_ranges() {
        assert_eq!(
            parse_figure("2,5 ± -1", ValueKind::Percentage),
            Err(ParseError::NegativeBandWidth { text: "2,5 ± -1".into() })
        );
        assert_eq!(
            parse_figure("3,5 – 1,5", ValueKind::Percentage),
            Err(ParseError::ReversedRange { text: "3,5 – 1,5".into() })
        );
        assert!(parse_figure("2.5 ± 1", ValueKind::Percentage).is_err());
    }

    #[test]
    fn bounds_length_and_digits() {
        let long = "9".repeat(MAX_FIGURE_LENGTH + 1);
        assert_eq!(parse_figure(&long, ValueKind::Number), Err(ParseError::TooLong));

        let many_digits = "9".repeat(MAX_DIGITS + 1);
        assert_eq!(parse_number(&many_digits), Err(ParseError::TooManyDigits { text: many_digits.clone() }));
    }

    #[test]
    fn messages_differ_by_language() {
        let error = parse_number("2.5").unwrap_err();

        let indonesian = error.message(Lang::Id);
        let english = error.message(Lang::En);

        assert!(indonesian.contains("ambigu"), "{indonesian}");
        assert!(english.contains("ambiguous"), "{english}");
        assert!(indonesian.contains("\"2,5\""), "{indonesian}");
    }
}
