//! Action plans in the road map data file: `[[plans]]` with their `[[plans.milestones]]`,
//! checked like the rest of the file so that a city can load its plans with its road map.

use std::collections::{HashMap, HashSet};

use bigdecimal::{BigDecimal, Zero};
use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::{Checker, CodeSet, ObjectiveEntry, RoadmapHeader};
use crate::domain::indicator::ObjectiveKind;
use crate::domain::lang::Lang;
use crate::domain::plan::{Due, check_budget, check_quantity, check_schedule, check_weight};
use crate::domain::realisation::required_number;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    code: Spanned<String>,
    activity: Option<Spanned<String>>,
    objective: Option<Spanned<String>>,
    title: Spanned<String>,
    description: Option<String>,
    output: Spanned<String>,
    output_unit: Spanned<String>,
    output_quantity: Spanned<toml::Value>,
    starts_on: Spanned<toml::Value>,
    ends_on: Spanned<toml::Value>,
    budget: Option<Spanned<toml::Value>>,
    responsible: Spanned<String>,
    #[serde(default)]
    supporters: Vec<Spanned<String>>,
    #[serde(default)]
    indicators: Vec<Spanned<String>>,
    #[serde(default)]
    milestones: Vec<Spanned<RawMilestone>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    title: Spanned<String>,
    expected_output: Spanned<String>,
    due: Spanned<String>,
    weight: Spanned<toml::Value>,
}

/// A validated action plan of the file, with organisations resolved to codes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanEntry {
    pub code: String,
    pub activity: Option<String>,
    pub objective: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub output: String,
    pub output_unit: String,
    pub output_quantity: BigDecimal,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub budget: Option<BigDecimal>,
    pub responsible: String,
    pub supporters: Vec<String>,
    pub indicators: Vec<String>,
    pub milestones: Vec<MilestoneEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MilestoneEntry {
    pub title: String,
    pub expected_output: String,
    pub due_on: NaiveDate,
    pub due_quarter: Option<String>,
    pub weight: BigDecimal,
}

/// The codes and names a plan may refer to.
pub(super) struct PlanRefs<'a> {
    pub roadmap: &'a RoadmapHeader,
    pub activities: &'a CodeSet,
    pub objectives: &'a [ObjectiveEntry],
    pub indicators: &'a HashSet<String>,
    pub names: &'a HashMap<String, String>,
}

