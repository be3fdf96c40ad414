//! Query parameters of the list routes and their validation. Every parameter arrives as text
//! and is checked here, so that each error names the parameter in the client's language.

use std::str::FromStr;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::indicators::OrganisationRole;
use crate::domain::indicator::ObjectiveKind;
use crate::domain::key::Key;
use crate::domain::pagination::{MAX_PAGE, MAX_PAGE_SIZE, PageError, PageRequest};
use crate::error::{ApiError, FieldError};

/// Collects parameter errors so that one response lists them all.
#[derive(Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn add(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Returns `Err` with every collected error, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::InvalidParameters(self.errors)) }
    }

    /// Reads a whole number from 1 to `max`, or `default` when absent.
    pub fn count(&mut self, field: &str, text: Option<&str>, default: u32, max: u32) -> u32 {
        match self.whole_number(field, text, max) {
            Some(value) if (1..=max).contains(&value) => value,
            Some(_) => {
                self.add(range_error(field, max));
                default
            }
            None => default,
        }
    }

    /// Reads an RFC 3339 moment such as `2023-04-30T23:59:00+07:00`.
    pub fn moment(&mut self, field: &str, text: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = text?;
        match chrono::DateTime::parse_from_rfc3339(text.trim()) {
            Ok(moment) => Some(moment.with_timezone(&chrono::Utc)),
            Err(_) => {
                self.add(FieldError::new(
                    field,
                    "harus waktu RFC 3339, misalnya 2023-04-30T23:59:00+07:00",
                    "must be an RFC 3339 time, for example 2023-04-30T23:59:00+07:00",
                ));
                None
            }
        }
    }

    /// Reads `page` and `page_size`.
    pub fn page(&mut self, page: Option<&str>, page_size: Option<&str>) -> PageRequest {
        let page_number = self.whole_number("page", page, MAX_PAGE);
        let size = self.whole_number("page_size", page_size, MAX_PAGE_SIZE);
        match PageRequest::new(page_number, size) {
            Ok(request) => request,
            Err(error) => {
                let (field, max) = match error {
                    PageError::PageOutOfRange => ("page", MAX_PAGE),
                    PageError::PageSizeOutOfRange => ("page_size", MAX_PAGE_SIZE),
                };
                self.add(range_error(field, max));
                PageRequest::new(None, None).unwrap_or(PageRequest { page: 1, page_size: 1 })
            }
        }
    }

    fn whole_number(&mut self, field: &str, text: Option<&str>, max: u32) -> Option<u32> {
        let text = text?;
        match text.trim().parse::<u32>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.add(range_error(field, max));
                None
            }
        }
    }

    /// Reads an enumerated parameter; `allowed` lists the accepted values for the message.
    pub fn choice<T: FromStr>(&mut self, field: &str, text: Option<&str>, allowed: &[&str]) -> Option<T> {
        let text = text?;
        let parsed = T::from_str(text.trim()).ok();
        if parsed.is_none() {
            let list = allowed.join(", ");
            self.add(FieldError::new(
                field,
                format!("nilai {text:?} tidak dikenal; pilih salah satu: {list}"),
                format!("unknown value {text:?}; choose one of: {list}"),
            ));
        }
        parsed
    }

    /// Resolves a filter that names an object of the road map by id or code, through `find`.
    /// When nothing matches, it records an error that names the field.
    pub fn reference(
        &mut self,
        field: &str,
        key: Option<&str>,
        find: impl FnOnce(Key<'_>) -> Option<i64>,
        kind_id: &str,
        kind_en: &str,
    ) -> Option<i64> {
        let key = key?;
        let found = find(Key::parse(key));
        if found.is_none() {
            self.add(unknown_reference(field, key, kind_id, kind_en));
        }
        found
    }

    /// Reads a calendar day written `2024-06-30`.
    pub fn date(&mut self, field: &str, text: Option<&str>) -> Option<chrono::NaiveDate> {
        let text = text?;
        let parsed = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.add(FieldError::new(
                field,
                format!("{text:?} bukan tanggal; tulis TAHUN-BULAN-HARI, misalnya 2024-06-30"),
                format!("{text:?} is not a day; write YEAR-MONTH-DAY, for example 2024-06-30"),
            ));
        }
        parsed
    }

    /// Reads a quarter, 1 to 4.
    pub fn quarter(&mut self, text: Option<&str>) -> Option<u8> {
        let text = text?;
        let quarter = text.trim().parse::<u8>().ok().filter(|quarter| (1..=4).contains(quarter));
        if quarter.is_none() {
            self.add(FieldError::new(
                "quarter",
                format!("nilai {text:?} tidak valid; triwulan ditulis 1, 2, 3 atau 4"),
                format!("invalid value {text:?}; a quarter is 1, 2, 3 or 4"),
            ));
        }
        quarter
    }

    /// Reads `true` or `false`.
    pub fn flag(&mut self, field: &str, text: Option<&str>) -> Option<bool> {
        self.choice::<bool>(field, text, &["true", "false"])
    }

    /// Resolves the `objective`, `theme` and `activity` filters against a road map's nodes,
    /// in that order.
    pub fn nodes(
        &mut self,
        nodes: &crate::db::roadmaps::RoadmapNodes,
        objective: Option<&str>,
        theme: Option<&str>,
        activity: Option<&str>,
    ) -> (Option<i64>, Option<i64>, Option<i64>) {
        let objective_id = self.reference(
            "objective",
            objective,
            |key| nodes.find_objective(key).map(|row| row.id),
            "sasaran",
            "objective",
        );
        let theme_id = self.reference("theme", theme, |key| nodes.find_theme(key).map(|row| row.id), "tema", "theme");
        let activity_id = self.reference(
            "activity",
            activity,
            |key| nodes.find_activity(key).map(|row| row.id),
            "kegiatan utama",
            "activity",
        );
        (objective_id, theme_id, activity_id)
    }

    /// Rejects an empty or over-long text parameter.
    pub fn text<'a>(&mut self, field: &str, text: Option<&'a str>, max_chars: usize) -> Option<&'a str> {
        let text = text?.trim();
        if text.is_empty() || text.chars().count() > max_chars {
            self.add(FieldError::new(
                field,
                format!("harus berisi 1 sampai {max_chars} karakter"),
                format!("must have 1 to {max_chars} characters"),
            ));
            return None;
        }
        Some(text)
    }
}

