//! Bulk import of realisations: reads a CSV file into rows, one realisation each, and checks
//! what needs no database: the header row, flags, notes and the row count. The service checks
//! each row against the road map and the caller's permissions.
//!
//! The first line is the header row; column names are Indonesian or English, in any case and
//! order. Cells are separated by commas, or by semicolons when the header row has semicolons
//! and no comma, as spreadsheets set to Indonesian write them.

use std::collections::HashMap;

use super::realisation::{ValueInput, read_note};
use crate::error::FieldError;

/// Maximum number of data rows in one file, the header row not counted.
pub const MAX_ROWS: usize = 5000;

/// A column of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
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

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Indicator,
        Column::Period,
        Column::Value,
        Column::Numerator,
        Column::Denominator,
        Column::Grade,
        Column::Met,
        Column::Note,
        Column::Submit,
    ];

    /// Returns the Indonesian and the English column name. The English name is also the field
    /// name of a single submission's JSON body.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Column::Indicator => ("indikator", "indicator"),
            Column::Period => ("periode", "period"),
            Column::Value => ("nilai", "value"),
            Column::Numerator => ("pembilang", "numerator"),
            Column::Denominator => ("penyebut", "denominator"),
            Column::Grade => ("predikat", "grade"),
            Column::Met => ("tercapai", "met"),
            Column::Note => ("catatan", "note"),
            Column::Submit => ("kirim", "submit"),
        }
    }

    fn from_name(name: &str) -> Option<Column> {
        let name = name.trim().to_lowercase();
        Column::ALL.into_iter().find(|column| {
            let (indonesian, english) = column.names();
            name == indonesian || name == english
        })
    }
}

/// The header row: the column of each cell, and each column's name as the file spells it.
#[derive(Clone, Debug, Default)]
pub struct Header {
    columns: Vec<Column>,
    spelled: HashMap<Column, String>,
}

impl Header {
    /// Returns a column's name as the file spells it, or its Indonesian name when the file has
    /// no such column.
    pub fn name(&self, column: Column) -> String {
        self.spelled.get(&column).cloned().unwrap_or_else(|| column.names().0.to_string())
    }

    /// Returns the column name for a field name of a single submission (`value`, `period`),
    /// so that a problem found by the single-submission rules names the file's column.
    pub fn name_of_field(&self, field: &str) -> String {
        match Column::from_name(field) {
            Some(column) => self.name(column),
            None => field.to_string(),
        }
    }
}

/// One data row, read but not yet checked against its indicator.
#[derive(Clone, Debug)]
pub struct BulkRow {
    /// Line of the file, counted from 1 (the header row).
    pub line: u64,
    pub indicator: String,
    pub period: String,
    /// The value cells, each as text, so that the single-submission rules read Indonesian
    /// notation (`74,5`, `1.077`) as they do in JSON strings.
    pub value: ValueInput,
    pub note: Option<String>,
    pub submit: bool,
}

/// A file read whole: its header, the rows that passed the checks here, and the problems of
/// the others.
#[derive(Debug, Default)]
pub struct BulkFile {
    pub header: Header,
    pub rows: Vec<BulkRow>,
    pub errors: Vec<FieldError>,
}

/// Reads a CSV file. A problem with the file as a whole (not UTF-8 text, a bad header row, no
/// data rows, more than `MAX_ROWS` rows) is returned as the error. Problems of single rows are
/// collected in `BulkFile::errors`, so that one response can list them all.
pub fn read_csv(bytes: &[u8]) -> Result<BulkFile, Vec<FieldError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter_of(bytes)).from_reader(bytes);
    let mut records = reader.byte_records();

    let header_record = match records.next() {
        Some(Ok(record)) => record,
        Some(Err(error)) => return Err(vec![unreadable(&error)]),
        None => return Err(vec![file_error(1, "berkas kosong", "the file is empty")]),
    };
    let header = read_header(&header_record)?;

    let mut file = BulkFile { header, ..BulkFile::default() };
    let mut count = 0;
    for record in records {
        let record = record.map_err(|error| vec![unreadable(&error)])?;
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        count += 1;
        if count > MAX_ROWS {
            return Err(vec![file_error(
                line_of(bytes, &record),
                format!("berkas berisi lebih dari {MAX_ROWS} baris data; bagi menjadi beberapa berkas"),
                format!("the file has more than {MAX_ROWS} data rows; split it into several files"),
            )]);
        }
        match read_row(&file.header, line_of(bytes, &record), &record) {
            Ok(row) => file.rows.push(row),
            Err(errors) => file.errors.extend(errors),
        }
    }
    if count == 0 {
        return Err(vec![file_error(
            1,
            "berkas hanya berisi baris kepala; tambahkan satu baris per realisasi",
            "the file has a header row only; add one row per realisation",
        )]);
    }
    Ok(file)
}

