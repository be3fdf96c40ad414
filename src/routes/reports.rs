//! Monitoring reports (monev): achievement with roll-ups, and reporting compliance.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::db::indicators::{IndicatorFilter, OrganisationRole};
use crate::db::organisations;
use crate::db::roadmaps::RoadmapNodes;
use crate::domain::key::Key;
use crate::domain::report::ReportStatus;
use crate::error::{ApiError, FieldError, Problem};
use crate::export::{self, Outline, ReportFormat};
use crate::http::extractors::ApiQuery;
use crate::routes::AppState;
use crate::routes::download::{FORMAT_NAMES, attachment, json_response, negotiate, render};
use crate::routes::params::Checks;
use crate::routes::roadmaps::find_roadmap;
use crate::services::achievement::Basis;
use crate::services::reports::{self, AchievementReport, AchievementRequest, ComplianceReport, ComplianceRequest};
use crate::views::RoadmapView;

const STATUS_NAMES: [&str; 5] = ["on_track", "at_risk", "off_track", "no_target", "no_data"];

/// Parameters of the achievement report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AchievementReportParams {
    /// Road map id or code, such as `semarang-2023-2024`; required.
    #[param(value_type = String, required = true, example = "semarang-2023-2024")]
    pub roadmap: Option<String>,
    /// The year, within the road map's years; required.
    #[param(value_type = i32, required = true, example = 2023)]
    pub year: Option<String>,
    /// One quarter (1–4); without it the report covers the whole year.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 4)]
    pub quarter: Option<String>,
    /// `verified` (default): verified realisations only; `provisional`: submitted ones count
    /// too, for admins, viewers and service clients not tied to an organisation.
    #[param(value_type = Option<Basis>)]
    pub basis: Option<String>,
    /// Only indicators shown at this objective or at its activities (id or code).
    pub objective: Option<String>,
    /// Only indicators of this theme's objectives (id or code).
    pub theme: Option<String>,
    /// Only indicators that this organisation (id or code) coordinates or implements.
    pub organisation: Option<String>,
    /// Only indicators in this status.
    #[param(value_type = Option<ReportStatus>)]
    pub status: Option<String>,
    /// `json`, `csv` or `xlsx`; it overrides the `Accept` header.
    #[param(value_type = Option<ReportFormat>)]
    pub format: Option<String>,
}

/// Shows the achievement (capaian) of a road map's indicators for a year or a quarter, each
/// with a status, and rolls them up per goal, theme, objective, activity and organisation.
///
/// An indicator's status comes from its achievement: a percentage at or above
/// `PETAJALAN_REPORT_ON_TRACK_PERCENT` (default 90) is `on_track`, at or above
/// `PETAJALAN_REPORT_AT_RISK_PERCENT` (default 75) `at_risk`, lower `off_track`. A met category,
/// text or threshold target is `on_track` and one not met `off_track`; a lower-is-better
/// figure of 0 under the ratio rule is `on_track`. `no_target` covers a missing target, one not
/// yet set, and a target of 0 that the formula cannot divide by. `no_data` covers a missing
/// figure and one of another kind than the target.
///
/// A roll-up counts its indicators per status and takes the mean of their computed
/// percentages. Each percentage is kept between 0 and 120 %, so that one indicator far above
/// or below its target cannot outweigh the rest. Met and not-met indicators are counted but not
/// averaged. The mean is graded by the same thresholds, or is `no_data` when no indicator has
/// a percentage. An indicator counts for its coordinator's organisation and for each
/// implementer's. Roll-ups cover only the indicators that pass the filters. Retired
/// indicators are left out.
///
/// The `format` parameter, else the `Accept` header, picks JSON (the default), CSV or an Excel
/// workbook. The CSV has one row per indicator, numbers in plain notation with a dot, and no
/// roll-ups. The workbook has a summary sheet with the roll-ups, a sheet per general objective
/// and per theme laid out like the regulation's tables, and a sheet of all indicators.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(AchievementReportParams),
    responses(
        (status = 200, description = "The report as JSON, CSV or an Excel workbook. CSV and XLSX come as an attachment named like `capaian-semarang-2023-2024-2023-TW1.xlsx`.",
            content(
                (AchievementReport = "application/json"),
                (String = "text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name, for CSV and XLSX."),
                ("Vary" = String, description = "`Accept`, because the header picks the format."),
            ),
        ),
        (status = 400, description = "A missing or invalid parameter, or a filter that names nothing in this road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope, or `basis=provisional` from an organisation's user or client.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Without `format`, an `Accept` header that names none of `application/json`, `text/csv` and the XLSX media type.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/achievement")]
