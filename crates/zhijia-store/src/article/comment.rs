//! Comments (留言) under articles: a member's comment (stored already masked), the editor's
//! feature (精选), answer and hiding, the writer's deletion, what a reader sees and the
//! moderation queue of a branch. Every statement that changes a comment is conditional on its
//! state, so two editors (or an editor and the writer) racing on one comment cannot both win.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article::comment::CommentStatus;
use zhijia_domain::ids::{ArticleCommentId, ArticleId, OrgId, StaffId, WorkerId};
use zhijia_domain::org::OrgPath;

/// A published article a comment may be written under (or read beside): its union and title.
#[derive(Debug, Clone)]
pub struct Commentable {
    pub id: ArticleId,
    pub org_id: OrgId,
    pub org_path: OrgPath,
    pub title: String,
}

impl FromRow for Commentable {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Commentable {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_path: row.org_path("org_path")?,
            title: row.get("title")?,
        })
    }
}

const PUBLISHED: &str = "SELECT a.id, a.org_id, o.path AS org_path, a.title FROM article a \
     JOIN org o ON o.id = a.org_id \
     WHERE a.id = $1 AND a.status = 'published' AND a.published_at <= $2";

/// The article if it is published and its publication time has come (`now`); a draft, a
/// withdrawn or a scheduled article is `None`.
pub async fn published(
    db: impl Into<Exec<'_>>,
    id: ArticleId,
    now: DateTime<Utc>,
) -> Result<Option<Commentable>> {
    db.into().query_opt(PUBLISHED, &[&id.0, &now]).await
}

/// A comment with its writer and its article's union.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: ArticleCommentId,
    pub article_id: ArticleId,
    pub article_title: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub worker_id: WorkerId,
    /// The writer's name as stored; pages and the API show it masked.
    pub worker_name: String,
    /// Masked when written (phone and identity numbers).
    pub body: String,
    pub status: CommentStatus,
    pub featured_by: Option<StaffId>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Comment {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Comment {
            id: row.id("id")?,
            article_id: row.id("article_id")?,
            article_title: row.get("article_title")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            worker_id: row.id("worker_id")?,
            worker_name: row.get("worker_name")?,
            body: row.get("body")?,
            status: row.parsed("status", CommentStatus::parse)?,
            featured_by: row.id_opt("featured_by")?,
            reply: row.get("reply")?,
            replied_at: row.get("replied_at")?,
            created_at: row.get("created_at")?,
        })
    }
}

macro_rules! comment_select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.article_id, a.title AS article_title, a.org_id, o.name AS org_name, \
             o.path AS org_path, c.worker_id, w.name AS worker_name, c.body, c.status, \
             c.featured_by, c.reply, c.replied_at, c.created_at \
             FROM article_comment c JOIN article a ON a.id = c.article_id \
             JOIN org o ON o.id = a.org_id JOIN worker w ON w.id = c.worker_id ",
            $tail
        )
    };
}

const INSERT: &str = "INSERT INTO article_comment (article_id, worker_id, body, status, \
     created_at) VALUES ($1, $2, $3, 'pending', $4) RETURNING id";

