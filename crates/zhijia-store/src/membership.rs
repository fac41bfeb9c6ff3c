//! Memberships, join applications, transfers and the worker's inbox.
//!
//! A person's memberships are rows of `membership`; at most one is current (`status <> 'ended'`),
//! which a partial unique index enforces, so two concurrent approvals for one person cannot both
//! succeed. `worker.org_id` is the current membership's union, kept in the same transaction.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhijia_domain::org::{OrgId, OrgPath};

/// The real-name data of an applicant, identity number already encrypted and indexed.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub name: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_idx: Vec<u8>,
    pub sex: &'static str,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub region_code: String,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<&'static str>,
    pub work_region: Option<String>,
    pub ethnicity: Option<&'static str>,
    pub education: Option<&'static str>,
    pub political_status: Option<&'static str>,
    pub hukou_type: Option<&'static str>,
    pub hukou_region: Option<String>,
    pub skill_level: Option<&'static str>,
    pub marital_status: Option<&'static str>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
}

const INSERT_WORKER: &str = "INSERT INTO worker (name, id_number_enc, id_number_idx, sex, \
     birth_date, phone, region_code, employer_name, employer_credit_code, gig_occupation, \
     work_region, ethnicity, education, political_status, hukou_type, hukou_region, skill_level, \
     marital_status, emergency_contact, emergency_phone, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21) RETURNING id";
const UPDATE_WORKER: &str = "UPDATE worker SET name = $2, id_number_enc = $3, id_number_idx = $4, \
     sex = $5, birth_date = $6, phone = $7, region_code = $8, employer_name = $9, \
     employer_credit_code = $10, gig_occupation = $11, work_region = $12, ethnicity = $13, \
     education = $14, political_status = $15, hukou_type = $16, hukou_region = $17, \
     skill_level = $18, marital_status = $19, emergency_contact = $20, emergency_phone = $21 \
     WHERE id = $1";

/// Writes the applicant's record: a new worker, or (`existing`) the one with this phone or
/// identity number. Returns the worker id.
pub async fn save_applicant(tx: &mut Tx, existing: Option<i64>, a: &Applicant) -> Result<i64> {
    let common: [&(dyn crate::Param + Sync); 20] = [
        &a.name,
        &a.id_number_enc,
        &a.id_number_idx,
        &a.sex,
        &a.birth_date,
        &a.phone,
        &a.region_code,
        &a.employer_name,
        &a.employer_credit_code,
        &a.gig_occupation,
        &a.work_region,
        &a.ethnicity,
        &a.education,
        &a.political_status,
        &a.hukou_type,
        &a.hukou_region,
        &a.skill_level,
        &a.marital_status,
        &a.emergency_contact,
        &a.emergency_phone,
    ];
    match existing {
        Some(id) => {
            let mut params: Vec<&(dyn crate::Param + Sync)> = vec![&id];
            params.extend(common);
            tx.execute(UPDATE_WORKER, &params).await?;
            Ok(id)
        }
        None => {
            let now = Utc::now();
            let mut params: Vec<&(dyn crate::Param + Sync)> = common.to_vec();
            params.push(&now);
            tx.query_one(INSERT_WORKER, &params).await
        }
    }
}

/// Gives the worker a member number unless they have one (it is kept for life).
pub async fn ensure_member_no(tx: &mut Tx, worker_id: i64, member_no: &str) -> Result<String> {
    tx.execute(
        "UPDATE worker SET member_no = $2 WHERE id = $1 AND member_no IS NULL",
        &[&worker_id, &member_no],
    )
    .await?;
    let no: MemberNoRow = tx
        .query_one("SELECT member_no FROM worker WHERE id = $1", &[&worker_id])
        .await?;
    Ok(no.0.unwrap_or_default())
}

struct MemberNoRow(Option<String>);
impl FromRow for MemberNoRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(MemberNoRow(row.get("member_no")?))
    }
}

// ---------------------------------------------------------------------------------------------
// Memberships

/// A membership with its union's name, as the member and staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub id: i64,
    pub worker_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: String,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub source: String,
}

