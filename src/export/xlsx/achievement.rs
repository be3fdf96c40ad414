//! The achievement workbook. Its sheets follow the tables of BAB III of Peraturan Wali Kota
//! Semarang Nomor 62 Tahun 2023. The first column names the goal or objective (Tabel 3.1), the
//! main activity (Tabel 3.2 and 3.3) or the thematic objective (Tabel 3.4). Indicator, unit,
//! baseline and target follow, then the report's realisation, achievement and status, and last
//! the coordinator and the implementers.
//!
//! Sheets, in order: `Ringkasan` with the roll-ups; `Tujuan dan Sasaran` with the indicators
//! shown at a goal or a general objective; one `Sasaran <code>` per general objective with the
//! indicators of its activities; one `Tema <code>` per theme; and `Semua Indikator`, one row per
//! indicator as in the CSV. A sheet without indicators is left out, except the first and the
//! last. An indicator shown at several places appears on each of their sheets, as in the
//! regulation.

use std::collections::HashMap;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{
    Column, SheetNames, Styles, TITLED_HEADER_ROW, filter_table, row_number, write_header, write_record, write_title,
};
use crate::domain::indicator::Level;
use crate::domain::report::ROLLUP_CAP_PERCENT;
use crate::export::cells::{
    Cell, INDICATOR_COLUMNS, code, figure_cell, indicator_record, organisation_names, percent_cell, realisation_cell,
};
use crate::export::outline::{Outline, OutlineActivity};
use crate::services::reports::{AchievementReport, IndicatorReportRow, RollUpLevel, RollUpRow};

/// Row of the roll-up table's header on the summary sheet, below the report's details.
const SUMMARY_HEADER_ROW: u32 = 8;

/// Builds the workbook of an achievement report.
pub fn achievement_workbook(report: &AchievementReport, outline: &Outline) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut names = SheetNames::default();
    let mut workbook = Workbook::new();

    workbook.push_worksheet(summary_sheet(report, &styles, names.claim("Ringkasan"))?);
    for section in sections(report, outline) {
        if !section.rows.is_empty() {
            let name = names.claim(&section.sheet);
            workbook.push_worksheet(section_sheet(report, &styles, name, &section)?);
        }
    }
    workbook.push_worksheet(all_indicators_sheet(report, &styles, names.claim("Semua Indikator"))?);
    workbook.save_to_buffer()
}

/// The rows of one regulation-style sheet: each indicator with the name of its group (goal,
/// objective, activity or thematic objective) for the first column.
struct Section<'a> {
    sheet: String,
    title: String,
    group_header: &'static str,
    rows: Vec<(&'a str, &'a IndicatorReportRow)>,
}

/// The report's rows by the place where each is shown, in report order.
type Placed<'a> = HashMap<(Level, i64), Vec<&'a IndicatorReportRow>>;

fn placed_rows(indicators: &[IndicatorReportRow]) -> Placed<'_> {
    let mut placed: Placed<'_> = HashMap::new();
    for row in indicators {
        for placement in &row.placements {
            placed.entry((placement.level, placement.id)).or_default().push(row);
        }
    }
    placed
}

/// Collects the rows of each objective: those shown at the objective or at one of its
/// activities, each once, in report order.
fn objective_rows<'a>(
    indicators: &'a [IndicatorReportRow],
    outline: &Outline,
) -> HashMap<i64, Vec<&'a IndicatorReportRow>> {
    let objective_of: HashMap<i64, i64> =
        outline.activities.iter().map(|activity| (activity.node.id, activity.objective_id)).collect();
    let mut rows: HashMap<i64, Vec<&IndicatorReportRow>> = HashMap::new();
    for row in indicators {
        let mut objectives: Vec<i64> = row
            .placements
            .iter()
            .filter_map(|placement| match placement.level {
                Level::Objective => Some(placement.id),
                Level::Activity => objective_of.get(&placement.id).copied(),
                Level::Goal => None,
            })
            .collect();
        objectives.sort_unstable();
        objectives.dedup();
        for objective_id in objectives {
            rows.entry(objective_id).or_default().push(row);
        }
    }
    rows
}

