//! The OpenAPI document of the JSON API, served at /api/openapi.json.

use crate::AppState;
use crate::org::api;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "网上职工之家 zhijia API", description = "工会组织、会员与服务的开放接口。错误统一返回 {error, message, field}。"),
    paths(api::list_roots, api::get_org, api::list_children, api::list_subtree, api::list_moves, crate::audit::api, crate::grant::list, crate::grant::create, crate::auth::pages::api_sign_in),
    components(schemas(api::OrgView, api::OrgPage, api::OrgMoveView, crate::audit::AuditPageView, crate::grant::GrantRequest, crate::grant::GrantResult, crate::grant::HolderView, crate::auth::pages::ApiSignIn, crate::auth::pages::ApiSession, crate::error::ErrorBody)),
    tags((name = "org", description = "工会组织树"), (name = "audit", description = "审计日志"), (name = "grant", description = "角色授权"), (name = "auth", description = "登录"))
)]
struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}