impl FromRow for Membership {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Membership {
            id: row.get("id")?,
            worker_id: row.get("worker_id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            status: row.get("status")?,
            joined_on: row.get("joined_on")?,
            ended_on: row.get("ended_on")?,
            end_reason: row.get("end_reason")?,
            source: row.get("source")?,
        })
    }
}

macro_rules! membership_select {
    ($where:literal) => {
        concat!(
            "SELECT m.id, m.worker_id, m.org_id, o.name AS org_name, m.status, m.joined_on, \
             m.ended_on, m.end_reason, m.source FROM membership m JOIN org o ON o.id = m.org_id ",
            $where
        )
    };
}

const CURRENT: &str = membership_select!("WHERE m.worker_id = $1 AND m.status <> 'ended'");
const HISTORY: &str = membership_select!("WHERE m.worker_id = $1 ORDER BY m.id");
const INSERT_MEMBERSHIP: &str = "INSERT INTO membership (worker_id, org_id, status, joined_on, \
     source, created_at) VALUES ($1, $2, 'active', $3, $4, $5) RETURNING id";
const END_MEMBERSHIP: &str = "UPDATE membership SET status = 'ended', ended_on = $2, \
     end_reason = $3 WHERE id = $1 AND status <> 'ended'";
const SET_STATUS: &str = "UPDATE membership SET status = $2 WHERE id = $1 AND status <> 'ended'";
const SET_WORKER_ORG: &str = "UPDATE worker SET org_id = $2 WHERE id = $1";

const OPEN_FOR_LOADED: &str = "INSERT INTO membership (worker_id, org_id, status, joined_on, \
     source, created_at) SELECT w.id, w.org_id, 'active', $1, $2, $3 FROM worker w \
     WHERE w.id > (SELECT COALESCE(MAX(worker_id), 0) FROM membership) AND w.org_id IS NOT NULL \
     ORDER BY w.id";

/// Opens a membership for every worker loaded in bulk (after the last one with a membership)
/// who has a union: the demo loads workers with their union into an empty store. A range on the
/// id, not a NOT EXISTS probe per worker: a million probes cost more than the inserts.
pub async fn open_for_loaded_workers(tx: &mut Tx, source: &str) -> Result<u64> {
    let now = Utc::now();
    tx.execute(OPEN_FOR_LOADED, &[&now.date_naive(), &source, &now])
        .await
}

pub async fn current(db: impl Into<Exec<'_>>, worker_id: i64) -> Result<Option<Membership>> {
    db.into().query_opt(CURRENT, &[&worker_id]).await
}

/// Every membership of a worker, oldest first.
pub async fn history(store: &Store, worker_id: i64) -> Result<Vec<Membership>> {
    store.query(HISTORY, &[&worker_id]).await
}

/// Opens a membership. Fails with a conflict on `membership_current` if the person already has
/// a current one: the caller turns that into a transfer.
pub async fn open(
    tx: &mut Tx,
    worker_id: i64,
    org: OrgId,
    joined_on: NaiveDate,
    source: &str,
) -> Result<i64> {
    let id = tx
        .query_one(
            INSERT_MEMBERSHIP,
            &[&worker_id, &org.0, &joined_on, &source, &Utc::now()],
        )
        .await?;
    tx.execute(SET_WORKER_ORG, &[&worker_id, &org.0]).await?;
    Ok(id)
}

/// Ends a current membership. Returns false if it was not current any more.
pub async fn end(
    tx: &mut Tx,
    membership_id: i64,
    worker_id: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<bool> {
    let n = tx
        .execute(END_MEMBERSHIP, &[&membership_id, &on, &reason])
        .await?;
    if n == 1 {
        tx.execute(SET_WORKER_ORG, &[&worker_id, &None::<i64>])
            .await?;
    }
    Ok(n == 1)
}

/// Marks a current membership retired (kept) or active again.
pub async fn set_status(tx: &mut Tx, membership_id: i64, status: &str) -> Result<bool> {
    Ok(tx.execute(SET_STATUS, &[&membership_id, &status]).await? == 1)
}

// ---------------------------------------------------------------------------------------------
// Join applications

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub route: String,
    pub status: String,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<String>,
    pub work_region: Option<String>,
    pub consent_version: String,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub transfer_id: Option<i64>,
}

