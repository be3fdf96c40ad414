//! The bulk import of realisations: its columns, and the reading of one row into a realisation
//! with the checks that need no database (required cells, flags, notes). The service checks
//! each row against the road map and the caller's permissions.

use super::{Cell, Column, RowCells, Sheet, interpret, json_number};
use crate::domain::realisation::{ValueInput, read_note};
use crate::error::FieldError;

/// A column of a realisation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RealisationColumn {
    Indicator,
    Period,
    Value,
    Numerator,
    Denominator,
    Grade,
    Met,
    Note,
    Submit,
}

impl Column for RealisationColumn {
    const ALL: &'static [RealisationColumn] = &[
        RealisationColumn::Indicator,
        RealisationColumn::Period,
        RealisationColumn::Value,
        RealisationColumn::Numerator,
        RealisationColumn::Denominator,
        RealisationColumn::Grade,
        RealisationColumn::Met,
        RealisationColumn::Note,
        RealisationColumn::Submit,
    ];
    const REQUIRED: &'static [RealisationColumn] = &[RealisationColumn::Indicator, RealisationColumn::Period];
    const ROW_NOUN: (&'static str, &'static str) = ("realisasi", "realisation");

    /// Returns the Indonesian and the English name; the English one is also the field name of a
    /// single submission's JSON body.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            RealisationColumn::Indicator => ("indikator", "indicator"),
            RealisationColumn::Period => ("periode", "period"),
            RealisationColumn::Value => ("nilai", "value"),
            RealisationColumn::Numerator => ("pembilang", "numerator"),
            RealisationColumn::Denominator => ("penyebut", "denominator"),
            RealisationColumn::Grade => ("predikat", "grade"),
            RealisationColumn::Met => ("tercapai", "met"),
            RealisationColumn::Note => ("catatan", "note"),
            RealisationColumn::Submit => ("kirim", "submit"),
        }
    }
}

/// One data row, read but not yet checked against its indicator.
#[derive(Clone, Debug)]
pub struct BulkRow {
    /// Line of the file, counted from 1 (the header row), or the workbook's row number.
    pub line: u64,
    pub indicator: String,
    pub period: String,
    /// The value cells. Text stays text, so that the single-submission rules read Indonesian
    /// notation (`74,5`, `1.077`) as they do in JSON strings. A workbook's number cell is a
    /// JSON number, which is never read as Indonesian notation.
    pub value: ValueInput,
    pub note: Option<String>,
    pub submit: bool,
}

/// A realisation file read whole.
pub type RealisationFile = super::BulkFile<RealisationColumn, BulkRow>;

/// Reads a sheet as realisations, one per data row.
pub fn read_realisations(sheet: Sheet) -> Result<RealisationFile, Vec<FieldError>> {
    interpret(sheet, read_row)
}

fn read_row(cells: &mut RowCells<'_, RealisationColumn>) -> Option<BulkRow> {
    let indicator = cells.required_text(RealisationColumn::Indicator);
    let period = cells.required_text(RealisationColumn::Period);
    let value = ValueInput {
        value: figure(cells, RealisationColumn::Value),
        numerator: figure(cells, RealisationColumn::Numerator),
        denominator: figure(cells, RealisationColumn::Denominator),
        grade: cells.text(RealisationColumn::Grade),
        met: cells.flag(RealisationColumn::Met),
    };
    let note = read_note(cells.text(RealisationColumn::Note).as_deref(), "note", false)
        .map_err(|error| cells.field_error(error))
        .unwrap_or_default();
    let submit = cells.flag(RealisationColumn::Submit).unwrap_or(true);

    Some(BulkRow { line: cells.line, indicator: indicator?, period: period?, value, note, submit })
}

/// Takes a value cell as the JSON value a single submission would send.
fn figure(cells: &mut RowCells<'_, RealisationColumn>, column: RealisationColumn) -> Option<serde_json::Value> {
    match cells.take(column)? {
        Cell::Number(number) => Some(json_number(&number)),
        Cell::Flag(flag) => Some(serde_json::Value::Bool(flag)),
        Cell::Text(text) => Some(serde_json::Value::String(text)),
        Cell::Invalid { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bulk::csv_file::read_csv;
    use crate::domain::lang::Lang;

    fn read(source: &str) -> Result<RealisationFile, Vec<FieldError>> {
        read_realisations(read_csv(source.as_bytes())?)
    }

    fn problems(errors: &[FieldError]) -> Vec<(Option<u64>, String)> {
        errors.iter().map(|error| (error.line, error.field.clone())).collect()
    }

    #[test]
    fn reads_indonesian_and_english_headers() {
        let file = read("Indikator,period,nilai,Predikat,kirim\nIND-05,2023-Q1,\"76,5\",BB,tidak\n").unwrap();

        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let row = &file.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.indicator, "IND-05");
        assert_eq!(row.period, "2023-Q1");
        assert_eq!(row.value.value, Some(serde_json::Value::String("76,5".into())));
        assert_eq!(row.value.grade.as_deref(), Some("BB"));
        assert!(!row.submit);
        assert_eq!(file.header.name(RealisationColumn::Value), "nilai");
        assert_eq!(file.header.name(RealisationColumn::Period), "period");
    }

    #[test]
    fn submit_defaults_true() {
        let file = read("indikator,periode,nilai\nIND-05,2023-Q1,70\n").unwrap();

        assert!(file.rows[0].submit);
    }

    #[test]
    fn unknown_column_is_named() {
        let errors = read("indikator,periode,nilai,satuan\nIND-05,2023-Q1,70,persen\n").unwrap_err();

        assert_eq!(problems(&errors), vec![(Some(1), "satuan".to_string())]);
        assert!(errors[0].message(Lang::En).contains("\"satuan\" is unknown"), "{}", errors[0].message(Lang::En));
    }

    #[test]
    fn missing_and_repeated_columns_are_refused() {
        let errors = read("nilai,value\n70,70\n").unwrap_err();

        assert_eq!(
            problems(&errors),
            vec![(Some(1), "value".to_string()), (Some(1), "indikator".to_string()), (Some(1), "periode".to_string())]
        );
    }

    #[test]
    fn cells_under_a_blank_header_name_are_refused() {
        let file = read("indikator,periode,nilai,\nIND-05,2023-Q1,70,\nIND-05,2023-Q2,70,lebih\n").unwrap();

        assert_eq!(file.rows.len(), 1);
        assert_eq!(problems(&file.errors), vec![(Some(3), "baris".to_string())]);
        assert!(file.errors[0].message(Lang::En).contains("column 4 has a value"), "{:?}", file.errors);
    }

    #[test]
    fn bad_rows_listed_by_line_and_column() {
        let source = "indikator,periode,nilai,tercapai,kirim\n\
                      IND-05,2023-Q1,70,,\n\
                      ,2023-Q1,70,,\n\
                      IND-12,2023-Q1,teks,mungkin,\n\
                      IND-05,2023-Q2,70,,nanti\n\
                      IND-05,2023-Q3,70\n";

        let file = read(source).unwrap();

        assert_eq!(file.rows.len(), 1);
        assert_eq!(
            problems(&file.errors),
            vec![
                (Some(3), "indikator".to_string()),
                (Some(4), "tercapai".to_string()),
                (Some(5), "kirim".to_string()),
                (Some(6), "baris".to_string()),
            ]
        );
    }

    #[test]
    fn header_only_file_is_refused() {
        let errors = read("indikator,periode,nilai\n").unwrap_err();

        assert!(errors[0].message(Lang::En).contains("one row per realisation"), "{:?}", errors);
    }
}
