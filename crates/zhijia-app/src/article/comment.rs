//! Comments (留言) under published articles, moderated as union accounts do it:
//!
//! - a signed-in worker (with a worker record) writes a comment under a published article; it
//!   is checked and its phone and identity numbers masked before the row is written
//!   (`zhijia_domain::article::comment::comment_body`), so nobody ever sees them;
//! - only its writer sees it until an `editor` or `org_admin` of the article's union or a union
//!   above it features it (精选); the editor may answer under it, or hide it;
//! - the writer may delete their own (another's is "not found");
//! - the moderation queue lists a branch's comments by state, oldest first.
//!
//! The editors' steps are audited in their transaction; the writer's own comment and deletion
//! are their own history, kept in the row (`Unaudited::OwnHistory`). A comment of another
//! branch, like one under an article nobody may read, is "not found".

use crate::caller::{StaffCtx, worker_of_phone};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article::comment::{self as rules, CommentStatus};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{ArticleCommentId, ArticleId, OrgId, WorkerId};
use zhijia_store::article::comment::{self as store, Comment, Commentable};
use zhijia_store::audit::{self, Record};
use zhijia_store::org::Org;
use zhijia_store::{Page, Store, Unaudited};

const NOT_FOUND: &str = "留言";
const ARTICLE: &str = "文章";

/// The article if a reader may see it now (published, its time come), or "not found".
async fn commentable(db: &Store, id: ArticleId, now: DateTime<Utc>) -> Result<Commentable> {
    store::published(db, id, now)
        .await?
        .ok_or(AppError::NotFound(ARTICLE))
}

/// Writes the worker's comment under a published article: checked, masked, pending until an
/// editor features it. Returns it as its writer sees it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn write(
    db: &Store,
    phone: &str,
    article: ArticleId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Comment> {
    let body = rules::comment_body(body)?;
    let worker = worker_of_phone(db, phone).await?;
    commentable(db, article, now).await?;
    let mut tx = db.change().await?;
    let id = store::insert(&mut tx, article, worker.id, &body, now).await?;
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    store::get(db, id)
        .await?
        .ok_or(AppError::NotFound(NOT_FOUND))
}

/// Deletes one of the worker's own comments; someone else's is "not found".
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_own(db: &Store, phone: &str, id: ArticleCommentId) -> Result<()> {
    let worker = worker_of_phone(db, phone).await?;
    let mut tx = db.change().await?;
    if !store::remove_own(&mut tx, id, worker.id).await? {
        return Err(AppError::NotFound(NOT_FOUND));
    }
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    Ok(())
}

/// What a reader sees under an article: the featured comments, and a signed-in worker's own
/// pending ones (`reader` is theirs, to mark them).
#[derive(Debug, Clone)]
pub struct ReaderComments {
    pub article: Commentable,
    pub reader: Option<WorkerId>,
    pub page: Page<Comment>,
}

/// The comments a reader (signed in with `phone`, or not) sees under a published article,
/// newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible(
    db: &Store,
    phone: Option<&str>,
    article: ArticleId,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<ReaderComments> {
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let article = commentable(db, article, now).await?;
    let reader = match phone {
        Some(p) => zhijia_store::worker::find_by_phone(db, p)
            .await?
            .map(|w| w.id),
        None => None,
    };
    let page = store::visible(db, article.id, reader, limit, offset).await?;
    Ok(ReaderComments {
        article,
        reader,
        page,
    })
}

/// Who moderates the comments of a union's articles: its editors and administrators, and
/// those of the unions above it.
fn may_moderate(staff: &StaffCtx<'_>, c: &Comment) -> bool {
    staff.may_edit(&c.org_path)
}

/// The union whose branch the queue covers: the one asked for, or the caller's first where
/// they edit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn scope(db: &Store, staff: &StaffCtx<'_>, org: Option<OrgId>) -> Result<Org> {
    crate::caller::branch(
        db,
        staff,
        org,
        |p| staff.may_edit(p),
        "只有宣传文体干事或工会管理员可以管理留言",
        "只能管理本级及下级工会文章的留言",
    )
    .await
}

/// The moderation queue: comments of one state under the articles of a branch (of one
/// article when given), oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    status: CommentStatus,
    article: Option<ArticleId>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<Comment>)> {
    let org = scope(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::queue(db, &org.path, status, article, limit, offset).await?;
    Ok((org, page))
}

/// A comment the caller moderates, read inside their change, or "not found".
async fn moderated(
    tx: &mut zhijia_store::Change,
    staff: &StaffCtx<'_>,
    id: ArticleCommentId,
) -> Result<Comment> {
    store::get(&mut **tx, id)
        .await?
        .filter(|c| may_moderate(staff, c))
        .ok_or(AppError::NotFound(NOT_FOUND))
}

fn record<'a>(what: &'static str, c: &'a Comment, detail: String) -> Record<'a> {
    Record {
        action: what,
        org: Some(c.org_id),
        target_kind: Some("article_comment"),
        target_id: Some(c.id.to_string()),
        detail: Some(detail),
    }
}

/// Features (精选) a pending comment: from now on every reader of the article sees it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn feature(db: &Store, staff: &StaffCtx<'_>, id: ArticleCommentId) -> Result<()> {
    let mut tx = db.change().await?;
    let c = moderated(&mut tx, staff, id).await?;
    if !c.status.may_feature() || !store::feature(&mut tx, id, staff.staff_id()).await? {
        return Err(AppError::Conflict(format!(
            "这条留言{}，不能精选",
            c.status.label()
        )));
    }
    let detail = format!("《{}》下的留言", c.article_title);
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        record(action::ARTICLE_COMMENT_FEATURED, &c, detail),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Answers under a comment (or replaces the answer); masked as comments are.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reply(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: ArticleCommentId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let text = rules::reply_body(text)?;
    let mut tx = db.change().await?;
    let c = moderated(&mut tx, staff, id).await?;
    if !c.status.may_reply() || !store::reply(&mut tx, id, &text, staff.staff_id(), now).await? {
        return Err(AppError::Conflict("这条留言已删除，不能回复".into()));
    }
    let detail = format!("《{}》下的留言：{}", c.article_title, text);
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        record(action::ARTICLE_COMMENT_REPLIED, &c, detail),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Hides a comment, pending or featured: nobody sees it any more.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn hide(db: &Store, staff: &StaffCtx<'_>, id: ArticleCommentId) -> Result<()> {
    let mut tx = db.change().await?;
    let c = moderated(&mut tx, staff, id).await?;
    if !c.status.may_remove() || !store::remove(&mut tx, id).await? {
        return Err(AppError::Conflict("这条留言已删除".into()));
    }
    let detail = format!("《{}》下的留言：{}", c.article_title, c.body);
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        record(action::ARTICLE_COMMENT_HIDDEN, &c, detail),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
