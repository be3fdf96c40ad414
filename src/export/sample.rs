//! A small achievement report for the export's unit tests: goal T1 with objective S1 and its
//! activity K1.03, and the theme `inflasi` with objective ST5.

use std::str::FromStr;

use bigdecimal::BigDecimal;

use super::outline::{Outline, OutlineActivity, OutlineObjective};
use crate::domain::achievement::{Achievement, BandPosition, Figure, Status};
use crate::domain::decimal::Decimal;
use crate::domain::indicator::Level;
use crate::domain::report::{ReportStatus, Thresholds, roll_up};
use crate::domain::value::FigureValue;
use crate::services::achievement::{Basis, FigureStatus};
use crate::services::reports::{AchievementReport, GradingView, IndicatorReportRow, RollUpLevel, RollUpRow};
use crate::views::{FigureView, NodeRef, OrganisationRef, PlacementView, RoadmapView};

pub fn decimal(text: &str) -> Decimal {
    Decimal::new(BigDecimal::from_str(text).unwrap())
}

fn node(id: i64, code: &str, name: &str) -> NodeRef {
    NodeRef { id, code: code.into(), name: name.into() }
}

fn placement(level: Level, id: i64, code: &str) -> PlacementView {
    PlacementView { level, id, code: code.into(), name: code.into() }
}

fn organisation(id: i64, code: &str, name: &str) -> OrganisationRef {
    OrganisationRef { id, code: code.into(), name: name.into() }
}

fn figure(year: i32, printed: &str, value: FigureValue) -> FigureView {
    FigureView { year, quarter: None, printed: printed.into(), value, stated_value: None, note: None }
}

fn number(text: &str) -> FigureValue {
    FigureValue::Number { value: decimal(text), count: None, qualifier: None }
}

pub fn outline() -> Outline {
    Outline {
        goals: vec![node(1, "T1", "Terwujudnya birokrasi yang bersih")],
        themes: vec![node(2, "inflasi", "Pengendalian Inflasi")],
        objectives: vec![
            OutlineObjective { node: node(10, "S1", "Terciptanya Tata Kelola Pemerintahan Digital"), theme_id: None },
            OutlineObjective { node: node(11, "ST5", "Terkendalinya tingkat inflasi"), theme_id: Some(2) },
        ],
        activities: vec![OutlineActivity {
            node: node(20, "K1.03", "Pelaksanaan Arsitektur SPBE Nasional"),
            objective_id: 10,
        }],
    }
}

/// IND-04 (SPBE index, 3,3 against 3,6: 91,67 %), shown at S1 and K1.03, and IND-41
/// (inflation, 4,1 against the band 2,5 ± 1 %: 82,86 %), shown at ST5.
pub fn achievement_report() -> AchievementReport {
    let diskominfo = organisation(100, "DISKOMINFO", "Dinas Komunikasi dan Informatika");
    let spbe = IndicatorReportRow {
        id: 4,
        code: "IND-04".into(),
        name: "Indeks SPBE".into(),
        unit: "Skor".into(),
        placements: vec![placement(Level::Objective, 10, "S1"), placement(Level::Activity, 20, "K1.03")],
        coordinator: Some(diskominfo.clone()),
        implementers: vec![diskominfo],
        baseline: Some(figure(2022, "3,38", number("3.38"))),
        target: Some(figure(2023, "3,6", number("3.6"))),
        target_revised: false,
        figure_status: FigureStatus::Figure,
        realisation: Some(Figure::Number { value: decimal("3.3"), grade: None }),
        achievement: Achievement { status: Status::Computed, percent: Some(decimal("91.67")), position: None },
        status: ReportStatus::OnTrack,
    };
    let inflation = IndicatorReportRow {
        id: 41,
        code: "IND-41".into(),
        name: "Tingkat inflasi".into(),
        unit: "%".into(),
        placements: vec![placement(Level::Objective, 11, "ST5")],
        coordinator: Some(organisation(101, "BAG-PEREKONOMIAN", "Bagian Perekonomian")),
        implementers: vec![organisation(102, "BAPPEDA", "Bappeda"), organisation(103, "DISDAG", "Dinas Perdagangan")],
        baseline: Some(figure(2022, "4,99%", number("4.99"))),
        target: Some(figure(2023, "2,5 ± 1%", FigureValue::Band { low: decimal("1.5"), high: decimal("3.5") })),
        target_revised: true,
        figure_status: FigureStatus::Figure,
        realisation: Some(Figure::Number { value: decimal("4.1"), grade: None }),
        achievement: Achievement {
            status: Status::Computed,
            percent: Some(decimal("82.86")),
            position: Some(BandPosition::Above),
        },
        status: ReportStatus::AtRisk,
    };
    let thresholds = Thresholds::default();
    let percents = [decimal("91.67"), decimal("82.86")];
    let objective = roll_up([(ReportStatus::OnTrack, Some(&percents[0]))], &thresholds);
    let goal =
        roll_up([(ReportStatus::OnTrack, Some(&percents[0])), (ReportStatus::AtRisk, Some(&percents[1]))], &thresholds);

    AchievementReport {
        roadmap: RoadmapView {
            id: 1,
            code: "semarang-2023-2024".into(),
            title: "Road Map Reformasi Birokrasi Kota Semarang".into(),
            legal_basis: "Peraturan Wali Kota Semarang Nomor 62 Tahun 2023".into(),
            start_year: 2023,
            end_year: 2024,
            baseline_year: 2022,
        },
        year: 2023,
        quarter: Some(1),
        basis: Basis::Verified,
        grading: GradingView { on_track_percent: 90, at_risk_percent: 75, rollup_cap_percent: 120 },
        indicators: vec![spbe, inflation],
        roll_ups: vec![
            RollUpRow { level: RollUpLevel::Goal, id: 1, code: "T1".into(), name: "Tujuan".into(), roll_up: goal },
            RollUpRow {
                level: RollUpLevel::Objective,
                id: 10,
                code: "S1".into(),
                name: "Tata Kelola".into(),
                roll_up: objective,
            },
        ],
    }
}
