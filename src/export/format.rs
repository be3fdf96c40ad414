//! The representations of a report and their choice from the `format` parameter or the
//! `Accept` header.

use serde::Serialize;
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

/// Media type of an Office Open XML workbook (`.xlsx`).
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The media types a report route sends, for the 406 message.
pub const OFFERED_MEDIA_TYPES: &str =
    "application/json, text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A representation of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReportFormat {
    /// The JSON report.
    Json,
    /// One table as RFC 4180 CSV in UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl ReportFormat {
    /// The formats in the order that breaks a tie between equally preferred media ranges.
    const PREFERENCE: [ReportFormat; 3] = [ReportFormat::Json, ReportFormat::Csv, ReportFormat::Xlsx];

    /// Returns the `Content-Type` of the response body.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Xlsx => XLSX_MEDIA_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
        }
    }

    fn media_type(self) -> (&'static str, &'static str) {
        match self {
            ReportFormat::Json => ("application", "json"),
            ReportFormat::Csv => ("text", "csv"),
            ReportFormat::Xlsx => ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        }
    }

    /// Picks the format that an `Accept` header value prefers, or `None` when it accepts none.
    ///
    /// Each format takes the quality of the most specific media range that matches it (an exact
    /// type before `type/*` before `*/*`, as RFC 9110 section 12.5.1 orders them). The format with
    /// the highest quality above 0 wins, and a tie goes to JSON, then CSV. A missing or blank
    /// header accepts JSON. Ranges that do not parse are skipped.
    pub fn from_accept(header: Option<&str>) -> Option<ReportFormat> {
        let Some(header) = header.filter(|text| !text.trim().is_empty()) else {
            return Some(ReportFormat::Json);
        };
        let ranges: Vec<MediaRange> = header.split(',').filter_map(MediaRange::parse).collect();

        let mut best: Option<(ReportFormat, u16)> = None;
        for format in ReportFormat::PREFERENCE {
            let quality = ranges
                .iter()
                .filter_map(|range| range.specificity(format.media_type()).map(|rank| (rank, range.quality)))
                .max_by_key(|(rank, _)| *rank)
                .map_or(0, |(_, quality)| quality);
            if quality > 0 && best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((format, quality));
            }
        }
        best.map(|(format, _)| format)
    }
}

/// One media range of an `Accept` header, with its quality in thousandths.
struct MediaRange {
    kind: String,
    subtype: String,
    quality: u16,
}

impl MediaRange {
    fn parse(text: &str) -> Option<MediaRange> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        if kind.is_empty() || subtype.is_empty() {
            return None;
        }
        let mut quality = 1000;
        for parameter in parts {
            let Some((name, value)) = parameter.split_once('=') else { continue };
            if name.trim().eq_ignore_ascii_case("q") {
                quality = parse_quality(value.trim())?;
            }
        }
        Some(MediaRange { kind: kind.to_ascii_lowercase(), subtype: subtype.to_ascii_lowercase(), quality })
    }

    /// Ranks how closely the range matches a media type: 2 exact, 1 `type/*`, 0 `*/*`.
    fn specificity(&self, (kind, subtype): (&str, &str)) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(0),
            (range_kind, "*") if range_kind == kind => Some(1),
            (range_kind, range_subtype) if range_kind == kind && range_subtype == subtype => Some(2),
            _ => None,
        }
    }
}

/// Reads a quality value (`0` to `1` with at most three decimals) in thousandths.
fn parse_quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_selection_table() {
        use ReportFormat::*;

        let cases = [
            (None, Some(Json)),
            (Some(""), Some(Json)),
            (Some("*/*"), Some(Json)),
            (Some("application/json"), Some(Json)),
            (Some("application/json; charset=utf-8"), Some(Json)),
            (Some("text/csv"), Some(Csv)),
            (Some("TEXT/CSV"), Some(Csv)),
            (Some("text/*"), Some(Csv)),
            (Some(XLSX_MEDIA_TYPE), Some(Xlsx)),
            (Some("text/html, text/csv;q=0.5"), Some(Csv)),
            (Some("application/json;q=0.4, text/csv;q=0.9"), Some(Csv)),
            (Some("text/csv;q=0.2, */*;q=0.1"), Some(Csv)),
            // The exact range's q=0 outweighs the wildcard that also matches JSON.
            (Some("application/json;q=0, */*"), Some(Csv)),
            (Some("application/*"), Some(Json)),
            (Some("text/html"), None),
            (Some("application/problem+json"), None),
            (Some("text/csv;q=0"), None),
            (Some("not a media type"), None),
            (Some("text/csv;q=2"), None),
        ];

        for (header, expected) in cases {
            assert_eq!(ReportFormat::from_accept(header), expected, "Accept: {header:?}");
        }
    }

    #[test]
    fn quality_values() {
        assert_eq!(parse_quality("1"), Some(1000));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("0.125"), Some(125));
        assert_eq!(parse_quality("0"), Some(0));
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("0.1234"), None);
        assert_eq!(parse_quality("abc"), None);
    }

    #[test]
    fn format_parameter_values() {
        assert_eq!("xlsx".parse::<ReportFormat>(), Ok(ReportFormat::Xlsx));
        assert_eq!("csv".parse::<ReportFormat>(), Ok(ReportFormat::Csv));
        assert_eq!("json".parse::<ReportFormat>(), Ok(ReportFormat::Json));
        assert!("pdf".parse::<ReportFormat>().is_err());
        assert_eq!(ReportFormat::Xlsx.extension(), "xlsx");
    }
}
