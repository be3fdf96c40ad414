//! The language of messages meant for people: Indonesian unless English is asked for.

/// A language that the service writes messages in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` value: the first listed language the service
    /// speaks, by quality; Indonesian when none is listed or the header is absent.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Id;
        };
        for tag in accept_language::parse(header) {
            let primary = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
            match primary.as_str() {
                "id" | "in" => return Lang::Id,
                "en" => return Lang::En,
                _ => {}
            }
        }
        Lang::Id
    }

    /// Reads `id` or `en` (any case); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Chooses between an Indonesian and an English text.
    pub fn pick<T>(self, indonesian: T, english: T) -> T {
        match self {
            Lang::Id => indonesian,
            Lang::En => english,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_cases() {
        let cases = [
            (None, Lang::Id),
            (Some(""), Lang::Id),
            (Some("en"), Lang::En),
            (Some("en-US,en;q=0.9"), Lang::En),
            (Some("id-ID,en;q=0.5"), Lang::Id),
            (Some("fr, en;q=0.8"), Lang::En),
            (Some("en;q=0.3, id;q=0.9"), Lang::Id),
            (Some("de"), Lang::Id),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "header {header:?}");
        }
    }
}
