//! The realisation workbook: one sheet in the format of the bulk import, its header row on the
//! first row, so that the workbook can be sent back to the import as it is.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{Column, Styles, filter_table, row_number, write_header, write_record};
use crate::db::realisations::CodedRealisation;
use crate::export::realisations::{columns, realisation_record};

/// Builds the workbook of a realisation export.
pub fn realisations_workbook(items: &[CodedRealisation]) -> Result<Vec<u8>, XlsxError> {
    const WIDTHS: [f64; 9] = [12.0, 10.0, 16.0, 14.0, 14.0, 10.0, 10.0, 50.0, 8.0];
    let styles = Styles::new();
    let header: Vec<Column> =
        columns().into_iter().zip(WIDTHS).map(|(header, width)| Column::new(header, width)).collect();

    let mut sheet = Worksheet::new();
    sheet.set_name("Realisasi")?;
    write_header(&mut sheet, &styles, 0, &header)?;
    for (index, item) in items.iter().enumerate() {
        write_record(&mut sheet, &styles, row_number(index + 1), &realisation_record(item))?;
    }
    filter_table(&mut sheet, 0, row_number(items.len()), header.len())?;

    let mut workbook = Workbook::new();
    workbook.push_worksheet(sheet);
    workbook.save_to_buffer()
}