impl FromRow for Application {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Application {
            id: row.get("id")?,
            worker_id: row.get("worker_id")?,
            worker_name: row.get("worker_name")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            route: row.get("route")?,
            status: row.get("status")?,
            employer_name: row.get("employer_name")?,
            employer_credit_code: row.get("employer_credit_code")?,
            gig_occupation: row.get("gig_occupation")?,
            work_region: row.get("work_region")?,
            consent_version: row.get("consent_version")?,
            submitted_at: row.get("submitted_at")?,
            due_on: row.get("due_on")?,
            decided_at: row.get("decided_at")?,
            reject_reason: row.get("reject_reason")?,
            transfer_id: row.get("transfer_id")?,
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
    pub worker_id: i64,
    pub org_id: OrgId,
    pub route: &'static str,
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

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<i64> {
    tx.query_one(
        INSERT_APPLICATION,
        &[
            &a.worker_id,
            &a.org_id.0,
            &a.route,
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
}

pub async fn application(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<Application>> {
    db.into().query_opt(GET_APPLICATION, &[&id]).await
}

pub async fn applications_of(store: &Store, worker_id: i64) -> Result<Vec<Application>> {
    store.query(APPLICATIONS_OF_WORKER, &[&worker_id]).await
}

/// Applications of a status routed to any union of the subtree at `scope`, earliest deadline
/// first; `overdue_on` keeps only those due before that day.
pub async fn queue(
    store: &Store,
    scope: &OrgPath,
    status: &str,
    overdue_on: Option<NaiveDate>,
    limit: i64,
    offset: i64,
) -> Result<Page<Application>> {
    let upper = scope.subtree_upper_bound();
    // Without the overdue filter every deadline is before the end of time.
    let before = overdue_on.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default());
    let params: [&(dyn crate::Param + Sync); 4] = [&scope.as_str(), &upper, &status, &before];
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
    id: i64,
    status: &str,
    staff_id: Option<i64>,
    reject_reason: Option<&str>,
    transfer_id: Option<i64>,
) -> Result<bool> {
    let n = tx
        .execute(
            DECIDE,
            &[
                &id,
                &status,
                &Utc::now(),
                &staff_id,
                &reject_reason,
                &transfer_id,
            ],
        )
        .await?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Transfers

#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub from_membership_id: i64,
    pub from_org_id: OrgId,
    pub from_org_name: String,
    pub to_org_id: OrgId,
    pub to_org_name: String,
    pub status: String,
    pub started_by: String,
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub release_due_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<i64>,
    pub refuse_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the worker agreed; `None` while a union's proposal waits for them.
    pub worker_confirmed_at: Option<DateTime<Utc>>,
    /// When an unanswered proposal of a union lapses.
    pub confirm_due_at: Option<DateTime<Utc>>,
}

impl FromRow for Transfer {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Transfer {
            id: row.get("id")?,
            worker_id: row.get("worker_id")?,
            worker_name: row.get("worker_name")?,
            from_membership_id: row.get("from_membership_id")?,
            from_org_id: OrgId(row.get("from_org_id")?),
            from_org_name: row.get("from_org_name")?,
            to_org_id: OrgId(row.get("to_org_id")?),
            to_org_name: row.get("to_org_name")?,
            status: row.get("status")?,
            started_by: row.get("started_by")?,
            reason: row.get("reason")?,
            requested_at: row.get("requested_at")?,
            release_due_at: row.get("release_due_at")?,
            released_at: row.get("released_at")?,
            released_by: row.get("released_by")?,
            refuse_reason: row.get("refuse_reason")?,
            completed_at: row.get("completed_at")?,
            worker_confirmed_at: row.get("worker_confirmed_at")?,
            confirm_due_at: row.get("confirm_due_at")?,
        })
    }
}

macro_rules! transfer_select {
    ($where:literal) => {
        concat!(
            "SELECT t.id, t.worker_id, w.name AS worker_name, t.from_membership_id, \
             t.from_org_id, f.name AS from_org_name, t.to_org_id, d.name AS to_org_name, \
             t.status, t.started_by, t.reason, t.requested_at, t.release_due_at, t.released_at, \
             t.released_by, t.refuse_reason, t.completed_at, t.worker_confirmed_at, \
             t.confirm_due_at FROM transfer t \
             JOIN worker w ON w.id = t.worker_id JOIN org f ON f.id = t.from_org_id \
             JOIN org d ON d.id = t.to_org_id ",
            $where
        )
    };
}

#[derive(Debug, Clone)]
pub struct NewTransfer<'a> {
    pub worker_id: i64,
    pub from_membership_id: i64,
    pub from_org_id: OrgId,
    pub to_org_id: OrgId,
    pub started_by: &'static str,
    pub reason: Option<&'a str>,
    pub release_due_at: DateTime<Utc>,
    /// `None`: the worker started it (agreed at once); `Some(due)`: a union's proposal, which
    /// waits for the worker until `due`.
    pub confirm_due_at: Option<DateTime<Utc>>,
}

/// A worker's own request is confirmed when made; a union's proposal is not.
const INSERT_TRANSFER: &str = "INSERT INTO transfer (worker_id, from_membership_id, from_org_id, \
     to_org_id, status, started_by, reason, requested_at, release_due_at, confirm_due_at, \
     worker_confirmed_at) \
     VALUES ($1, $2, $3, $4, 'awaiting_release', $5, $6, $7, $8, $9, $10) RETURNING id";
const GET_TRANSFER: &str = transfer_select!("WHERE t.id = $1");
const TRANSFERS_OF_WORKER: &str = transfer_select!("WHERE t.worker_id = $1 ORDER BY t.id DESC");
/// Staff see a transfer only once the worker has agreed to it.
const TRANSFER_QUEUE: &str = transfer_select!(
    "WHERE t.status = $3 AND t.worker_confirmed_at IS NOT NULL \
     AND ((f.path >= $1 AND f.path < $2) OR (d.path >= $1 AND d.path < $2)) \
     ORDER BY t.id LIMIT $4 OFFSET $5"
);
const COUNT_TRANSFER_QUEUE: &str = "SELECT COUNT(*) FROM transfer t \
     JOIN org f ON f.id = t.from_org_id JOIN org d ON d.id = t.to_org_id \
     WHERE t.status = $3 AND t.worker_confirmed_at IS NOT NULL \
     AND ((f.path >= $1 AND f.path < $2) OR (d.path >= $1 AND d.path < $2))";
const RELEASE: &str = "UPDATE transfer SET status = 'released', released_at = $2, \
     released_by = $3 WHERE id = $1 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NOT NULL";
const REFUSE: &str = "UPDATE transfer SET status = 'refused', released_at = $2, released_by = $3, \
     refuse_reason = $4 WHERE id = $1 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NOT NULL";
/// The worker agrees to a union's proposal before it lapses; the release deadline starts now.
const CONFIRM: &str = "UPDATE transfer SET worker_confirmed_at = $3, release_due_at = $4 \
     WHERE id = $1 AND worker_id = $2 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NULL AND confirm_due_at > $3";
/// The worker turns a union's proposal down.
const DECLINE: &str = "UPDATE transfer SET status = 'cancelled' WHERE id = $1 AND worker_id = $2 \
     AND status = 'awaiting_release' AND worker_confirmed_at IS NULL";
/// Proposals the worker let lapse.
const LAPSED: &str = "UPDATE transfer SET status = 'cancelled' WHERE status = 'awaiting_release' \
     AND worker_confirmed_at IS NULL AND confirm_due_at <= $1 RETURNING id";
const COMPLETE: &str = "UPDATE transfer SET status = 'completed', completed_at = $2, \
     completed_by = $3, new_membership_id = $4 WHERE id = $1 AND status = 'released'";
const CANCEL: &str = "UPDATE transfer SET status = 'cancelled' WHERE id = $1 AND status IN ('awaiting_release', 'released')";
const DUE_FOR_RELEASE: &str = "UPDATE transfer SET status = 'released', released_at = $1 \
     WHERE status = 'awaiting_release' AND worker_confirmed_at IS NOT NULL \
     AND release_due_at <= $1 RETURNING id";

pub async fn insert_transfer(tx: &mut Tx, t: &NewTransfer<'_>) -> Result<i64> {
    let now = Utc::now();
    let confirmed = t.confirm_due_at.is_none().then_some(now);
    tx.query_one(
        INSERT_TRANSFER,
        &[
            &t.worker_id,
            &t.from_membership_id,
            &t.from_org_id.0,
            &t.to_org_id.0,
            &t.started_by,
            &t.reason,
            &now,
            &t.release_due_at,
            &t.confirm_due_at,
            &confirmed,
        ],
    )
    .await
}

/// The worker agrees to a union's proposal; false if it was not one of theirs waiting, or
/// lapsed.
pub async fn confirm(
    tx: &mut Tx,
    id: i64,
    worker_id: i64,
    now: DateTime<Utc>,
    release_due_at: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .execute(CONFIRM, &[&id, &worker_id, &now, &release_due_at])
        .await?
        == 1)
}

