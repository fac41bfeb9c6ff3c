//! The audit log for an `org_admin`: the entries of their subtree, newest first.

use crate::auth::StaffUser;
use crate::filters;
use crate::org::parse_id;
use crate::pages::{Pager, UserBar};
use crate::pages::{page_window, render};
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use zhijia_app::{AppError, audit as uc, org as org_uc, page_bounds};
use zhijia_store::audit::Entry;

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    page: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    user: UserBar,
    org_name: String,
    entries: Vec<Entry>,
    pager: Pager,
}

async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    q: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let q = q
        .map(|Query(q)| q)
        .map_err(|_| AppError::invalid("page", "页码应为正整数"))?;
    let (page, limit, offset) = page_window(q.page, PER_PAGE);
    let log = uc::for_staff(&state.store, user.session.staff_id, id, limit, offset).await?;
    let org = org_uc::get(&state.store, id).await?;
    let pager = Pager::new(page, log.total, format!("/console/orgs/{id}/audit?"));
    Ok(render(&AuditPage {
        user: UserBar::from(&user),
        org_name: org.name,
        entries: log.items,
        pager,
    }))
}

/// One page of audit entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageView {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Entry>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The audit log of an org's subtree, for its `org_admin` (signed-in session).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/audit", tag = "audit", params(("id" = i64, Path)),
    responses((status = 200, body = AuditPageView), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    q: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditPageView>, ApiError> {
    let id = parse_id(&id)?;
    let q = q
        .map(|Query(q)| q)
        .map_err(|_| AppError::invalid("limit", "分页参数 limit、offset 应为整数"))?;
    let (limit, offset) = page_bounds(q.limit, q.offset, PER_PAGE);
    let log = uc::for_staff(&state.store, user.session.staff_id, id, limit, offset).await?;
    Ok(Json(AuditPageView {
        items: log.items,
        total: log.total,
        offset: log.offset,
        limit: log.limit,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/orgs/{id}/audit", get(page))
        .route("/api/v1/orgs/{id}/audit", get(api))
}
