//! The cells that both the CSV and the XLSX forms write, taken from the report rows.

use serde::Serialize;

use crate::domain::achievement::{Achievement, Figure, Status, format_percent};
use crate::domain::decimal::Decimal;
use crate::domain::value::FigureValue;
use crate::services::reports::{ComplianceRow, IndicatorReportRow};
use crate::views::{FigureView, OrganisationRef};

/// One cell of an exported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A figure: plain notation in CSV, a number with two decimals in XLSX.
    Number(Decimal),
    /// An achievement percentage, always with two decimals as in the JSON report.
    Percent(Decimal),
    /// A whole count.
    Count(usize),
    /// A reported figure in Indonesian notation (`74,5`, `1.077`), as a bulk import reads it:
    /// text in CSV, a number cell in XLSX when a double represents it exactly.
    Figure(Decimal),
    Text(String),
    Empty,
}

impl Cell {
    /// Writes the cell as CSV text: numbers in plain machine notation with a dot.
    pub fn to_csv_text(&self) -> String {
        match self {
            Cell::Number(value) => value.to_string(),
            Cell::Percent(value) => format_percent(value),
            Cell::Count(count) => count.to_string(),
            Cell::Figure(value) => value.to_indonesian(),
            Cell::Text(text) => guard_formula(text),
            Cell::Empty => String::new(),
        }
    }
}

/// Prefixes an apostrophe to text that a spreadsheet would run as a formula when it opens the
/// CSV (a leading `=`, `+`, `@`, tab or carriage return, or `-` before more text). A lone
/// `-`, the road map's mark of a value not yet set, is left as it is. The bulk import drops
/// the apostrophe again.
fn guard_formula(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '@', '\t', '\r']) || (text.starts_with('-') && text.len() > 1);
    if risky { format!("'{text}") } else { text.to_string() }
}

/// Returns the API code of an enum, such as `on_track`, as its JSON form writes it.
pub fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Converts a figure for a spreadsheet cell. Road map figures have at most 30 digits, and those
/// beyond a double's 15 to 17 significant digits are rounded.
pub fn to_f64(value: &Decimal) -> f64 {
    value.to_string().parse().unwrap_or(f64::NAN)
}

/// Makes a baseline or target cell: a number when it is one, else the printed text (bands,
/// thresholds, categories, text, values not yet set).
pub fn figure_cell(figure: Option<&FigureView>) -> Cell {
    match figure {
        Some(FigureView { value: FigureValue::Number { value, .. }, .. }) => Cell::Number(value.clone()),
        Some(figure) => Cell::Text(figure.printed.clone()),
        None => Cell::Empty,
    }
}

/// Makes a cell of a baseline's or target's number, empty when it is not a plain number.
fn figure_number(figure: Option<&FigureView>) -> Cell {
    match figure_cell(figure) {
        Cell::Number(value) => Cell::Number(value),
        _ => Cell::Empty,
    }
}

fn figure_printed(figure: Option<&FigureView>) -> Cell {
    figure.map_or(Cell::Empty, |figure| Cell::Text(figure.printed.clone()))
}

/// Makes a realisation cell: a number, a category name or a text.
pub fn realisation_cell(figure: Option<&Figure>) -> Cell {
    match figure {
        Some(Figure::Number { value, .. }) => Cell::Number(value.clone()),
        Some(Figure::Category { name }) => Cell::Text(name.clone()),
        Some(Figure::Text { text, .. }) => Cell::Text(text.clone()),
        None => Cell::Empty,
    }
}

pub fn percent_cell(achievement: &Achievement) -> Cell {
    match (&achievement.status, &achievement.percent) {
        (Status::Computed, Some(percent)) => Cell::Percent(percent.clone()),
        _ => Cell::Empty,
    }
}

pub fn organisation_names(organisations: &[OrganisationRef]) -> String {
    organisations.iter().map(|organisation| organisation.name.as_str()).collect::<Vec<_>>().join("; ")
}

fn organisation_codes(organisations: &[OrganisationRef]) -> String {
    organisations.iter().map(|organisation| organisation.code.as_str()).collect::<Vec<_>>().join("; ")
}

/// Column headers of the flat indicator table: the achievement CSV and the workbook's
/// `Semua Indikator` sheet.
pub const INDICATOR_COLUMNS: [&str; 16] = [
    "Kode",
    "Indikator",
    "Satuan",
    "Penempatan",
    "Koordinator",
    "Pelaksana",
    "Baseline",
    "Baseline tertulis",
    "Target",
    "Target tertulis",
    "Target direvisi",
    "Realisasi",
    "Realisasi teks",
    "Status realisasi",
    "Capaian (%)",
    "Status",
];

