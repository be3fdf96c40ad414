//! Queries on users, service clients, refresh tokens, login attempts and the audit log.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{audit_events, login_attempts, refresh_tokens, service_clients, users};
use crate::domain::key::Key;
use crate::domain::pagination::PageRequest;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub organisation_id: Option<i64>,
    pub password_hash: String,
    pub active: bool,
    pub tokens_valid_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = service_clients)]
pub struct ClientRow {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub organisation_id: Option<i64>,
    pub secret_hash: String,
    pub active: bool,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub family_id: uuid::Uuid,
    pub user_id: Option<i64>,
    pub client_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new user, with its password already hashed.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub organisation_id: Option<i64>,
    pub password_hash: &'a str,
}

pub async fn find_user(connection: &mut AsyncPgConnection, key: Key<'_>) -> QueryResult<Option<UserRow>> {
    let query = users::table.select(UserRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(users::id.eq(id)),
        Key::Code(username) => query.filter(users::username.eq(username.to_lowercase())),
    };
    query.first(connection).await.optional()
}

pub async fn list_users(connection: &mut AsyncPgConnection, page: PageRequest) -> QueryResult<(Vec<UserRow>, i64)> {
    let total = users::table.count().get_result(connection).await?;
    let rows = users::table
        .order(users::username)
        .offset(page.offset())
        .limit(page.limit())
        .select(UserRow::as_select())
        .load(connection)
        .await?;
    Ok((rows, total))
}

/// Inserts a user; returns `None` when the username is taken.
pub async fn insert_user(connection: &mut AsyncPgConnection, user: &NewUser<'_>) -> QueryResult<Option<UserRow>> {
    diesel::insert_into(users::table)
        .values((
            users::username.eq(user.username),
            users::display_name.eq(user.display_name),
            users::role.eq(user.role),
            users::organisation_id.eq(user.organisation_id),
            users::password_hash.eq(user.password_hash),
        ))
        .on_conflict(users::username)
        .do_nothing()
        .returning(UserRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

pub async fn set_user_active(connection: &mut AsyncPgConnection, id: i64, active: bool) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((users::active.eq(active), users::updated_at.eq(now)))
        .returning(UserRow::as_returning())
        .get_result(connection)
        .await
}

pub async fn set_user_password(
    connection: &mut AsyncPgConnection,
    id: i64,
    password_hash: &str,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(password_hash), users::tokens_valid_after.eq(now), users::updated_at.eq(now)))
        .returning(UserRow::as_returning())
        .get_result(connection)
        .await
}

/// Replaces a password hash without moving `tokens_valid_after`: the password is the same, only
/// its hash parameters change.
pub async fn replace_password_hash(
    connection: &mut AsyncPgConnection,
    id: i64,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::password_hash.eq(password_hash)).execute(connection).await?;
    Ok(())
}

pub async fn find_client(connection: &mut AsyncPgConnection, key: Key<'_>) -> QueryResult<Option<ClientRow>> {
    let query = service_clients::table.select(ClientRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(service_clients::id.eq(id)),
        Key::Code(client_id) => query.filter(service_clients::client_id.eq(client_id.to_lowercase())),
    };
    query.first(connection).await.optional()
}

/// Inserts a service client; returns `None` when the client id is taken.
pub async fn insert_client(
    connection: &mut AsyncPgConnection,
    client_id: &str,
    name: &str,
    scopes: &[String],
    organisation_id: Option<i64>,
    secret_hash: &str,
) -> QueryResult<Option<ClientRow>> {
    diesel::insert_into(service_clients::table)
        .values((
            service_clients::client_id.eq(client_id),
            service_clients::name.eq(name),
            service_clients::scopes.eq(scopes),
            service_clients::organisation_id.eq(organisation_id),
            service_clients::secret_hash.eq(secret_hash),
        ))
        .on_conflict(service_clients::client_id)
        .do_nothing()
        .returning(ClientRow::as_returning())
        .get_result(connection)
        .await
        .optional()
}

/// The owner of a refresh token.
#[derive(Clone, Copy, Debug)]
pub enum TokenOwner {
    User(i64),
    Client(i64),
}

pub async fn insert_refresh_token(
    connection: &mut AsyncPgConnection,
    token_hash: &[u8],
    family_id: uuid::Uuid,
    owner: TokenOwner,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    let (user_id, client_id) = match owner {
        TokenOwner::User(id) => (Some(id), None),
        TokenOwner::Client(id) => (None, Some(id)),
    };
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::client_id.eq(client_id),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn find_refresh_token(
    connection: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(connection)
        .await
        .optional()
}

/// Marks a token as used; returns false when another request used or revoked it first.
pub async fn mark_rotated(connection: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::rotated_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(now))
    .execute(connection)
    .await?;
    Ok(updated == 1)
}

