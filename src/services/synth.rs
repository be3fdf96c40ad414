//! Synthetic road maps for load tests. A data file's road map, copied N times, goes through the
//! ordinary import. Then its periods are opened and realisations are filed for every quarter,
//! reporter and indicator, all in one transaction.
//!
//! Realisations are written in batches with multi-row inserts, in the state the API's steps
//! would have left them: submitted, verified or returned, with the versions those steps
//! append and their snapshots. One audit record covers the whole run. The reporter and verifier
//! of every synthetic realisation is the inactive user `SYNTH_USERNAME`.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::db::accounts::{self, AuditEvent, NewUser};
use crate::db::import::{ImportReport, import_document};
use crate::db::periods::{self, PeriodFields, PeriodRow};
use crate::db::realisations::{self, NewRealisation, NewVersion, RealisationRow, SeededRealisation};
use crate::db::{indicators, organisations, roadmaps};
use crate::domain::indicator::Direction;
use crate::domain::key::Key;
use crate::domain::period::{LatePolicy, PeriodCode, Timeliness};
use crate::domain::realisation::{Action, RealisationState, ValueRules, read_value};
use crate::domain::report::due_reporters;
use crate::domain::roadmap_file::{IndicatorEntry, RoadmapDocument};
use crate::domain::synth::filings::{self, Filing, Outcome};
use crate::domain::synth::{copy_code, replicate};
use crate::error::FieldError;
use crate::services::realisations::views;

/// The user recorded as reporter and verifier of synthetic realisations. It is created
/// inactive, with the hash of a random password that is thrown away, so nobody logs in as it.
pub const SYNTH_USERNAME: &str = "data-sintetis";

/// Realisations written per round of inserts and snapshots.
const BATCH: usize = 1000;

/// Days from a submission to its verification or return.
const REVIEW_DAYS: u64 = 3;

/// The reason written on returned synthetic realisations.
const RETURN_NOTE: &str = "Bukti dukung belum lengkap; lengkapi lalu kirim ulang.";

/// Counts of the rows a run wrote, by kind.
#[derive(Clone, Debug)]
pub struct SynthSummary {
    pub import: ImportReport,
    pub indicators: usize,
    pub periods: usize,
    pub verified: usize,
    pub submitted: usize,
    pub returned: usize,
    /// Realisations submitted after their period's deadline, among the written ones.
    pub late: usize,
    /// Realisations due but left unreported.
    pub missing: usize,
    pub versions: usize,
}

impl SynthSummary {
    /// Realisations written.
    pub fn realisations(&self) -> usize {
        self.verified + self.submitted + self.returned
    }
}

/// The reason a run wrote nothing.
#[derive(Debug)]
pub enum SynthError {
    /// The scale or the code is unusable.
    Invalid(Vec<FieldError>),
    /// A road map with the code exists; a rerun never changes it.
    Exists(String),
    Failed(anyhow::Error),
}

impl From<diesel::result::Error> for SynthError {
    fn from(error: diesel::result::Error) -> Self {
        SynthError::Failed(error.into())
    }
}

impl From<anyhow::Error> for SynthError {
    fn from(error: anyhow::Error) -> Self {
        SynthError::Failed(error)
    }
}

/// Writes a road map `scale` times the size of `source` under `code`, with its periods and
/// realisations, in one transaction. Rejects a code that is taken.
pub async fn synthesise(
    connection: &mut AsyncPgConnection,
    source: &RoadmapDocument,
    scale: u32,
    code: &str,
) -> Result<SynthSummary, SynthError> {
    let document = replicate(source, scale, code).map_err(SynthError::Invalid)?;
    if roadmaps::find(connection, Key::Code(code)).await?.is_some() {
        return Err(SynthError::Exists(code.to_string()));
    }
    connection
        .transaction::<_, SynthError, _>(async |connection| write(connection, source, &document, scale).await)
        .await
}

