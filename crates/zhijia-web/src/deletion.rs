//! Staff handling of deletion requests: a console page and the same in the API.

use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Form, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::deletion::{self, Outcome};
use zhijia_domain::auth::mask_phone;
use zhijia_domain::deletion::DeletionStatus;
use zhijia_domain::ids::DeletionRequestId;
use zhijia_domain::org::OrgId;
use zhijia_store::deletion::Request;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// pending (default), done, refused
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// A request as staff see it: the phone masked.
#[derive(Debug, serde::Serialize)]
pub struct RequestView {
    pub id: DeletionRequestId,
    pub phone_masked: String,
    pub worker_name: Option<String>,
    pub org_name: Option<String>,
    pub reason: Option<String>,
    pub status: DeletionStatus,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
}

impl From<Request> for RequestView {
    fn from(r: Request) -> Self {
        RequestView {
            id: r.id,
            phone_masked: mask_phone(&r.phone),
            worker_name: r.worker_name,
            org_name: r.org_name,
            reason: r.reason,
            status: r.status,
            requested_at: r.requested_at,
            note: r.note,
        }
    }
}

/// Deletion requests of an `org_admin`'s branch.
#[utoipa::path(get, path = "/api/v1/deletion-requests", tag = "me", params(ListQuery),
    responses((status = 200, description = "删除申请 {items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q
        .map(|Query(q)| q)
        .map_err(|_| AppError::invalid("query", "查询参数格式不正确"))?;
    let (_, page) = deletion::queue(
        &state.membership(),
        &user.ctx(),
        q.org,
        q.status.as_deref(),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(zhijia_store::Page {
        items: page
            .items
            .into_iter()
            .map(RequestView::from)
            .collect::<Vec<_>>(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
    .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HandleRequest {
    /// true: delete what need not be kept; false: refuse with `reason`
    pub erase: bool,
    #[serde(default)]
    pub reason: String,
}

/// Erases (or refuses with a reason) one request of the caller's branch; audited, the worker
/// is told by SMS.
#[utoipa::path(post, path = "/api/v1/deletion-requests/{id}", tag = "me",
    params(("id" = i64, Path)), request_body = HandleRequest,
    responses((status = 200, description = "处理后的申请"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn handle(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<DeletionRequestId>,
    body: Result<Json<HandleRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) =
        body.map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"erase\", \"reason\"}"))?;
    let outcome = if req.erase {
        Outcome::Erase
    } else {
        Outcome::Refuse { reason: req.reason }
    };
    let done = deletion::handle(&state.membership(), &user.ctx(), id, outcome).await?;
    Ok(Json(RequestView::from(done)).into_response())
}

#[derive(Template)]
#[template(path = "deletion/requests.html")]
struct ListPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    status: String,
    items: Vec<RequestView>,
    pager: Pager,
}

async fn page(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, 20);
    let (org, list) = deletion::queue(
        &state.membership(),
        &user.ctx(),
        q.org,
        q.status.as_deref(),
        Some(limit),
        Some(offset),
    )
    .await?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    let base = format!(
        "/console/deletion-requests?org={}&status={}&",
        org.id.0, status
    );
    Ok(render(&ListPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        status,
        pager: Pager::new(page, list.total, base),
        items: list.items.into_iter().map(RequestView::from).collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct HandleForm {
    csrf: String,
    erase: Option<String>,
    #[serde(default)]
    reason: String,
}

async fn submit(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<DeletionRequestId>,
    form: Result<Form<HandleForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let outcome = if form.erase.is_some() {
        Outcome::Erase
    } else {
        Outcome::Refuse {
            reason: form.reason,
        }
    };
    deletion::handle(&state.membership(), &user.ctx(), id, outcome).await?;
    Ok(Redirect::to("/console/deletion-requests").into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/deletion-requests", get(list))
        .route("/api/v1/deletion-requests/{id}", post(handle))
        .route("/console/deletion-requests", get(page))
        .route("/console/deletion-requests/{id}", post(submit))
}

crate::auth::carries_csrf!(HandleForm);
