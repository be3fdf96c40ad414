//! Reads a CSV file into a sheet. The first line is the header row. Cells are separated by
//! commas, or by semicolons when the header row has semicolons and no comma, as spreadsheets
//! set to Indonesian write them. Every cell is text.

use super::{Cell, FileFormat, MAX_ROWS, Sheet, SheetRow, row_error, too_many_rows};
use crate::error::FieldError;

/// Reads a CSV file. A problem with the file as a whole (not CSV, no header row, more than
/// `MAX_ROWS` rows) is returned as the error. Problems of single rows and cells stay in the
/// sheet, so that the row interpreter reports them with the others.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, Vec<FieldError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter_of(bytes)).from_reader(bytes);
    let mut records = reader.byte_records();

    let header_record = match records.next() {
        Some(Ok(record)) => record,
        Some(Err(error)) => return Err(vec![unreadable(&error)]),
        None => return Err(vec![row_error(1, "berkas kosong", "the file is empty")]),
    };
    let header = header_record.iter().map(|cell| String::from_utf8_lossy(cell).trim().to_string()).collect();
    let mut sheet =
        Sheet { format: FileFormat::Csv, header, header_line: line_of(bytes, &header_record), rows: Vec::new() };

    for record in records {
        let record = record.map_err(|error| vec![unreadable(&error)])?;
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let line = line_of(bytes, &record);
        if sheet.rows.len() == MAX_ROWS {
            return Err(vec![too_many_rows(line)]);
        }
        sheet.rows.push(read_row(line, &record, sheet.header.len()));
    }
    Ok(sheet)
}

fn read_row(line: u64, record: &::csv::ByteRecord, columns: usize) -> SheetRow {
    if record.len() != columns {
        let problem = (
            format!("baris ini berisi {} sel, padahal baris kepala {columns} kolom", record.len()),
            format!("this row has {} cells, but the header row has {columns} columns", record.len()),
        );
        return SheetRow { line, cells: Vec::new(), problem: Some(problem) };
    }
    let cells = record
        .iter()
        .enumerate()
        .filter_map(|(index, cell)| {
            let cell = match std::str::from_utf8(cell) {
                Ok(text) if text.trim().is_empty() => return None,
                Ok(text) => Cell::from_text(unguard(text.trim())),
                Err(_) => Cell::Invalid {
                    indonesian: "bukan teks UTF-8; simpan berkas sebagai CSV UTF-8".into(),
                    english: "is not UTF-8 text; save the file as CSV UTF-8".into(),
                },
            };
            Some((index, cell))
        })
        .collect();
    SheetRow { line, cells, problem: None }
}

/// Drops the apostrophe that an export puts before text a spreadsheet would run as a formula
/// (`'=`, `'+`, `'@`, `'-`), so that an exported file reads back as it was stored.
fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '@', '-', '\t', '\r']) => rest,
        _ => text,
    }
}

/// Chooses `;` when the first line has semicolons and no comma, else `,`.
fn delimiter_of(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|byte| *byte == b'\n').next().unwrap_or_default();
    if first_line.contains(&b';') && !first_line.contains(&b',') { b';' } else { b',' }
}

/// Counts the line a record starts on, because the `csv` crate's own line count leaves out the
/// blank lines it skips. The record's byte offset is where reading began, before those lines.
fn line_of(bytes: &[u8], record: &::csv::ByteRecord) -> u64 {
    let mut start = record.position().map_or(0, |position| position.byte() as usize).min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
        start += 1;
    }
    bytes[..start].iter().filter(|byte| **byte == b'\n').count() as u64 + 1
}

fn unreadable(error: &::csv::Error) -> FieldError {
    let line = error.position().map_or(1, ::csv::Position::line);
    row_error(line, format!("berkas CSV tidak terbaca: {error}"), format!("the CSV file cannot be read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Lang;

    #[test]
    fn semicolons_separate_cells_when_header_has_no_comma() {
        let sheet = read_csv(b"indikator;periode;nilai\nIND-05;2023-Q1;76,5\n").unwrap();

        assert_eq!(sheet.header, ["indikator", "periode", "nilai"]);
        assert_eq!(sheet.rows[0].cells[2], (2, Cell::Text("76,5".into())));
    }

    #[test]
    fn blank_rows_and_cells_are_skipped() {
        let sheet = read_csv(b"\xEF\xBB\xBFindikator,periode,nilai\n\nIND-05,,70\n,,\n").unwrap();

        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].line, 3);
        let indexes: Vec<usize> = sheet.rows[0].cells.iter().map(|(index, _)| *index).collect();
        assert_eq!(indexes, [0, 2]);
    }

    #[test]
    fn guard_apostrophe_is_dropped() {
        assert_eq!(unguard("'=1+1 bukan rumus"), "=1+1 bukan rumus");
        assert_eq!(unguard("'-2"), "-2");
        assert_eq!(unguard("'tanda kutip"), "'tanda kutip");
        assert_eq!(unguard("-"), "-");
    }

    #[test]
    fn wrong_cell_count_is_a_row_problem() {
        let sheet = read_csv(b"indikator,periode,nilai\nIND-05,2023-Q3\n").unwrap();

        let (_, english) = sheet.rows[0].problem.clone().unwrap();
        assert!(english.contains("has 2 cells"), "{english}");
    }

    #[test]
    fn empty_file_is_refused() {
        let errors = read_csv(b"").unwrap_err();

        assert_eq!(errors[0].message(Lang::En), "the file is empty");
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
