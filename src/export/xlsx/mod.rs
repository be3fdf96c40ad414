//! The reports as Excel workbooks (`.xlsx`, Office Open XML) written with `rust_xlsxwriter`.
//!
//! Figures and percentages are number cells shown with thousands grouping and two decimals,
//! counts are number cells without decimals, and the spreadsheet program shows the separators
//! of the reader's locale. Each table has a bold header row that stays frozen while scrolling,
//! and an autofilter.

mod achievement;
mod compliance;
mod realisations;

use std::collections::HashSet;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::cells::{Cell, to_f64};

pub use achievement::achievement_workbook;
pub use compliance::compliance_workbook;
pub use realisations::realisations_workbook;

/// Excel's limit on a sheet name, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;

/// Row of the table header in a sheet that starts with a title and a line of details.
const TITLED_HEADER_ROW: u32 = 3;

/// The cell formats of a workbook.
struct Styles {
    title: Format,
    label: Format,
    header: Format,
    text: Format,
    figure: Format,
    count: Format,
    /// A reported figure, shown with as many decimals as it has.
    plain: Format,
    date: Format,
}

impl Styles {
    fn new() -> Styles {
        let cell = Format::new().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            label: Format::new().set_bold().set_align(FormatAlign::Top),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            text: cell.clone().set_text_wrap(),
            figure: cell.clone().set_num_format("#,##0.00"),
            count: cell.clone().set_num_format("#,##0"),
            plain: cell.clone().set_num_format("General"),
            date: cell.set_num_format("yyyy-mm-dd"),
        }
    }
}

/// A column of a table: its header and its width in characters.
struct Column {
    header: String,
    width: f64,
}

impl Column {
    fn new(header: impl Into<String>, width: f64) -> Column {
        Column { header: header.into(), width }
    }
}

/// Writes a sheet's title and a line of details above a table whose header is on
/// `TITLED_HEADER_ROW`.
fn write_title(sheet: &mut Worksheet, styles: &Styles, title: &str, details: &str) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, title, &styles.title)?;
    sheet.write_string(1, 0, details)?;
    Ok(())
}

