//! The conversation of a case between the worker and the handlers (internal notes included).

use super::*;
use zhijia_domain::case::CaseActor;
use zhijia_domain::ids::{CaseMessageId, StaffId};

/// A message on a case, or an internal note.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: CaseMessageId,
    pub author: CaseActor,
    pub author_name: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Message {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Message {
            id: row.id("id")?,
            author: row.parsed("author", CaseActor::parse)?,
            author_name: row.get("author_name")?,
            internal: row.get("internal")?,
            body: row.get("body")?,
            created_at: row.get("created_at")?,
        })
    }
}

const ADD_MESSAGE: &str = "INSERT INTO case_message (case_id, author, author_name, staff_id, \
     internal, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// `$2` false: the worker's view, without internal notes.
const MESSAGES: &str = "SELECT id, author, author_name, internal, body, created_at \
     FROM case_message WHERE case_id = $1 AND (internal = $2 OR internal = FALSE) ORDER BY id";

#[allow(clippy::too_many_arguments)]
pub async fn add_message(
    tx: &mut Tx,
    case_id: CaseId,
    author: CaseActor,
    author_name: &str,
    staff_id: Option<StaffId>,
    internal: bool,
    body: &str,
    now: DateTime<Utc>,
) -> Result<CaseMessageId> {
    tx.query_one(
        ADD_MESSAGE,
        &[
            &case_id.0,
            author.stored(),
            &author_name,
            &staff_id.map(|s| s.0),
            &internal,
            &body,
            &now,
        ],
    )
    .await
    .map(CaseMessageId)
}

/// The conversation of a case; internal notes only when `with_internal`.
pub async fn messages(store: &Store, case_id: CaseId, with_internal: bool) -> Result<Vec<Message>> {
    store.query(MESSAGES, &[&case_id.0, &with_internal]).await
}
