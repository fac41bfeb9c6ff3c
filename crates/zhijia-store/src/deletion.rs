//! Staff handling of workers' deletion requests (个人信息保护法 art. 47).
//!
//! A request is handled by the union that holds the person's data: the union of their current
//! membership, else of their latest membership, else of their latest join application. A request
//! from someone the platform knows nothing more about belongs to the top of the tree.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::auth::StaffId;
use zhijia_domain::deletion::DeletionStatus;
use zhijia_domain::ids::{DeletionRequestId, WorkerId};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone)]
pub struct Request {
    pub id: DeletionRequestId,
    pub phone: String,
    pub reason: Option<String>,
    pub status: DeletionStatus,
    pub requested_at: DateTime<Utc>,
    pub note: Option<String>,
    pub worker_id: Option<WorkerId>,
    pub worker_name: Option<String>,
    pub org_id: Option<OrgId>,
    pub org_name: Option<String>,
    pub org_path: Option<String>,
}

impl FromRow for Request {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Request {
            id: row.id("id")?,
            phone: row.get("phone")?,
            reason: row.get("reason")?,
            status: row.parsed("status", DeletionStatus::parse)?,
            requested_at: row.get("requested_at")?,
            note: row.get("note")?,
            worker_id: row.id_opt("worker_id")?,
            worker_name: row.get("worker_name")?,
            org_id: row.id_opt("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.get("org_path")?,
        })
    }
}

macro_rules! request_select {
    ($what:literal, $where:literal) => {
        concat!(
            "SELECT ",
            $what,
            " FROM deletion_request d LEFT JOIN worker w ON w.phone = d.phone \
             LEFT JOIN org o ON o.id = COALESCE(w.org_id, \
               (SELECT m.org_id FROM membership m WHERE m.worker_id = w.id ORDER BY m.id DESC LIMIT 1), \
               (SELECT a.org_id FROM join_application a WHERE a.worker_id = w.id ORDER BY a.id DESC LIMIT 1)) ",
            $where
        )
    };
}

const COLUMNS_WHERE_ID: &str = request_select!(
    "d.id, d.phone, d.reason, d.status, d.requested_at, d.note, w.id AS worker_id, \
     w.name AS worker_name, o.id AS org_id, o.name AS org_name, o.path AS org_path",
    "WHERE d.id = $1"
);
/// `$4 = 1` also lists requests that belong to no union (for staff at the top of the tree).
const QUEUE: &str = request_select!(
    "d.id, d.phone, d.reason, d.status, d.requested_at, d.note, w.id AS worker_id, \
     w.name AS worker_name, o.id AS org_id, o.name AS org_name, o.path AS org_path",
    "WHERE d.status = $3 AND ((o.path >= $1 AND o.path < $2) OR (o.id IS NULL AND CAST($4 AS BIGINT) = 1)) \
     ORDER BY d.id LIMIT $5 OFFSET $6"
);
const COUNT_QUEUE: &str = request_select!(
    "COUNT(*)",
    "WHERE d.status = $3 AND ((o.path >= $1 AND o.path < $2) OR (o.id IS NULL AND CAST($4 AS BIGINT) = 1))"
);

pub async fn get(store: &Store, id: DeletionRequestId) -> Result<Option<Request>> {
    store.query_opt(COLUMNS_WHERE_ID, &[&id.0]).await
}

pub async fn queue(
    store: &Store,
    scope: &OrgPath,
    include_unowned: bool,
    status: DeletionStatus,
    limit: i64,
    offset: i64,
) -> Result<Page<Request>> {
    let upper = scope.subtree_upper_bound();
    let unowned: i64 = include_unowned.into();
    let status = status.as_str();
    let items = store
        .query(
            QUEUE,
            &[&scope.as_str(), &upper, &status, &unowned, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_QUEUE, &[&scope.as_str(), &upper, &status, &unowned])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const CLOSE: &str = "UPDATE deletion_request SET status = $2, handled_at = $3, handled_by = $4, \
     note = $5 WHERE id = $1 AND status = 'pending'";

/// Records the outcome of a pending request; false if it was already handled.
pub async fn close(
    tx: &mut Tx,
    id: DeletionRequestId,
    status: DeletionStatus,
    staff: Option<StaffId>,
    note: &str,
) -> Result<bool> {
    let staff = staff.map(|s| s.0);
    Ok(tx
        .execute(CLOSE, &[&id.0, status.stored(), &Utc::now(), &staff, &note])
        .await?
        == 1)
}

const HAS_MEMBERSHIP: &str = "SELECT COUNT(*) FROM membership WHERE worker_id = $1";
const CLEAR_OPTIONAL: &str = "UPDATE worker SET ethnicity = NULL, education = NULL, \
     political_status = NULL, hukou_type = NULL, hukou_region = NULL, skill_level = NULL, \
     marital_status = NULL, emergency_contact = NULL, emergency_phone = NULL WHERE id = $1";
const WITHDRAW_PENDING: &str = "UPDATE join_application SET status = 'rejected', decided_at = $2, \
     reject_reason = '本人申请删除个人信息，申请已撤回' WHERE worker_id = $1 AND status = 'pending'";
const DELETE_INBOX: &str = "DELETE FROM inbox_message WHERE worker_id = $1";
const DELETE_APPLICATIONS: &str = "DELETE FROM join_application WHERE worker_id = $1";
const DELETE_WORKER: &str = "DELETE FROM worker WHERE id = $1";
const DELETE_CODES: &str = "DELETE FROM sms_code WHERE phone = $1";
const DELETE_SESSIONS: &str = "DELETE FROM worker_session WHERE phone = $1";

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    /// The person was (or is) a member: the membership record the union must keep stays (name,
    /// identity number, memberships); everything optional is gone.
    KeptMembershipRecord,
    /// The person never was a member: their record is gone altogether.
    Everything,
    /// Only sign-in traces existed.
    SignInTracesOnly,
}

/// Deletes what the platform need not keep about the phone's owner, in the caller's
/// transaction.
pub async fn erase(tx: &mut Tx, phone: &str, worker_id: Option<WorkerId>) -> Result<Erased> {
    tx.execute(DELETE_CODES, &[&phone]).await?;
    tx.execute(DELETE_SESSIONS, &[&phone]).await?;
    let Some(WorkerId(worker)) = worker_id else {
        return Ok(Erased::SignInTracesOnly);
    };
    let memberships: i64 = tx.query_one(HAS_MEMBERSHIP, &[&worker]).await?;
    if memberships > 0 {
        tx.execute(CLEAR_OPTIONAL, &[&worker]).await?;
        tx.execute(WITHDRAW_PENDING, &[&worker, &Utc::now()])
            .await?;
        tx.execute(DELETE_INBOX, &[&worker]).await?;
        Ok(Erased::KeptMembershipRecord)
    } else {
        tx.execute(DELETE_INBOX, &[&worker]).await?;
        tx.execute(DELETE_APPLICATIONS, &[&worker]).await?;
        tx.execute(DELETE_WORKER, &[&worker]).await?;
        Ok(Erased::Everything)
    }
}