async fn write(
    connection: &mut AsyncPgConnection,
    source: &RoadmapDocument,
    document: &RoadmapDocument,
    scale: u32,
) -> Result<SynthSummary, SynthError> {
    let code = &document.roadmap.code;
    let import = import_document(connection, document).await?;
    // Another run that took the code first leaves the road map to this import unchanged.
    let created = import.tables.iter().any(|(table, counts)| *table == "roadmaps" && counts.inserted == 1);
    let roadmap = roadmaps::find(connection, Key::Code(code)).await?;
    let (true, Some(roadmap)) = (created, roadmap) else {
        return Err(SynthError::Exists(code.clone()));
    };

    let actor = synth_actor(connection).await?;
    let periods = open_periods(connection, roadmap.id, document).await?;
    let ids = Ids {
        indicators: indicators::ids_by_code(connection, roadmap.id).await?,
        organisations: organisations::refs_by_keys(connection, &[], &organisation_codes(source))
            .await?
            .into_iter()
            .map(|organisation| (organisation.code, organisation.id))
            .collect(),
    };

    let mut summary = SynthSummary {
        import,
        indicators: document.indicators.len(),
        periods: periods.len(),
        verified: 0,
        submitted: 0,
        returned: 0,
        late: 0,
        missing: 0,
        versions: 0,
    };
    let seeds = seeds(source, scale, &periods, &ids, actor, &mut summary)?;
    for batch in seeds.chunks(BATCH) {
        let rows = realisations::insert_many(connection, batch).await?;
        summary.versions += write_history(connection, &rows, actor).await?;
    }

    let details = serde_json::json!({
        "source": source.roadmap.code,
        "scale": scale,
        "indicators": summary.indicators,
        "periods": summary.periods,
        "realisations": summary.realisations(),
        "versions": summary.versions,
    });
    accounts::insert_audit(
        connection,
        AuditEvent {
            action: "roadmap.synthesise",
            actor_user_id: None,
            actor_client_id: None,
            actor_name: Some("command line"),
            client_ip: Some("local"),
            subject: Some(&format!("roadmap:{code}")),
            details,
        },
    )
    .await?;
    Ok(summary)
}

/// Ids of the copied indicators and of the organisations, by code.
struct Ids {
    indicators: HashMap<String, i64>,
    organisations: HashMap<String, i64>,
}

impl Ids {
    fn organisation(&self, code: &str) -> Result<i64, SynthError> {
        lookup(&self.organisations, code, "organisation")
    }
}

fn lookup(ids: &HashMap<String, i64>, code: &str, kind: &str) -> Result<i64, SynthError> {
    ids.get(code).copied().ok_or_else(|| SynthError::Failed(anyhow::anyhow!("{kind} {code:?} has no id after import")))
}

fn organisation_codes(source: &RoadmapDocument) -> Vec<String> {
    source.organisations.iter().map(|organisation| organisation.code.clone()).collect()
}