/// Chooses `;` when the first line has semicolons and no comma, else `,`.
fn delimiter_of(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|byte| *byte == b'\n').next().unwrap_or_default();
    if first_line.contains(&b';') && !first_line.contains(&b',') { b';' } else { b',' }
}

fn read_header(record: &csv::ByteRecord) -> Result<Header, Vec<FieldError>> {
    let mut header = Header::default();
    let mut errors = Vec::new();
    for (index, cell) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(cell).trim().to_string();
        match Column::from_name(&name) {
            Some(column) if header.spelled.contains_key(&column) => errors.push(FieldError::new(
                name.clone(),
                format!("kolom {name} sama dengan kolom {}; sebut setiap kolom sekali", header.name(column)),
                format!("column {name} repeats column {}; name each column once", header.name(column)),
            )),
            Some(column) => {
                header.spelled.insert(column, name);
                header.columns.push(column);
            }
            None => errors.push(FieldError::new(
                name.clone(),
                format!("kolom ke-{} {name:?} tidak dikenal; kolom yang diterima: {}", index + 1, known_names()),
                format!("column {} {name:?} is unknown; the accepted columns are: {}", index + 1, known_names()),
            )),
        }
    }
    for column in [Column::Indicator, Column::Period] {
        if !header.spelled.contains_key(&column) {
            let (indonesian, english) = column.names();
            errors.push(FieldError::new(
                indonesian,
                format!("kolom {indonesian} (atau {english}) wajib ada di baris kepala"),
                format!("the header row must have the column {indonesian} (or {english})"),
            ));
        }
    }
    if errors.is_empty() { Ok(header) } else { Err(errors.into_iter().map(|error| place(error, 1)).collect()) }
}

fn read_row(header: &Header, line: u64, record: &csv::ByteRecord) -> Result<BulkRow, Vec<FieldError>> {
    let mut errors = Vec::new();
    if record.len() != header.columns.len() {
        errors.push(file_error(
            line,
            format!("baris ini berisi {} sel, padahal baris kepala {} kolom", record.len(), header.columns.len()),
            format!("this row has {} cells, but the header row has {} columns", record.len(), header.columns.len()),
        ));
        return Err(errors);
    }

    let mut cells: HashMap<Column, String> = HashMap::new();
    for (column, cell) in header.columns.iter().zip(record.iter()) {
        match std::str::from_utf8(cell) {
            Ok(text) if !text.trim().is_empty() => {
                cells.insert(*column, text.trim().to_string());
            }
            Ok(_) => {}
            Err(_) => errors.push(cell_error(
                header,
                line,
                *column,
                "bukan teks UTF-8; simpan berkas sebagai CSV UTF-8",
                "is not UTF-8 text; save the file as CSV UTF-8",
            )),
        }
    }
    let mut take = |column: Column| cells.remove(&column);

    let indicator = take(Column::Indicator);
    let period = take(Column::Period);
    for (column, cell) in [(Column::Indicator, &indicator), (Column::Period, &period)] {
        if cell.is_none() {
            errors.push(cell_error(header, line, column, "wajib diisi", "is required"));
        }
    }
    let value = ValueInput {
        value: take(Column::Value).map(serde_json::Value::String),
        numerator: take(Column::Numerator).map(serde_json::Value::String),
        denominator: take(Column::Denominator).map(serde_json::Value::String),
        grade: take(Column::Grade),
        met: read_flag(header, line, Column::Met, take(Column::Met), &mut errors),
    };
    let note = read_note(take(Column::Note).as_deref(), "note", false)
        .map_err(|error| errors.push(error.at_line(line, header.name(Column::Note))))
        .unwrap_or_default();
    let submit = read_flag(header, line, Column::Submit, take(Column::Submit), &mut errors).unwrap_or(true);

    match (indicator, period) {
        (Some(indicator), Some(period)) if errors.is_empty() => {
            Ok(BulkRow { line, indicator, period, value, note, submit })
        }
        _ => Err(errors),
    }
}

/// Reads `true`/`false` or `ya`/`tidak`, in any case; a blank cell is `None`.
fn read_flag(
    header: &Header,
    line: u64,
    column: Column,
    cell: Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<bool> {
    let text = cell?;
    match text.to_lowercase().as_str() {
        "true" | "ya" => Some(true),
        "false" | "tidak" => Some(false),
        _ => {
            errors.push(cell_error(
                header,
                line,
                column,
                format!("{text:?} bukan pilihan; tulis true atau false (ya atau tidak)"),
                format!("{text:?} is not a choice; write true or false (ya or tidak)"),
            ));
            None
        }
    }
}

fn known_names() -> String {
    let names: Vec<String> = Column::ALL
        .iter()
        .map(|column| {
            let (indonesian, english) = column.names();
            format!("{indonesian}/{english}")
        })
        .collect();
    names.join(", ")
}

/// Counts the line a record starts on, because the `csv` crate's own line count leaves out the
/// blank lines it skips. The record's byte offset is where reading began, before those lines.
fn line_of(bytes: &[u8], record: &csv::ByteRecord) -> u64 {
    let mut start = record.position().map_or(0, |position| position.byte() as usize).min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
        start += 1;
    }
    bytes[..start].iter().filter(|byte| **byte == b'\n').count() as u64 + 1
}

