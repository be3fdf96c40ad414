//! Synthetic road maps for load tests: a data file's road map copied N times under new codes.
//!
//! Every goal, theme, objective, activity, indicator and action plan is repeated once per copy,
//! with `-{copy}` added to its code and to every code it refers to. Names, organisations,
//! coordinators, implementers, baselines and targets stay as they are, so a copy has the same
//! structure and the same kinds of figures as the real road map and its reports are N times as
//! long. `filings` decides which realisations a synthetic road map gets and their values.

use super::roadmap_file::{
    ActivityEntry, IndicatorEntry, NamedEntry, ObjectiveEntry, PlacementRef, PlanEntry, RoadmapDocument,
};
use super::structure::{is_node_code, is_roadmap_code};
use crate::error::FieldError;

pub mod filings;

/// The largest number of copies, which keeps the copies' codes within 32 characters for codes
/// of up to 27 characters.
pub const MAX_SCALE: u32 = 1000;

/// Maximum length of a road map title in the database, in characters.
const MAX_TITLE_CHARS: usize = 500;

/// Returns the code that copy number `copy` gives to one of the source's codes.
pub fn copy_code(code: &str, copy: u32) -> String {
    format!("{code}-{copy}")
}

/// Returns the road map code used when none is given, such as `semarang-2023-2024-x10`.
pub fn default_code(source_code: &str, scale: u32) -> String {
    format!("{source_code}-x{scale}")
}