/// The worker turns a union's proposal down; false if it was not one of theirs waiting.
pub async fn decline(tx: &mut Tx, id: i64, worker_id: i64) -> Result<bool> {
    Ok(tx.execute(DECLINE, &[&id, &worker_id]).await? == 1)
}

/// Cancels the proposals whose worker let them lapse, and returns their ids.
pub async fn lapse_unconfirmed(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<i64>> {
    tx.query(LAPSED, &[&now]).await
}

pub async fn transfer(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<Transfer>> {
    db.into().query_opt(GET_TRANSFER, &[&id]).await
}

pub async fn transfers_of(store: &Store, worker_id: i64) -> Result<Vec<Transfer>> {
    store.query(TRANSFERS_OF_WORKER, &[&worker_id]).await
}

/// Transfers of a status whose releasing or receiving union lies in the subtree at `scope`.
pub async fn transfer_queue(
    store: &Store,
    scope: &OrgPath,
    status: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<Transfer>> {
    let upper = scope.subtree_upper_bound();
    let items = store
        .query(
            TRANSFER_QUEUE,
            &[&scope.as_str(), &upper, &status, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_TRANSFER_QUEUE, &[&scope.as_str(), &upper, &status])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The releasing union lets the member go (`staff` None: released automatically).
pub async fn release(tx: &mut Tx, id: i64, staff: Option<i64>) -> Result<bool> {
    Ok(tx.execute(RELEASE, &[&id, &Utc::now(), &staff]).await? == 1)
}

pub async fn refuse(tx: &mut Tx, id: i64, staff: Option<i64>, reason: &str) -> Result<bool> {
    Ok(tx
        .execute(REFUSE, &[&id, &Utc::now(), &staff, &reason])
        .await?
        == 1)
}

pub async fn complete(
    tx: &mut Tx,
    id: i64,
    staff: Option<i64>,
    new_membership: i64,
) -> Result<bool> {
    Ok(tx
        .execute(COMPLETE, &[&id, &Utc::now(), &staff, &new_membership])
        .await?
        == 1)
}

pub async fn cancel(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(tx.execute(CANCEL, &[&id]).await? == 1)
}

/// Releases every transfer whose releasing union let the deadline pass, and returns their ids.
/// One conditional UPDATE: with several server processes each transfer is released once.
pub async fn release_overdue(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<i64>> {
    tx.query(DUE_FOR_RELEASE, &[&now]).await
}

// ---------------------------------------------------------------------------------------------
// Inbox

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl FromRow for Message {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Message {
            id: row.get("id")?,
            title: row.get("title")?,
            body: row.get("body")?,
            link: row.get("link")?,
            created_at: row.get("created_at")?,
            read_at: row.get("read_at")?,
        })
    }
}

const INSERT_MESSAGE: &str = "INSERT INTO inbox_message (worker_id, title, body, link, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
const MESSAGES: &str = "SELECT id, title, body, link, created_at, read_at FROM inbox_message \
     WHERE worker_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
const COUNT_MESSAGES: &str = "SELECT COUNT(*) FROM inbox_message WHERE worker_id = $1";
const UNREAD: &str = "SELECT COUNT(*) FROM inbox_message WHERE worker_id = $1 AND read_at IS NULL";
const MARK_READ: &str = "UPDATE inbox_message SET read_at = $3 \
     WHERE worker_id = $1 AND id = $2 AND read_at IS NULL";
const MARK_ALL_READ: &str =
    "UPDATE inbox_message SET read_at = $2 WHERE worker_id = $1 AND read_at IS NULL";

pub async fn notify(
    tx: &mut Tx,
    worker_id: i64,
    title: &str,
    body: &str,
    link: Option<&str>,
) -> Result<()> {
    tx.execute(
        INSERT_MESSAGE,
        &[&worker_id, &title, &body, &link, &Utc::now()],
    )
    .await
    .map(|_| ())
}

pub async fn messages(
    store: &Store,
    worker_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Page<Message>> {
    let items = store
        .query(MESSAGES, &[&worker_id, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_MESSAGES, &[&worker_id]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn unread(store: &Store, worker_id: i64) -> Result<i64> {
    store.query_one(UNREAD, &[&worker_id]).await
}

/// Marks one message (`Some(id)`) or all as read; only the worker's own.
pub async fn mark_read(tx: &mut Tx, worker_id: i64, id: Option<i64>) -> Result<u64> {
    let now = Utc::now();
    match id {
        Some(id) => tx.execute(MARK_READ, &[&worker_id, &id, &now]).await,
        None => tx.execute(MARK_ALL_READ, &[&worker_id, &now]).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Roster

/// One line of a union's roster: a membership and its member.
#[derive(Debug, Clone)]
pub struct RosterRow {
    pub membership_id: i64,
    pub worker_id: i64,
    pub name: String,
    pub member_no: Option<String>,
    pub id_number_enc: Vec<u8>,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub employer_name: Option<String>,
    pub gig_occupation: Option<String>,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: String,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl FromRow for RosterRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(RosterRow {
            membership_id: row.get("membership_id")?,
            worker_id: row.get("worker_id")?,
            name: row.get("name")?,
            member_no: row.get("member_no")?,
            id_number_enc: row.get("id_number_enc")?,
            sex: row.get("sex")?,
            birth_date: row.get("birth_date")?,
            phone: row.get("phone")?,
            employer_name: row.get("employer_name")?,
            gig_occupation: row.get("gig_occupation")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            status: row.get("status")?,
            joined_on: row.get("joined_on")?,
            ended_on: row.get("ended_on")?,
        })
    }
}

/// Filters of a roster list. The scope is the subtree the caller may see (checked by the
/// caller); every other filter is optional and bound as a parameter.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    /// One person, found by a unique index: member number, identity blind index or phone.
    pub member_no: Option<String>,
    pub id_number_idx: Option<Vec<u8>>,
    pub phone: Option<String>,
    /// Part of a name.
    pub name: Option<String>,
    pub status: Option<String>,
    pub joined_from: Option<NaiveDate>,
    pub joined_to: Option<NaiveDate>,
    pub gig_occupation: Option<String>,
}

macro_rules! roster_select {
    ($what:literal, $tail:literal) => {
        concat!(
            "SELECT ",
            $what,
            " FROM membership m JOIN worker w ON w.id = m.worker_id \
             JOIN org o ON o.id = m.org_id \
             WHERE o.path >= $1 AND o.path < $2 \
             AND (CAST($3 AS TEXT) IS NULL OR w.name LIKE $3 ESCAPE '\\') \
             AND (CAST($4 AS TEXT) IS NULL OR m.status = $4) \
             AND (CAST($5 AS DATE) IS NULL OR m.joined_on >= $5) \
             AND (CAST($6 AS DATE) IS NULL OR m.joined_on <= $6) \
             AND (CAST($7 AS TEXT) IS NULL OR w.gig_occupation = $7) ",
            $tail
        )
    };
}

const ROSTER: &str = roster_select!(
    "m.id AS membership_id, m.worker_id, w.name, w.member_no, w.id_number_enc, w.sex, \
     w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, o.name AS org_name, \
     m.status, m.joined_on, m.ended_on",
    "ORDER BY m.id DESC LIMIT $8 OFFSET $9"
);
const COUNT_ROSTER: &str = roster_select!("COUNT(*)", "");
/// The one person a unique key names: their memberships within the scope. Looked up through
/// the worker's unique index first, so it stays a point read at any roster size.
const ROSTER_OF_WORKER: &str = "SELECT m.id AS membership_id, m.worker_id, w.name, w.member_no, \
     w.id_number_enc, w.sex, w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, \
     o.name AS org_name, m.status, m.joined_on, m.ended_on \
     FROM membership m JOIN worker w ON w.id = m.worker_id JOIN org o ON o.id = m.org_id \
     WHERE m.worker_id = $1 AND o.path >= $2 AND o.path < $3 ORDER BY m.id DESC";
const WORKER_BY_MEMBER_NO: &str = "SELECT id FROM worker WHERE member_no = $1";
const WORKER_BY_INDEX: &str = "SELECT id FROM worker WHERE id_number_idx = $1";
const WORKER_BY_PHONE: &str = "SELECT id FROM worker WHERE phone = $1";

/// `%text%`, with what the person typed matching itself (the org search's escaping).
fn like_pattern(text: &str) -> String {
    format!("%{}%", crate::org::escape_like(text))
}

/// Memberships in the subtree at `scope` matching `filter`, newest first.
pub async fn roster(
    store: &Store,
    scope: &OrgPath,
    filter: &RosterFilter,
    limit: i64,
    offset: i64,
) -> Result<Page<RosterRow>> {
    let upper = scope.subtree_upper_bound();
    // A unique key names one person: find them by its index, then their memberships in scope.
    let key = if let Some(no) = &filter.member_no {
        Some(store.query_opt::<i64>(WORKER_BY_MEMBER_NO, &[no]).await?)
    } else if let Some(idx) = &filter.id_number_idx {
        Some(store.query_opt::<i64>(WORKER_BY_INDEX, &[idx]).await?)
    } else if let Some(phone) = &filter.phone {
        Some(store.query_opt::<i64>(WORKER_BY_PHONE, &[phone]).await?)
    } else {
        None
    };
    if let Some(worker) = key {
        let rows: Vec<RosterRow> = match worker {
            Some(id) => {
                store
                    .query(ROSTER_OF_WORKER, &[&id, &scope.as_str(), &upper])
                    .await?
            }
            None => Vec::new(),
        };
        let rows: Vec<RosterRow> = rows
            .into_iter()
            .filter(|r| filter.status.as_ref().is_none_or(|s| *s == r.status))
            .collect();
        let total = rows.len() as i64;
        return Ok(Page {
            items: rows
                .into_iter()
                .skip(offset.max(0) as usize)
                .take(limit.max(0) as usize)
                .collect(),
            total,
            offset,
            limit,
        });
    }
    let name = filter.name.as_deref().map(like_pattern);
    // The optional filters are typed by CAST in the SQL: PostgreSQL cannot infer the type of a
    // parameter that appears only in `$n IS NULL`.
    let params: [&(dyn crate::Param + Sync); 7] = [
        &scope.as_str(),
        &upper,
        &name,
        &filter.status,
        &filter.joined_from,
        &filter.joined_to,
        &filter.gig_occupation,
    ];
    let mut with_page: Vec<&(dyn crate::Param + Sync)> = params.to_vec();
    with_page.push(&limit);
    with_page.push(&offset);
    let items = store.query(ROSTER, &with_page).await?;
    let total = store.query_one(COUNT_ROSTER, &params).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One membership with its member, if it lies in the subtree at `scope`.
pub async fn roster_entry(
    store: &Store,
    scope: &OrgPath,
    membership_id: i64,
) -> Result<Option<RosterRow>> {
    store
        .query_opt(
            ROSTER_ENTRY,
            &[
                &membership_id,
                &scope.as_str(),
                &scope.subtree_upper_bound(),
            ],
        )
        .await
}

const ROSTER_ENTRY: &str = "SELECT m.id AS membership_id, m.worker_id, w.name, w.member_no, \
     w.id_number_enc, w.sex, w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, \
     o.name AS org_name, m.status, m.joined_on, m.ended_on \
     FROM membership m JOIN worker w ON w.id = m.worker_id JOIN org o ON o.id = m.org_id \
     WHERE m.id = $1 AND o.path >= $2 AND o.path < $3";
