//! The monitoring reports (monev): achievement per indicator with roll-ups over the road map's
//! tree and organisations, and the reporting compliance of organisations per period.
//!
//! Each report loads its rows with a fixed number of batch queries and computes the rest in
//! Rust with the same functions as the per-indicator achievement route. Its rows are flat, so
//! that a later export can write them as they are.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::indicators::{self, IndicatorFilter, IndicatorSubject};
use crate::db::organisations;
use crate::db::periods::{self, PeriodRow};
use crate::db::reports::{self, FilingRow};
use crate::db::roadmaps::RoadmapNodes;
use crate::domain::achievement::{Achievement, Figure};
use crate::domain::indicator::{CombineRule, Level};
use crate::domain::period::{PeriodCode, PeriodState, Timeliness};
use crate::domain::realisation::RealisationState;
use crate::domain::report::{
    self, ComplianceCounts, Filing, ROLLUP_CAP_PERCENT, ReportStatus, RollUp, Thresholds, indicator_status,
};
use crate::error::ApiError;
use crate::services::achievement::{self, Basis, FigureStatus, IndicatorAchievement, counted_states, figure_view};
use crate::views::{FigureView, IndicatorView, OrganisationRef, PlacementView, RoadmapView};

/// The thresholds and cap that graded a report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GradingView {
    /// Lowest achievement percentage graded `on_track`.
    pub on_track_percent: u32,
    /// Lowest achievement percentage graded `at_risk`; below it is `off_track`.
    pub at_risk_percent: u32,
    /// Highest percentage that one indicator brings into a roll-up's mean.
    pub rollup_cap_percent: u32,
}

/// One indicator in the achievement report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorReportRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The goals, objectives and activities where the indicator is shown.
    pub placements: Vec<PlacementView>,
    pub coordinator: Option<OrganisationRef>,
    pub implementers: Vec<OrganisationRef>,
    pub baseline: Option<FigureView>,
    /// The target in force: the quarter's own target where the road map sets one, else the
    /// year's.
    pub target: Option<FigureView>,
    /// Whether that target was set or revised through the API. For a whole year, as on the
    /// indicator's achievement route: any target of the year, yearly or quarterly.
    pub target_revised: bool,
    /// Whether the realisations made a figure, or why not.
    pub figure_status: FigureStatus,
    /// The indicator's figure for the quarter, or for the year by its yearly rule.
    pub realisation: Option<Figure>,
    pub achievement: Achievement,
    pub status: ReportStatus,
}

/// The kind of group a roll-up covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RollUpLevel {
    Goal,
    Theme,
    Objective,
    Activity,
    Organisation,
}

/// The indicators of one goal, theme, objective, activity or organisation, rolled up.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RollUpRow {
    pub level: RollUpLevel,
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub roll_up: RollUp,
}

/// Achievement of a road map's indicators for a year or quarter, with roll-ups.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AchievementReport {
    pub roadmap: RoadmapView,
    pub year: i32,
    /// The quarter (1–4), when the report covers one quarter and not the whole year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    /// `verified`, or `provisional` when submitted realisations count too.
    pub basis: Basis,
    pub grading: GradingView,
    /// The indicators that pass the filters, in road map order.
    pub indicators: Vec<IndicatorReportRow>,
    /// Roll-ups of those indicators: goals, themes, objectives and activities in road map
    /// order, then organisations by code. A group without indicators is left out.
    pub roll_ups: Vec<RollUpRow>,
}

/// The scope of an achievement report.
#[derive(Clone, Debug)]
pub struct AchievementRequest {
    pub year: i32,
    pub quarter: Option<u8>,
    pub basis: Basis,
    /// Objective, theme and organisation filters; the organisation as coordinator or implementer.
    pub filter: IndicatorFilter,
    pub status: Option<ReportStatus>,
}

