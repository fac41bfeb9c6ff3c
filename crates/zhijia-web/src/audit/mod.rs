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

pub mod view;

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    page: Option<i64>,
    size: Option<i64>,
    area: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    area: String,
    areas: &'static [(&'static str, &'static str)],
    entries: Vec<Entry>,
    pager: Pager,
}

impl AuditPage {
    fn action(&self, code: &str) -> String {
        crate::console::labels::action_or_code(code)
    }
}

/// The areas the log can be narrowed to: the start of the action codes, and its name.
const AREAS: &[(&str, &str)] = &[
    ("auth.", "登录与账号"),
    ("role.", "角色授权"),
    ("pii.", "个人信息"),
    ("join.", "入会审核"),
    ("transfer.", "会籍接转"),
    ("roster.", "会员名册"),
    ("membership.", "会籍变动"),
    ("case.", "维权"),
    ("aid.", "困难帮扶"),
    ("offer", "普惠优惠"),
    ("activity.", "文体活动"),
    ("org.", "组织管理"),
];

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
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = page_window(q.page, size);
    let area = AREAS
        .iter()
        .map(|(a, _)| *a)
        .find(|a| q.area.as_deref() == Some(*a));
    let log =
        uc::for_staff_in_area(&state.store, user.session.staff_id, id, area, limit, offset).await?;
    let org = org_uc::get(&state.store, id).await?;
    let area = area.unwrap_or_default();
    let pager = Pager::sized(
        page,
        size,
        log.total,
        format!("/console/orgs/{id}/audit?area={area}&size={size}&"),
    );
    Ok(render(&AuditPage {
        user: UserBar::from(&user),
        org_id: id.0,
        org_name: org.name,
        area: area.to_owned(),
        areas: AREAS,
        entries: log.items,
        pager,
    }))
}

/// One page of audit entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageView {
    pub items: Vec<view::EntryView>,
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
        items: log.items.iter().map(view::EntryView::from).collect(),
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
