//! Combines implementers' quarterly realisations into an indicator's figure, makes a year's
//! figure from its quarters and compares a figure with its target (capaian).
//!
//! Quotients are computed exactly and then rounded half-up: figures to 4 decimals and
//! achievement percentages to 2 decimals.

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, RoundingMode, Zero};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::decimal::Decimal;
use super::indicator::{CombineRule, Direction, LowerRule, YearlyRule};
use super::value::{Comparator, FigureValue};

/// Decimal places of a figure computed by division (a ratio or an average).
const FIGURE_SCALE: i64 = 4;

/// Decimal places of an achievement percentage.
pub(crate) const PERCENT_SCALE: i64 = 2;

/// One organisation's realised value for a quarter.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub organisation_id: i64,
    pub value: Realised,
}

/// A value as an implementing unit reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Realised {
    /// A number. The ratio rule uses `numerator` and `denominator` instead of `value`.
    Number {
        value: BigDecimal,
        numerator: Option<BigDecimal>,
        denominator: Option<BigDecimal>,
        grade: Option<String>,
    },
    Category {
        name: String,
    },
    /// A text describing an outcome, and whether the outcome was met.
    Text {
        text: String,
        met: bool,
    },
}

/// An indicator's figure for a quarter or a year.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Figure {
    Number {
        value: Decimal,
        #[serde(skip_serializing_if = "Option::is_none")]
        grade: Option<String>,
    },
    Category {
        name: String,
    },
    Text {
        text: String,
        met: bool,
    },
}

/// The result of combining the parts of a quarter.
#[derive(Clone, Debug, PartialEq)]
pub enum Combined {
    /// The figure and the number of parts used for it.
    Figure { figure: Figure, reported: usize },
    /// No part to combine. A missing submission is never counted as 0.
    NoData,
    /// The designated rule applies but the indicator has no reporting unit.
    NoReportingUnit,
    /// The ratio rule applies and a part lacks its numerator or denominator.
    MissingCounts,
}

/// Combines the counted parts of a quarter into the indicator's figure.
///
/// The sum rule adds the number parts and ignores the others. The ratio rule divides the sum
/// of the numerators by the sum of the denominators, times 100. The designated rule takes the
/// first part of the reporting unit, of any kind. A grade is kept only when one part is used.
pub fn combine(rule: CombineRule, reporting_unit: Option<i64>, parts: &[Part]) -> Combined {
    match rule {
        CombineRule::Sum => combine_sum(parts),
        CombineRule::Ratio => combine_ratio(parts),
        CombineRule::Designated => combine_designated(reporting_unit, parts),
    }
}

fn combine_sum(parts: &[Part]) -> Combined {
    let numbers: Vec<(&BigDecimal, &Option<String>)> = parts
        .iter()
        .filter_map(|part| match &part.value {
            Realised::Number { value, grade, .. } => Some((value, grade)),
            Realised::Category { .. } | Realised::Text { .. } => None,
        })
        .collect();
    if numbers.is_empty() {
        return Combined::NoData;
    }

    let sum: BigDecimal = numbers.iter().map(|(value, _)| *value).sum();
    let grade = match numbers.as_slice() {
        [(_, grade)] => (*grade).clone(),
        _ => None,
    };
    Combined::Figure { figure: Figure::Number { value: Decimal::new(sum), grade }, reported: numbers.len() }
}

fn combine_ratio(parts: &[Part]) -> Combined {
    if parts.is_empty() {
        return Combined::NoData;
    }

    let mut numerator_sum = BigDecimal::zero();
    let mut denominator_sum = BigDecimal::zero();
    for part in parts {
        let Realised::Number { numerator: Some(numerator), denominator: Some(denominator), .. } = &part.value else {
            return Combined::MissingCounts;
        };
        numerator_sum += numerator;
        denominator_sum += denominator;
    }

    let Some(value) = divide_rounded(&(numerator_sum * BigDecimal::from(100)), &denominator_sum, FIGURE_SCALE) else {
        return Combined::NoData;
    };
    let grade = match parts {
        [Part { value: Realised::Number { grade, .. }, .. }] => grade.clone(),
        _ => None,
    };
    Combined::Figure { figure: Figure::Number { value: Decimal::new(value), grade }, reported: parts.len() }
}

fn combine_designated(reporting_unit: Option<i64>, parts: &[Part]) -> Combined {
    let Some(reporting_unit) = reporting_unit else {
        return Combined::NoReportingUnit;
    };
    match parts.iter().find(|part| part.organisation_id == reporting_unit) {
        Some(part) => Combined::Figure { figure: to_figure(&part.value), reported: 1 },
        None => Combined::NoData,
    }
}

