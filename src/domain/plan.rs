//! Action plans (rencana aksi) and their milestones: statuses, budgets, weights, due days,
//! weighted progress and overdue milestones.

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

use super::period::PeriodCode;
use crate::error::FieldError;

/// The weights of one plan's milestones add up to at most this.
pub const MAX_TOTAL_WEIGHT: u32 = 100;

/// The maximum number of milestones in one plan.
pub const MAX_MILESTONES: i64 = 50;

/// The largest budget accepted, in rupiah: one quadrillion.
pub const MAX_BUDGET_DIGITS: u64 = 16;

/// The status of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema, EnumString, AsRefStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlanStatus {
    Planned,
    InProgress,
    Done,
    /// Stopped, with a reason; a cancelled plan takes no changes.
    Cancelled,
}

/// A milestone's due day: a calendar day, or the last day of a quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub on: NaiveDate,
    pub quarter: Option<PeriodCode>,
}

impl Due {
    /// Reads `2024-06-30` or `2024-Q2`.
    pub fn parse(text: &str) -> Result<Due, FieldError> {
        let text = text.trim();
        if let Ok(on) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Due { on, quarter: None });
        }
        match text.parse::<PeriodCode>() {
            Ok(code) => Ok(Due { on: quarter_end(code), quarter: Some(code) }),
            Err(()) => Err(FieldError::new(
                "due",
                format!("{text:?} bukan tanggal (2024-06-30) atau triwulan (2024-Q2)"),
                format!("{text:?} is neither a day (2024-06-30) nor a quarter (2024-Q2)"),
            )),
        }
    }
}

/// Returns the last day of a quarter.
pub fn quarter_end(code: PeriodCode) -> NaiveDate {
    let (month, day) = match code.quarter {
        1 => (3, 31),
        2 => (6, 30),
        3 => (9, 30),
        _ => (12, 31),
    };
    NaiveDate::from_ymd_opt(code.year, month, day).unwrap_or(NaiveDate::MAX)
}

/// Checks a budget in rupiah: not negative, at most two decimals (sen) and at most
/// `MAX_BUDGET_DIGITS` digits before the comma.
pub fn check_budget(budget: &BigDecimal) -> Result<(), FieldError> {
    if budget < &BigDecimal::zero() {
        return Err(FieldError::new("budget", "tidak boleh negatif", "must not be negative"));
    }
    if budget.fractional_digit_count() > 2 {
        return Err(FieldError::new(
            "budget",
            "paling banyak dua angka di belakang koma (sen)",
            "must have at most two decimals (sen)",
        ));
    }
    if budget.with_scale(0).digits() > MAX_BUDGET_DIGITS {
        return Err(FieldError::new(
            "budget",
            format!("paling banyak {MAX_BUDGET_DIGITS} digit sebelum koma"),
            format!("must have at most {MAX_BUDGET_DIGITS} digits before the decimals"),
        ));
    }
    Ok(())
}

/// Checks an output quantity: greater than zero, at most two decimals and at most
/// `MAX_BUDGET_DIGITS` digits before the comma.
pub fn check_quantity(quantity: &BigDecimal) -> Result<(), FieldError> {
    let fits = quantity.fractional_digit_count() <= 2 && quantity.with_scale(0).digits() <= MAX_BUDGET_DIGITS;
    if quantity <= &BigDecimal::zero() || !fits {
        return Err(FieldError::new(
            "output_quantity",
            format!(
                "harus lebih dari 0, paling banyak {MAX_BUDGET_DIGITS} digit sebelum koma dan dua angka di belakang koma"
            ),
            format!(
                "must be greater than 0, with at most {MAX_BUDGET_DIGITS} digits before the decimals and two after"
            ),
        ));
    }
    Ok(())
}

/// Checks a milestone's weight against the weights of the plan's other milestones: greater
/// than zero, at most two decimals, and a total of at most `MAX_TOTAL_WEIGHT`.
pub fn check_weight(weight: &BigDecimal, others: &BigDecimal) -> Result<(), FieldError> {
    if weight <= &BigDecimal::zero() {
        return Err(FieldError::new("weight", "harus lebih dari 0", "must be greater than 0"));
    }
    if weight.fractional_digit_count() > 2 {
        return Err(FieldError::new(
            "weight",
            "paling banyak dua angka di belakang koma",
            "must have at most two decimals",
        ));
    }
    let limit = BigDecimal::from(MAX_TOTAL_WEIGHT);
    if others + weight > limit {
        let room = (&limit - others).max(BigDecimal::zero()).normalized();
        return Err(FieldError::new(
            "weight",
            format!(
                "jumlah bobot tonggak satu rencana aksi paling banyak {MAX_TOTAL_WEIGHT}; tonggak lain sudah berbobot {}, sisa {room}",
                others.normalized()
            ),
            format!(
                "the weights of a plan's milestones total at most {MAX_TOTAL_WEIGHT}; the other milestones weigh {} already, leaving {room}",
                others.normalized()
            ),
        ));
    }
    Ok(())
}

/// Checks a progress percentage: from 0 to 100 with at most two decimals.
pub fn check_percent(percent: &BigDecimal) -> Result<(), FieldError> {
    if percent < &BigDecimal::zero() || percent > &BigDecimal::from(100) || percent.fractional_digit_count() > 2 {
        return Err(FieldError::new(
            "percent",
            "harus 0 sampai 100, paling banyak dua angka di belakang koma",
            "must be from 0 to 100, with at most two decimals",
        ));
    }
    Ok(())
}

