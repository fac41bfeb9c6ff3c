//! Rate limits shared by every server process, one-time SMS codes, and worker sessions.

use crate::Result;
use crate::db::{FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};

const HIT: &str = "INSERT INTO throttle (key, last_at, window_start, window_count) VALUES ($1, $2, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET last_at = $2, \
       window_start = CASE WHEN throttle.window_start <= $3 THEN $2 ELSE throttle.window_start END, \
       window_count = CASE WHEN throttle.window_start <= $3 THEN 1 ELSE throttle.window_count + 1 END \
     WHERE throttle.last_at <= $4 AND (throttle.window_start <= $3 OR throttle.window_count < $5) \
     RETURNING window_count";

/// Counts one event for `key` if the limits allow it, atomically: at most one event per
/// `min_gap`, and at most `max` per window that started after `window_starts_after`. Returns
/// `false` (and changes nothing) when a limit is reached. One statement, so two processes
/// racing on the same key cannot both pass.
pub async fn throttle(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
    gap_ends_before: DateTime<Utc>,
    window_starts_after: DateTime<Utc>,
    max: i64,
) -> Result<bool> {
    let row: Option<i64> = tx
        .query_opt(
            HIT,
            &[&key, &now, &window_starts_after, &gap_ends_before, &max],
        )
        .await?;
    Ok(row.is_some())
}

const INSERT_CODE: &str = "INSERT INTO sms_code (phone, code_hash, created_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)";
const LATEST_CODE: &str = "SELECT id, code_hash, attempts FROM sms_code \
     WHERE phone = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY id DESC LIMIT 1";
const WRONG_TRY: &str = "UPDATE sms_code SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 RETURNING attempts";
const USE_CODE: &str =
    "UPDATE sms_code SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id";

pub async fn insert_code(
    tx: &mut Tx,
    phone: &str,
    hash: &[u8],
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    tx.execute(INSERT_CODE, &[&phone, &hash, &now, &expires])
        .await
        .map(|_| ())
}

/// The newest live code of a phone.
pub struct LiveCode {
    pub id: zhijia_domain::ids::SmsCodeId,
    pub hash: Vec<u8>,
    pub attempts: i64,
}

impl FromRow for LiveCode {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(LiveCode {
            id: row.id("id")?,
            hash: row.get("code_hash")?,
            attempts: row.get("attempts")?,
        })
    }
}

pub async fn latest_code(tx: &mut Tx, phone: &str, now: DateTime<Utc>) -> Result<Option<LiveCode>> {
    tx.query_opt(LATEST_CODE, &[&phone, &now]).await
}

/// Counts a wrong try unless `max` were already made; `None` when the code is used up.
pub async fn wrong_try(
    tx: &mut Tx,
    id: zhijia_domain::ids::SmsCodeId,
    max: i64,
) -> Result<Option<i64>> {
    tx.query_opt(WRONG_TRY, &[&id.0, &max]).await
}

/// Marks a code used; `false` if another request used it first.
pub async fn use_code(
    tx: &mut Tx,
    id: zhijia_domain::ids::SmsCodeId,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .query_opt::<i64>(USE_CODE, &[&id.0, &now])
        .await?
        .is_some())
}

const INSERT_SESSION: &str = "INSERT INTO worker_session (token_hash, phone, csrf_token, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5)";
const GET_SESSION: &str =
    "SELECT phone, csrf_token FROM worker_session WHERE token_hash = $1 AND expires_at > $2";
const DELETE_SESSION: &str = "DELETE FROM worker_session WHERE token_hash = $1";

/// A signed-in worker: the verified phone.
#[derive(Debug, Clone)]
pub struct WorkerSession {
    pub phone: String,
    pub csrf_token: String,
}

impl FromRow for WorkerSession {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(WorkerSession {
            phone: row.get("phone")?,
            csrf_token: row.get("csrf_token")?,
        })
    }
}

pub async fn insert_session(
    tx: &mut Tx,
    hash: &[u8],
    phone: &str,
    csrf: &str,
    expires: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        INSERT_SESSION,
        &[&hash, &phone, &csrf, &Utc::now(), &expires],
    )
    .await
    .map(|_| ())
}

pub async fn get_session(
    store: &Store,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<WorkerSession>> {
    store.query_opt(GET_SESSION, &[&hash, &now]).await
}

pub async fn delete_session(tx: &mut Tx, hash: &[u8]) -> Result<()> {
    tx.execute(DELETE_SESSION, &[&hash]).await.map(|_| ())
}

/// A worker's request for deletion.
#[derive(Debug, Clone)]
pub struct DeletionRequest {
    pub id: zhijia_domain::ids::DeletionRequestId,
    pub reason: Option<String>,
    pub status: zhijia_domain::deletion::DeletionStatus,
    pub requested_at: DateTime<Utc>,
    /// What staff did, or why not.
    pub note: Option<String>,
}

impl FromRow for DeletionRequest {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(DeletionRequest {
            id: row.id("id")?,
            reason: row.get("reason")?,
            status: row.parsed("status", zhijia_domain::deletion::DeletionStatus::parse)?,
            requested_at: row.get("requested_at")?,
            note: row.get("note")?,
        })
    }
}

const INSERT_DELETION: &str = "INSERT INTO deletion_request (phone, reason, status, requested_at) VALUES ($1, $2, 'pending', $3)";
const DELETIONS: &str = "SELECT id, reason, status, requested_at, note FROM deletion_request \
     WHERE phone = $1 ORDER BY id DESC";

pub async fn insert_deletion_request(tx: &mut Tx, phone: &str, reason: Option<&str>) -> Result<()> {
    tx.execute(INSERT_DELETION, &[&phone, &reason, &Utc::now()])
        .await
        .map(|_| ())
}

pub async fn deletion_requests(store: &Store, phone: &str) -> Result<Vec<DeletionRequest>> {
    store.query(DELETIONS, &[&phone]).await
}

const LAST_SENT: &str = "SELECT created_at FROM sms_code WHERE phone = $1 ORDER BY id DESC LIMIT 1";

struct Sent(DateTime<Utc>);

impl FromRow for Sent {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Sent(row.get("created_at")?))
    }
}

/// When the newest code of a phone was sent, if ever: how long the worker waits for another.
pub async fn last_sent(store: &Store, phone: &str) -> Result<Option<DateTime<Utc>>> {
    Ok(store
        .query_opt::<Sent>(LAST_SENT, &[&phone])
        .await?
        .map(|s| s.0))
}
