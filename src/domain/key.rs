//! Path keys: every object can be named by its numeric id or by its code.

/// An id or a code, as given in a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    Id(i64),
    Code(&'a str),
}

impl<'a> Key<'a> {
    /// Reads a path segment: digits only make an id (codes always start with a letter),
    /// anything else a code.
    pub fn parse(segment: &'a str) -> Key<'a> {
        let all_digits = !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit());
        match segment.parse::<i64>() {
            Ok(id) if all_digits => Key::Id(id),
            _ => Key::Code(segment),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_ids_and_the_rest_codes() {
        assert_eq!(Key::parse("42"), Key::Id(42));
        assert_eq!(Key::parse("IND-01"), Key::Code("IND-01"));
        assert_eq!(Key::parse("K1.01"), Key::Code("K1.01"));
        assert_eq!(Key::parse("-1"), Key::Code("-1"));
        assert_eq!(Key::parse("99999999999999999999"), Key::Code("99999999999999999999"));
    }
}