/// Lays out one indicator as a row of the flat table. Organisations are given by code, several
/// joined with `; `. A number column is empty where the figure is not a plain number, and the
/// printed or text column beside it carries the value.
pub fn indicator_record(row: &IndicatorReportRow) -> Vec<Cell> {
    let placements = row.placements.iter().map(|placement| placement.code.as_str()).collect::<Vec<_>>().join("; ");
    let (realisation_number, realisation_text) = match realisation_cell(row.realisation.as_ref()) {
        Cell::Number(value) => (Cell::Number(value), Cell::Empty),
        other => (Cell::Empty, other),
    };
    vec![
        Cell::Text(row.code.clone()),
        Cell::Text(row.name.clone()),
        Cell::Text(row.unit.clone()),
        Cell::Text(placements),
        row.coordinator.as_ref().map_or(Cell::Empty, |coordinator| Cell::Text(coordinator.code.clone())),
        Cell::Text(organisation_codes(&row.implementers)),
        figure_number(row.baseline.as_ref()),
        figure_printed(row.baseline.as_ref()),
        figure_number(row.target.as_ref()),
        figure_printed(row.target.as_ref()),
        Cell::Text(if row.target_revised { "ya" } else { "tidak" }.to_string()),
        realisation_number,
        realisation_text,
        Cell::Text(code(&row.figure_status)),
        percent_cell(&row.achievement),
        Cell::Text(code(&row.status)),
    ]
}

/// Column headers of the compliance table.
pub const COMPLIANCE_COLUMNS: [&str; 12] = [
    "Kode organisasi",
    "Organisasi",
    "Periode",
    "Wajib lapor",
    "Terkirim",
    "Tepat waktu",
    "Terlambat",
    "Dengan pengecualian",
    "Menunggu verifikasi",
    "Dikembalikan",
    "Terverifikasi",
    "Belum lapor",
];

/// Lays out one organisation and period as a row of the compliance table.
pub fn compliance_record(row: &ComplianceRow) -> Vec<Cell> {
    let counts = &row.counts;
    vec![
        Cell::Text(row.organisation.code.clone()),
        Cell::Text(row.organisation.name.clone()),
        Cell::Text(row.period.to_string()),
        Cell::Count(counts.due),
        Cell::Count(counts.submitted),
        Cell::Count(counts.on_time),
        Cell::Count(counts.late),
        Cell::Count(counts.exception),
        Cell::Count(counts.awaiting_verification),
        Cell::Count(counts.returned),
        Cell::Count(counts.verified),
        Cell::Count(counts.missing),
    ]
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use bigdecimal::BigDecimal;

    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::new(BigDecimal::from_str(text).unwrap())
    }

    #[test]
    fn csv_text_of_numbers() {
        assert_eq!(Cell::Number(decimal("22164705670019")).to_csv_text(), "22164705670019");
        assert_eq!(Cell::Number(decimal("3.600")).to_csv_text(), "3.6");
        assert_eq!(Cell::Percent(decimal("75")).to_csv_text(), "75.00");
        assert_eq!(Cell::Percent(decimal("91.67")).to_csv_text(), "91.67");
        assert_eq!(Cell::Count(1077).to_csv_text(), "1077");
        assert_eq!(Cell::Empty.to_csv_text(), "");
    }

    #[test]
    fn csv_text_guards_formulas() {
        assert_eq!(Cell::Text("=HYPERLINK(\"x\")".into()).to_csv_text(), "'=HYPERLINK(\"x\")");
        assert_eq!(Cell::Text("+62".into()).to_csv_text(), "'+62");
        assert_eq!(Cell::Text("@SUM(A1)".into()).to_csv_text(), "'@SUM(A1)");
        assert_eq!(Cell::Text("-2+3".into()).to_csv_text(), "'-2+3");
        assert_eq!(Cell::Text("-".into()).to_csv_text(), "-");
        assert_eq!(Cell::Text("2,5 ± 1%".into()).to_csv_text(), "2,5 ± 1%");
    }

    #[test]
    fn figure_cells_by_kind() {
        let view = |printed: &str, value: FigureValue| FigureView {
            year: 2023,
            quarter: None,
            printed: printed.into(),
            value,
            stated_value: None,
            note: None,
        };
        let number = view("3,6", FigureValue::Number { value: decimal("3.6"), count: None, qualifier: None });
        let band = view("2,5 ± 1%", FigureValue::Band { low: decimal("1.5"), high: decimal("3.5") });

        assert_eq!(figure_cell(Some(&number)), Cell::Number(decimal("3.6")));
        assert_eq!(figure_cell(Some(&band)), Cell::Text("2,5 ± 1%".into()));
        assert_eq!(figure_cell(None), Cell::Empty);
        assert_eq!(figure_number(Some(&band)), Cell::Empty);
        assert_eq!(figure_printed(Some(&number)), Cell::Text("3,6".into()));
    }

    #[test]
    fn percent_only_when_computed() {
        let computed = Achievement { status: Status::Computed, percent: Some(decimal("82.86")), position: None };
        let not_met = Achievement { status: Status::NotMet, percent: None, position: None };

        assert_eq!(percent_cell(&computed), Cell::Percent(decimal("82.86")));
        assert_eq!(percent_cell(&not_met), Cell::Empty);
    }

    #[test]
    fn enum_codes_match_json() {
        assert_eq!(code(&crate::domain::report::ReportStatus::OnTrack), "on_track");
        assert_eq!(code(&Status::NotMet), "not_met");
    }
}