/// Writes the header row, sets the column widths and freezes the rows down to the header.
fn write_header(sheet: &mut Worksheet, styles: &Styles, row: u32, columns: &[Column]) -> Result<(), XlsxError> {
    for (index, column) in columns.iter().enumerate() {
        let index = column_number(index);
        sheet.set_column_width(index, column.width)?;
        sheet.write_string_with_format(row, index, &column.header, &styles.header)?;
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

/// Adds an autofilter over the header and the rows below it, when there are any.
fn filter_table(sheet: &mut Worksheet, header_row: u32, last_row: u32, columns: usize) -> Result<(), XlsxError> {
    if last_row > header_row {
        sheet.autofilter(header_row, 0, last_row, column_number(columns.saturating_sub(1)))?;
    }
    Ok(())
}

fn write_cell(sheet: &mut Worksheet, styles: &Styles, row: u32, column: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Number(value) | Cell::Percent(value) => {
            sheet.write_number_with_format(row, column, to_f64(value), &styles.figure)?;
        }
        Cell::Count(count) => {
            sheet.write_number_with_format(row, column, *count as f64, &styles.count)?;
        }
        Cell::Figure(value) if fits_double(value) => {
            sheet.write_number_with_format(row, column, to_f64(value), &styles.plain)?;
        }
        Cell::Figure(value) => {
            sheet.write_string_with_format(row, column, value.to_indonesian(), &styles.text)?;
        }
        Cell::Text(text) => {
            sheet.write_string_with_format(row, column, text, &styles.text)?;
        }
        Cell::Empty => {
            sheet.write_blank(row, column, &styles.text)?;
        }
    }
    Ok(())
}

fn write_record(sheet: &mut Worksheet, styles: &Styles, row: u32, cells: &[Cell]) -> Result<(), XlsxError> {
    for (index, cell) in cells.iter().enumerate() {
        write_cell(sheet, styles, row, column_number(index), cell)?;
    }
    Ok(())
}

/// Returns whether a double represents a figure exactly enough to read back the same decimal: up to
/// 15 significant digits, as a workbook's reader keeps them.
fn fits_double(value: &crate::domain::decimal::Decimal) -> bool {
    value.as_big_decimal().digits() <= 15
}

/// Converts a column index; the tables have a few dozen columns at most.
fn column_number(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// Converts a row offset. A worksheet has at most 1,048,576 rows, and `rust_xlsxwriter`
/// rejects a row past that limit.
fn row_number(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Hands out sheet names that Excel accepts and that differ from each other.
#[derive(Default)]
struct SheetNames {
    /// The names given so far, in lower case, because Excel compares them without case.
    claimed: HashSet<String>,
}

impl SheetNames {
    /// Returns `requested` made valid, with ` (2)`, ` (3)`, ... added when it is already claimed.
    fn claim(&mut self, requested: &str) -> String {
        let base = valid_sheet_name(requested);
        let mut name = base.clone();
        let mut number = 2;
        while self.claimed.contains(&name.to_lowercase()) {
            let suffix = format!(" ({number})");
            name = format!("{}{suffix}", truncate_utf16(&base, MAX_SHEET_NAME - suffix.len()).trim_end());
            number += 1;
        }
        self.claimed.insert(name.to_lowercase());
        name
    }
}

/// Makes a sheet name that Excel accepts: at most 31 UTF-16 units, none of `[]:*?/\`, no
/// apostrophe at either end, not blank. Excel also reserves `History`, which becomes
/// `History-`.
fn valid_sheet_name(requested: &str) -> String {
    let replaced: String =
        requested.chars().map(|character| if "[]:*?/\\".contains(character) { '-' } else { character }).collect();
    let truncated = truncate_utf16(replaced.trim(), MAX_SHEET_NAME);
    let name = truncated.trim_matches('\'').trim();
    if name.is_empty() {
        "Lembar".to_string()
    } else if name.eq_ignore_ascii_case("history") {
        format!("{name}-")
    } else {
        name.to_string()
    }
}

/// Cuts `text` to at most `limit` UTF-16 code units without splitting a character.
fn truncate_utf16(text: &str, limit: usize) -> &str {
    let mut units = 0;
    for (index, character) in text.char_indices() {
        units += character.len_utf16();
        if units > limit {
            return &text[..index];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::utility::check_sheet_name;

    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules() {
        let cases = [
            ("Sasaran S1", "Sasaran S1"),
            ("Tema a/b [c]: d*e?f\\g", "Tema a-b -c-- d-e-f-g"),
            ("'Dikutip'", "Dikutip"),
            ("", "Lembar"),
            ("[]", "--"),
            ("History", "History-"),
            ("Tema Digitalisasi Pemerintahan (Penanganan Stunting)", "Tema Digitalisasi Pemerintahan"),
        ];

        for (requested, expected) in cases {
            let name = valid_sheet_name(requested);
            assert_eq!(name, expected, "{requested:?}");
            assert!(check_sheet_name(&name).is_ok(), "{name:?} is rejected by rust_xlsxwriter");
        }
    }

    #[test]
    fn sheet_names_count_utf16_units() {
        // Each emoji is two UTF-16 units, so 16 of them exceed 31 units.
        let name = valid_sheet_name(&"😀".repeat(16));

        assert_eq!(name.encode_utf16().count(), 30);
        assert!(check_sheet_name(&name).is_ok());
    }

    #[test]
    fn sheet_names_unique_without_case() {
        let mut names = SheetNames::default();
        let long = "Sasaran Tata Kelola Pemerintahan Digital";

        assert_eq!(names.claim("Tema stunting"), "Tema stunting");
        assert_eq!(names.claim("TEMA STUNTING"), "TEMA STUNTING (2)");
        assert_eq!(names.claim("tema stunting"), "tema stunting (3)");
        let first = names.claim(long);
        let second = names.claim(long);
        assert_eq!(first, "Sasaran Tata Kelola Pemerintaha");
        assert_eq!(second, "Sasaran Tata Kelola Pemerin (2)");
        assert!(check_sheet_name(&second).is_ok());
    }
}
