//! The workers' library (职工书屋): items a union puts on its shelf. See
//! migrations/sqlite/0010_culture.sql (table `library_item`).
//!
//! An item belongs to the union that made it (its `org_id` never changes); status changes are
//! conditional `UPDATE`s.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub kind: String,
    pub title: String,
    pub author: String,
    pub summary: String,
    pub body: String,
    pub link: Option<String>,
    pub place: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl FromRow for Item {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let path: String = row.get("org_path")?;
        Ok(Item {
            id: row.get("id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: OrgPath::from_stored(path).map_err(crate::StoreError::Decode)?,
            kind: row.get("kind")?,
            title: row.get("title")?,
            author: row.get("author")?,
            summary: row.get("summary")?,
            body: row.get("body")?,
            link: row.get("link")?,
            place: row.get("place")?,
            status: row.get("status")?,
            created_at: row.get("created_at")?,
            published_at: row.get("published_at")?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT i.id, i.org_id, o.name AS org_name, o.path AS org_path, i.kind, i.title, \
             i.author, i.summary, i.body, i.link, i.place, i.status, i.created_at, \
             i.published_at FROM library_item i JOIN org o ON o.id = i.org_id ",
            $tail
        )
    };
}

const INSERT: &str = "INSERT INTO library_item (org_id, kind, title, author, summary, body, \
     link, place, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10) RETURNING id";
const UPDATE: &str = "UPDATE library_item SET kind = $2, title = $3, author = $4, summary = $5, \
     body = $6, link = $7, place = $8 WHERE id = $1";
const GET: &str = select!("WHERE i.id = $1");
const OF_SUBTREE: &str =
    select!("WHERE o.path >= $1 AND o.path < $2 ORDER BY i.id DESC LIMIT $3 OFFSET $4");
const COUNT_OF_SUBTREE: &str = "SELECT COUNT(*) FROM library_item i \
     JOIN org o ON o.id = i.org_id WHERE o.path >= $1 AND o.path < $2";
const PUBLISHED: &str = select!(
    "WHERE i.status = 'published' AND o.path >= $1 AND o.path < $2 \
     AND (CAST($3 AS TEXT) = '' OR i.kind = $3) \
     ORDER BY i.published_at DESC, i.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_PUBLISHED: &str = "SELECT COUNT(*) FROM library_item i \
     JOIN org o ON o.id = i.org_id WHERE i.status = 'published' AND o.path >= $1 \
     AND o.path < $2 AND (CAST($3 AS TEXT) = '' OR i.kind = $3)";
const PUBLISH: &str = "UPDATE library_item SET status = 'published', published_at = $2 \
     WHERE id = $1 AND status IN ('draft', 'withdrawn')";
const WITHDRAW: &str =
    "UPDATE library_item SET status = 'withdrawn' WHERE id = $1 AND status = 'published'";

/// The fields of an item, as checked.
#[derive(Debug)]
pub struct Fields<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub author: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub place: Option<&'a str>,
}

pub async fn insert(
    tx: &mut Tx,
    org: OrgId,
    f: &Fields<'_>,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.query_one(
        INSERT,
        &[
            &org.0,
            &f.kind,
            &f.title,
            &f.author,
            &f.summary,
            &f.body,
            &f.link,
            &f.place,
            &created_by,
            &now,
        ],
    )
    .await
}

/// Rewrites an item's fields (not its union or status); false if it is gone.
pub async fn update(tx: &mut Tx, id: i64, f: &Fields<'_>) -> Result<bool> {
    let n = tx
        .execute(
            UPDATE,
            &[
                &id, &f.kind, &f.title, &f.author, &f.summary, &f.body, &f.link, &f.place,
            ],
        )
        .await?;
    Ok(n == 1)
}

pub async fn get(store: &Store, id: i64) -> Result<Option<Item>> {
    store.query_opt(GET, &[&id]).await
}

/// The items of a subtree's unions, newest first, in every status.
pub async fn of_subtree(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    crate::subtree_page(store, OF_SUBTREE, COUNT_OF_SUBTREE, scope, limit, offset).await
}

/// Published items, latest published first: of the whole tree or of a union's subtree; of
/// one kind, or (`kind` empty) of all.
pub async fn published(
    store: &Store,
    scope: Option<&OrgPath>,
    kind: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    let (lower, upper) = crate::scope_bounds(scope);
    let items = store
        .query(PUBLISHED, &[&lower, &upper, &kind, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_PUBLISHED, &[&lower, &upper, &kind])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Publishes a draft or withdrawn item; false if it was not one.
pub async fn publish(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.execute(PUBLISH, &[&id, &now]).await? == 1)
}

/// Withdraws a published item; false if it was not published.
pub async fn withdraw(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(tx.execute(WITHDRAW, &[&id]).await? == 1)
}