fn to_figure(realised: &Realised) -> Figure {
    match realised {
        Realised::Number { value, grade, .. } => {
            Figure::Number { value: Decimal::new(value.clone()), grade: grade.clone() }
        }
        Realised::Category { name } => Figure::Category { name: name.clone() },
        Realised::Text { text, met } => Figure::Text { text: text.clone(), met: *met },
    }
}

/// Makes a year's figure from the figures of its quarters, given as (quarter, figure) in any order.
///
/// The sum and average rules apply to number figures. When the latest quarter's figure is a
/// category or a text, it is the year's figure whatever the rule. A number's grade comes from
/// the latest quarter. Returns `None` when no quarter has a figure.
pub fn yearly(rule: YearlyRule, quarters: &[(u8, Figure)]) -> Option<Figure> {
    // NOTE: when a quarter appears twice, the later entry in the slice counts as the latest.
    let (_, latest) = quarters.iter().max_by_key(|(quarter, _)| *quarter)?;
    let Figure::Number { grade, .. } = latest else {
        return Some(latest.clone());
    };

    let numbers: Vec<&BigDecimal> = quarters
        .iter()
        .filter_map(|(_, figure)| match figure {
            Figure::Number { value, .. } => Some(value.as_big_decimal()),
            Figure::Category { .. } | Figure::Text { .. } => None,
        })
        .collect();
    let sum: BigDecimal = numbers.iter().copied().sum();

    let value = match rule {
        YearlyRule::Latest => return Some(latest.clone()),
        YearlyRule::Sum => sum,
        YearlyRule::Average => divide_rounded(&sum, &BigDecimal::from(numbers.len() as u64), FIGURE_SCALE)?,
    };
    Some(Figure::Number { value: Decimal::new(value), grade: grade.clone() })
}

/// The outcome of comparing a figure with its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The percentage is set.
    Computed,
    /// A category, text or threshold target is met.
    Met,
    /// A category, text or threshold target is not met.
    NotMet,
    /// The year has no target figure.
    NoTarget,
    /// The target exists but its value is not set yet (such as "Menunggu penetapan angka P3KE").
    TargetNotSet,
    /// The formula would divide by a target of 0, or the figure lies below a band whose lower end
    /// is 0 or less, or above a band whose upper end is 0.
    ZeroTarget,
    /// The lower-is-better ratio rule would divide the target by a realisation of 0.
    ZeroRealisation,
    /// There is no figure to compare.
    NoData,
    /// The figure's kind does not fit the target, such as a category figure against a number.
    NotComparable,
}

/// Position of a figure relative to a band target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    Below,
    Inside,
    Above,
}

/// The achievement (capaian) of a figure against its target.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Achievement {
    pub status: Status,
    /// Achievement in percent, rounded half-up to two decimals and set only with status `computed`.
    /// `Decimal` drops trailing zeros, so JSON writes it with two decimals (`"110.00"`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_percent")]
    pub percent: Option<Decimal>,
    /// Position of the figure relative to the target, set only for a band target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<BandPosition>,
}

impl Achievement {
    fn with_status(status: Status) -> Self {
        Achievement { status, percent: None, position: None }
    }

    fn met(met: bool) -> Self {
        Achievement::with_status(if met { Status::Met } else { Status::NotMet })
    }

    fn computed(percent: BigDecimal) -> Self {
        Achievement { status: Status::Computed, percent: Some(Decimal::new(percent)), position: None }
    }

    /// Returns a computed achievement, or `ZeroTarget` when the division by the target failed.
    fn percent_or_zero_target(percent: Option<BigDecimal>) -> Self {
        match percent {
            Some(percent) => Achievement::computed(percent),
            None => Achievement::with_status(Status::ZeroTarget),
        }
    }
}

/// Formats an achievement percentage with two decimals, such as `110.00`.
pub fn format_percent(percent: &Decimal) -> String {
    percent.as_big_decimal().with_scale_round(PERCENT_SCALE, RoundingMode::HalfUp).to_plain_string()
}

pub(crate) fn serialize_percent<S: Serializer>(percent: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match percent {
        Some(percent) => serializer.serialize_str(&format_percent(percent)),
        None => serializer.serialize_none(),
    }
}

