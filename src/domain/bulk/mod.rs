//! Bulk files: a CSV file or an XLSX workbook read into one sheet of cells, whose header row
//! names the columns of an import. The readers (`csv_file`, `xlsx_file`) know the file
//! formats and nothing of the imports. The row interpreters (`realisations`, `targets`) know
//! their columns and nothing of the formats. What needs the database is checked by the services.
//!
//! Column names are Indonesian or English, in any case and order. A problem is placed by the
//! file's line (in a workbook, its row number) and the column as the file spells it. In a
//! workbook its message also names the cell, such as `C4`.

pub mod csv_file;
pub mod realisations;
pub mod targets;
pub mod xlsx_file;

use std::collections::HashMap;
use std::hash::Hash;
use std::str::FromStr;

use bigdecimal::{BigDecimal, ToPrimitive};

use super::decimal::Decimal;
use crate::error::FieldError;

/// Maximum number of data rows in one file, the header row not counted.
pub const MAX_ROWS: usize = 5000;

/// The format of an uploaded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// One cell that is not blank.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text, trimmed and not empty.
    Text(String),
    /// A number cell of a workbook.
    Number(Decimal),
    /// A TRUE or FALSE cell of a workbook.
    Flag(bool),
    /// A cell that no import takes, such as a date or a formula error, with the reason.
    Invalid { indonesian: String, english: String },
}

impl Cell {
    /// Makes a text cell. Text with U+0000, which PostgreSQL cannot store, is an invalid cell.
    pub fn from_text(text: &str) -> Cell {
        if text.contains('\0') {
            return Cell::Invalid {
                indonesian: "tidak boleh berisi karakter NUL (U+0000)".into(),
                english: "must not contain the NUL character (U+0000)".into(),
            };
        }
        Cell::Text(text.to_string())
    }

    /// Writes the cell as text: a number in plain notation with a dot, so that an id stays an id.
    fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(number) => number.to_string(),
            Cell::Flag(flag) => flag.to_string(),
            Cell::Invalid { .. } => String::new(),
        }
    }
}

/// Reads a workbook's number cell. A double carries noise beyond its 15th significant digit,
/// such as the `0.30000000000000004` of `0.1 + 0.2`, so the number is rounded to 15
/// significant digits, as spreadsheet programs show it.
pub fn spreadsheet_number(number: f64) -> Option<Decimal> {
    if !number.is_finite() {
        return None;
    }
    BigDecimal::from_str(&format!("{number:.14e}")).ok().map(Decimal::new)
}

/// Turns a number into a JSON number for the single-submission rules, which read a JSON number
/// as a number and never as Indonesian notation. A whole number that fits `i64` stays exact;
/// others go through a double, which keeps the 15 significant digits of a workbook's number.
pub fn json_number(number: &Decimal) -> serde_json::Value {
    let value = number.as_big_decimal();
    if value.is_integer()
        && let Some(whole) = value.to_i64()
    {
        return serde_json::Value::from(whole);
    }
    number
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| serde_json::Value::String(number.to_indonesian()), serde_json::Value::Number)
}

/// One data row of a sheet: its line and its cells that are not blank, by column index.
#[derive(Clone, Debug, Default)]
pub struct SheetRow {
    /// The line of the file, or the row number of the workbook, counted from 1.
    pub line: u64,
    pub cells: Vec<(usize, Cell)>,
    /// A problem of the row as a whole, such as a wrong number of cells.
    pub problem: Option<(String, String)>,
}

/// A file read into cells: the header row's names and the data rows, blank rows left out.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub format: FileFormat,
    /// The header row's cells as text, by column index; blank where a column has no name.
    pub header: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<SheetRow>,
}

/// Reads a file of either format into a sheet.
pub fn read_sheet(bytes: &[u8], format: FileFormat) -> Result<Sheet, Vec<FieldError>> {
    match format {
        FileFormat::Csv => csv_file::read_csv(bytes),
        FileFormat::Xlsx => xlsx_file::read_xlsx(bytes),
    }
}