/// A new comment, pending. `body` must already be checked and masked.
pub async fn insert(
    tx: &mut Tx,
    article_id: ArticleId,
    worker_id: WorkerId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<ArticleCommentId> {
    tx.query_one::<i64>(INSERT, &[&article_id.0, &worker_id.0, &body, &now])
        .await
        .map(ArticleCommentId)
}

const GET: &str = comment_select!("WHERE c.id = $1");

pub async fn get(db: impl Into<Exec<'_>>, id: ArticleCommentId) -> Result<Option<Comment>> {
    db.into().query_opt(GET, &[&id.0]).await
}

const FEATURE: &str = "UPDATE article_comment SET status = 'featured', featured_by = $2 \
     WHERE id = $1 AND status = 'pending'";

/// Features a pending comment; false when it was not pending any more.
pub async fn feature(tx: &mut Tx, id: ArticleCommentId, by: Option<StaffId>) -> Result<bool> {
    let by = by.map(|s| s.0);
    Ok(tx.execute(FEATURE, &[&id.0, &by]).await? == 1)
}

const REPLY: &str = "UPDATE article_comment SET reply = $2, replied_by = $3, replied_at = $4 \
     WHERE id = $1 AND status <> 'deleted'";

/// Sets (or replaces) the editor's answer under a comment that is not deleted.
pub async fn reply(
    tx: &mut Tx,
    id: ArticleCommentId,
    text: &str,
    by: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let by = by.map(|s| s.0);
    Ok(tx.execute(REPLY, &[&id.0, &text, &by, &now]).await? == 1)
}

const REMOVE: &str =
    "UPDATE article_comment SET status = 'deleted' WHERE id = $1 AND status <> 'deleted'";

/// Hides a comment (an editor): nobody sees it any more.
pub async fn remove(tx: &mut Tx, id: ArticleCommentId) -> Result<bool> {
    Ok(tx.execute(REMOVE, &[&id.0]).await? == 1)
}

const REMOVE_OWN: &str = "UPDATE article_comment SET status = 'deleted' \
     WHERE id = $1 AND worker_id = $2 AND status <> 'deleted'";

/// Deletes a comment of its writer's; false when it is someone else's or already deleted.
pub async fn remove_own(tx: &mut Tx, id: ArticleCommentId, worker_id: WorkerId) -> Result<bool> {
    Ok(tx.execute(REMOVE_OWN, &[&id.0, &worker_id.0]).await? == 1)
}

const VISIBLE: &str = comment_select!(
    "WHERE c.article_id = $1 AND (c.status = 'featured' OR (c.status = 'pending' AND c.worker_id = $2)) \
     ORDER BY c.id DESC LIMIT $3 OFFSET $4"
);
const COUNT_VISIBLE: &str = "SELECT COUNT(*) FROM article_comment c WHERE c.article_id = $1 \
     AND (c.status = 'featured' OR (c.status = 'pending' AND c.worker_id = $2))";

/// What a reader sees under an article: its featured comments and, for a signed-in worker,
/// their own pending ones, newest first.
pub async fn visible(
    store: &Store,
    article_id: ArticleId,
    reader: Option<WorkerId>,
    limit: i64,
    offset: i64,
) -> Result<Page<Comment>> {
    // Ids are positive: 0 matches nobody's comments.
    let reader = reader.map_or(0, |w| w.0);
    let items = store
        .query(VISIBLE, &[&article_id.0, &reader, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_VISIBLE, &[&article_id.0, &reader])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const QUEUE: &str = comment_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND c.status = $3 AND (CAST($4 AS BIGINT) = 0 OR c.article_id = $4) \
     ORDER BY c.id LIMIT $5 OFFSET $6"
);
const COUNT_QUEUE: &str = "SELECT COUNT(*) FROM article_comment c \
     JOIN article a ON a.id = c.article_id JOIN org o ON o.id = a.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND c.status = $3 AND (CAST($4 AS BIGINT) = 0 OR c.article_id = $4)";

/// The comments of one status under the articles of a subtree's unions (of one article when
/// given), oldest first: the moderation queue.
pub async fn queue(
    store: &Store,
    scope: &OrgPath,
    status: CommentStatus,
    article: Option<ArticleId>,
    limit: i64,
    offset: i64,
) -> Result<Page<Comment>> {
    let upper = scope.subtree_upper_bound();
    let article = article.map_or(0, |a| a.0);
    let items = store
        .query(
            QUEUE,
            &[
                &scope.as_str(),
                &upper,
                status.stored(),
                &article,
                &limit,
                &offset,
            ],
        )
        .await?;
    let total = store
        .query_one(
            COUNT_QUEUE,
            &[&scope.as_str(), &upper, status.stored(), &article],
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
