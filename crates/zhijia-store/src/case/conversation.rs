//! The conversation of a case between the worker and the handlers (internal notes included).

use super::*;

/// A message on a case, or an internal note.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Message {
    pub id: i64,
    /// `worker` or `staff`.
    pub author: String,
    pub author_name: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Message {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Message {
            id: row.get("id")?,
            author: row.get("author")?,
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
    case_id: i64,
    author: &str,
    author_name: &str,
    staff_id: Option<i64>,
    internal: bool,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.query_one(
        ADD_MESSAGE,
        &[
            &case_id,
            &author,
            &author_name,
            &staff_id,
            &internal,
            &body,
            &now,
        ],
    )
    .await
}

/// The conversation of a case; internal notes only when `with_internal`.
pub async fn messages(store: &Store, case_id: i64, with_internal: bool) -> Result<Vec<Message>> {
    store.query(MESSAGES, &[&case_id, &with_internal]).await
}
