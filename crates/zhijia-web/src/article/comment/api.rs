//! The comment JSON API: reading an article's comments (anyone; a signed-in worker also sees
//! their own pending ones), a worker's comment and deletion under `/api/v1/me/…` (the
//! session's own phone only), and the editors' moderation under `/api/v1/console/comments`.

use super::view::{CommentView, ModerationView};
use crate::auth::StaffUser;
use crate::auth::worker::{WorkerUser, current};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::AppError;
use zhijia_app::article::comment;
use zhijia_domain::article::comment::CommentStatus;
use zhijia_domain::ids::{ArticleCommentId, ArticleId, OrgId};
use zhijia_store::Page;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// An article's comments: the featured ones, and the caller's own pending ones when a worker
/// is signed in (bearer token or cookie), newest first. 404 for an article not published.
#[utoipa::path(get, path = "/api/v1/articles/{id}/comments", tag = "article",
    params(("id" = i64, Path), PageQuery),
    responses((status = 200, description = "留言 {items: [CommentView], total, offset, limit}"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let session = current(&state, &headers).await?;
    let phone = session.as_ref().map(|(s, _)| s.phone.as_str());
    let c = comment::visible(&state.store, phone, id, Utc::now(), q.limit, q.offset).await?;
    let page = Page {
        items: c
            .page
            .items
            .iter()
            .map(|x| CommentView::of(x, c.reader))
            .collect::<Vec<_>>(),
        total: c.page.total,
        offset: c.page.offset,
        limit: c.page.limit,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(page)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommentRequest {
    /// 1 to 500 characters; phone and identity numbers in it are masked before it is stored.
    pub body: String,
}

/// Writes a comment under a published article. Only its writer sees it until an editor
/// features it (精选).
#[utoipa::path(post, path = "/api/v1/me/articles/{id}/comments", tag = "article",
    params(("id" = i64, Path)), request_body = CommentRequest,
    responses((status = 201, body = CommentView), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn write(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<ArticleId>,
    ApiJson(req): ApiJson<CommentRequest>,
) -> Result<Response, ApiError> {
    let c = comment::write(&state.store, &user.session.phone, id, &req.body, Utc::now()).await?;
    let view = CommentView::of(&c, Some(c.worker_id));
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Deletes one of the signed-in worker's own comments (another's is 404).
#[utoipa::path(delete, path = "/api/v1/me/comments/{id}", tag = "article",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_own(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<ArticleCommentId>,
) -> Result<StatusCode, ApiError> {
    comment::delete_own(&state.store, &user.session.phone, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct QueueQuery {
    /// The union whose branch to list (default: the caller's first where they edit).
    pub org: Option<i64>,
    /// `pending` (default), `featured` or `deleted`.
    pub status: Option<String>,
    /// Only the comments of this article.
    pub article: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A stored state named in a query, or the refusal naming the field.
pub fn status_of(s: Option<&str>) -> Result<CommentStatus, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(CommentStatus::Pending),
        Some(s) => CommentStatus::parse(s)
            .ok_or_else(|| AppError::invalid("status", "状态应为 pending、featured 或 deleted")),
    }
}

#[derive(Debug, Serialize)]
struct Queue {
    org_id: OrgId,
    org_name: String,
    #[serde(flatten)]
    page: Page<ModerationView>,
}

/// The moderation queue of a branch: comments of one state under its unions' articles,
/// oldest first (editors and administrators).
#[utoipa::path(get, path = "/api/v1/console/comments", tag = "article", params(QueueQuery),
    responses((status = 200, description = "留言 {org_id, org_name, items: [ModerationView], total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, ApiError> {
    let status = status_of(q.status.as_deref())?;
    let (org, page) = comment::queue(
        &state.store,
        &user.ctx(),
        q.org.map(OrgId),
        status,
        q.article.map(ArticleId),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(Queue {
        org_id: org.id,
        org_name: org.name,
        page: crate::pages::views(page),
    })
    .into_response())
}

/// Features (精选) a pending comment: every reader of the article sees it from now on.
#[utoipa::path(post, path = "/api/v1/console/comments/{id}/feature", tag = "article",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn feature(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleCommentId>,
) -> Result<StatusCode, ApiError> {
    comment::feature(&state.store, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    /// 1 to 1000 characters, masked as comments are.
    pub reply: String,
}

/// Answers under a comment (or replaces the answer).
#[utoipa::path(post, path = "/api/v1/console/comments/{id}/reply", tag = "article",
    params(("id" = i64, Path)), request_body = ReplyRequest,
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleCommentId>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> Result<StatusCode, ApiError> {
    comment::reply(&state.store, &user.ctx(), id, &req.reply, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hides a comment, pending or featured: nobody sees it any more.
#[utoipa::path(post, path = "/api/v1/console/comments/{id}/hide", tag = "article",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn hide(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ArticleCommentId>,
) -> Result<StatusCode, ApiError> {
    comment::hide(&state.store, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles/{id}/comments", get(list))
        .route("/api/v1/me/articles/{id}/comments", post(write))
        .route("/api/v1/me/comments/{id}", delete(delete_own))
        .route("/api/v1/console/comments", get(queue))
        .route("/api/v1/console/comments/{id}/feature", post(feature))
        .route("/api/v1/console/comments/{id}/reply", post(reply))
        .route("/api/v1/console/comments/{id}/hide", post(hide))
}
