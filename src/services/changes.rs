//! The change feed: realisations, targets, plans and milestones changed after a cursor, for
//! other city systems that poll.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::changes::{self, ChangeQuery, ChangeRow};
use crate::domain::change_feed::{ChangeKind, Cursor};
use crate::error::ApiError;

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    /// The position of this change; pass it as `after` to read what came after it.
    #[schema(example = "7301-42")]
    pub cursor: String,
    pub kind: ChangeKind,
    /// The realisation, plan or milestone id; for a target, the indicator id.
    pub id: i64,
    /// For a realisation the step of its workflow (`create`, `edit`, `submit`, `verify`,
    /// `return`); for the others `create`, `update` or `delete`.
    #[schema(example = "verify")]
    pub action: String,
    /// The version of the changed object after the change.
    pub version: Option<i32>,
    /// When the changing transaction began.
    pub changed_at: DateTime<Utc>,
    /// The path that reads the object as it is now.
    #[schema(example = "/api/v1/realisations/12")]
    pub href: String,
    /// For a realisation, the realisation as the API showed it after this change. For a target,
    /// `indicator`, `year`, `quarter` (null for the year's target) and `printed` (null when
    /// deleted). For a plan, `code`, `title` and `status`. For a milestone, `plan`, `title` and
    /// `progress`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// One page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeView>,
    /// Pass as `after` on the next request. It is given even when `items` is empty, so a
    /// client that polls keeps its place.
    #[schema(example = "7301-42")]
    pub next_cursor: String,
    /// Whether more changes are ready now; `false` means the client is up to date.
    pub has_more: bool,
}

/// A request for one page: its start, kinds, time filter and size.
pub struct ChangeRequest {
    pub after: Cursor,
    pub kinds: Vec<ChangeKind>,
    pub since: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// Reads one page of a road map's feed.
pub async fn page(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    roadmap_code: &str,
    request: &ChangeRequest,
) -> Result<ChangePage, ApiError> {
    // The horizon is read before the entries: every transaction before it has ended by then,
    // so the entries below it that the next query reads are final.
    let horizon = changes::horizon(connection).await?;
    let kinds: Vec<String> = request.kinds.iter().map(|kind| kind.as_ref().to_string()).collect();
    let query = ChangeQuery {
        roadmap_id,
        after: request.after,
        kinds: &kinds,
        since: request.since,
        limit: i64::from(request.limit) + 1,
    };
    let mut rows = changes::page(connection, &query, horizon).await?;

    let has_more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let items = rows.into_iter().map(|row| view(row, roadmap_code)).collect::<Result<Vec<_>, _>>()?;
    let next_cursor = match items.last() {
        Some(last) if has_more => last.cursor.clone(),
        _ => request.after.max(Cursor::at_horizon(horizon)).to_string(),
    };
    Ok(ChangePage { items, next_cursor, has_more })
}

fn view(row: ChangeRow, roadmap_code: &str) -> Result<ChangeView, ApiError> {
    let kind: ChangeKind = row
        .kind
        .parse()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("change {} has an unknown kind {:?}", row.id, row.kind)))?;
    let transaction = row
        .transaction
        .parse()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("change {} has a malformed transaction id", row.id)))?;
    let href = match kind {
        ChangeKind::Realisation => format!("/api/v1/realisations/{}", row.item_id),
        ChangeKind::Plan => format!("/api/v1/plans/{}", row.item_id),
        ChangeKind::Milestone => format!("/api/v1/milestones/{}", row.item_id),
        ChangeKind::Target => target_href(roadmap_code, row.item_id, &row.details),
    };
    Ok(ChangeView {
        cursor: Cursor { transaction, entry: row.id }.to_string(),
        kind,
        id: row.item_id,
        action: row.action,
        version: row.version,
        changed_at: row.changed_at,
        href,
        data: row.details,
    })
}

/// Links a target change to the history of that target, naming the indicator by its code.
fn target_href(roadmap_code: &str, indicator_id: i64, details: &serde_json::Value) -> String {
    let indicator = details["indicator"].as_str().map_or_else(|| indicator_id.to_string(), str::to_string);
    let year = details["year"].as_i64().unwrap_or_default();
    let base = format!("/api/v1/roadmaps/{roadmap_code}/indicators/{indicator}/targets/{year}/history");
    match details["quarter"].as_i64() {
        Some(quarter) => format!("{base}?quarter={quarter}"),
        None => base,
    }
}
