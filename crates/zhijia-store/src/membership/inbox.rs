//! Inbox.

use super::*;

#[derive(Debug, Clone)]
pub struct Message {
    pub id: MessageId,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl FromRow for Message {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Message {
            id: row.id("id")?,
            title: row.get("title")?,
            body: row.get("body")?,
            link: row.get("link")?,
            created_at: row.get("created_at")?,
            read_at: row.get("read_at")?,
        })
    }
}

const INSERT_MESSAGE: &str = "INSERT INTO inbox_message (worker_id, title, body, link, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
const MESSAGES: &str = "SELECT id, title, body, link, created_at, read_at FROM inbox_message \
     WHERE worker_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
const COUNT_MESSAGES: &str = "SELECT COUNT(*) FROM inbox_message WHERE worker_id = $1";
const UNREAD: &str = "SELECT COUNT(*) FROM inbox_message WHERE worker_id = $1 AND read_at IS NULL";
const MARK_READ: &str = "UPDATE inbox_message SET read_at = $3 \
     WHERE worker_id = $1 AND id = $2 AND read_at IS NULL";
const MARK_ALL_READ: &str =
    "UPDATE inbox_message SET read_at = $2 WHERE worker_id = $1 AND read_at IS NULL";

pub async fn notify(
    tx: &mut Tx,
    worker_id: WorkerId,
    title: &str,
    body: &str,
    link: Option<&str>,
) -> Result<()> {
    tx.execute(
        INSERT_MESSAGE,
        &[&worker_id.0, &title, &body, &link, &Utc::now()],
    )
    .await
    .map(|_| ())
}

pub async fn messages(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<Message>> {
    let items = store
        .query(MESSAGES, &[&worker_id.0, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_MESSAGES, &[&worker_id.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn unread(store: &Store, worker_id: WorkerId) -> Result<i64> {
    store.query_one(UNREAD, &[&worker_id.0]).await
}

/// Marks one message (`Some(id)`) or all as read; only the worker's own.
pub async fn mark_read(tx: &mut Tx, worker_id: WorkerId, id: Option<MessageId>) -> Result<u64> {
    let now = Utc::now();
    match id {
        Some(id) => tx.execute(MARK_READ, &[&worker_id.0, &id.0, &now]).await,
        None => tx.execute(MARK_ALL_READ, &[&worker_id.0, &now]).await,
    }
}