pub async fn revoke_family(connection: &mut AsyncPgConnection, family_id: uuid::Uuid) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(connection)
    .await
}

pub async fn revoke_user_tokens(connection: &mut AsyncPgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(connection)
    .await
}

/// Forgets a username's failed logins, as when an admin sets a new password.
pub async fn clear_failures(connection: &mut AsyncPgConnection, username: &str) -> QueryResult<usize> {
    diesel::delete(
        login_attempts::table.filter(login_attempts::username.eq(username)).filter(login_attempts::succeeded.eq(false)),
    )
    .execute(connection)
    .await
}

pub async fn record_login_attempt(
    connection: &mut AsyncPgConnection,
    username: &str,
    client_ip: &str,
    succeeded: bool,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(username),
            login_attempts::client_ip.eq(client_ip),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

/// Failed logins since `since`: their count and the oldest one's time. For a username, only
/// failures after its latest success count.
pub async fn recent_failures(
    connection: &mut AsyncPgConnection,
    username: Option<&str>,
    client_ip: Option<&str>,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    let mut since = since;
    if let Some(username) = username {
        let last_success: Option<DateTime<Utc>> = login_attempts::table
            .filter(login_attempts::username.eq(username))
            .filter(login_attempts::succeeded.eq(true))
            .select(diesel::dsl::max(login_attempts::attempted_at))
            .get_result(connection)
            .await?;
        since = last_success.map_or(since, |success| success.max(since));
    }

    let mut query = login_attempts::table
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since))
        .into_boxed();
    if let Some(username) = username {
        query = query.filter(login_attempts::username.eq(username.to_string()));
    }
    if let Some(client_ip) = client_ip {
        query = query.filter(login_attempts::client_ip.eq(client_ip.to_string()));
    }
    query
        .select((diesel::dsl::count_star(), diesel::dsl::min(login_attempts::attempted_at)))
        .get_result(connection)
        .await
}

/// One audit record.
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor_client_id: Option<i64>,
    pub actor_name: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub details: serde_json::Value,
}

pub async fn insert_audit(connection: &mut AsyncPgConnection, event: AuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::action.eq(event.action),
            audit_events::actor_user_id.eq(event.actor_user_id),
            audit_events::actor_client_id.eq(event.actor_client_id),
            audit_events::actor_name.eq(event.actor_name),
            audit_events::client_ip.eq(event.client_ip),
            audit_events::subject.eq(event.subject),
            audit_events::details.eq(event.details),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

/// Usernames and client ids by id, for showing who did what.
pub async fn actor_names(
    connection: &mut AsyncPgConnection,
    user_ids: &[i64],
    client_ids: &[i64],
) -> QueryResult<(std::collections::HashMap<i64, String>, std::collections::HashMap<i64, String>)> {
    let users = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::username))
        .load::<(i64, String)>(connection)
        .await?;
    let clients = service_clients::table
        .filter(service_clients::id.eq_any(client_ids))
        .select((service_clients::id, service_clients::client_id))
        .load::<(i64, String)>(connection)
        .await?;
    Ok((users.into_iter().collect(), clients.into_iter().collect()))
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor_user_id: Option<i64>,
    pub actor_client_id: Option<i64>,
    pub actor_name: Option<String>,
    pub client_ip: Option<String>,
    pub subject: Option<String>,
    pub details: serde_json::Value,
}

/// Filters of the audit log. `action` ending in `.` matches every action with that prefix.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub subject: Option<String>,
    pub actor: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Loads one page of audit records, newest first, and the total.
pub async fn list_audit(
    connection: &mut AsyncPgConnection,
    filter: &AuditFilter,
    page: PageRequest,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let build = || {
        let mut query = audit_events::table.into_boxed();
        match filter.action.as_deref() {
            Some(prefix) if prefix.ends_with('.') => {
                let pattern = format!("{}%", crate::db::organisations::escape_like(prefix));
                query = query.filter(audit_events::action.like(pattern));
            }
            Some(action) => query = query.filter(audit_events::action.eq(action.to_string())),
            None => {}
        }
        if let Some(subject) = &filter.subject {
            query = query.filter(audit_events::subject.eq(subject.clone()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(audit_events::actor_name.eq(actor.clone()));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_events::occurred_at.ge(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_events::occurred_at.lt(until));
        }
        query
    };
    let total = build().count().get_result(connection).await?;
    let rows = build()
        .order(audit_events::id.desc())
        .offset(page.offset())
        .limit(page.limit())
        .select(AuditRow::as_select())
        .load(connection)
        .await?;
    Ok((rows, total))
}
