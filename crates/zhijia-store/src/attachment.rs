//! Attached files, as a list shows them and with their bytes: one shape for every table that
//! holds files (`case_attachment`, `aid_attachment`), so the use cases and the web serve them
//! the same way. Each table's queries live with its area (`case`, `aid`).

use crate::Result;
use crate::db::{FromRow, Row};
use chrono::{DateTime, Utc};

/// What a list of attachments shows; the bytes are read one file at a time.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attachment {
    pub id: i64,
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
            id: row.get("id")?,
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