pub async fn achievement_report(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: ApiQuery<AchievementReportParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let roadmap_key = required(&mut checks, "roadmap", params.roadmap.as_deref());
    let year = whole_year(&mut checks, params.year.as_deref());
    let quarter = checks.quarter(params.quarter.as_deref());
    let basis = checks.choice::<Basis>("basis", params.basis.as_deref(), &["verified", "provisional"]);
    let status = checks.choice::<ReportStatus>("status", params.status.as_deref(), &STATUS_NAMES);
    let format = checks.choice::<ReportFormat>("format", params.format.as_deref(), &FORMAT_NAMES);
    checks.finish()?;
    let format = negotiate(&request, format)?;
    let basis = basis.unwrap_or(Basis::Verified);
    allow_basis(&caller, basis)?;

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, roadmap_key.unwrap_or_default()).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;
    let organisation = match params.organisation.as_deref() {
        Some(key) => organisations::find(&mut connection, Key::parse(key)).await?.map(|found| found.id),
        None => None,
    };

    let mut checks = Checks::default();
    let year = year_in_roadmap(&mut checks, year, &roadmap);
    let (objective_id, theme_id, _) = checks.nodes(&nodes, params.objective.as_deref(), params.theme.as_deref(), None);
    let organisation_id = checks.reference(
        "organisation",
        params.organisation.as_deref(),
        |_| organisation,
        "organisasi",
        "organisation",
    );
    checks.finish()?;

    let report_request = AchievementRequest {
        year: year.unwrap_or_default(),
        quarter,
        basis,
        filter: IndicatorFilter {
            objective_id,
            theme_id,
            activity_id: None,
            organisation: organisation_id.map(|id| (id, OrganisationRole::Any)),
        },
        status,
    };
    let report =
        reports::achievement_report(&mut connection, roadmap, &nodes, &report_request, state.report_thresholds).await?;
    drop(connection);

    let file_name = export::achievement_file_name(&report, format);
    let body = match format {
        ReportFormat::Json => return Ok(json_response(&report)),
        ReportFormat::Csv => render(move || export::csv::achievement_csv(&report)).await?,
        ReportFormat::Xlsx => {
            let outline = Outline::from_nodes(&nodes);
            render(move || export::xlsx::achievement_workbook(&report, &outline)).await?
        }
    };
    Ok(attachment(format, &file_name, body))
}

/// Parameters of the compliance report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceReportParams {
    /// Road map id or code, such as `semarang-2023-2024`; required.
    #[param(value_type = String, required = true, example = "semarang-2023-2024")]
    pub roadmap: Option<String>,
    /// The year, within the road map's years; required.
    #[param(value_type = i32, required = true, example = 2023)]
    pub year: Option<String>,
    /// One quarter (1–4); without it the report covers every period of the year.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 4)]
    pub quarter: Option<String>,
    /// Only this organisation (id or code).
    pub organisation: Option<String>,
    /// `json`, `csv` or `xlsx`; it overrides the `Accept` header.
    #[param(value_type = Option<ReportFormat>)]
    pub format: Option<String>,
}

/// Shows, per organisation and reporting period, how many realisations were due and what
/// became of them: submitted on time, late or under an exception, awaiting verification,
/// returned, verified, or missing.
///
/// An organisation owes one realisation per period for each indicator it reports: every
/// implementer under the `sum` and `ratio` rules, the reporting unit alone under `designated`.
/// Retired indicators are not due, and a realisation that is not due is not counted. A
/// draft counts as missing. Only periods of the road map that have opened by the service's
/// date (Asia/Jakarta) appear.
///
/// The `format` parameter, else the `Accept` header, picks JSON (the default), CSV or an Excel
/// workbook. CSV and workbook have one row per organisation and period; the workbook adds a
/// sheet of the periods.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ComplianceReportParams),
    responses(
        (status = 200, description = "The report as JSON, CSV or an Excel workbook. CSV and XLSX come as an attachment named like `kepatuhan-semarang-2023-2024-2023.csv`.",
            content(
                (ComplianceReport = "application/json"),
                (String = "text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name, for CSV and XLSX."),
                ("Vary" = String, description = "`Accept`, because the header picks the format."),
            ),
        ),
        (status = 400, description = "A missing or invalid parameter, or an unknown organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Without `format`, an `Accept` header that names none of `application/json`, `text/csv` and the XLSX media type.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/compliance")]
