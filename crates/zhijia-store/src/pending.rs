//! Files a worker chose on a form that was refused, kept under the phone that sent them
//! (`pending_upload`, migration 0012) so the form comes back with them. Every query names the
//! owner's phone: another session cannot list, read or remove them.

use crate::Result;
use crate::db::{FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::PendingUploadId;

/// A kept file without its bytes.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: PendingUploadId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl FromRow for Pending {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Pending {
            id: row.id("id")?,
            file_name: row.get("file_name")?,
            content_type: row.get("content_type")?,
            size_bytes: row.get("size_bytes")?,
        })
    }
}

/// A kept file with its bytes.
pub struct PendingData {
    pub meta: Pending,
    pub data: Vec<u8>,
}

impl FromRow for PendingData {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(PendingData {
            meta: Pending::from_row(row)?,
            data: row.get("data")?,
        })
    }
}

const ADD: &str = "INSERT INTO pending_upload (owner_phone, file_name, content_type, size_bytes, \
     data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const GET: &str = "SELECT id, file_name, content_type, size_bytes, data FROM pending_upload \
     WHERE id = $1 AND owner_phone = $2 AND created_at > $3";
const COUNT: &str =
    "SELECT COUNT(*) FROM pending_upload WHERE owner_phone = $1 AND created_at > $2";
const REMOVE: &str = "DELETE FROM pending_upload WHERE id = $1 AND owner_phone = $2";
const SWEEP: &str = "DELETE FROM pending_upload WHERE owner_phone = $1 AND created_at <= $2";

/// Keeps a checked file for `phone`; returns its id.
pub async fn add(
    tx: &mut Tx,
    phone: &str,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    now: DateTime<Utc>,
) -> Result<PendingUploadId> {
    let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
    tx.query_one(
        ADD,
        &[&phone, &file_name, &content_type, &size, &data, &now],
    )
    .await
    .map(PendingUploadId)
}

/// One file kept for `phone` after `since`, with its bytes.
pub async fn get(
    store: &Store,
    phone: &str,
    id: PendingUploadId,
    since: DateTime<Utc>,
) -> Result<Option<PendingData>> {
    store.query_opt(GET, &[&id.0, &phone, &since]).await
}

/// How many files `phone` has kept since `since`.
pub async fn count(tx: &mut Tx, phone: &str, since: DateTime<Utc>) -> Result<i64> {
    tx.query_one(COUNT, &[&phone, &since]).await
}

/// Removes a file kept for `phone` (used, or given up).
pub async fn remove(tx: &mut Tx, phone: &str, id: PendingUploadId) -> Result<()> {
    tx.execute(REMOVE, &[&id.0, &phone]).await?;
    Ok(())
}

/// Removes the files `phone` kept up to `until`.
pub async fn sweep(tx: &mut Tx, phone: &str, until: DateTime<Utc>) -> Result<()> {
    tx.execute(SWEEP, &[&phone, &until]).await?;
    Ok(())
}