/// Builds the achievement report of a road map with a fixed number of queries: the indicators
/// with their assignments, figures and placements, their subjects, their target revisions, and
/// the counted realisations of the year. Retired indicators are left out.
pub async fn achievement_report(
    connection: &mut AsyncPgConnection,
    roadmap: RoadmapView,
    nodes: &RoadmapNodes,
    request: &AchievementRequest,
    thresholds: Thresholds,
) -> Result<AchievementReport, ApiError> {
    // NOTE: an indicator retired later than the report's year is left out too, although its
    // figures of that year still stand.
    let views: Vec<IndicatorView> = indicators::load_all(connection, roadmap.id, &request.filter, nodes)
        .await?
        .into_iter()
        .filter(|view| view.retired_at.is_none())
        .collect();
    let ids: Vec<i64> = views.iter().map(|view| view.id).collect();
    let subjects = indicators::subjects(connection, &ids).await?;
    let revisions: HashSet<(i64, i32, Option<i16>)> =
        reports::revised_targets(connection, &ids).await?.into_iter().collect();
    let states: Vec<&str> = counted_states(request.basis).iter().map(AsRef::as_ref).collect();
    let mut realisations = reports::realisations_of_year(connection, roadmap.id, request.year, &states).await?;

    let mut rows = Vec::with_capacity(views.len());
    for view in views {
        let Some(subject) = subjects.get(&view.id) else {
            continue;
        };
        let counted = realisations.remove(&view.id).unwrap_or_default();
        let year_revised = revisions.iter().any(|(id, year, _)| *id == view.id && *year == request.year);
        let computed = achievement::compute(subject, request.year, request.basis, &counted, year_revised);
        let row = report_row(view, subject, computed, request.quarter, &revisions, &thresholds);
        if request.status.is_none_or(|status| status == row.status) {
            rows.push(row);
        }
    }

    let roll_ups = roll_ups(&rows, nodes, &thresholds);
    Ok(AchievementReport {
        roadmap,
        year: request.year,
        quarter: request.quarter,
        basis: request.basis,
        grading: GradingView {
            on_track_percent: thresholds.on_track_percent(),
            at_risk_percent: thresholds.at_risk_percent(),
            rollup_cap_percent: ROLLUP_CAP_PERCENT,
        },
        indicators: rows,
        roll_ups,
    })
}

/// Picks the quarter's or the year's part of an indicator's computed achievement.
fn report_row(
    view: IndicatorView,
    subject: &IndicatorSubject,
    computed: IndicatorAchievement,
    quarter: Option<u8>,
    revisions: &HashSet<(i64, i32, Option<i16>)>,
    thresholds: &Thresholds,
) -> IndicatorReportRow {
    let year = computed.year;
    let (target, target_revised, figure_status, realisation, achievement) =
        match quarter.and_then(|quarter| computed.quarters.into_iter().nth(usize::from(quarter) - 1)) {
            Some(part) => {
                let in_force = subject.target(year, Some(i16::from(part.period.quarter)));
                let revised = in_force.is_some_and(|row| revisions.contains(&(view.id, year, row.quarter)));
                (in_force.and_then(figure_view), revised, part.status, part.figure, part.achievement)
            }
            None => {
                let status = year_figure_status(&computed.figure, subject);
                (computed.target, computed.target_revised, status, computed.figure, computed.achievement)
            }
        };
    let status = indicator_status(&achievement, thresholds);
    IndicatorReportRow {
        id: view.id,
        code: view.code,
        name: view.name,
        unit: view.unit,
        placements: view.placements,
        coordinator: view.coordinator,
        implementers: view.implementers,
        baseline: view.baseline,
        target,
        target_revised,
        figure_status,
        realisation,
        achievement,
        status,
    }
}

/// Tells why a year has no figure: a `designated` indicator without a reporting unit never has
/// one; otherwise no quarter had a figure.
fn year_figure_status(figure: &Option<Figure>, subject: &IndicatorSubject) -> FigureStatus {
    let designated = subject.row.combine_rule.parse() == Ok(CombineRule::Designated);
    match figure {
        Some(_) => FigureStatus::Figure,
        None if designated && subject.row.reporting_unit_id.is_none() => FigureStatus::NoReportingUnit,
        None => FigureStatus::NoData,
    }
}

/// The goals, themes, objectives and activities that contain an indicator, through its
/// placements: an activity belongs to its objective, and an objective to its goal and theme.
#[derive(Default)]
struct Membership {
    goals: BTreeSet<i64>,
    themes: BTreeSet<i64>,
    objectives: BTreeSet<i64>,
    activities: BTreeSet<i64>,
}

/// The parents of the road map's objectives and activities by id, so that finding an
/// indicator's groups does not scan the tree for each placement.
struct Parents {
    /// Goal and theme of each objective.
    objectives: HashMap<i64, (Option<i64>, Option<i64>)>,
    /// Objective of each activity.
    activities: HashMap<i64, i64>,
}

impl Parents {
    fn new(nodes: &RoadmapNodes) -> Parents {
        Parents {
            objectives: nodes.objectives.iter().map(|row| (row.id, (row.goal_id, row.theme_id))).collect(),
            activities: nodes.activities.iter().map(|row| (row.id, row.objective_id)).collect(),
        }
    }
}

