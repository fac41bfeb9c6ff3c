//! What readers see of the channels: a member's feed (their union and every union above it),
//! a channel's page (its own articles and its re-shares while their source is published), the
//! legal knowledge base by topic, one article; and what readers do: open (read count) and
//! like. Every statement asks `published_at <= now`, so a scheduled article appears at its
//! time without a job.

use super::Article;
use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article::{Kind, Topic};
use zhijia_domain::ids::{ArticleId, ArticleImageId, OrgId, WorkerId};
use zhijia_domain::org::OrgPath;

/// One row of a list: for a re-share, the source's text, credited to the source's union.
#[derive(Debug, Clone)]
pub struct Item {
    /// The article to open (a re-share opens its source).
    pub id: ArticleId,
    pub kind: Kind,
    pub topic: Option<Topic>,
    pub title: String,
    pub summary: String,
    pub cover: Option<ArticleImageId>,
    /// A pinned notice that has not expired.
    pub pinned: bool,
    pub published_at: DateTime<Utc>,
    /// The union that wrote it.
    pub org_id: OrgId,
    pub org_name: String,
    /// For a re-share: the union whose channel shared it.
    pub shared_by: Option<String>,
    pub read_count: i64,
    pub like_count: i64,
}

impl FromRow for Item {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Item {
            id: row.id("id")?,
            kind: row.parsed("kind", Kind::parse)?,
            topic: super::decode_topic(row)?,
            title: row.get("title")?,
            summary: row.get("summary")?,
            cover: row.id_opt("cover_id")?,
            pinned: row.get::<i64>("pin")? == 0,
            published_at: row.get("published_at")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            shared_by: row.get("shared_by")?,
            read_count: row.get("read_count")?,
            like_count: row.get("like_count")?,
        })
    }
}

/// Pinned notices that have not expired first (`$2` is now), then newest first.
const PIN: &str = "CAST(CASE WHEN r.pinned AND (r.expires_at IS NULL OR r.expires_at > $2) \
     THEN 0 ELSE 1 END AS BIGINT)";

fn own_items(tail: &str) -> String {
    format!(
        "SELECT r.id, r.kind, r.topic, r.title, r.summary, r.cover_id, {PIN} AS pin, \
         r.published_at, r.org_id, o.name AS org_name, CAST(NULL AS TEXT) AS shared_by, \
         r.read_count, r.like_count FROM article r JOIN org o ON o.id = r.org_id {tail}"
    )
}

/// The feed of a member of the union at `path`: what that union and every union above it
/// published (articles and notices; a re-share is not repeated, since its source's union is
/// above the sharer and so already in the feed).
const FEED_WHERE: &str = "WHERE r.status = 'published' AND r.published_at <= $2 \
     AND r.kind IN ('article', 'notice') AND r.shared_from IS NULL \
     AND substr(CAST($1 AS TEXT), 1, length(o.path)) = o.path";

