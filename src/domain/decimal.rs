//! Exact decimal numbers as the API carries them.
//!
//! Values go out as JSON strings in plain notation (`"27362089000000"`, `"1.5"`) so that no
//! client rounds them through a binary float. They come in as JSON numbers or as such strings.

use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use utoipa::ToSchema;

/// An exact decimal number, written in JSON as a string in plain notation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, format = "decimal", example = "27362089000000")]
pub struct Decimal(BigDecimal);

impl Decimal {
    /// Wraps a value, dropping trailing zeros of the fraction so that `74,00` and `74` compare
    /// and print alike.
    pub fn new(value: BigDecimal) -> Self {
        Decimal(value.normalized())
    }

    pub fn as_big_decimal(&self) -> &BigDecimal {
        &self.0
    }

    pub fn into_big_decimal(self) -> BigDecimal {
        self.0
    }

    /// Parses plain machine notation: an optional sign, digits and an optional `.` fraction.
    /// Exponents, grouping separators and the Indonesian comma are rejected here because
    /// they belong to `domain::value`.
    pub fn parse_plain(text: &str) -> Option<Decimal> {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (digits, None),
        };
        let whole_ok = !whole.is_empty() && whole.bytes().all(|byte| byte.is_ascii_digit());
        let fraction_ok =
            fraction.is_none_or(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()));
        if !whole_ok || !fraction_ok {
            return None;
        }
        BigDecimal::from_str(text).ok().map(Decimal::new)
    }
}

impl Decimal {
    /// Writes the number in Indonesian notation: dots between groups of three digits and a
    /// comma before the decimals, such as `1.250.000,5`.
    pub fn to_indonesian(&self) -> String {
        let plain = self.to_string();
        let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |rest| ("-", rest));
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let mut grouped = String::new();
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(digit);
        }
        if fraction.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{fraction}") }
    }
}

impl From<BigDecimal> for Decimal {
    fn from(value: BigDecimal) -> Self {
        Decimal::new(value)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0.to_plain_string())
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a decimal number, as a JSON number or a string such as \"1.5\"")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::new(BigDecimal::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::new(BigDecimal::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        // `f64`'s Display prints the shortest text that reads back as the same float, so 0.1
        // becomes exactly 0.1 rather than its binary expansion.
        if !value.is_finite() {
            return Err(E::custom("the number is not finite"));
        }
        Decimal::parse_plain(&value.to_string()).ok_or_else(|| E::custom("the number is out of range"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        Decimal::parse_plain(value.trim())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(value), &"a decimal such as \"1.5\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_indonesian_groups_and_uses_a_comma() {
        for (plain, indonesian) in [
            ("0", "0"),
            ("999", "999"),
            ("1000", "1.000"),
            ("22164705670019", "22.164.705.670.019"),
            ("-1234.5", "-1.234,5"),
            ("0.62", "0,62"),
        ] {
            assert_eq!(Decimal::parse_plain(plain).unwrap().to_indonesian(), indonesian, "{plain}");
        }
    }

    #[test]
    fn serializes_as_plain_string() {
        let value = Decimal::parse_plain("27362089000000").unwrap();

        assert_eq!(serde_json::to_string(&value).unwrap(), "\"27362089000000\"");
    }

    #[test]
    fn drops_trailing_fraction_zeros() {
        assert_eq!(Decimal::parse_plain("74.00").unwrap().to_string(), "74");
        assert_eq!(Decimal::parse_plain("3.0120").unwrap().to_string(), "3.012");
    }

    #[test]
    fn deserializes_numbers_and_strings() {
        let from_number: Decimal = serde_json::from_str("0.1").unwrap();
        let from_string: Decimal = serde_json::from_str("\"0.1\"").unwrap();
        let from_integer: Decimal = serde_json::from_str("27362089000000").unwrap();

        assert_eq!(from_number.to_string(), "0.1");
        assert_eq!(from_string, from_number);
        assert_eq!(from_integer.to_string(), "27362089000000");
    }

    #[test]
    fn rejects_other_notations() {
        for text in ["1e5", "1,5", "1.234.567", "", "-", ".5", "5.", "NaN", "Infinity"] {
            assert!(Decimal::parse_plain(text).is_none(), "{text:?} was accepted");
        }
    }
}