pub async fn compliance_report(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: ApiQuery<ComplianceReportParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let roadmap_key = required(&mut checks, "roadmap", params.roadmap.as_deref());
    let year = whole_year(&mut checks, params.year.as_deref());
    let quarter = checks.quarter(params.quarter.as_deref());
    let format = checks.choice::<ReportFormat>("format", params.format.as_deref(), &FORMAT_NAMES);
    checks.finish()?;
    let format = negotiate(&request, format)?;

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, roadmap_key.unwrap_or_default()).await?;
    let organisation = match params.organisation.as_deref() {
        Some(key) => organisations::find(&mut connection, Key::parse(key)).await?.map(|found| found.id),
        None => None,
    };

    let mut checks = Checks::default();
    let year = year_in_roadmap(&mut checks, year, &roadmap);
    let organisation_id = checks.reference(
        "organisation",
        params.organisation.as_deref(),
        |_| organisation,
        "organisasi",
        "organisation",
    );
    checks.finish()?;

    let report_request =
        ComplianceRequest { year: year.unwrap_or_default(), quarter, organisation_id, today: state.clock.today() };
    let report = reports::compliance_report(&mut connection, roadmap, &report_request).await?;
    drop(connection);

    let file_name = export::compliance_file_name(&report, format);
    let body = match format {
        ReportFormat::Json => return Ok(json_response(&report)),
        ReportFormat::Csv => render(move || export::csv::compliance_csv(&report)).await?,
        ReportFormat::Xlsx => render(move || export::xlsx::compliance_workbook(&report)).await?,
    };
    Ok(attachment(format, &file_name, body))
}

/// Allows provisional figures only to callers not tied to an organisation: admins, viewers and
/// service clients of all organisations.
fn allow_basis(caller: &Caller, basis: Basis) -> Result<(), ApiError> {
    if basis == Basis::Provisional && caller.scope_organisation().is_some() {
        return Err(ApiError::Denied {
            indonesian: "angka sementara (basis=provisional) hanya untuk admin, viewer dan klien layanan yang tidak terikat pada satu organisasi; pakai basis=verified untuk angka terverifikasi".into(),
            english: "provisional figures (basis=provisional) are only for admins, viewers and service clients not tied to one organisation; use basis=verified for the verified figures".into(),
        });
    }
    Ok(())
}

fn required<'a>(checks: &mut Checks, field: &str, text: Option<&'a str>) -> Option<&'a str> {
    let text = text.map(str::trim).filter(|text| !text.is_empty());
    if text.is_none() {
        checks.add(FieldError::new(
            field,
            "wajib diisi, misalnya semarang-2023-2024",
            "is required, for example semarang-2023-2024",
        ));
    }
    text
}

/// Reads the required `year` as a whole number; `year_in_roadmap` checks its range.
fn whole_year(checks: &mut Checks, text: Option<&str>) -> Option<i32> {
    let year = text.and_then(|text| text.trim().parse::<i32>().ok());
    if year.is_none() {
        checks.add(FieldError::new("year", "wajib, tahun seperti 2023", "is required, a year such as 2023"));
    }
    year
}

fn year_in_roadmap(checks: &mut Checks, year: Option<i32>, roadmap: &RoadmapView) -> Option<i32> {
    let year = year.filter(|year| (roadmap.start_year..=roadmap.end_year).contains(year));
    if year.is_none() {
        checks.add(FieldError::new(
            "year",
            format!("wajib, tahun dari {} sampai {}", roadmap.start_year, roadmap.end_year),
            format!("is required, a year from {} to {}", roadmap.start_year, roadmap.end_year),
        ));
    }
    year
}