/// The columns of one import.
pub trait Column: Copy + Eq + Hash + 'static {
    /// Every column, in the order of the import's documentation and export.
    const ALL: &'static [Self];
    /// The columns a header row must have.
    const REQUIRED: &'static [Self];
    /// The noun for one data row, in Indonesian and English, for messages.
    const ROW_NOUN: (&'static str, &'static str);

    /// Returns the Indonesian and the English column name.
    fn names(self) -> (&'static str, &'static str);

    /// Returns the name that the single-item route's rules give this column's field, so that
    /// their problems can be placed in the column.
    fn field(self) -> &'static str {
        self.names().1
    }

    fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase();
        Self::ALL.iter().copied().find(|column| {
            let (indonesian, english) = column.names();
            name == indonesian || name == english
        })
    }
}

/// The header row matched to an import's columns.
#[derive(Clone, Debug)]
pub struct Header<C> {
    format: FileFormat,
    /// The column of each index; `None` where the header cell is blank.
    columns: Vec<Option<C>>,
    spelled: HashMap<C, String>,
    index: HashMap<C, usize>,
}

impl<C: Column> Header<C> {
    /// Matches the header row's names to columns. Unknown, repeated and missing required
    /// columns are rejected, all of them in one response. A blank name is allowed as long as no
    /// row fills the column below it.
    fn read(sheet: &Sheet) -> Result<Header<C>, Vec<FieldError>> {
        let mut header =
            Header { format: sheet.format, columns: Vec::new(), spelled: HashMap::new(), index: HashMap::new() };
        let mut errors = Vec::new();
        for (index, name) in sheet.header.iter().enumerate() {
            let name = name.trim().to_string();
            if name.is_empty() {
                header.columns.push(None);
                continue;
            }
            match C::from_name(&name) {
                Some(column) if header.spelled.contains_key(&column) => {
                    header.columns.push(None);
                    let error = FieldError::new(
                        name.clone(),
                        format!("kolom {name} sama dengan kolom {}; sebut setiap kolom sekali", header.name(column)),
                        format!("column {name} repeats column {}; name each column once", header.name(column)),
                    );
                    errors.push((error, Some(index)));
                }
                Some(column) => {
                    header.columns.push(Some(column));
                    header.spelled.insert(column, name);
                    header.index.insert(column, index);
                }
                None => {
                    header.columns.push(None);
                    let known = known_names::<C>();
                    let error = FieldError::new(
                        name.clone(),
                        format!("kolom ke-{} {name:?} tidak dikenal; kolom yang diterima: {known}", index + 1),
                        format!("column {} {name:?} is unknown; the accepted columns are: {known}", index + 1),
                    );
                    errors.push((error, Some(index)));
                }
            }
        }
        for column in C::REQUIRED {
            if !header.spelled.contains_key(column) {
                let (indonesian, english) = column.names();
                let error = FieldError::new(
                    indonesian,
                    format!("kolom {indonesian} (atau {english}) wajib ada di baris kepala"),
                    format!("the header row must have the column {indonesian} (or {english})"),
                );
                errors.push((error, None));
            }
        }
        let line = sheet.header_line;
        if errors.is_empty() {
            Ok(header)
        } else {
            Err(errors.into_iter().map(|(error, index)| header.place_cell(error, line, index)).collect())
        }
    }

    /// Returns a column's name as the file spells it, or its Indonesian name when the file has
    /// no such column.
    pub fn name(&self, column: C) -> String {
        self.spelled.get(&column).cloned().unwrap_or_else(|| column.names().0.to_string())
    }

    /// Places a problem of a cell on its line, under the column's name as the file spells it,
    /// naming the cell in a workbook.
    pub fn place_in(&self, error: FieldError, line: u64, column: C) -> FieldError {
        let name = self.name(column);
        self.place_cell(error.at_line(line, name), line, self.index.get(&column).copied())
    }

    /// Places a problem that the single-item rules found in a field (`value`, `year`) on its line
    /// and in the column of that field. A field that matches no column keeps its name.
    pub fn place(&self, error: FieldError, line: u64) -> FieldError {
        match C::ALL.iter().copied().find(|column| column.field() == error.field) {
            Some(column) => self.place_in(error, line, column),
            None => {
                let field = error.field.clone();
                error.at_line(line, field)
            }
        }
    }

    fn place_cell(&self, error: FieldError, line: u64, index: Option<usize>) -> FieldError {
        let error = if error.line.is_some() {
            error
        } else {
            let field = error.field.clone();
            error.at_line(line, field)
        };
        match (self.format, index) {
            (FileFormat::Xlsx, Some(index)) => error.in_cell(&cell_reference(index, line)),
            _ => error,
        }
    }