/// Sorts the report's indicators into sheets by the tree, in road map order. The rows are
/// indexed by place first, so that a large road map costs one pass over its rows.
fn sections<'a>(report: &'a AchievementReport, outline: &'a Outline) -> Vec<Section<'a>> {
    let placed = placed_rows(&report.indicators);
    let at = |level: Level, id: i64| placed.get(&(level, id)).map_or(&[][..], Vec::as_slice);
    let general_objectives: Vec<_> =
        outline.objectives.iter().filter(|objective| objective.theme_id.is_none()).collect();

    let mut goals_and_objectives = Section {
        sheet: "Tujuan dan Sasaran".into(),
        title: "Tujuan dan Sasaran".into(),
        group_header: "Tujuan / Sasaran",
        rows: Vec::new(),
    };
    for goal in &outline.goals {
        goals_and_objectives.rows.extend(at(Level::Goal, goal.id).iter().map(|row| (goal.name.as_str(), *row)));
    }
    for objective in &general_objectives {
        let rows = at(Level::Objective, objective.node.id);
        goals_and_objectives.rows.extend(rows.iter().map(|row| (objective.node.name.as_str(), *row)));
    }
    let mut sections = vec![goals_and_objectives];

    let mut activities_of: HashMap<i64, Vec<&OutlineActivity>> = HashMap::new();
    for activity in &outline.activities {
        activities_of.entry(activity.objective_id).or_default().push(activity);
    }
    for objective in &general_objectives {
        let mut section = Section {
            sheet: format!("Sasaran {}", objective.node.code),
            title: format!("Agenda Sasaran dan Kegiatan Utama {}", objective.node.name),
            group_header: "Kegiatan Utama",
            rows: Vec::new(),
        };
        for activity in activities_of.get(&objective.node.id).into_iter().flatten() {
            let rows = at(Level::Activity, activity.node.id);
            section.rows.extend(rows.iter().map(|row| (activity.node.name.as_str(), *row)));
        }
        sections.push(section);
    }

    let thematic = objective_rows(&report.indicators, outline);
    for theme in &outline.themes {
        let mut section = Section {
            sheet: format!("Tema {}", theme.code),
            title: format!("Agenda dan Sasaran Reformasi Birokrasi Tematik: {}", theme.name),
            group_header: "Sasaran Tematik",
            rows: Vec::new(),
        };
        for objective in outline.objectives.iter().filter(|objective| objective.theme_id == Some(theme.id)) {
            let rows = thematic.get(&objective.node.id).into_iter().flatten();
            section.rows.extend(rows.map(|row| (objective.node.name.as_str(), *row)));
        }
        sections.push(section);
    }
    sections
}

/// Describes the report's scope for the line under a sheet's title.
fn details(report: &AchievementReport) -> String {
    let period = match report.quarter {
        Some(quarter) => format!("triwulan {quarter}"),
        None => "satu tahun".to_string(),
    };
    format!(
        "{} ({}), tahun {}, {period}, dasar angka {}",
        report.roadmap.title,
        report.roadmap.code,
        report.year,
        code(&report.basis)
    )
}

fn section_sheet(
    report: &AchievementReport,
    styles: &Styles,
    name: String,
    section: &Section<'_>,
) -> Result<Worksheet, XlsxError> {
    let target_header = match report.quarter {
        Some(quarter) => format!("Target {} TW{quarter}", report.year),
        None => format!("Target {}", report.year),
    };
    let columns = [
        Column::new(section.group_header, 40.0),
        Column::new("Kode", 10.0),
        Column::new("Indikator", 45.0),
        Column::new("Satuan", 14.0),
        Column::new(format!("Baseline {}", report.roadmap.baseline_year), 16.0),
        Column::new(target_header, 16.0),
        Column::new("Realisasi", 16.0),
        Column::new("Capaian (%)", 12.0),
        Column::new("Status", 12.0),
        Column::new("Koordinator", 24.0),
        Column::new("Pelaksana", 40.0),
    ];

    let mut sheet = Worksheet::new();
    sheet.set_name(name)?;
    write_title(&mut sheet, styles, &section.title, &details(report))?;
    write_header(&mut sheet, styles, TITLED_HEADER_ROW, &columns)?;
    let mut row_index = TITLED_HEADER_ROW;
    for (group, row) in &section.rows {
        row_index += 1;
        let cells = [
            Cell::Text(group.to_string()),
            Cell::Text(row.code.clone()),
            Cell::Text(row.name.clone()),
            Cell::Text(row.unit.clone()),
            figure_cell(row.baseline.as_ref()),
            figure_cell(row.target.as_ref()),
            realisation_cell(row.realisation.as_ref()),
            percent_cell(&row.achievement),
            Cell::Text(code(&row.status)),
            row.coordinator.as_ref().map_or(Cell::Empty, |coordinator| Cell::Text(coordinator.name.clone())),
            Cell::Text(organisation_names(&row.implementers)),
        ];
        write_record(&mut sheet, styles, row_index, &cells)?;
    }
    filter_table(&mut sheet, TITLED_HEADER_ROW, row_index, columns.len())?;
    Ok(sheet)
}