/// Finds the synthetic data's user, or creates it inactive.
async fn synth_actor(connection: &mut AsyncPgConnection) -> Result<i64, SynthError> {
    if let Some(user) = accounts::find_user(connection, Key::Code(SYNTH_USERNAME)).await? {
        return Ok(user.id);
    }
    let secret = crate::auth::tokens::new_secret();
    let password_hash = tokio::task::spawn_blocking(move || crate::auth::password::hash_blocking(&secret))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let new_user = NewUser {
        username: SYNTH_USERNAME,
        display_name: "Data sintetis (uji beban)",
        role: "admin",
        organisation_id: None,
        password_hash: &password_hash,
    };
    let user = accounts::insert_user(connection, &new_user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {SYNTH_USERNAME} appeared during the run"))?;
    accounts::set_user_active(connection, user.id, false).await?;
    Ok(user.id)
}

/// Opens a period for every quarter of the road map's years, each accepting late reports.
async fn open_periods(
    connection: &mut AsyncPgConnection,
    roadmap_id: i64,
    document: &RoadmapDocument,
) -> Result<Vec<PeriodRow>, SynthError> {
    let mut opened = Vec::new();
    for (year, quarter) in filings::quarters(document.roadmap.start_year, document.roadmap.end_year) {
        let (opens_on, deadline) = filings::period_days(year, quarter)
            .ok_or_else(|| anyhow::anyhow!("no calendar days for period {year}-Q{quarter}"))?;
        let fields = PeriodFields { opens_on, deadline, late_policy: LatePolicy::AcceptLate, locked_at: None };
        let period = periods::insert(connection, roadmap_id, PeriodCode { year, quarter }, &fields)
            .await?
            .ok_or_else(|| anyhow::anyhow!("period {year}-Q{quarter} of a new road map exists"))?;
        opened.push(period);
    }
    Ok(opened)
}

/// Builds the realisations of every copy, implementer (and reporting unit) and period by the
/// schedule of `filings`, each value read by the same rules as a submission through the API.
fn seeds(
    source: &RoadmapDocument,
    scale: u32,
    periods: &[PeriodRow],
    ids: &Ids,
    actor: i64,
    summary: &mut SynthSummary,
) -> Result<Vec<SeededRealisation>, SynthError> {
    let mut positions: HashMap<i64, usize> = HashMap::new();
    for (position, organisation) in source.organisations.iter().enumerate() {
        positions.insert(ids.organisation(&organisation.code)?, position);
    }
    let mut seeds = Vec::new();
    for copy in 1..=scale {
        for (index, entry) in source.indicators.iter().enumerate() {
            let indicator_id = lookup(&ids.indicators, &copy_code(&entry.code, copy), "indicator")?;
            let implementer_ids =
                entry.implementers.iter().map(|code| ids.organisation(code)).collect::<Result<Vec<_>, _>>()?;
            let unit = entry.reporting_unit.as_deref().map(|code| ids.organisation(code)).transpose()?;
            // Every implementer and the reporting unit file; only the due reporters' figures
            // count, and a sum is split among those.
            let due = due_reporters(entry.combine_rule, unit, &implementer_ids).len();
            let mut reporters: Vec<i64> = implementer_ids.into_iter().chain(unit).collect();
            reporters.sort_unstable();
            reporters.dedup();
            for &organisation_id in &reporters {
                let position = positions.get(&organisation_id).copied().unwrap_or_default();
                for (period_index, period) in periods.iter().enumerate() {
                    let filing = filings::filing(index, position, period_index);
                    let Some(seed) = seed(entry, &filing, period, indicator_id, organisation_id, due, actor)? else {
                        summary.missing += 1;
                        continue;
                    };
                    match filing.outcome {
                        Outcome::Verified => summary.verified += 1,
                        Outcome::Submitted => summary.submitted += 1,
                        Outcome::Returned => summary.returned += 1,
                        Outcome::Missing => {}
                    }
                    summary.late += usize::from(filing.late);
                    seeds.push(seed);
                }
            }
        }
    }
    Ok(seeds)
}

/// Builds the row of one filing, or returns `None` for a missing one. `reporters` is the number
/// of due reporters, among whom a figure that adds up is split.
fn seed(
    entry: &IndicatorEntry,
    filing: &Filing,
    period: &PeriodRow,
    indicator_id: i64,
    organisation_id: i64,
    reporters: usize,
    actor: i64,
) -> Result<Option<SeededRealisation>, SynthError> {
    let (state, review_note) = match filing.outcome {
        Outcome::Missing => return Ok(None),
        Outcome::Submitted => (RealisationState::Submitted, None),
        Outcome::Verified => (RealisationState::Verified, None),
        Outcome::Returned => (RealisationState::Returned, Some(RETURN_NOTE.to_string())),
    };
    let rules = ValueRules {
        kind: entry.value_kind,
        combine: entry.combine_rule,
        met_by_reporter: entry.direction == Direction::TextMet,
    };
    let input = filings::value(entry, period.year, reporters, filing.level_percent);
    let value = read_value(&input, rules).map_err(|errors| {
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        anyhow::anyhow!("synthetic value of indicator {} is invalid in the fields {fields:?}", entry.code)
    })?;

    let submitted_at = nine_o_clock(filings::submission_day(filing, period.opens_on, period.deadline));
    let reviewed = state != RealisationState::Submitted;
    let reviewed_at = reviewed.then(|| submitted_at.checked_add_days(Days::new(REVIEW_DAYS)).unwrap_or(submitted_at));
    let timeliness = if filing.late { Timeliness::Late } else { Timeliness::OnTime };
    let new = NewRealisation {
        created_by_user_id: Some(actor),
        submitted_at: Some(submitted_at),
        submitted_by_user_id: Some(actor),
        timeliness: Some(timeliness.as_ref().to_string()),
        ..NewRealisation::new(indicator_id, period.id, organisation_id, state, value)
    };
    Ok(Some(SeededRealisation {
        new,
        version: if reviewed { 2 } else { 1 },
        reviewed_at,
        reviewed_by_user_id: reviewed.then_some(actor),
        review_note,
        created_at: submitted_at,
        updated_at: reviewed_at.unwrap_or(submitted_at),
    }))
}

/// Returns 09:00 WIB (02:00 UTC) on a day.
fn nine_o_clock(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default()).and_utc()
}

/// Appends the versions that the API's steps would have appended: the submission, and the
/// verification or return that followed it, each with the realisation as it then stood.
async fn write_history(
    connection: &mut AsyncPgConnection,
    rows: &[RealisationRow],
    actor: i64,
) -> Result<usize, SynthError> {
    let mut steps: Vec<(RealisationRow, Action)> = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        let mut submitted = row.clone();
        submitted.state = RealisationState::Submitted.as_ref().to_string();
        submitted.version = 1;
        submitted.reviewed_at = None;
        submitted.reviewed_by_user_id = None;
        submitted.review_note = None;
        submitted.updated_at = row.submitted_at.unwrap_or(row.created_at);
        steps.push((submitted, Action::Submit));
        if row.state == RealisationState::Verified.as_ref() {
            steps.push((row.clone(), Action::Verify));
        } else if row.state == RealisationState::Returned.as_ref() {
            steps.push((row.clone(), Action::Return));
        }
    }

    let shown = views(connection, steps.iter().map(|(row, _)| row.clone()).collect())
        .await
        .map_err(|error| anyhow::anyhow!("cannot show synthetic realisations: {error}"))?;
    let mut versions = Vec::with_capacity(steps.len());
    for ((row, action), view) in steps.into_iter().zip(shown) {
        versions.push(NewVersion {
            realisation_id: row.id,
            version: row.version,
            state: row.state,
            action: action.as_ref().to_string(),
            snapshot: serde_json::to_value(&view).map_err(anyhow::Error::from)?,
            actor_user_id: Some(actor),
            recorded_at: row.updated_at,
        });
    }
    Ok(realisations::insert_versions(connection, &versions).await?)
}
