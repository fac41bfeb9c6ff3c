//! The comments under an article, for readers: `article/comments.html` is a partial the
//! article page includes (its page struct has a field `comments: CommentsPart`, filled by
//! [`part`], and its template says `{% include "article/comments.html" %}` where the comments
//! go); `/news/{id}/comments` shows the same partial on a page of its own (more comments, and
//! the answer to a refused form). A signed-in worker writes and deletes their own from it; the
//! form comes back to the page it was sent from (`back`, a local path).

use super::view::CommentView;
use crate::auth::worker::{WorkerUser, current, sign_in_link};
use crate::auth::{carries_csrf, checked_form, csrf_refused};
use crate::extract::{Id, parse_id};
use crate::filters;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::article::comment;
use zhijia_domain::article::comment::MAX_COMMENT_CHARS;
use zhijia_domain::ids::{ArticleCommentId, ArticleId};

/// Comments shown on one page of the list.
pub const PER_PAGE: i64 = 20;

/// The comments under an article and the form to write one, for `article/comments.html`.
#[derive(Debug, Clone)]
pub struct CommentsPart {
    pub article_id: ArticleId,
    pub article_title: String,
    pub items: Vec<CommentView>,
    pub total: i64,
    pub page: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The signed-in worker's CSRF token; `None` shows the sign-in link instead of the form.
    pub csrf: Option<String>,
    /// Where the forms come back to (the page showing the partial).
    pub back: String,
    /// The sign-in link that comes back to `back`.
    pub sign_in: String,
    /// The text of a refused comment, and why it was refused.
    pub body: String,
    pub error: Option<String>,
    pub max_chars: usize,
}

/// The partial for an article: page `page` of what the reader (signed in with `phone`, or
/// not) sees, with the form carrying `csrf` and coming back to `back`. An article not
/// published is "not found".
pub async fn part(
    state: &AppState,
    reader: Option<(&str, &str)>,
    article: ArticleId,
    page: Option<i64>,
    back: &str,
) -> Result<CommentsPart, AppError> {
    let (page, limit, offset) = crate::pages::page_window(page, PER_PAGE);
    let c = comment::visible(
        &state.store,
        reader.map(|(phone, _)| phone),
        article,
        Utc::now(),
        Some(limit),
        Some(offset),
    )
    .await?;
    let list = format!("/news/{article}/comments?page=");
    Ok(CommentsPart {
        article_id: article,
        article_title: c.article.title.clone(),
        items: c
            .page
            .items
            .iter()
            .map(|x| CommentView::of(x, c.reader))
            .collect(),
        total: c.page.total,
        page,
        prev: (page > 1).then(|| format!("{list}{}#comments", page - 1)),
        next: (offset + limit < c.page.total).then(|| format!("{list}{}#comments", page + 1)),
        csrf: reader.map(|(_, csrf)| csrf.to_owned()),
        back: back.to_owned(),
        sign_in: sign_in_link(back),
        body: String::new(),
        error: None,
        max_chars: MAX_COMMENT_CHARS,
    })
}

#[derive(Template)]
#[template(path = "article/comments_page.html")]
struct CommentsPage {
    comments: CommentsPart,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

async fn page_of(
    state: &AppState,
    headers: &HeaderMap,
    id: ArticleId,
    page: Option<i64>,
) -> Result<CommentsPage, AppError> {
    let session = current(state, headers).await?;
    let reader = session
        .as_ref()
        .map(|(s, _)| (s.phone.as_str(), s.csrf_token.as_str()));
    let back = format!("/news/{id}/comments");
    Ok(CommentsPage {
        comments: part(state, reader, id, page, &back).await?,
    })
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    Ok(render(&page_of(&state, &headers, id, q.page).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    csrf: String,
    body: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
    back: String,
}

carries_csrf!(CommentForm, DeleteForm);

/// Where a form comes back to: the local path it named, or the article's comments page.
fn back_to(back: &str, id: ArticleId) -> String {
    let fallback = format!("/news/{id}/comments");
    let path = crate::frame::local_path(Some(back)).unwrap_or(&fallback);
    format!("{path}#comments")
}

async fn write(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: WorkerUser,
    Path(id): Path<String>,
    form: Result<Form<CommentForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = ArticleId(parse_id(&id)?);
    let phone = &user.session.phone;
    match comment::write(&state.store, phone, id, &form.body, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&back_to(&form.back, id)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let mut page = page_of(&state, &headers, id, None).await?;
            page.comments.body = form.body;
            page.comments.error = Some(e.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_own(
    State(state): State<AppState>,
    user: WorkerUser,
    Path((id, comment_id)): Path<(String, String)>,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = ArticleId(parse_id(&id)?);
    let comment_id = ArticleCommentId(parse_id(&comment_id)?);
    comment::delete_own(&state.store, &user.session.phone, comment_id).await?;
    Ok(Redirect::to(&back_to(&form.back, id)).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/news/{id}/comments", get(show).post(write))
        .route("/news/{id}/comments/{comment}/delete", post(delete_own))
}