fn level_name(level: RollUpLevel) -> &'static str {
    match level {
        RollUpLevel::Goal => "Tujuan",
        RollUpLevel::Theme => "Tema",
        RollUpLevel::Objective => "Sasaran",
        RollUpLevel::Activity => "Kegiatan Utama",
        RollUpLevel::Organisation => "Organisasi",
    }
}

/// Writes the report's scope, the status legend and one row per roll-up.
fn summary_sheet(report: &AchievementReport, styles: &Styles, name: String) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(name)?;
    let grading = &report.grading;
    let period = match report.quarter {
        Some(quarter) => format!("Triwulan {quarter}"),
        None => "Satu tahun".to_string(),
    };
    let legend = format!(
        "on_track: capaian ≥ {on} %, atau target kategori/teks tercapai; at_risk: ≥ {risk} % dan < {on} %; \
         off_track: < {risk} %, atau target tidak tercapai; no_target: tanpa target yang dapat dipakai; \
         no_data: belum ada angka. Rata-rata memakai capaian setiap indikator paling tinggi {cap} %.",
        on = grading.on_track_percent,
        risk = grading.at_risk_percent,
        cap = ROLLUP_CAP_PERCENT,
    );
    let facts = [
        ("Peta jalan", format!("{} ({})", report.roadmap.title, report.roadmap.code)),
        ("Tahun", report.year.to_string()),
        ("Periode", period),
        ("Dasar angka", code(&report.basis)),
    ];
    sheet.write_string_with_format(0, 0, "Ringkasan Capaian Reformasi Birokrasi", &styles.title)?;
    for (index, (label, value)) in facts.iter().enumerate() {
        let row = row_number(index + 1);
        sheet.write_string_with_format(row, 0, *label, &styles.label)?;
        sheet.write_string(row, 1, value)?;
    }
    // The legend is long, so it spreads over the table's columns.
    sheet.write_string_with_format(5, 0, "Status", &styles.label)?;
    sheet.merge_range(5, 1, 5, 11, &legend, &styles.text)?;
    sheet.set_row_height(5, 45)?;

    let columns = [
        Column::new("Tingkat", 16.0),
        Column::new("Kode", 14.0),
        Column::new("Nama", 50.0),
        Column::new("Indikator", 11.0),
        Column::new("on_track", 11.0),
        Column::new("at_risk", 11.0),
        Column::new("off_track", 11.0),
        Column::new("no_target", 11.0),
        Column::new("no_data", 11.0),
        Column::new("Dihitung", 11.0),
        Column::new("Rata-rata capaian (%)", 14.0),
        Column::new("Status", 12.0),
    ];
    write_header(&mut sheet, styles, SUMMARY_HEADER_ROW, &columns)?;
    let mut row_index = SUMMARY_HEADER_ROW;
    for roll_up in &report.roll_ups {
        row_index += 1;
        write_record(&mut sheet, styles, row_index, &roll_up_record(roll_up))?;
    }
    filter_table(&mut sheet, SUMMARY_HEADER_ROW, row_index, columns.len())?;
    Ok(sheet)
}

fn roll_up_record(row: &RollUpRow) -> Vec<Cell> {
    let counts = &row.roll_up.counts;
    vec![
        Cell::Text(level_name(row.level).to_string()),
        Cell::Text(row.code.clone()),
        Cell::Text(row.name.clone()),
        Cell::Count(counts.indicators),
        Cell::Count(counts.on_track),
        Cell::Count(counts.at_risk),
        Cell::Count(counts.off_track),
        Cell::Count(counts.no_target),
        Cell::Count(counts.no_data),
        Cell::Count(row.roll_up.computed),
        row.roll_up.mean_percent.clone().map_or(Cell::Empty, Cell::Percent),
        Cell::Text(code(&row.roll_up.status)),
    ]
}

