//! Labour-dispute mediation records (调解记录) of a case.

use super::*;
use zhijia_domain::case::MediationOutcome;
use zhijia_domain::ids::{MediationId, StaffId};

/// A labour-dispute mediation record (调解记录).
#[derive(Debug, Clone)]
pub struct Mediation {
    pub id: MediationId,
    pub parties: String,
    pub mediated_on: NaiveDate,
    pub mediator: String,
    pub agreement: String,
    pub outcome: MediationOutcome,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Mediation {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Mediation {
            id: row.id("id")?,
            parties: row.get("parties")?,
            mediated_on: row.get("mediated_on")?,
            mediator: row.get("mediator")?,
            agreement: row.get("agreement")?,
            outcome: row.parsed("outcome", MediationOutcome::parse)?,
            created_at: row.get("created_at")?,
        })
    }
}

const ADD_MEDIATION: &str = "INSERT INTO case_mediation (case_id, parties, mediated_on, \
     mediator, agreement, outcome, staff_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
const MEDIATIONS: &str = "SELECT id, parties, mediated_on, mediator, agreement, outcome, \
     created_at FROM case_mediation WHERE case_id = $1 ORDER BY mediated_on, id";

/// A mediation record being added.
#[derive(Debug)]
pub struct NewMediation<'a> {
    pub parties: &'a str,
    pub mediated_on: NaiveDate,
    pub mediator: &'a str,
    pub agreement: &'a str,
    pub outcome: MediationOutcome,
}

pub async fn add_mediation(
    tx: &mut Tx,
    case_id: CaseId,
    m: &NewMediation<'_>,
    staff_id: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<MediationId> {
    tx.query_one(
        ADD_MEDIATION,
        &[
            &case_id.0,
            &m.parties,
            &m.mediated_on,
            &m.mediator,
            &m.agreement,
            m.outcome.stored(),
            &staff_id.map(|s| s.0),
            &now,
        ],
    )
    .await
    .map(MediationId)
}

pub async fn mediations(store: &Store, case_id: CaseId) -> Result<Vec<Mediation>> {
    store.query(MEDIATIONS, &[&case_id.0]).await
}
