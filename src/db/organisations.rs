//! Queries on organisations.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::rows::OrganisationRow;
use crate::db::schema::organisations;
use crate::domain::key::Key;
use crate::domain::organisation_names::match_key;
use crate::domain::pagination::PageRequest;
use crate::views::{OrganisationRef, OrganisationView};

/// Lists organisations by code. `search` matches code, name or alias the way the import matches
/// names: ignoring case, reading dots as spaces and collapsing runs of spaces.
pub async fn list(
    connection: &mut AsyncPgConnection,
    search: Option<&str>,
    page: PageRequest,
) -> QueryResult<(Vec<OrganisationView>, i64)> {
    let filtered = || {
        let mut query = organisations::table.into_boxed();
        if let Some(search) = search {
            let pattern = format!("%{}%", escape_like(&match_key(search)));
            // `match_key`'s normalisation in SQL, over the code, the name and every alias.
            let normalised = "regexp_replace(lower(replace(code || ' | ' || name || ' | ' || array_to_string(aliases, ' | '), '.', ' ')), '\\s+', ' ', 'g') LIKE ";
            query = query.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(normalised).bind::<diesel::sql_types::Text, _>(pattern),
            );
        }
        query
    };

    let total = filtered().count().get_result(connection).await?;
    let rows: Vec<OrganisationRow> = filtered()
        .order(organisations::code)
        .offset(page.offset())
        .limit(page.limit())
        .select(OrganisationRow::as_select())
        .load(connection)
        .await?;
    Ok((rows.into_iter().map(view).collect(), total))
}

/// Finds one organisation by id or code.
pub async fn find(connection: &mut AsyncPgConnection, key: Key<'_>) -> QueryResult<Option<OrganisationView>> {
    let query = organisations::table.select(OrganisationRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(organisations::id.eq(id)),
        // Codes are stored in upper case, so `bappeda` finds `BAPPEDA`.
        Key::Code(code) => query.filter(organisations::code.eq(code.to_uppercase())),
    };
    Ok(query.first(connection).await.optional()?.map(view))
}

/// Loads short references for the given ids.
pub async fn refs_by_id(
    connection: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, OrganisationRef>> {
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, OrganisationRef { id: row.id, code: row.code, name: row.name })).collect())
}

/// Loads short references for every organisation that one of `ids` or `codes` names, with one
/// query. Codes match in any case, as in `find`.
pub async fn refs_by_keys(
    connection: &mut AsyncPgConnection,
    ids: &[i64],
    codes: &[String],
) -> QueryResult<Vec<OrganisationRef>> {
    let codes: Vec<String> = codes.iter().map(|code| code.to_uppercase()).collect();
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::id.eq_any(ids).or(organisations::code.eq_any(&codes)))
        .select(OrganisationRow::as_select())
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|row| OrganisationRef { id: row.id, code: row.code, name: row.name }).collect())
}

fn view(row: OrganisationRow) -> OrganisationView {
    OrganisationView {
        id: row.id,
        code: row.code,
        name: row.name,
        // The CHECK constraint admits only the enum's values.
        kind: row.kind.parse().unwrap_or(crate::domain::indicator::OrganisationKind::Unit),
        aliases: row.aliases,
    }
}

/// Escapes `%`, `_` and `\` so that user text matches literally inside a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}