/// Compares a figure with the year's target.
///
/// The checks run in this order: a missing target, a target not set, a missing figure, and
/// then the comparison that fits the target's kind. A realisation of 0 is a value, not a gap.
pub fn achievement(
    direction: Direction,
    lower_rule: LowerRule,
    target: Option<&FigureValue>,
    figure: Option<&Figure>,
) -> Achievement {
    let Some(target) = target else {
        return Achievement::with_status(Status::NoTarget);
    };
    if matches!(target, FigureValue::NotSet { .. }) {
        return Achievement::with_status(Status::TargetNotSet);
    }
    let Some(figure) = figure else {
        return Achievement::with_status(Status::NoData);
    };

    match (target, figure) {
        (FigureValue::Number { value: target, .. }, Figure::Number { value: realised, .. }) => {
            against_number(direction, lower_rule, target.as_big_decimal(), realised.as_big_decimal())
        }
        (FigureValue::Band { low, high }, Figure::Number { value: realised, .. }) => {
            against_band(low.as_big_decimal(), high.as_big_decimal(), realised.as_big_decimal())
        }
        (FigureValue::Threshold { comparator, value: bound, .. }, Figure::Number { value: realised, .. }) => {
            Achievement::met(satisfies(*comparator, realised.as_big_decimal(), bound.as_big_decimal()))
        }
        (FigureValue::Category { name: target }, Figure::Category { name: realised }) => {
            Achievement::met(normalize_category(target) == normalize_category(realised))
        }
        (FigureValue::Text { .. }, Figure::Text { met, .. }) => Achievement::met(*met),
        (FigureValue::NotSet { .. }, _) => Achievement::with_status(Status::TargetNotSet),
        _ => Achievement::with_status(Status::NotComparable),
    }
}

/// Judges a number against a number target. A band direction with a single number as target
/// is judged as higher is better.
fn against_number(
    direction: Direction,
    lower_rule: LowerRule,
    target: &BigDecimal,
    realised: &BigDecimal,
) -> Achievement {
    let hundred = BigDecimal::from(100);
    match (direction, lower_rule) {
        (Direction::HigherIsBetter | Direction::Band, _) => {
            Achievement::percent_or_zero_target(divide_rounded(&(realised * &hundred), target, PERCENT_SCALE))
        }
        (Direction::LowerIsBetter, LowerRule::Difference) => {
            let difference = BigDecimal::from(2) * target - realised;
            Achievement::percent_or_zero_target(divide_rounded(&(difference * &hundred), target, PERCENT_SCALE))
        }
        (Direction::LowerIsBetter, LowerRule::Ratio) => {
            if target.is_zero() {
                return Achievement::with_status(Status::ZeroTarget);
            }
            match divide_rounded(&(target * &hundred), realised, PERCENT_SCALE) {
                Some(percent) => Achievement::computed(percent),
                None => Achievement::with_status(Status::ZeroRealisation),
            }
        }
        (Direction::CategoryMet | Direction::TextMet, _) => Achievement::with_status(Status::NotComparable),
    }
}

/// Judges a number against a band from `low` to `high`, both included.
fn against_band(low: &BigDecimal, high: &BigDecimal, realised: &BigDecimal) -> Achievement {
    let hundred = BigDecimal::from(100);
    let (position, percent) = if realised < low {
        // A band whose lower end is 0 or below has no meaningful ratio below it.
        let percent =
            if low > &BigDecimal::zero() { divide_rounded(&(realised * &hundred), low, PERCENT_SCALE) } else { None };
        (BandPosition::Below, percent)
    } else if realised > high {
        let excess = BigDecimal::from(2) * high - realised;
        (BandPosition::Above, divide_rounded(&(excess * &hundred), high, PERCENT_SCALE))
    } else {
        (BandPosition::Inside, Some(hundred))
    };

    let mut achievement = Achievement::percent_or_zero_target(percent);
    achievement.position = Some(position);
    achievement
}

fn satisfies(comparator: Comparator, realised: &BigDecimal, bound: &BigDecimal) -> bool {
    match comparator {
        Comparator::Gt => realised > bound,
        Comparator::Gte => realised >= bound,
        Comparator::Lt => realised < bound,
        Comparator::Lte => realised <= bound,
    }
}

