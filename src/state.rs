//! State shared by every handler.

use crate::auth::AuthState;
use crate::clock::Clock;
use crate::db::pool::Pool;
use crate::domain::report::Thresholds;
use crate::storage::EvidenceStore;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub auth: AuthState,
    pub clock: Clock,
    pub evidence: EvidenceStore,
    /// Largest evidence file, in bytes.
    pub evidence_max_bytes: usize,
    /// Largest file sent to the bulk import of realisations, in bytes.
    pub bulk_max_bytes: usize,
    /// The thresholds that grade achievement in the reports.
    pub report_thresholds: Thresholds,
}
