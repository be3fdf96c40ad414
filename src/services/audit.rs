//! Audit records of changes, written in the transaction of the change.

use diesel_async::AsyncPgConnection;

use crate::auth::caller::Caller;
use crate::db::accounts::{self, AuditEvent};
use crate::error::ApiError;

/// Writes an audit record of `action` on `subject` by the caller, with the request id added to
/// `details` (a JSON object).
pub async fn record(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    subject: &str,
    mut details: serde_json::Value,
) -> Result<(), ApiError> {
    if let (Some(object), Some(request_id)) = (details.as_object_mut(), &caller.request_id) {
        object.insert("request_id".into(), request_id.clone().into());
    }
    accounts::insert_audit(
        connection,
        AuditEvent {
            action,
            actor_user_id: caller.user_id(),
            actor_client_id: caller.client_id(),
            actor_name: Some(caller.name()),
            client_ip: Some(&caller.client_ip),
            subject: Some(subject),
            details,
        },
    )
    .await?;
    Ok(())
}
