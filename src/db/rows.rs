//! Row types as diesel reads and writes them, and their conversion to domain values.

use bigdecimal::BigDecimal;
use diesel::prelude::*;

use crate::db::schema::{
    activities, goals, indicator_figures, indicators, objectives, organisations, roadmaps, themes,
};
use crate::domain::decimal::Decimal;
use crate::domain::value::{Comparator, FigureValue};
use crate::views::NodeStatus;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = roadmaps)]
pub struct RoadmapRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub legal_basis: String,
    pub start_year: i32,
    pub end_year: i32,
    pub baseline_year: i32,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = goals)]
pub struct GoalRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version: i32,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub retired_reason: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = themes)]
pub struct ThemeRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version: i32,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub retired_reason: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = objectives)]
pub struct ObjectiveRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub goal_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub name: String,
    pub version: i32,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub retired_reason: Option<String>,
    pub coordinator_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: i64,
    pub objective_id: i64,
    pub code: String,
    pub name: String,
    pub version: i32,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub retired_reason: Option<String>,
    pub coordinator_id: Option<i64>,
}

/// The columns that goals, themes, objectives and activities share, read the same way for all
/// four, so that one piece of code maintains every kind of node.
pub trait NodeRow: Sync {
    fn id(&self) -> i64;
    fn code(&self) -> &str;
    fn name(&self) -> &str;
    fn status(&self) -> NodeStatus;
    /// Returns the coordinator of the node's action plans, which goals and themes never have.
    fn coordinator_id(&self) -> Option<i64>;
}

macro_rules! impl_node_row {
    ($row:ty, $coordinator:expr) => {
        impl NodeRow for $row {
            fn id(&self) -> i64 {
                self.id
            }
            fn code(&self) -> &str {
                &self.code
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn status(&self) -> NodeStatus {
                NodeStatus {
                    version: self.version,
                    retired_at: self.retired_at,
                    retired_reason: self.retired_reason.clone(),
                }
            }
            fn coordinator_id(&self) -> Option<i64> {
                let coordinator: fn(&Self) -> Option<i64> = $coordinator;
                coordinator(self)
            }
        }
    };
}

impl_node_row!(GoalRow, |_| None);
impl_node_row!(ThemeRow, |_| None);
impl_node_row!(ObjectiveRow, |row| row.coordinator_id);
impl_node_row!(ActivityRow, |row| row.coordinator_id);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = indicators)]
pub struct IndicatorRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value_kind: String,
    pub direction: String,
    pub yearly_rule: String,
    pub coordinator_id: Option<i64>,
    pub note: Option<String>,
    pub combine_rule: String,
    pub reporting_unit_id: Option<i64>,
    pub lower_rule: String,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub retired_reason: Option<String>,
    pub version: i32,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = indicator_figures)]
pub struct FigureRow {
    pub indicator_id: i64,
    pub role: String,
    pub year: i32,
    pub quarter: Option<i16>,
    pub printed: String,
    pub value_type: String,
    pub number: Option<BigDecimal>,
    pub count: Option<BigDecimal>,
    pub qualifier: Option<String>,
    pub band_low: Option<BigDecimal>,
    pub band_high: Option<BigDecimal>,
    pub comparator: Option<String>,
    pub grade: Option<String>,
    pub label: Option<String>,
    pub stated_value: Option<String>,
    pub note: Option<String>,
    pub version: i32,
}

/// The columns of a placement: its goal, objective or activity id, exactly one of them set.
pub type PlaceColumns = (Option<i64>, Option<i64>, Option<i64>);

/// The structured columns of a figure, as written to `indicator_figures`; `None` writes NULL.
#[derive(Clone, Debug, Default, PartialEq, AsChangeset, Insertable)]
#[diesel(table_name = indicator_figures, treat_none_as_null = true)]
pub struct FigureColumns {
    pub value_type: &'static str,
    pub number: Option<BigDecimal>,
    pub count: Option<BigDecimal>,
    pub qualifier: Option<String>,
    pub band_low: Option<BigDecimal>,
    pub band_high: Option<BigDecimal>,
    pub comparator: Option<String>,
    pub grade: Option<String>,
    pub label: Option<String>,
}

impl FigureColumns {
    pub fn from_value(value: &FigureValue) -> FigureColumns {
        let big = |decimal: &Decimal| decimal.as_big_decimal().clone();
        match value {
            FigureValue::Number { value, count, qualifier } => FigureColumns {
                value_type: "number",
                number: Some(big(value)),
                count: count.as_ref().map(big),
                qualifier: qualifier.clone(),
                ..FigureColumns::default()
            },
            FigureValue::Band { low, high } => FigureColumns {
                value_type: "band",
                band_low: Some(big(low)),
                band_high: Some(big(high)),
                ..FigureColumns::default()
            },
            FigureValue::Threshold { comparator, value, grade } => FigureColumns {
                value_type: "threshold",
                number: Some(big(value)),
                comparator: Some(comparator.as_ref().to_string()),
                grade: grade.clone(),
                ..FigureColumns::default()
            },
            FigureValue::Category { name } => {
                FigureColumns { value_type: "category", label: Some(name.clone()), ..FigureColumns::default() }
            }
            FigureValue::Text { text } => {
                FigureColumns { value_type: "text", label: Some(text.clone()), ..FigureColumns::default() }
            }
            FigureValue::NotSet { reason } => {
                FigureColumns { value_type: "not_set", label: reason.clone(), ..FigureColumns::default() }
            }
        }
    }
}

impl FigureRow {
    /// Rebuilds the structured value; the table's CHECK constraints guarantee the columns each
    /// type needs, so a missing one is reported as corrupt data.
    pub fn value(&self) -> anyhow::Result<FigureValue> {
        let decimal = |column: &Option<BigDecimal>, name: &str| {
            column
                .clone()
                .map(Decimal::new)
                .ok_or_else(|| anyhow::anyhow!("indicator figure of type {} lacks {name}", self.value_type))
        };
        let value = match self.value_type.as_str() {
            "number" => FigureValue::Number {
                value: decimal(&self.number, "number")?,
                count: self.count.clone().map(Decimal::new),
                qualifier: self.qualifier.clone(),
            },
            "band" => FigureValue::Band {
                low: decimal(&self.band_low, "band_low")?,
                high: decimal(&self.band_high, "band_high")?,
            },
            "threshold" => FigureValue::Threshold {
                comparator: self
                    .comparator
                    .as_deref()
                    .and_then(|text| text.parse::<Comparator>().ok())
                    .ok_or_else(|| anyhow::anyhow!("threshold figure lacks a valid comparator"))?,
                value: decimal(&self.number, "number")?,
                grade: self.grade.clone(),
            },
            "category" => FigureValue::Category { name: self.label.clone().unwrap_or_default() },
            "text" => FigureValue::Text { text: self.label.clone().unwrap_or_default() },
            "not_set" => FigureValue::NotSet { reason: self.label.clone() },
            other => anyhow::bail!("unknown figure value type {other:?}"),
        };
        Ok(value)
    }
}
