//! Join applications.

use super::*;

#[derive(Debug, Clone)]
pub struct Application {
    pub id: JoinApplicationId,
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub route: JoinRoute,
    pub status: ApplicationStatus,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<GigOccupation>,
    pub work_region: Option<String>,
    pub consent_version: String,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub transfer_id: Option<TransferId>,
}

impl FromRow for Application {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Application {
            id: row.id("id")?,
            worker_id: row.id("worker_id")?,
            worker_name: row.get("worker_name")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            route: row.parsed("route", JoinRoute::parse)?,
            status: row.parsed("status", ApplicationStatus::parse)?,
            employer_name: row.get("employer_name")?,
            employer_credit_code: row.get("employer_credit_code")?,
            gig_occupation: row.parsed_opt("gig_occupation", GigOccupation::parse)?,
            work_region: row.get("work_region")?,
            consent_version: row.get("consent_version")?,
            submitted_at: row.get("submitted_at")?,
            due_on: row.get("due_on")?,
            decided_at: row.get("decided_at")?,
            reject_reason: row.get("reject_reason")?,
            transfer_id: row.id_opt("transfer_id")?,
        })
    }
}

macro_rules! application_select {
    ($where:literal) => {
        concat!(
            "SELECT a.id, a.worker_id, w.name AS worker_name, a.org_id, o.name AS org_name, \
             a.route, a.status, a.employer_name, a.employer_credit_code, a.gig_occupation, \
             a.work_region, a.consent_version, a.submitted_at, a.due_on, a.decided_at, \
             a.reject_reason, a.transfer_id FROM join_application a \
             JOIN worker w ON w.id = a.worker_id JOIN org o ON o.id = a.org_id ",
            $where
        )
    };
}

/// A new join application.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub worker_id: WorkerId,
    pub org_id: OrgId,
    pub route: JoinRoute,
    pub employer_name: Option<&'a str>,
    pub employer_credit_code: Option<&'a str>,
    pub gig_occupation: Option<&'static str>,
    pub work_region: Option<&'a str>,
    pub consent_version: &'a str,
    pub due_on: NaiveDate,
}

const INSERT_APPLICATION: &str = "INSERT INTO join_application (worker_id, org_id, route, status, \
     employer_name, employer_credit_code, gig_occupation, work_region, consent_version, \
     consent_at, submitted_at, due_on) \
     VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id";
const GET_APPLICATION: &str = application_select!("WHERE a.id = $1");
const APPLICATIONS_OF_WORKER: &str =
    application_select!("WHERE a.worker_id = $1 ORDER BY a.id DESC");
const QUEUE: &str = application_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND a.status = $3 AND a.due_on < $4 \
     ORDER BY a.due_on, a.id LIMIT $5 OFFSET $6"
);
const COUNT_QUEUE: &str = "SELECT COUNT(*) FROM join_application a JOIN org o ON o.id = a.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND a.status = $3 AND a.due_on < $4";
const DECIDE: &str = "UPDATE join_application SET status = $2, decided_at = $3, decided_by = $4, \
     reject_reason = $5, transfer_id = $6 WHERE id = $1 AND status = 'pending'";

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<JoinApplicationId> {
    tx.query_one(
        INSERT_APPLICATION,
        &[
            &a.worker_id.0,
            &a.org_id.0,
            a.route.stored(),
            &a.employer_name,
            &a.employer_credit_code,
            &a.gig_occupation,
            &a.work_region,
            &a.consent_version,
            &Utc::now(),
            &a.due_on,
        ],
    )
    .await
    .map(JoinApplicationId)
}

pub async fn application(
    db: impl Into<Exec<'_>>,
    id: JoinApplicationId,
) -> Result<Option<Application>> {
    db.into().query_opt(GET_APPLICATION, &[&id.0]).await
}

pub async fn applications_of(store: &Store, worker_id: WorkerId) -> Result<Vec<Application>> {
    store.query(APPLICATIONS_OF_WORKER, &[&worker_id.0]).await
}

/// Applications of a status routed to any union of the subtree at `scope`, earliest deadline
/// first; `overdue_on` keeps only those due before that day.
pub async fn queue(
    store: &Store,
    scope: &OrgPath,
    status: ApplicationStatus,
    overdue_on: Option<NaiveDate>,
    limit: i64,
    offset: i64,
) -> Result<Page<Application>> {
    let upper = scope.subtree_upper_bound();
    // Without the overdue filter every deadline is before the end of time.
    let before = overdue_on.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default());
    let params: [&(dyn crate::Param + Sync); 4] =
        [&scope.as_str(), &upper, status.stored(), &before];
    let items = store
        .query(
            QUEUE,
            &[params[0], params[1], params[2], params[3], &limit, &offset],
        )
        .await?;
    let total = store.query_one(COUNT_QUEUE, &params).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Records a decision on a pending application. Returns false if it was no longer pending
/// (someone else decided first).
pub async fn decide(
    tx: &mut Tx,
    id: JoinApplicationId,
    status: ApplicationStatus,
    staff_id: Option<StaffId>,
    reject_reason: Option<&str>,
    transfer_id: Option<TransferId>,
) -> Result<bool> {
    let n = tx
        .execute(
            DECIDE,
            &[
                &id.0,
                status.stored(),
                &Utc::now(),
                &staff_id.map(|s| s.0),
                &reject_reason,
                &transfer_id.map(|t| t.0),
            ],
        )
        .await?;
    Ok(n == 1)
}
