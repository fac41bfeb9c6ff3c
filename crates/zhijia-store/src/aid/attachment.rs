//! Attachments of an application.

use super::*;

const ADD_ATTACHMENT: &str = "INSERT INTO aid_attachment (application_id, file_name, \
     content_type, size_bytes, data, uploaded_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const ADD_WORKER_ATTACHMENT: &str = "INSERT INTO aid_attachment (application_id, file_name, \
     content_type, size_bytes, data, uploaded_by_worker, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
// `uploaded_by` is shown as the staff member's name, or 申请人本人 for the worker who applied.
const ATTACHMENTS: &str = "SELECT t.id, t.file_name, t.content_type, t.size_bytes, \
     COALESCE(s.display_name, '申请人本人') AS uploaded_by, t.created_at FROM aid_attachment t \
     LEFT JOIN staff s ON s.id = t.uploaded_by WHERE t.application_id = $1 ORDER BY t.id";
const ATTACHMENT: &str = "SELECT t.id, t.file_name, t.content_type, t.size_bytes, \
     COALESCE(s.display_name, '申请人本人') AS uploaded_by, t.created_at, t.data \
     FROM aid_attachment t LEFT JOIN staff s ON s.id = t.uploaded_by \
     WHERE t.application_id = $1 AND t.id = $2";
const COUNT_ATTACHMENTS: &str = "SELECT COUNT(*) FROM aid_attachment WHERE application_id = $1";

/// The files of an application.
pub const ATTACHED: crate::attachment::Table = crate::attachment::Table {
    add: ADD_ATTACHMENT,
    list: ATTACHMENTS,
    get: ATTACHMENT,
    count: COUNT_ATTACHMENTS,
};

/// Stores a checked file of an application, uploaded by the staff member `uploaded_by`.
pub async fn add_attachment(
    tx: &mut Tx,
    application_id: AidApplicationId,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    uploaded_by: StaffId,
    now: DateTime<Utc>,
) -> Result<AttachmentId> {
    crate::attachment::add(
        tx,
        &ATTACHED,
        application_id,
        file_name,
        content_type,
        data,
        &uploaded_by.0,
        now,
    )
    .await
}

/// The same table, as the worker who applied adds to it (`uploaded_by_worker`).
const WORKER_ATTACHED: crate::attachment::Table = crate::attachment::Table {
    add: ADD_WORKER_ATTACHMENT,
    ..ATTACHED
};

/// Stores a checked file of an application, uploaded by the worker `worker_id` who applied.
pub async fn add_worker_attachment(
    tx: &mut Tx,
    application_id: AidApplicationId,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    worker_id: WorkerId,
    now: DateTime<Utc>,
) -> Result<AttachmentId> {
    crate::attachment::add(
        tx,
        &WORKER_ATTACHED,
        application_id,
        file_name,
        content_type,
        data,
        &worker_id.0,
        now,
    )
    .await
}

pub async fn count_attachments(tx: &mut Tx, application_id: AidApplicationId) -> Result<i64> {
    crate::attachment::count(tx, &ATTACHED, application_id).await
}

pub async fn attachments(
    store: &Store,
    application_id: AidApplicationId,
) -> Result<Vec<Attachment>> {
    crate::attachment::list(store, &ATTACHED, application_id).await
}

pub async fn attachment(
    store: &Store,
    application_id: AidApplicationId,
    id: AttachmentId,
) -> Result<Option<AttachmentData>> {
    crate::attachment::get(store, &ATTACHED, application_id, id).await
}
