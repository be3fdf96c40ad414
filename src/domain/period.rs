//! Reporting periods (triwulan): their codes, their state on a given day, and whether a first
//! submission on that day is on time, late or refused.
//!
//! Days are calendar days in Asia/Jakarta. A period is open from its opening day to its deadline
//! day, both included, so a submission at 23:59 WIB on the deadline day is on time.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

use super::lang::Lang;

/// A year and a quarter, written `2023-Q4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodCode {
    pub year: i32,
    pub quarter: u8,
}

impl FromStr for PeriodCode {
    type Err = ();

    /// Reads `2023-Q4`; the `Q` may be lower case.
    fn from_str(text: &str) -> Result<PeriodCode, ()> {
        let (year, quarter) = text.trim().split_once('-').ok_or(())?;
        let quarter = quarter.strip_prefix(['Q', 'q']).ok_or(())?;
        let year: i32 = if year.len() == 4 { year.parse().map_err(|_| ())? } else { return Err(()) };
        let quarter: u8 = quarter.parse().map_err(|_| ())?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&quarter) {
            return Err(());
        }
        Ok(PeriodCode { year, quarter })
    }
}

impl fmt::Display for PeriodCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-Q{}", self.year, self.quarter)
    }
}

impl Serialize for PeriodCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Hint for a period code that cannot be read.
pub fn period_code_hint(lang: Lang) -> &'static str {
    lang.pick(
        "harus berbentuk TAHUN-QTRIWULAN, misalnya 2023-Q1 untuk triwulan I 2023",
        "must be YEAR-QQUARTER, for example 2023-Q1 for the first quarter of 2023",
    )
}

/// The treatment of first submissions after a period's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LatePolicy {
    /// Refused, unless the organisation has an exception.
    Refuse,
    /// Accepted and marked late.
    AcceptLate,
}

/// The state of a period on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, AsRefStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PeriodState {
    /// Before the opening day: nothing can be submitted yet.
    Scheduled,
    /// From the opening day to the deadline day.
    Open,
    /// After the deadline day; first submissions follow the late policy.
    Closed,
    /// Nothing changes any more, verification included.
    Locked,
}

/// The timeliness of a first submission against the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    /// After the deadline, accepted by the period's policy.
    Late,
    /// After the deadline, under an exception the secretariat granted the organisation.
    Exception,
}

/// The dates and settings of a period that decide what may happen in it.
#[derive(Clone, Copy, Debug)]
pub struct PeriodRules {
    pub opens_on: NaiveDate,
    pub deadline: NaiveDate,
    pub late_policy: LatePolicy,
    pub locked: bool,
}

/// The reason a period rejects a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodRefusal {
    Locked,
    NotYetOpen { opens_on: NaiveDate },
    PastDeadline { deadline: NaiveDate },
}

impl PeriodRefusal {
    pub fn message(&self, period: PeriodCode, lang: Lang) -> String {
        match (self, lang) {
            (PeriodRefusal::Locked, Lang::Id) => {
                format!("periode {period} sedang dikunci; data periode ini tidak dapat diubah selama terkunci")
            }
            (PeriodRefusal::Locked, Lang::En) => {
                format!("period {period} is locked; its data cannot change while it is")
            }
            (PeriodRefusal::NotYetOpen { opens_on }, Lang::Id) => {
                format!("periode {period} baru dibuka pada {opens_on} (WIB)")
            }
            (PeriodRefusal::NotYetOpen { opens_on }, Lang::En) => {
                format!("period {period} opens on {opens_on} (WIB)")
            }
            (PeriodRefusal::PastDeadline { deadline }, Lang::Id) => format!(
                "batas waktu periode {period} adalah {deadline} pukul 23.59 WIB dan periode ini tidak menerima laporan terlambat; minta pengecualian kepada sekretariat"
            ),
            (PeriodRefusal::PastDeadline { deadline }, Lang::En) => format!(
                "the deadline of period {period} was {deadline} at 23:59 WIB and the period accepts no late reports; ask the secretariat for an exception"
            ),
        }
    }
}

