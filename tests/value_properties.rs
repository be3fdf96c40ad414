//! Property tests of the Indonesian value parser: no text makes it panic, and every number it
//! accepts reads back unchanged from the notation the service writes.

use bigdecimal::BigDecimal;
use petajalan::domain::decimal::Decimal;
use petajalan::domain::indicator::ValueKind;
use petajalan::domain::value::{MAX_DIGITS, parse_figure, parse_number};
use proptest::prelude::*;

const KINDS: [ValueKind; 6] = [
    ValueKind::Number,
    ValueKind::Percentage,
    ValueKind::Currency,
    ValueKind::Index,
    ValueKind::Category,
    ValueKind::Text,
];

/// Texts close to numbers: digits, signs, separators, percent signs and spaces, which reach
/// deeper into the parser than arbitrary text.
fn number_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[-+−]?[0-9.,% ]{0,40}(%|persen)?").unwrap()
}

fn digit_count(value: &Decimal) -> usize {
    value.to_string().chars().filter(char::is_ascii_digit).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_parses_or_is_rejected(text in any::<String>()) {
        let _ = parse_number(&text);
        for kind in KINDS {
            let _ = parse_figure(&text, kind);
        }
    }

    #[test]
    fn number_like_text_within_digit_limit(text in number_like()) {
        if let Ok(value) = parse_number(&text) {
            prop_assert!(digit_count(&value) <= MAX_DIGITS, "{text:?} gave {value}");
            let written = value.to_indonesian();
            prop_assert_eq!(parse_number(&written).ok(), Some(value), "{:?} written as {:?}", text, written);
        }
        for kind in KINDS {
            let _ = parse_figure(&text, kind);
        }
    }

    #[test]
    fn indonesian_notation_round_trips(units in any::<i64>(), scale in 0i64..8) {
        let value = Decimal::new(BigDecimal::new(units.into(), scale));
        let written = value.to_indonesian();

        let read = parse_number(&written);

        prop_assert_eq!(read.ok(), Some(value), "written as {:?}", written);
    }
}
