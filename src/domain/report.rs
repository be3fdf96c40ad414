//! Rules of the monitoring reports (monev): an indicator's report status from its achievement,
//! the roll-up of several indicators into one figure, and the compliance counts of the
//! organisations that must report each period.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use serde::Serialize;
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

use super::achievement::{Achievement, PERCENT_SCALE, Status, divide_rounded, serialize_percent};
use super::decimal::Decimal;
use super::indicator::CombineRule;
use super::period::Timeliness;
use super::realisation::RealisationState;

/// Default lowest achievement percentage that counts as on track.
pub const DEFAULT_ON_TRACK_PERCENT: u32 = 90;

/// Default lowest achievement percentage that counts as at risk rather than off track.
pub const DEFAULT_AT_RISK_PERCENT: u32 = 75;

/// Highest threshold accepted, in percent.
pub const MAX_THRESHOLD_PERCENT: u32 = 1000;

/// Highest achievement percentage that one indicator brings into a roll-up's mean, so that one
/// indicator far above its target cannot hide another's shortfall.
pub const ROLLUP_CAP_PERCENT: u32 = 120;

/// The standing of an indicator or a roll-up against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReportStatus {
    /// Achievement at or above the on-track threshold, or a met target.
    OnTrack,
    /// Achievement at or above the at-risk threshold and below the on-track one.
    AtRisk,
    /// Achievement below the at-risk threshold, or a target not met.
    OffTrack,
    /// No usable target: none for the period, not yet set, or one that cannot be divided by.
    NoTarget,
    /// No figure to judge.
    NoData,
}

/// The achievement percentages that separate on track, at risk and off track.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    on_track_percent: u32,
    at_risk_percent: u32,
}

/// The reason a pair of thresholds is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdError {
    /// A threshold is above `MAX_THRESHOLD_PERCENT`.
    OutOfRange,
    /// The at-risk threshold is not below the on-track one.
    NotBelowOnTrack,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { on_track_percent: DEFAULT_ON_TRACK_PERCENT, at_risk_percent: DEFAULT_AT_RISK_PERCENT }
    }
}

impl Thresholds {
    /// Checks that both thresholds lie in 0..=1000 and that at-risk is below on-track.
    pub fn new(on_track_percent: u32, at_risk_percent: u32) -> Result<Thresholds, ThresholdError> {
        if on_track_percent > MAX_THRESHOLD_PERCENT || at_risk_percent > MAX_THRESHOLD_PERCENT {
            return Err(ThresholdError::OutOfRange);
        }
        if at_risk_percent >= on_track_percent {
            return Err(ThresholdError::NotBelowOnTrack);
        }
        Ok(Thresholds { on_track_percent, at_risk_percent })
    }

    pub fn on_track_percent(&self) -> u32 {
        self.on_track_percent
    }

    pub fn at_risk_percent(&self) -> u32 {
        self.at_risk_percent
    }

    /// Grades an achievement percentage; a threshold itself belongs to the better status.
    pub fn grade(&self, percent: &BigDecimal) -> ReportStatus {
        let on_track = BigDecimal::from(self.on_track_percent);
        let at_risk = BigDecimal::from(self.at_risk_percent);
        if *percent >= on_track {
            ReportStatus::OnTrack
        } else if *percent >= at_risk {
            ReportStatus::AtRisk
        } else {
            ReportStatus::OffTrack
        }
    }
}

/// Maps an indicator's achievement onto a report status.
///
/// A computed percentage is graded by the thresholds. `met` is on track and `not_met` off track.
/// `zero_realisation` (a lower-is-better figure of 0 under the ratio rule, the best result
/// possible) is on track. `no_target`, `target_not_set` and `zero_target` (a target that the
/// formula cannot divide by) have no usable target. `no_data` and `not_comparable` (a figure of
/// another kind than the target) have no figure to judge.
pub fn indicator_status(achievement: &Achievement, thresholds: &Thresholds) -> ReportStatus {
    match achievement.status {
        Status::Computed => match &achievement.percent {
            Some(percent) => thresholds.grade(percent.as_big_decimal()),
            None => ReportStatus::NoData,
        },
        Status::Met | Status::ZeroRealisation => ReportStatus::OnTrack,
        Status::NotMet => ReportStatus::OffTrack,
        Status::NoTarget | Status::TargetNotSet | Status::ZeroTarget => ReportStatus::NoTarget,
        Status::NoData | Status::NotComparable => ReportStatus::NoData,
    }
}

/// The number of indicators in each report status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusCounts {
    /// All indicators counted.
    pub indicators: usize,
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    pub no_target: usize,
    pub no_data: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: ReportStatus) {
        self.indicators += 1;
        let count = match status {
            ReportStatus::OnTrack => &mut self.on_track,
            ReportStatus::AtRisk => &mut self.at_risk,
            ReportStatus::OffTrack => &mut self.off_track,
            ReportStatus::NoTarget => &mut self.no_target,
            ReportStatus::NoData => &mut self.no_data,
        };
        *count += 1;
    }
}

