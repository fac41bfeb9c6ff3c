//! The WeChat official-account export of an article, for its editors: the console page
//! `/console/articles/{id}/wechat` (the HTML in a box to copy, and a link to the preview),
//! the preview itself (`…/wechat/preview`: the export alone, under a policy that allows its
//! inline styles and nothing else, to select and copy as rich text), and
//! `GET /api/v1/console/articles/{id}/wechat`.

use crate::auth::StaffUser;
use crate::extract::Id;
use crate::pages::{UserBar, render};
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use zhijia_app::article::export::{self, WechatExport};
use zhijia_domain::ids::ArticleId;

/// The preview's policy: the export's inline styles and images from anywhere; no script, no
/// style sheet, no form, no frame around it.
const PREVIEW_CSP: &str = "default-src 'none'; img-src https: http: data:; \
     style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

async fn of(
    state: &AppState,
    user: &StaffUser,
    headers: &HeaderMap,
    id: ArticleId,
) -> Result<WechatExport, zhijia_app::AppError> {
    let site = super::feed::site(state, headers);
    export::wechat(&state.store, &user.ctx(), id, &site).await
}

#[derive(Template)]
#[template(path = "article/wechat.html")]
struct WechatPage {
    user: UserBar,
    export: WechatExport,
}

async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
) -> Result<Response, PageError> {
    let export = of(&state, &user, &headers, id).await?;
    Ok(render(&WechatPage {
        user: (&user).into(),
        export,
    }))
}

async fn preview(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
) -> Result<Response, PageError> {
    let e = of(&state, &user, &headers, id).await?;
    let doc = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>公众号排版预览</title></head><body>{}</body></html>",
        e.html
    );
    Ok((
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PREVIEW_CSP),
        )],
        Html(doc),
    )
        .into_response())
}

/// The article as HTML for the WeChat official-account editor: inline styles only (no class,
/// no `<style>`, no script), images and links as absolute addresses. For the editors and
/// administrators of the article's union and above; another branch's article is 404.
#[utoipa::path(get, path = "/api/v1/console/articles/{id}/wechat", tag = "article",
    params(("id" = i64, Path)),
    responses((status = 200, body = WechatExport), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
) -> Result<Json<WechatExport>, ApiError> {
    Ok(Json(of(&state, &user, &headers, id).await?))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/articles/{id}/wechat", get(page))
        .route("/console/articles/{id}/wechat/preview", get(preview))
        .route("/api/v1/console/articles/{id}/wechat", get(api))
}
