//! Spreadsheet forms of the monitoring reports: CSV for other systems and XLSX workbooks for
//! people. Both render the report structs that the JSON routes send, so every figure matches
//! the JSON report.
//!
//! Headers are in Indonesian. Statuses stay the API's codes (`on_track`, `no_data`, ...), so a
//! filter or an import reads the same values as in JSON.

pub mod csv;
pub mod format;
pub mod outline;
pub mod realisations;
pub mod xlsx;

mod cells;
#[cfg(test)]
mod sample;

pub use format::ReportFormat;
pub use outline::Outline;

use crate::services::reports::{AchievementReport, ComplianceReport};

/// Names the download of an achievement report, such as
/// `capaian-semarang-2023-2024-2023-TW1.xlsx`. A provisional report ends in `-sementara`, so
/// that its file is not taken for the verified one.
pub fn achievement_file_name(report: &AchievementReport, format: ReportFormat) -> String {
    let mut name = file_stem("capaian", &report.roadmap.code, report.year, report.quarter);
    if report.basis == crate::services::achievement::Basis::Provisional {
        name.push_str("-sementara");
    }
    format!("{name}.{}", format.extension())
}

/// Names the download of a compliance report, such as `kepatuhan-semarang-2023-2024-2023.csv`.
pub fn compliance_file_name(report: &ComplianceReport, format: ReportFormat) -> String {
    let name = file_stem("kepatuhan", &report.roadmap.code, report.year, report.quarter);
    format!("{name}.{}", format.extension())
}

/// Joins the parts of a report's file name.
fn file_stem(kind: &str, roadmap_code: &str, year: i32, quarter: Option<u8>) -> String {
    let mut stem = format!("{kind}-{}-{year}", safe_name(roadmap_code));
    if let Some(quarter) = quarter {
        stem.push_str(&format!("-TW{quarter}"));
    }
    stem
}

/// Keeps only ASCII letters, digits, `-` and `_` of a code in a file name, so that the name is
/// safe in a `Content-Disposition` header and on any disk.
fn safe_name(code: &str) -> String {
    code.chars()
        .map(|character| if character.is_ascii_alphanumeric() || character == '_' { character } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stem_parts() {
        assert_eq!(file_stem("capaian", "semarang-2023-2024", 2023, Some(1)), "capaian-semarang-2023-2024-2023-TW1");
        assert_eq!(file_stem("kepatuhan", "semarang-2023-2024", 2024, None), "kepatuhan-semarang-2023-2024-2024");
        assert_eq!(file_stem("capaian", "kota lama/\"x\"", 2023, None), "capaian-kota-lama--x--2023");
    }
}
