//! Kinds and rules that describe an indicator and the parts of the road map tree.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

/// The kind of an indicator's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ValueKind {
    Number,
    Percentage,
    Currency,
    Index,
    Category,
    Text,
}

impl ValueKind {
    /// Returns whether values of this kind are read as numbers (with bands and thresholds).
    pub fn is_numeric(self) -> bool {
        !matches!(self, ValueKind::Category | ValueKind::Text)
    }
}

/// The rule for which realisations count as good for an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// On target inside a band (low to high), such as an inflation target of 2,5 ± 1 %.
    Band,
    /// The target is a category (such as the audit opinion WTP), met or not met.
    CategoryMet,
    /// The target is a text describing an outcome, met or not met.
    TextMet,
}

/// The rule that makes one yearly value from four quarterly ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum YearlyRule {
    /// Counts and flows: the year is the sum of its quarters.
    Sum,
    /// Indices, rates and stocks: the year is its latest reported quarter.
    Latest,
    /// The year is the mean of its reported quarters.
    Average,
}

/// RB General (internal governance) or RB Tematik (a public issue with a theme).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ObjectiveKind {
    General,
    Thematic,
}

/// One government unit, or a group of units named together (such as all kecamatan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum OrganisationKind {
    Unit,
    Group,
}

/// Whether a figure is the baseline or a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FigureRole {
    Baseline,
    Target,
}

/// The level of the tree at which an indicator is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Level {
    Goal,
    Objective,
    Activity,
}

/// The rule that makes an indicator's figure for a period from its implementers' figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CombineRule {
    /// Counts and amounts: the implementers' figures add up.
    Sum,
    /// Rates: the sum of the numerators over the sum of the denominators, as a percentage.
    /// Every implementer reports its numerator and denominator; percentages are never added.
    Ratio,
    /// The figure of one designated reporting unit; the others' figures are kept but not counted.
    Designated,
}

/// The formula that judges a realisation of a lower-is-better indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LowerRule {
    /// (2 × target − realisation) / target × 100.
    Difference,
    /// target / realisation × 100.
    Ratio,
}

/// Checks how an indicator's figure is reported: `sum` and `ratio` combine numbers only, and the
/// reporting unit of `designated` is the coordinator or an implementer. Ids are organisation
/// ids; errors name the request field.
pub fn check_reporting(
    kind: ValueKind,
    combine: CombineRule,
    reporting_unit: Option<i64>,
    coordinator: Option<i64>,
    implementers: &[i64],
) -> Vec<crate::error::FieldError> {
    use crate::error::FieldError;
    let mut errors = Vec::new();
    if combine != CombineRule::Designated && !kind.is_numeric() {
        errors.push(FieldError::new(
            "combine_rule",
            "sum dan ratio hanya untuk indikator berangka; indikator kategori dan uraian memakai designated",
            "sum and ratio apply to numeric indicators only; category and text indicators use designated",
        ));
    }
    match (combine, reporting_unit) {
        (CombineRule::Designated, Some(unit)) if coordinator != Some(unit) && !implementers.contains(&unit) => {
            errors.push(FieldError::new(
                "reporting_unit",
                "harus koordinator atau salah satu pelaksana indikator",
                "must be the indicator's coordinator or one of its implementers",
            ));
        }
        (CombineRule::Sum | CombineRule::Ratio, Some(_)) => errors.push(FieldError::new(
            "reporting_unit",
            "hanya untuk combine_rule designated",
            "applies only to combine_rule designated",
        )),
        _ => {}
    }
    errors
}
