//! Files attached to a case.

use super::*;
use zhijia_domain::ids::AttachmentId;

pub use crate::attachment::{Attachment, AttachmentData};

const ADD_ATTACHMENT: &str = "INSERT INTO case_attachment (case_id, file_name, content_type, \
     size_bytes, data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const ATTACHMENTS: &str = "SELECT id, file_name, content_type, size_bytes, uploaded_by, \
     created_at FROM case_attachment WHERE case_id = $1 ORDER BY id";
const ATTACHMENT: &str = "SELECT id, file_name, content_type, size_bytes, uploaded_by, \
     created_at, data FROM case_attachment WHERE case_id = $1 AND id = $2";
const COUNT_ATTACHMENTS: &str = "SELECT COUNT(*) FROM case_attachment WHERE case_id = $1";

/// The files of a case.
pub const ATTACHED: crate::attachment::Table = crate::attachment::Table {
    add: ADD_ATTACHMENT,
    list: ATTACHMENTS,
    get: ATTACHMENT,
    count: COUNT_ATTACHMENTS,
};

pub async fn add_attachment(
    tx: &mut Tx,
    case_id: CaseId,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    uploaded_by: &str,
    now: DateTime<Utc>,
) -> Result<AttachmentId> {
    crate::attachment::add(
        tx,
        &ATTACHED,
        case_id,
        file_name,
        content_type,
        data,
        &uploaded_by,
        now,
    )
    .await
}

pub async fn count_attachments(tx: &mut Tx, case_id: CaseId) -> Result<i64> {
    crate::attachment::count(tx, &ATTACHED, case_id).await
}

pub async fn attachments(store: &Store, case_id: CaseId) -> Result<Vec<Attachment>> {
    crate::attachment::list(store, &ATTACHED, case_id).await
}

pub async fn attachment(
    store: &Store,
    case_id: CaseId,
    id: AttachmentId,
) -> Result<Option<AttachmentData>> {
    crate::attachment::get(store, &ATTACHED, case_id, id).await
}
