//! The compliance workbook: `Kepatuhan`, one row per organisation and period as in the CSV,
//! and `Periode`, the reporting periods with their opening day, deadline and state.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Workbook, Worksheet, XlsxError};

use super::{
    Column, SheetNames, Styles, TITLED_HEADER_ROW, filter_table, row_number, write_header, write_record, write_title,
};
use crate::export::cells::{COMPLIANCE_COLUMNS, code, compliance_record};
use crate::services::reports::ComplianceReport;

/// Builds the workbook of a compliance report.
pub fn compliance_workbook(report: &ComplianceReport) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut names = SheetNames::default();
    let mut workbook = Workbook::new();
    workbook.push_worksheet(compliance_sheet(report, &styles, names.claim("Kepatuhan"))?);
    workbook.push_worksheet(periods_sheet(report, &styles, names.claim("Periode"))?);
    workbook.save_to_buffer()
}

fn compliance_sheet(report: &ComplianceReport, styles: &Styles, name: String) -> Result<Worksheet, XlsxError> {
    const WIDTHS: [f64; 12] = [18.0, 40.0, 10.0, 11.0, 11.0, 11.0, 11.0, 13.0, 13.0, 13.0, 13.0, 11.0];
    let columns: Vec<Column> =
        COMPLIANCE_COLUMNS.iter().zip(WIDTHS).map(|(header, width)| Column::new(*header, width)).collect();
    let period = match report.quarter {
        Some(quarter) => format!("triwulan {quarter}"),
        None => "semua periode yang sudah dibuka".to_string(),
    };
    let details = format!(
        "{} ({}), tahun {}, {period}, per tanggal {}",
        report.roadmap.title, report.roadmap.code, report.year, report.as_of
    );

    let mut sheet = Worksheet::new();
    sheet.set_name(name)?;
    write_title(&mut sheet, styles, "Kepatuhan Pelaporan Realisasi", &details)?;
    write_header(&mut sheet, styles, TITLED_HEADER_ROW, &columns)?;
    let mut row_index = TITLED_HEADER_ROW;
    for row in &report.rows {
        row_index += 1;
        write_record(&mut sheet, styles, row_index, &compliance_record(row))?;
    }
    filter_table(&mut sheet, TITLED_HEADER_ROW, row_index, columns.len())?;
    Ok(sheet)
}

fn periods_sheet(report: &ComplianceReport, styles: &Styles, name: String) -> Result<Worksheet, XlsxError> {
    let columns = [
        Column::new("Periode", 12.0),
        Column::new("Dibuka", 14.0),
        Column::new("Batas waktu", 14.0),
        Column::new("Keadaan", 12.0),
    ];

    let mut sheet = Worksheet::new();
    sheet.set_name(name)?;
    write_header(&mut sheet, styles, 0, &columns)?;
    for (index, period) in report.periods.iter().enumerate() {
        let row = row_number(index + 1);
        sheet.write_string_with_format(row, 0, period.period.to_string(), &styles.text)?;
        sheet.write_datetime_with_format(row, 1, excel_date(period.opens_on)?, &styles.date)?;
        sheet.write_datetime_with_format(row, 2, excel_date(period.deadline)?, &styles.date)?;
        sheet.write_string_with_format(row, 3, code(&period.state), &styles.text)?;
    }
    Ok(sheet)
}

/// Converts a date; Excel's dates run from 1900 to 9999, and `from_ymd` rejects the rest.
fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).unwrap_or(0);
    // Month and day always fit in a byte.
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}
