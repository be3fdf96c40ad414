//! An indicator's figures and achievement for a year: each quarter's figure combined from the
//! counted realisations, the year's figure from the quarters, and both judged against targets.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::indicators::IndicatorSubject;
use crate::db::realisations::{self, RealisationRow};
use crate::db::rows::FigureRow;
use crate::domain::achievement::{self, Achievement, Combined, Figure, Part};
use crate::domain::indicator::{CombineRule, YearlyRule};
use crate::domain::period::PeriodCode;
use crate::domain::realisation::RealisationState;
use crate::error::ApiError;
use crate::services::realisations::{IndicatorRef, judge, realised};
use crate::views::FigureView;

/// The set of realisations that count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::AsRefStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Basis {
    /// Verified realisations only: the official figure.
    Verified,
    /// Submitted and verified ones: a provisional figure, before verification ends.
    Provisional,
}

/// The outcome of combining a quarter: a figure, or the reason there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureStatus {
    Figure,
    /// No counted realisation: no data, never zero.
    NoData,
    /// The `designated` rule names no reporting unit.
    NoReportingUnit,
    /// A rate lacks a numerator or denominator.
    MissingCounts,
}

/// One quarter of the year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuarterView {
    #[schema(value_type = String, example = "2023-Q1")]
    pub period: PeriodCode,
    pub status: FigureStatus,
    pub figure: Option<Figure>,
    /// How many organisations' realisations made the figure.
    pub reported: usize,
    pub achievement: Achievement,
}

/// An indicator's achievement for a year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorAchievement {
    pub indicator: IndicatorRef,
    pub year: i32,
    /// `verified`, or `provisional` when submitted realisations count too.
    pub basis: Basis,
    pub combine_rule: CombineRule,
    pub yearly_rule: YearlyRule,
    /// The year's target, where the road map sets one.
    pub target: Option<FigureView>,
    /// Whether the year's target was set or revised through the API; its history is at
    /// `.../targets/{year}/history`.
    pub target_revised: bool,
    pub quarters: Vec<QuarterView>,
    /// The year's figure from its quarters by the yearly rule.
    pub figure: Option<Figure>,
    pub achievement: Achievement,
}

/// Returns the realisation states that count on a basis.
pub fn counted_states(basis: Basis) -> &'static [RealisationState] {
    match basis {
        Basis::Verified => &[RealisationState::Verified],
        Basis::Provisional => &[RealisationState::Verified, RealisationState::Submitted],
    }
}

/// Computes an indicator's achievement for a year, with two queries: its realisations and its
/// target revisions.
pub async fn for_year(
    connection: &mut AsyncPgConnection,
    subject: &IndicatorSubject,
    year: i32,
    basis: Basis,
) -> Result<IndicatorAchievement, ApiError> {
    let states: Vec<&str> = counted_states(basis).iter().map(AsRef::as_ref).collect();
    let rows = realisations::for_indicator_year(connection, subject.row.id, year, &states).await?;
    let target_revised = crate::db::targets::revised_years(connection, subject.row.id).await?.contains(&year);
    Ok(compute(subject, year, basis, &rows, target_revised))
}

/// Computes an indicator's figures and achievement for a year from rows already loaded: its
/// realisations of that year in the states that `basis` counts, each with its quarter.
/// `target_revised` states whether a target of the year was set or revised through the API.
pub fn compute(
    subject: &IndicatorSubject,
    year: i32,
    basis: Basis,
    rows: &[(i16, RealisationRow)],
    target_revised: bool,
) -> IndicatorAchievement {
    let combine_rule: CombineRule = subject.row.combine_rule.parse().unwrap_or(CombineRule::Designated);
    let yearly_rule: YearlyRule = subject.row.yearly_rule.parse().unwrap_or(YearlyRule::Latest);

    let mut quarters = Vec::with_capacity(4);
    let mut figures: Vec<(u8, Figure)> = Vec::new();
    for quarter in 1..=4u8 {
        let parts: Vec<Part> = rows
            .iter()
            .filter(|(row_quarter, _)| *row_quarter == i16::from(quarter))
            .filter_map(|(_, row)| Some(Part { organisation_id: row.organisation_id, value: realised(row)? }))
            .collect();
        let (status, figure, reported) = match achievement::combine(combine_rule, subject.row.reporting_unit_id, &parts)
        {
            Combined::Figure { figure, reported } => (FigureStatus::Figure, Some(figure), reported),
            Combined::NoData => (FigureStatus::NoData, None, 0),
            Combined::NoReportingUnit => (FigureStatus::NoReportingUnit, None, 0),
            Combined::MissingCounts => (FigureStatus::MissingCounts, None, parts.len()),
        };
        let achievement = judge(subject, year, Some(i16::from(quarter)), figure.as_ref());
        if let Some(figure) = &figure {
            figures.push((quarter, figure.clone()));
        }
        quarters.push(QuarterView { period: PeriodCode { year, quarter }, status, figure, reported, achievement });
    }

    let figure = achievement::yearly(yearly_rule, &figures);
    let achievement = judge(subject, year, None, figure.as_ref());
    IndicatorAchievement {
        indicator: IndicatorRef {
            id: subject.row.id,
            code: subject.row.code.clone(),
            name: subject.row.name.clone(),
            unit: subject.row.unit.clone(),
        },
        year,
        basis,
        combine_rule,
        yearly_rule,
        target: subject.target(year, None).and_then(figure_view),
        target_revised,
        quarters,
        figure,
        achievement,
    }
}

/// Returns the API view of a baseline or target row; `None` when its stored value cannot be read.
pub fn figure_view(row: &FigureRow) -> Option<FigureView> {
    Some(FigureView {
        year: row.year,
        quarter: row.quarter,
        value: row.value().ok()?,
        printed: row.printed.clone(),
        stated_value: row.stated_value.clone(),
        note: row.note.clone(),
    })
}