fn place(error: FieldError, line: u64) -> FieldError {
    let field = error.field.clone();
    error.at_line(line, field)
}

fn cell_error(
    header: &Header,
    line: u64,
    column: Column,
    indonesian: impl Into<String>,
    english: impl Into<String>,
) -> FieldError {
    FieldError::new("", indonesian, english).at_line(line, header.name(column))
}

/// Builds a problem of a whole line rather than one cell, under the field `baris` (row).
fn file_error(line: u64, indonesian: impl Into<String>, english: impl Into<String>) -> FieldError {
    FieldError::new("baris", indonesian, english).at_line(line, "baris")
}

fn unreadable(error: &csv::Error) -> FieldError {
    let line = error.position().map_or(1, csv::Position::line);
    file_error(line, format!("berkas CSV tidak terbaca: {error}"), format!("the CSV file cannot be read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Lang;

    fn problems(errors: &[FieldError]) -> Vec<(Option<u64>, String)> {
        errors.iter().map(|error| (error.line, error.field.clone())).collect()
    }

    #[test]
    fn reads_indonesian_and_english_headers() {
        let file = read_csv(b"Indikator,period,nilai,Predikat,kirim\nIND-05,2023-Q1,\"76,5\",BB,tidak\n").unwrap();

        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let row = &file.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.indicator, "IND-05");
        assert_eq!(row.period, "2023-Q1");
        assert_eq!(row.value.value, Some(serde_json::Value::String("76,5".into())));
        assert_eq!(row.value.grade.as_deref(), Some("BB"));
        assert!(!row.submit);
        assert_eq!(file.header.name_of_field("value"), "nilai");
        assert_eq!(file.header.name_of_field("period"), "period");
    }

    #[test]
    fn semicolons_separate_cells_when_header_has_no_comma() {
        let file = read_csv(b"indikator;periode;nilai\nIND-05;2023-Q1;76,5\n").unwrap();

        assert_eq!(file.rows[0].value.value, Some(serde_json::Value::String("76,5".into())));
    }

    #[test]
    fn blank_rows_skipped_submit_defaults_true() {
        let file = read_csv(b"\xEF\xBB\xBFindikator,periode,nilai\n\nIND-05,2023-Q1,70\n,,\n").unwrap();

        assert_eq!(file.rows.len(), 1);
        assert!(file.rows[0].submit);
        assert_eq!(file.rows[0].line, 3);
    }

    #[test]
    fn unknown_column_is_named() {
        let errors = read_csv(b"indikator,periode,nilai,satuan\nIND-05,2023-Q1,70,persen\n").unwrap_err();

        assert_eq!(problems(&errors), vec![(Some(1), "satuan".to_string())]);
        assert!(errors[0].message(Lang::En).contains("\"satuan\" is unknown"), "{}", errors[0].message(Lang::En));
    }

    #[test]
    fn missing_and_repeated_columns_are_refused() {
        let errors = read_csv(b"nilai,value\n70,70\n").unwrap_err();

        assert_eq!(
            problems(&errors),
            vec![(Some(1), "value".to_string()), (Some(1), "indikator".to_string()), (Some(1), "periode".to_string())]
        );
    }

    #[test]
    fn bad_rows_listed_by_line_and_column() {
        let source = "indikator,periode,nilai,tercapai,kirim\n\
                      IND-05,2023-Q1,70,,\n\
                      ,2023-Q1,70,,\n\
                      IND-12,2023-Q1,teks,mungkin,\n\
                      IND-05,2023-Q2,70,,nanti\n\
                      IND-05,2023-Q3,70\n";

        let file = read_csv(source.as_bytes()).unwrap();

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
    fn header_only_and_empty_files_are_refused() {
        assert!(read_csv(b"").is_err());
        assert!(read_csv(b"indikator,periode,nilai\n").is_err());
    }

    #[test]
    fn more_than_max_rows_is_refused() {
        let mut source = String::from("indikator,periode,nilai\n");
        for _ in 0..=MAX_ROWS {
            source.push_str("IND-05,2023-Q1,70\n");
        }

        let errors = read_csv(source.as_bytes()).unwrap_err();

        assert_eq!(errors[0].line, Some(MAX_ROWS as u64 + 2));
        assert!(errors[0].message(Lang::En).contains("more than 5000"), "{}", errors[0].message(Lang::En));
    }
}
