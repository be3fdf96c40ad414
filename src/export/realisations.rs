//! Realisations in the format of the bulk import, so that an exported file can be corrected and
//! sent back, or imported into another installation: the import's Indonesian column headers,
//! one row per realisation, figures in Indonesian notation.
//!
//! A rate's percentage is left out, because the import computes it again from the numerator
//! and denominator. `kirim` is `tidak` for a draft and `ya` for every other state, so an
//! import creates drafts and submitted realisations; verification is not carried over.

use super::ReportFormat;
use super::cells::Cell;
use crate::db::realisations::CodedRealisation;
use crate::domain::bulk::Column;
use crate::domain::bulk::realisations::RealisationColumn;
use crate::domain::decimal::Decimal;
use crate::domain::period::PeriodCode;
use crate::domain::realisation::RealisationState;

/// Maximum number of realisations in one export; narrower filters split a larger one.
pub const MAX_ROWS: usize = 50_000;

/// Returns the column headers: the import's Indonesian column names, in its order.
pub fn columns() -> Vec<&'static str> {
    RealisationColumn::ALL.iter().map(|column| column.names().0).collect()
}

/// Lays out one realisation as a row, in the order of `columns`.
pub fn realisation_record(item: &CodedRealisation) -> Vec<Cell> {
    let row = &item.row;
    let figure = |value: &Option<bigdecimal::BigDecimal>| {
        value.clone().map_or(Cell::Empty, |value| Cell::Figure(Decimal::new(value)))
    };
    let text = |value: &Option<String>| value.clone().map_or(Cell::Empty, Cell::Text);
    let flag = |value: bool| Cell::Text(if value { "ya" } else { "tidak" }.to_string());
    let quarter = u8::try_from(item.quarter).unwrap_or_default();
    let value = match (&row.numerator, &row.value_number) {
        (Some(_), _) => Cell::Empty,
        (None, Some(_)) => figure(&row.value_number),
        (None, None) => text(&row.value_text),
    };
    vec![
        Cell::Text(item.indicator_code.clone()),
        Cell::Text(PeriodCode { year: item.year, quarter }.to_string()),
        value,
        figure(&row.numerator),
        figure(&row.denominator),
        text(&row.grade),
        row.met.map_or(Cell::Empty, flag),
        text(&row.note),
        flag(row.state != RealisationState::Draft.as_ref()),
    ]
}

/// Names the download, such as `realisasi-semarang-2023-2024-2023-Q1-BAPPEDA.csv`: the road
/// map's code, then the filters in the order given (period, indicator, organisation, state).
pub fn file_name(roadmap_code: &str, filters: &[String], format: ReportFormat) -> String {
    let mut name = format!("realisasi-{}", super::safe_name(roadmap_code));
    for filter in filters {
        name.push('-');
        name.push_str(&super::safe_name(filter));
    }
    format!("{name}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use bigdecimal::BigDecimal;
    use chrono::Utc;

    use super::*;
    use crate::db::realisations::RealisationRow;

    fn realisation(state: &str) -> RealisationRow {
        RealisationRow {
            id: 1,
            indicator_id: 38,
            period_id: 1,
            organisation_id: 3,
            state: state.into(),
            version: 1,
            printed: None,
            value_number: None,
            numerator: None,
            denominator: None,
            value_text: None,
            grade: None,
            met: None,
            note: None,
            created_by_user_id: None,
            created_by_client_id: None,
            submitted_at: None,
            submitted_by_user_id: None,
            submitted_by_client_id: None,
            timeliness: None,
            reviewed_at: None,
            reviewed_by_user_id: None,
            review_note: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn coded(row: RealisationRow) -> CodedRealisation {
        CodedRealisation { indicator_code: "IND-38".into(), year: 2023, quarter: 1, row }
    }

    fn number(text: &str) -> Option<BigDecimal> {
        Some(BigDecimal::from_str(text).unwrap())
    }

    #[test]
    fn columns_are_the_imports() {
        assert_eq!(
            columns(),
            ["indikator", "periode", "nilai", "pembilang", "penyebut", "predikat", "tercapai", "catatan", "kirim"]
        );
    }

    #[test]
    fn rate_keeps_counts_and_leaves_the_percentage_out() {
        let row = RealisationRow {
            value_number: number("30"),
            numerator: number("15"),
            denominator: number("1077"),
            note: Some("Rekap, \"final\"".into()),
            ..realisation("verified")
        };

        let cells: Vec<String> = realisation_record(&coded(row)).iter().map(Cell::to_csv_text).collect();

        assert_eq!(cells, ["IND-38", "2023-Q1", "", "15", "1.077", "", "", "Rekap, \"final\"", "ya"]);
    }

    #[test]
    fn numbers_text_and_flags() {
        let number_row =
            RealisationRow { value_number: number("76.50"), grade: Some("BB".into()), ..realisation("draft") };
        let text_row = RealisationRow {
            value_text: Some("Dua OPD diusulkan".into()),
            met: Some(false),
            ..realisation("returned")
        };

        let number_cells: Vec<String> = realisation_record(&coded(number_row)).iter().map(Cell::to_csv_text).collect();
        let text_cells: Vec<String> = realisation_record(&coded(text_row)).iter().map(Cell::to_csv_text).collect();

        assert_eq!(number_cells[2..], ["76,5", "", "", "BB", "", "", "tidak"]);
        assert_eq!(text_cells[2..], ["Dua OPD diusulkan", "", "", "", "tidak", "", "ya"]);
    }

    #[test]
    fn file_names_carry_the_filters() {
        let filters = ["2023-Q1".to_string(), "BAPPEDA".to_string()];

        assert_eq!(file_name("semarang-2023-2024", &[], ReportFormat::Csv), "realisasi-semarang-2023-2024.csv");
        assert_eq!(
            file_name("semarang-2023-2024", &filters, ReportFormat::Xlsx),
            "realisasi-semarang-2023-2024-2023-Q1-BAPPEDA.xlsx"
        );
    }
}