/// Lowercases a category name and collapses its whitespace, so that `wtp` matches ` WTP `.
fn normalize_category(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Divides exactly and rounds the quotient half-up (ties away from zero) to `scale` decimals.
///
/// In bigdecimal 0.4, `/` stops at a precision fixed when the crate is built (100 digits unless
/// `RUST_BIGDECIMAL_DEFAULT_PRECISION` sets another) and rounds there, so rounding its result
/// again could round twice. Here the quotient is truncated one digit past `scale`, which is
/// all that half-up rounding looks at. Returns `None` when the denominator is zero, or when
/// the operands' scales differ by more than `u32::MAX` digits.
pub(crate) fn divide_rounded(numerator: &BigDecimal, denominator: &BigDecimal, scale: i64) -> Option<BigDecimal> {
    if denominator.is_zero() {
        return None;
    }

    // numerator / denominator × 10^extra = n × 10^(d_scale − n_scale + extra) / d
    let (n, n_scale) = numerator.as_bigint_and_exponent();
    let (d, d_scale) = denominator.as_bigint_and_exponent();
    let extra = scale + 1;
    let shift = d_scale - n_scale + extra;
    let power = BigInt::from(10u8).pow(u32::try_from(shift.unsigned_abs()).ok()?);
    let (n, d) = if shift >= 0 { (n * power, d) } else { (n, d * power) };

    // BigInt division truncates toward zero.
    let truncated = BigDecimal::new(n / d, extra);
    Some(truncated.with_scale_round(scale, RoundingMode::HalfUp))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::domain::indicator::ValueKind;
    use crate::domain::value::parse_figure;

    fn big(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    fn decimal(text: &str) -> Decimal {
        Decimal::new(big(text))
    }

    fn number_target(text: &str) -> FigureValue {
        FigureValue::Number { value: decimal(text), count: None, qualifier: None }
    }

    fn band_target(low: &str, high: &str) -> FigureValue {
        FigureValue::Band { low: decimal(low), high: decimal(high) }
    }

    fn threshold_target(comparator: Comparator, value: &str) -> FigureValue {
        FigureValue::Threshold { comparator, value: decimal(value), grade: Some("BB".into()) }
    }

    fn number_figure(text: &str) -> Figure {
        Figure::Number { value: decimal(text), grade: None }
    }

    fn graded_figure(text: &str, grade: &str) -> Figure {
        Figure::Number { value: decimal(text), grade: Some(grade.into()) }
    }

    fn category_figure(name: &str) -> Figure {
        Figure::Category { name: name.into() }
    }

    fn text_figure(met: bool) -> Figure {
        Figure::Text { text: "Peraturan wali kota ditetapkan".into(), met }
    }

    fn number_part(organisation_id: i64, value: &str) -> Part {
        Part {
            organisation_id,
            value: Realised::Number { value: big(value), numerator: None, denominator: None, grade: None },
        }
    }

    fn graded_part(organisation_id: i64, value: &str, grade: &str) -> Part {
        Part {
            organisation_id,
            value: Realised::Number {
                value: big(value),
                numerator: None,
                denominator: None,
                grade: Some(grade.into()),
            },
        }
    }

    /// Builds a part with counts. Its `value` of 999 shows that the ratio rule ignores it.
    fn counted_part(organisation_id: i64, numerator: Option<&str>, denominator: Option<&str>) -> Part {
        let value = big("999");
        Part {
            organisation_id,
            value: Realised::Number {
                value,
                numerator: numerator.map(big),
                denominator: denominator.map(big),
                grade: None,
            },
        }
    }

    fn category_part(organisation_id: i64, name: &str) -> Part {
        Part { organisation_id, value: Realised::Category { name: name.into() } }
    }

    fn text_part(organisation_id: i64, text: &str, met: bool) -> Part {
        Part { organisation_id, value: Realised::Text { text: text.into(), met } }
    }

    fn describe_figure(figure: &Figure) -> String {
        match figure {
            Figure::Number { value, grade: None } => value.to_string(),
            Figure::Number { value, grade: Some(grade) } => format!("{value}/{grade}"),
            Figure::Category { name } => format!("category {name}"),
            Figure::Text { text, met } => format!("text {text:?} met={met}"),
        }
    }

    fn describe_combined(combined: &Combined) -> String {
        match combined {
            Combined::Figure { figure, reported } => format!("{} from {reported}", describe_figure(figure)),
            Combined::NoData => "no data".into(),
            Combined::NoReportingUnit => "no reporting unit".into(),
            Combined::MissingCounts => "missing counts".into(),
        }
    }

    struct AchievementCase {
        name: &'static str,
        direction: Direction,
        lower_rule: LowerRule,
        target: Option<FigureValue>,
        figure: Option<Figure>,
        status: Status,
        percent: Option<&'static str>,
        position: Option<BandPosition>,
    }

    fn case(
        name: &'static str,
        direction: Direction,
        lower_rule: LowerRule,
        target: Option<FigureValue>,
        figure: Option<Figure>,
    ) -> AchievementCase {
        AchievementCase {
            name,
            direction,
            lower_rule,
            target,
            figure,
            status: Status::Computed,
            percent: None,
            position: None,
        }
    }

    impl AchievementCase {
        fn computed(mut self, percent: &'static str) -> Self {
            self.status = Status::Computed;
            self.percent = Some(percent);
            self
        }

        fn status(mut self, status: Status) -> Self {
            self.status = status;
            self
        }

        fn at(mut self, position: BandPosition) -> Self {
            self.position = Some(position);
            self
        }
    }

    fn achievement_cases() -> Vec<AchievementCase> {
        use BandPosition::{Above, Below, Inside};
        use Direction::{Band, CategoryMet, HigherIsBetter, LowerIsBetter, TextMet};
        use LowerRule::{Difference, Ratio};

        let inflation = || Some(band_target("1.5", "3.5"));
        let sakip = || Some(threshold_target(Comparator::Gt, "74"));
        let opinion = || Some(FigureValue::Category { name: "WTP".into() });
        let outcome = || Some(FigureValue::Text { text: "Peraturan wali kota ditetapkan".into() });

        vec![
            // Investment in rupiah, target 22.164.705.670.019.
            case(
                "investment",
                HigherIsBetter,
                Difference,
                Some(number_target("22164705670019")),
                Some(number_figure("24662877213739")),
            )
            .computed("111.27"),
            case(
                "stunting prevalence",
                LowerIsBetter,
                Difference,
                Some(number_target("1.3")),
                Some(number_figure("1.2")),
            )
            .computed("107.69"),
            // Inflation 2023, printed "2,5 ± 1%".
            case("inflation inside band", Band, Difference, inflation(), Some(number_figure("2.9")))
                .computed("100.00")
                .at(Inside),
            case("inflation at band low", Band, Difference, inflation(), Some(number_figure("1.5")))
                .computed("100.00")
                .at(Inside),
            case("inflation at band high", Band, Difference, inflation(), Some(number_figure("3.5")))
                .computed("100.00")
                .at(Inside),
            case("inflation above band", Band, Difference, inflation(), Some(number_figure("4.1")))
                .computed("82.86")
                .at(Above),
            case("inflation below band", Band, Difference, inflation(), Some(number_figure("1.2")))
                .computed("80.00")
                .at(Below),
            case("band target higher direction", HigherIsBetter, Difference, inflation(), Some(number_figure("4.1")))
                .computed("82.86")
                .at(Above),
            case("band low zero below", Band, Difference, Some(band_target("0", "2")), Some(number_figure("-0.5")))
                .status(Status::ZeroTarget)
                .at(Below),
            case(
                "band low negative below",
                Band,
                Difference,
                Some(band_target("-1", "2")),
                Some(number_figure("-1.5")),
            )
            .status(Status::ZeroTarget)
            .at(Below),
            case("band high zero above", Band, Difference, Some(band_target("-1", "0")), Some(number_figure("1")))
                .status(Status::ZeroTarget)
                .at(Above),
            case("band low zero inside", Band, Difference, Some(band_target("0", "2")), Some(number_figure("0")))
                .computed("100.00")
                .at(Inside),
            case(
                "lower difference better",
                LowerIsBetter,
                Difference,
                Some(number_target("14")),
                Some(number_figure("12.6")),
            )
            .computed("110.00"),
            case(
                "lower difference equal",
                LowerIsBetter,
                Difference,
                Some(number_target("14")),
                Some(number_figure("14")),
            )
            .computed("100.00"),
            case(
                "lower difference worse",
                LowerIsBetter,
                Difference,
                Some(number_target("14")),
                Some(number_figure("15.4")),
            )
            .computed("90.00"),
            case("lower ratio better", LowerIsBetter, Ratio, Some(number_target("14")), Some(number_figure("12.6")))
                .computed("111.11"),
            case("lower ratio worse", LowerIsBetter, Ratio, Some(number_target("14")), Some(number_figure("15.4")))
                .computed("90.91"),
            case(
                "lower ratio zero realisation",
                LowerIsBetter,
                Ratio,
                Some(number_target("14")),
                Some(number_figure("0")),
            )
            .status(Status::ZeroRealisation),
            case("lower ratio zero target", LowerIsBetter, Ratio, Some(number_target("0")), Some(number_figure("0")))
                .status(Status::ZeroTarget),
            case(
                "lower difference zero target",
                LowerIsBetter,
                Difference,
                Some(number_target("0")),
                Some(number_figure("1")),
            )
            .status(Status::ZeroTarget),
            case(
                "higher zero realisation",
                HigherIsBetter,
                Difference,
                Some(number_target("50")),
                Some(number_figure("0")),
            )
            .computed("0.00"),
            case("higher zero target", HigherIsBetter, Difference, Some(number_target("0")), Some(number_figure("5")))
                .status(Status::ZeroTarget),
            case(
                "band direction number target",
                Band,
                Difference,
                Some(number_target("100")),
                Some(number_figure("90")),
            )
            .computed("90.00"),
            case(
                "higher rounds tie up",
                HigherIsBetter,
                Difference,
                Some(number_target("100")),
                Some(number_figure("100.125")),
            )
            .computed("100.13"),
            case(
                "negative percent tie",
                LowerIsBetter,
                Difference,
                Some(number_target("10")),
                Some(number_figure("20.0125")),
            )
            .computed("-0.13"),
            case(
                "tiny negative rounds to zero",
                LowerIsBetter,
                Difference,
                Some(number_target("10")),
                Some(number_figure("20.0001")),
            )
            .computed("0.00"),
            // SAKIP score, printed ">74/BB".
            case("sakip above threshold", HigherIsBetter, Difference, sakip(), Some(graded_figure("76.5", "BB")))
                .status(Status::Met),
            case("sakip at threshold", HigherIsBetter, Difference, sakip(), Some(graded_figure("74", "B")))
                .status(Status::NotMet),
            case("threshold grade ignored", HigherIsBetter, Difference, sakip(), Some(graded_figure("80", "B")))
                .status(Status::Met),
            case(
                "threshold gte equal",
                HigherIsBetter,
                Difference,
                Some(threshold_target(Comparator::Gte, "74")),
                Some(number_figure("74")),
            )
            .status(Status::Met),
            case(
                "threshold lt equal",
                LowerIsBetter,
                Difference,
                Some(threshold_target(Comparator::Lt, "5")),
                Some(number_figure("5")),
            )
            .status(Status::NotMet),
            case(
                "threshold lt below",
                LowerIsBetter,
                Difference,
                Some(threshold_target(Comparator::Lt, "5")),
                Some(number_figure("4.9")),
            )
            .status(Status::Met),
            case(
                "threshold lte equal",
                LowerIsBetter,
                Difference,
                Some(threshold_target(Comparator::Lte, "5")),
                Some(number_figure("5")),
            )
            .status(Status::Met),
            case("threshold category figure", HigherIsBetter, Difference, sakip(), Some(category_figure("BB")))
                .status(Status::NotComparable),
            // Audit opinion of the BPK.
            case("opinion lowercase", CategoryMet, Difference, opinion(), Some(category_figure("wtp")))
                .status(Status::Met),
            case("opinion other", CategoryMet, Difference, opinion(), Some(category_figure("WDP")))
                .status(Status::NotMet),
            case(
                "category whitespace",
                CategoryMet,
                Difference,
                Some(FigureValue::Category { name: "Wajar Tanpa Pengecualian".into() }),
                Some(category_figure("  wajar  tanpa\tpengecualian ")),
            )
            .status(Status::Met),
            case("category text figure", CategoryMet, Difference, opinion(), Some(text_figure(true)))
                .status(Status::NotComparable),
            case("category number figure", CategoryMet, Difference, opinion(), Some(number_figure("1")))
                .status(Status::NotComparable),
            case("text met", TextMet, Difference, outcome(), Some(text_figure(true))).status(Status::Met),
            case("text not met", TextMet, Difference, outcome(), Some(text_figure(false))).status(Status::NotMet),
            case("text category figure", TextMet, Difference, outcome(), Some(category_figure("WTP")))
                .status(Status::NotComparable),
            case(
                "number category figure",
                HigherIsBetter,
                Difference,
                Some(number_target("10")),
                Some(category_figure("WTP")),
            )
            .status(Status::NotComparable),
            case(
                "number target category direction",
                CategoryMet,
                Difference,
                Some(number_target("10")),
                Some(number_figure("10")),
            )
            .status(Status::NotComparable),
            case(
                "number target text direction",
                TextMet,
                Difference,
                Some(number_target("10")),
                Some(number_figure("10")),
            )
            .status(Status::NotComparable),
            // Extreme poverty 2024, printed "Menunggu penetapan angka P3KE".
            case(
                "extreme poverty not set",
                LowerIsBetter,
                Difference,
                Some(FigureValue::NotSet { reason: Some("Menunggu penetapan angka P3KE".into()) }),
                Some(number_figure("0.5")),
            )
            .status(Status::TargetNotSet),
            case("not set without figure", LowerIsBetter, Difference, Some(FigureValue::NotSet { reason: None }), None)
                .status(Status::TargetNotSet),
            case("no figure", HigherIsBetter, Difference, Some(number_target("10")), None).status(Status::NoData),
            case("no target", HigherIsBetter, Difference, None, Some(number_figure("10"))).status(Status::NoTarget),
            case("no target no figure", HigherIsBetter, Difference, None, None).status(Status::NoTarget),
        ]
    }

    #[test]
    fn achievement_table() {
        for case in achievement_cases() {
            let result = achievement(case.direction, case.lower_rule, case.target.as_ref(), case.figure.as_ref());

            assert_eq!(result.status, case.status, "{}: status", case.name);
            assert_eq!(result.percent.as_ref().map(format_percent).as_deref(), case.percent, "{}: percent", case.name);
            assert_eq!(result.position, case.position, "{}: position", case.name);
        }
    }

    #[test]
    fn achievement_printed_targets() {
        let parse = |text: &str, kind: ValueKind| parse_figure(text, kind).unwrap();
        let cases = [
            (
                "22.164.705.670.019",
                ValueKind::Currency,
                Direction::HigherIsBetter,
                number_figure("24662877213739"),
                Status::Computed,
            ),
            ("2,5 ± 1%", ValueKind::Percentage, Direction::Band, number_figure("4.1"), Status::Computed),
            (">74/BB", ValueKind::Index, Direction::HigherIsBetter, number_figure("76.5"), Status::Met),
            ("WTP", ValueKind::Category, Direction::CategoryMet, category_figure("wtp"), Status::Met),
            (
                "Menunggu penetapan angka P3KE",
                ValueKind::Percentage,
                Direction::LowerIsBetter,
                number_figure("1"),
                Status::TargetNotSet,
            ),
        ];

        for (text, kind, direction, figure, status) in cases {
            let target = parse(text, kind);
            let result = achievement(direction, LowerRule::Difference, Some(&target), Some(&figure));

            assert_eq!(result.status, status, "{text}");
        }
    }

    #[test]
    fn combine_table() {
        use CombineRule::{Designated, Ratio, Sum};

        let cases = [
            (
                "rate of two implementers",
                Ratio,
                None,
                vec![counted_part(1, Some("15"), Some("50")), counted_part(2, Some("15"), Some("100"))],
                "20 from 2",
            ),
            ("rate single part", Ratio, None, vec![counted_part(1, Some("1"), Some("3"))], "33.3333 from 1"),
            ("rate rounds half up", Ratio, None, vec![counted_part(1, Some("2"), Some("3"))], "66.6667 from 1"),
            (
                "rate missing denominator",
                Ratio,
                None,
                vec![counted_part(1, Some("15"), Some("50")), counted_part(2, Some("15"), None)],
                "missing counts",
            ),
            ("rate missing numerator", Ratio, None, vec![counted_part(1, None, Some("50"))], "missing counts"),
            ("rate category part", Ratio, None, vec![category_part(1, "WTP")], "missing counts"),
            ("rate zero denominators", Ratio, None, vec![counted_part(1, Some("0"), Some("0"))], "no data"),
            ("rate no parts", Ratio, None, vec![], "no data"),
            (
                "sum of numbers",
                Sum,
                None,
                vec![number_part(1, "10"), number_part(2, "2.5"), number_part(3, "0")],
                "12.5 from 3",
            ),
            ("sum ignores category", Sum, None, vec![number_part(1, "10"), category_part(2, "WTP")], "10 from 1"),
            ("sum without numbers", Sum, None, vec![text_part(1, "Selesai", true)], "no data"),
            ("sum no parts", Sum, None, vec![], "no data"),
            ("sum to zero", Sum, None, vec![number_part(1, "5.0"), number_part(2, "-5.00")], "0 from 2"),
            ("sum single part keeps grade", Sum, None, vec![graded_part(1, "76.5", "BB")], "76.5/BB from 1"),
            (
                "sum drops grades",
                Sum,
                None,
                vec![graded_part(1, "76.5", "BB"), graded_part(2, "80", "A")],
                "156.5 from 2",
            ),
            ("designated without unit", Designated, None, vec![number_part(1, "10")], "no reporting unit"),
            ("designated unit silent", Designated, Some(7), vec![number_part(1, "10")], "no data"),
            (
                "designated number",
                Designated,
                Some(2),
                vec![number_part(1, "10"), graded_part(2, "76.5", "BB")],
                "76.5/BB from 1",
            ),
            ("designated category", Designated, Some(1), vec![category_part(1, "WTP")], "category WTP from 1"),
            (
                "designated text",
                Designated,
                Some(1),
                vec![text_part(1, "Selesai", false)],
                "text \"Selesai\" met=false from 1",
            ),
        ];

        for (name, rule, reporting_unit, parts, expected) in cases {
            let combined = combine(rule, reporting_unit, &parts);

            assert_eq!(describe_combined(&combined), expected, "{name}");
        }
    }

    #[test]
    fn yearly_table() {
        use YearlyRule::{Average, Latest, Sum};

        let cases = [
            (
                "count over four quarters",
                Sum,
                vec![
                    (1, number_figure("10")),
                    (2, number_figure("20")),
                    (3, number_figure("0")),
                    (4, number_figure("5")),
                ],
                Some("35"),
            ),
            ("index out of order", Latest, vec![(3, number_figure("70")), (1, number_figure("60"))], Some("70")),
            ("average of two", Average, vec![(1, number_figure("60")), (2, number_figure("70.5"))], Some("65.25")),
            (
                "average rounds half up",
                Average,
                vec![(1, number_figure("1")), (2, number_figure("1")), (3, number_figure("2.0002"))],
                Some("1.3334"),
            ),
            ("single quarter", Sum, vec![(2, number_figure("4"))], Some("4")),
            ("no quarters", Sum, vec![], None),
            (
                "grade from latest",
                Sum,
                vec![(2, graded_figure("20", "A")), (1, graded_figure("10", "B"))],
                Some("30/A"),
            ),
            (
                "category uses latest",
                Sum,
                vec![(4, category_figure("WTP")), (2, category_figure("WDP"))],
                Some("category WTP"),
            ),
            (
                "text uses latest",
                Average,
                vec![(1, text_figure(false)), (3, text_figure(true))],
                Some("text \"Peraturan wali kota ditetapkan\" met=true"),
            ),
        ];

        for (name, rule, quarters, expected) in cases {
            let figure = yearly(rule, &quarters);

            assert_eq!(figure.as_ref().map(describe_figure).as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn divide_rounded_cases() {
        let cases = [
            ("2", "3", 4, "0.6667"),
            ("-2", "3", 4, "-0.6667"),
            ("1", "8", 2, "0.13"),
            ("-1", "8", 2, "-0.13"),
            ("-1", "100000", 2, "0.00"),
            ("1E+6", "3", 4, "333333.3333"),
            ("1", "4E+3", 4, "0.0003"),
        ];

        for (numerator, denominator, scale, expected) in cases {
            let quotient = divide_rounded(&big(numerator), &big(denominator), scale).unwrap();

            assert_eq!(quotient.to_plain_string(), expected, "{numerator} / {denominator}");
        }
        assert_eq!(divide_rounded(&big("1"), &big("0.000"), 4), None);
    }

    #[test]
    fn decimal_prints_without_negative_zero() {
        let quotient = divide_rounded(&big("-1"), &big("100000"), 4).unwrap();

        assert_eq!(Decimal::new(quotient).to_string(), "0");
        assert_eq!(Decimal::new(big("20.0000")).to_string(), "20");
    }

    #[test]
    fn figure_serializes_tagged() {
        let number = serde_json::to_value(number_figure("20")).unwrap();
        let graded = serde_json::to_value(graded_figure("76.5", "BB")).unwrap();
        let text = serde_json::to_value(text_figure(true)).unwrap();

        assert_eq!(number, serde_json::json!({"type": "number", "value": "20"}));
        assert_eq!(graded, serde_json::json!({"type": "number", "value": "76.5", "grade": "BB"}));
        assert_eq!(text, serde_json::json!({"type": "text", "text": "Peraturan wali kota ditetapkan", "met": true}));
    }

    #[test]
    fn achievement_serializes_two_decimals() {
        let band = achievement(
            Direction::Band,
            LowerRule::Difference,
            Some(&band_target("1.5", "3.5")),
            Some(&number_figure("2.9")),
        );
        let missing = achievement(Direction::HigherIsBetter, LowerRule::Ratio, Some(&number_target("1")), None);
        let zero = achievement(
            Direction::LowerIsBetter,
            LowerRule::Ratio,
            Some(&number_target("1")),
            Some(&number_figure("0")),
        );

        assert_eq!(
            serde_json::to_value(band).unwrap(),
            serde_json::json!({"status": "computed", "percent": "100.00", "position": "inside"})
        );
        assert_eq!(serde_json::to_value(missing).unwrap(), serde_json::json!({"status": "no_data"}));
        assert_eq!(serde_json::to_value(zero).unwrap(), serde_json::json!({"status": "zero_realisation"}));
    }
}
