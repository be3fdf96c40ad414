//! The reports and the realisation export as RFC 4180 CSV in UTF-8, one header row and one
//! table per file, so that other systems and a bulk import can read them back.
//!
//! Report numbers are in plain machine notation with a dot (`3.6`, `22164705670019`), never the
//! Indonesian `3,6`. The realisation export writes figures in Indonesian notation instead,
//! because that is what the bulk import reads. The achievement CSV has one row per indicator and leaves the roll-ups out,
//! because a second table in the same file breaks readers that expect one. The JSON report and
//! the workbook's summary sheet contain them.

use super::cells::{COMPLIANCE_COLUMNS, Cell, INDICATOR_COLUMNS, compliance_record, indicator_record};
use super::realisations;
use crate::db::realisations::CodedRealisation;
use crate::services::reports::{AchievementReport, ComplianceReport};

/// Writes one row per indicator, in the report's order.
pub fn achievement_csv(report: &AchievementReport) -> Result<Vec<u8>, ::csv::Error> {
    write_table(&INDICATOR_COLUMNS, report.indicators.iter().map(indicator_record))
}

/// Writes one row per realisation in the format of the bulk import.
pub fn realisations_csv(items: &[CodedRealisation]) -> Result<Vec<u8>, ::csv::Error> {
    write_table(&realisations::columns(), items.iter().map(realisations::realisation_record))
}

/// Writes one row per organisation and period, in the report's order.
pub fn compliance_csv(report: &ComplianceReport) -> Result<Vec<u8>, ::csv::Error> {
    write_table(&COMPLIANCE_COLUMNS, report.rows.iter().map(compliance_record))
}

pub(super) fn write_table(columns: &[&str], records: impl Iterator<Item = Vec<Cell>>) -> Result<Vec<u8>, ::csv::Error> {
    // RFC 4180 ends each record with CRLF.
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(columns)?;
    for record in records {
        writer.write_record(record.iter().map(Cell::to_csv_text))?;
    }
    writer.into_inner().map_err(|error| ::csv::Error::from(error.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn achievement_csv_rows_per_indicator() {
        let bytes = achievement_csv(&sample::achievement_report()).unwrap();

        let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(header, INDICATOR_COLUMNS);
        assert_eq!(rows.len(), 2);
        let spbe = &rows[0];
        assert_eq!(&spbe[0], "IND-04");
        assert_eq!(&spbe[3], "S1; K1.03");
        assert_eq!(&spbe[6], "3.38");
        assert_eq!(&spbe[7], "3,38");
        assert_eq!(&spbe[8], "3.6");
        assert_eq!(&spbe[11], "3.3");
        assert_eq!(&spbe[14], "91.67");
        assert_eq!(&spbe[15], "on_track");
        let inflation = &rows[1];
        assert_eq!(&inflation[8], "", "a band has no single number");
        assert_eq!(&inflation[9], "2,5 ± 1%");
        assert_eq!(&inflation[10], "ya");
        assert_eq!(&inflation[5], "BAPPEDA; DISDAG");
    }

    #[test]
    fn write_table_quotes_and_crlf() {
        let records = vec![
            vec![Cell::Text("IND-41".into()), Cell::Text("Tingkat inflasi, tahunan".into())],
            vec![Cell::Text("IND-06".into()), Cell::Text("Opini \"WTP\"".into())],
        ];

        let bytes = write_table(&["Kode", "Indikator"], records.into_iter()).unwrap();

        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "Kode,Indikator\r\nIND-41,\"Tingkat inflasi, tahunan\"\r\nIND-06,\"Opini \"\"WTP\"\"\"\r\n");
    }
}