/// Builds a road map `scale` times the size of `source` under the road map code `code`.
/// Returns every problem with the scale, the code or the copies' codes.
pub fn replicate(source: &RoadmapDocument, scale: u32, code: &str) -> Result<RoadmapDocument, Vec<FieldError>> {
    let mut problems = Vec::new();
    if !(1..=MAX_SCALE).contains(&scale) {
        problems.push(FieldError::new(
            "scale",
            format!("skala harus antara 1 dan {MAX_SCALE}"),
            format!("the scale must be from 1 to {MAX_SCALE}"),
        ));
    }
    if !is_roadmap_code(code) {
        problems.push(FieldError::new(
            "code",
            format!("kode peta jalan {code:?} tidak valid: gunakan huruf kecil, angka dan tanda hubung, diawali huruf, paling banyak 64 karakter"),
            format!("road map code {code:?} is invalid: use lower-case letters, digits and hyphens, starting with a letter, at most 64 characters"),
        ));
    }
    let title = format!("{} (sintetis ×{scale})", source.roadmap.title);
    if title.chars().count() > MAX_TITLE_CHARS {
        problems.push(FieldError::new(
            "title",
            format!("judul peta jalan sintetis lebih dari {MAX_TITLE_CHARS} karakter"),
            format!("the synthetic road map's title is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
    if let Some(long) = longest_code(source).filter(|long| !is_node_code(&copy_code(long, scale.min(MAX_SCALE)))) {
        let copied = copy_code(long, scale.min(MAX_SCALE));
        problems.push(FieldError::new(
            "scale",
            format!("kode salinan {copied:?} lebih dari 32 karakter; pilih skala yang lebih kecil"),
            format!("the copy's code {copied:?} is longer than 32 characters; choose a smaller scale"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut document = RoadmapDocument {
        roadmap: source.roadmap.clone(),
        organisations: source.organisations.clone(),
        themes: Vec::new(),
        goals: Vec::new(),
        objectives: Vec::new(),
        activities: Vec::new(),
        indicators: Vec::new(),
        plans: Vec::new(),
    };
    document.roadmap.code = code.to_string();
    document.roadmap.title = title;
    for copy in 1..=scale {
        document.themes.extend(source.themes.iter().map(|entry| named(entry, copy)));
        document.goals.extend(source.goals.iter().map(|entry| named(entry, copy)));
        document.objectives.extend(source.objectives.iter().map(|entry| objective(entry, copy)));
        document.activities.extend(source.activities.iter().map(|entry| activity(entry, copy)));
        document.indicators.extend(source.indicators.iter().map(|entry| indicator(entry, copy)));
        document.plans.extend(source.plans.iter().map(|entry| plan(entry, copy)));
    }
    Ok(document)
}

/// Returns the longest code among the nodes, indicators and plans of a document.
fn longest_code(document: &RoadmapDocument) -> Option<&str> {
    let codes = document
        .themes
        .iter()
        .map(|entry| &entry.code)
        .chain(document.goals.iter().map(|entry| &entry.code))
        .chain(document.objectives.iter().map(|entry| &entry.code))
        .chain(document.activities.iter().map(|entry| &entry.code))
        .chain(document.indicators.iter().map(|entry| &entry.code))
        .chain(document.plans.iter().map(|entry| &entry.code));
    codes.max_by_key(|code| code.len()).map(String::as_str)
}

fn named(entry: &NamedEntry, copy: u32) -> NamedEntry {
    NamedEntry { code: copy_code(&entry.code, copy), ..entry.clone() }
}

fn objective(entry: &ObjectiveEntry, copy: u32) -> ObjectiveEntry {
    ObjectiveEntry {
        code: copy_code(&entry.code, copy),
        goal: entry.goal.as_deref().map(|code| copy_code(code, copy)),
        theme: entry.theme.as_deref().map(|code| copy_code(code, copy)),
        ..entry.clone()
    }
}

fn activity(entry: &ActivityEntry, copy: u32) -> ActivityEntry {
    ActivityEntry { code: copy_code(&entry.code, copy), objective: copy_code(&entry.objective, copy), ..entry.clone() }
}

fn indicator(entry: &IndicatorEntry, copy: u32) -> IndicatorEntry {
    let placements = entry
        .placements
        .iter()
        .map(|placement| match placement {
            PlacementRef::Goal(code) => PlacementRef::Goal(copy_code(code, copy)),
            PlacementRef::Objective(code) => PlacementRef::Objective(copy_code(code, copy)),
            PlacementRef::Activity(code) => PlacementRef::Activity(copy_code(code, copy)),
        })
        .collect();
    IndicatorEntry { code: copy_code(&entry.code, copy), placements, ..entry.clone() }
}

fn plan(entry: &PlanEntry, copy: u32) -> PlanEntry {
    PlanEntry {
        code: copy_code(&entry.code, copy),
        activity: entry.activity.as_deref().map(|code| copy_code(code, copy)),
        objective: entry.objective.as_deref().map(|code| copy_code(code, copy)),
        indicators: entry.indicators.iter().map(|code| copy_code(code, copy)).collect(),
        ..entry.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Lang;
    use crate::domain::roadmap_file::parse_roadmap_file;

    fn semarang() -> RoadmapDocument {
        let source =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/semarang-2023-2024.toml")).unwrap();
        parse_roadmap_file(&source).unwrap()
    }

    #[test]
    fn copies_every_node_with_its_references() {
        let source = semarang();

        let copied = replicate(&source, 3, "semarang-x3").unwrap();

        assert_eq!(copied.roadmap.code, "semarang-x3");
        assert_eq!(copied.organisations, source.organisations);
        assert_eq!(copied.indicators.len(), 3 * source.indicators.len());
        assert_eq!(copied.activities.len(), 3 * source.activities.len());
        let first = &source.indicators[0];
        let third = copied.indicators.iter().find(|entry| entry.code == format!("{}-3", first.code)).unwrap();
        assert_eq!((&third.figures, &third.implementers), (&first.figures, &first.implementers));
        let activity = copied.activities.iter().find(|entry| entry.code == "K1.01-2").unwrap();
        assert_eq!(activity.objective, "S1-2");
        let thematic = copied.objectives.iter().find(|entry| entry.code == "ST1-3").unwrap();
        assert_eq!(thematic.theme.as_deref(), Some("stunting-3"));
        let codes: std::collections::HashSet<&str> =
            copied.indicators.iter().map(|entry| entry.code.as_str()).collect();
        assert_eq!(codes.len(), copied.indicators.len());
    }

    #[test]
    fn refuses_a_bad_scale_or_code() {
        let source = semarang();

        let problems = replicate(&source, 0, "Semarang X").unwrap_err();

        let fields: Vec<&str> = problems.iter().map(|problem| problem.field.as_str()).collect();
        assert_eq!(fields, ["scale", "code"]);
        assert!(problems[1].message(Lang::Id).contains("tidak valid"));
        assert_eq!(default_code("semarang-2023-2024", 10), "semarang-2023-2024-x10");
    }
}
