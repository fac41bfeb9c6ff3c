//! The worker's inbox (站内消息): notices of their applications, transfers, cases and aid.
//! Reading is never a write: the list is shown as it is, and messages are marked read only when
//! the worker asks (a button on the page, `POST /api/v1/inbox/read`).

use crate::Result;
use crate::caller::worker_of_phone;
use zhijia_domain::ids::MessageId;
use zhijia_store::membership as store;
use zhijia_store::{Store, Unaudited};

/// Marks one of the worker's own messages (`Some(id)`) or all of them as read; returns how
/// many changed. Another worker's message id changes nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_read(db: &Store, phone: &str, id: Option<MessageId>) -> Result<u64> {
    let worker = worker_of_phone(db, phone).await?;
    let mut tx = db.change().await?;
    let n = store::mark_read(&mut tx, worker.id, id).await?;
    tx.commit_unaudited(Unaudited::ReadMark).await?;
    Ok(n)
}
