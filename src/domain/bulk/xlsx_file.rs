//! Reads the first sheet of an XLSX workbook into a sheet. Its first filled row is the header
//! row and lines are the workbook's row numbers. Number cells are numbers, text cells text,
//! TRUE and FALSE flags; date and time cells and formula errors are refused cell by cell.

use std::io::Cursor;

use bigdecimal::BigDecimal;
use calamine::{DataRef, Reader, Xlsx};

use super::{Cell, FileFormat, MAX_ROWS, Sheet, SheetRow, row_error, spreadsheet_number, too_many_rows};
use crate::domain::decimal::Decimal;
use crate::error::FieldError;

/// Largest total size of a workbook's unpacked parts. A real file of `MAX_ROWS` rows unpacks to
/// a few tens of MiB at most; the limit refuses archives built to unpack to much more.
const MAX_UNPACKED_BYTES: u128 = 100 * 1024 * 1024;

/// Reads a workbook. A problem with the file as a whole (not a workbook, no sheet, no header
/// row, more than `MAX_ROWS` rows) is returned as the error. Problems of single cells stay in
/// the sheet, so that the row interpreter reports them with the others.
pub fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Vec<FieldError>> {
    check_unpacked_size(bytes)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|error| vec![unreadable(&error)])?;
    let Some(name) = workbook.sheet_names().into_iter().next() else {
        return Err(vec![row_error(1, "buku kerja tidak berisi lembar", "the workbook has no sheet")]);
    };
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(|error| vec![unreadable(&error)])?;

    let mut rows: Vec<SheetRow> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|error| vec![unreadable(&error)])? {
        let Some(value) = read_cell(cell.get_value()) else {
            continue;
        };
        let (row, column) = cell.get_position();
        let line = u64::from(row) + 1;
        let entry = (column as usize, value);
        if let Some(last) = rows.last_mut().filter(|last| last.line == line) {
            last.cells.push(entry);
            continue;
        }
        // The header row and `MAX_ROWS` data rows are read; a further row is one too many.
        if rows.len() > MAX_ROWS {
            return Err(vec![too_many_rows(line)]);
        }
        rows.push(SheetRow { line, cells: vec![entry], problem: None });
    }
    // A workbook lists its rows in order; a file that does not is put in order here.
    rows.sort_by_key(|row| row.line);

    if rows.is_empty() {
        return Err(vec![row_error(1, "lembar pertama buku kerja kosong", "the workbook's first sheet is empty")]);
    }
    let header_row = rows.remove(0);
    let width = header_row.cells.iter().map(|(index, _)| index + 1).max().unwrap_or_default();
    let mut header = vec![String::new(); width];
    for (index, cell) in header_row.cells {
        header[index] = cell.text();
    }
    Ok(Sheet { format: FileFormat::Xlsx, header, header_line: header_row.line, rows })
}

/// Converts a workbook cell; a blank one is `None`.
fn read_cell(value: &DataRef<'_>) -> Option<Cell> {
    let cell = match value {
        DataRef::Empty => return None,
        DataRef::String(text) => text_cell(text)?,
        DataRef::SharedString(text) => text_cell(text)?,
        DataRef::Float(number) => match spreadsheet_number(*number) {
            Some(number) => Cell::Number(number),
            None => invalid("bukan angka yang terbaca", "is not a readable number"),
        },
        DataRef::Int(number) => Cell::Number(Decimal::new(BigDecimal::from(*number))),
        DataRef::Bool(flag) => Cell::Flag(*flag),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => invalid(
            "berisi tanggal atau waktu, yang tidak diterima; tulis periode sebagai teks seperti 2023-Q1 dan angka dengan format angka",
            "holds a date or time, which is not accepted; write a period as text such as 2023-Q1 and a number in a number format",
        ),
        DataRef::Error(error) => invalid(
            format!("berisi galat rumus {error}; perbaiki rumusnya atau tulis nilainya"),
            format!("holds the formula error {error}; correct the formula or write the value"),
        ),
    };
    Some(cell)
}

