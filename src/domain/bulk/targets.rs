//! The bulk import of targets: its columns, and the reading of one row into a target revision
//! with the checks that need no database (required cells, year and quarter). The service checks
//! the rest with the rules of a single revision: the indicator, the years of the road map, the
//! value against the indicator's kind, the reason and the reference.

use super::{Cell, Column, RowCells, Sheet, interpret};
use crate::error::FieldError;

/// A column of a target file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetColumn {
    Indicator,
    Year,
    Quarter,
    Target,
    Reason,
    Reference,
}

impl Column for TargetColumn {
    const ALL: &'static [TargetColumn] = &[
        TargetColumn::Indicator,
        TargetColumn::Year,
        TargetColumn::Quarter,
        TargetColumn::Target,
        TargetColumn::Reason,
        TargetColumn::Reference,
    ];
    const REQUIRED: &'static [TargetColumn] = &[
        TargetColumn::Indicator,
        TargetColumn::Year,
        TargetColumn::Target,
        TargetColumn::Reason,
        TargetColumn::Reference,
    ];
    const ROW_NOUN: (&'static str, &'static str) = ("target", "target");

    fn names(self) -> (&'static str, &'static str) {
        match self {
            TargetColumn::Indicator => ("indikator", "indicator"),
            TargetColumn::Year => ("tahun", "year"),
            TargetColumn::Quarter => ("triwulan", "quarter"),
            TargetColumn::Target => ("target", "target"),
            TargetColumn::Reason => ("alasan", "reason"),
            TargetColumn::Reference => ("rujukan", "reference"),
        }
    }

    /// Returns the field name of a single revision's body, which names the target `value`.
    fn field(self) -> &'static str {
        match self {
            TargetColumn::Target => "value",
            other => other.names().1,
        }
    }
}

/// One data row, read but not yet checked against its indicator.
#[derive(Clone, Debug)]
pub struct TargetRow {
    pub line: u64,
    pub indicator: String,
    pub year: i32,
    /// From 1 to 4 for a quarter's target; `None` for the year's.
    pub quarter: Option<i16>,
    /// The target as it would be printed, in Indonesian notation.
    pub value: String,
    pub reason: String,
    pub reference: String,
}

/// A target file read whole.
pub type TargetFile = super::BulkFile<TargetColumn, TargetRow>;

/// Reads a sheet as target revisions, one per data row.
pub fn read_targets(sheet: Sheet) -> Result<TargetFile, Vec<FieldError>> {
    interpret(sheet, read_row)
}

fn read_row(cells: &mut RowCells<'_, TargetColumn>) -> Option<TargetRow> {
    let indicator = cells.required_text(TargetColumn::Indicator);
    let year = if cells.has(TargetColumn::Year) {
        cells.whole_number(TargetColumn::Year, 1900..=2200)
    } else {
        cells.error(TargetColumn::Year, "wajib diisi, misalnya 2024", "is required, for example 2024");
        None
    };
    let quarter = cells.whole_number(TargetColumn::Quarter, 1..=4);
    let value = printed(cells);
    let reason = cells.text(TargetColumn::Reason).unwrap_or_default();
    let reference = cells.text(TargetColumn::Reference).unwrap_or_default();

    Some(TargetRow {
        line: cells.line,
        indicator: indicator?,
        year: i32::try_from(year?).ok()?,
        quarter: quarter.and_then(|quarter| i16::try_from(quarter).ok()),
        value,
        reason,
        reference,
    })
}

/// Takes the target as printed text. A workbook's number cell is written in Indonesian
/// notation, the notation the single revision reads, so that `74.5` stays seventy-four and a
/// half.
fn printed(cells: &mut RowCells<'_, TargetColumn>) -> String {
    match cells.take(TargetColumn::Target) {
        Some(Cell::Number(number)) => number.to_indonesian(),
        Some(Cell::Text(text)) => text,
        Some(Cell::Flag(flag)) => flag.to_string(),
        Some(Cell::Invalid { .. }) | None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bulk::csv_file::read_csv;
    use crate::domain::bulk::{FileFormat, SheetRow};
    use crate::domain::decimal::Decimal;

    fn problems(errors: &[FieldError]) -> Vec<(Option<u64>, String)> {
        errors.iter().map(|error| (error.line, error.field.clone())).collect()
    }

    #[test]
    fn reads_year_and_quarter_targets() {
        let source = "indicator,year,quarter,target,reason,reference\n\
                      IND-40,2024,,950 orang,Angka P3KE,Data P3KE\n\
                      IND-40,2024,1,\"1.000 orang\",Target antara,Renja\n";

        let file = read_targets(read_csv(source.as_bytes()).unwrap()).unwrap();

        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.rows[0].quarter, None);
        assert_eq!(file.rows[0].value, "950 orang");
        assert_eq!(file.rows[1].quarter, Some(1));
        assert_eq!(file.rows[1].year, 2024);
        assert_eq!(file.rows[1].reference, "Renja");
    }

    #[test]
    fn bad_year_and_quarter_are_named() {
        let source = "indikator,tahun,triwulan,target,alasan,rujukan\n\
                      IND-40,dua ribu,,950,a,b\n\
                      IND-40,2024,5,950,a,b\n\
                      IND-40,,,950,a,b\n";

        let file = read_targets(read_csv(source.as_bytes()).unwrap()).unwrap();

        assert!(file.rows.is_empty());
        assert_eq!(
            problems(&file.errors),
            vec![(Some(2), "tahun".to_string()), (Some(3), "triwulan".to_string()), (Some(4), "tahun".to_string())]
        );
    }

    #[test]
    fn workbook_numbers_become_indonesian_notation() {
        let sheet = Sheet {
            format: FileFormat::Xlsx,
            header: ["indikator", "tahun", "target", "alasan", "rujukan"].map(String::from).to_vec(),
            header_line: 1,
            rows: vec![SheetRow {
                line: 2,
                cells: vec![
                    (0, Cell::Text("IND-05".into())),
                    (1, Cell::Number(Decimal::parse_plain("2024").unwrap())),
                    (2, Cell::Number(Decimal::parse_plain("1077.5").unwrap())),
                ],
                problem: None,
            }],
        };

        let file = read_targets(sheet).unwrap();

        assert_eq!(file.rows[0].year, 2024);
        assert_eq!(file.rows[0].value, "1.077,5");
        assert_eq!(file.rows[0].reason, "");
    }
}
