//! The realisations of a synthetic road map: which reporter files what, when, and in which
//! state, decided by arithmetic on positions so that every run writes the same data.
//!
//! The inputs are the position of the indicator in the source file (not in the copy), of the
//! reporting organisation among the file's organisations, and of the period among the road
//! map's quarters. Every copy of an indicator therefore gets the same filings and values, and a
//! report of a road map copied N times counts N times what the report of one copy counts.

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use chrono::{Days, NaiveDate};

use crate::domain::decimal::Decimal;
use crate::domain::indicator::{CombineRule, Direction, FigureRole, ValueKind, YearlyRule};
use crate::domain::realisation::ValueInput;
use crate::domain::roadmap_file::IndicatorEntry;
use crate::domain::value::{Comparator, FigureValue};

/// The state one reporter's realisation for one indicator and period ends in, if it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Never reported.
    Missing,
    /// Submitted and waiting for verification.
    Submitted,
    /// Submitted, then returned by the verifier.
    Returned,
    /// Submitted, then verified.
    Verified,
}

/// One filing of the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filing {
    pub outcome: Outcome,
    /// Submitted after the period's deadline.
    pub late: bool,
    /// Days after the period opens (on time) or after its deadline (late).
    pub day: u64,
    /// The realised share of the target, in percent, from `LEVELS`.
    pub level_percent: u32,
}

/// Realised shares of the target, in percent: five at or above the default on-track threshold
/// (90), two at risk and one off track.
const LEVELS: [u32; 8] = [105, 100, 98, 95, 92, 85, 80, 60];

/// Days from a period's opening day to its deadline.
pub const DAYS_TO_DEADLINE: u64 = 14;

/// The lowest level at which a met or not-met target counts as met.
const MET_FROM_PERCENT: u32 = 90;

/// Decides the filing of the reporter at `organisation` for the indicator at `indicator` in the
/// period at `period`. Out of every 20: 1 missing, 1 returned, 2 submitted and 16 verified, 2
/// of those late.
pub fn filing(indicator: usize, organisation: usize, period: usize) -> Filing {
    let slot = (indicator * 7 + organisation * 11 + period * 3) % 20;
    let outcome = match slot {
        0 => Outcome::Missing,
        1 => Outcome::Returned,
        2 | 3 => Outcome::Submitted,
        _ => Outcome::Verified,
    };
    let level = (indicator * 5 + organisation + period * 3) % LEVELS.len();
    Filing { outcome, late: matches!(slot, 4 | 9), day: (slot % 10) as u64, level_percent: LEVELS[level] }
}

/// Returns the opening day and deadline of a quarter's period. It opens on the first day after
/// the quarter and closes `DAYS_TO_DEADLINE` days later.
pub fn period_days(year: i32, quarter: u8) -> Option<(NaiveDate, NaiveDate)> {
    let opens_on = if quarter >= 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, u32::from(quarter) * 3 + 1, 1)?
    };
    Some((opens_on, opens_on.checked_add_days(Days::new(DAYS_TO_DEADLINE))?))
}

/// Returns the day a filing is submitted in a period.
pub fn submission_day(filing: &Filing, opens_on: NaiveDate, deadline: NaiveDate) -> NaiveDate {
    let (from, days) = if filing.late { (deadline, 1 + filing.day % 5) } else { (opens_on, filing.day) };
    from.checked_add_days(Days::new(days)).unwrap_or(from)
}

/// The value one reporter sends for an indicator in a year: a share of the year's target that
/// `level_percent` sets, in the form the indicator takes. A number is split evenly among
/// `reporters` when their figures add up, and over the four quarters when the year's figure is
/// their sum. Without a target of the year, the baseline (or 1) is used instead.
pub fn value(entry: &IndicatorEntry, year: i32, reporters: usize, level_percent: u32) -> ValueInput {
    let target = figure(entry, FigureRole::Target, year);
    let met = level_percent >= MET_FROM_PERCENT;
    let mut input = ValueInput { met: (entry.direction == Direction::TextMet).then_some(met), ..ValueInput::default() };

    if !entry.value_kind.is_numeric() {
        let aim = label(target).or_else(|| label(baseline(entry)));
        let aim = aim.unwrap_or("Tercapai");
        let text = if met || entry.value_kind == ValueKind::Text { aim.to_string() } else { format!("Bukan {aim}") };
        input.value = Some(serde_json::Value::String(text.chars().take(200).collect()));
        return input;
    }

    let share = BigDecimal::from(level_percent) / BigDecimal::from(100);
    let number = match target {
        Some(FigureValue::Band { low, high }) => {
            let (low, high) = (low.as_big_decimal(), high.as_big_decimal());
            if met { (low + high) / BigDecimal::from(2) } else { high * (BigDecimal::from(2) - &share) }
        }
        Some(FigureValue::Threshold { comparator, value, grade }) => {
            input.grade = grade.clone();
            let above = matches!(comparator, Comparator::Gt | Comparator::Gte) == met;
            let step = BigDecimal::from(1);
            if above { value.as_big_decimal() + step } else { (value.as_big_decimal() - step).max(BigDecimal::zero()) }
        }
        other => {
            let aim = match other {
                Some(FigureValue::Number { value, .. }) => value.as_big_decimal().clone(),
                _ => baseline_number(entry).unwrap_or_else(|| BigDecimal::from(1)),
            };
            let realised = if entry.direction == Direction::LowerIsBetter {
                aim * (BigDecimal::from(2) - &share)
            } else {
                aim * share
            };
            let mut parts = 1u32;
            if entry.yearly_rule == YearlyRule::Sum {
                parts *= 4;
            }
            if entry.combine_rule == CombineRule::Sum {
                parts *= u32::try_from(reporters.max(1)).unwrap_or(1);
            }
            realised / BigDecimal::from(parts)
        }
    };
    let number = number.with_scale_round(2, RoundingMode::HalfUp);

    if entry.combine_rule == CombineRule::Ratio {
        // A rate is sent as counts: hundredths of a percent over 10 000.
        let numerator = (number * BigDecimal::from(100)).with_scale_round(0, RoundingMode::HalfUp);
        input.numerator = Some(text(numerator));
        input.denominator = Some(text(BigDecimal::from(10_000)));
    } else {
        input.value = Some(text(number));
    }
    input
}

