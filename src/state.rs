//! State shared by every handler.

use crate::auth::AuthState;
use crate::db::pool::Pool;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub auth: AuthState,
}
