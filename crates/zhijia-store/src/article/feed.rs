//! What a channel's RSS and Atom feeds carry: the channel (its own name and intro, or the
//! union's name) and its newest published articles and notices, a re-share (转载) carrying its
//! source's text and address while the source is published.

use crate::Result;
use crate::db::{FromRow, Row, Store};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{ArticleId, OrgId};

/// A union's channel as a feed names it.
#[derive(Debug, Clone)]
pub struct FeedChannel {
    pub org_id: OrgId,
    pub org_name: String,
    /// The channel's own name and intro, once the union set them.
    pub name: Option<String>,
    pub intro: Option<String>,
}

impl FromRow for FeedChannel {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(FeedChannel {
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            name: row.get("name")?,
            intro: row.get("intro")?,
        })
    }
}

const CHANNEL: &str = "SELECT o.id AS org_id, o.name AS org_name, c.name, c.intro FROM org o \
     LEFT JOIN channel c ON c.org_id = o.id WHERE o.id = $1";

/// The channel of a union (every union has one); `None` for an unknown union.
pub async fn channel(store: &Store, org: OrgId) -> Result<Option<FeedChannel>> {
    store.query_opt(CHANNEL, &[&org.0]).await
}

/// One entry of a feed. For a re-share, the source's id, text and first publication.
#[derive(Debug, Clone)]
pub struct FeedItem {
    /// The article a reader opens (the source, for a re-share).
    pub id: ArticleId,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub source: Option<String>,
    /// The union that wrote it (the source's, for a re-share).
    pub author: String,
    pub published_at: DateTime<Utc>,
    /// When this channel published it (the re-share's own time).
    pub channel_published_at: DateTime<Utc>,
    pub shared: bool,
}

impl FromRow for FeedItem {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(FeedItem {
            id: row.id("id")?,
            title: row.get("title")?,
            summary: row.get("summary")?,
            body_html: row.get("body_html")?,
            source: row.get("source")?,
            author: row.get("author")?,
            published_at: row.get("published_at")?,
            channel_published_at: row.get("channel_published_at")?,
            shared: row.get::<i64>("shared")? == 1,
        })
    }
}

const PUBLISHED: &str = "SELECT COALESCE(s.id, a.id) AS id, COALESCE(s.title, a.title) AS title, \
     COALESCE(s.summary, a.summary) AS summary, COALESCE(s.body_html, a.body_html) AS body_html, \
     CASE WHEN s.id IS NULL THEN a.source ELSE s.source END AS source, \
     COALESCE(so.name, o.name) AS author, \
     COALESCE(s.published_at, a.published_at) AS published_at, \
     a.published_at AS channel_published_at, \
     CASE WHEN s.id IS NULL THEN CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END AS shared \
     FROM article a JOIN org o ON o.id = a.org_id \
     LEFT JOIN article s ON s.id = a.shared_from LEFT JOIN org so ON so.id = s.org_id \
     WHERE a.org_id = $1 AND a.kind IN ('article', 'notice') \
     AND a.status = 'published' AND a.published_at <= $2 \
     AND (a.shared_from IS NULL OR (s.status = 'published' AND s.published_at <= $2)) \
     ORDER BY a.published_at DESC, a.id DESC LIMIT $3";

/// The channel's newest `limit` published articles and notices (not the knowledge base's
/// answers), newest first: published, their time come (`now`), and for a re-share its source
/// still published.
pub async fn published(
    store: &Store,
    org: OrgId,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<FeedItem>> {
    store.query(PUBLISHED, &[&org.0, &now, &limit]).await
}