    /// Sorts a row's cells by column and reports the cells in columns without a name.
    fn cells(&self, row: SheetRow) -> RowCells<'_, C> {
        let mut cells = RowCells { header: self, line: row.line, cells: HashMap::new(), errors: Vec::new() };
        if let Some((indonesian, english)) = row.problem {
            cells.errors.push(row_error(row.line, indonesian, english));
            return cells;
        }
        let mut unnamed = None;
        for (index, cell) in row.cells {
            match self.columns.get(index).copied().flatten() {
                Some(column) => {
                    cells.cells.insert(column, cell);
                }
                None => {
                    unnamed.get_or_insert(index);
                }
            }
        }
        if let Some(index) = unnamed {
            let (indonesian, english) = match self.format {
                FileFormat::Csv => (format!("kolom ke-{}", index + 1), format!("column {}", index + 1)),
                FileFormat::Xlsx => {
                    let cell = cell_reference(index, row.line);
                    (format!("sel {cell}"), format!("cell {cell}"))
                }
            };
            cells.errors.push(row_error(
                row.line,
                format!("{indonesian} berisi nilai, padahal kolomnya tidak bernama di baris kepala"),
                format!("{english} has a value, but its column has no name in the header row"),
            ));
        }
        cells
    }
}

/// The cells of one data row by column, with the problems found while reading them.
pub struct RowCells<'h, C> {
    header: &'h Header<C>,
    pub line: u64,
    cells: HashMap<C, Cell>,
    errors: Vec<FieldError>,
}

impl<C: Column> RowCells<'_, C> {
    /// Records a problem of a cell.
    pub fn error(&mut self, column: C, indonesian: impl Into<String>, english: impl Into<String>) {
        let error = FieldError::new("", indonesian, english);
        self.errors.push(self.header.place_in(error, self.line, column));
    }

    /// Records a problem that the single-item rules found in a field.
    pub fn field_error(&mut self, error: FieldError) {
        self.errors.push(self.header.place(error, self.line));
    }

    /// Tells whether the row fills a column.
    pub fn has(&self, column: C) -> bool {
        self.cells.contains_key(&column)
    }

    /// Takes a cell, recording the problem of a cell that no import takes.
    pub fn take(&mut self, column: C) -> Option<Cell> {
        match self.cells.remove(&column)? {
            Cell::Invalid { indonesian, english } => {
                self.error(column, indonesian, english);
                None
            }
            cell => Some(cell),
        }
    }

    /// Takes a cell as text; a blank cell is `None`.
    pub fn text(&mut self, column: C) -> Option<String> {
        self.take(column).map(|cell| cell.text())
    }

    /// Takes a cell that must not be blank.
    pub fn required_text(&mut self, column: C) -> Option<String> {
        if !self.has(column) {
            self.error(column, "wajib diisi", "is required");
        }
        self.text(column)
    }

    /// Takes a flag: a TRUE/FALSE cell, or `true`/`false` or `ya`/`tidak` in any case; a blank
    /// cell is `None`.
    pub fn flag(&mut self, column: C) -> Option<bool> {
        let text = match self.take(column)? {
            Cell::Flag(flag) => return Some(flag),
            cell => cell.text(),
        };
        match text.to_lowercase().as_str() {
            "true" | "ya" => Some(true),
            "false" | "tidak" => Some(false),
            _ => {
                self.error(
                    column,
                    format!("{text:?} bukan pilihan; tulis true atau false (ya atau tidak)"),
                    format!("{text:?} is not a choice; write true or false (ya or tidak)"),
                );
                None
            }
        }
    }

    /// Takes a whole number within `range`, from a number cell or from text.
    pub fn whole_number(&mut self, column: C, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let cell = self.take(column)?;
        let number = match &cell {
            Cell::Number(number) if number.as_big_decimal().is_integer() => number.as_big_decimal().to_i64(),
            Cell::Text(text) => text.parse::<i64>().ok(),
            _ => None,
        };
        let number = number.filter(|number| range.contains(number));
        if number.is_none() {
            let text = cell.text();
            let (low, high) = (range.start(), range.end());
            self.error(
                column,
                format!("{text:?} bukan bilangan bulat dari {low} sampai {high}"),
                format!("{text:?} is not a whole number from {low} to {high}"),
            );
        }
        number
    }

    /// Returns the problems found in the row, or `None` when there are none.
    pub fn finish(self) -> Option<Vec<FieldError>> {
        if self.errors.is_empty() { None } else { Some(self.errors) }
    }
}

