//! The road map data file: its TOML layout and the checks that run before anything is stored.
//!
//! The file lists organisations, themes, goals, objectives, main activities and indicators as
//! flat tables that refer to each other by code. Figures keep the printed text and are read by
//! `domain::value`; where the printed text would be misread, an entry states the intended value
//! beside it. Validation collects every problem with its line in the file, so one run shows all
//! that needs fixing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use serde::Deserialize;
use toml::Spanned;

use super::indicator::{
    CombineRule, Direction, FigureRole, LowerRule, ObjectiveKind, OrganisationKind, ValueKind, YearlyRule,
};
use super::lang::Lang;
use super::organisation_names::match_key;
use super::structure::{check_roadmap_years, default_combine_rule, is_node_code, is_roadmap_code};
use super::value::{FigureValue, parse_figure};

mod plans;

pub use plans::{MilestoneEntry, PlanEntry};

/// The largest data file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    roadmap: Spanned<RawRoadmap>,
    #[serde(default)]
    organisations: Vec<Spanned<RawOrganisation>>,
    #[serde(default)]
    themes: Vec<Spanned<RawNamed>>,
    #[serde(default)]
    goals: Vec<Spanned<RawNamed>>,
    #[serde(default)]
    objectives: Vec<Spanned<RawObjective>>,
    #[serde(default)]
    activities: Vec<Spanned<RawActivity>>,
    #[serde(default)]
    indicators: Vec<Spanned<RawIndicator>>,
    #[serde(default)]
    plans: Vec<Spanned<plans::RawPlan>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoadmap {
    code: Spanned<String>,
    title: String,
    legal_basis: String,
    start_year: Spanned<i32>,
    end_year: Spanned<i32>,
    baseline_year: Spanned<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    code: Spanned<String>,
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamed {
    code: Spanned<String>,
    name: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjective {
    code: Spanned<String>,
    kind: Spanned<String>,
    goal: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    name: Spanned<String>,
    coordinator: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActivity {
    code: Spanned<String>,
    objective: Spanned<String>,
    name: Spanned<String>,
    coordinator: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Spanned<String>,
    name: Spanned<String>,
    unit: Spanned<String>,
    value_kind: Spanned<String>,
    direction: Spanned<String>,
    yearly_rule: Spanned<String>,
    coordinator: Option<Spanned<String>>,
    #[serde(default)]
    implementers: Vec<Spanned<String>>,
    combine_rule: Option<Spanned<String>>,
    reporting_unit: Option<Spanned<String>>,
    lower_rule: Option<Spanned<String>>,
    placements: Spanned<Vec<Spanned<RawPlacement>>>,
    baseline: Spanned<RawFigure>,
    #[serde(default)]
    targets: BTreeMap<String, Spanned<RawFigure>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlacement {
    goal: Option<String>,
    objective: Option<String>,
    activity: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFigure {
    Printed(String),
    Stated(StatedFigure),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatedFigure {
    text: String,
    value: String,
    note: String,
}

/// A validated road map file, with every reference resolved to a code.
#[derive(Clone, Debug, PartialEq)]
pub struct RoadmapDocument {
    pub roadmap: RoadmapHeader,
    pub organisations: Vec<OrganisationEntry>,
    pub themes: Vec<NamedEntry>,
    pub goals: Vec<NamedEntry>,
    pub objectives: Vec<ObjectiveEntry>,
    pub activities: Vec<ActivityEntry>,
    pub indicators: Vec<IndicatorEntry>,
    pub plans: Vec<PlanEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoadmapHeader {
    pub code: String,
    pub title: String,
    pub legal_basis: String,
    pub start_year: i32,
    pub end_year: i32,
    pub baseline_year: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrganisationEntry {
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NamedEntry {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectiveEntry {
    pub code: String,
    pub kind: ObjectiveKind,
    pub goal: Option<String>,
    pub theme: Option<String>,
    pub name: String,
    /// Organisation code of the coordinator of the objective's action plans, if the file names one.
    pub coordinator: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActivityEntry {
    pub code: String,
    pub objective: String,
    pub name: String,
    /// Organisation code of the coordinator of the activity's action plans, if the file names one.
    pub coordinator: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorEntry {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value_kind: ValueKind,
    pub direction: Direction,
    pub yearly_rule: YearlyRule,
    /// Organisation code of the coordinator, if the road map names one.
    pub coordinator: Option<String>,
    /// Organisation codes of the implementers, in file order, each once.
    pub implementers: Vec<String>,
    pub combine_rule: CombineRule,
    /// Organisation code of the unit whose figure counts under the `designated` rule.
    pub reporting_unit: Option<String>,
    pub lower_rule: LowerRule,
    pub placements: Vec<PlacementRef>,
    pub figures: Vec<FigureEntry>,
    pub note: Option<String>,
}

/// A place in the tree where an indicator is shown, by the code of that place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PlacementRef {
    Goal(String),
    Objective(String),
    Activity(String),
}

/// A baseline or target with its printed text and the value read from it.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureEntry {
    pub role: FigureRole,
    pub year: i32,
    pub printed: String,
    /// The intended value, where the file states it because the printed text would be misread.
    pub stated_value: Option<String>,
    pub note: Option<String>,
    pub value: FigureValue,
}

/// One problem found in a data file, located by line and column (both from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub line: usize,
    pub column: usize,
    indonesian: String,
    english: String,
}

impl FileProblem {
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.indonesian, &self.english)
    }
}

/// Reads and checks a road map file. On failure, returns every problem found, in file order.
pub fn parse_roadmap_file(source: &str) -> Result<RoadmapDocument, Vec<FileProblem>> {
    let locator = Locator::new(source);

    if source.len() > MAX_FILE_BYTES {
        return Err(vec![locator.problem(
            0,
            format!("berkas lebih dari {MAX_FILE_BYTES} byte"),
            format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        )]);
    }

    let raw: RawFile = toml::from_str(source).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        let detail = error.message().trim().to_string();
        vec![locator.problem(offset, format!("TOML tidak valid: {detail}"), format!("invalid TOML: {detail}"))]
    })?;

    let mut checker = Checker { locator, problems: Vec::new() };
    let document = checker.check(raw);
    let mut problems = checker.problems;
    if problems.is_empty() {
        Ok(document)
    } else {
        problems.sort_by_key(|problem| (problem.line, problem.column));
        Err(problems)
    }
}

/// Converts byte offsets into line and column numbers.
struct Locator {
    line_starts: Vec<usize>,
    source_len: usize,
}

impl Locator {
    fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(index, _)| index + 1));
        Locator { line_starts, source_len: source.len() }
    }

    fn problem(&self, offset: usize, indonesian: String, english: String) -> FileProblem {
        let offset = offset.min(self.source_len);
        let line_index = self.line_starts.partition_point(|start| *start <= offset) - 1;
        let column = offset - self.line_starts[line_index] + 1;
        FileProblem { line: line_index + 1, column, indonesian, english }
    }
}

struct Checker {
    locator: Locator,
    problems: Vec<FileProblem>,
}

/// Codes of objects of one kind seen so far, for duplicate and reference checks.
type CodeSet = HashSet<String>;

impl Checker {
    fn report(&mut self, offset: usize, indonesian: String, english: String) {
        let problem = self.locator.problem(offset, indonesian, english);
        self.problems.push(problem);
    }

    fn check(&mut self, raw: RawFile) -> RoadmapDocument {
        let roadmap = self.check_roadmap(raw.roadmap);
        let (organisations, names) = self.check_organisations(raw.organisations);

        let (themes, theme_codes) = self.check_named("tema", "theme", raw.themes);
        let (goals, goal_codes) = self.check_named("tujuan", "goal", raw.goals);
        let (objectives, objective_codes) = self.check_objectives(raw.objectives, &goal_codes, &theme_codes, &names);
        let (activities, activity_codes) = self.check_activities(raw.activities, &objective_codes, &names);

        let places = Places { goals: &goal_codes, objectives: &objective_codes, activities: &activity_codes };
        let indicators = self.check_indicators(raw.indicators, &roadmap, &names, &places);

        let indicator_codes: HashSet<String> = indicators.iter().map(|entry| entry.code.clone()).collect();
        let refs = plans::PlanRefs {
            roadmap: &roadmap,
            activities: &activity_codes,
            objectives: &objectives,
            indicators: &indicator_codes,
            names: &names,
        };
        let plans = self.check_plans(raw.plans, &refs);

        RoadmapDocument { roadmap, organisations, themes, goals, objectives, activities, indicators, plans }
    }

    fn check_roadmap(&mut self, raw: Spanned<RawRoadmap>) -> RoadmapHeader {
        let raw = raw.into_inner();
        if !is_roadmap_code(raw.code.get_ref()) {
            self.report(
                raw.code.span().start,
                format!("kode peta jalan {:?} tidak valid: gunakan huruf kecil, angka dan tanda hubung, diawali huruf, paling banyak 64 karakter", raw.code.get_ref()),
                format!("road map code {:?} is invalid: use lower-case letters, digits and hyphens, starting with a letter, at most 64 characters", raw.code.get_ref()),
            );
        }

        let (start, end, baseline) = (*raw.start_year.get_ref(), *raw.end_year.get_ref(), *raw.baseline_year.get_ref());
        for error in check_roadmap_years(start, end, baseline) {
            let span = match error.field.as_str() {
                "start_year" => raw.start_year.span(),
                "end_year" => raw.end_year.span(),
                _ => raw.baseline_year.span(),
            };
            self.report(span.start, error.message(Lang::Id).to_string(), error.message(Lang::En).to_string());
        }

        RoadmapHeader {
            code: raw.code.into_inner(),
            title: raw.title,
            legal_basis: raw.legal_basis,
            start_year: start,
            end_year: end,
            baseline_year: baseline,
        }
    }

    /// Checks organisations and returns them with a map from every name and alias, by match
    /// key, to the organisation's code.
    fn check_organisations(
        &mut self,
        raw: Vec<Spanned<RawOrganisation>>,
    ) -> (Vec<OrganisationEntry>, HashMap<String, String>) {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        let mut names: HashMap<String, String> = HashMap::new();

        for organisation in raw {
            let organisation = organisation.into_inner();
            let code = organisation.code.get_ref().clone();
            let code_ok = code.starts_with(|c: char| c.is_ascii_uppercase())
                && code.len() <= 32
                && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if !code_ok {
                self.report(
                    organisation.code.span().start,
                    format!("kode organisasi {code:?} tidak valid: gunakan huruf besar, angka dan tanda hubung, diawali huruf, paling banyak 32 karakter"),
                    format!("organisation code {code:?} is invalid: use upper-case letters, digits and hyphens, starting with a letter, at most 32 characters"),
                );
            }
            if !codes.insert(code.clone()) {
                self.report(
                    organisation.code.span().start,
                    format!("kode organisasi {code:?} muncul dua kali"),
                    format!("organisation code {code:?} appears twice"),
                );
            }
            self.require_text(&organisation.name, "name");

            let kind = self.check_enum::<OrganisationKind>(&organisation.kind, "kind");

            let mut spellings = vec![(organisation.code.get_ref().clone(), organisation.code.span().start)];
            spellings.push((organisation.name.get_ref().clone(), organisation.name.span().start));
            spellings.extend(organisation.aliases.iter().map(|alias| (alias.get_ref().clone(), alias.span().start)));
            for (spelling, offset) in spellings {
                let key = match_key(&spelling);
                match names.get(&key) {
                    Some(owner) if *owner != code => self.report(
                        offset,
                        format!("nama {spelling:?} sudah dipakai organisasi {owner}"),
                        format!("name {spelling:?} already belongs to organisation {owner}"),
                    ),
                    _ => {
                        names.insert(key, code.clone());
                    }
                }
            }

            entries.push(OrganisationEntry {
                code,
                name: organisation.name.into_inner(),
                kind: kind.unwrap_or(OrganisationKind::Unit),
                aliases: organisation.aliases.into_iter().map(Spanned::into_inner).collect(),
            });
        }
        (entries, names)
    }

    fn check_named(&mut self, kind_id: &str, kind_en: &str, raw: Vec<Spanned<RawNamed>>) -> (Vec<NamedEntry>, CodeSet) {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        for item in raw {
            let item = item.into_inner();
            self.check_code(&item.code, kind_id, kind_en, &mut codes);
            self.require_text(&item.name, "name");
            entries.push(NamedEntry { code: item.code.into_inner(), name: item.name.into_inner() });
        }
        (entries, codes)
    }

    fn check_objectives(
        &mut self,
        raw: Vec<Spanned<RawObjective>>,
        goals: &CodeSet,
        themes: &CodeSet,
        names: &HashMap<String, String>,
    ) -> (Vec<ObjectiveEntry>, CodeSet) {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        for item in raw {
            let item = item.into_inner();
            self.check_code(&item.code, "sasaran", "objective", &mut codes);
            self.require_text(&item.name, "name");
            let kind = self.check_enum::<ObjectiveKind>(&item.kind, "kind");

            if let Some(goal) = &item.goal {
                self.check_reference(goal, goals, "tujuan", "goal");
            }
            if let Some(theme) = &item.theme {
                self.check_reference(theme, themes, "tema", "theme");
            }
            match (kind, &item.theme) {
                (Some(ObjectiveKind::Thematic), None) => self.report(
                    item.kind.span().start,
                    format!("sasaran tematik {:?} harus menyebut theme", item.code.get_ref()),
                    format!("thematic objective {:?} must name a theme", item.code.get_ref()),
                ),
                (Some(ObjectiveKind::General), Some(theme)) => self.report(
                    theme.span().start,
                    format!("sasaran general {:?} tidak boleh menyebut theme", item.code.get_ref()),
                    format!("general objective {:?} must not name a theme", item.code.get_ref()),
                ),
                _ => {}
            }

            let coordinator = item.coordinator.as_ref().and_then(|name| self.resolve_organisation(name, names));
            entries.push(ObjectiveEntry {
                code: item.code.into_inner(),
                kind: kind.unwrap_or(ObjectiveKind::General),
                goal: item.goal.map(Spanned::into_inner),
                theme: item.theme.map(Spanned::into_inner),
                name: item.name.into_inner(),
                coordinator,
            });
        }
        (entries, codes)
    }

    fn check_activities(
        &mut self,
        raw: Vec<Spanned<RawActivity>>,
        objectives: &CodeSet,
        names: &HashMap<String, String>,
    ) -> (Vec<ActivityEntry>, CodeSet) {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        for item in raw {
            let item = item.into_inner();
            self.check_code(&item.code, "kegiatan utama", "activity", &mut codes);
            self.require_text(&item.name, "name");
            self.check_reference(&item.objective, objectives, "sasaran", "objective");
            let coordinator = item.coordinator.as_ref().and_then(|name| self.resolve_organisation(name, names));
            entries.push(ActivityEntry {
                code: item.code.into_inner(),
                objective: item.objective.into_inner(),
                name: item.name.into_inner(),
                coordinator,
            });
        }
        (entries, codes)
    }

    fn check_indicators(
        &mut self,
        raw: Vec<Spanned<RawIndicator>>,
        roadmap: &RoadmapHeader,
        names: &HashMap<String, String>,
        places: &Places,
    ) -> Vec<IndicatorEntry> {
        let mut entries = Vec::with_capacity(raw.len());
        let mut codes = CodeSet::new();
        for item in raw {
            let item = item.into_inner();
            self.check_code(&item.code, "indikator", "indicator", &mut codes);
            self.require_text(&item.name, "name");
            self.require_text(&item.unit, "unit");

            let value_kind = self.check_enum::<ValueKind>(&item.value_kind, "value_kind");
            let direction = self.check_enum::<Direction>(&item.direction, "direction");
            let yearly_rule = self.check_enum::<YearlyRule>(&item.yearly_rule, "yearly_rule");

            let coordinator = item.coordinator.as_ref().and_then(|name| self.resolve_organisation(name, names));
            let implementers = self.check_implementers(&item.implementers, names);
            let (combine_rule, reporting_unit) = self.check_combine(&item, value_kind, &implementers, names);
            let lower_rule = match &item.lower_rule {
                Some(rule) => self.check_enum::<LowerRule>(rule, "lower_rule").unwrap_or(LowerRule::Difference),
                None => LowerRule::Difference,
            };
            let placements = self.check_placements(&item.placements, places);
            let figures = match value_kind {
                Some(kind) => self.check_figures(&item, kind, roadmap),
                None => Vec::new(),
            };

            entries.push(IndicatorEntry {
                code: item.code.into_inner(),
                name: item.name.into_inner(),
                unit: item.unit.into_inner(),
                value_kind: value_kind.unwrap_or(ValueKind::Text),
                direction: direction.unwrap_or(Direction::TextMet),
                yearly_rule: yearly_rule.unwrap_or(YearlyRule::Latest),
                coordinator,
                implementers,
                combine_rule,
                reporting_unit,
                lower_rule,
                placements,
                figures,
                note: item.note,
            });
        }
        entries
    }

    /// Reads the combine rule and reporting unit, or chooses them. One implementer reports for
    /// itself. Several implementers add up counts and amounts (`sum`) and combine percentages from
    /// their counts (`ratio`). For other kinds the first implementer reports for all (`designated`).
    fn check_combine(
        &mut self,
        item: &RawIndicator,
        kind: Option<ValueKind>,
        implementers: &[String],
        names: &HashMap<String, String>,
    ) -> (CombineRule, Option<String>) {
        let given = item.combine_rule.as_ref().and_then(|rule| self.check_enum::<CombineRule>(rule, "combine_rule"));
        let numeric = kind.is_some_and(ValueKind::is_numeric);
        let rule = given.unwrap_or_else(|| match kind {
            Some(kind) => default_combine_rule(implementers.len(), kind),
            None => CombineRule::Designated,
        });
        if let Some(raw) = &item.combine_rule
            && rule != CombineRule::Designated
            && !numeric
        {
            self.report(
                raw.span().start,
                "sum dan ratio hanya untuk indikator berangka; indikator kategori dan uraian memakai designated".into(),
                "sum and ratio apply to numeric indicators only; category and text indicators use designated".into(),
            );
        }

        let unit = match &item.reporting_unit {
            Some(name) => {
                let code = self.resolve_organisation(name, names);
                let coordinator = item.coordinator.as_ref().and_then(|name| names.get(&match_key(name.get_ref())));
                if let Some(code) = &code
                    && ((!implementers.contains(code) && coordinator != Some(code)) || rule != CombineRule::Designated)
                {
                    self.report(
                        name.span().start,
                        format!(
                            "reporting_unit {code} harus koordinator atau salah satu pelaksana, dengan combine_rule designated"
                        ),
                        format!(
                            "reporting_unit {code} must be the coordinator or one of the implementers, with combine_rule designated"
                        ),
                    );
                }
                code
            }
            None if rule == CombineRule::Designated => implementers.first().cloned(),
            None => None,
        };
        (rule, unit)
    }

    fn check_implementers(&mut self, raw: &[Spanned<String>], names: &HashMap<String, String>) -> Vec<String> {
        let mut implementers: Vec<String> = Vec::with_capacity(raw.len());
        for name in raw {
            let Some(code) = self.resolve_organisation(name, names) else {
                continue;
            };
            if implementers.contains(&code) {
                self.report(
                    name.span().start,
                    format!("pelaksana {:?} ({code}) disebut lebih dari sekali", name.get_ref()),
                    format!("implementer {:?} ({code}) is listed more than once", name.get_ref()),
                );
                continue;
            }
            implementers.push(code);
        }
        implementers
    }

    fn check_placements(&mut self, raw: &Spanned<Vec<Spanned<RawPlacement>>>, places: &Places) -> Vec<PlacementRef> {
        if raw.get_ref().is_empty() {
            self.report(
                raw.span().start,
                "placements kosong: indikator harus ditempatkan di tujuan, sasaran atau kegiatan utama".into(),
                "placements is empty: an indicator must be placed at a goal, objective or activity".into(),
            );
        }

        let mut placements: Vec<PlacementRef> = Vec::new();
        for placement in raw.get_ref() {
            let offset = placement.span().start;
            let RawPlacement { goal, objective, activity } = placement.get_ref();
            let placement_ref = match (goal, objective, activity) {
                (Some(code), None, None) => {
                    self.check_place(offset, code, places.goals, "tujuan", "goal").map(PlacementRef::Goal)
                }
                (None, Some(code), None) => self
                    .check_place(offset, code, places.objectives, "sasaran", "objective")
                    .map(PlacementRef::Objective),
                (None, None, Some(code)) => self
                    .check_place(offset, code, places.activities, "kegiatan utama", "activity")
                    .map(PlacementRef::Activity),
                _ => {
                    self.report(
                        offset,
                        "setiap penempatan menyebut tepat satu dari goal, objective atau activity".into(),
                        "each placement names exactly one of goal, objective or activity".into(),
                    );
                    None
                }
            };
            let Some(placement_ref) = placement_ref else {
                continue;
            };
            if placements.contains(&placement_ref) {
                self.report(
                    offset,
                    "penempatan yang sama disebut dua kali".into(),
                    "the same placement is listed twice".into(),
                );
                continue;
            }
            placements.push(placement_ref);
        }
        placements
    }

    fn check_place(
        &mut self,
        offset: usize,
        code: &str,
        known: &CodeSet,
        kind_id: &str,
        kind_en: &str,
    ) -> Option<String> {
        if known.contains(code) {
            return Some(code.to_string());
        }
        self.report(
            offset,
            format!("{kind_id} {code:?} tidak ada dalam berkas"),
            format!("{kind_en} {code:?} is not in the file"),
        );
        None
    }

    fn check_figures(&mut self, item: &RawIndicator, kind: ValueKind, roadmap: &RoadmapHeader) -> Vec<FigureEntry> {
        let mut figures = Vec::with_capacity(1 + item.targets.len());
        if let Some(figure) = self.check_figure(&item.baseline, FigureRole::Baseline, roadmap.baseline_year, kind) {
            figures.push(figure);
        }

        for (year_text, figure) in &item.targets {
            let year = match year_text.parse::<i32>() {
                Ok(year) if (roadmap.start_year..=roadmap.end_year).contains(&year) => year,
                _ => {
                    self.report(
                        figure.span().start,
                        format!(
                            "tahun target {year_text:?} tidak valid: harus antara {} dan {}",
                            roadmap.start_year, roadmap.end_year
                        ),
                        format!(
                            "target year {year_text:?} is invalid: it must be from {} to {}",
                            roadmap.start_year, roadmap.end_year
                        ),
                    );
                    continue;
                }
            };
            if let Some(figure) = self.check_figure(figure, FigureRole::Target, year, kind) {
                figures.push(figure);
            }
        }
        figures
    }

    fn check_figure(
        &mut self,
        raw: &Spanned<RawFigure>,
        role: FigureRole,
        year: i32,
        kind: ValueKind,
    ) -> Option<FigureEntry> {
        let (printed, stated_value, note) = match raw.get_ref() {
            RawFigure::Printed(text) => (text.clone(), None, None),
            RawFigure::Stated(stated) => (stated.text.clone(), Some(stated.value.clone()), Some(stated.note.clone())),
        };
        if printed.trim().is_empty() {
            self.report(
                raw.span().start,
                "teks tercetak kosong; tulis NA untuk nilai yang belum ada".into(),
                "the printed text is empty; write NA for a missing value".into(),
            );
            return None;
        }

        let text_to_read = stated_value.as_deref().unwrap_or(&printed);
        match parse_figure(text_to_read, kind) {
            Ok(value) => Some(FigureEntry { role, year, printed, stated_value, note, value }),
            Err(error) => {
                let (role_id, role_en) = match role {
                    FigureRole::Baseline => ("baseline", "baseline"),
                    FigureRole::Target => ("target", "target"),
                };
                self.report(
                    raw.span().start,
                    format!("{role_id} {year}: {}", error.message(Lang::Id)),
                    format!("{role_en} {year}: {}", error.message(Lang::En)),
                );
                None
            }
        }
    }

    fn check_code(&mut self, code: &Spanned<String>, kind_id: &str, kind_en: &str, seen: &mut CodeSet) {
        let text = code.get_ref();
        if !is_node_code(text) {
            self.report(
                code.span().start,
                format!("kode {kind_id} {text:?} tidak valid: gunakan huruf, angka, titik dan tanda hubung, diawali huruf, paling banyak 32 karakter"),
                format!("{kind_en} code {text:?} is invalid: use letters, digits, dots and hyphens, starting with a letter, at most 32 characters"),
            );
        }
        if !seen.insert(text.clone()) {
            self.report(
                code.span().start,
                format!("kode {kind_id} {text:?} muncul dua kali"),
                format!("{kind_en} code {text:?} appears twice"),
            );
        }
    }

    fn check_reference(&mut self, code: &Spanned<String>, known: &CodeSet, kind_id: &str, kind_en: &str) {
        if !known.contains(code.get_ref()) {
            self.report(
                code.span().start,
                format!("{kind_id} {:?} tidak ada dalam berkas", code.get_ref()),
                format!("{kind_en} {:?} is not in the file", code.get_ref()),
            );
        }
    }

    fn check_enum<T: FromStr>(&mut self, value: &Spanned<String>, field: &str) -> Option<T> {
        let parsed = T::from_str(value.get_ref()).ok();
        if parsed.is_none() {
            self.report(
                value.span().start,
                format!("nilai {field} {:?} tidak dikenal", value.get_ref()),
                format!("unknown {field} value {:?}", value.get_ref()),
            );
        }
        parsed
    }

    fn require_text(&mut self, value: &Spanned<String>, field: &str) {
        if value.get_ref().trim().is_empty() {
            self.report(value.span().start, format!("{field} kosong"), format!("{field} is empty"));
        }
    }

    fn resolve_organisation(&mut self, name: &Spanned<String>, names: &HashMap<String, String>) -> Option<String> {
        let code = names.get(&match_key(name.get_ref())).cloned();
        if code.is_none() {
            self.report(
                name.span().start,
                format!(
                    "organisasi {:?} tidak dikenal: tambahkan ke [[organisations]] sebagai nama atau alias",
                    name.get_ref()
                ),
                format!("unknown organisation {:?}: add it to [[organisations]] as a name or an alias", name.get_ref()),
            );
        }
        code
    }
}

struct Places<'a> {
    goals: &'a CodeSet,
    objectives: &'a CodeSet,
    activities: &'a CodeSet,
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
[roadmap]
code = "kota-contoh-2023-2024"
title = "Peta Jalan"
legal_basis = "Perwal 1/2023"
start_year = 2023
end_year = 2024
baseline_year = 2022

[[organisations]]
code = "BAG-ORG"
name = "Bagian Organisasi"
kind = "unit"
aliases = ["Bag. Organisasi"]

[[goals]]
code = "T1"
name = "Tujuan"

[[objectives]]
code = "S1"
kind = "general"
goal = "T1"
name = "Sasaran"

[[activities]]
code = "K1.01"
objective = "S1"
name = "Kegiatan"

[[indicators]]
code = "IND-01"
name = "Indeks"
unit = "Indeks"
value_kind = "index"
direction = "higher_is_better"
yearly_rule = "latest"
coordinator = "Bag.Organisasi"
implementers = ["BAG-ORG"]
placements = [{ objective = "S1" }, { activity = "K1.01" }]
baseline = { text = "3.012", value = "3,012", note = "the narrative gives 3,012" }
targets = { 2023 = "2,8", 2024 = "Menunggu penetapan" }
"#;

    #[test]
    fn reads_valid_file() {
        let document = parse_roadmap_file(VALID).unwrap();

        let indicator = &document.indicators[0];
        assert_eq!(indicator.coordinator.as_deref(), Some("BAG-ORG"));
        assert_eq!(
            indicator.placements,
            vec![PlacementRef::Objective("S1".into()), PlacementRef::Activity("K1.01".into())]
        );
        assert_eq!(indicator.figures.len(), 3);
        assert_eq!(indicator.figures[0].printed, "3.012");
        assert_eq!(indicator.figures[0].stated_value.as_deref(), Some("3,012"));
        assert!(
            matches!(&indicator.figures[0].value, FigureValue::Number { value, .. } if value.to_string() == "3.012")
        );
        assert!(matches!(indicator.figures[2].value, FigureValue::NotSet { .. }));
    }

    #[test]
    fn lists_every_problem_with_its_line() {
        let broken = VALID
            .replace("coordinator = \"Bag.Organisasi\"", "coordinator = \"Dinas Tidak Ada\"")
            .replace("targets = { 2023 = \"2,8\"", "targets = { 2023 = \"2.8\"")
            .replace("value_kind = \"index\"", "value_kind = \"indeks\"")
            .replace("{ activity = \"K1.01\" }", "{ activity = \"K9.99\" }");

        let problems = parse_roadmap_file(&broken).unwrap_err();

        let messages: Vec<&str> = problems.iter().map(|problem| problem.message(Lang::En)).collect();
        assert_eq!(problems.len(), 3, "{messages:#?}");
        assert!(messages[0].contains("unknown value_kind value \"indeks\""), "{messages:#?}");
        assert!(messages[1].contains("unknown organisation \"Dinas Tidak Ada\""), "{messages:#?}");
        assert!(messages[2].contains("activity \"K9.99\" is not in the file"), "{messages:#?}");
        let coordinator_line = broken.lines().position(|line| line.starts_with("coordinator")).unwrap() + 1;
        assert_eq!(problems[1].line, coordinator_line);
    }

    #[test]
    fn reports_ambiguous_figure_once_kind_is_known() {
        let broken = VALID.replace("targets = { 2023 = \"2,8\"", "targets = { 2023 = \"2.8\"");

        let problems = parse_roadmap_file(&broken).unwrap_err();

        assert_eq!(problems.len(), 1);
        assert!(problems[0].message(Lang::En).starts_with("target 2023: \"2.8\" is ambiguous"), "{:?}", problems[0]);
        assert!(problems[0].message(Lang::Id).contains("ambigu"));
    }

    #[test]
    fn rejects_duplicates() {
        let duplicated =
            VALID.replace("implementers = [\"BAG-ORG\"]", "implementers = [\"BAG-ORG\", \"Bag. Organisasi\"]").replace(
                "[[activities]]\ncode = \"K1.01\"",
                "[[activities]]\ncode = \"S1\"\nobjective = \"S1\"\nname = \"x\"\n\n[[activities]]\ncode = \"S1\"",
            );

        let problems = parse_roadmap_file(&duplicated).unwrap_err();

        let messages: Vec<&str> = problems.iter().map(|problem| problem.message(Lang::En)).collect();
        assert!(messages.iter().any(|m| m.contains("activity code \"S1\" appears twice")), "{messages:#?}");
        assert!(messages.iter().any(|m| m.contains("is listed more than once")), "{messages:#?}");
    }

    #[test]
    fn reads_node_coordinators_by_name_or_alias() {
        let with_coordinators = VALID
            .replace(
                "goal = \"T1\"\nname = \"Sasaran\"",
                "goal = \"T1\"\nname = \"Sasaran\"\ncoordinator = \"BAG-ORG\"",
            )
            .replace("name = \"Kegiatan\"", "name = \"Kegiatan\"\ncoordinator = \"Bag. Organisasi\"");

        let document = parse_roadmap_file(&with_coordinators).unwrap();

        assert_eq!(document.objectives[0].coordinator.as_deref(), Some("BAG-ORG"));
        assert_eq!(document.activities[0].coordinator.as_deref(), Some("BAG-ORG"));
    }

    #[test]
    fn rejects_unknown_node_coordinator() {
        let broken = VALID.replace("name = \"Kegiatan\"", "name = \"Kegiatan\"\ncoordinator = \"Dinas Tidak Ada\"");

        let problems = parse_roadmap_file(&broken).unwrap_err();

        assert_eq!(problems.len(), 1);
        assert!(problems[0].message(Lang::En).contains("unknown organisation \"Dinas Tidak Ada\""));
    }

    #[test]
    fn reports_toml_syntax_with_location() {
        let problems = parse_roadmap_file("[roadmap]\ncode = \n").unwrap_err();

        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 2);
        assert!(problems[0].message(Lang::Id).starts_with("TOML tidak valid"));
    }
}