/// Writes a number as text in Indonesian notation, as a client would type it.
fn text(number: BigDecimal) -> serde_json::Value {
    serde_json::Value::String(Decimal::new(number).to_indonesian())
}

fn figure(entry: &IndicatorEntry, role: FigureRole, year: i32) -> Option<&FigureValue> {
    entry.figures.iter().find(|figure| figure.role == role && figure.year == year).map(|figure| &figure.value)
}

fn baseline(entry: &IndicatorEntry) -> Option<&FigureValue> {
    entry.figures.iter().find(|figure| figure.role == FigureRole::Baseline).map(|figure| &figure.value)
}

fn baseline_number(entry: &IndicatorEntry) -> Option<BigDecimal> {
    match baseline(entry) {
        Some(FigureValue::Number { value, .. }) => Some(value.as_big_decimal().clone()),
        _ => None,
    }
}

fn label(figure: Option<&FigureValue>) -> Option<&str> {
    match figure? {
        FigureValue::Category { name } => Some(name),
        FigureValue::Text { text } => Some(text),
        _ => None,
    }
}

/// Lists the quarters of a road map's years in order, as (year, quarter).
pub fn quarters(start_year: i32, end_year: i32) -> Vec<(i32, u8)> {
    (start_year..=end_year).flat_map(|year| (1..=4u8).map(move |quarter| (year, quarter))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::realisation::{ValueRules, read_value};
    use crate::domain::roadmap_file::parse_roadmap_file;

    fn semarang() -> Vec<IndicatorEntry> {
        let source =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/semarang-2023-2024.toml")).unwrap();
        parse_roadmap_file(&source).unwrap().indicators
    }

    #[test]
    fn schedule_mixes_outcomes_in_fixed_shares() {
        let mut counts = [0usize; 4];
        let mut late = 0;
        for indicator in 0..20 {
            for period in 0..8 {
                let filing = filing(indicator, 3, period);
                counts[filing.outcome as usize] += 1;
                late += usize::from(filing.late);
            }
        }
        // Missing, submitted, returned, verified out of 160.
        assert_eq!(counts, [8, 16, 8, 128]);
        assert_eq!(late, 16);
        assert_eq!(filing(4, 7, 2), filing(4, 7, 2));
    }

    #[test]
    fn every_semarang_value_reads_as_the_api_would() {
        for entry in semarang() {
            let rules = ValueRules {
                kind: entry.value_kind,
                combine: entry.combine_rule,
                met_by_reporter: entry.direction == Direction::TextMet,
            };
            for level in LEVELS {
                for year in [2023, 2024] {
                    let input = value(&entry, year, entry.implementers.len(), level);
                    let read = read_value(&input, rules);
                    assert!(read.is_ok(), "{} {year} {level}: {input:?} {read:?}", entry.code);
                }
            }
        }
    }

    #[test]
    fn value_follows_the_target() {
        let entries = semarang();
        let spbe = entries.iter().find(|entry| entry.code == "IND-04").unwrap();
        // Target 2023 is 3,6; 95 % of it is 3,42.
        assert_eq!(value(spbe, 2023, 1, 95).value, Some(serde_json::json!("3,42")));
        let inflation = entries.iter().find(|entry| entry.direction == Direction::Band).unwrap();
        // Inside the band 1,5–3,5 when met, above it otherwise.
        assert_eq!(value(inflation, 2023, 1, 100).value, Some(serde_json::json!("2,5")));
        assert_eq!(value(inflation, 2023, 1, 80).value, Some(serde_json::json!("4,2")));
    }

    #[test]
    fn periods_open_after_their_quarter() {
        assert_eq!(quarters(2023, 2024).len(), 8);
        let (opens_on, deadline) = period_days(2023, 4).unwrap();
        assert_eq!((opens_on.to_string(), deadline.to_string()), ("2024-01-01".into(), "2024-01-15".into()));
        let on_time = Filing { outcome: Outcome::Verified, late: false, day: 3, level_percent: 100 };
        assert_eq!(submission_day(&on_time, opens_on, deadline).to_string(), "2024-01-04");
        let late = Filing { late: true, ..on_time };
        assert_eq!(submission_day(&late, opens_on, deadline).to_string(), "2024-01-19");
    }
}