impl PeriodRules {
    pub fn state(&self, today: NaiveDate) -> PeriodState {
        if self.locked {
            PeriodState::Locked
        } else if today < self.opens_on {
            PeriodState::Scheduled
        } else if today <= self.deadline {
            PeriodState::Open
        } else {
            PeriodState::Closed
        }
    }

    /// Decides whether a first submission (or a draft) may be made on `today`, and how timely
    /// it is. `exception_until` is the last day of an exception the organisation holds, if any.
    pub fn first_submission(
        &self,
        today: NaiveDate,
        exception_until: Option<NaiveDate>,
    ) -> Result<Timeliness, PeriodRefusal> {
        match self.state(today) {
            PeriodState::Locked => Err(PeriodRefusal::Locked),
            PeriodState::Scheduled => Err(PeriodRefusal::NotYetOpen { opens_on: self.opens_on }),
            PeriodState::Open => Ok(Timeliness::OnTime),
            PeriodState::Closed if exception_until.is_some_and(|until| today <= until) => Ok(Timeliness::Exception),
            PeriodState::Closed => match self.late_policy {
                LatePolicy::AcceptLate => Ok(Timeliness::Late),
                LatePolicy::Refuse => Err(PeriodRefusal::PastDeadline { deadline: self.deadline }),
            },
        }
    }

    /// Decides whether an existing realisation may change on `today` (an edit or resubmission
    /// after a return, or a verification): anything but a lock allows it, so that a report
    /// returned after the deadline can still be corrected.
    pub fn later_change(&self, today: NaiveDate) -> Result<(), PeriodRefusal> {
        match self.state(today) {
            PeriodState::Locked => Err(PeriodRefusal::Locked),
            PeriodState::Scheduled => Err(PeriodRefusal::NotYetOpen { opens_on: self.opens_on }),
            PeriodState::Open | PeriodState::Closed => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn rules(late_policy: LatePolicy) -> PeriodRules {
        PeriodRules { opens_on: day("2023-04-01"), deadline: day("2023-04-30"), late_policy, locked: false }
    }

    #[test]
    fn reads_and_writes_period_codes() {
        let code: PeriodCode = "2023-Q4".parse().unwrap();
        assert_eq!(code, PeriodCode { year: 2023, quarter: 4 });
        assert_eq!(code.to_string(), "2023-Q4");
        assert_eq!("2024-q1".parse::<PeriodCode>().unwrap().to_string(), "2024-Q1");
        for bad in ["2023-Q5", "2023-Q0", "23-Q1", "2023Q1", "2023-1", "", "2023-Q", "1999-Q1"] {
            assert!(bad.parse::<PeriodCode>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn first_submission_at_deadline_boundary() {
        let refuse = rules(LatePolicy::Refuse);
        assert_eq!(refuse.first_submission(day("2023-04-30"), None), Ok(Timeliness::OnTime));
        assert_eq!(
            refuse.first_submission(day("2023-05-01"), None),
            Err(PeriodRefusal::PastDeadline { deadline: day("2023-04-30") })
        );
        assert_eq!(rules(LatePolicy::AcceptLate).first_submission(day("2023-05-01"), None), Ok(Timeliness::Late));
    }

    #[test]
    fn first_submission_under_exception() {
        let refuse = rules(LatePolicy::Refuse);
        let until = Some(day("2023-05-10"));
        assert_eq!(refuse.first_submission(day("2023-05-10"), until), Ok(Timeliness::Exception));
        assert!(refuse.first_submission(day("2023-05-11"), until).is_err());
    }

    #[test]
    fn nothing_happens_before_opening_or_after_locking() {
        let open = rules(LatePolicy::AcceptLate);
        assert_eq!(
            open.first_submission(day("2023-03-31"), None),
            Err(PeriodRefusal::NotYetOpen { opens_on: day("2023-04-01") })
        );
        let locked = PeriodRules { locked: true, ..open };
        assert_eq!(locked.state(day("2023-04-15")), PeriodState::Locked);
        assert_eq!(locked.first_submission(day("2023-04-15"), Some(day("2023-05-01"))), Err(PeriodRefusal::Locked));
        assert_eq!(locked.later_change(day("2023-04-15")), Err(PeriodRefusal::Locked));
        assert_eq!(open.later_change(day("2023-06-15")), Ok(()));
    }
}
