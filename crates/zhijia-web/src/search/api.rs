//! The search API.

use super::view::{AnswerSuggestion, HitView, SearchPage};
use crate::extract::ApiQuery;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use zhijia_app::search as uc;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// 搜索词
    pub q: Option<String>,
    /// 类别：article、notice、answer、offer、activity、library、model_worker；不填为全部
    pub kind: Option<String>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
}

/// Searches articles, notices, knowledge-base answers, offers, activities, the library and the
/// model-worker showcase. A signed-in member (cookie or bearer token) also finds the offers
/// and activities meant for them, and articles of their own union and those above it.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 422, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    let index = super::index(&state)?;
    let kind = uc::kind_of(q.kind.as_deref())?;
    let who = super::searcher(&state, &headers).await?;
    let page = usize::try_from(q.page.unwrap_or(1).max(1)).unwrap_or(1);
    let found = uc::search(
        &state.store,
        index,
        &who,
        q.q.as_deref().unwrap_or(""),
        kind,
        page,
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(SearchPage {
        items: found.hits.into_iter().map(HitView::from).collect(),
        total: found.total,
        page: found.page,
        per_page: uc::PER_PAGE,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// 正在输入的维权诉求标题
    pub q: Option<String>,
}

/// The three knowledge-base answers that best match a case title being typed.
#[utoipa::path(get, path = "/api/v1/knowledge/suggest", tag = "search", params(SuggestQuery),
    responses((status = 200, body = Vec<AnswerSuggestion>)))]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<Vec<AnswerSuggestion>>, ApiError> {
    // Suggestions only help: a server without an index offers none, and the case form works
    // the same without them.
    let Some(index) = state.config.search.as_ref() else {
        return Ok(Json(Vec::new()));
    };
    let hits = uc::suggest(
        &state.store,
        index,
        q.q.as_deref().unwrap_or(""),
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| AnswerSuggestion {
                href: h.kind.href(h.id),
                id: h.id,
                title: h.title,
            })
            .collect(),
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(search))
        .route("/api/v1/knowledge/suggest", get(suggest))
}