pub async fn feed(
    store: &Store,
    path: &OrgPath,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    let list = own_items(&format!(
        "{FEED_WHERE} ORDER BY pin, r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4"
    ));
    let count =
        format!("SELECT COUNT(*) FROM article r JOIN org o ON o.id = r.org_id {FEED_WHERE}");
    let items = store
        .query(&list, &[&path.as_str(), &now, &limit, &offset])
        .await?;
    let total = store.query_one(&count, &[&path.as_str(), &now]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// A channel's page: the union's own articles and notices, and its re-shares while their
/// source is published (shown as the source, credited).
const CHANNEL_FROM: &str = "FROM article r JOIN org o ON o.id = r.org_id \
     LEFT JOIN article s ON s.id = r.shared_from LEFT JOIN org so ON so.id = s.org_id \
     WHERE r.org_id = $1 AND r.status = 'published' AND r.published_at <= $2 \
     AND r.kind IN ('article', 'notice') \
     AND (r.shared_from IS NULL OR (s.status = 'published' AND s.published_at <= $2))";

pub async fn channel(
    store: &Store,
    org: OrgId,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    let list = format!(
        "SELECT COALESCE(s.id, r.id) AS id, r.kind, COALESCE(s.topic, r.topic) AS topic, \
         COALESCE(s.title, r.title) AS title, COALESCE(s.summary, r.summary) AS summary, \
         COALESCE(s.cover_id, r.cover_id) AS cover_id, {PIN} AS pin, r.published_at, \
         COALESCE(so.id, o.id) AS org_id, COALESCE(so.name, o.name) AS org_name, \
         CASE WHEN s.id IS NULL THEN NULL ELSE o.name END AS shared_by, \
         COALESCE(s.read_count, r.read_count) AS read_count, \
         COALESCE(s.like_count, r.like_count) AS like_count \
         {CHANNEL_FROM} ORDER BY pin, r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4"
    );
    let count = format!("SELECT COUNT(*) {CHANNEL_FROM}");
    let items = store.query(&list, &[&org.0, &now, &limit, &offset]).await?;
    let total = store.query_one(&count, &[&org.0, &now]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The published answers of the legal knowledge base (of every union), of one topic or all,
/// newest first.
const KNOWLEDGE_WHERE: &str = "WHERE r.status = 'published' AND r.published_at <= $2 \
     AND r.kind = 'answer' AND r.shared_from IS NULL \
     AND (CAST($1 AS TEXT) = '' OR r.topic = $1)";

pub async fn knowledge(
    store: &Store,
    topic: Option<Topic>,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    let topic = topic.map_or("", Topic::as_str);
    let list = own_items(&format!(
        "{KNOWLEDGE_WHERE} ORDER BY r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4"
    ));
    let count =
        format!("SELECT COUNT(*) FROM article r JOIN org o ON o.id = r.org_id {KNOWLEDGE_WHERE}");
    let items = store.query(&list, &[&topic, &now, &limit, &offset]).await?;
    let total = store.query_one(&count, &[&topic, &now]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One article a reader may open: published, its time come, not a re-share row.
pub async fn public(
    store: &Store,
    id: ArticleId,
    now: DateTime<Utc>,
) -> Result<Option<super::ArticleRecord>> {
    let sql = crate::publishable::select::<Article>(
        "WHERE r.id = $1 AND r.status = 'published' AND r.published_at <= $2 \
         AND r.shared_from IS NULL",
    );
    store.query_opt(&sql, &[&id.0, &now]).await
}

/// Counts an open of a published article; false if there is no such article to read.
pub async fn count_read(tx: &mut Tx, id: ArticleId, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE article SET read_count = read_count + 1 \
         WHERE id = $1 AND status = 'published' AND published_at <= $2 AND shared_from IS NULL";
    Ok(tx.execute(SQL, &[&id.0, &now]).await? == 1)
}

/// Likes an article once per worker: true if this like is new (the count went up).
pub async fn like(
    tx: &mut Tx,
    id: ArticleId,
    worker: WorkerId,
    now: DateTime<Utc>,
) -> Result<bool> {
    const INSERT: &str = "INSERT INTO article_like (article_id, worker_id, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING article_id";
    const COUNT: &str = "UPDATE article SET like_count = like_count + 1 WHERE id = $1";
    let new: Option<i64> = tx.query_opt(INSERT, &[&id.0, &worker.0, &now]).await?;
    if new.is_some() {
        tx.execute(COUNT, &[&id.0]).await?;
    }
    Ok(new.is_some())
}

/// Takes a worker's like back: true if there was one.
pub async fn unlike(tx: &mut Tx, id: ArticleId, worker: WorkerId) -> Result<bool> {
    const DELETE: &str =
        "DELETE FROM article_like WHERE article_id = $1 AND worker_id = $2 RETURNING article_id";
    const COUNT: &str = "UPDATE article SET like_count = like_count - 1 WHERE id = $1";
    let gone: Option<i64> = tx.query_opt(DELETE, &[&id.0, &worker.0]).await?;
    if gone.is_some() {
        tx.execute(COUNT, &[&id.0]).await?;
    }
    Ok(gone.is_some())
}

/// Whether the worker likes the article.
pub async fn likes(store: &Store, id: ArticleId, worker: WorkerId) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM article_like WHERE article_id = $1 AND worker_id = $2";
    Ok(store.query_one::<i64>(SQL, &[&id.0, &worker.0]).await? > 0)
}

/// The like count of an article.
pub async fn like_count(store: &Store, id: ArticleId) -> Result<i64> {
    const SQL: &str = "SELECT like_count FROM article WHERE id = $1";
    Ok(store.query_opt::<i64>(SQL, &[&id.0]).await?.unwrap_or(0))
}
