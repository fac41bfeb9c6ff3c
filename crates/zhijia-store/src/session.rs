//! Server-side sessions of signed-in staff, stored by the hash of their token.

use crate::Result;
use crate::db::{FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};
use zhijia_domain::auth::StaffId;

/// A live session with the account it belongs to.
#[derive(Debug, Clone)]
pub struct Session {
    pub staff_id: StaffId,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// When the session was last used, to the minute (`touch`).
    pub last_seen_at: DateTime<Utc>,
}

impl FromRow for Session {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Session {
            staff_id: row.id("staff_id")?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            must_change_password: row.get("must_change_password")?,
            csrf_token: row.get("csrf_token")?,
            expires_at: row.get("expires_at")?,
            last_seen_at: row.get("last_seen_at")?,
        })
    }
}

const INSERT: &str = "INSERT INTO session (token_hash, staff_id, csrf_token, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5)";
const GET: &str = "SELECT s.staff_id, st.username, st.display_name, st.must_change_password, \
     s.csrf_token, s.expires_at, COALESCE(s.last_seen_at, s.created_at) AS last_seen_at \
     FROM session s JOIN staff st ON st.id = s.staff_id \
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND COALESCE(s.last_seen_at, s.created_at) > $3";
const TOUCH: &str = "UPDATE session SET last_seen_at = $2 WHERE token_hash = $1";
const DELETE: &str = "DELETE FROM session WHERE token_hash = $1";
const DELETE_FOR_STAFF: &str = "DELETE FROM session WHERE staff_id = $1";
const DELETE_EXPIRED: &str =
    "DELETE FROM session WHERE expires_at <= $1 OR COALESCE(last_seen_at, created_at) <= $2";

pub async fn insert(
    tx: &mut Tx,
    token_hash: &[u8],
    staff: StaffId,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        INSERT,
        &[&token_hash, &staff.0, &csrf, &Utc::now(), &expires_at],
    )
    .await
    .map(|_| ())
}

/// The session of a token, unless it has expired or has not been used since `idle_since`.
pub async fn get(
    store: &Store,
    token_hash: &[u8],
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<Option<Session>> {
    store
        .query_opt(GET, &[&token_hash, &now, &idle_since])
        .await
}

/// Notes that a session was used at `now`.
pub async fn touch(tx: &mut Tx, token_hash: &[u8], now: DateTime<Utc>) -> Result<()> {
    tx.execute(TOUCH, &[&token_hash, &now]).await.map(|_| ())
}

pub async fn delete(tx: &mut Tx, token_hash: &[u8]) -> Result<u64> {
    tx.execute(DELETE, &[&token_hash]).await
}

/// Ends every session of an account (after a password change).
pub async fn delete_for_staff(tx: &mut Tx, staff: StaffId) -> Result<u64> {
    tx.execute(DELETE_FOR_STAFF, &[&staff.0]).await
}

/// Removes sessions that have expired or have not been used since `idle_since`.
pub async fn delete_expired(
    tx: &mut Tx,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<u64> {
    tx.execute(DELETE_EXPIRED, &[&now, &idle_since]).await
}
