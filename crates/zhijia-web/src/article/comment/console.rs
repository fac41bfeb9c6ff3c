//! The console's moderation queue of comments (留言管理): a branch's comments by state, oldest
//! first, each with feature (精选), answer and hide. A refused step comes back on the page with
//! the reason (status 422 or 409).

use super::api::status_of;
use super::view::ModerationView;
use crate::auth::{StaffUser, carries_csrf, checked_form, csrf_refused};
use crate::extract::parse_id;
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::article::comment;
use zhijia_domain::article::comment::CommentStatus;
use zhijia_domain::ids::{ArticleCommentId, OrgId};

const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    org: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "article/console_comments.html")]
struct QueuePage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    status: CommentStatus,
    items: Vec<ModerationView>,
    pager: Pager,
    /// This page's address, where the forms come back to.
    here: String,
    error: Option<String>,
}

impl QueuePage {
    fn tab(&self, s: &str) -> String {
        format!("/console/comments?org={}&status={s}", self.org_id)
    }
}

async fn queue_page(
    state: &AppState,
    user: &StaffUser,
    q: &QueueQuery,
    error: Option<String>,
) -> Result<QueuePage, AppError> {
    let status = status_of(q.status.as_deref())?;
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let (org, list) = comment::queue(
        &state.store,
        &user.ctx(),
        q.org.map(OrgId),
        status,
        None,
        Some(limit),
        Some(offset),
    )
    .await?;
    let base = format!(
        "/console/comments?org={}&status={}&",
        org.id,
        status.as_str()
    );
    Ok(QueuePage {
        user: user.into(),
        here: format!("{base}page={page}"),
        pager: Pager::new(page, list.total, base),
        org_id: org.id,
        org_name: org.name,
        status,
        items: list.items.iter().map(ModerationView::from).collect(),
        error,
    })
}

async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    Ok(render(&queue_page(&state, &user, &q, None).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    csrf: String,
    /// The queue page the form was sent from.
    back: String,
    reply: String,
}

carries_csrf!(StepForm);

enum Step {
    Feature,
    Reply,
    Hide,
}

/// The queue the form came from: its `org`, `status` and `page`, read back from `back`.
fn query_of(back: &str) -> QueueQuery {
    let mut q = QueueQuery::default();
    let query = back.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("org", v)) => q.org = v.parse().ok(),
            Some(("status", v)) => q.status = CommentStatus::parse(v).map(|s| s.as_str().into()),
            Some(("page", v)) => q.page = v.parse().ok(),
            _ => {}
        }
    }
    q
}

async fn step(
    state: AppState,
    user: StaffUser,
    id: String,
    form: Result<Form<StepForm>, FormRejection>,
    step: Step,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = ArticleCommentId(parse_id(&id)?);
    let staff = user.ctx();
    let result = match step {
        Step::Feature => comment::feature(&state.store, &staff, id).await,
        Step::Reply => comment::reply(&state.store, &staff, id, &form.reply, Utc::now()).await,
        Step::Hide => comment::hide(&state.store, &staff, id).await,
    };
    let q = query_of(&form.back);
    match result {
        Ok(()) => {
            let back = crate::frame::local_path(Some(&form.back))
                .filter(|b| b.starts_with("/console/comments"))
                .unwrap_or("/console/comments");
            Ok(Redirect::to(back).into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let code = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = queue_page(&state, &user, &q, Some(e.to_string())).await?;
            Ok((code, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn feature(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, user, id, form, Step::Feature).await
}

async fn reply(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, user, id, form, Step::Reply).await
}

async fn hide(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Result<Response, PageError> {
    step(state, user, id, form, Step::Hide).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/comments", get(queue))
        .route("/console/comments/{id}/feature", post(feature))
        .route("/console/comments/{id}/reply", post(reply))
        .route("/console/comments/{id}/hide", post(hide))
}