/// A file read whole: its header, the rows that passed the checks made without the database,
/// and the problems of the others.
#[derive(Debug)]
pub struct BulkFile<C, R> {
    pub header: Header<C>,
    pub rows: Vec<R>,
    pub errors: Vec<FieldError>,
}

/// Interprets every data row of a sheet with `read_row`, which takes the row's cells and
/// returns the row, recording its problems in the cells. Problems of the file as a whole (a
/// bad header row, no data rows) are returned as the error.
pub fn interpret<C: Column, R>(
    sheet: Sheet,
    read_row: impl Fn(&mut RowCells<'_, C>) -> Option<R>,
) -> Result<BulkFile<C, R>, Vec<FieldError>> {
    let header = Header::<C>::read(&sheet)?;
    if sheet.rows.is_empty() {
        let (indonesian, english) = C::ROW_NOUN;
        return Err(vec![row_error(
            sheet.header_line,
            format!("berkas hanya berisi baris kepala; tambahkan satu baris per {indonesian}"),
            format!("the file has a header row only; add one row per {english}"),
        )]);
    }

    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut errors = Vec::new();
    for row in sheet.rows {
        let line = row.line;
        let mut cells = header.cells(row);
        let read = if cells.errors.is_empty() { read_row(&mut cells) } else { None };
        match (read, cells.finish()) {
            (Some(row), None) => rows.push(row),
            (_, Some(row_errors)) => errors.extend(row_errors),
            (None, None) => errors.push(row_error(line, "baris ini tidak terbaca", "this row cannot be read")),
        }
    }
    Ok(BulkFile { header, rows, errors })
}

fn known_names<C: Column>() -> String {
    let names: Vec<String> = C::ALL
        .iter()
        .map(|column| {
            let (indonesian, english) = column.names();
            if indonesian == english { indonesian.to_string() } else { format!("{indonesian}/{english}") }
        })
        .collect();
    names.join(", ")
}

/// Builds a problem of a whole line rather than one cell, under the field `baris` (row).
pub fn row_error(line: u64, indonesian: impl Into<String>, english: impl Into<String>) -> FieldError {
    FieldError::new("baris", indonesian, english).at_line(line, "baris")
}

/// Builds the refusal of a file with more than `MAX_ROWS` data rows, at the first row too many.
fn too_many_rows(line: u64) -> FieldError {
    row_error(
        line,
        format!("berkas berisi lebih dari {MAX_ROWS} baris data; bagi menjadi beberapa berkas"),
        format!("the file has more than {MAX_ROWS} data rows; split it into several files"),
    )
}

/// Names a workbook cell by its column index from 0 and its row number from 1, such as `C4`.
pub fn cell_reference(index: usize, line: u64) -> String {
    let mut letters = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.reverse();
    format!("{}{line}", letters.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_reference(0, 1), "A1");
        assert_eq!(cell_reference(2, 4), "C4");
        assert_eq!(cell_reference(25, 7), "Z7");
        assert_eq!(cell_reference(26, 7), "AA7");
        assert_eq!(cell_reference(16383, 2), "XFD2");
    }

    #[test]
    fn spreadsheet_numbers_lose_float_noise() {
        let text = |number: f64| spreadsheet_number(number).unwrap().to_string();

        assert_eq!(text(0.1 + 0.2), "0.3");
        assert_eq!(text(74.5), "74.5");
        assert_eq!(text(1077.0), "1077");
        assert_eq!(text(22164705670019.0), "22164705670019");
        assert_eq!(text(-2.5), "-2.5");
        assert_eq!(text(0.000125), "0.000125");
        assert!(spreadsheet_number(f64::NAN).is_none());
    }

    #[test]
    fn json_numbers_keep_the_decimal() {
        let json = |text: &str| json_number(&Decimal::parse_plain(text).unwrap()).to_string();

        assert_eq!(json("74.5"), "74.5");
        assert_eq!(json("1077"), "1077");
        assert_eq!(json("0.3"), "0.3");
        assert_eq!(json("22164705670019"), "22164705670019");
        assert_eq!(json("-2.5"), "-2.5");
    }
}