fn membership(placements: &[PlacementView], parents: &Parents) -> Membership {
    let mut member = Membership::default();
    let add_objective = |member: &mut Membership, objective_id: i64| {
        member.objectives.insert(objective_id);
        if let Some((goal_id, theme_id)) = parents.objectives.get(&objective_id) {
            member.goals.extend(*goal_id);
            member.themes.extend(*theme_id);
        }
    };
    for placement in placements {
        match placement.level {
            Level::Goal => {
                member.goals.insert(placement.id);
            }
            Level::Objective => add_objective(&mut member, placement.id),
            Level::Activity => {
                member.activities.insert(placement.id);
                if let Some(objective_id) = parents.activities.get(&placement.id) {
                    add_objective(&mut member, *objective_id);
                }
            }
        }
    }
    member
}

/// The rows of each goal, theme, objective and activity, in report order, found in one pass
/// over the rows.
#[derive(Default)]
struct Members<'a> {
    goals: HashMap<i64, Vec<&'a IndicatorReportRow>>,
    themes: HashMap<i64, Vec<&'a IndicatorReportRow>>,
    objectives: HashMap<i64, Vec<&'a IndicatorReportRow>>,
    activities: HashMap<i64, Vec<&'a IndicatorReportRow>>,
}

impl<'a> Members<'a> {
    fn new(rows: &'a [IndicatorReportRow], nodes: &RoadmapNodes) -> Members<'a> {
        let parents = Parents::new(nodes);
        let mut members = Members::default();
        for row in rows {
            let member = membership(&row.placements, &parents);
            for (groups, ids) in [
                (&mut members.goals, member.goals),
                (&mut members.themes, member.themes),
                (&mut members.objectives, member.objectives),
                (&mut members.activities, member.activities),
            ] {
                for id in ids {
                    groups.entry(id).or_default().push(row);
                }
            }
        }
        members
    }
}

fn members_of<'a>(groups: &mut HashMap<i64, Vec<&'a IndicatorReportRow>>, id: i64) -> Vec<&'a IndicatorReportRow> {
    groups.remove(&id).unwrap_or_default()
}

/// Rolls up the rows per goal, theme, objective and activity, and per organisation: an
/// indicator counts for its coordinator and for each implementer, once per organisation.
fn roll_ups(rows: &[IndicatorReportRow], nodes: &RoadmapNodes, thresholds: &Thresholds) -> Vec<RollUpRow> {
    let mut members = Members::new(rows, nodes);
    let mut result = Vec::new();
    let mut add = |level: RollUpLevel, id: i64, code: &str, name: &str, group: Vec<&IndicatorReportRow>| {
        if group.is_empty() {
            return;
        }
        let roll_up =
            report::roll_up(group.iter().map(|row| (row.status, computed_percent(&row.achievement))), thresholds);
        result.push(RollUpRow { level, id, code: code.to_string(), name: name.to_string(), roll_up });
    };

    for goal in &nodes.goals {
        add(RollUpLevel::Goal, goal.id, &goal.code, &goal.name, members_of(&mut members.goals, goal.id));
    }
    for theme in &nodes.themes {
        add(RollUpLevel::Theme, theme.id, &theme.code, &theme.name, members_of(&mut members.themes, theme.id));
    }
    for objective in &nodes.objectives {
        let rows = members_of(&mut members.objectives, objective.id);
        add(RollUpLevel::Objective, objective.id, &objective.code, &objective.name, rows);
    }
    for activity in &nodes.activities {
        let rows = members_of(&mut members.activities, activity.id);
        add(RollUpLevel::Activity, activity.id, &activity.code, &activity.name, rows);
    }

    let mut organisations: HashMap<i64, (OrganisationRef, Vec<&IndicatorReportRow>)> = HashMap::new();
    for row in rows {
        let mut seen = HashSet::new();
        for organisation in row.coordinator.iter().chain(&row.implementers) {
            if seen.insert(organisation.id) {
                organisations.entry(organisation.id).or_insert_with(|| (organisation.clone(), Vec::new())).1.push(row);
            }
        }
    }
    let mut organisations: Vec<_> = organisations.into_values().collect();
    organisations.sort_by(|(left, _), (right, _)| left.code.cmp(&right.code));
    for (organisation, members) in organisations {
        add(RollUpLevel::Organisation, organisation.id, &organisation.code, &organisation.name, members);
    }
    result
}

fn computed_percent(achievement: &Achievement) -> Option<&crate::domain::decimal::Decimal> {
    match achievement.status {
        crate::domain::achievement::Status::Computed => achievement.percent.as_ref(),
        _ => None,
    }
}

