//! The change feed of a road map, for other city systems that poll.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::domain::change_feed::{ChangeKind, Cursor, DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::extractors::ApiQuery;
use crate::routes::AppState;
use crate::routes::params::Checks;
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::changes::{self, ChangePage, ChangeRequest};

/// Query parameters of the feed: the start, the kinds, a time filter and the page size.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// The `next_cursor` of the previous page; without it the feed starts at its beginning.
    #[param(example = "7301-42")]
    pub after: Option<String>,
    /// Only changes written at or after this moment (RFC 3339), as a starting point for a client
    /// without a cursor. A transaction that began before it and committed after it is left out,
    /// so keep polling with `after`.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub since: Option<String>,
    /// Kinds to list, separated by commas: `realisation`, `target`, `plan`, `milestone`;
    /// all by default. A cursor belongs to the kinds it was read with.
    #[param(example = "realisation,target")]
    pub kind: Option<String>,
    /// Changes per page, from 1 to 1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

/// Lists the changes to a road map's realisations, targets, plans and milestones, oldest first,
/// for systems that keep a copy (e-SAKIP, planning applications). A client that passes each
/// page's `next_cursor` as `after` receives each change exactly once,
/// even when changes commit out of order. A change appears only when every transaction that
/// began before it on the PostgreSQL server has ended, so a long-running transaction delays
/// the feed but loses nothing.
///
/// Each change carries the object's kind, id, action, version and a link to read it now; a
/// realisation's change also carries the realisation as it was after the change. For admins,
/// viewers and service clients not tied to an organisation.
#[utoipa::path(
    tag = "changes",
    security(("bearer" = [])),
    params(RoadmapPath, ChangeParams),
    responses(
        (status = 200, description = "One page of changes.", body = ChangePage),
        (status = 400, description = "An invalid cursor, time, kind or limit.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is tied to one organisation or lacks the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<ChangeParams>,
) -> Result<web::Json<ChangePage>, ApiError> {
    caller.require_read()?;
    if caller.scope_organisation().is_some() {
        return Err(ApiError::Denied {
            indonesian: "umpan perubahan memuat data semua organisasi; minta akun pembaca atau klien layanan tanpa organisasi".into(),
            english: "the change feed holds every organisation's data; use a viewer account or a service client without an organisation".into(),
        });
    }
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let after = cursor(&mut checks, params.after.as_deref());
    let kinds = kinds(&mut checks, params.kind.as_deref());
    let since = checks.moment("since", params.since.as_deref());
    let limit = checks.count("limit", params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT);
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let request = ChangeRequest { after, kinds, since, limit };
    let page = changes::page(&mut connection, roadmap.id, &roadmap.code, &request).await?;
    Ok(web::Json(page))
}

fn cursor(checks: &mut Checks, text: Option<&str>) -> Cursor {
    let Some(text) = text else { return Cursor::default() };
    text.trim().parse().unwrap_or_else(|_| {
        checks.add(FieldError::new(
            "after",
            "bukan kursor; salin next_cursor dari halaman sebelumnya apa adanya",
            "is not a cursor; pass the previous page's next_cursor as it is",
        ));
        Cursor::default()
    })
}

fn kinds(checks: &mut Checks, text: Option<&str>) -> Vec<ChangeKind> {
    let Some(text) = text else { return Vec::new() };
    let mut kinds = Vec::new();
    for name in text.split(',') {
        if let Some(kind) = checks.choice::<ChangeKind>("kind", Some(name.trim()), &ChangeKind::NAMES)
            && !kinds.contains(&kind)
        {
            kinds.push(kind);
        }
    }
    kinds
}