fn range_error(field: &str, max: u32) -> FieldError {
    FieldError::new(
        field,
        format!("harus bilangan bulat dari 1 sampai {max}"),
        format!("must be a whole number from 1 to {max}"),
    )
}

/// Builds the error for a filter value that names no object of the road map.
fn unknown_reference(field: &str, key: &str, kind_id: &str, kind_en: &str) -> FieldError {
    FieldError::new(
        field,
        format!("tidak ada {kind_id} dengan id atau kode {key:?} di peta jalan ini"),
        format!("there is no {kind_en} with id or code {key:?} in this road map"),
    )
}

/// The parameters of a route that takes none; any parameter is rejected as unknown.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// Paging and filters of the objective list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObjectiveParams {
    /// Only objectives of this kind.
    #[param(value_type = Option<ObjectiveKind>)]
    pub kind: Option<String>,
    /// Only thematic objectives of this theme (id or code).
    pub theme: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// Paging and filters of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// Only activities of this objective (id or code).
    pub objective: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// An organisation's part in an indicator, for filtering.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleParam {
    Coordinator,
    Implementer,
    Any,
}

impl FromStr for RoleParam {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "coordinator" => Ok(RoleParam::Coordinator),
            "implementer" => Ok(RoleParam::Implementer),
            "any" => Ok(RoleParam::Any),
            _ => Err(()),
        }
    }
}

impl From<RoleParam> for OrganisationRole {
    fn from(role: RoleParam) -> Self {
        match role {
            RoleParam::Coordinator => OrganisationRole::Coordinator,
            RoleParam::Implementer => OrganisationRole::Implementer,
            RoleParam::Any => OrganisationRole::Any,
        }
    }
}

/// Paging and filters of the indicator list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorParams {
    /// Only indicators shown at this objective or at its activities (id or code).
    pub objective: Option<String>,
    /// Only indicators of this theme's objectives (id or code).
    pub theme: Option<String>,
    /// Only indicators shown at this activity (id or code).
    pub activity: Option<String>,
    /// Only indicators in which this organisation (id or code) has a part; see `role`.
    pub organisation: Option<String>,
    /// With `organisation`: whether it coordinates, implements, or either (default `any`).
    #[param(value_type = Option<RoleParam>)]
    pub role: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// Paging and search of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationParams {
    /// Text to find in the code, name or aliases, ignoring case (1 to 100 characters).
    #[param(min_length = 1, max_length = 100, pattern = r"\S")]
    pub q: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}
