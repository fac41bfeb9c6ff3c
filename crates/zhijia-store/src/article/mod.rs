//! New media (资讯): the articles, notices and knowledge-base answers of a union's channel, a
//! kind of publishable record with the review step (see `publishable`). See
//! migrations/sqlite/0015_article.sql and docs/news.md.
//!
//! `reader` holds what readers see (a member's feed, a channel's page, the knowledge base, one
//! article, likes and read counts); `channel` a union's channel settings, its images and
//! re-shares.

pub mod channel;
pub mod comment;
pub mod export;
pub mod feed;
pub mod reader;

use crate::Result;
use crate::db::{Param, Row};
use crate::publishable::{Content, Record};
use chrono::{DateTime, Utc};
use zhijia_domain::article::{CheckedArticle, Kind, Topic};
use zhijia_domain::ids::{ArticleId, StaffId};

/// An article's own columns: what the editor wrote (checked), who edited it last, and what the
/// review and the readers added (read only here: other statements write them).
#[derive(Debug, Clone)]
pub struct Article {
    pub text: CheckedArticle,
    pub edited_by: Option<StaffId>,
    pub meta: Meta,
}

/// What an edit does not write.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub created_by: Option<StaffId>,
    pub reviewed_by: Option<StaffId>,
    /// Why the reviewer sent it back, until it is submitted again.
    pub review_note: Option<String>,
    /// The source of a re-share (转载).
    pub shared_from: Option<ArticleId>,
    pub read_count: i64,
    pub like_count: i64,
}

/// An article with its union and status.
pub type ArticleRecord = Record<Article>;

impl Content for Article {
    type Id = ArticleId;
    const TABLE: &'static str = "article";
    const COLUMNS: &'static str = "r.kind, r.topic, r.title, r.summary, r.body, r.body_html, \
        r.tags, r.source, r.cover_id, r.pinned, r.expires_at, r.publish_at, r.edited_by, \
        r.created_by, r.reviewed_by, r.review_note, r.shared_from, r.read_count, r.like_count";
    const JOINS: &'static str = "";
    const WRITES: &'static [&'static str] = &[
        "kind",
        "topic",
        "title",
        "summary",
        "body",
        "body_html",
        "tags",
        "source",
        "cover_id",
        "pinned",
        "expires_at",
        "publish_at",
        "edited_by",
    ];
    const FACET: &'static str = "r.kind";
    /// What a second person approved is not changed under them: edits only before review or
    /// after withdrawal, and never of a re-share.
    const UPDATE_IF: &'static str = "status IN ('draft', 'withdrawn') AND shared_from IS NULL";
    const PUBLISH_IF: &'static str = "";

    fn decode(row: &Row<'_, '_>) -> Result<Self> {
        let topic = decode_topic(row)?;
        Ok(Article {
            text: CheckedArticle {
                kind: row.parsed("kind", Kind::parse)?,
                topic,
                title: row.get("title")?,
                summary: row.get("summary")?,
                body: row.get("body")?,
                body_html: row.get("body_html")?,
                tags: row.get("tags")?,
                source: row.get("source")?,
                cover: row.id_opt("cover_id")?,
                pinned: row.get("pinned")?,
                expires_at: row.get("expires_at")?,
                publish_at: row.get("publish_at")?,
            },
            edited_by: row.id_opt("edited_by")?,
            meta: Meta {
                created_by: row.id_opt("created_by")?,
                reviewed_by: row.id_opt("reviewed_by")?,
                review_note: row.get("review_note")?,
                shared_from: row.id_opt("shared_from")?,
                read_count: row.get("read_count")?,
                like_count: row.get("like_count")?,
            },
        })
    }

    fn values(&self) -> Vec<Box<dyn Param + Sync + Send + '_>> {
        let t = &self.text;
        vec![
            Box::new(t.kind.stored()),
            Box::new(t.topic.map(|t| t.as_str())),
            Box::new(&t.title),
            Box::new(&t.summary),
            Box::new(&t.body),
            Box::new(&t.body_html),
            Box::new(&t.tags),
            Box::new(&t.source),
            Box::new(t.cover.map(|c| c.0)),
            Box::new(t.pinned),
            Box::new(t.expires_at),
            Box::new(t.publish_at),
            Box::new(self.edited_by.map(|s| s.0)),
        ]
    }
}

/// The articles of a subtree waiting for review, oldest first (the queue).
pub async fn in_review(
    store: &crate::Store,
    scope: &zhijia_domain::org::OrgPath,
    limit: i64,
    offset: i64,
) -> Result<crate::Page<ArticleRecord>> {
    let list = crate::publishable::select::<Article>(
        "WHERE o.path >= $1 AND o.path < $2 AND r.status = 'in_review' \
         ORDER BY r.id LIMIT $3 OFFSET $4",
    );
    let count = "SELECT COUNT(*) FROM article r JOIN org o ON o.id = r.org_id \
         WHERE o.path >= $1 AND o.path < $2 AND r.status = 'in_review'";
    crate::subtree_page(store, &list, count, scope, limit, offset).await
}

/// What the console's list is narrowed by: kind and status, both optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub status: Option<zhijia_domain::publishing::PublishStatus>,
}

/// The articles of a subtree, newest first, narrowed by kind and status.
pub async fn of_subtree(
    store: &crate::Store,
    scope: &zhijia_domain::org::OrgPath,
    filter: Filter,
    limit: i64,
    offset: i64,
) -> Result<crate::Page<ArticleRecord>> {
    let cond = "WHERE o.path >= $1 AND o.path < $2 \
         AND (CAST($3 AS TEXT) = '' OR r.kind = $3) AND (CAST($4 AS TEXT) = '' OR r.status = $4)";
    let list = crate::publishable::select::<Article>(&format!(
        "{cond} ORDER BY r.id DESC LIMIT $5 OFFSET $6"
    ));
    let count = format!("SELECT COUNT(*) FROM article r JOIN org o ON o.id = r.org_id {cond}");
    let upper = scope.subtree_upper_bound();
    let kind = filter.kind.map_or("", Kind::as_str);
    let status = filter.status.map_or("", |s| s.as_str());
    let items = store
        .query(
            &list,
            &[&scope.as_str(), &upper, &kind, &status, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(&count, &[&scope.as_str(), &upper, &kind, &status])
        .await?;
    Ok(crate::Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Whether `at` lies before now: a scheduled article's time has come.
pub fn is_due(published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    published_at.is_some_and(|p| p <= now)
}

pub(crate) fn decode_topic(row: &Row<'_, '_>) -> Result<Option<Topic>> {
    match row.get::<Option<String>>("topic")? {
        Some(t) => Topic::parse(&t)
            .map(Some)
            .ok_or_else(|| crate::StoreError::Decode(format!("topic“{t}”无法识别"))),
        None => Ok(None),
    }
}

/// Demo data only: marks a draft published at `at` (in the past), as if a second person had
/// approved it then. The demo generator's rows have no writer, so no four eyes are bypassed.
pub async fn demo_publish(
    tx: &mut crate::Tx,
    id: ArticleId,
    at: DateTime<Utc>,
    reads: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE article SET status = 'published', published_at = $2, \
         created_at = $2, read_count = $3 WHERE id = $1 AND created_by IS NULL";
    tx.execute(SQL, &[&id.0, &at, &reads]).await?;
    Ok(())
}