/// Several indicators summed up: their statuses, mean achievement and the status of that mean.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RollUp {
    #[serde(flatten)]
    pub counts: StatusCounts,
    /// The mean of the computed achievement percentages, each kept between 0 and 120, rounded
    /// half-up to two decimals. It is absent when no indicator has a computed percentage.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_percent")]
    #[schema(value_type = Option<String>, example = "97.17")]
    pub mean_percent: Option<Decimal>,
    /// How many indicators the mean covers.
    pub computed: usize,
    /// The mean graded by the thresholds, or `no_data` when there is no mean.
    pub status: ReportStatus,
}

/// Rolls up indicators, each given as its status and its computed achievement percentage.
///
/// Only percentages enter the mean, so met and not-met indicators are counted by status but
/// not averaged. Each percentage above `ROLLUP_CAP_PERCENT` enters as that cap, and a negative
/// one enters as 0, so that no single indicator outweighs the rest.
pub fn roll_up<'a>(
    indicators: impl IntoIterator<Item = (ReportStatus, Option<&'a Decimal>)>,
    thresholds: &Thresholds,
) -> RollUp {
    let cap = BigDecimal::from(ROLLUP_CAP_PERCENT);
    let mut counts = StatusCounts::default();
    let mut sum = BigDecimal::from(0);
    let mut computed = 0usize;
    for (status, percent) in indicators {
        counts.add(status);
        if let Some(percent) = percent {
            let percent = percent.as_big_decimal();
            let zero = BigDecimal::from(0);
            sum += if *percent > cap {
                &cap
            } else if *percent < zero {
                &zero
            } else {
                percent
            };
            computed += 1;
        }
    }

    let mean = divide_rounded(&sum, &BigDecimal::from(computed as u64), PERCENT_SCALE);
    let status = mean.as_ref().map_or(ReportStatus::NoData, |mean| thresholds.grade(mean));
    RollUp { counts, mean_percent: mean.map(Decimal::new), computed, status }
}

/// Lists the organisations that must report an indicator in each period: every implementer
/// under the `sum` and `ratio` rules, and the reporting unit alone under `designated`, whose
/// figure is the only one that counts.
pub fn due_reporters(rule: CombineRule, reporting_unit: Option<i64>, implementers: &[i64]) -> Vec<i64> {
    let mut reporters: Vec<i64> = match rule {
        CombineRule::Sum | CombineRule::Ratio => implementers.to_vec(),
        CombineRule::Designated => reporting_unit.into_iter().collect(),
    };
    reporters.sort_unstable();
    reporters.dedup();
    reporters
}

/// The columns of a realisation that the compliance count reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub indicator_id: i64,
    pub period_id: i64,
    pub organisation_id: i64,
    pub state: RealisationState,
    /// The timeliness of the first submission; absent for a draft never submitted.
    pub timeliness: Option<Timeliness>,
}

/// The reporting record of one organisation in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ComplianceCounts {
    /// Realisations the organisation must report: one per indicator it reports.
    pub due: usize,
    /// Due realisations submitted at least once: `on_time` + `late` + `exception`.
    pub submitted: usize,
    /// First submitted by the deadline.
    pub on_time: usize,
    /// First submitted after the deadline, which the period's late policy accepted.
    pub late: usize,
    /// First submitted after the deadline under an exception the secretariat granted.
    pub exception: usize,
    /// Submitted and waiting for the coordinator's verification.
    pub awaiting_verification: usize,
    /// Sent back by the coordinator and not yet submitted again.
    pub returned: usize,
    pub verified: usize,
    /// Due but never submitted; a draft counts as missing.
    pub missing: usize,
}

impl ComplianceCounts {
    fn add(&mut self, filing: Option<&Filing>) {
        self.due += 1;
        let Some(filing) = filing.filter(|filing| filing.state != RealisationState::Draft) else {
            self.missing += 1;
            return;
        };
        self.submitted += 1;
        match filing.timeliness {
            Some(Timeliness::OnTime) => self.on_time += 1,
            Some(Timeliness::Late) => self.late += 1,
            Some(Timeliness::Exception) => self.exception += 1,
            // Every submission records its timeliness; a row without one is counted as
            // submitted only.
            None => {}
        }
        match filing.state {
            RealisationState::Submitted => self.awaiting_verification += 1,
            RealisationState::Returned => self.returned += 1,
            RealisationState::Verified => self.verified += 1,
            RealisationState::Draft => {}
        }
    }
}