/// Computes the weighted progress of a plan's milestones, given as (weight, progress) pairs, rounded to
/// two decimals; zero for a plan without milestones.
pub fn weighted_progress<'a>(milestones: impl IntoIterator<Item = (&'a BigDecimal, &'a BigDecimal)>) -> BigDecimal {
    let mut weights = BigDecimal::zero();
    let mut weighted = BigDecimal::zero();
    for (weight, progress) in milestones {
        weights += weight;
        weighted += weight * progress;
    }
    if weights.is_zero() {
        return BigDecimal::zero();
    }
    (weighted / weights).with_scale_round(2, RoundingMode::HalfUp).normalized()
}

/// Tells whether a milestone with this progress is done.
pub fn is_done(progress: &BigDecimal) -> bool {
    progress >= &BigDecimal::from(100)
}

/// Tells whether a milestone is overdue on `today`: its due day has passed and it is not done, in a
/// plan that still runs.
pub fn is_overdue(due_on: NaiveDate, progress: &BigDecimal, status: PlanStatus, today: NaiveDate) -> bool {
    let running = matches!(status, PlanStatus::Planned | PlanStatus::InProgress);
    running && due_on < today && !is_done(progress)
}

/// Checks a status change made by an edit. Cancelling has its own route with a reason; a
/// cancelled plan stays cancelled; a plan is done only when every milestone is.
pub fn check_status_change(from: PlanStatus, to: PlanStatus, all_done: bool) -> Result<(), FieldError> {
    match (from, to) {
        (_, PlanStatus::Cancelled) => Err(FieldError::new(
            "status",
            "pembatalan memakai POST .../cancel dengan alasan",
            "cancel with POST .../cancel and a reason",
        )),
        (PlanStatus::Done, PlanStatus::Done) => Ok(()),
        (_, PlanStatus::Done) if !all_done => Err(FieldError::new(
            "status",
            "rencana aksi baru selesai bila semua tonggaknya 100%",
            "a plan is done only when all its milestones are at 100%",
        )),
        _ => Ok(()),
    }
}

/// Checks that a plan's days are in order and inside the road map's years.
pub fn check_schedule(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    years: &std::ops::RangeInclusive<i32>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, day) in [("starts_on", starts_on), ("ends_on", ends_on)] {
        if !years.contains(&day.year()) {
            errors.push(FieldError::new(
                field,
                format!("harus jatuh pada tahun {} sampai {}", years.start(), years.end()),
                format!("must fall in the years {} to {}", years.start(), years.end()),
            ));
        }
    }
    if ends_on < starts_on {
        errors.push(FieldError::new("ends_on", "tidak boleh sebelum starts_on", "must not be before starts_on"));
    }
    errors
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn number(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn reads_days_and_quarters() {
        assert_eq!(Due::parse("2024-06-15").unwrap().on, NaiveDate::from_ymd_opt(2024, 6, 15).unwrap());
        let quarter = Due::parse("2024-Q2").unwrap();
        assert_eq!(quarter.on, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
        assert_eq!(quarter.quarter.unwrap().to_string(), "2024-Q2");
        assert_eq!(Due::parse("2023-Q4").unwrap().on, NaiveDate::from_ymd_opt(2023, 12, 31).unwrap());
        assert!(Due::parse("30/06/2024").is_err());
        assert!(Due::parse("2024-Q5").is_err());
    }

    #[test]
    fn weighs_progress() {
        let (w1, p1, w2, p2) = (number("40"), number("100"), number("60"), number("50"));
        assert_eq!(weighted_progress([(&w1, &p1), (&w2, &p2)]), number("70"));
        let (w3, p3) = (number("30"), number("33.33"));
        assert_eq!(weighted_progress([(&w1, &p1), (&w3, &p3)]), number("71.43"));
        assert_eq!(weighted_progress(std::iter::empty()), BigDecimal::zero());
    }

    #[test]
    fn refuses_nonsensical_weights() {
        assert_eq!(check_weight(&number("0"), &BigDecimal::zero()).unwrap_err().field, "weight");
        assert!(check_weight(&number("-5"), &BigDecimal::zero()).is_err());
        assert!(check_weight(&number("0.001"), &BigDecimal::zero()).is_err());
        assert!(check_weight(&number("30"), &number("80")).is_err());
        assert!(check_weight(&number("20"), &number("80")).is_ok());
    }

    #[test]
    fn checks_budgets() {
        assert!(check_budget(&number("1250000000.50")).is_ok());
        assert!(check_budget(&number("0")).is_ok());
        assert!(check_budget(&number("-1")).is_err());
        assert!(check_budget(&number("1.005")).is_err());
        assert!(check_budget(&number("99999999999999999")).is_err());
    }

    #[test]
    fn checks_quantities() {
        assert!(check_quantity(&number("1")).is_ok());
        assert!(check_quantity(&number("0")).is_err());
        assert!(check_quantity(&number("0.125")).is_err());
        assert!(check_quantity(&number("99999999999999999")).is_err());
    }

    #[test]
    fn overdue_only_while_running() {
        let due = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
        let after = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        assert!(!is_overdue(due, &number("50"), PlanStatus::InProgress, due));
        assert!(is_overdue(due, &number("50"), PlanStatus::InProgress, after));
        assert!(!is_overdue(due, &number("100"), PlanStatus::InProgress, after));
        assert!(!is_overdue(due, &number("50"), PlanStatus::Cancelled, after));
    }

    #[test]
    fn done_needs_every_milestone() {
        assert!(check_status_change(PlanStatus::InProgress, PlanStatus::Done, false).is_err());
        assert!(check_status_change(PlanStatus::InProgress, PlanStatus::Done, true).is_ok());
        assert!(check_status_change(PlanStatus::Planned, PlanStatus::Cancelled, true).is_err());
        assert!(check_status_change(PlanStatus::Planned, PlanStatus::InProgress, false).is_ok());
    }
}