/// A reporting period in the compliance report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PeriodSummary {
    #[schema(value_type = String, example = "2023-Q1")]
    pub period: PeriodCode,
    pub opens_on: NaiveDate,
    /// The last day of on-time submissions, in Asia/Jakarta.
    pub deadline: NaiveDate,
    /// The period's state on the report's date.
    pub state: PeriodState,
}

/// The reporting record of one organisation in one period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplianceRow {
    pub organisation: OrganisationRef,
    #[schema(value_type = String, example = "2023-Q1")]
    pub period: PeriodCode,
    #[serde(flatten)]
    pub counts: ComplianceCounts,
}

/// Reporting compliance of organisations per period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplianceReport {
    pub roadmap: RoadmapView,
    pub year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    /// The day, in Asia/Jakarta, on which the periods' openings were judged.
    pub as_of: NaiveDate,
    /// The periods of the year (or the quarter) that have opened by `as_of`.
    pub periods: Vec<PeriodSummary>,
    /// One row per organisation that reports at least one indicator and per period, by
    /// organisation code and then period.
    pub rows: Vec<ComplianceRow>,
}

/// The scope of a compliance report.
#[derive(Clone, Debug)]
pub struct ComplianceRequest {
    pub year: i32,
    pub quarter: Option<u8>,
    pub organisation_id: Option<i64>,
    /// The service clock's date in Asia/Jakarta.
    pub today: NaiveDate,
}

/// Builds the compliance report of a road map with a fixed number of queries: the periods, the
/// indicators' reporting rules and implementers, the realisations of the periods, and the
/// organisations' names. Retired indicators are not due.
pub async fn compliance_report(
    connection: &mut AsyncPgConnection,
    roadmap: RoadmapView,
    request: &ComplianceRequest,
) -> Result<ComplianceReport, ApiError> {
    let periods: Vec<PeriodRow> = periods::list(connection, roadmap.id)
        .await?
        .into_iter()
        .filter(|period| period.year == request.year)
        .filter(|period| request.quarter.is_none_or(|quarter| period.quarter == i16::from(quarter)))
        .filter(|period| period.opens_on <= request.today)
        .collect();
    let period_ids: Vec<i64> = periods.iter().map(|period| period.id).collect();

    // NOTE: a group implementer (all units, all kecamatan) is due like one unit, although its
    // member units cannot report for it yet, so its realisations show as missing.
    let mut duties: Vec<(i64, i64)> = Vec::new();
    for rules in reports::reporting_rules(connection, roadmap.id).await? {
        let rule: CombineRule = rules.combine_rule.parse().unwrap_or(CombineRule::Designated);
        for organisation_id in report::due_reporters(rule, rules.reporting_unit_id, &rules.implementers) {
            if request.organisation_id.is_none_or(|wanted| wanted == organisation_id) {
                duties.push((rules.indicator_id, organisation_id));
            }
        }
    }
    let filings: Vec<Filing> = reports::filings(connection, &period_ids).await?.into_iter().map(filing).collect();
    let counts = report::compliance(&duties, &period_ids, &filings);

    let mut organisation_ids: Vec<i64> = duties.iter().map(|(_, organisation_id)| *organisation_id).collect();
    organisation_ids.sort_unstable();
    organisation_ids.dedup();
    let names = organisations::refs_by_id(connection, &organisation_ids).await?;
    let mut organisations: Vec<&OrganisationRef> = names.values().collect();
    organisations.sort_by(|left, right| left.code.cmp(&right.code));

    let mut rows = Vec::new();
    for organisation in organisations {
        for period in &periods {
            let counts = counts.get(&(organisation.id, period.id)).cloned().unwrap_or_default();
            rows.push(ComplianceRow { organisation: organisation.clone(), period: period.code(), counts });
        }
    }
    let periods = periods
        .iter()
        .map(|period| PeriodSummary {
            period: period.code(),
            opens_on: period.opens_on,
            deadline: period.deadline,
            state: period.rules().state(request.today),
        })
        .collect();
    Ok(ComplianceReport { roadmap, year: request.year, quarter: request.quarter, as_of: request.today, periods, rows })
}

fn filing(row: FilingRow) -> Filing {
    Filing {
        indicator_id: row.indicator_id,
        period_id: row.period_id,
        organisation_id: row.organisation_id,
        // The CHECK constraints admit only the enums' values.
        state: row.state.parse().unwrap_or(RealisationState::Draft),
        timeliness: row.timeliness.and_then(|text| text.parse::<Timeliness>().ok()),
    }
}