impl Checker {
    pub(super) fn check_plans(&mut self, raw: Vec<Spanned<RawPlan>>, refs: &PlanRefs) -> Vec<PlanEntry> {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        for item in raw {
            let start = item.span().start;
            let item = item.into_inner();
            self.check_code(&item.code, "rencana aksi", "plan", &mut codes);
            for (value, field) in [(&item.title, "title"), (&item.output, "output"), (&item.output_unit, "output_unit")]
            {
                self.require_text(value, field);
            }
            self.check_plan_node(&item, refs, start);

            let responsible = self.resolve_organisation(&item.responsible, refs.names);
            let supporters: Vec<String> =
                item.supporters.iter().filter_map(|name| self.resolve_organisation(name, refs.names)).collect();
            for code in &item.indicators {
                if !refs.indicators.contains(code.get_ref()) {
                    self.report(
                        code.span().start,
                        format!("indikator {:?} tidak ada dalam berkas", code.get_ref()),
                        format!("indicator {:?} is not in the file", code.get_ref()),
                    );
                }
            }
            let output_quantity = self.number(&item.output_quantity, "output_quantity").unwrap_or_default();
            if let Err(error) = check_quantity(&output_quantity) {
                let start = item.output_quantity.span().start;
                self.field_problem(start, "output_quantity", error.message(Lang::Id), error.message(Lang::En));
            }
            let budget = item.budget.as_ref().and_then(|value| {
                let number = self.number(value, "budget")?;
                if let Err(error) = check_budget(&number) {
                    self.field_problem(value.span().start, "budget", error.message(Lang::Id), error.message(Lang::En));
                }
                Some(number)
            });
            let starts_on = self.date(&item.starts_on, "starts_on");
            let ends_on = self.date(&item.ends_on, "ends_on");
            let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
                continue;
            };
            let years = refs.roadmap.start_year..=refs.roadmap.end_year;
            for error in check_schedule(starts_on, ends_on, &years) {
                self.field_problem(
                    item.ends_on.span().start,
                    &error.field,
                    error.message(Lang::Id),
                    error.message(Lang::En),
                );
            }
            let milestones = self.check_milestones(&item.milestones, starts_on, ends_on);

            entries.push(PlanEntry {
                code: item.code.into_inner(),
                activity: item.activity.map(Spanned::into_inner),
                objective: item.objective.map(Spanned::into_inner),
                title: item.title.into_inner().trim().to_string(),
                description: item.description.map(|text| text.trim().to_string()).filter(|text| !text.is_empty()),
                output: item.output.into_inner().trim().to_string(),
                output_unit: item.output_unit.into_inner().trim().to_string(),
                output_quantity,
                starts_on,
                ends_on,
                budget,
                responsible: responsible.unwrap_or_default(),
                supporters,
                indicators: item.indicators.into_iter().map(Spanned::into_inner).collect(),
                milestones,
            });
        }
        entries
    }

    /// Checks that a plan names exactly one of an activity and a thematic objective of the file.
    fn check_plan_node(&mut self, item: &RawPlan, refs: &PlanRefs, start: usize) {
        match (&item.activity, &item.objective) {
            (Some(activity), None) => self.check_reference(activity, refs.activities, "kegiatan utama", "activity"),
            (None, Some(objective)) => match refs.objectives.iter().find(|entry| &entry.code == objective.get_ref()) {
                Some(entry) if entry.kind == ObjectiveKind::Thematic => {}
                Some(_) => self.report(
                    objective.span().start,
                    format!(
                        "sasaran {:?} bukan sasaran tematik; rencana aksi RB General ditulis pada kegiatan utamanya",
                        objective.get_ref()
                    ),
                    format!(
                        "objective {:?} is not thematic; plans of general reform belong to its activities",
                        objective.get_ref()
                    ),
                ),
                None => self.check_reference(objective, &CodeSet::new(), "sasaran", "objective"),
            },
            _ => self.report(
                start,
                "rencana aksi harus menyebut tepat satu: activity atau objective".into(),
                "a plan must name exactly one of activity and objective".into(),
            ),
        }
    }

    fn check_milestones(
        &mut self,
        raw: &[Spanned<RawMilestone>],
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Vec<MilestoneEntry> {
        let mut entries = Vec::with_capacity(raw.len());
        let mut total = BigDecimal::zero();
        for item in raw {
            let item = item.get_ref();
            self.require_text(&item.title, "title");
            self.require_text(&item.expected_output, "expected_output");
            let due = match Due::parse(item.due.get_ref()) {
                Ok(due) => Some(due),
                Err(error) => {
                    self.field_problem(item.due.span().start, "due", error.message(Lang::Id), error.message(Lang::En));
                    None
                }
            };
            if let Some(due) = due
                && (due.on < starts_on || due.on > ends_on)
            {
                self.field_problem(
                    item.due.span().start,
                    "due",
                    &format!("harus di antara {starts_on} dan {ends_on}"),
                    &format!("must fall between {starts_on} and {ends_on}"),
                );
            }
            let weight = self.number(&item.weight, "weight");
            if let Some(weight) = &weight {
                if let Err(error) = check_weight(weight, &total) {
                    self.field_problem(
                        item.weight.span().start,
                        "weight",
                        error.message(Lang::Id),
                        error.message(Lang::En),
                    );
                }
                total += weight;
            }
            if let (Some(due), Some(weight)) = (due, weight) {
                entries.push(MilestoneEntry {
                    title: item.title.get_ref().trim().to_string(),
                    expected_output: item.expected_output.get_ref().trim().to_string(),
                    due_on: due.on,
                    due_quarter: due.quarter.map(|code| code.to_string()),
                    weight,
                });
            }
        }
        entries
    }

    /// Reads a number written as a TOML number or as text in Indonesian notation.
    fn number(&mut self, value: &Spanned<toml::Value>, field: &str) -> Option<BigDecimal> {
        let json = match value.get_ref() {
            toml::Value::Integer(number) => serde_json::Value::from(*number),
            toml::Value::Float(number) => serde_json::Value::from(*number),
            toml::Value::String(text) => serde_json::Value::from(text.as_str()),
            other => serde_json::Value::from(other.to_string()),
        };
        let mut errors = Vec::new();
        let number = required_number(&Some(json), field, &mut errors);
        for error in errors {
            self.field_problem(value.span().start, field, error.message(Lang::Id), error.message(Lang::En));
        }
        number
    }

    /// Reads a day written as a TOML date or as text such as `2024-01-31`.
    fn date(&mut self, value: &Spanned<toml::Value>, field: &str) -> Option<NaiveDate> {
        let text = match value.get_ref() {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let parsed = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.field_problem(
                value.span().start,
                field,
                &format!("{text:?} bukan tanggal; tulis TAHUN-BULAN-HARI"),
                &format!("{text:?} is not a day; write YEAR-MONTH-DAY"),
            );
        }
        parsed
    }

    fn field_problem(&mut self, offset: usize, field: &str, indonesian: &str, english: &str) {
        self.report(offset, format!("{field}: {indonesian}"), format!("{field}: {english}"));
    }
}