/// Counts, per (organisation id, period id), the due realisations and what became of them.
///
/// `duties` lists (indicator id, organisation id) pairs, each due once in every period of
/// `period_ids`. A filing that matches no duty, such as one from an implementer whose figure the
/// `designated` rule leaves out, is not counted.
pub fn compliance(
    duties: &[(i64, i64)],
    period_ids: &[i64],
    filings: &[Filing],
) -> HashMap<(i64, i64), ComplianceCounts> {
    let by_key: HashMap<(i64, i64, i64), &Filing> = filings
        .iter()
        .map(|filing| ((filing.indicator_id, filing.period_id, filing.organisation_id), filing))
        .collect();

    let mut counts: HashMap<(i64, i64), ComplianceCounts> = HashMap::new();
    for &period_id in period_ids {
        for &(indicator_id, organisation_id) in duties {
            let filing = by_key.get(&(indicator_id, period_id, organisation_id)).copied();
            counts.entry((organisation_id, period_id)).or_default().add(filing);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::new(BigDecimal::from_str(text).unwrap())
    }

    fn computed(percent: &str) -> Achievement {
        Achievement { status: Status::Computed, percent: Some(decimal(percent)), position: None }
    }

    fn with_status(status: Status) -> Achievement {
        Achievement { status, percent: None, position: None }
    }

    #[test]
    fn thresholds_reject_bad_pairs() {
        assert_eq!(Thresholds::new(90, 90), Err(ThresholdError::NotBelowOnTrack));
        assert_eq!(Thresholds::new(75, 90), Err(ThresholdError::NotBelowOnTrack));
        assert_eq!(Thresholds::new(1001, 75), Err(ThresholdError::OutOfRange));
        assert_eq!(Thresholds::new(1000, 0).map(|t| (t.on_track_percent(), t.at_risk_percent())), Ok((1000, 0)));
        assert_eq!(Thresholds::default(), Thresholds::new(90, 75).unwrap());
    }

    #[test]
    fn indicator_status_table() {
        use ReportStatus::*;

        let thresholds = Thresholds::default();
        let cases = [
            ("far above", computed("132.16"), OnTrack),
            ("at on-track threshold", computed("90"), OnTrack),
            ("just below on-track", computed("89.99"), AtRisk),
            ("at at-risk threshold", computed("75.00"), AtRisk),
            ("just below at-risk", computed("74.99"), OffTrack),
            ("negative", computed("-1338.46"), OffTrack),
            ("met", with_status(Status::Met), OnTrack),
            ("not met", with_status(Status::NotMet), OffTrack),
            ("zero realisation", with_status(Status::ZeroRealisation), OnTrack),
            ("no target", with_status(Status::NoTarget), NoTarget),
            ("target not set", with_status(Status::TargetNotSet), NoTarget),
            ("zero target", with_status(Status::ZeroTarget), NoTarget),
            ("no data", with_status(Status::NoData), NoData),
            ("not comparable", with_status(Status::NotComparable), NoData),
            ("computed without percent", with_status(Status::Computed), NoData),
        ];

        for (name, achievement, expected) in cases {
            assert_eq!(indicator_status(&achievement, &thresholds), expected, "{name}");
        }
    }

    #[test]
    fn indicator_status_follows_thresholds() {
        let strict = Thresholds::new(100, 95).unwrap();

        assert_eq!(indicator_status(&computed("97"), &strict), ReportStatus::AtRisk);
        assert_eq!(indicator_status(&computed("90"), &strict), ReportStatus::OffTrack);
    }

    #[test]
    fn roll_up_caps_each_percent() {
        let percents = [decimal("91.67"), decimal("79.84"), decimal("132.16")];
        let indicators = [
            (ReportStatus::OnTrack, Some(&percents[0])),
            (ReportStatus::AtRisk, Some(&percents[1])),
            (ReportStatus::OnTrack, Some(&percents[2])),
            (ReportStatus::OffTrack, None),
            (ReportStatus::NoData, None),
        ];

        let rolled = roll_up(indicators, &Thresholds::default());

        // (91,67 + 79,84 + 120) / 3 = 97,17; without the cap it would be 101,22.
        assert_eq!(rolled.mean_percent, Some(decimal("97.17")));
        assert_eq!(rolled.computed, 3);
        assert_eq!(rolled.status, ReportStatus::OnTrack);
        assert_eq!(
            rolled.counts,
            StatusCounts { indicators: 5, on_track: 2, at_risk: 1, off_track: 1, no_target: 0, no_data: 1 }
        );
    }

    #[test]
    fn roll_up_floors_negative_percents() {
        let thresholds = Thresholds::default();
        let (low, high) = (Decimal::new(BigDecimal::from(-1338)), Decimal::new(BigDecimal::from(100)));
        let rolled = roll_up([(ReportStatus::OffTrack, Some(&low)), (ReportStatus::OnTrack, Some(&high))], &thresholds);

        // (0 + 100) / 2 = 50; without the floor (−1338 + 100) / 2 = −619.
        assert_eq!(rolled.mean_percent, Some(Decimal::new(BigDecimal::from(50))));
    }

    #[test]
    fn roll_up_cap_keeps_shortfall_visible() {
        let percents = [decimal("300"), decimal("50")];
        let indicators = percents.iter().map(|percent| (ReportStatus::OnTrack, Some(percent)));

        let rolled = roll_up(indicators, &Thresholds::default());

        // (120 + 50) / 2 = 85, at risk; uncapped, (300 + 50) / 2 = 175 would be on track.
        assert_eq!(rolled.mean_percent, Some(decimal("85")));
        assert_eq!(rolled.status, ReportStatus::AtRisk);
    }

    #[test]
    fn roll_up_rounds_mean_half_up() {
        let percents = [decimal("79.84"), decimal("69.77")];
        let indicators = percents.iter().map(|percent| (ReportStatus::AtRisk, Some(percent)));

        let rolled = roll_up(indicators, &Thresholds::default());

        // 149,61 / 2 = 74,805, rounded half-up to 74,81: below 75, so off track.
        assert_eq!(rolled.mean_percent, Some(decimal("74.81")));
        assert_eq!(rolled.status, ReportStatus::OffTrack);
    }

    #[test]
    fn roll_up_without_percent_has_no_data() {
        let rolled = roll_up([(ReportStatus::OnTrack, None), (ReportStatus::OffTrack, None)], &Thresholds::default());

        assert_eq!(rolled.mean_percent, None);
        assert_eq!(rolled.computed, 0);
        assert_eq!(rolled.status, ReportStatus::NoData);
        assert_eq!(rolled.counts.indicators, 2);
    }

    #[test]
    fn roll_up_serializes_flat() {
        let percent = decimal("85");
        let rolled = roll_up([(ReportStatus::AtRisk, Some(&percent))], &Thresholds::default());

        let json = serde_json::to_value(&rolled).unwrap();

        assert_eq!(json["indicators"], 1);
        assert_eq!(json["at_risk"], 1);
        assert_eq!(json["mean_percent"], "85.00");
        assert_eq!(json["status"], "at_risk");
    }

    #[test]
    fn due_reporters_by_rule() {
        assert_eq!(due_reporters(CombineRule::Sum, None, &[3, 1, 3]), vec![1, 3]);
        assert_eq!(due_reporters(CombineRule::Ratio, None, &[2, 1]), vec![1, 2]);
        assert_eq!(due_reporters(CombineRule::Designated, Some(2), &[1, 2]), vec![2]);
        assert_eq!(due_reporters(CombineRule::Designated, None, &[1, 2]), Vec::<i64>::new());
    }

    fn filing(
        indicator_id: i64,
        organisation_id: i64,
        state: RealisationState,
        timeliness: Option<Timeliness>,
    ) -> Filing {
        Filing { indicator_id, period_id: 10, organisation_id, state, timeliness }
    }

    #[test]
    fn compliance_counts_each_outcome() {
        use RealisationState::{Draft, Returned, Submitted, Verified};

        // Organisation 1 reports indicators 1 to 6; organisation 2 reports indicator 1.
        let duties = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (1, 2)];
        let filings = [
            filing(1, 1, Verified, Some(Timeliness::OnTime)),
            filing(2, 1, Submitted, Some(Timeliness::Late)),
            filing(3, 1, Returned, Some(Timeliness::OnTime)),
            filing(4, 1, Verified, Some(Timeliness::Exception)),
            filing(5, 1, Draft, None),
            // Organisation 2 filed indicator 2, which it does not report: not counted.
            filing(2, 2, Verified, Some(Timeliness::OnTime)),
        ];

        let counts = compliance(&duties, &[10, 11], &filings);

        let first = &counts[&(1, 10)];
        assert_eq!(first.due, 6);
        assert_eq!(first.submitted, 4);
        assert_eq!(first.on_time, 2);
        assert_eq!(first.late, 1);
        assert_eq!(first.exception, 1);
        assert_eq!(first.awaiting_verification, 1);
        assert_eq!(first.returned, 1);
        assert_eq!(first.verified, 2);
        assert_eq!(first.missing, 2, "indicator 5 is a draft and indicator 6 was never filed");
        assert_eq!(counts[&(2, 10)], ComplianceCounts { due: 1, missing: 1, ..ComplianceCounts::default() });
        assert_eq!(counts[&(1, 11)], ComplianceCounts { due: 6, missing: 6, ..ComplianceCounts::default() });
        assert_eq!(counts.len(), 4);
    }
}
