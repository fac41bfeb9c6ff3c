//! Attached files, as a list shows them and with their bytes: one shape for every table that
//! holds files (`case_attachment`, `aid_attachment`), so the use cases and the web serve them
//! the same way. Each table's queries live with its area (`case::FILES`, `aid::FILES`); the
//! functions here run them.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Param, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{AttachmentId, RecordId};

/// What a list of attachments shows; the bytes are read one file at a time.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: AttachmentId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Who uploaded it: `worker` or `staff` on a case; the staff member's name on an aid
    /// application.
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Attachment {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Attachment {
            id: row.id("id")?,
            file_name: row.get("file_name")?,
            content_type: row.get("content_type")?,
            size_bytes: row.get("size_bytes")?,
            uploaded_by: row.get("uploaded_by")?,
            created_at: row.get("created_at")?,
        })
    }
}

/// An attachment with its bytes.
pub struct AttachmentData {
    pub meta: Attachment,
    pub data: Vec<u8>,
}

impl FromRow for AttachmentData {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(AttachmentData {
            meta: Attachment::from_row(row)?,
            data: row.get("data")?,
        })
    }
}

/// The queries of one table of files, owned by a case or an application: `add` binds (owner,
/// name, type, size, bytes, uploader, time); `list`, `count` the owner; `get` owner and id.
pub struct Table {
    pub add: &'static str,
    pub list: &'static str,
    pub get: &'static str,
    pub count: &'static str,
}

/// Stores a checked file for `owner`; returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    tx: &mut Tx,
    table: &Table,
    owner: impl RecordId,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    uploaded_by: &(dyn Param + Sync),
    now: DateTime<Utc>,
) -> Result<AttachmentId> {
    let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
    tx.query_one(
        table.add,
        &[
            &owner.get(),
            &file_name,
            &content_type,
            &size,
            &data,
            uploaded_by,
            &now,
        ],
    )
    .await
    .map(AttachmentId)
}

pub async fn count(tx: &mut Tx, table: &Table, owner: impl RecordId) -> Result<i64> {
    tx.query_one(table.count, &[&owner.get()]).await
}

pub async fn list(store: &Store, table: &Table, owner: impl RecordId) -> Result<Vec<Attachment>> {
    store.query(table.list, &[&owner.get()]).await
}

/// One file of one owner: the owner is part of the key, so a file is reached only through a
/// case or an application the caller may see.
pub async fn get(
    store: &Store,
    table: &Table,
    owner: impl RecordId,
    id: AttachmentId,
) -> Result<Option<AttachmentData>> {
    store.query_opt(table.get, &[&owner.get(), &id.0]).await
}