fn text_cell(text: &str) -> Option<Cell> {
    let text = text.trim();
    if text.is_empty() { None } else { Some(Cell::from_text(text)) }
}

fn invalid(indonesian: impl Into<String>, english: impl Into<String>) -> Cell {
    Cell::Invalid { indonesian: indonesian.into(), english: english.into() }
}

/// Refuses a body that is no ZIP archive, or whose parts would unpack to more than
/// `MAX_UNPACKED_BYTES`, before the workbook reader unpacks anything.
// NOTE: the check trusts the sizes that the archive declares. An archive built to understate
// them is still unpacked in full by the workbook reader.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Vec<FieldError>> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        vec![row_error(
            1,
            "isi berkas bukan buku kerja XLSX; simpan lembar kerja sebagai Excel Workbook (.xlsx), atau kirim CSV dengan Content-Type text/csv",
            "the body is not an XLSX workbook; save the spreadsheet as an Excel Workbook (.xlsx), or send CSV with Content-Type text/csv",
        )]
    })?;
    if archive.decompressed_size().is_some_and(|size| size > MAX_UNPACKED_BYTES) {
        return Err(vec![row_error(
            1,
            "isi buku kerja terlalu besar bila dibuka; bagi menjadi beberapa berkas",
            "the workbook is too large once unpacked; split it into several files",
        )]);
    }
    Ok(())
}

fn unreadable(error: &calamine::XlsxError) -> FieldError {
    row_error(
        1,
        format!("buku kerja XLSX tidak terbaca: {error}"),
        format!("the XLSX workbook cannot be read: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    use super::*;
    use crate::domain::lang::Lang;

    fn workbook(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = Workbook::new();
        fill(workbook.add_worksheet());
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_cells_by_kind_and_row_number() {
        let bytes = workbook(|sheet| {
            sheet.write_string(1, 1, "indikator").unwrap();
            sheet.write_string(1, 2, "nilai").unwrap();
            sheet.write_string(1, 3, "kirim").unwrap();
            sheet.write_string(3, 1, "IND-05").unwrap();
            sheet.write_number(3, 2, 0.1 + 0.2).unwrap();
            sheet.write_boolean(3, 3, false).unwrap();
        });

        let sheet = read_xlsx(&bytes).unwrap();

        assert_eq!(sheet.header, ["", "indikator", "nilai", "kirim"]);
        assert_eq!(sheet.header_line, 2);
        assert_eq!(sheet.rows.len(), 1);
        let row = &sheet.rows[0];
        assert_eq!(row.line, 4);
        assert_eq!(row.cells[0], (1, Cell::Text("IND-05".into())));
        assert_eq!(row.cells[1], (2, Cell::Number(Decimal::parse_plain("0.3").unwrap())));
        assert_eq!(row.cells[2], (3, Cell::Flag(false)));
    }

    #[test]
    fn date_cells_are_refused() {
        let bytes = workbook(|sheet| {
            sheet.write_string(0, 0, "periode").unwrap();
            let day = ExcelDateTime::from_ymd(2023, 3, 31).unwrap();
            sheet.write_datetime_with_format(1, 0, &day, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
        });

        let sheet = read_xlsx(&bytes).unwrap();

        assert!(matches!(&sheet.rows[0].cells[0].1, Cell::Invalid { english, .. } if english.contains("date")));
    }

    #[test]
    fn other_bodies_are_refused() {
        let errors = read_xlsx(b"indikator,periode\nIND-05,2023-Q1\n").unwrap_err();

        assert!(errors[0].message(Lang::En).contains("not an XLSX workbook"), "{}", errors[0].message(Lang::En));
    }

    #[test]
    fn empty_sheet_is_refused() {
        let errors = read_xlsx(&workbook(|_| {})).unwrap_err();

        assert!(errors[0].message(Lang::En).contains("empty"), "{}", errors[0].message(Lang::En));
    }
}
