//! Search (搜索) on the web: the worker's page `/search`, the JSON API `/api/v1/search`, and the
//! knowledge-base suggestions of the case form (`/api/v1/knowledge/suggest`).

pub mod api;
pub mod pages;
pub mod view;

use crate::AppState;
use axum::http::HeaderMap;
use zhijia_app::AppError;
use zhijia_app::search::Searcher;

/// This process's index; a server started without one answers that search is unavailable.
fn index(state: &AppState) -> Result<&zhijia_search::Index, AppError> {
    state
        .config
        .search
        .as_ref()
        .ok_or_else(|| AppError::Config("本服务未启用搜索".into()))
}

/// Who is searching: the signed-in worker (cookie or bearer token), or anyone.
async fn searcher(state: &AppState, headers: &HeaderMap) -> Result<Searcher, AppError> {
    let now = chrono::Utc::now();
    match crate::auth::worker::current(state, headers).await? {
        Some((session, _)) => Searcher::of(&state.store, Some(&session.phone), now).await,
        None => Ok(Searcher::anyone()),
    }
}

pub fn routes() -> axum::Router<AppState> {
    api::routes().merge(pages::routes())
}