/// Writes the flat table of the CSV, one row per indicator, with its header on the first row.
fn all_indicators_sheet(report: &AchievementReport, styles: &Styles, name: String) -> Result<Worksheet, XlsxError> {
    const WIDTHS: [f64; 16] =
        [10.0, 45.0, 14.0, 16.0, 16.0, 30.0, 14.0, 16.0, 14.0, 16.0, 10.0, 14.0, 20.0, 14.0, 12.0, 12.0];
    let columns: Vec<Column> =
        INDICATOR_COLUMNS.iter().zip(WIDTHS).map(|(header, width)| Column::new(*header, width)).collect();

    let mut sheet = Worksheet::new();
    sheet.set_name(name)?;
    write_header(&mut sheet, styles, 0, &columns)?;
    for (index, row) in report.indicators.iter().enumerate() {
        write_record(&mut sheet, styles, row_number(index + 1), &indicator_record(row))?;
    }
    filter_table(&mut sheet, 0, row_number(report.indicators.len()), columns.len())?;
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::*;
    use crate::export::sample;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).expect("the workbook opens")
    }

    #[test]
    fn workbook_sheets_in_road_map_order() {
        let bytes = achievement_workbook(&sample::achievement_report(), &sample::outline()).unwrap();

        let workbook = open(bytes);

        assert_eq!(
            workbook.sheet_names(),
            ["Ringkasan", "Tujuan dan Sasaran", "Sasaran S1", "Tema inflasi", "Semua Indikator"]
        );
    }

    #[test]
    fn objective_sheet_like_regulation_table() {
        let bytes = achievement_workbook(&sample::achievement_report(), &sample::outline()).unwrap();

        let mut workbook = open(bytes);
        let sheet = workbook.worksheet_range("Sasaran S1").unwrap();

        let header: Vec<String> = (0..11).map(|column| sheet.get_value((3, column)).unwrap().to_string()).collect();
        assert_eq!(
            header,
            [
                "Kegiatan Utama",
                "Kode",
                "Indikator",
                "Satuan",
                "Baseline 2022",
                "Target 2023 TW1",
                "Realisasi",
                "Capaian (%)",
                "Status",
                "Koordinator",
                "Pelaksana"
            ]
        );
        assert_eq!(sheet.get_value((4, 0)), Some(&Data::String("Pelaksanaan Arsitektur SPBE Nasional".into())));
        assert_eq!(sheet.get_value((4, 4)), Some(&Data::Float(3.38)));
        assert_eq!(sheet.get_value((4, 5)), Some(&Data::Float(3.6)));
        assert_eq!(sheet.get_value((4, 6)), Some(&Data::Float(3.3)));
        assert_eq!(sheet.get_value((4, 7)), Some(&Data::Float(91.67)));
        assert_eq!(sheet.get_value((4, 8)), Some(&Data::String("on_track".into())));
        assert_eq!(
            sheet.get_value((0, 0)).unwrap().to_string(),
            "Agenda Sasaran dan Kegiatan Utama Terciptanya Tata Kelola Pemerintahan Digital"
        );
    }

    #[test]
    fn theme_sheet_keeps_band_as_printed() {
        let bytes = achievement_workbook(&sample::achievement_report(), &sample::outline()).unwrap();

        let mut workbook = open(bytes);
        let sheet = workbook.worksheet_range("Tema inflasi").unwrap();

        assert_eq!(sheet.get_value((3, 0)), Some(&Data::String("Sasaran Tematik".into())));
        assert_eq!(sheet.get_value((4, 0)), Some(&Data::String("Terkendalinya tingkat inflasi".into())));
        assert_eq!(sheet.get_value((4, 5)), Some(&Data::String("2,5 ± 1%".into())));
        assert_eq!(sheet.get_value((4, 7)), Some(&Data::Float(82.86)));
        assert_eq!(sheet.get_value((4, 10)), Some(&Data::String("Bappeda; Dinas Perdagangan".into())));
    }

    #[test]
    fn summary_sheet_lists_roll_ups() {
        let bytes = achievement_workbook(&sample::achievement_report(), &sample::outline()).unwrap();

        let mut workbook = open(bytes);
        let sheet = workbook.worksheet_range("Ringkasan").unwrap();

        let header_row = SUMMARY_HEADER_ROW;
        assert_eq!(sheet.get_value((header_row, 0)), Some(&Data::String("Tingkat".into())));
        assert_eq!(sheet.get_value((header_row + 1, 0)), Some(&Data::String("Tujuan".into())));
        assert_eq!(sheet.get_value((header_row + 1, 3)), Some(&Data::Float(2.0)));
        // (91,67 + 82,86) / 2 = 87,265, rounded half-up to 87,27.
        assert_eq!(sheet.get_value((header_row + 1, 10)), Some(&Data::Float(87.27)));
        assert_eq!(sheet.get_value((header_row + 1, 11)), Some(&Data::String("at_risk".into())));
        assert_eq!(sheet.get_value((header_row + 2, 0)), Some(&Data::String("Sasaran".into())));
    }

    #[test]
    fn empty_report_still_opens() {
        let mut report = sample::achievement_report();
        report.indicators.clear();
        report.roll_ups.clear();

        let bytes = achievement_workbook(&report, &sample::outline()).unwrap();

        assert_eq!(open(bytes).sheet_names(), ["Ringkasan", "Semua Indikator"]);
    }
}
