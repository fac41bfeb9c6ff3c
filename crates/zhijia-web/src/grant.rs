//! Role grants on an org, for its `org_admin` (or one above it): who holds what, and granting.

use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::filters;
use crate::org::parse_id;
use crate::pages::UserBar;
use crate::pages::render;
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::{AppError, org as org_uc, staff as uc};
use zhijia_domain::auth::{Role, StaffId};
use zhijia_store::staff::{GrantBelow, Holder};

/// A grant as asked for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct GrantRequest {
    /// 工作人员用户名
    pub username: String,
    /// org_admin, reviewer, case_handler, aid_officer, editor, analyst or merchant_staff
    pub role: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantResult {
    /// false when the account already held the role there.
    pub granted: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HolderView {
    #[schema(value_type = i64)]
    pub staff_id: StaffId,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
}

impl From<Holder> for HolderView {
    fn from(h: Holder) -> Self {
        HolderView {
            staff_id: h.staff_id,
            username: h.username,
            display_name: h.display_name,
            role: h.role.as_str(),
        }
    }
}

/// A role granted below, as the JSON has always shown it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantBelowView {
    #[schema(value_type = i64)]
    pub org_id: zhijia_domain::org::OrgId,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub granted_by: Option<String>,
    pub granted_at: chrono::DateTime<Utc>,
}

impl From<&GrantBelow> for GrantBelowView {
    fn from(g: &GrantBelow) -> Self {
        GrantBelowView {
            org_id: g.org_id,
            org_name: g.org_name.clone(),
            username: g.username.clone(),
            display_name: g.display_name.clone(),
            role: g.role.as_str(),
            granted_by: g.granted_by.clone(),
            granted_at: g.granted_at,
        }
    }
}

/// Who holds roles on this org (not below it).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/grants", tag = "grant", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HolderView>), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<HolderView>>, ApiError> {
    let id = parse_id(&id)?;
    let holders = uc::holders(&state.store, user.session.staff_id, id).await?;
    Ok(Json(holders.into_iter().map(HolderView::from).collect()))
}

/// The administrators, reviewers and aid officers appointed in the unions below this one in the
/// last 90 days, newest first: whoever appoints approvers answers to the union above.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/grants/below", tag = "grant", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<GrantBelowView>), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn below(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let list =
        uc::sensitive_grants_below(&state.store, user.session.staff_id, id, Utc::now()).await?;
    let list: Vec<GrantBelowView> = list.iter().map(GrantBelowView::from).collect();
    Ok(Json(list).into_response())
}

/// Grants a role on this org (and so its subtree). Only an `org_admin` at or above the org may.
/// A JSON body cannot be sent across sites without CORS, which zhijia does not allow, so this
/// cookie-authenticated endpoint needs no CSRF token.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/grants", tag = "grant", params(("id" = i64, Path)),
    request_body = GrantRequest,
    responses((status = 200, body = GrantResult), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    body: Result<Json<GrantRequest>, JsonRejection>,
) -> Result<Json<GrantResult>, ApiError> {
    let id = parse_id(&id)?;
    let Json(req) =
        body.map_err(|_| AppError::invalid("body", "请求体应为 JSON：{\"username\", \"role\"}"))?;
    let role = Role::parse(&req.role)?;
    let granted = uc::grant_by_username(
        &state.store,
        user.session.staff_id,
        &req.username,
        id,
        role,
        &user.actor.clone(),
    )
    .await?;
    Ok(Json(GrantResult { granted }))
}

#[derive(Template)]
#[template(path = "grant/grants.html")]
struct GrantsPage {
    user: UserBar,
    org_id: zhijia_domain::org::OrgId,
    org_name: String,
    holders: Vec<Holder>,
    below: Vec<GrantBelow>,
    roles: Vec<(&'static str, &'static str)>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let holders = uc::holders(&state.store, user.session.staff_id, id).await?;
    let below =
        uc::sensitive_grants_below(&state.store, user.session.staff_id, id, Utc::now()).await?;
    let org = org_uc::get(&state.store, id).await?;
    let message = q
        .ok()
        .and_then(|Query(d)| d.done)
        .map(|_| "已授予".to_owned());
    Ok(render(&GrantsPage {
        user: UserBar::from(&user),
        org_id: id,
        org_name: org.name,
        holders,
        below,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        message,
    }))
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    csrf: String,
    username: String,
    role: String,
}

async fn submit(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = parse_id(&id)?;
    let role = Role::parse(&form.role)?;
    uc::grant_by_username(
        &state.store,
        user.session.staff_id,
        &form.username,
        id,
        role,
        &user.actor.clone(),
    )
    .await?;
    Ok(Redirect::to(&format!("/console/orgs/{id}/grants?done=1")).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orgs/{id}/grants", get(list).post(create))
        .route("/api/v1/orgs/{id}/grants/below", get(below))
        .route("/console/orgs/{id}/grants", get(page).post(submit))
}

crate::auth::carries_csrf!(GrantForm);
